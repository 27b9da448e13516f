#!/usr/bin/python3
"""evasion_client.py: TCP and UDP built by hand (raw sockets), to try the
evasions of issue 7 against the gateway.  Runs as root in a client
namespace of the lab; standard library only.

    evasion_client.py fake --addr IP --sni REAL [--fake-sni NAME]
                      --mode ttl|badsum|window|none [--port 443] [--timeout S]
        Open a TCP connection by hand (SYN, SYN-ACK, ACK), send a
        ClientHello for --fake-sni that the server will not (or need not)
        read: with TTL 2 (--mode ttl; in the lab the server is one hop
        past the gateway, so it does arrive), with a wrong TCP checksum
        (badsum), or 100,000 bytes ahead of the stream (window); then the
        real ClientHello for --sni at the right sequence number.
    evasion_client.py frag-tls --addr IP --sni NAME [--frag 64]
        The ClientHello in one TCP segment sent as IP fragments of
        --frag bytes (IPv4 fragments, or an IPv6 fragment header).
    evasion_client.py frag-dns --addr IP --name NAME [--frag 16]
        A DNS query (A) over UDP in IP fragments.

Prints one word: "reset" (a RST came back), "handshake" (TLS data came
back, no RST), "timeout"; for frag-dns the answer's rcode ("nxdomain",
"noerror", ...) or "timeout".  While it runs, the kernel's own RSTs for
the hand-made connection are dropped by an iptables rule in this
namespace (removed at the end).
"""
import argparse
import ipaddress
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tls_client  # noqa: E402  (ClientHello builder)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def local_addr(dst):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((dst, 9))
    a = s.getsockname()[0]
    s.close()
    return a


