#!/usr/bin/env python3
# FILE: examples/kvstore/server/tests/faulty_server.py
# DESCRIPTION:
#   A tiny RESP server on a dict (PING, CONFIG GET, FLUSHALL, DBSIZE, DEL,
#   GET, SET, INCR, LPUSH, RPUSH, LPOP, LLEN, LRANGE; multibulk and inline
#   requests) with one misbehaviour on purpose, to show that the kvstore's
#   checks tell a broken server from a broken client:
#     --apply-twice N   every Nth INCR, LPUSH and RPUSH runs twice (a
#                       request delivered twice), replying once
#     --swap-replies N  every Nth pair of GET replies to integrity.py's
#                       pipelined read-back (keys with ":kv:") goes out
#                       swapped (a reply to the wrong request)
#     --stall-until-incrs N  correct, but the first connection to send
#                       an INCR once A have arrived (--stall-after-incrs
#                       A) gets no replies until N INCRs have arrived in
#                       all (at most 150 s): the stall under which
#                       redis-benchmark sends more than -n
#   Prints "kvstore: listening on port P" (as the kvstore does, so
#   net-test.sh can start it) and serves until SIGTERM (exit 0).
# USAGE:
#   faulty_server.py (--apply-twice N | --swap-replies N |
#                     --stall-until-incrs N [--stall-after-incrs A])
#                    [--port P] [--max-clients N]
# License: MIT
import argparse
import signal
import socketserver
import sys
import threading
import time

data = {}
lock = threading.Lock()
state = {"counted": 0, "incrs": 0, "staller": None}
incrs_arrived = threading.Condition(lock)


def bulk(v):
    return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)


def run(args, cmd):
    """One command, with the lock held; returns its reply bytes."""
    name = cmd[0].upper()
    if name == b"PING":
        return b"+PONG\r\n"
    if name == b"CONFIG":
        return b"*2\r\n%s%s" % (bulk(cmd[2]) if len(cmd) > 2 else bulk(b""), bulk(b""))
    if name == b"FLUSHALL":
        data.clear()
        return b"+OK\r\n"
    if name == b"DBSIZE":
        return b":%d\r\n" % len(data)
    if name == b"DEL":
        return b":%d\r\n" % sum(data.pop(k, None) is not None for k in cmd[1:])
    if name == b"GET":
        return bulk(data.get(cmd[1]))
    if name == b"SET":
        data[cmd[1]] = cmd[2]
        return b"+OK\r\n"
    if name == b"LLEN":
        return b":%d\r\n" % len(data.get(cmd[1], []))
    if name == b"LPOP":
        lst = data.get(cmd[1])
        v = lst.pop(0) if lst else None
        if lst == []:
            del data[cmd[1]]
        return bulk(v)
    if name == b"LRANGE":
        lst = data.get(cmd[1], [])
        return b"*%d\r\n" % len(lst) + b"".join(bulk(x) for x in lst)
    times = 1
    if name in (b"INCR", b"LPUSH", b"RPUSH") and args.apply_twice:
        state["counted"] += 1
        if state["counted"] % args.apply_twice == 0:
            times = 2
    if name == b"INCR":
        state["incrs"] += 1
        incrs_arrived.notify_all()
        for _ in range(times):
            data[cmd[1]] = b"%d" % (int(data.get(cmd[1], b"0")) + 1)
        return b":%s\r\n" % data[cmd[1]]
    if name in (b"LPUSH", b"RPUSH"):
        lst = data.setdefault(cmd[1], [])
        for _ in range(times):
            if name == b"LPUSH":
                lst[:0] = reversed(cmd[2:])
            else:
                lst.extend(cmd[2:])
        return b":%d\r\n" % len(lst)
    return b"-ERR unknown command '%s'\r\n" % name.lower()


class Handler(socketserver.StreamRequestHandler):
    def read_command(self):
        line = self.rfile.readline()
        if not line:
            return None
        if not line.startswith(b"*"):
            return line.split() or [b""]
        cmd = []
        for _ in range(int(line[1:])):
            size = int(self.rfile.readline()[1:])
            cmd.append(self.rfile.read(size + 2)[:-2])
        return cmd

    def stall(self, cmd):
        """--stall-until-incrs: hold this connection's replies back."""
        limit = self.server.args.stall_until_incrs
        if not limit or cmd[0].upper() != b"INCR":
            return
        with lock:
            if state["staller"] is None and state["incrs"] >= self.server.args.stall_after_incrs:
                state["staller"] = self
            if state["staller"] is not self:
                return
            deadline = time.monotonic() + 150
            while state["incrs"] < limit and time.monotonic() < deadline:
                incrs_arrived.wait(1)

    def handle(self):
        held, gets = None, 0
        while True:
            cmd = self.read_command()
            if cmd is None:
                return
            self.stall(cmd)
            with lock:
                reply = run(self.server.args, cmd)
            swap = self.server.args.swap_replies
            if swap and cmd[0].upper() == b"GET" and b":kv:" in cmd[1]:
                gets += 1
                if held is None and gets % (2 * swap) == 1:
                    held = reply  # sent after the next GET's reply
                    continue
                if held is not None:
                    reply, held = reply + held, None
            self.wfile.write(reply)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description="a RESP server with one bug on purpose")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--apply-twice", type=int, metavar="N")
    group.add_argument("--swap-replies", type=int, metavar="N")
    group.add_argument("--stall-until-incrs", type=int, metavar="N")
    ap.add_argument("--stall-after-incrs", type=int, default=0, metavar="A")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-clients", type=int)  # net-test.sh's; unused
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.args = args
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("kvstore: listening on port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
