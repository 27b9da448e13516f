/* fuzz_quic_frames.c: the QUIC Initial walk, frame parser and CRYPTO
 * reassembly with packet protection switched off, so that the fuzzer
 * controls the plaintext frames instead of fighting AES-GCM.  The input
 * is a sequence of datagrams of one flow (2-byte length before each);
 * an Initial's "ciphertext" is its plaintext and the 16-byte tag is not
 * checked (quic.c built with AIGATE_FUZZ_NO_AEAD, never in a product).
 * fuzz-build: -DAIGATE_FUZZ_NO_AEAD */
#include "quic.h"

#ifndef AIGATE_FUZZ_NO_AEAD
#error "fuzz_quic_frames needs -DAIGATE_FUZZ_NO_AEAD (see the fuzz-build line)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quic_ch_state st;
	/* A small bound half of the time, so that the limits are reached. */
	quic_ch_state_init(&st, size > 0 && (data[0] & 1) ? 2048 : 0);
	struct bytes in = bytes_make(data, size), dgram;
	while (bytes_get_prefixed_u16(&in, &dgram)) {
		struct tls_client_hello ch;
		uint32_t flags;
		(void)quic_looks_like_initial(dgram);
		if (quic_feed_datagram(&st, dgram, &ch, &flags) == PARSE_OK &&
		    ch.has_sni && ch.sni[ch.sni_len] != '\0')
			__builtin_trap();
	}
	quic_ch_state_cleanup(&st);
	return 0;
}
