#!/usr/bin/python3
# FILE: examples/kvstore/server/tests/redispy_workload.py
# DESCRIPTION:
#   A small application's traffic through redis-py (Debian's python3-redis),
#   run against the kvstore and against a real redis-server started here
#   on a private Unix socket; every reply (or error text) of the kvstore
#   must equal redis-server's.  The workload: plain commands, pipelines
#   with and without MULTI/EXEC (redis-py's default pipeline is a
#   transaction), a transaction that fails in EXEC, counters, strings,
#   lists, hashes and sets with their WRONGTYPE errors, WATCH against
#   another client's writes (redis-py's pipeline.watch and transaction()),
#   databases (SELECT through redis-py's db=), whole SCANs (with MATCH,
#   COUNT, TYPE, and while the table grows), and whatever families the
#   server lists in FAMILIES.  Keys carry a per-run prefix,
#   so the kvstore's other contents do not matter.  Each step prints one
#   line; every difference prints both replies, and any makes it exit 1.
# USAGE:
#   redispy_workload.py PORT [--families a,b,...]
#   (PORT: the kvstore's TCP port on 127.0.0.1; needs redis-server)
# License: MIT
import argparse
import os
import re
import socket
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
            "hashes", "sets", "errors", "watch", "select", "scan",
            "incrbyfloat", "connection", "resp3"]


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


def other_db(client, db):
    """A client of the same server in database db."""
    pool = client.connection_pool
    kwargs = dict(pool.connection_kwargs, db=db)
    return redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **kwargs))


def watched(key, meddle, *queued):
    """WATCH key, then meddle(client) from another connection of the
    pool, then MULTI with queued(pipeline) commands and EXEC: the replies,
    or "WatchError" when EXEC found the key changed; then the key's value
    as another client reads it."""
    def run(client):
        p = client.pipeline()
        try:
            p.watch(key)
            before = p.get(key)  # immediate mode: read while watching
            meddle(client)
            p.multi()
            for q in queued:
                q(p)
            try:
                result = p.execute()
            except redis.WatchError:
                result = "WatchError"
        finally:
            p.reset()
        return [before, result, client.get(key) if client.type(key) ==
                "string" else client.type(key)]
    return run


def transaction_helper(key):
    """redis-py's client.transaction(): WATCH, read, MULTI/EXEC, retried
    on WatchError; the first try meets another client's INCR."""
    def run(client):
        tries = []

        def body(p):
            value = int(p.get(key) or 0)
            if not tries:
                client.incr(key)  # another connection: this try fails
            tries.append(value)
            p.multi()
            p.set(key, value * 2)
        client.set(key, 5)
        client.transaction(body, key)
        return [tries, client.get(key)]
    return run


def full_scan(client, **kwargs):
    return sorted(client.scan_iter(**kwargs))


def scan_while_growing(k):
    """A scan while 400 keys are added between its calls: every key
    present from start to end must come back (either server may return a
    key twice; duplicates are dropped)."""
    def run(client):
        first = [k("g%d" % i) for i in range(50)]
        client.mset({x: 1 for x in first})
        cursor, seen, added = 0, set(), 0
        while True:
            cursor, keys = client.scan(cursor, match=k("g*"), count=5)
            seen.update(keys)
            if added < 400:
                client.mset({k("h%d" % (added + i)): 1 for i in range(100)})
                added += 100
            if cursor == 0:
                break
        return sorted(x for x in seen if x in first), len(first)
    return run


def raw_session(commands):
    """The bytes a new connection to the client's server answers to
    commands (inline, then QUIT), with connection ids masked."""
    def run(client):
        kw = client.connection_pool.connection_kwargs
        if "path" in kw:
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(kw["path"])
        else:
            sock = socket.create_connection((kw["host"], kw["port"]))
        sock.settimeout(60)
        sock.sendall("".join(c + "\r\n" for c in commands + ["QUIT"])
                     .encode())
        out = b""
        while True:
            data = sock.recv(65536)
            if not data:
                break
            out += data
        sock.close()
        out = re.sub(rb"\$2\r\nid\r\n:\d+\r\n", b"$2\r\nid\r\n:ID\r\n", out)
        return out.decode("latin-1").split("\r\n")
    return run


