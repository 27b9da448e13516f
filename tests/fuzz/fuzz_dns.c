/* fuzz_dns.c: DNS query parsing, TCP framing and the block answer. */
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query q;
	struct bytes msg = bytes_make(data, size);
	if (dns_parse_query(msg, &q) == PARSE_OK) {
		struct dns_block_spec spec;
		memset(&spec, 0, sizeof(spec));
		spec.ede_text = "blocked";
		spec.ttl = 60;
		uint8_t out[4096];
		for (int k = 0; k < 3; k++) {
			spec.kind = (enum dns_block_kind)k;
			(void)dns_build_block_response(msg, &q, &spec, out, sizeof(out));
		}
	}
	struct bytes stream = bytes_make(data, size), m;
	while (dns_tcp_next(&stream, &m) == PARSE_OK)
		(void)dns_parse_query(m, &q);
	return 0;
}