class Raw:
    """Send whole IP packets, receive TCP/UDP from the peer."""

    def __init__(self, src, dst, proto):
        self.v6 = ":" in dst
        self.src = ipaddress.ip_address(src).packed
        self.dst = ipaddress.ip_address(dst).packed
        self.dst_text = dst
        fam = socket.AF_INET6 if self.v6 else socket.AF_INET
        self.tx = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rx = socket.socket(fam, socket.SOCK_RAW, proto)
        self.proto = proto

    def pseudo(self, l4len):
        if self.v6:
            return self.src + self.dst + struct.pack("!IxxxB", l4len, self.proto)
        return self.src + self.dst + struct.pack("!xBH", self.proto, l4len)

    def ip(self, l4, ttl=64, ident=None, frag_off=0, more=False, proto=None):
        proto = self.proto if proto is None else proto
        if self.v6:
            return struct.pack("!IHBB", 6 << 28, len(l4), proto, ttl) + self.src + self.dst + l4
        ident = random.randrange(65536) if ident is None else ident
        flags = (0x2000 if more else 0) | (frag_off // 8)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, flags, ttl, proto, 0,
                        self.src, self.dst)
        return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4

    def fragments(self, l4, size):
        """The IP packet carrying l4, as fragments of `size` bytes."""
        ident = random.randrange(1, 1 << 31)
        out = []
        for off in range(0, len(l4), size):
            piece = l4[off:off + size]
            more = off + size < len(l4)
            if self.v6:
                fh = struct.pack("!BxHI", self.proto, (off // 8) << 3 | (1 if more else 0), ident)
                out.append(struct.pack("!IHBB", 6 << 28, len(fh) + len(piece), 44, 64) + self.src +
                           self.dst + fh + piece)
            else:
                out.append(self.ip(piece, ident=ident & 0xFFFF, frag_off=off, more=more))
        return out

    def send(self, pkt):
        self.tx.sendto(pkt, (self.dst_text, 0))

    def recv(self, timeout):
        r, _, _ = select.select([self.rx], [], [], timeout)
        if not r:
            return None
        data = self.rx.recv(65535)
        if not self.v6:
            data = data[(data[0] & 0x0F) * 4:]
        return data


def tcp_seg(raw, sport, dport, seq, ack, flags, payload=b"", bad=False):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      65535, 0, 0)
    c = csum(raw.pseudo(len(hdr) + len(payload)) + hdr + payload)
    if bad:
        c ^= 0x5A5A
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def block_rst(v6, sport, add):
    tool = "ip6tables" if v6 else "iptables"
    subprocess.run([tool, "-w", "-A" if add else "-D", "OUTPUT", "-p", "tcp", "--sport", str(sport),
                    "--tcp-flags", "RST", "RST", "-j", "DROP"], check=add)


def connect(raw, sport, dport, timeout):
    isn = random.randrange(1 << 32)
    raw.send(raw.ip(tcp_seg(raw, sport, dport, isn, 0, 0x02)))
    end = time.time() + timeout
    while time.time() < end:
        d = raw.recv(end - time.time())
        if d is None:
            break
        sp, dp, seq, ack, off, fl = struct.unpack("!HHIIBB", d[:14])
        if sp == dport and dp == sport and fl & 0x12 == 0x12:
            raw.send(raw.ip(tcp_seg(raw, sport, dport, isn + 1, seq + 1, 0x10)))
            return isn + 1, seq + 1
    return None


def outcome(raw, sport, dport, timeout):
    end = time.time() + timeout
    got_data = False
    while time.time() < end:
        d = raw.recv(max(0.0, end - time.time()))
        if d is None:
            break
        sp, dp, seq, ack, off, fl = struct.unpack("!HHIIBB", d[:14])
        if sp != dport or dp != sport:
            continue
        if fl & 0x04:
            return "reset"
        if len(d) > (off >> 4) * 4:
            got_data = True
    return "handshake" if got_data else "timeout"


def cmd_fake(a):
    src = local_addr(a.addr)
    raw = Raw(src, a.addr, socket.IPPROTO_TCP)
    sport = random.randrange(20000, 60000)
    block_rst(raw.v6, sport, True)
    try:
        c = connect(raw, sport, a.port, a.timeout)
        if c is None:
            print("noconnect")
            return
        seq, ack = c
        real, _ = tls_client.client_hello(a.sni, False)
        fake, _ = tls_client.client_hello(a.fake_sni, False)
        if a.mode == "ttl":
            raw.send(raw.ip(tcp_seg(raw, sport, a.port, seq, ack, 0x18, fake), ttl=2))
        elif a.mode == "badsum":
            raw.send(raw.ip(tcp_seg(raw, sport, a.port, seq, ack, 0x18, fake, bad=True)))
        elif a.mode == "window":
            raw.send(raw.ip(tcp_seg(raw, sport, a.port, seq + 100000, ack, 0x18, fake)))
        time.sleep(0.2)
        raw.send(raw.ip(tcp_seg(raw, sport, a.port, seq, ack, 0x18, real)))
        print(outcome(raw, sport, a.port, a.timeout))
    finally:
        block_rst(raw.v6, sport, False)


def cmd_frag_tls(a):
    src = local_addr(a.addr)
    raw = Raw(src, a.addr, socket.IPPROTO_TCP)
    sport = random.randrange(20000, 60000)
    block_rst(raw.v6, sport, True)
    try:
        c = connect(raw, sport, a.port, a.timeout)
        if c is None:
            print("noconnect")
            return
        seq, ack = c
        hello, _ = tls_client.client_hello(a.sni, False)
        for p in raw.fragments(tcp_seg(raw, sport, a.port, seq, ack, 0x18, hello), a.frag):
            raw.send(p)
        print(outcome(raw, sport, a.port, a.timeout))
    finally:
        block_rst(raw.v6, sport, False)


def cmd_frag_dns(a):
    src = local_addr(a.addr)
    raw = Raw(src, a.addr, socket.IPPROTO_UDP)
    sport = random.randrange(20000, 60000)
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in a.name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    udp = struct.pack("!HHHH", sport, 53, 8 + len(q), 0) + q
    c = csum(raw.pseudo(len(udp)) + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    # The answer arrives on an ordinary UDP socket bound to the port.
    fam = socket.AF_INET6 if raw.v6 else socket.AF_INET
    rx = socket.socket(fam, socket.SOCK_DGRAM)
    rx.bind((src, sport))
    for p in raw.fragments(udp, a.frag):
        raw.send(p)
    rx.settimeout(a.timeout)
    try:
        ans, _ = rx.recvfrom(4096)
    except socket.timeout:
        print("timeout")
        return
    rcode = ans[3] & 0x0F
    print({0: "noerror", 2: "servfail", 3: "nxdomain", 5: "refused"}.get(rcode, "rcode%d" % rcode))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fake")
    f.add_argument("--addr", required=True)
    f.add_argument("--port", type=int, default=443)
    f.add_argument("--sni", required=True)
    f.add_argument("--fake-sni", default="harmless.example")
    f.add_argument("--mode", choices=["ttl", "badsum", "window", "none"], required=True)
    f.add_argument("--timeout", type=float, default=3.0)
    t = sub.add_parser("frag-tls")
    t.add_argument("--addr", required=True)
    t.add_argument("--port", type=int, default=443)
    t.add_argument("--sni", required=True)
    t.add_argument("--frag", type=int, default=64)
    t.add_argument("--timeout", type=float, default=3.0)
    d = sub.add_parser("frag-dns")
    d.add_argument("--addr", required=True)
    d.add_argument("--name", required=True)
    d.add_argument("--frag", type=int, default=16)
    d.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    {"fake": cmd_fake, "frag-tls": cmd_frag_tls, "frag-dns": cmd_frag_dns}[a.cmd](a)


if __name__ == "__main__":
    main()
