#!/usr/bin/env python3
# FILE: tools/vmm/netproxy-syn-test.py
# DESCRIPTION:
#   Regression test for a hang under --net-faults (net/kvstore-image-a-
#   faults-drop-seed2): a SYN that libslirp is given a second time, once
#   it holds data for the connection, must not lose that data.  This script
#   plays the guest of flexos-netproxy (no QEMU): it answers slirp's ARP,
#   accepts the connection a host client opens through the port forward
#   with a SYN-ACK, and then "loses" slirp's ACK and its first data segment
#   (the client's request), as a 5 % frame drop sometimes does.  It sends
#   its SYN-ACK again, as lwIP does when no ACK comes, and waits for slirp
#   to retransmit the request; then it answers, and the client must get the
#   answer.  libslirp empties both socket buffers when a SYN with an MSS
#   option reaches an open connection (tcp_mss -> sbreserve), so without
#   tools/vmm/net.c's strip_repeated_syn_mss every retransmission is empty
#   and the request never comes (the client would wait until slirp gives
#   up, ~10 minutes).  Exits 0 on success, 1 with FAIL: on failure.
# USAGE: netproxy-syn-test.py PATH/TO/flexos-netproxy
# License: MIT (see LICENSE)
import select
import socket
import struct
import subprocess
import sys
import time

GUEST_MAC = bytes.fromhex("525400123456")
GUEST_IP = socket.inet_aton("10.0.2.15")
HOST_IP = socket.inet_aton("10.0.2.2")
GUEST_PORT = 6379
GUEST_ISS = 5000
REQUEST = b"*1\r\n$4\r\nPING\r\n"
ANSWER = b"+PONG\r\n"
# slirp retransmits after its RTO (1 s here, the handshake took no
# retransmission); a bound far above that, for loaded machines.  Without
# the fix nothing is ever sent again, so any bound tells the two apart.
RETRANSMIT_WAIT = 120.0  # slirp resends within seconds; generous for a loaded host
SYN, ACK, PSH = 0x02, 0x10, 0x08


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_frame(dst_mac, sport, dport, seq, ack, flags, payload=b"", mss=None):
    opts = struct.pack("!BBH", 2, 4, mss) if mss else b""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                      (20 + len(opts)) // 4 << 4, flags, 23360, 0, 0) + opts
    seg = hdr + payload
    pseudo = GUEST_IP + HOST_IP + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", checksum(pseudo + seg)) + seg[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0, 64, 6, 0,
                     GUEST_IP, HOST_IP)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + GUEST_MAC + b"\x08\x00" + ip + seg


def arp_reply(req):
    """The guest's answer to slirp's ARP request (a whole frame)."""
    sha, spa = req[22:28], req[28:32]
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + GUEST_MAC + GUEST_IP + sha + spa
    return sha + GUEST_MAC + b"\x08\x06" + arp


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Guest:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.proxy_port = None
        self.slirp_mac = None

    def send(self, frame):
        self.sock.sendto(frame, ("127.0.0.1", self.proxy_port))

    def next_tcp(self, until):
        """The next TCP segment from slirp to the guest's port before time
        `until` (answering ARP meanwhile) as (sport, seq, ack, flags,
        payload), or None."""
        while True:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            f = self.sock.recv(2048)
            kind = f[12:14]
            if kind == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == GUEST_IP:
                self.slirp_mac = f[6:12]
                self.send(arp_reply(f))
                continue
            if kind != b"\x08\x00" or f[23] != 6:
                continue
            ihl = (f[14] & 15) * 4
            total = struct.unpack("!H", f[16:18])[0]
            t = f[14 + ihl:14 + total]
            sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", t[:14])
            if dport != GUEST_PORT:
                continue
            self.slirp_mac = f[6:12]
            return sport, seq, ack, flags, t[(off >> 4) * 4:]


def start_proxy(proxy, guest):
    """flexos-netproxy forwarding a free TCP port to the guest's 6379;
    (process, port).  A few tries: a free port may be taken meanwhile."""
    for _ in range(5):
        listen, fwd = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
        p = subprocess.Popen([proxy, "--listen", str(listen), "--guest",
                              str(guest.sock.getsockname()[1]), "--net",
                              "%d:%d" % (fwd, GUEST_PORT), "--stats"],
                             stderr=subprocess.PIPE, text=True)
        line = p.stderr.readline()
        if line.startswith("flexos-netproxy: frames on udp"):
            guest.proxy_port = listen
            return p, fwd
        p.wait()
    fail("flexos-netproxy did not start: %s" % line.strip())


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: netproxy-syn-test.py PATH/TO/flexos-netproxy")
    guest = Guest()
    proxy, fwd = start_proxy(sys.argv[1], guest)
    try:
        run(guest, fwd)
    finally:
        proxy.terminate()
        rc = proxy.wait(timeout=30)
        err = proxy.stderr.read()
    if rc != 0:
        fail("flexos-netproxy exit status %d: %s" % (rc, err))
    print("ok: the request survived a repeated SYN-ACK (%s)" %
          " ".join(l for l in err.splitlines() if "stats" in l))


def run(guest, fwd):
    client = socket.create_connection(("127.0.0.1", fwd), timeout=30)
    client.sendall(REQUEST)  # as integrity.py: the request right away
    deadline = time.monotonic() + 30
    syn = guest.next_tcp(deadline)
    if not syn or syn[3] & (SYN | ACK) != SYN:
        fail("no SYN from slirp for the forwarded connection: %r" % (syn,))
    sport, iss = syn[0], syn[1]
    synack = tcp_frame(guest.slirp_mac, GUEST_PORT, sport, GUEST_ISS, iss + 1,
                       SYN | ACK, mss=1460)
    guest.send(synack)
    # "Lose" everything slirp sends now: its ACK, then the request.
    got_request = False
    while not got_request:
        seg = guest.next_tcp(deadline)
        if not seg:
            fail("slirp sent no request after the handshake")
        got_request = seg[4] == REQUEST
    print("dropped slirp's ACK and the request (seq %d); the SYN-ACK again"
          % (iss + 1))
    guest.send(synack)  # lwIP retransmits its SYN-ACK: no ACK came
    t0 = time.monotonic()
    while True:
        seg = guest.next_tcp(t0 + RETRANSMIT_WAIT)
        if not seg:
            fail("slirp did not send the request again within %.0f s: the "
                 "repeated SYN-ACK emptied its send buffer (libslirp's "
                 "tcp_mss() -> sbreserve(); see strip_repeated_syn_mss in "
                 "tools/vmm/net.c)" % RETRANSMIT_WAIT)
        if seg[4]:
            break
    if seg[1] != iss + 1 or seg[4] != REQUEST:
        fail("slirp retransmitted seq %d %r, not seq %d %r"
             % (seg[1], seg[4], iss + 1, REQUEST))
    print("slirp sent the request again after %.1f s" % (time.monotonic() - t0))
    guest.send(tcp_frame(guest.slirp_mac, GUEST_PORT, sport, GUEST_ISS + 1,
                         iss + 1 + len(REQUEST), ACK | PSH, ANSWER))
    got = b""
    while len(got) < len(ANSWER):
        chunk = client.recv(100)
        if not chunk:
            break
        got += chunk
    if got != ANSWER:
        fail("the client got %r, not %r" % (got, ANSWER))
    client.close()


if __name__ == "__main__":
    main()
