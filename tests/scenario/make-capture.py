#!/usr/bin/env python3
"""make-capture.py: write a small pcap (Ethernet) of DNS queries and TLS
ClientHellos for the scenario tests, from a plain description:

    make-capture.py OUT.pcap  CLIENT_IP PROTO NAME [CLIENT_IP PROTO NAME]...

PROTO is dns (UDP query, type A), dnstcp (query over TCP) or tls (SYN,
then a ClientHello in one segment).  The link type is Ethernet unless
AIGATE_LINK says vlan (one 802.1Q tag), qinq (802.1ad + 802.1Q), sll,
sll2, raw or null.  Standard library only; the packets
are correct (checksums included) so that tshark reads them too."""
import os
import struct
import sys

T0 = 1796083200  # 2026-12-01T00:00:00Z


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ident):
    s = bytes(int(x) for x in src.split("."))
    d = bytes(int(x) for x in dst.split("."))
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0, s, d)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr, s, d


def udp(src, dst, sport, dport, payload, ident):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr, s, d = ip4(src, dst, 17, u, ident)
    c = csum(s + d + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return hdr + u[:6] + struct.pack("!H", c) + u[8:]


def tcp(src, dst, sport, dport, seq, ack, flags, payload, ident):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    hdr, s, d = ip4(src, dst, 6, t, ident)
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(t)) + t)
    return hdr + t[:16] + struct.pack("!H", c) + t[18:]


def dns_query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def client_hello(name):
    host = name.encode()
    sni = struct.pack("!HBH", len(host) + 3, 0, len(host)) + host
    exts = struct.pack("!HH", 0, len(sni)) + sni
    exts += struct.pack("!HH", 43, 3) + b"\x02\x03\x04"  # supported_versions
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def main():
    if len(sys.argv) < 5 or (len(sys.argv) - 2) % 3:
        sys.exit(__doc__)
    out = open(sys.argv[1], "wb")
    link = os.environ.get("AIGATE_LINK", "ether")
    macs = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    dlt, eth = {
        "ether": (1, macs + b"\x08\x00"),
        "vlan": (1, macs + b"\x81\x00\x00\x0a" + b"\x08\x00"),
        "qinq": (1, macs + b"\x88\xa8\x00\x64" + b"\x81\x00\x00\x0a" + b"\x08\x00"),
        "sll": (113, struct.pack("!HHH8sH", 4, 1, 6, macs[:6] + b"\0\0", 0x0800)),
        "sll2": (276, struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 4, 6, macs[:6] + b"\0\0")),
        "raw": (101, b""),
        "null": (0, struct.pack("<I", 2)),
    }[link]
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, dlt))
    server = "198.51.100.53"
    t = T0
    args = sys.argv[2:]
    for i in range(0, len(args), 3):
        client, proto, name = args[i:i + 3]
        n = i // 3
        pkts = []
        if proto == "dns":
            pkts.append(udp(client, server, 40000 + n, 53, dns_query(name, 0x1000 + n), n))
        elif proto == "dnstcp":
            msg = dns_query(name, 0x2000 + n)
            pkts.append(tcp(client, server, 41000 + n, 53, 100, 0, 0x02, b"", n))
            pkts.append(tcp(client, server, 41000 + n, 53, 101, 1, 0x18, struct.pack("!H", len(msg)) + msg, n))
        elif proto == "tls":
            pkts.append(tcp(client, server, 42000 + n, 443, 500, 0, 0x02, b"", n))
            pkts.append(tcp(client, server, 42000 + n, 443, 501, 1, 0x18, client_hello(name), n))
        else:
            sys.exit("unknown proto " + proto)
        for p in pkts:
            frame = eth + p
            t += 0.001
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            out.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
    out.close()


if __name__ == "__main__":
    main()
