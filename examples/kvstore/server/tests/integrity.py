#!/usr/bin/env python3
# FILE: examples/kvstore/server/tests/integrity.py
# DESCRIPTION:
#   Checks that every acknowledged write is applied exactly once and that
#   every reply answers its own request, with several clients at once;
#   meant to run while the network between them and the server drops,
#   duplicates, reorders, delays or corrupts frames (flexos-vmm
#   --net-faults).  Three phases, each with CLIENTS concurrent
#   connections:
#     counters  INCR on KEYS shared keys, pipelined: the replies for one
#               key, over all clients, are exactly 1..final value;
#     lists     RPUSH of numbered items to one list: the replies (lengths)
#               are exactly 1..total, and the list holds each client's
#               items once each, in the order that client sent them;
#     readback  pipelined SET of distinct values then GET of the same
#               keys: every GET returns its own key's value.
#   Then the server must still answer PING, and deleting the keys it made
#   must bring DBSIZE back to what it was.  Exits 1 on the first broken
#   rule, naming the key, client and request.  A connection that has
#   waited STALL_REPORT seconds for a reply without receiving a byte is
#   reported (what it waits for, since when), once a period; that fails
#   nothing, it says where a stuck run stands before a test timeout kills
#   it (the socket deadline, TIMEOUT, is longer than ctest's).
# USAGE:
#   integrity.py PORT [--clients M] [--keys N] [--rounds R]
#   (KV_SLOW=F multiplies the socket timeout by F, as malformed.py)
# License: MIT
import argparse
import os
import socket
import sys
import threading
import time

SLOW = max(1, int(os.environ.get("KV_SLOW", "1")))
TIMEOUT = 60.0 * SLOW
PIPELINE = 8
STALL_REPORT = 60.0  # seconds without a byte while a reply is due


