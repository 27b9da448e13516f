/* test_stream.c: TCP reassembly of the start of a stream: in order, out
 * of order, before the guessed start, overlaps (first copy kept,
 * differences flagged), holes, bounds, consumption, sequence wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "stream.h"

static struct stream_budget budget;

static void add(struct stream *s, uint32_t seq, const char *data)
{
	assert_true(stream_add(s, &budget, seq, bytes_make(data, strlen(data))));
}

static void assert_contig(const struct stream *s, const char *want)
{
	struct bytes c = stream_contiguous(s);
	assert_int_equal(c.len, strlen(want));
	if (c.len)
		assert_memory_equal(c.ptr, want, c.len);
}

static void test_in_order(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 999);
	add(&s, 1000, "hello ");
	add(&s, 1006, "world");
	assert_contig(&s, "hello world");
	assert_false(s.out_of_order);
	assert_int_equal(s.n_segments, 2);
	stream_cleanup(&s, &budget);
	assert_int_equal(budget.used, 0);
}

static void test_out_of_order_and_holes(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 0);
	add(&s, 7, "world");
	assert_contig(&s, "");
	add(&s, 1, "hello ");
	assert_contig(&s, "hello world");
	assert_true(s.out_of_order);
	stream_cleanup(&s, &budget);
}

static void test_rebase_without_syn(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	add(&s, 5006, "world");
	assert_contig(&s, "world"); /* the guess: the stream starts here */
	add(&s, 5000, "hello ");
	assert_contig(&s, "hello world");
	assert_true(s.out_of_order);
	assert_int_equal(s.base_seq, 5000);
	stream_cleanup(&s, &budget);
}

static void test_before_start_with_syn_is_dropped(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 99);
	add(&s, 95, "XXXXXabc"); /* 5 bytes before the start, then "abc" */
	assert_contig(&s, "abc");
	stream_cleanup(&s, &budget);
}

static void test_overlap_keeps_first_copy(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 0);
	add(&s, 1, "abcdef");
	add(&s, 4, "def"); /* identical retransmission */
	assert_false(s.overlap_mismatch);
	add(&s, 4, "XYZghi"); /* differs where it overlaps, extends after */
	assert_true(s.overlap_mismatch);
	assert_contig(&s, "abcdefghi");
	stream_cleanup(&s, &budget);
}

static void test_bound_and_truncation(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 8);
	stream_syn(&s, 0);
	add(&s, 1, "0123456789");
	assert_contig(&s, "01234567");
	assert_true(s.truncated);
	assert_true(stream_full(&s));
	assert_true(budget.used <= 8);
	stream_cleanup(&s, &budget);
}

static void test_budget_refuses(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 100 };
	stream_init(&s, 4096);
	stream_syn(&s, 0);
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(stream_add(&s, &budget, 1, bytes_make(big, strlen(big))));
	assert_int_equal(budget.used, 0);
	assert_contig(&s, "");
	stream_cleanup(&s, &budget);
}

static void test_consume(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 0);
	add(&s, 1, "abcdef");
	add(&s, 10, "jk"); /* a hole at 7..9 */
	stream_consume(&s, 4);
	assert_contig(&s, "ef");
	add(&s, 7, "ghi");
	assert_contig(&s, "efghijk");
	add(&s, 2, "bcd"); /* retransmission of consumed bytes: ignored */
	assert_contig(&s, "efghijk");
	stream_cleanup(&s, &budget);
}

static void test_sequence_wrap(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 0xfffffffc);
	add(&s, 0xfffffffd, "abc");
	add(&s, 0, "def");
	assert_contig(&s, "abcdef");
	stream_cleanup(&s, &budget);
}

static void test_too_many_holes(void **state)
{
	(void)state;
	struct stream s;
	budget = (struct stream_budget){ 0, 1 << 20 };
	stream_init(&s, 4096);
	stream_syn(&s, 0);
	for (uint32_t i = 0; i < STREAM_MAX_RANGES + 2; i++)
		add(&s, 10 + 10 * i, "x");
	assert_true(s.truncated);
	assert_true(s.n_ranges <= STREAM_MAX_RANGES);
	stream_cleanup(&s, &budget);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order_and_holes),
		cmocka_unit_test(test_rebase_without_syn),
		cmocka_unit_test(test_before_start_with_syn_is_dropped),
		cmocka_unit_test(test_overlap_keeps_first_copy),
		cmocka_unit_test(test_bound_and_truncation),
		cmocka_unit_test(test_budget_refuses),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_sequence_wrap),
		cmocka_unit_test(test_too_many_holes),
	};
	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
