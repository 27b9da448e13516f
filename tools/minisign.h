/* minisign.h: verification of detached minisign signatures (the format
 * of the `minisign` tool in Debian), with OpenSSL 3 libcrypto.
 *
 * A public key file is an "untrusted comment:" line and the base64 of
 * "Ed" | key id (8 bytes) | Ed25519 public key (32 bytes).  A signature
 * file has four lines: an untrusted comment; the base64 of the
 * algorithm ("ED": Ed25519 over the BLAKE2b-512 hash of the file, the
 * default since minisign 0.8; "Ed": Ed25519 over the file itself, the
 * legacy form) | key id | signature (64 bytes); "trusted comment: "
 * and its text; the base64 of the global signature, Ed25519 over the
 * signature (64 bytes) followed by the trusted comment's text.  Both
 * signatures must verify: the trusted comment is covered, the untrusted
 * one is not.  Nothing here reads files except minisign_pubkey_load;
 * no function keeps state. */
#ifndef AIGATE_MINISIGN_H
#define AIGATE_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MINISIGN_KEYID_LEN 8
#define MINISIGN_PK_LEN 32
#define MINISIGN_SIG_LEN 64
#define MINISIGN_COMMENT_MAX 1024

struct minisign_pubkey {
	uint8_t key_id[MINISIGN_KEYID_LEN];
	uint8_t pk[MINISIGN_PK_LEN];
};

struct minisign_sig {
	bool prehashed;                          /* "ED" (true) or "Ed" */
	uint8_t key_id[MINISIGN_KEYID_LEN];
	uint8_t sig[MINISIGN_SIG_LEN];
	char trusted_comment[MINISIGN_COMMENT_MAX + 1];  /* NUL-terminated */
	size_t trusted_comment_len;
	uint8_t global_sig[MINISIGN_SIG_LEN];
};

/* Parse the text of a public key file (or a bare base64 key, as given
 * to `minisign -P`).  false, with a reason in err (err_len > 0), when
 * it is not a minisign Ed25519 public key; *out is then unspecified. */
bool minisign_pubkey_parse(const char *text, size_t len, struct minisign_pubkey *out,
			   char *err, size_t err_len);

/* Read and parse a public key file (at most 4 KiB). false with a reason
 * in err when it cannot be read or parsed. */
bool minisign_pubkey_load(const char *path, struct minisign_pubkey *out, char *err,
			  size_t err_len);

/* Parse the text of a .minisig file.  false, with a reason in err, when
 * it is malformed (wrong line structure, bad base64, unknown algorithm,
 * an over-long trusted comment). */
bool minisign_sig_parse(const char *text, size_t len, struct minisign_sig *out,
			char *err, size_t err_len);

/* Verify `data` against `sig` with whichever of keys[0..n_keys) has the
 * signature's key id.  Returns the index of the key that verified, or -1
 * with a reason in err (no key with that id, bad signature, bad global
 * signature, a crypto library failure).  Reads data once; allocates only
 * inside libcrypto. */
int minisign_verify(const uint8_t *data, size_t data_len, const struct minisign_sig *sig,
		    const struct minisign_pubkey *keys, size_t n_keys, char *err,
		    size_t err_len);

/* The key id as minisign prints it: 16 upper-case hex digits of the id
 * read as a little-endian 64-bit number.  buf needs 17 bytes. */
void minisign_keyid_text(const uint8_t key_id[MINISIGN_KEYID_LEN], char buf[17]);

#endif
