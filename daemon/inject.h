/* inject.h: sending the packets aigated builds (packet.h) through raw
 * sockets: IPv4 with IP_HDRINCL, IPv6 with IPPROTO_RAW (header
 * included).  Every injected packet carries SO_MARK = the `inject` mark,
 * which the firewall rules accept without queueing it again.
 *
 * The sockets are opened once at start-up, as root (CAP_NET_RAW, and
 * CAP_NET_ADMIN for SO_MARK), before privileges are dropped; sending
 * needs no capability.  One injector is shared by all workers: sendto()
 * on a raw socket is thread-safe. */
#ifndef AIGATE_INJECT_H
#define AIGATE_INJECT_H

#include <stddef.h>
#include <stdint.h>

struct injector;

/* Open the IPv4 and IPv6 raw sockets with SO_MARK = mark.  NULL (errno
 * set, and a diagnostic logged) when a socket cannot be opened or
 * marked; an IPv6 socket that fails because IPv6 is disabled in the
 * kernel is tolerated (IPv6 injection then fails per packet). */
struct injector *inject_open(uint32_t mark);

/* Close both sockets and free; NULL is fine. */
void inject_close(struct injector *inj);

/* Send one complete IP packet (as built by packet.h) to the destination
 * in its header.  0 on success, -1 with errno set (never logs: the
 * caller counts and rate-limits). */
int inject_send(struct injector *inj, const uint8_t *pkt, size_t len);

#endif
