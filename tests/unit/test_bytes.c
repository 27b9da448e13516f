/* test_bytes.c: unit tests of the bounds-checked cursor (bytes.h).
 *
 * Three kinds of test: boundary tables for every reader (lengths around
 * each boundary, on heap buffers of exactly that size so that ASan sees
 * any read past the end), an exhaustive comparison of every reader with
 * a tiny reference model over all small inputs (which also proves "a
 * failed read moves nothing and writes nothing"), and known answers for
 * QUIC varints from RFC 9000 Appendix A.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"

/* A heap copy of exactly n bytes (NULL for 0), so ASan flags overreads. */
static uint8_t *dup_exact(const uint8_t *src, size_t n)
{
	if (n == 0)
		return NULL;
	uint8_t *p = malloc(n);
	assert_non_null(p);
	memcpy(p, src, n);
	return p;
}

/* ---------------------------------------------------------------------
 * The reference model: what each reader must do, written independently
 * of bytes.c. */

enum op {
	OP_U8, OP_U16, OP_U24, OP_U32, OP_U64,
	OP_PEEK, OP_GET_BYTES, OP_SKIP, OP_COPY,
	OP_PREFIXED_U8, OP_PREFIXED_U16, OP_PREFIXED_U24,
	OP_VARINT, OP_TAIL,
	OP_COUNT_
};

static const char *const op_names[OP_COUNT_] = {
	"u8", "u16", "u24", "u32", "u64", "peek", "get_bytes", "skip", "copy",
	"prefixed_u8", "prefixed_u16", "prefixed_u24", "varint", "tail",
};

/* What one reading produced. */
struct outcome {
	bool ok;
	size_t consumed;          /* bytes the view moved on */
	uint64_t val;             /* integer readers, peek */
	struct bytes child;       /* get_bytes, prefixed, tail */
	uint8_t copy[16];         /* copy */
};

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The model.  `arg` is the peek offset, the byte count of
 * get_bytes/skip/copy, or the tail offset. */
static struct outcome model(enum op op, size_t arg, const uint8_t *buf, size_t len)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	memset(o.copy, 0x5a, sizeof o.copy); /* bytes past n stay untouched */
	static const size_t width[] = { 1, 2, 3, 4, 8 };
	switch (op) {
	case OP_U8: case OP_U16: case OP_U24: case OP_U32: case OP_U64: {
		size_t w = width[op - OP_U8];
		if (len >= w) {
			o.ok = true;
			o.consumed = w;
			o.val = be(buf, w);
		}
		break;
	}
	case OP_PEEK:
		if (arg < len) {
			o.ok = true;
			o.val = buf[arg];
		}
		break;
	case OP_GET_BYTES: case OP_SKIP: case OP_COPY:
		if (arg <= len) {
			o.ok = true;
			o.consumed = arg;
			o.child = bytes_make(buf, arg);
			if (op == OP_COPY && arg > 0)
				memcpy(o.copy, buf, arg);
		}
		break;
	case OP_PREFIXED_U8: case OP_PREFIXED_U16: case OP_PREFIXED_U24: {
		size_t pw = (size_t)(op - OP_PREFIXED_U8) + 1;
		if (len >= pw && be(buf, pw) <= len - pw) {
			size_t body = (size_t)be(buf, pw);
			o.ok = true;
			o.consumed = pw + body;
			o.child = bytes_make(&buf[pw], body);
		}
		break;
	}
	case OP_VARINT:
		if (len >= 1) {
			size_t n = (size_t)1 << (buf[0] >> 6);
			if (len >= n) {
				o.ok = true;
				o.consumed = n;
				o.val = be(buf, n) & (UINT64_MAX >> (64 - (8 * n - 2)));
			}
		}
		break;
	case OP_TAIL:
		if (arg <= len) {
			o.ok = true;
			o.child = bytes_make(arg < len ? &buf[arg] : NULL, len - arg);
		}
		break;
	default:
		fail();
	}
	return o;
}

/* Sentinels that a failed reading must leave in place. */
static const uint8_t sentinel_target[1];
#define SENTINEL_VAL 0xa5a5a5a5a5a5a5a5ULL
#define SENTINEL_LEN ((size_t)777)