# INCRBYFLOAT increments and start values: decimals, exponents, integers
# past 2^64, values that cancel, hexadecimal.
FLOATS = ["0", "1", "-1", "10.5", "0.1", "5.0e3", "200", "-0.0", "1e308",
          "-1e308", "3.0000000000000000001", "0.30000000000000004", "1e-17",
          "5e-18", "2.5e-17", "9.999999999999999999e22",
          "18446744073709551616", "3.14159265358979323846", "7e-1", ".5",
          "5.", "0x1p3", "-1.5e+2", "123456789.123456789123", "1e4932"]


def incrbyfloat_steps(k):
    for i, start in enumerate(FLOATS):
        incrs = [FLOATS[(i * 7 + j) % len(FLOATS)] for j in range(4)]
        yield "incrbyfloat", "from " + start, lambda c, s=start, n=incrs: [
            c.set(k("f"), s)] + [
            call(c, lambda c2, x=x: c2.incrbyfloat(k("f"), x)) for x in n]
    yield "incrbyfloat", "a missing key, a TTL", lambda c: [
        c.delete(k("f")), c.incrbyfloat(k("f"), "2.5"),
        c.expire(k("f"), 1000), c.incrbyfloat(k("f"), "-0.5"),
        c.ttl(k("f")), c.get(k("f"))]
    yield "incrbyfloat", "errors", lambda c: [
        call(c, lambda c2, x=x: c2.incrbyfloat(k("f"), x))
        for x in ("abc", "", " 1", "nan", "inf", "1e5000")]


def client_fields(info):
    """CLIENT INFO's fields (as redis-py parses them), in order, those
    whose values vary (or that the kvstore cannot know: sockets, memory)
    blanked."""
    vary = {"id", "addr", "laddr", "fd", "age", "idle", "qbuf",
            "qbuf-free", "argv-mem", "rbs", "rbp", "obl", "tot-mem", "omem"}
    # The reference's client has flag U (a Unix socket).
    flags = info.get("flags", "").replace("U", "") or "N"
    return [(f, "?" if f in vary else flags if f == "flags" else v)
            for f, v in info.items()]


