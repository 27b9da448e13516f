#!/usr/bin/env python3
"""make-seeds.py: build the seed corpora in tests/fuzz/corpus/ from the
test captures (tests/data/pcaps) and fixtures.  Run it again after adding
captures; the seeds are committed so that `make check` replays them.

Only the standard library: a small reader for pcap and pcapng files and
the link types the captures use."""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(TOP, "tests", "data", "pcaps")
CORPUS = os.path.join(HERE, "corpus")


def frames(path):
    """Yield (linktype, frame bytes) from a pcap or pcapng file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xd4, 0x4d) else ">"
        lt = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            yield lt, data[off + 16:off + 16 + incl]
            off += 16 + incl
        return
    # pcapng
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            ifaces.append(struct.unpack(e + "H", body[0:2])[0])
        elif btype == 6:
            iface, _, _, caplen = struct.unpack(e + "IIII", body[0:16])
            if iface < len(ifaces):
                yield ifaces[iface], body[20:20 + caplen]
        elif btype == 3 and ifaces:
            yield ifaces[0], body[4:]
        off += blen


def ip_of(lt, f):
    """The IP packet inside a frame, or None."""
    if lt == 1:  # Ethernet, VLAN tags
        off, et = 12, None
        while off + 2 <= len(f):
            et = struct.unpack(">H", f[off:off + 2])[0]
            if et in (0x8100, 0x88A8, 0x9100):
                off += 4
                continue
            break
        return f[off + 2:] if et in (0x0800, 0x86DD) else None
    if lt == 113:
        return f[16:]
    if lt == 276:
        return f[20:]
    if lt in (0, 108):
        return f[4:]
    if lt in (101, 228, 229, 12, 14):
        return f
    if lt in (9, 50):
        return f[4:] if f[:2] == b"\xff\x03" else f[2:]
    return None


def l4(ip):
    """(proto, sport, dport, payload) of an unfragmented IPv4/IPv6 packet."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4:
        ihl = (ip[0] & 15) * 4
        if struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None
        proto, rest = ip[9], ip[ihl:struct.unpack(">H", ip[2:4])[0]]
    elif v == 6:
        proto, rest = ip[6], ip[40:]
    else:
        return None
    if proto == 17 and len(rest) >= 8:
        return 17, struct.unpack(">H", rest[0:2])[0], struct.unpack(">H", rest[2:4])[0], rest[8:]
    if proto == 6 and len(rest) >= 20:
        doff = (rest[12] >> 4) * 4
        return 6, struct.unpack(">H", rest[0:2])[0], struct.unpack(">H", rest[2:4])[0], rest[doff:]
    return None


def save(target, blob):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main():
    caps = sorted(f for f in os.listdir(PCAPS) if f.endswith((".pcap", ".pcapng")))
    for cap in caps:
        pkts = [ip_of(lt, f) for lt, f in frames(os.path.join(PCAPS, cap))]
        pkts = [p for p in pkts if p]
        # inspect: the capture's first packets as one length-prefixed sequence
        seq, n = b"", 0
        for p in pkts:
            if len(seq) + len(p) > 60000 or n >= 400:
                break
            seq += struct.pack(">H", len(p)) + p
            n += 1
        save("inspect", seq)
        quic_flows = {}
        for i, p in enumerate(pkts[:200]):
            if len(p) < 1600 and i % 8 == 0:
                save("ip", p)
            t = l4(p)
            if not t:
                continue
            proto, sp, dp, pl = t
            if proto == 17 and dp == 53 and pl:
                save("dns", pl)
            if proto == 6 and pl[:1] == b"\x16":
                save("tls", pl)
            if proto == 6 and dp == 53 and pl:
                save("dns", pl)
            if proto == 17 and pl and pl[0] & 0x80 and dp != 53:
                quic_flows.setdefault((sp, dp), b"")
                if len(quic_flows[(sp, dp)]) < 20000:
                    quic_flows[(sp, dp)] += struct.pack(">H", len(pl)) + pl
        for blob in list(quic_flows.values())[:4]:
            save("quic", blob)
    for rel in ("rules/list.conf", "etc/aigate.conf"):
        p = os.path.join(TOP, rel)
        if os.path.exists(p):
            save("config", open(p, "rb").read())
    cfgdir = os.path.join(TOP, "tests", "data", "config")
    if os.path.isdir(cfgdir):
        for root, _, files in os.walk(cfgdir):
            for f in files:
                save("config", open(os.path.join(root, f), "rb").read())
    for n in (b"chatgpt.com", b"ChatGPT.COM.", b"a..b", b"xn--bcher-kva.example", b"\x00\xff.", b"x" * 300,
              b"api.business.githubcopilot.com", b"notchatgpt.com", b"chatgpt.com.evil.example"):
        save("name", n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