/* Run the real reader on *b; outputs start as sentinels. */
static struct outcome run(enum op op, size_t arg, struct bytes *b)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.val = SENTINEL_VAL;
	o.child = bytes_make(sentinel_target, SENTINEL_LEN);
	memset(o.copy, 0x5a, sizeof o.copy);
	const uint8_t *before = b->ptr;
	size_t before_len = b->len;
	uint8_t u8 = 0xa5;
	uint16_t u16 = 0xa5a5;
	uint32_t u32 = 0xa5a5a5a5;
	uint64_t u64 = SENTINEL_VAL;
	switch (op) {
	case OP_U8:
		o.ok = bytes_get_u8(b, &u8);
		o.val = o.ok ? u8 : (u8 == 0xa5 ? SENTINEL_VAL : 0);
		break;
	case OP_U16:
		o.ok = bytes_get_u16(b, &u16);
		o.val = o.ok ? u16 : (u16 == 0xa5a5 ? SENTINEL_VAL : 0);
		break;
	case OP_U24:
		o.ok = bytes_get_u24(b, &u32);
		o.val = o.ok ? u32 : (u32 == 0xa5a5a5a5 ? SENTINEL_VAL : 0);
		break;
	case OP_U32:
		o.ok = bytes_get_u32(b, &u32);
		o.val = o.ok ? u32 : (u32 == 0xa5a5a5a5 ? SENTINEL_VAL : 0);
		break;
	case OP_U64:
		o.ok = bytes_get_u64(b, &u64);
		o.val = u64;
		break;
	case OP_PEEK:
		o.ok = bytes_peek_u8(b, arg, &u8);
		o.val = o.ok ? u8 : (u8 == 0xa5 ? SENTINEL_VAL : 0);
		break;
	case OP_GET_BYTES:
		o.ok = bytes_get_bytes(b, arg, &o.child);
		break;
	case OP_SKIP:
		o.ok = bytes_skip(b, arg);
		if (o.ok)
			o.child = bytes_make(before, arg);
		break;
	case OP_COPY:
		assert_true(arg <= sizeof o.copy);
		o.ok = bytes_copy(b, o.copy, arg);
		if (o.ok)
			o.child = bytes_make(before, arg);
		break;
	case OP_PREFIXED_U8:
		o.ok = bytes_get_prefixed_u8(b, &o.child);
		break;
	case OP_PREFIXED_U16:
		o.ok = bytes_get_prefixed_u16(b, &o.child);
		break;
	case OP_PREFIXED_U24:
		o.ok = bytes_get_prefixed_u24(b, &o.child);
		break;
	case OP_VARINT:
		o.ok = bytes_get_varint(b, &u64);
		o.val = u64;
		break;
	case OP_TAIL:
		o.ok = bytes_tail(b, arg, &o.child);
		break;
	default:
		fail();
	}
	/* The view moved by exactly `consumed` bytes, or not at all. */
	assert_true(b->len <= before_len);
	o.consumed = before_len - b->len;
	if (o.consumed > 0)
		assert_ptr_equal(b->ptr, before + o.consumed);
	else
		assert_ptr_equal(b->ptr, before);
	return o;
}

/* Compare a real outcome with the model's; on failure, the outputs must
 * still be the sentinels. */
static void check(enum op op, size_t arg, const uint8_t *buf, size_t len,
		  const struct outcome *got, const struct outcome *want)
{
	if (got->ok != want->ok || got->consumed != want->consumed)
		fail_msg("%s(arg %zu) on %zu bytes: ok %d/%d consumed %zu/%zu",
			 op_names[op], arg, len, got->ok, want->ok, got->consumed,
			 want->consumed);
	(void)buf;
	if (!got->ok) {
		assert_int_equal(got->consumed, 0);
		if (op != OP_SKIP && op != OP_COPY) {
			assert_true(got->val == SENTINEL_VAL);
			assert_ptr_equal(got->child.ptr, sentinel_target);
			assert_int_equal(got->child.len, SENTINEL_LEN);
		}
		for (size_t i = 0; i < sizeof got->copy; i++)
			assert_int_equal(got->copy[i], 0x5a);
		return;
	}
	switch (op) {
	case OP_U8: case OP_U16: case OP_U24: case OP_U32: case OP_U64:
	case OP_PEEK: case OP_VARINT:
		if (got->val != want->val)
			fail_msg("%s on %zu bytes: value %llx, want %llx", op_names[op], len,
				 (unsigned long long)got->val, (unsigned long long)want->val);
		break;
	case OP_COPY:
		assert_memory_equal(got->copy, want->copy, sizeof got->copy);
		/* fall through */
	case OP_GET_BYTES: case OP_SKIP: case OP_PREFIXED_U8: case OP_PREFIXED_U16:
	case OP_PREFIXED_U24: case OP_TAIL:
		assert_int_equal(got->child.len, want->child.len);
		if (want->child.len > 0)
			assert_ptr_equal(got->child.ptr, want->child.ptr);
		break;
	default:
		fail();
	}
}

