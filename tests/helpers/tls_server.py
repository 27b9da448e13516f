#!/usr/bin/python3
"""tls_server.py: the lab's TLS server: accepts any SNI, IPv4 and IPv6.

    tls_server.py --cert C --key K [--port 443] [--log FILE] [--bind ADDR]

One dual-stack listening socket ([::], IPV6_V6ONLY off), a thread per
connection, a timeout on every connection (so a client whose ClientHello
the gateway dropped cannot stall the server).  Answers any HTTP request
with "200 OK" and a body naming the SNI it saw.  With --log, appends one
line per ClientHello received: "<client address> <sni>", so tests
can check that a blocked name never reached the server.
Standard library only.
"""
import argparse
import socket
import socketserver
import ssl
import sys
import threading

log_lock = threading.Lock()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--bind", default="::")
    ap.add_argument("--log")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])

    def sni_cb(sslobj, name, _ctx):
        # Any name is fine: remember it, and log every ClientHello that
        # arrived (also those of clients that do not finish the handshake).
        sslobj.aigate_sni = name
        if args.log:
            try:
                client = sslobj.getpeername()[0]
            except OSError:
                client = "?"
            if client.startswith("::ffff:"):
                client = client[7:]
            with log_lock, open(args.log, "a") as f:
                f.write("%s %s\n" % (client, name or "-"))

    ctx.sni_callback = sni_cb

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            raw = self.request
            raw.settimeout(args.timeout)
            try:
                tls = ctx.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError):
                return
            sni = getattr(tls, "aigate_sni", None) or "-"
            try:
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    body = ("aigate lab server: sni=%s\n" % sni).encode()
                    tls.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                                % len(body) + body)
                tls.unwrap()
            except (OSError, ssl.SSLError):
                pass
            finally:
                tls.close()

    class Server(socketserver.ThreadingTCPServer):
        address_family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 128

        def server_bind(self):
            if self.address_family == socket.AF_INET6:
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

    srv = Server((args.bind, args.port), Handler)
    print("tls_server: listening on [%s]:%d" % (args.bind, args.port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
