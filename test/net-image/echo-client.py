#!/usr/bin/env python3
# FILE: test/net-image/echo-client.py
# DESCRIPTION:
#   Host side of the net-echo test.  Waits until the image's serial log
#   says it listens, then, against 127.0.0.1:PORT (QEMU's hostfwd to the
#   guest's port 7): one connection carrying messages of 1 B .. 64 KiB in
#   turn, several fresh connections one after another, several at once
#   (threads) each moving 64 KiB, each echo checked byte for byte; then a
#   connection carrying "quit\n", which stops the server.  Prints one line
#   per check and "echo-client: ok"; exits 1 at the first failure.
#   --wait-only returns once the image listens (or fails if it stops).
# USAGE:
#   echo-client.py --port 5555 --log serial.log [--timeout 40] [--wait-only]
# License: MIT (see LICENSE)
import argparse
import os
import socket
import sys
import threading
import time

SIZES = [1, 2, 3, 100, 1000, 1460, 1461, 4096, 10000, 32768, 65536]
READY = "net-echo: listening"


def fail(msg):
    print(f"echo-client: FAIL: {msg}", flush=True)
    sys.exit(1)


def wait_ready(log, deadline):
    while time.time() < deadline:
        try:
            with open(log, errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            text = ""
        if READY in text:
            return
        if "panic" in text or "FAULT" in text or "run-image: qemu-status" in text:
            fail(f"the image stopped before listening:\n{text}")
        time.sleep(0.1)
    fail(f"no '{READY}' in {log} in time")


def pattern(size, seed):
    # Bytes that differ per position and per message, so that a dropped,
    # repeated or reordered segment shows.
    return bytes((i * 7 + seed * 13 + (i >> 8)) & 0xFF for i in range(size))


def echo(sock, data, what):
    # Send from a thread while reading here: neither side's window can
    # stall the other.
    err = []

    def sender():
        try:
            sock.sendall(data)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=sender)
    t.start()
    got = bytearray()
    while len(got) < len(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    t.join()
    if err:
        fail(f"{what}: send: {err[0]}")
    if bytes(got) != data:
        first = next((i for i in range(min(len(got), len(data)))
                      if got[i] != data[i]), min(len(got), len(data)))
        fail(f"{what}: echoed {len(got)} of {len(data)} bytes, first "
             f"difference at offset {first}")


def connect(port, timeout):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def close_checked(s, what):
    # After our FIN the server closes too: we must read EOF, nothing more.
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(1)
    s.close()
    if rest:
        fail(f"{what}: unexpected data after the echo")


def main():
    ap = argparse.ArgumentParser(
        description="Host side of the net-echo image test (test/net-image).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True, help="the image's serial log")
    ap.add_argument("--timeout", type=float, default=40.0)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--wait-only", action="store_true")
    a = ap.parse_args()
    start = time.time()
    wait_ready(a.log, start + a.timeout)
    if a.wait_only:
        return
    io_timeout = 20.0

    s = connect(a.port, io_timeout)
    for n, size in enumerate(SIZES):
        echo(s, pattern(size, n), f"one connection, {size} B")
    close_checked(s, "one connection")
    print(f"echo-client: one connection, sizes {SIZES[0]}..{SIZES[-1]} B: ok",
          flush=True)

    for k in range(5):
        s = connect(a.port, io_timeout)
        echo(s, pattern(1000 + k * 3000, 50 + k), f"sequential connection {k}")
        close_checked(s, f"sequential connection {k}")
    print("echo-client: 5 sequential connections: ok", flush=True)

    errors = []

    def worker(k):
        try:
            c = connect(a.port, io_timeout)
            echo(c, pattern(65536, 100 + k), f"parallel connection {k}")
            close_checked(c, f"parallel connection {k}")
        except SystemExit:
            errors.append(k)
        except OSError as e:
            print(f"echo-client: parallel connection {k}: {e}", flush=True)
            errors.append(k)

    threads = [threading.Thread(target=worker, args=(k,))
               for k in range(a.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        fail(f"parallel connections {errors} failed")
    print(f"echo-client: {a.parallel} parallel connections x 64 KiB: ok",
          flush=True)

    s = connect(a.port, io_timeout)
    echo(s, b"quit\n", "quit")
    close_checked(s, "quit")
    print(f"echo-client: ok ({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        fail(str(e))