/* Run one reading on an exact-size heap copy and check it. */
static void try_op(enum op op, size_t arg, const uint8_t *src, size_t len)
{
	uint8_t *buf = dup_exact(src, len);
	struct bytes b = bytes_make(buf, len);
	struct outcome want = model(op, arg, buf, len);
	struct outcome got = run(op, arg, &b);
	check(op, arg, buf, len, &got, &want);
	free(buf);
}

/* Every reader, every argument up to len + 2, on every buffer of length
 * 0..5 over an alphabet that hits the varint length bits (00/40/80/c0)
 * and small length prefixes. */
static void test_exhaustive_small_inputs(void **state)
{
	(void)state;
	static const uint8_t alphabet[] = { 0x00, 0x01, 0x02, 0x04, 0x40, 0x80, 0xc0, 0xff };
	const size_t k = sizeof alphabet;
	unsigned long n_checked = 0;
	for (size_t len = 0; len <= 5; len++) {
		size_t combos = 1;
		for (size_t i = 0; i < len; i++)
			combos *= k;
		uint8_t *buf = len ? malloc(len) : NULL;
		for (size_t c = 0; c < combos; c++) {
			size_t x = c;
			for (size_t i = 0; i < len; i++) {
				buf[i] = alphabet[x % k];
				x /= k;
			}
			for (int op = 0; op < OP_COUNT_; op++) {
				bool takes_arg = op == OP_PEEK || op == OP_GET_BYTES ||
						 op == OP_SKIP || op == OP_COPY || op == OP_TAIL;
				size_t max_arg = takes_arg ? len + 2 : 0;
				for (size_t arg = 0; arg <= max_arg; arg++) {
					struct bytes b = bytes_make(buf, len);
					struct outcome want = model((enum op)op, arg, buf, len);
					struct outcome got = run((enum op)op, arg, &b);
					check((enum op)op, arg, buf, len, &got, &want);
					n_checked++;
				}
			}
		}
		free(buf);
	}
	assert_true(n_checked > 100000);
}

/* ---------------------------------------------------------------------
 * Boundary tables. */

static const uint8_t seq16[16] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
};

static void test_fixed_width_boundaries(void **state)
{
	(void)state;
	static const struct {
		enum op op;
		size_t width;
		uint64_t value; /* of the first `width` bytes of seq16 */
	} readers[] = {
		{ OP_U8, 1, 0x01 },
		{ OP_U16, 2, 0x0123 },
		{ OP_U24, 3, 0x012345 },
		{ OP_U32, 4, 0x01234567 },
		{ OP_U64, 8, 0x0123456789abcdefULL },
	};
	for (size_t r = 0; r < sizeof readers / sizeof readers[0]; r++) {
		for (size_t len = 0; len <= readers[r].width + 2; len++) {
			uint8_t *buf = dup_exact(seq16, len);
			struct bytes b = bytes_make(buf, len);
			struct outcome got = run(readers[r].op, 0, &b);
			if (len < readers[r].width) {
				assert_false(got.ok);
				assert_int_equal(b.len, len);
				assert_true(got.val == SENTINEL_VAL);
			} else {
				assert_true(got.ok);
				assert_true(got.val == readers[r].value);
				assert_int_equal(b.len, len - readers[r].width);
			}
			free(buf);
		}
	}
}

/* Reading integers one after another walks the buffer in order and the
 * last, too-long read fails at the very end. */
static void test_sequential_reads(void **state)
{
	(void)state;
	uint8_t *buf = dup_exact(seq16, 16);
	struct bytes b = bytes_make(buf, 16);
	uint8_t a;
	uint16_t c;
	uint32_t d, e;
	uint64_t f;
	assert_true(bytes_get_u8(&b, &a));
	assert_true(bytes_get_u16(&b, &c));
	assert_true(bytes_get_u24(&b, &d));
	assert_true(bytes_get_u32(&b, &e));
	assert_int_equal(a, 0x01);
	assert_int_equal(c, 0x2345);
	assert_int_equal(d, 0x6789ab);
	assert_int_equal(e, 0xcdeffedc);
	assert_int_equal(b.len, 6);
	assert_false(bytes_get_u64(&b, &f));
	assert_int_equal(b.len, 6);
	assert_true(bytes_get_u32(&b, &e));
	assert_int_equal(e, 0xba987654);
	assert_true(bytes_get_u16(&b, &c));
	assert_int_equal(c, 0x3210);
	assert_true(bytes_empty(&b));
	assert_false(bytes_get_u8(&b, &a));
	free(buf);
}

