#!/usr/bin/env python3
"""make_fixtures.py: cut the UDP payloads that tests/unit/test_quic.c needs
out of the capture corpus (see README.md in this folder).

    python3 tests/data/quic/make_fixtures.py /work/shared/pcaps

For each capture: every UDP datagram of the first MAX_STREAMS UDP streams,
in capture order, up to the last frame that tshark's truth names (plus
EXTRA client datagrams after it), and only the first datagram the server
sends.  Record format (big-endian), repeated to the end of the file:
    u32 frame number, u16 udp stream index, u8 direction (0 = client to
    server, 1 = server to client), u16 payload length, payload bytes.
"""
import json, os, struct, subprocess, sys

CAPTURES = [
    "quic_xargs.pcap", "quic-v2.pcapng", "quic_kyber.pcapng", "quicietfooo.pcap",
    "quic-frag-unordered__input.pcap", "quic-retry__input.pcap",
    "quic_frags_different_dcid.pcapng", "quic-29.pcap", "quic-mvfst-27.pcapng",
    "chromium-115.0.5790.110-google-de-fragmented.pcap", "quic_t51.pcap",
    "quic-23.pcap", "quic-27.pcap", "quic_interop_V.pcapng",
    "quic-initial-not-first__input.pcap",
]
MAX_STREAMS = 3
EXTRA = 2

def main(pcap_dir):
    out_dir = os.path.dirname(os.path.abspath(__file__))
    for name in CAPTURES:
        truth = [json.loads(l) for l in open(os.path.join(pcap_dir, "truth", name + ".jsonl"))]
        truth = [t for t in truth if t["proto"] == "quic"]
        last = {}
        for t in truth:
            last[t["stream"]] = max(last.get(t["stream"], 0), t["frame"])
        rows = subprocess.run(
            ["tshark", "-r", os.path.join(pcap_dir, name), "-Y", "udp", "-T", "fields",
             "-e", "frame.number", "-e", "udp.stream", "-e", "ip.src", "-e", "ipv6.src",
             "-e", "udp.srcport", "-e", "udp.payload"],
            check=True, capture_output=True, text=True).stdout.splitlines()
        client = {}
        extra = {}
        server_seen = set()
        out = bytearray()
        for row in rows:
            f = row.split("\t")
            frame, stream = int(f[0]), int(f[1])
            if stream >= MAX_STREAMS:
                continue
            src = (f[2] or f[3], f[4])
            client.setdefault(stream, src)
            direction = 0 if client[stream] == src else 1
            if direction == 1:
                if stream in server_seen:
                    continue
                server_seen.add(stream)
            elif frame > last.get(stream, 0):
                if extra.get(stream, 0) >= EXTRA:
                    continue
                extra[stream] = extra.get(stream, 0) + 1
            payload = bytes.fromhex(f[5].replace(":", ""))
            out += struct.pack(">IHBH", frame, stream, direction, len(payload)) + payload
        base = name.split(".pcap")[0]
        with open(os.path.join(out_dir, base + ".bin"), "wb") as fh:
            fh.write(out)
        print(name, len(out), "bytes;", "truth:", [(t["stream"], t["frame"], t["name"]) for t in truth if t["stream"] < MAX_STREAMS])

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/pcaps")
