/* fuzz_minisign.c: the minisign signature verifier (tools/minisign.c)
 * on arbitrary public keys, signature files and data.  Input: three
 * parts, each but the last with a 2-byte length before it: the public
 * key text, the .minisig text, then the signed data.  A fixed valid key
 * is tried too, so that signatures that parse reach the Ed25519 and
 * BLAKE2b code.
 * fuzz-build: tools/minisign.c -Itools */
#include <string.h>

#include "bytes.h"
#include "minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes in = bytes_make(data, size), key_text, sig_text;
	if (!bytes_get_prefixed_u16(&in, &key_text) || !bytes_get_prefixed_u16(&in, &sig_text))
		return 0;
	char err[256];
	struct minisign_pubkey keys[2];
	size_t n_keys = 0;
	if (minisign_pubkey_parse((const char *)key_text.ptr, key_text.len, &keys[0], err,
				  sizeof(err)))
		n_keys++;
	else if (strlen(err) >= sizeof(err))
		__builtin_trap();
	struct minisign_sig sig;
	if (!minisign_sig_parse((const char *)sig_text.ptr, sig_text.len, &sig, err, sizeof(err)))
		return 0;
	if (sig.trusted_comment_len > MINISIGN_COMMENT_MAX ||
	    strlen(sig.trusted_comment) != sig.trusted_comment_len)
		__builtin_trap();
	/* A second key with the signature's id, so verification always runs. */
	memcpy(keys[n_keys].key_id, sig.key_id, MINISIGN_KEYID_LEN);
	memset(keys[n_keys].pk, 0x5a, MINISIGN_PK_LEN);
	n_keys++;
	int k = minisign_verify(in.ptr, in.len, &sig, keys, n_keys, err, sizeof(err));
	if (k < -1 || k >= (int)n_keys)
		__builtin_trap();
	char id[17];
	minisign_keyid_text(sig.key_id, id);
	return 0;
}
