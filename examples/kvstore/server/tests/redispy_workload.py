#!/usr/bin/python3
# FILE: examples/kvstore/server/tests/redispy_workload.py
# DESCRIPTION:
#   A small application's traffic through redis-py (Debian's python3-redis),
#   run against the kvstore and against a real redis-server started here
#   on a private Unix socket; every reply (or error text) of the kvstore
#   must equal redis-server's.  The workload: plain commands, pipelines
#   with and without MULTI/EXEC (redis-py's default pipeline is a
#   transaction), a transaction that fails in EXEC, counters, strings,
#   lists, hashes and sets with their WRONGTYPE errors, and whatever
#   families the server lists in FAMILIES.  Keys carry a per-run prefix,
#   so the kvstore's other contents do not matter.  Each step prints one
#   line; every difference prints both replies, and any makes it exit 1.
# USAGE:
#   redispy_workload.py PORT [--families a,b,...]
#   (PORT: the kvstore's TCP port on 127.0.0.1; needs redis-server)
# License: MIT
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import redis
except ImportError:
    print("SKIP: redis-py is missing (apt-get install python3-redis)")
    sys.exit(77)

FAMILIES = ["basic", "pipeline", "transaction", "strings", "lists",
            "hashes", "sets", "errors"]


def normalize(value):
    """Replies whose order neither server promises become sorted lists;
    errors inside a pipeline's replies become ("error", text)."""
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, Exception):
        return ("error", str(value))
    return value


def call(client, fn):
    try:
        return ("ok", normalize(fn(client)))
    except redis.ResponseError as e:
        return ("error", str(e))


def pipeline(transaction, build):
    def run(client):
        p = client.pipeline(transaction=transaction)
        build(p)
        return [normalize(v) for v in p.execute(raise_on_error=False)]
    return run