static void test_peek_boundaries(void **state)
{
	(void)state;
	for (size_t len = 0; len <= 4; len++) {
		uint8_t *buf = dup_exact(seq16, len);
		struct bytes b = bytes_make(buf, len);
		for (size_t off = 0; off <= len + 1; off++) {
			uint8_t v = 0xee;
			bool ok = bytes_peek_u8(&b, off, &v);
			assert_int_equal(ok, off < len);
			assert_int_equal(v, ok ? seq16[off] : 0xee);
			assert_int_equal(b.len, len); /* peek never moves */
			assert_ptr_equal(b.ptr, buf);
		}
		/* An offset near SIZE_MAX must not wrap around. */
		uint8_t v = 0xee;
		assert_false(bytes_peek_u8(&b, SIZE_MAX, &v));
		assert_int_equal(v, 0xee);
		free(buf);
	}
}

static void test_get_bytes_skip_copy_tail_boundaries(void **state)
{
	(void)state;
	static const size_t lens[] = { 0, 1, 7, 8, 9, 15, 16 };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		size_t len = lens[i];
		size_t args[] = { 0, 1, len ? len - 1 : 0, len, len + 1, SIZE_MAX };
		for (size_t j = 0; j < sizeof args / sizeof args[0]; j++) {
			size_t n = args[j];
			try_op(OP_GET_BYTES, n, seq16, len);
			try_op(OP_SKIP, n, seq16, len);
			try_op(OP_TAIL, n, seq16, len);
			if (n <= 16)
				try_op(OP_COPY, n, seq16, len);
		}
	}
}

/* A child view cannot be read past, even though the parent has more. */
static void test_child_is_bounded(void **state)
{
	(void)state;
	uint8_t *buf = dup_exact(seq16, 16);
	struct bytes b = bytes_make(buf, 16), child;
	assert_true(bytes_get_bytes(&b, 3, &child));
	uint32_t v = 0;
	assert_false(bytes_get_u32(&child, &v));
	assert_int_equal(child.len, 3);
	uint8_t x;
	assert_false(bytes_peek_u8(&child, 3, &x));
	assert_true(bytes_skip(&child, 3));
	assert_false(bytes_skip(&child, 1));
	assert_int_equal(b.len, 13);
	free(buf);
}

/* A NULL view of length 0 (bytes_make(NULL, 0)) is valid and empty. */
static void test_null_empty_view(void **state)
{
	(void)state;
	struct bytes b = bytes_make(NULL, 0), child;
	uint8_t u8;
	uint64_t v;
	assert_true(bytes_empty(&b));
	assert_false(bytes_get_u8(&b, &u8));
	assert_false(bytes_get_varint(&b, &v));
	assert_false(bytes_get_prefixed_u8(&b, &child));
	assert_true(bytes_get_bytes(&b, 0, &child));
	assert_int_equal(child.len, 0);
	assert_true(bytes_skip(&b, 0));
	assert_true(bytes_copy(&b, &u8, 0));
	assert_true(bytes_tail(&b, 0, &child));
	assert_false(bytes_tail(&b, 1, &child));
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
}

/* ---------------------------------------------------------------------
 * bytes_skip_run: runs of every length 0..len on exact-size heap
 * buffers (ASan sees a read past the end), across the 8-byte steps of
 * the word loop, at every alignment; a view that ends inside a longer
 * run stops at its end; no run (a different first byte, or an empty
 * view) moves nothing. */

static void skip_run_case(uint8_t value, size_t run, size_t len, size_t align)
{
	/* align spare bytes before the view, so that it starts unaligned */
	uint8_t *buf = malloc(align + len + 1);
	assert_non_null(buf);
	memset(buf, value ^ 0x01, align);
	memset(&buf[align], value, run);
	for (size_t i = run; i < len; i++)
		buf[align + i] = (uint8_t)(value ^ (0x80 >> (i % 8))); /* never `value` */
	uint8_t *exact = dup_exact(&buf[align], len);
	struct bytes b = bytes_make(exact, len);
	size_t n = bytes_skip_run(&b, value);
	if (n != run)
		fail_msg("skip_run(%02x) run %zu of %zu: skipped %zu", value, run, len, n);
	assert_int_equal(b.len, len - run);
	if (run == 0) {
		/* Nothing to skip: the view has not moved. */
		assert_ptr_equal(b.ptr, exact);
	} else if (run < len) {
		assert_ptr_equal(b.ptr, &exact[run]);
		assert_int_not_equal(b.ptr[0], value);
	}
	free(exact);
	/* The same bytes at an unaligned address inside a bigger block. */
	struct bytes u = bytes_make(&buf[align], len);
	assert_int_equal(bytes_skip_run(&u, value), run);
	assert_int_equal(u.len, len - run);
	free(buf);
}