class Conn:
    """A RESP client with a read buffer; replies come back as Python values
    (int, bytes, None, list) or ('error', text)."""

    live = set()  # open connections, for the stall report
    lock = threading.Lock()

    def __init__(self, port, who):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.who = who
        self.sent = ""      # the last request sent, for the stall report
        self.waiting = None  # since when recv() waits for a byte
        self.reported = 0.0
        with Conn.lock:
            Conn.live.add(self)

    def send(self, *commands):
        out = b""
        self.sent = "%d x %s" % (len(commands), commands[0][0])
        for args in commands:
            out += b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def _recv(self):
        self.waiting = time.monotonic()
        try:
            chunk = self.s.recv(65536)
        finally:
            self.waiting = None
        if not chunk:
            raise ConnectionError("the server closed the connection (%s, "
                                  "after %s)" % (self.who, self.sent))
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._recv()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._recv()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ("error", rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("not a RESP reply: %r" % line[:80])

    def call(self, *args):
        self.send(args)
        return self.reply()

    def close(self):
        with Conn.lock:
            Conn.live.discard(self)
        self.s.close()


def report_stalls():
    """Runs in the background: says which connection has waited
    STALL_REPORT seconds or more for a reply without a byte arriving."""
    while True:
        time.sleep(5)
        now = time.monotonic()
        with Conn.lock:
            conns = list(Conn.live)
        for c in conns:
            since = c.waiting
            if since is None or now - since < STALL_REPORT or \
                    now - c.reported < STALL_REPORT:
                continue
            c.reported = now
            print("integrity: stalled? %s has waited %.0f s for a byte of the "
                  "reply to %s (the socket deadline is %.0f s)"
                  % (c.who, now - since, c.sent, TIMEOUT))
            sys.stdout.flush()


def fail(msg):
    print("FAIL: " + msg)
    sys.stdout.flush()
    os._exit(1)


def run_clients(n, fn):
    errors = []

    def wrap(c):
        try:
            fn(c)
        except Exception as e:  # report which client, then fail the run
            errors.append("client %d: %s: %s" % (c, type(e).__name__, e))

    threads = [threading.Thread(target=wrap, args=(c,)) for c in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail("; ".join(errors))


def counters(port, prefix, clients, keys, rounds):
    seen = {k: [] for k in range(keys)}
    lock = threading.Lock()

    def client(c):
        conn = Conn(port, "counters client %d" % c)
        for start in range(0, rounds, PIPELINE):
            batch = [(c + i) % keys for i in range(start, min(rounds, start + PIPELINE))]
            conn.send(*[("INCR", "%sctr:%d" % (prefix, k)) for k in batch])
            for k in batch:
                v = conn.reply()
                if not isinstance(v, int):
                    fail("counters: client %d: INCR %sctr:%d answered %r"
                         % (c, prefix, k, v))
                with lock:
                    seen[k].append(v)
        conn.close()

    run_clients(clients, client)
    check = Conn(port, "counters check")
    total = 0
    for k in range(keys):
        final = int(check.call("GET", "%sctr:%d" % (prefix, k)) or 0)
        replies = sorted(seen[k])
        if replies != list(range(1, final + 1)):
            dup = sorted({v for v in replies if replies.count(v) > 1})[:5]
            fail("counters: key %sctr:%d holds %d after %d acknowledged INCRs "
                 "(replies repeated: %s)" % (prefix, k, final, len(replies), dup))
        total += final
    check.close()
    print("counters: %d INCRs on %d keys from %d clients, each applied once"
          % (total, keys, clients))


def lists(port, prefix, clients, rounds):
    lengths = []
    lock = threading.Lock()
    key = prefix + "list"

    def client(c):
        conn = Conn(port, "lists client %d" % c)
        for start in range(0, rounds, PIPELINE):
            items = list(range(start, min(rounds, start + PIPELINE)))
            conn.send(*[("RPUSH", key, "c%d:%d" % (c, i)) for i in items])
            for i in items:
                v = conn.reply()
                if not isinstance(v, int):
                    fail("lists: client %d: RPUSH c%d:%d answered %r" % (c, c, i, v))
                with lock:
                    lengths.append(v)
        conn.close()

    run_clients(clients, client)
    check = Conn(port, "lists check")
    items = check.call("LRANGE", key, 0, -1)
    check.close()
    total = clients * rounds
    if sorted(lengths) != list(range(1, total + 1)) or len(items) != total:
        fail("lists: %d items after %d acknowledged RPUSHes (lengths repeated "
             "or missing)" % (len(items), len(lengths)))
    for c in range(clients):
        mine = [x for x in items if x.startswith(b"c%d:" % c)]
        want = [b"c%d:%d" % (c, i) for i in range(rounds)]
        if mine != want:
            fail("lists: client %d's items are %r..., not once each in order"
                 % (c, mine[:6]))
    print("lists: %d RPUSHes from %d clients, each once and in order"
          % (total, clients))


def readback(port, prefix, clients, rounds):
    def client(c):
        conn = Conn(port, "readback client %d" % c)
        for start in range(0, rounds, PIPELINE):
            ids = range(start, min(rounds, start + PIPELINE))
            keys = ["%skv:%d:%d" % (prefix, c, i) for i in ids]
            values = ["v%d.%d.%s" % (c, i, "x" * ((c * 31 + i * 7) % 200)) for i in ids]
            conn.send(*[("SET", k, v) for k, v in zip(keys, values)])
            for k in keys:
                r = conn.reply()
                if r != b"OK":
                    fail("readback: client %d: SET %s answered %r" % (c, k, r))
            conn.send(*[("GET", k) for k in keys])
            for k, v in zip(keys, values):
                r = conn.reply()
                if r != v.encode():
                    fail("readback: client %d: GET %s answered %r, not its "
                         "own value %r" % (c, k, r[:40] if r else r, v[:40]))
        conn.close()

    run_clients(clients, client)
    print("readback: %d pipelined SET/GET pairs from %d clients, every reply "
          "its own" % (clients * rounds, clients))


def main():
    ap = argparse.ArgumentParser(description="exactly-once checks for kvstore")
    ap.add_argument("port", type=int)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--keys", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=100)
    args = ap.parse_args()
    if min(args.clients, args.keys, args.rounds) < 1:
        ap.error("--clients, --keys and --rounds want positive numbers")
    threading.Thread(target=report_stalls, daemon=True).start()
    try:
        run_all(args)
    except (OSError, ValueError) as e:  # a timeout, a reset, a bad reply
        fail("%s: %s" % (type(e).__name__, e))


def run_all(args):
    prefix = "integ%d:" % os.getpid()
    conn = Conn(args.port, "DBSIZE before")
    before = conn.call("DBSIZE")
    conn.close()
    counters(args.port, prefix, args.clients, args.keys, args.rounds)
    lists(args.port, prefix, args.clients, args.rounds)
    readback(args.port, prefix, args.clients, args.rounds)
    conn = Conn(args.port, "final check")
    if conn.call("PING") != b"PONG":
        fail("the server no longer answers PING")
    made = (["%sctr:%d" % (prefix, k) for k in range(args.keys)] + [prefix + "list"] +
            ["%skv:%d:%d" % (prefix, c, i) for c in range(args.clients)
             for i in range(args.rounds)])
    for start in range(0, len(made), 100):
        conn.call("DEL", *made[start:start + 100])
    after = conn.call("DBSIZE")
    conn.close()
    if after != before:
        fail("DBSIZE is %r after deleting what this test made, %r before"
             % (after, before))
    print("integrity: ok (DBSIZE back to %d)" % before)


if __name__ == "__main__":
    main()
