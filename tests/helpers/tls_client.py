#!/usr/bin/python3
"""tls_client.py: send a hand-built TLS 1.3 ClientHello and say what came back.

    tls_client.py --addr IP --sni NAME [--port 443] [--big] [--split-sni]
                  [--segment N] [--pause S] [--timeout S] [--fast-open]

Prints one word and the time it took, e.g. "reset 3.1ms":
  handshake  the server answered with a TLS handshake record (ServerHello)
  reset      the connection was reset (what aigate does to a blocked name)
  closed     the peer closed the connection without answering
  timeout    nothing came back within --timeout
  noconnect  the TCP connection could not be made
Exit status 0 for every outcome (the word is the result), 2 on usage errors.

--big        a Chrome-sized ClientHello (about 1,800 bytes): a post-quantum
             hybrid key share (X25519MLKEM768, 1,216 bytes) plus X25519, and
             a padding extension; server_name is the last extension
--split-sni  send it in two send() calls, the second starting shortly before
             the server_name extension (TCP_NODELAY and a pause in between,
             so the SNI arrives in a later segment than the record header)
--segment N  send it in N-byte send() calls (tiny segments), --pause apart
--fast-open  send the first bytes in the SYN (TCP Fast Open; MSG_FASTOPEN)
--record N   cut the handshake message into records of N bytes (N=1: one-byte records)
--prelude    a handshake record with another message (hello_request) before the ClientHello
--then-sni NAME  after the ClientHello (and --pause), a second one for NAME in the
             same connection (--ccs: behind a change_cipher_spec record, as after a
             HelloRetryRequest); then read until the connection ends
Standard library only.
"""
import argparse
import errno
import os
import socket
import struct
import sys
import time


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def ext(kind, body):
    return u16(kind) + vec16(body)


def client_hello(sni, big):
    """Return (record bytes, offset of the server_name extension)."""
    groups = [0x001D, 0x0017]
    shares = u16(0x001D) + vec16(os.urandom(32))
    if big:
        groups = [0x11EC] + groups
        shares = u16(0x11EC) + vec16(os.urandom(1216)) + shares
    name = sni.encode("ascii")
    exts = [
        ext(0x000B, vec8(b"\x00")),                               # ec_point_formats
        ext(0x000A, vec16(b"".join(u16(g) for g in groups))),     # supported_groups
        ext(0x0010, vec16(vec8(b"h2") + vec8(b"http/1.1"))),      # ALPN
        ext(0x000D, vec16(b"".join(u16(s) for s in (
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)))),
        ext(0x002D, vec8(b"\x01")),                               # psk_key_exchange_modes
        ext(0x002B, vec8(u16(0x0304) + u16(0x0303))),             # supported_versions
        ext(0x0033, vec16(shares)),                               # key_share
    ]
    sni_ext = ext(0x0000, vec16(u8(0) + vec16(name)))              # server_name
    suites = b"".join(u16(c) for c in (0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030))

    def build(extensions):
        body = (u16(0x0303) + os.urandom(32) + vec8(os.urandom(32)) + vec16(suites)
                + vec8(b"\x00") + vec16(b"".join(extensions)))
        hs = u8(1) + struct.pack("!I", len(body))[1:] + body
        return b"\x16\x03\x01" + vec16(hs)

    if big:
        # Pad (RFC 7685) so the whole record is about 1,800 bytes.
        base = len(build(exts + [sni_ext])) + 4
        if base < 1800:
            exts.append(ext(0x0015, bytes(1800 - base)))
    rec = build(exts + [sni_ext])
    return rec, len(rec) - len(sni_ext)


def rerecord(rec, size):
    """The same handshake message in records of `size` bytes."""
    hs = rec[5:]
    return b"".join(b"\x16\x03\x01" + vec16(hs[i:i + size]) for i in range(0, len(hs), size))


def read_to_end(s):
    """Read until reset, close or timeout: the word for what happened."""
    got = False
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return "handshake" if got else "closed"
            got = True
    except socket.timeout:
        return "handshake" if got else "timeout"
    except OSError as e:
        if e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
            return "reset"
        return "error:" + errno.errorcode.get(e.errno, str(e.errno))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--sni", required=True)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--split-sni", action="store_true")
    ap.add_argument("--segment", type=int, default=0)
    ap.add_argument("--pause", type=float, default=0.05)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--fast-open", action="store_true")
    ap.add_argument("--record", type=int, default=0)
    ap.add_argument("--prelude", action="store_true")
    ap.add_argument("--then-sni")
    ap.add_argument("--ccs", action="store_true")
    a = ap.parse_args()

    rec, sni_off = client_hello(a.sni, a.big)
    if a.record > 0:
        rec = rerecord(rec, a.record)
    if a.prelude:
        rec = b"\x16\x03\x01" + vec16(b"\x00\x00\x00\x00") + rec
    if a.split_sni:
        cut = min(1400, max(1, sni_off - 8))
        parts = [rec[:cut], rec[cut:]]
    elif a.segment > 0:
        parts = [rec[i:i + a.segment] for i in range(0, len(rec), a.segment)]
    else:
        parts = [rec]

    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(a.timeout)
    t0 = time.monotonic()
    try:
        if a.fast_open:
            # The first part travels in the SYN (no cookie needed when the
            # sysctl net.ipv4.tcp_fastopen has 0x4 set on the client).
            s.sendto(parts[0], socket.MSG_FASTOPEN, (a.addr, a.port))
            parts = parts[1:]
        else:
            s.connect((a.addr, a.port))
    except (socket.timeout, OSError):
        print("noconnect %.1fms" % ((time.monotonic() - t0) * 1000))
        return 0
    t0 = time.monotonic()
    result = None
    try:
        for i, p in enumerate(parts):
            if i:
                time.sleep(a.pause)
            s.sendall(p)
        if a.then_sni:
            time.sleep(a.pause)
            second, _ = client_hello(a.then_sni, False)
            if a.ccs:
                second = b"\x14\x03\x03\x00\x01\x01" + second
            s.sendall(second)
            result = read_to_end(s)
            print("%s %.1fms" % (result, (time.monotonic() - t0) * 1000))
            s.close()
            return 0
        data = s.recv(5)
        if not data:
            result = "closed"
        elif data[0] == 0x16:
            result = "handshake"
        else:
            result = "closed"
    except socket.timeout:
        result = "timeout"
    except OSError as e:
        if e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
            result = "reset"
        else:
            result = "error:" + errno.errorcode.get(e.errno, str(e.errno))
    print("%s %.1fms" % (result, (time.monotonic() - t0) * 1000))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