static void test_skip_run_boundaries(void **state)
{
	(void)state;
	static const uint8_t values[] = { 0x00, 0xff, 0x5a };
	for (size_t v = 0; v < sizeof values; v++)
		for (size_t len = 0; len <= 40; len++)
			for (size_t run = 0; run <= len; run++)
				for (size_t align = 0; align < 8; align++)
					skip_run_case(values[v], run, len, align);
}

static void test_skip_run_stops_at_view_end(void **state)
{
	(void)state;
	/* 64 zeros, viewed through windows of every length: the run never
	 * reaches past the window, though the bytes after it are zeros too. */
	uint8_t zeros[64];
	memset(zeros, 0, sizeof zeros);
	for (size_t len = 0; len <= 32; len++) {
		struct bytes b = bytes_make(zeros, len);
		assert_int_equal(bytes_skip_run(&b, 0), len);
		assert_int_equal(b.len, 0);
		/* At the end: a second call finds nothing and moves nothing. */
		struct bytes before = b;
		assert_int_equal(bytes_skip_run(&b, 0), 0);
		assert_ptr_equal(b.ptr, before.ptr);
		assert_int_equal(b.len, 0);
	}
	/* A NULL empty view. */
	struct bytes e = bytes_make(NULL, 0);
	assert_int_equal(bytes_skip_run(&e, 0), 0);
	assert_null(e.ptr);
	assert_int_equal(e.len, 0);
}

/* ---------------------------------------------------------------------
 * Length-prefixed reads. */

/* A prefix of `pw` bytes declaring `declared` bytes, followed by `have`
 * body bytes: succeeds iff have >= declared, and then leaves exactly the
 * surplus; otherwise moves nothing. */
static void prefixed_case(size_t pw, size_t declared, size_t have)
{
	size_t len = pw + have;
	uint8_t *src = calloc(1, len + 1);
	assert_non_null(src);
	for (size_t i = 0; i < pw; i++)
		src[i] = (uint8_t)(declared >> (8 * (pw - 1 - i)));
	for (size_t i = 0; i < have; i++)
		src[pw + i] = (uint8_t)(i + 1);
	uint8_t *buf = dup_exact(src, len);
	struct bytes b = bytes_make(buf, len);
	struct bytes child = bytes_make(sentinel_target, SENTINEL_LEN);
	bool ok = pw == 1 ? bytes_get_prefixed_u8(&b, &child)
		: pw == 2 ? bytes_get_prefixed_u16(&b, &child)
			  : bytes_get_prefixed_u24(&b, &child);
	if (have >= declared) {
		assert_true(ok);
		assert_int_equal(child.len, declared);
		if (declared > 0) {
			assert_ptr_equal(child.ptr, buf + pw);
			assert_int_equal(child.ptr[0], 1);
			assert_int_equal(child.ptr[declared - 1], (uint8_t)declared);
		}
		assert_int_equal(b.len, have - declared);
	} else {
		assert_false(ok);
		assert_ptr_equal(b.ptr, buf);
		assert_int_equal(b.len, len);
		assert_ptr_equal(child.ptr, sentinel_target);
		assert_int_equal(child.len, SENTINEL_LEN);
	}
	free(buf);
	free(src);
}

static void test_prefixed_short_bodies(void **state)
{
	(void)state;
	static const size_t declared[] = { 0, 1, 5, 255, 256, 300, 65535, 65536, 70000 };
	for (size_t pw = 1; pw <= 3; pw++) {
		size_t max = pw == 1 ? 0xff : pw == 2 ? 0xffff : 0xffffff;
		for (size_t i = 0; i < sizeof declared / sizeof declared[0]; i++) {
			size_t d = declared[i];
			if (d > max)
				continue;
			size_t haves[] = { 0, d ? d - 1 : 0, d, d + 1, d + 7 };
			for (size_t j = 0; j < sizeof haves / sizeof haves[0]; j++)
				prefixed_case(pw, d, haves[j]);
		}
	}
}

