/* quic_initial.c: send one QUIC v1 client Initial carrying a ClientHello
 * for a given name, and say whether anything came back.  Used by the
 * integration tests to see QUIC through the gateway: a blocked name's
 * Initial is dropped there, so no reply arrives.
 *
 *   quic_initial ADDR PORT SNI [TIMEOUT_MS]
 *
 * Prints "reply" (a datagram came back) or "timeout"; exit 0 either way,
 * 2 on usage or socket errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "quic_build.h"
#include "quic.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: quic_initial ADDR PORT SNI [TIMEOUT_MS]\n");
		return 2;
	}
	int timeout = argc > 4 ? atoi(argv[4]) : 1000;
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	uint16_t port = (uint16_t)atoi(argv[2]);
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		fprintf(stderr, "quic_initial: %s is not an address\n", argv[1]);
		return 2;
	}
	uint8_t dcid[8], scid[8];
	if (getrandom(dcid, sizeof(dcid), 0) != sizeof(dcid) ||
	    getrandom(scid, sizeof(scid), 0) != sizeof(scid))
		return 2;
	uint8_t ch[2048], payload[1200], pkt[1500];
	size_t chl = quic_build_client_hello(ch, sizeof(ch), argv[3], 0);
	size_t fl = quic_build_crypto_frame(payload, sizeof(payload), 0, ch, chl);
	if (chl == 0 || fl == 0)
		return 2;
	/* RFC 9000 s14.1: a client Initial datagram is at least 1200 bytes;
	 * PADDING frames (zero bytes) fill the payload. */
	size_t plen = 1200 - 64;
	memset(payload + fl, 0, plen - fl);
	struct quic_build_params p;
	memset(&p, 0, sizeof(p));
	p.version = QUIC_VERSION_1;
	p.dcid = dcid;
	p.dcid_len = sizeof(dcid);
	p.scid = scid;
	p.scid_len = sizeof(scid);
	p.pn_len = 2;
	size_t n = quic_build_initial(pkt, sizeof(pkt), &p, payload, plen);
	if (n == 0)
		return 2;
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || sendto(fd, pkt, n, 0, (struct sockaddr *)&ss, sl) != (ssize_t)n) {
		perror("quic_initial");
		return 2;
	}
	struct pollfd pfd = { fd, POLLIN, 0 };
	int r = poll(&pfd, 1, timeout);
	printf("%s\n", r > 0 ? "reply" : "timeout");
	close(fd);
	return 0;
}
