/* fuzz_tls.c: the TLS record layer and ClientHello parser. */
#include <stdlib.h>

#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[16384];
	struct tls_client_hello ch;
	size_t consumed;
	(void)tls_parse_stream(bytes_make(data, size), scratch, sizeof(scratch), &ch, &consumed);
	(void)tls_parse_handshake(bytes_make(data, size), &ch);
	return 0;
}
