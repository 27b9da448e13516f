/* linktype.h: from a captured frame of a pcap link type to the IP
 * packet inside it (the scanner's only link-layer code). */
#ifndef AIGATE_LINKTYPE_H
#define AIGATE_LINKTYPE_H

#include <stdbool.h>

#include "bytes.h"

/* True when the scanner can read captures of this DLT_ value. */
bool linktype_supported(int dlt);

/* The IPv4/IPv6 packet in `frame` of link type dlt: Ethernet with any
 * number of VLAN (802.1Q) / QinQ (802.1ad) tags, Linux cooked SLL and
 * SLL2, raw IP, BSD loopback/null, PPP.  False (ip untouched) when the
 * frame carries something else (ARP, ...) or is too short. */
bool linktype_ip_payload(int dlt, struct bytes frame, struct bytes *ip);

#endif
