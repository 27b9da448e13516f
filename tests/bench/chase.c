/* chase.c: the latency of one dependent random read, by working-set size
 * (pointer chasing over a random cycle of cache lines).  It bounds what a
 * hash-table lookup can cost: a lookup whose reads depend on each other
 * cannot beat (number of dependent misses) x (this latency), however few
 * its instructions.  Each size is measured on 4 KiB pages and on
 * transparent huge pages (MADV_HUGEPAGE, as list.c asks for its tables):
 * on a VM a TLB miss costs a nested page walk, itself dependent reads.
 * Run by tests/bench/run.sh next to bench_list. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define HUGE_PAGE_LEN ((size_t)2 << 20)

static double chase_ns(size_t bytes, int huge)
{
	size_t n = bytes / LINE;
	size_t alloc = (n * LINE + HUGE_PAGE_LEN - 1) & ~(HUGE_PAGE_LEN - 1);
	char *mem = aligned_alloc(HUGE_PAGE_LEN, alloc);
	if (mem != NULL)
		(void)madvise(mem, alloc, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	size_t *order = malloc(n * sizeof *order);
	if (mem == NULL || order == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* A random cycle through every line (Fisher-Yates with a fixed seed). */
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (size_t i = n - 1; i > 0; i--) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		size_t j = (size_t)(x % (i + 1));
		size_t t = order[i]; order[i] = order[j]; order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		*(void **)(mem + order[i] * LINE) = mem + order[(i + 1) % n] * LINE;
	free(order);
	void *p = mem;
	size_t steps = 4000000;
	for (size_t i = 0; i < n; i++)   /* warm up: touch every line once */
		p = *(void **)p;
	double best = 1e9;
	for (int round = 0; round < 3; round++) {
		double t0 = now_s();
		for (size_t i = 0; i < steps; i++)
			p = *(void **)p;
		double t = (now_s() - t0) / (double)steps * 1e9;
		if (t < best)
			best = t;
	}
	if (p == NULL)   /* keep the chain live */
		puts("");
	free(mem);
	return best;
}

int main(void)
{
	static const size_t mib[] = { 1, 4, 16, 64, 128 };
	for (size_t i = 0; i < sizeof mib / sizeof mib[0]; i++)
		printf("dependent random read, %4zu MiB working set: %6.1f ns (4 KiB pages), "
		       "%6.1f ns (huge pages)\n", mib[i], chase_ns(mib[i] << 20, 0),
		       chase_ns(mib[i] << 20, 1));
	return 0;
}
