/* test_pseudonym.c: keyed pseudonyms of client addresses: known answers
 * computed independently (Python's hmac and base64 modules), stability
 * within a period, change across periods and keys, IPv4 versus IPv6,
 * the period arithmetic, and refusal of bad arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "pseudonym.h"

static uint8_t key_a[32];
static uint8_t key_b[32];

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 32; i++) {
		key_a[i] = (uint8_t)i;
		key_b[i] = (uint8_t)(i + 1);
	}
	return 0;
}

static struct ip_addr ip(const char *s)
{
	struct cidr c;
	if (!cidr_parse(s, &c))
		fail_msg("bad address %s", s);
	return c.addr;
}

static void pseud(const uint8_t *key, uint64_t period, const char *addr, char out[PSEUDONYM_BUF_LEN])
{
	struct ip_addr a = ip(addr);
	assert_true(pseudonym_of(key, 32, period, &a, out, PSEUDONYM_BUF_LEN));
	assert_int_equal(strlen(out), PSEUDONYM_LEN);
	assert_true(pseudonym_is_wellformed(out));
}

/* Python: 'p-' + b32encode(hmac(key, pack('>Q', period) + addr)[:10]).lower() */
static void test_known_answers(void **state)
{
	(void)state;
	char out[PSEUDONYM_BUF_LEN];
	pseud(key_a, 0, "192.0.2.10", out);
	assert_string_equal(out, "p-sob7b6jzbdj3wd4u");
	pseud(key_a, 20423, "192.0.2.10", out);
	assert_string_equal(out, "p-odhdh366bzbxby5l");
	pseud(key_a, 20423, "2001:db8::1", out);
	assert_string_equal(out, "p-h7z7x6cdfgag44z3");
}

static void test_stable_within_period(void **state)
{
	(void)state;
	char a[PSEUDONYM_BUF_LEN], b[PSEUDONYM_BUF_LEN];
	/* Two times in the same day give the same index and pseudonym. */
	uint64_t p1 = pseudonym_period(INT64_C(1796022585), 86400);
	uint64_t p2 = pseudonym_period(INT64_C(1796022585) + 3600, 86400);
	assert_int_equal(p1, p2);
	pseud(key_a, p1, "192.0.2.10", a);
	pseud(key_a, p2, "192.0.2.10", b);
	assert_string_equal(a, b);
	/* Different clients in the same period differ. */
	pseud(key_a, p1, "192.0.2.11", b);
	assert_string_not_equal(a, b);
}

static void test_differs_across_periods_and_keys(void **state)
{
	(void)state;
	char a[PSEUDONYM_BUF_LEN], b[PSEUDONYM_BUF_LEN];
	uint64_t p1 = pseudonym_period(INT64_C(1796022585), 86400);
	uint64_t p2 = pseudonym_period(INT64_C(1796022585) + 86400, 86400);
	assert_int_equal(p2, p1 + 1);
	pseud(key_a, p1, "192.0.2.10", a);
	pseud(key_a, p2, "192.0.2.10", b);
	assert_string_not_equal(a, b);
	pseud(key_b, p1, "192.0.2.10", b);
	assert_string_not_equal(a, b);
	/* An IPv4 address and its IPv4-mapped IPv6 form are different clients
	 * to the gateway and get different pseudonyms. */
	pseud(key_a, p1, "::ffff:192.0.2.10", b);
	assert_string_not_equal(a, b);
}

static void test_period_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(pseudonym_period(0, 86400), 0);
	assert_int_equal(pseudonym_period(86399, 86400), 0);
	assert_int_equal(pseudonym_period(86400, 86400), 1);
	assert_int_equal(pseudonym_period(INT64_C(1796022585), 0), 0);   /* never rotate */
	assert_int_equal(pseudonym_period(-5, 86400), 0);
	assert_int_equal(pseudonym_period(INT64_C(1796022585), 3600), 498895);
}

static void test_refuses_bad_arguments(void **state)
{
	(void)state;
	char out[PSEUDONYM_BUF_LEN] = "x";
	struct ip_addr a = ip("192.0.2.10");
	struct ip_addr none;
	memset(&none, 0, sizeof none);
	assert_false(pseudonym_of(key_a, PSEUDONYM_MIN_KEY_LEN - 1, 0, &a, out, sizeof out));
	assert_string_equal(out, "");
	assert_false(pseudonym_of(NULL, 32, 0, &a, out, sizeof out));
	assert_false(pseudonym_of(key_a, 32, 0, &none, out, sizeof out));
	assert_false(pseudonym_of(key_a, 32, 0, NULL, out, sizeof out));
	assert_false(pseudonym_of(key_a, 32, 0, &a, out, PSEUDONYM_BUF_LEN - 1));
	assert_string_equal(out, "");
	assert_true(pseudonym_of(key_a, PSEUDONYM_MIN_KEY_LEN, 0, &a, out, sizeof out));
}

static void test_wellformed(void **state)
{
	(void)state;
	assert_true(pseudonym_is_wellformed("p-sob7b6jzbdj3wd4u"));
	assert_false(pseudonym_is_wellformed("p-sob7b6jzbdj3wd4"));    /* short */
	assert_false(pseudonym_is_wellformed("p-sob7b6jzbdj3wd4uu"));  /* long */
	assert_false(pseudonym_is_wellformed("p-SOB7B6JZBDJ3WD4U"));   /* uppercase */
	assert_false(pseudonym_is_wellformed("p-sob7b6jzbdj3wd41"));   /* 1 is not base32 */
	assert_false(pseudonym_is_wellformed("q-sob7b6jzbdj3wd4u"));
	assert_false(pseudonym_is_wellformed("192.0.2.10"));
	assert_false(pseudonym_is_wellformed(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_stable_within_period),
		cmocka_unit_test(test_differs_across_periods_and_keys),
		cmocka_unit_test(test_period_arithmetic),
		cmocka_unit_test(test_refuses_bad_arguments),
		cmocka_unit_test(test_wellformed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