def connection_steps(k):
    yield "connection", "client info", lambda c: client_fields(
        c.execute_command("CLIENT INFO"))
    yield "connection", "client setname, getname, info", lambda c: [
        c.client_setname("wl-name"), c.client_getname(),
        client_fields(c.execute_command("CLIENT INFO")),
        c.client_setname(""), c.client_getname()]
    yield "connection", "client id", lambda c: type(c.client_id()).__name__
    yield "connection", "client list", lambda c: sorted(
        set(f for x in c.client_list() for f in x)) + [
        len(c.client_list(_type="pubsub")),
        [x["id"] == str(c.client_id()) for x in c.client_list(
            client_id=[str(c.client_id())])]]
    yield "connection", "hello", lambda c: [
        (f, "?" if f == "id" else v) for f, v in zip(*[iter(
            c.execute_command("HELLO", "2", "SETNAME", "h"))] * 2)] + [
        c.client_getname()]
    yield "connection", "info keyspace", lambda c: [
        other_db(c, 7).set(k("i1"), 1), other_db(c, 7).set(k("i2"), 1, ex=99),
        c.info("keyspace").get("db7"), sorted(c.info("keyspace")),
        other_db(c, 7).flushdb()]
    yield "connection", "info sections", lambda c: [
        sorted(set(c.info()) & {"redis_version", "redis_mode",
                                "connected_clients", "maxmemory",
                                "uptime_in_seconds", "arch_bits"}),
        c.info("server")["redis_version"], c.info("nosuch"),
        type(c.info("clients")["connected_clients"]).__name__]


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
    yield "watch", "another client's SET", watched(
        k("w"), lambda c: c.set(k("w"), "other"),
        lambda p: p.set(k("w"), "mine"))
    yield "watch", "no change", watched(
        k("w"), lambda c: c.get(k("w")), lambda p: p.set(k("w"), "mine"),
        lambda p: p.get(k("w")))
    yield "watch", "a write to another key", watched(
        k("w"), lambda c: c.set(k("w2"), "x"), lambda p: p.incr(k("wn")))
    yield "watch", "another client's DEL", watched(
        k("w"), lambda c: c.delete(k("w")), lambda p: p.set(k("w"), "mine"))
    yield "watch", "a missing key created", watched(
        k("w3"), lambda c: c.rpush(k("w3"), "x"), lambda p: p.ping())
    yield "watch", "the same key in another database", watched(
        k("w2"), lambda c: other_db(c, 1).set(k("w2"), "db1"),
        lambda p: p.get(k("w2")))
    yield "watch", "an expiry set", watched(
        k("w2"), lambda c: c.expire(k("w2"), 1000), lambda p: p.ttl(k("w2")))
    yield "watch", "an expired key", watched(
        k("w4"), lambda c: [c.set(k("w4"), "v", px=30), time.sleep(0.1),
                            c.exists(k("w4"))], lambda p: p.ping())
    yield "watch", "transaction helper retries", transaction_helper(k("wt"))
    yield "select", "keys per database", lambda c: [
        c.set(k("d"), "db0"), other_db(c, 3).set(k("d"), "db3"),
        other_db(c, 3).get(k("d")), c.get(k("d")),
        other_db(c, 3).dbsize(), other_db(c, 3).type(k("d")),
        other_db(c, 4).get(k("d")), other_db(c, 1).delete(k("w2"))]
    yield "select", "flushdb", lambda c: [
        other_db(c, 3).flushdb(), other_db(c, 3).dbsize(), c.get(k("d"))]
    yield "select", "out of range", lambda c: other_db(c, 16).ping()
    yield "scan", "fill", lambda c: [
        c.mset({k("sc%d" % i): i for i in range(300)}),
        [c.rpush(k("scl%d" % i), "x") for i in range(20)],
        [c.hset(k("sch%d" % i), "f", "v") for i in range(20)],
        [c.sadd(k("scs%d" % i), "m") for i in range(20)]]
    yield "scan", "whole scan", lambda c: full_scan(c, match=k("sc*"))
    for count in (1, 7, 1000):
        yield "scan", "count %d" % count, lambda c, n=count: full_scan(
            c, match=k("sc*"), count=n)
    for t in ("string", "list", "hash", "set", "zset"):
        yield "scan", "type " + t, lambda c, t=t: full_scan(
            c, match=k("sc*"), _type=t)
    yield "scan", "match ?", lambda c: full_scan(c, match=k("sc1?"))
    yield "scan", "while the table grows", scan_while_growing(k)
    yield "scan", "another database", lambda c: [
        other_db(c, 6).mset({k("o%d" % i): i for i in range(30)}),
        full_scan(other_db(c, 6)), other_db(c, 6).flushdb()]
    yield "scan", "cleanup", lambda c: [c.delete(*c.scan_iter(k("*")))]
    yield from incrbyfloat_steps(k)
    yield from connection_steps(k)
    yield "resp3", "replies after HELLO 3", raw_session([
        "HELLO 3", "DEL %s %s %s %s" % (k("r"), k("rh"), k("rs"), k("rl")),
        "HSET %s a 1 b 2" % k("rh"), "HGETALL %s" % k("rh"),
        "HGETALL %s" % k("none"), "HKEYS %s" % k("rh"),
        "HMGET %s a zz" % k("rh"), "SADD %s x" % k("rs"),
        "SMEMBERS %s" % k("rs"), "SINTER %s" % k("rs"),
        "SUNION %s %s" % (k("rs"), k("none")), "SDIFF %s" % k("rs"),
        "SMEMBERS %s" % k("none"), "SISMEMBER %s x" % k("rs"),
        "SPOP %s 5" % k("rs"), "SPOP %s" % k("rs"),
        "GET %s" % k("none"), "LPOP %s 2" % k("none"),
        "LPOP %s" % k("none"), "RPUSH %s a" % k("rl"),
        "LRANGE %s 0 -1" % k("rl"), "LINDEX %s 5" % k("rl"),
        "MGET %s %s" % (k("none"), k("rl")), "CONFIG GET save",
        "CONFIG GET databases", "INCRBYFLOAT %s 1.5" % k("r"),
        "TTL %s" % k("none"), "TYPE %s" % k("rl"), "KEYS %s" % k("rl"),
        "CLIENT GETNAME", "HELLO 3 SETNAME r3", "CLIENT GETNAME",
        "SELECT 9", "SET only 1", "SCAN 0", "FLUSHDB", "SELECT 0",
        "WATCH %s" % k("r"), "SET %s 2" % k("r"), "MULTI",
        "GET %s" % k("r"), "EXEC", "MULTI", "GET %s" % k("r"), "EXEC",
        "PING", "ECHO e", "DEL %s %s %s" % (k("r"), k("rh"), k("rl")),
        "RESET", "GET %s" % k("none"), "HELLO", "HELLO 2",
        "HGETALL %s" % k("none"), "HELLO 3", "HELLO 2"])
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
