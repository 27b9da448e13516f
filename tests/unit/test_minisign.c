/* test_minisign.c: the minisign verifier (tools/minisign.c) against
 * signatures made by the real minisign tool (tests/data/lists/minisign/,
 * see its README): both algorithms verify; a changed file, a changed
 * trusted comment, another key, a key with the right id but other bytes,
 * and every truncation or single-byte change of the signature file are
 * refused.  Run from the repository root.
 *
 * tools/ is not linked into unit tests (the Makefile links the core,
 * config.c and the helpers), so the one file under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/minisign.c"

#define DIR "tests/data/lists/minisign/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(65536);
	assert_non_null(buf);
	*len = fread(buf, 1, 65535, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

struct fixture {
	char *data, *sig_text, *legacy_text;
	size_t data_len, sig_len, legacy_len;
	struct minisign_pubkey key, other;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];
	assert_non_null(f);
	f->data = slurp(DIR "data.conf", &f->data_len);
	f->sig_text = slurp(DIR "data.conf.minisig", &f->sig_len);
	f->legacy_text = slurp(DIR "data.conf.legacy.minisig", &f->legacy_len);
	assert_true(minisign_pubkey_load(DIR "test.pub", &f->key, err, sizeof err));
	assert_true(minisign_pubkey_load(DIR "other.pub", &f->other, err, sizeof err));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->data);
	free(f->sig_text);
	free(f->legacy_text);
	free(f);
	return 0;
}

static int verify_text(const struct fixture *f, const char *sig_text, size_t sig_len,
		       const char *data, size_t data_len, const struct minisign_pubkey *keys,
		       size_t n_keys)
{
	struct minisign_sig sig;
	char err[256];
	if (!minisign_sig_parse(sig_text, sig_len, &sig, err, sizeof err))
		return -2;
	(void)f;
	return minisign_verify((const uint8_t *)data, data_len, &sig, keys, n_keys, err,
			       sizeof err);
}

static void test_prehashed_verifies(void **state)
{
	struct fixture *f = *state;
	struct minisign_sig sig;
	char err[256];
	assert_true(minisign_sig_parse(f->sig_text, f->sig_len, &sig, err, sizeof err));
	assert_true(sig.prehashed);
	assert_string_equal(sig.trusted_comment, "aigate test fixture");
	assert_int_equal(minisign_verify((const uint8_t *)f->data, f->data_len, &sig, &f->key,
					 1, err, sizeof err), 0);
}

static void test_legacy_verifies(void **state)
{
	struct fixture *f = *state;
	struct minisign_sig sig;
	char err[256];
	assert_true(minisign_sig_parse(f->legacy_text, f->legacy_len, &sig, err, sizeof err));
	assert_false(sig.prehashed);
	assert_int_equal(minisign_verify((const uint8_t *)f->data, f->data_len, &sig, &f->key,
					 1, err, sizeof err), 0);
}

static void test_second_key_in_set(void **state)
{
	struct fixture *f = *state;
	struct minisign_pubkey keys[2] = { f->other, f->key };
	assert_int_equal(verify_text(f, f->sig_text, f->sig_len, f->data, f->data_len, keys, 2), 1);
}

static void test_wrong_key_refused(void **state)
{
	struct fixture *f = *state;
	struct minisign_sig sig;
	char err[256];
	assert_true(minisign_sig_parse(f->sig_text, f->sig_len, &sig, err, sizeof err));
	assert_int_equal(minisign_verify((const uint8_t *)f->data, f->data_len, &sig,
					 &f->other, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a trusted key"));
	/* the right key id with other key bytes: the signature fails */
	struct minisign_pubkey forged = f->other;
	memcpy(forged.key_id, f->key.key_id, sizeof forged.key_id);
	assert_int_equal(minisign_verify((const uint8_t *)f->data, f->data_len, &sig,
					 &forged, 1, err, sizeof err), -1);
}

static void test_changed_data_refused(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < f->data_len; i++) {
		f->data[i] ^= 0x01;
		assert_int_equal(verify_text(f, f->sig_text, f->sig_len, f->data, f->data_len,
					     &f->key, 1), -1);
		assert_int_equal(verify_text(f, f->legacy_text, f->legacy_len, f->data,
					     f->data_len, &f->key, 1), -1);
		f->data[i] ^= 0x01;
	}
	/* truncated and extended data */
	for (size_t n = 0; n < f->data_len; n++)
		assert_int_equal(verify_text(f, f->sig_text, f->sig_len, f->data, n, &f->key, 1), -1);
	char *longer = malloc(f->data_len + 2);
	assert_non_null(longer);
	memcpy(longer, f->data, f->data_len);
	longer[f->data_len] = '\n';
	assert_int_equal(verify_text(f, f->sig_text, f->sig_len, longer, f->data_len + 1,
				     &f->key, 1), -1);
	free(longer);
}

