/* bench_common.h: small pieces shared by the inline load generators
 * (load_udp.c, load_tls.c): a monotonic clock, the name mix, latency
 * percentiles.  Header-only; bench code, not part of aigated. */
#ifndef AIGATE_BENCH_COMMON_H
#define AIGATE_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Names the shipped list and the lab policy block (checked by inline.sh
 * with aigatectl check before a run). */
static const char *const bench_blocked[] = {
	"chatgpt.com", "claude.ai", "gemini.google.com", "meta.ai",
	"chat.openai.com", "perplexity.ai", "poe.com", "copilot.microsoft.com",
};
#define BENCH_N_BLOCKED (sizeof(bench_blocked) / sizeof(bench_blocked[0]))
#define BENCH_N_ALLOWED 64

/* Request number n of a run: a blocked name when every > 0 and n % every
 * == every - 1, otherwise one of BENCH_N_ALLOWED unlisted names.  Returns
 * whether it is blocked; the name goes to buf. */
static inline int bench_name(uint64_t n, unsigned every, char *buf, size_t cap)
{
	if (every > 0 && n % every == every - 1) {
		snprintf(buf, cap, "%s", bench_blocked[(n / every) % BENCH_N_BLOCKED]);
		return 1;
	}
	snprintf(buf, cap, "s%u.cdn%u.example.net", (unsigned)(n % BENCH_N_ALLOWED),
		 (unsigned)(n % 7));
	return 0;
}

/* Latency samples in nanoseconds. */
struct lat {
	uint32_t *v;
	size_t n, cap;
};

static inline void lat_add(struct lat *l, uint64_t ns)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int lat_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Percentile p (0..100) in microseconds, after lat_sort. */
static inline double lat_pct(const struct lat *l, double p)
{
	size_t i;
	if (l->n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(l->n - 1) + 0.5);
	return l->v[i] / 1000.0;
}

static inline void lat_sort(struct lat *l)
{
	qsort(l->v, l->n, sizeof(*l->v), lat_cmp);
}

static inline void raise_nofile(void)
{
	struct rlimit r = { 1 << 20, 1 << 20 };
	if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
		r.rlim_cur = r.rlim_max = 65536;
		(void)setrlimit(RLIMIT_NOFILE, &r);
	}
}

#endif
