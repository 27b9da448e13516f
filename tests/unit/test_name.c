/* test_name.c: name_normalize (case, trailing dot, flags) and
 * name_is_valid_list_name, as tables of inputs and expected outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "name.h"

struct norm_case {
	const char *in;
	size_t in_len;     /* 0: strlen(in) */
	const char *out;
	size_t out_len;    /* 0: strlen(out) */
	uint32_t flags;
};

#define ODD FLAG_NAME_ODD_CHARS
#define INV FLAG_NAME_INVALID

static const struct norm_case norm_cases[] = {
	{ "chatgpt.com", 0, "chatgpt.com", 0, 0 },
	{ "ChatGPT.COM", 0, "chatgpt.com", 0, 0 },
	{ "chatgpt.com.", 0, "chatgpt.com", 0, 0 },
	{ "CHATGPT.COM.", 0, "chatgpt.com", 0, 0 },
	{ "localhost", 0, "localhost", 0, 0 },
	{ "_dns.resolver.arpa", 0, "_dns.resolver.arpa", 0, 0 },
	{ "xn--bcher-kva.example", 0, "xn--bcher-kva.example", 0, 0 },
	{ "a-b.c-d.e", 0, "a-b.c-d.e", 0, 0 },
	/* Only one trailing dot goes: what is left ends in an empty label. */
	{ "chatgpt.com..", 0, "chatgpt.com.", 0, INV },
	{ "", 0, "", 0, INV },
	{ ".", 0, "", 0, INV },
	{ ".chatgpt.com", 0, ".chatgpt.com", 0, INV },
	{ "a..b", 0, "a..b", 0, INV },
	{ "chat gpt.com", 0, "chat gpt.com", 0, ODD },
	{ "*.chatgpt.com", 0, "*.chatgpt.com", 0, ODD },
	{ "b\xc3\xbc" "cher.de", 0, "b\xc3\xbc" "cher.de", 0, ODD },
	{ "\xc3\x9c" "X.de", 0, "\xc3\x9c" "x.de", 0, ODD },  /* only ASCII is folded */
	{ "chat\0gpt.com", 12, "chat\0gpt.com", 12, ODD },
	{ "a\x7f.com", 0, "a\x7f.com", 0, ODD },
	{ ". .", 0, ". ", 0, INV | ODD },
};

static void test_normalize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
		const struct norm_case *c = &norm_cases[i];
		size_t in_len = c->in_len ? c->in_len : strlen(c->in);
		size_t want_len = c->out_len ? c->out_len : strlen(c->out);
		char out[NAME_BUF_LEN];
		size_t out_len = 999;
		uint32_t flags = name_normalize(c->in, in_len, out, &out_len);
		if (flags != c->flags || out_len != want_len ||
		    memcmp(out, c->out, want_len) != 0 || out[want_len] != '\0')
			fail_msg("case %zu: flags 0x%x (want 0x%x), length %zu (want %zu)",
				 i, flags, c->flags, out_len, want_len);
	}
}

/* Builds a name of n_labels labels of label_len 'a's joined by dots. */
static size_t make_name(char *buf, size_t n_labels, size_t label_len)
{
	size_t n = 0;
	for (size_t i = 0; i < n_labels; i++) {
		if (i > 0)
			buf[n++] = '.';
		memset(buf + n, 'a', label_len);
		n += label_len;
	}
	buf[n] = '\0';
	return n;
}

static void test_normalize_lengths(void **state)
{
	(void)state;
	char in[600], out[NAME_BUF_LEN];
	size_t out_len;

	/* A 63-byte label is fine, 64 is not. */
	size_t n = make_name(in, 2, 63);
	assert_int_equal(name_normalize(in, n, out, &out_len), 0);
	n = make_name(in, 2, 64);
	assert_int_equal(name_normalize(in, n, out, &out_len), INV);
	assert_int_equal(out_len, n);

	/* 127 one-byte labels: 253 characters, the longest valid name. */
	n = make_name(in, 127, 1);
	assert_int_equal(n, 253);
	assert_int_equal(name_normalize(in, n, out, &out_len), 0);
	assert_int_equal(out_len, 253);
	/* ... also with its trailing dot (254 bytes in). */
	in[n] = '.';
	assert_int_equal(name_normalize(in, n + 1, out, &out_len), 0);
	assert_int_equal(out_len, 253);

	/* 255 characters: too long, truncated to 253 and flagged. */
	n = make_name(in, 128, 1);
	assert_int_equal(n, 255);
	assert_int_equal(name_normalize(in, n, out, &out_len) & INV, INV);
	assert_int_equal(out_len, NAME_MAX_LEN);
	assert_int_equal(out[NAME_MAX_LEN], '\0');

	/* A very long hostile input never overflows the buffer. */
	memset(in, 'Z', sizeof in);
	assert_int_equal(name_normalize(in, sizeof in, out, &out_len), INV);
	assert_int_equal(out_len, NAME_MAX_LEN);
	assert_int_equal(out[0], 'z');

	/* NULL with length 0 is the empty name. */
	assert_int_equal(name_normalize(NULL, 0, out, &out_len), INV);
	assert_int_equal(out_len, 0);
}

static void test_normalize_all_bytes(void **state)
{
	(void)state;
	/* Every single byte as a one-character name: letters fold, the
	 * LDH set and '_' are clean, everything else is odd. */
	for (unsigned b = 0; b < 256; b++) {
		char in[1] = { (char)b }, out[NAME_BUF_LEN];
		size_t out_len;
		uint32_t flags = name_normalize(in, 1, out, &out_len);
		if (b == '.') {
			assert_int_equal(flags, INV);
			assert_int_equal(out_len, 0);
			continue;
		}
		assert_int_equal(out_len, 1);
		bool upper = b >= 'A' && b <= 'Z';
		bool clean = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
			     b == '_' || upper;
		assert_int_equal((unsigned char)out[0], upper ? b + 32 : b);
		assert_int_equal(flags, clean ? 0u : (uint32_t)ODD);
	}
}

struct valid_case {
	const char *s;
	bool valid;
};

static const struct valid_case valid_cases[] = {
	{ "chatgpt.com", true },
	{ "api.business.githubcopilot.com", true },
	{ "localhost", true },
	{ "_dns.resolver.arpa", true },
	{ "xn--bcher-kva.example", true },
	{ "r3---sn-a.example", true },
	{ "0.example", true },
	{ "", false },
	{ ".", false },
	{ "chatgpt.com.", false },
	{ ".chatgpt.com", false },
	{ "a..b", false },
	{ "ChatGPT.com", false },
	{ "*.chatgpt.com", false },
	{ "chat gpt.com", false },
	{ "-chatgpt.com", false },
	{ "chatgpt-.com", false },
	{ "chatgpt.com-", false },
	{ "b\xc3\xbc" "cher.de", false },
};

static void test_valid_list_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
		if (name_is_valid_list_name(valid_cases[i].s) != valid_cases[i].valid)
			fail_msg("\"%s\" should be %s", valid_cases[i].s,
				 valid_cases[i].valid ? "valid" : "invalid");
	}
	assert_false(name_is_valid_list_name(NULL));

	char buf[600];
	make_name(buf, 127, 1);
	assert_true(name_is_valid_list_name(buf));
	make_name(buf, 128, 1);
	assert_false(name_is_valid_list_name(buf));
	make_name(buf, 2, 63);
	assert_true(name_is_valid_list_name(buf));
	make_name(buf, 2, 64);
	assert_false(name_is_valid_list_name(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_lengths),
		cmocka_unit_test(test_normalize_all_bytes),
		cmocka_unit_test(test_valid_list_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
