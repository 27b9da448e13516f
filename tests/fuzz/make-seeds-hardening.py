#!/usr/bin/env python3
"""make-seeds-hardening.py: seed corpora for the fuzz targets of issue 7
(quic_frames, minisign, report_read, conf) and evasion sequences for
inspect, from fixtures in the tree
and a few hand-built inputs.  make-seeds.py builds the others.  The seeds
are committed; run this again after changing the fixtures.

Standard library only."""
import gzip
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, os.path.join(TOP, "tests", "helpers"))
import tls_client  # noqa: E402  (the ClientHello builder)

# The same seeds on every run: the builder's random fields from a fixed
# generator instead of os.urandom.
_rng = __import__("random").Random(7)
tls_client.os.urandom = lambda n: bytes(_rng.getrandbits(8) for _ in range(n))


def save(target, blob):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha256(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def varint(v):
    """RFC 9000 s16 variable-length integer."""
    if v < 0x40:
        return struct.pack("!B", v)
    if v < 0x4000:
        return struct.pack("!H", 0x4000 | v)
    return struct.pack("!I", 0x80000000 | v)


def initial(frames, version=1, dcid=b"\x83\x94\xc8\xf0\x3e\x51\x57\x08", pn=0, pad_to=1200):
    """A plaintext QUIC Initial (what fuzz_quic_frames' stubbed AEAD
    reads): 1-byte packet number, frames, padding, a 16-byte dummy tag."""
    ptype = 1 if version == 0x6B3343CF else 0
    first = 0xC0 | (ptype << 4)
    hdr = struct.pack("!BI", first, version) + bytes([len(dcid)]) + dcid + b"\x00" + varint(0)
    payload = frames
    size = len(hdr) + 2 + 1 + len(payload) + 16
    if size < pad_to:
        payload += b"\x00" * (pad_to - size)
    body = struct.pack("!B", pn) + payload + b"\x00" * 16
    return hdr + varint(len(body)) if False else hdr + struct.pack("!H", 0x4000 | len(body)) + body


def crypto(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def dgrams(*ds):
    return b"".join(struct.pack("!H", len(d)) + d for d in ds)


def quic_seeds():
    for sni, big in (("chatgpt.com", False), ("example.org", True)):
        rec, _ = tls_client.client_hello(sni, big)
        hs = rec[5:]  # the handshake message, without the record header
        save("quic_frames", dgrams(initial(crypto(0, hs))))
        half = len(hs) // 2
        # Out of order, in two Initials, with PING and ACK frames.
        save("quic_frames", dgrams(initial(b"\x01" + crypto(half, hs[half:]), pn=1),
                                   initial(b"\x02\x00\x00\x00\x00" + crypto(0, hs[:half]), pn=0)))
        # Overlapping CRYPTO frames in one packet, then v2.
        save("quic_frames", dgrams(initial(crypto(0, hs[:40]) + crypto(20, hs[20:]))))
        save("quic_frames", dgrams(initial(crypto(0, hs), version=0x6B3343CF)))
        # Two packets coalesced in one datagram.
        a = initial(crypto(0, hs[:100]), pad_to=0)
        b = initial(crypto(100, hs[100:]), pn=1, pad_to=1200 - len(a))
        save("quic_frames", dgrams(a + b))
    save("quic_frames", dgrams(initial(b"\x1c\x00\x00\x00")))  # CONNECTION_CLOSE


def minisign_seeds():
    d = os.path.join(TOP, "tests", "data", "lists", "minisign")
    if not os.path.isdir(d):
        return
    pub = open(os.path.join(d, "test.pub"), "rb").read()
    data = open(os.path.join(d, "data.conf"), "rb").read()
    for s in ("data.conf.minisig", "data.conf.legacy.minisig"):
        sig = open(os.path.join(d, s), "rb").read()
        save("minisign", struct.pack("!H", len(pub)) + pub + struct.pack("!H", len(sig)) + sig + data)
        save("minisign", struct.pack("!H", len(pub)) + pub + struct.pack("!H", len(sig)) + sig + data[:-1])


def report_seeds():
    p = os.path.join(TOP, "tests", "data", "lists", "events.jsonl")
    lines = open(p, "rb").read().splitlines(True) if os.path.exists(p) else []
    for i in range(0, min(len(lines), 40), 4):
        save("report_read", b"".join(lines[i:i + 4]))
    if lines:
        save("report_read", gzip.compress(b"".join(lines[:8]), mtime=0))
    ev = (b'{"v":1,"timestamp":"2026-11-30T07:09:45.123456Z","sensor":"gw1","src_ip":"192.0.2.10",'
          b'"src_port":1,"dest_ip":"198.51.100.7","dest_port":443,"proto":"TCP","app_proto":"tls",'
          b'"name":"a\\\\x00\\"b\\\\xff.example","service":null,"vendor":null,"terms":null,'
          b'"action":"log","verdict":"accept","reason":"zone","mode":"monitor","zone":"sandbox",'
          b'"contract":null,"list_serial":7,"flags":["ech"],"count":3}\n')
    save("report_read", ev + b"not json\n" + ev.replace(b"2026-11-30T07:09:45.123456Z", b"2026-11-30 07:09:45+01:00"))


def conf_seeds():
    for p in [os.path.join(TOP, "etc", "aigate.conf"), os.path.join(TOP, "tests", "lab", "lab.conf")]:
        save("conf", open(p, "rb").read())
    d = os.path.join(TOP, "tests", "data", "config")
    for f in sorted(os.listdir(d)):
        if f.startswith("conf-") and f.endswith(".conf"):
            save("conf", open(os.path.join(d, f), "rb").read())


def csum(b):
    if len(b) % 2:
        b += b"\0"
    v = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while v >> 16:
        v = (v & 0xFFFF) + (v >> 16)
    return ~v & 0xFFFF


def ip4(proto, l4, ttl=64, ident=1, frag=0):
    src, dst = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 7])
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, frag, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def tcp(seq, payload, sport=50000, bad=False):
    src, dst = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 7])
    h = struct.pack("!HHIIBBHHH", sport, 443, seq & 0xFFFFFFFF, 1, 0x50, 0x18, 65535, 0, 0)
    c = csum(src + dst + struct.pack("!xBH", 6, len(h) + len(payload)) + h + payload)
    return h[:16] + struct.pack("!H", c ^ (0x1111 if bad else 0)) + h[18:] + payload


