#!/usr/bin/env python3
# FILE: examples/kvstore/server/tests/malformed.py
# DESCRIPTION:
#   Feeds a running kvstore server malformed, truncated and oversized
#   input, one fresh client per case, and checks the exact error reply and
#   that the server then closes that client; after each case a new client
#   must still get PONG. Requests that are not complete yet (no line end,
#   bulk bytes missing, the largest legal counts) get no reply until they
#   are. Also: a command cut off by a disconnect must not
#   run, a client that pipelines without reading must not block others,
#   and every one of its replies must still arrive, in order.
#   Prints one line per case and exits 1 on the first failure.
#   With --max-clients N (the server's own setting) it checks only that
#   client N+1 is refused with an error while the first N are served.
#   For slow platforms (images under nested KVM) KV_SLOW=F (default 1)
#   divides the bulk sizes (big value, huge bulk, backpressure) by F and
#   multiplies the time limits by F.
# USAGE: malformed.py PORT [--max-clients N]
# License: MIT
import os
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
MAX_INLINE = 64 * 1024
SLOW = max(1, int(os.environ.get("KV_SLOW", "1")))
TIMEOUT = 10.0 * SLOW
BIG_VALUE_KB = 8192 // SLOW


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def read_until_closed(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise AssertionError("closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def fail(name, msg):
    print("FAIL %s: %s" % (name, msg))
    sys.exit(1)


def still_serving(name):
    s = connect()
    s.sendall(b"PING\r\n")
    got = read_exact(s, 7)
    s.close()
    if got != b"+PONG\r\n":
        fail(name, "next client got %r instead of +PONG" % got)


def closes_with(name, send, expect):
    s = connect()
    s.sendall(send)
    got = read_until_closed(s)
    s.close()
    if got != expect:
        fail(name, "expected %r, got %r" % (expect[:200], got[:200]))
    still_serving(name)
    print("ok %s" % name)


def perr(what):
    return b"-ERR Protocol error: " + what + b"\r\n"


def protocol_errors():
    closes_with("multibulk-not-a-number", b"*abc\r\n",
                perr(b"invalid multibulk length"))
    # Redis 7.0 takes up to INT_MAX arguments (6.x: 1024 * 1024).
    closes_with("multibulk-too-many", b"*2147483648\r\n",
                perr(b"invalid multibulk length"))
    closes_with("multibulk-leading-plus", b"*+1\r\n",
                perr(b"invalid multibulk length"))
    closes_with("expected-dollar", b"*1\r\n:3\r\n",
                perr(b"expected '$', got ':'"))
    # A CR there must not end the error line early (found by the fuzzer).
    closes_with("expected-dollar-got-cr", b"*1\r\n\r\n",
                perr(b"expected '$', got ' '"))
    closes_with("bulk-negative", b"*1\r\n$-5\r\n", perr(b"invalid bulk length"))
    closes_with("bulk-over-512MiB", b"*1\r\n$536870913\r\n",
                perr(b"invalid bulk length"))
    closes_with("bulk-not-a-number", b"*1\r\n$4x\r\n",
                perr(b"invalid bulk length"))
    closes_with("bulk-without-crlf", b"*1\r\n$4\r\nPINGxx",
                perr(b"expected CRLF after bulk string"))
    closes_with("inline-too-long", b"a" * (MAX_INLINE + 2),
                perr(b"too big inline request"))
    closes_with("bulk-count-too-long", b"*1\r\n$" + b"1" * (MAX_INLINE + 1),
                perr(b"too big bulk count string"))
    closes_with("unbalanced-quotes", b'SET "abc\r\n',
                perr(b"unbalanced quotes in request"))
    closes_with("pipeline-then-garbage", b"PING\r\nPING\r\n*x\r\nPING\r\n",
                b"+PONG\r\n+PONG\r\n" + perr(b"invalid multibulk length"))
    closes_with("quit", resp("SET", "q", "1") + resp("QUIT") + resp("PING"),
                b"+OK\r\n+OK\r\n")


def waits(name, parts, expect):
    """Each of parts but the last, sent alone, gets no reply (the request
    is incomplete: the server waits for more); after the last, expect."""
    s = connect()
    s.settimeout(0.3 * SLOW)
    for p in parts[:-1]:
        s.sendall(p)
        try:
            early = s.recv(100)
        except socket.timeout:
            early = None
        if early is not None:
            fail(name, "answered %r to an incomplete request" % early)
    s.settimeout(TIMEOUT)
    s.sendall(parts[-1])
    got = read_exact(s, len(expect))
    s.close()
    if got != expect:
        fail(name, "expected %r, got %r" % (expect, got))
    print("ok %s" % name)


def incomplete_requests():
    waits("inline-without-line-end", [b"PI", b"NG", b"\r\n"], b"+PONG\r\n")
    waits("inline-lf-only", [b"ECHO a", b"\n"], b"$1\r\na\r\n")
    waits("inline-at-the-limit", [b"ECHO " + b"x" * (MAX_INLINE - 5), b"\r\n"],
          b"$%d\r\n" % (MAX_INLINE - 5) + b"x" * (MAX_INLINE - 5) + b"\r\n")
    waits("multibulk-header-without-crlf", [b"*1", b"\r\n$4\r\nPING", b"\r\n"],
          b"+PONG\r\n")
    waits("bulk-without-its-bytes", [b"*2\r\n$4\r\nECHO\r\n$3\r\nab",
                                     b"c", b"\r", b"\n"], b"$3\r\nabc\r\n")
    # The largest legal counts are only announced: the server waits.
    waits("multibulk-2147483647", [b"*2147483647\r\n$4\r\nPING\r\n",
                                    b"x"], b"")
    waits("bulk-512MiB", [b"*1\r\n$536870912\r\n", b"x"], b"")


def disconnects():
    # A SET cut off mid-value must not run.
    s = connect()
    s.sendall(b"*3\r\n$3\r\nSET\r\n$9\r\ntruncated\r\n$5\r\nab")
    time.sleep(0.1)
    s.close()
    s = connect()
    s.sendall(resp("EXISTS", "truncated"))
    got = read_exact(s, 4)
    s.close()
    if got != b":0\r\n":
        fail("truncated-set", "EXISTS truncated answered %r" % got)
    print("ok truncated-set")
    # A client that announces the largest legal bulk, sends 4 MiB of it
    # and leaves: the server must free it and go on.
    s = connect()
    s.sendall(b"*2\r\n$4\r\nECHO\r\n$536870912\r\n" + b"z" * ((4 << 20) // SLOW))
    s.close()
    still_serving("huge-bulk-then-disconnect")
    print("ok huge-bulk-then-disconnect")
    # Binary noise: whatever it answers, the server stays up.
    noise = bytes((i * 7919 + 13) % 256 for i in range(20000))
    s = connect()
    s.sendall(noise)
    s.settimeout(2 * SLOW)
    try:
        read_until_closed(s)
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    still_serving("binary-noise")
    print("ok binary-noise")


def backpressure():
    # Client A pipelines 20000 GETs of a 1000-byte value (20 MB of
    # replies) and reads nothing for a while; client B must still be
    # served; then A must receive every reply.
    value = b"v" * 1000
    setup = connect()
    setup.sendall(resp("SET", "bp", value))
    if read_exact(setup, 5) != b"+OK\r\n":
        fail("backpressure", "SET failed")
    setup.close()
    n = 20000 // SLOW
    a = connect()
    sender = threading.Thread(target=a.sendall, args=(resp("GET", "bp") * n,))
    sender.start()
    time.sleep(0.5)
    t0 = time.time()
    still_serving("backpressure")
    if time.time() - t0 > 2 * SLOW:
        fail("backpressure", "PING took %.1f s" % (time.time() - t0))
    reply = b"$1000\r\n" + value + b"\r\n"
    got = read_exact(a, n * len(reply))
    sender.join()
    a.close()
    if got != reply * n:
        fail("backpressure", "replies out of order or corrupted")
    print("ok backpressure (%d pipelined replies)" % n)


def big_value():
    # 8 MiB through one SET and one GET: the input buffer, the store and
    # the reply path all grow far past their first sizes.
    value = bytes(range(256)) * (BIG_VALUE_KB * 4)
    s = connect()
    s.sendall(resp("SET", "big", value) + resp("GET", "big") + resp("DEL", "big"))
    want = b"+OK\r\n$%d\r\n" % len(value) + value + b"\r\n:1\r\n"
    got = read_exact(s, len(want))
    s.close()
    if got != want:
        fail("big-value", "%d KiB value did not read back intact" % BIG_VALUE_KB)
    print("ok big-value (%d KiB)" % BIG_VALUE_KB)


def max_clients(n):
    held = [connect() for _ in range(n)]
    for s in held:  # make sure the server has accepted each of them
        s.sendall(b"PING\r\n")
        if read_exact(s, 7) != b"+PONG\r\n":
            fail("max-clients", "an allowed client was not served")
    extra = connect()
    got = read_until_closed(extra)
    if got != b"-ERR max number of clients reached\r\n":
        fail("max-clients", "client %d got %r" % (n + 1, got))
    held.pop().close()
    time.sleep(0.2)  # let the server see the close
    still_serving("max-clients")
    for s in held:
        s.close()
    print("ok max-clients (%d served, the next refused)" % n)


if len(sys.argv) == 4 and sys.argv[2] == "--max-clients":
    max_clients(int(sys.argv[3]))
else:
    protocol_errors()
    incomplete_requests()
    disconnects()
    big_value()
    backpressure()
    still_serving("final")
print("SUCCESS")
