/* fuzz_quic.c: QUIC Initial decryption and CRYPTO reassembly, fed a
 * sequence of datagrams of one flow (2-byte length before each). */
#include "quic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quic_ch_state st;
	quic_ch_state_init(&st, 0);
	struct bytes in = bytes_make(data, size), dgram;
	while (bytes_get_prefixed_u16(&in, &dgram)) {
		struct tls_client_hello ch;
		uint32_t flags;
		(void)quic_looks_like_initial(dgram);
		(void)quic_feed_datagram(&st, dgram, &ch, &flags);
	}
	quic_ch_state_cleanup(&st);
	return 0;
}
