/* fwcount.h: how many packets aigate's queue rules sent to the queues
 * (the counters of `aigate-firewall counters`), read by the daemon
 * itself over netlink, so that packets a full fail-open queue let
 * through uninspected (they leave no other trace) become a warning
 * event.  Needs CAP_NET_ADMIN when reading (kept after the privilege
 * drop); the socket is opened before the seccomp filter. */
#ifndef AIGATE_FWCOUNT_H
#define AIGATE_FWCOUNT_H

#include <stdint.h>

struct fwcount;

/* NULL when no netfilter netlink socket can be opened. */
struct fwcount *fwcount_open(void);
void fwcount_close(struct fwcount *fc);

/* The sum of the queue rules' packet counters, IPv4 and IPv6 (iptables-
 * nft) or inet (nft).  0, or -1 when the rules are not installed or the
 * kernel refused (no CAP_NET_ADMIN). */
int fwcount_read(struct fwcount *fc, uint64_t *queued);

#endif
