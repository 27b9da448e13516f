/* linktype.c: link-layer headers of the captures aigatectl scan reads;
 * see linktype.h.  Numbers from the tcpdump.org LINKTYPE registry. */
#include "linktype.h"

#include <pcap/dlt.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_PPPOE 0x8864

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

bool linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_NULL:
	case DLT_LOOP: case DLT_PPP: case DLT_PPP_SERIAL:
#if defined(DLT_RAW_ALT) && DLT_RAW_ALT != DLT_RAW
	case DLT_RAW_ALT:
#endif
		return true;
	default:
		return false;
	}
}

/* The payload of an ethertype, if it is IP. */
static bool by_ethertype(uint16_t type, struct bytes rest, struct bytes *ip)
{
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return false;
	*ip = rest;
	return true;
}

static bool ethernet(struct bytes b, struct bytes *ip)
{
	uint16_t type;
	if (!bytes_skip(&b, 12) || !bytes_get_u16(&b, &type))
		return false;
	/* Any depth of VLAN tags: each is TCI then the next ethertype. */
	for (int depth = 0; depth < 8; depth++) {
		if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ &&
		    type != ETHERTYPE_QINQ_OLD)
			break;
		if (!bytes_skip(&b, 2) || !bytes_get_u16(&b, &type))
			return false;
	}
	if (type == ETHERTYPE_PPPOE) {
		/* PPPoE session: 6-byte header, then a 2-byte PPP protocol. */
		uint16_t proto;
		if (!bytes_skip(&b, 6) || !bytes_get_u16(&b, &proto))
			return false;
		type = proto == 0x0021 ? ETHERTYPE_IPV4 : proto == 0x0057 ? ETHERTYPE_IPV6 : 0;
	}
	return by_ethertype(type, b, ip);
}

/* Raw IP: the version nibble says which. */
static bool raw_ip(struct bytes b, struct bytes *ip)
{
	uint8_t v;
	if (!bytes_peek_u8(&b, 0, &v))
		return false;
	if ((v >> 4) != 4 && (v >> 4) != 6)
		return false;
	*ip = b;
	return true;
}

static bool ppp(struct bytes b, struct bytes *ip)
{
	uint8_t a, c;
	/* Address/control 0xff 0x03 are optional (RFC 1662 s3.2, ACFC). */
	if (bytes_peek_u8(&b, 0, &a) && bytes_peek_u8(&b, 1, &c) && a == 0xff && c == 0x03)
		if (!bytes_skip(&b, 2))
			return false;
	uint16_t proto;
	if (!bytes_get_u16(&b, &proto))
		return false;
	if (proto == 0x0021 || proto == 0x0057)
		return raw_ip(b, ip);
	return false;
}

bool linktype_ip_payload(int dlt, struct bytes frame, struct bytes *ip)
{
	struct bytes b = frame;
	uint32_t family;
	uint16_t type;
	switch (dlt) {
	case DLT_EN10MB:
		return ethernet(b, ip);
	case DLT_LINUX_SLL:
		/* 16 bytes; the protocol (ethertype) is the last 2. */
		if (!bytes_skip(&b, 14) || !bytes_get_u16(&b, &type))
			return false;
		return by_ethertype(type, b, ip);
	case DLT_LINUX_SLL2:
		/* 20 bytes; the protocol is the first 2. */
		if (!bytes_get_u16(&b, &type) || !bytes_skip(&b, 18))
			return false;
		return by_ethertype(type, b, ip);
	case DLT_NULL:
	case DLT_LOOP:
		/* 4-byte address family, host order for NULL, network order for
		 * LOOP; the value tells IPv4 from IPv6 (AF_INET6 differs across
		 * BSDs), so the version nibble decides. */
		if (!bytes_get_u32(&b, &family))
			return false;
		return raw_ip(b, ip);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return ppp(b, ip);
	default:
		return raw_ip(b, ip);
	}
}