static void test_trusted_comment_covered(void **state)
{
	struct fixture *f = *state;
	char *t = strdup(f->sig_text);
	assert_non_null(t);
	char *c = strstr(t, "aigate test fixture");
	assert_non_null(c);
	c[0] = 'A';
	assert_int_equal(verify_text(f, t, f->sig_len, f->data, f->data_len, &f->key, 1), -1);
	/* the untrusted comment is not covered */
	strcpy(t, f->sig_text);
	c = strstr(t, "untrusted comment: ");
	assert_non_null(c);
	c[strlen("untrusted comment: ")] ^= 0x20;
	assert_int_equal(verify_text(f, t, f->sig_len, f->data, f->data_len, &f->key, 1), 0);
	free(t);
}

/* Every proper prefix of the signature file is refused, and so is every
 * single-bit change outside the untrusted comment. */
static void test_signature_sweep(void **state)
{
	struct fixture *f = *state;
	const char *second = strchr(f->sig_text, '\n') + 1;
	size_t first_len = (size_t)(second - f->sig_text);
	char *t = malloc(f->sig_len + 1);
	assert_non_null(t);
	for (size_t n = 0; n < f->sig_len; n++) {
		/* dropping only the final newline still leaves a valid file */
		if (n == f->sig_len - 1 && f->sig_text[n] == '\n')
			continue;
		assert_true(verify_text(f, f->sig_text, n, f->data, f->data_len, &f->key, 1) < 0);
	}
	for (size_t i = first_len; i < f->sig_len; i++) {
		if (f->sig_text[i] == '\n')
			continue;
		memcpy(t, f->sig_text, f->sig_len + 1);
		t[i] ^= 0x04;
		assert_true(verify_text(f, t, f->sig_len, f->data, f->data_len, &f->key, 1) < 0);
	}
	free(t);
}

static void test_pubkey_parse(void **state)
{
	struct fixture *f = *state;
	struct minisign_pubkey k;
	char err[256];
	/* the bare base64 form of minisign -P */
	FILE *fp = fopen(DIR "test.pub", "r");
	char line1[256], line2[256];
	assert_non_null(fp);
	assert_non_null(fgets(line1, sizeof line1, fp));
	assert_non_null(fgets(line2, sizeof line2, fp));
	fclose(fp);
	assert_true(minisign_pubkey_parse(line2, strlen(line2), &k, err, sizeof err));
	assert_memory_equal(&k, &f->key, sizeof k);
	/* the key id minisign prints in the comment */
	char id[17];
	minisign_keyid_text(k.key_id, id);
	assert_non_null(strstr(line1, id));
	assert_false(minisign_pubkey_parse("RWQ", 3, &k, err, sizeof err));
	assert_false(minisign_pubkey_parse("", 0, &k, err, sizeof err));
	line2[5] = '!';
	assert_false(minisign_pubkey_parse(line2, strlen(line2), &k, err, sizeof err));
	assert_false(minisign_pubkey_load(DIR "no-such.pub", &k, err, sizeof err));
}

static void test_base64_strict(void **state)
{
	(void)state;
	uint8_t out[2];
	assert_true(b64_decode_exact("AAA=", 4, out, 2));
	assert_false(b64_decode_exact("AAB=", 4, out, 2)); /* non-zero hidden bits */
	assert_false(b64_decode_exact("A=A=", 4, out, 2));
	assert_false(b64_decode_exact("AAA", 3, out, 2));
	assert_false(b64_decode_exact("AAAA", 4, out, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prehashed_verifies),
		cmocka_unit_test(test_legacy_verifies),
		cmocka_unit_test(test_second_key_in_set),
		cmocka_unit_test(test_wrong_key_refused),
		cmocka_unit_test(test_changed_data_refused),
		cmocka_unit_test(test_trusted_comment_covered),
		cmocka_unit_test(test_signature_sweep),
		cmocka_unit_test(test_pubkey_parse),
		cmocka_unit_test(test_base64_strict),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
