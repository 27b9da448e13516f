/* fuzz_ip.c: IP, extension headers, tunnels, TCP/UDP. */
#include "ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet_info pi;
	if (ip_parse(bytes_make(data, size), &pi) == PARSE_OK) {
		char buf[64];
		ip_addr_format(&pi.src, buf, sizeof(buf));
		(void)ip_l4_checksum_ok(bytes_make(data, size));
	}
	return 0;
}
