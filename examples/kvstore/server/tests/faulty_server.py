#!/usr/bin/env python3
# FILE: examples/kvstore/server/tests/faulty_server.py
# DESCRIPTION:
#   A tiny RESP server with a bug on purpose, to show that integrity.py
#   catches it: the commands integrity.py sends (PING, DBSIZE, DEL, INCR,
#   GET, SET, RPUSH, LRANGE) on a dict, plus one fault:
#     --apply-twice N   every Nth INCR and RPUSH runs twice (a request
#                       delivered twice), replying once
#     --swap-replies N  every Nth pair of GET replies to integrity.py's
#                       pipelined read-back (keys with ":kv:") goes out
#                       swapped (a reply to the wrong request)
#   Prints "listening on port P" and serves until killed.
# USAGE: faulty_server.py (--apply-twice N | --swap-replies N)
# License: MIT
import argparse
import socketserver
import threading

data = {}
lock = threading.Lock()
counter = [0]


def bulk(v):
    return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)


def run(args, cmd):
    """One command; returns its reply bytes."""
    name = cmd[0].upper()
    with lock:
        if name == b"PING":
            return b"+PONG\r\n"
        if name == b"DBSIZE":
            return b":%d\r\n" % len(data)
        if name == b"DEL":
            return b":%d\r\n" % sum(data.pop(k, None) is not None for k in cmd[1:])
        if name == b"GET":
            return bulk(data.get(cmd[1]))
        if name == b"SET":
            data[cmd[1]] = cmd[2]
            return b"+OK\r\n"
        times = 1
        if name in (b"INCR", b"RPUSH") and args.apply_twice:
            counter[0] += 1
            if counter[0] % args.apply_twice == 0:
                times = 2
        if name == b"INCR":
            for _ in range(times):
                data[cmd[1]] = b"%d" % (int(data.get(cmd[1], b"0")) + 1)
            return b":%s\r\n" % data[cmd[1]]
        if name == b"RPUSH":
            lst = data.setdefault(cmd[1], [])
            for _ in range(times):
                lst.extend(cmd[2:])
            return b":%d\r\n" % len(lst)
        if name == b"LRANGE":
            lst = data.get(cmd[1], [])
            return b"*%d\r\n" % len(lst) + b"".join(bulk(x) for x in lst)
    return b"-ERR unknown command\r\n"


class Handler(socketserver.StreamRequestHandler):
    def read_command(self):
        line = self.rfile.readline()
        if not line:
            return None
        n = int(line[1:])
        cmd = []
        for _ in range(n):
            size = int(self.rfile.readline()[1:])
            cmd.append(self.rfile.read(size + 2)[:-2])
        return cmd

    def handle(self):
        held, gets = None, 0
        while True:
            cmd = self.read_command()
            if cmd is None:
                return
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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--apply-twice", type=int, metavar="N")
    group.add_argument("--swap-replies", type=int, metavar="N")
    args = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.args = args
    print("listening on port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
