/* inject.c: raw sockets for the packets aigated injects; see inject.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inject.h"
#include "log.h"

struct injector {
	int fd4, fd6;
};

static int raw_open(int family, uint32_t mark)
{
	int fd, one = 1;

	fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd == -1)
		return -1;
	/* IPPROTO_RAW implies a header included (IPv4: IP_HDRINCL; IPv6
	 * since Linux 2.6: the whole IPv6 header is ours too); say so for
	 * IPv4 anyway, it costs nothing. */
	if (family == AF_INET &&
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == -1)
		goto fail;
	return fd;
fail:
	{
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
}

struct injector *inject_open(uint32_t mark)
{
	struct injector *inj = calloc(1, sizeof(*inj));

	if (inj == NULL)
		return NULL;
	inj->fd4 = raw_open(AF_INET, mark);
	if (inj->fd4 == -1) {
		log_warn("raw IPv4 socket");
		free(inj);
		return NULL;
	}
	inj->fd6 = raw_open(AF_INET6, mark);
	if (inj->fd6 == -1) {
		if (errno != EAFNOSUPPORT) {
			log_warn("raw IPv6 socket");
			close(inj->fd4);
			free(inj);
			return NULL;
		}
		log_warnx("IPv6 is disabled: IPv6 answers cannot be injected");
	}
	return inj;
}

void inject_close(struct injector *inj)
{
	if (inj == NULL)
		return;
	close(inj->fd4);
	if (inj->fd6 != -1)
		close(inj->fd6);
	free(inj);
}

int inject_send(struct injector *inj, const uint8_t *pkt, size_t len)
{
	ssize_t n;

	if (len < 20) {
		errno = EINVAL;
		return -1;
	}
	if ((pkt[0] >> 4) == 4) {
		struct sockaddr_in sin;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, pkt + 16, 4);
		n = sendto(inj->fd4, pkt, len, 0, (struct sockaddr *)&sin, sizeof(sin));
	} else if ((pkt[0] >> 4) == 6 && len >= 40) {
		struct sockaddr_in6 sin6;

		if (inj->fd6 == -1) {
			errno = EAFNOSUPPORT;
			return -1;
		}
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, pkt + 24, 16);
		n = sendto(inj->fd6, pkt, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	} else {
		errno = EINVAL;
		return -1;
	}
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}
