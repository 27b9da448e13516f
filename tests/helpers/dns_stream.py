#!/usr/bin/python3
"""dns_stream.py: a steady stream of DNS queries; counts every answer.

    dns_stream.py --server IP [--count N] [--rate QPS] [--timeout S]
                  [--same-socket] NAME...

Sends --count A queries at --rate per second, cycling through the NAMEs,
each from its own UDP socket (like dig; with --same-socket all from one
socket, so one conntrack flow carries them all), and waits up to
--timeout seconds after the last one for stragglers.  Prints one line of
JSON: {"sent":N,"answered":N,"lost":N,"by_name":{NAME:{RCODE:count}}}
where RCODE is NOERROR, NXDOMAIN, REFUSED, SERVFAIL, ...  Exit 0.
Standard library only.
"""
import argparse
import json
import os
import selectors
import socket
import struct
import sys
import time

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}


def query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += struct.pack("!B", len(label)) + label.encode("ascii")
    return q + b"\x00" + struct.pack("!HH", 1, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--same-socket", action="store_true")
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    sel = selectors.DefaultSelector()
    pending = {}            # (socket fd or shared, qid) -> name
    by_name = {n: {} for n in a.names}
    answered = 0
    shared = None
    if a.same_socket:
        shared = socket.socket(fam, socket.SOCK_DGRAM)
        shared.setblocking(False)
        sel.register(shared, selectors.EVENT_READ)

    def drain(wait):
        nonlocal answered
        for key, _ in sel.select(wait):
            s = key.fileobj
            while True:
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if len(data) < 12:
                    continue
                qid, flags = struct.unpack("!HH", data[:4])
                name = pending.pop((s.fileno(), qid), None)
                if name is None:
                    continue
                rc = RCODES.get(flags & 0xF, str(flags & 0xF))
                by_name[name][rc] = by_name[name].get(rc, 0) + 1
                answered += 1
                if s is not shared:
                    sel.unregister(s)
                    s.close()
                    break

    interval = 1.0 / a.rate
    start = time.monotonic()
    for i in range(a.count):
        name = a.names[i % len(a.names)]
        qid = struct.unpack("!H", os.urandom(2))[0]
        if shared is not None:
            s = shared
            while (s.fileno(), qid) in pending:
                qid = (qid + 1) & 0xFFFF
        else:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        pending[(s.fileno(), qid)] = name
        s.sendto(query(qid, name), (a.server, a.port))
        due = start + (i + 1) * interval
        while True:
            left = due - time.monotonic()
            if left <= 0:
                break
            drain(left)
    end = time.monotonic() + a.timeout
    while pending and time.monotonic() < end:
        drain(max(0.0, end - time.monotonic()))
    print(json.dumps({"sent": a.count, "answered": answered, "lost": len(pending),
                      "by_name": by_name}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