def inspect_seeds():
    """Packet sequences of the evasions (fuzz_inspect): a fake hello then
    the real one, two hellos, out of window, fragments, a bad checksum."""
    fake, _ = tls_client.client_hello("example.org", False)
    real, _ = tls_client.client_hello("chatgpt.com", False)
    ccs = b"\x14\x03\x03\x00\x01\x01"
    seqs = [
        [ip4(6, tcp(1, fake), ttl=2), ip4(6, tcp(1, real))],
        [ip4(6, tcp(1, fake, bad=True)), ip4(6, tcp(1, real))],
        [ip4(6, tcp(100001, fake)), ip4(6, tcp(1, real))],
        [ip4(6, tcp(1, fake)), ip4(6, tcp(1 + len(fake), ccs + real))],
        [ip4(6, tcp(1, fake + real))],
        [ip4(6, tcp(1, fake)), ip4(6, tcp(1 + len(fake), b"\x17\x03\x03\x00\x02ab"))],
        [ip4(6, tcp(1, b"\x16\x03\x01\x00\x04\x00\x00\x00\x00" + real))],
    ]
    whole = tcp(1, real)
    seqs.append([ip4(6, whole[:64], ident=9, frag=0x2000), ip4(6, whole[64:], ident=9, frag=8)])
    for seq in seqs:
        # The last byte's low bit turns checksum verification on.
        save("inspect", b"".join(struct.pack("!H", len(p)) + p for p in seq) + b"\x01")


def main():
    inspect_seeds()
    quic_seeds()
    minisign_seeds()
    report_seeds()
    conf_seeds()


if __name__ == "__main__":
    main()