/* The prefix itself cut short: nothing moves. */
static void test_prefixed_truncated_prefix(void **state)
{
	(void)state;
	static const uint8_t zeros[3] = { 0 };
	for (size_t len = 0; len < 3; len++) {
		if (len < 2)
			try_op(OP_PREFIXED_U16, 0, zeros, len);
		try_op(OP_PREFIXED_U24, 0, zeros, len);
	}
	try_op(OP_PREFIXED_U8, 0, zeros, 0);
}

/* The maximal u24 declaration with a short body must fail, not wrap. */
static void test_prefixed_u24_huge(void **state)
{
	(void)state;
	static const uint8_t src[] = { 0xff, 0xff, 0xff, 0x01, 0x02 };
	try_op(OP_PREFIXED_U24, 0, src, sizeof src);
}

/* ---------------------------------------------------------------------
 * QUIC variable-length integers (RFC 9000 s16, Appendix A.1). */

static void varint_known(const uint8_t *enc, size_t enc_len, uint64_t want)
{
	/* With one trailing byte: exactly enc_len bytes are consumed. */
	uint8_t src[9];
	memcpy(src, enc, enc_len);
	src[enc_len] = 0x77;
	uint8_t *buf = dup_exact(src, enc_len + 1);
	struct bytes b = bytes_make(buf, enc_len + 1);
	uint64_t v = 0;
	assert_true(bytes_get_varint(&b, &v));
	if (v != want)
		fail_msg("varint of %zu bytes: got %llu want %llu", enc_len,
			 (unsigned long long)v, (unsigned long long)want);
	assert_int_equal(b.len, 1);
	free(buf);

	/* Every proper prefix fails and moves nothing. */
	for (size_t cut = 0; cut < enc_len; cut++) {
		uint8_t *p = dup_exact(enc, cut);
		struct bytes t = bytes_make(p, cut);
		uint64_t w = SENTINEL_VAL;
		assert_false(bytes_get_varint(&t, &w));
		assert_true(w == SENTINEL_VAL);
		assert_int_equal(t.len, cut);
		assert_ptr_equal(t.ptr, p);
		free(p);
	}
}

static void test_varint_rfc9000_a1(void **state)
{
	(void)state;
	static const uint8_t e8[] = { 0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c };
	static const uint8_t e4[] = { 0x9d, 0x7f, 0x3e, 0x7d };
	static const uint8_t e2[] = { 0x7b, 0xbd };
	static const uint8_t e1[] = { 0x25 };
	static const uint8_t e2b[] = { 0x40, 0x25 }; /* 37 in two bytes: not minimal, still valid */
	varint_known(e8, sizeof e8, 151288809941952652ULL);
	varint_known(e4, sizeof e4, 494878333);
	varint_known(e2, sizeof e2, 15293);
	varint_known(e1, sizeof e1, 37);
	varint_known(e2b, sizeof e2b, 37);
}

static void test_varint_limits(void **state)
{
	(void)state;
	static const uint8_t max1[] = { 0x3f };
	static const uint8_t max2[] = { 0x7f, 0xff };
	static const uint8_t max4[] = { 0xbf, 0xff, 0xff, 0xff };
	static const uint8_t max8[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero8[] = { 0xc0, 0, 0, 0, 0, 0, 0, 0 };
	varint_known(max1, 1, 63);
	varint_known(max2, 2, 16383);
	varint_known(max4, 4, 1073741823);
	varint_known(max8, 8, 4611686018427387903ULL); /* 2^62 - 1 */
	varint_known(zero8, 8, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_width_boundaries),
		cmocka_unit_test(test_sequential_reads),
		cmocka_unit_test(test_peek_boundaries),
		cmocka_unit_test(test_get_bytes_skip_copy_tail_boundaries),
		cmocka_unit_test(test_child_is_bounded),
		cmocka_unit_test(test_null_empty_view),
		cmocka_unit_test(test_prefixed_short_bodies),
		cmocka_unit_test(test_prefixed_truncated_prefix),
		cmocka_unit_test(test_prefixed_u24_huge),
		cmocka_unit_test(test_varint_rfc9000_a1),
		cmocka_unit_test(test_varint_limits),
		cmocka_unit_test(test_exhaustive_small_inputs),
		cmocka_unit_test(test_skip_run_boundaries),
		cmocka_unit_test(test_skip_run_stops_at_view_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