def steps(k):
    """(family, name, fn(client)) in order; k(name) makes a run's key."""
    yield "basic", "ping", lambda c: c.ping()
    yield "basic", "set", lambda c: c.set(k("s"), "v1")
    yield "basic", "get", lambda c: c.get(k("s"))
    yield "basic", "get missing", lambda c: c.get(k("none"))
    yield "basic", "exists", lambda c: c.exists(k("s"), k("none"), k("s"))
    yield "basic", "incr", lambda c: c.incr(k("n"))
    yield "basic", "incrby", lambda c: c.incrby(k("n"), 41)
    yield "basic", "decr", lambda c: c.decr(k("n"))
    yield "basic", "mset", lambda c: c.mset({k("m1"): "a", k("m2"): "b"})
    yield "basic", "mget", lambda c: c.mget([k("m1"), k("none"), k("m2")])
    yield "basic", "type", lambda c: [c.type(k("s")), c.type(k("none"))]
    yield "basic", "del", lambda c: c.delete(k("m1"), k("m2"), k("none"))
    yield "pipeline", "plain pipeline", pipeline(False, lambda p: (
        p.set(k("p"), 1), p.incr(k("p")), p.get(k("p")),
        p.rpush(k("pl"), "a", "b"), p.lrange(k("pl"), 0, -1)))
    yield "pipeline", "pipeline with an error", pipeline(False, lambda p: (
        p.set(k("pe"), "x"), p.incr(k("pe")), p.get(k("pe"))))
    yield "transaction", "multi/exec", pipeline(True, lambda p: (
        p.incr(k("t")), p.incrby(k("t"), 10), p.get(k("t"))))
    yield "transaction", "exec with a runtime error", pipeline(True, lambda p: (
        p.set(k("te"), "x"), p.lpush(k("te"), "y"), p.get(k("te"))))
    yield "strings", "setnx", lambda c: [c.setnx(k("nx"), 1),
                                          c.setnx(k("nx"), 2), c.get(k("nx"))]
    yield "strings", "set nx/xx", lambda c: [c.set(k("sx"), 1, xx=True),
                                             c.set(k("sx"), 2, nx=True),
                                             c.set(k("sx"), 3, xx=True),
                                             c.get(k("sx"))]
    yield "strings", "set get", lambda c: [c.set(k("sg"), "a"),
                                           c.set(k("sg"), "b", get=True)]
    yield "strings", "append/strlen", lambda c: [c.append(k("ap"), "ab"),
                                                 c.append(k("ap"), "cd"),
                                                 c.strlen(k("ap"))]
    yield "strings", "getrange/setrange", lambda c: [
        c.setrange(k("ap"), 1, "XY"), c.getrange(k("ap"), 0, -2)]
    yield "strings", "getset/getdel", lambda c: [c.getset(k("ap"), "z"),
                                                 c.getdel(k("ap")),
                                                 c.exists(k("ap"))]
    yield "strings", "expire and ttl", lambda c: [
        c.set(k("e"), 1, ex=1000), c.ttl(k("e")), c.persist(k("e")),
        c.ttl(k("e")), c.expire(k("e"), 500), c.ttl(k("e")),
        c.ttl(k("none"))]
    yield "strings", "setex", lambda c: [c.setex(k("sx2"), 100, "v"),
                                         c.ttl(k("sx2")), c.get(k("sx2"))]
    yield "strings", "rename", lambda c: [c.rename(k("sx2"), k("sx3")),
                                          c.exists(k("sx2")),
                                          c.get(k("sx3"))]
    yield "lists", "push/range", lambda c: [
        c.rpush(k("l"), "a", "b", "c", "d"), c.lpush(k("l"), "z"),
        c.lrange(k("l"), 0, -1), c.llen(k("l"))]
    yield "lists", "index/set", lambda c: [c.lindex(k("l"), 1),
                                           c.lset(k("l"), 1, "A"),
                                           c.lindex(k("l"), -1)]
    yield "lists", "insert/rem/trim", lambda c: [
        c.linsert(k("l"), "before", "c", "b2"), c.lrem(k("l"), 0, "z"),
        c.ltrim(k("l"), 0, 2), c.lrange(k("l"), 0, -1)]
    yield "lists", "pop", lambda c: [c.lpop(k("l")), c.rpop(k("l")),
                                     c.lpop(k("none"))]
    yield "hashes", "hset/hget", lambda c: [
        c.hset(k("h"), mapping={"f1": "1", "f2": "two"}),
        c.hset(k("h"), "f1", "one"), c.hget(k("h"), "f1"),
        c.hget(k("h"), "none")]
    yield "hashes", "hgetall/hkeys/hvals", lambda c: [
        c.hgetall(k("h")), c.hkeys(k("h")), c.hvals(k("h")), c.hlen(k("h"))]
    yield "hashes", "hincrby/hexists/hdel", lambda c: [
        c.hincrby(k("h"), "n", 5), c.hincrby(k("h"), "n", -2),
        c.hexists(k("h"), "n"), c.hdel(k("h"), "n", "none"),
        c.hexists(k("h"), "n"), c.hmget(k("h"), ["f1", "none", "f2"])]
    yield "hashes", "hsetnx", lambda c: [c.hsetnx(k("h"), "f1", "x"),
                                         c.hsetnx(k("h"), "f3", "x")]
    yield "sets", "sadd/smembers", lambda c: [
        c.sadd(k("s1"), "a", "b", "c"), c.sadd(k("s1"), "a"),
        c.smembers(k("s1")), c.scard(k("s1"))]
    yield "sets", "sismember/srem", lambda c: [
        c.sismember(k("s1"), "a"), c.sismember(k("s1"), "x"),
        c.srem(k("s1"), "a", "x"), c.scard(k("s1"))]
    yield "sets", "sinter/sunion/sdiff", lambda c: [
        c.sadd(k("s2"), "b", "d"), c.sinter(k("s1"), k("s2")),
        c.sunion(k("s1"), k("s2")), c.sdiff(k("s1"), k("s2"))]
    yield "sets", "spop", lambda c: [c.sadd(k("s3"), "only"),
                                     c.spop(k("s3")), c.scard(k("s3"))]
    yield "errors", "wrongtype list op on a string", lambda c: c.lpush(k("s"), "x")
    yield "errors", "wrongtype hash op on a list", lambda c: c.hget(k("pl"), "f")
    yield "errors", "wrongtype set op on a hash", lambda c: c.sadd(k("h"), "x")
    yield "errors", "not an integer", lambda c: c.incr(k("s"))
    yield "errors", "hincrby on text", lambda c: c.hincrby(k("h"), "f2", 1)
    yield "errors", "unknown command", lambda c: c.execute_command("NOSUCH", "a")
    yield "errors", "wrong arity", lambda c: c.execute_command("GET")
    yield "basic", "cleanup", lambda c: c.delete(*[k(n) for n in (
        "s", "n", "p", "pl", "pe", "t", "te", "nx", "sx", "sg", "e", "sx3",
        "l", "h", "s1", "s2", "s3")])


def start_reference(tmp):
    server = shutil.which("redis-server")
    if not server:
        print("SKIP: redis-server is missing (apt-get install redis-server)")
        sys.exit(77)
    sock = os.path.join(tmp, "redis.sock")
    proc = subprocess.Popen([server, "--port", "0", "--unixsocket", sock,
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    client = redis.Redis(unix_socket_path=sock, decode_responses=True)
    for _ in range(200):  # up to 20 s for the server to come up
        try:
            client.ping()
            return proc, client
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.1)
    proc.kill()
    print("FAIL: redis-server did not start")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("port", type=int, help="the kvstore's port")
    ap.add_argument("--families", default=",".join(FAMILIES),
                    help="comma-separated families to run (default: all)")
    args = ap.parse_args()
    families = args.families.split(",")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        ap.error("unknown family %s; known: %s" % (unknown, FAMILIES))
    prefix = "rp%d:" % os.getpid()
    kvstore = redis.Redis(host="127.0.0.1", port=args.port,
                          decode_responses=True, socket_timeout=60)
    tmp = tempfile.mkdtemp()
    proc, reference = start_reference(tmp)
    failed = ran = 0
    try:
        for family, name, fn in steps(lambda n: prefix + n):
            if family not in families:
                continue
            ran += 1
            want = call(reference, fn)
            got = call(kvstore, fn)
            if got != want:
                print("FAIL: %s/%s:\n  redis-server: %r\n  kvstore:      %r"
                      % (family, name, want, got))
                failed += 1
            else:
                print("ok %s/%s" % (family, name))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("redis-py workload: %d of %d steps gave redis-server's replies"
          % (ran - failed, ran))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
