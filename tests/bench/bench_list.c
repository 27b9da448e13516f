/* bench_list.c: load and lookup times of the list matcher for 1k, 100k
 * and 1M synthetic names, with the resident memory after each load.
 * Standalone (not a unit test): build it with daemon/core/list.c,
 * name.c, types.c and bytes.c, optimised and without sanitizers.
 * Targets (DESIGN.md scale notes): 1M names load in under 1.5 s, a
 * lookup takes under 150 ns, the process stays under 200 MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "list.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS from /proc/self/status, in KiB; 0 if unknown. */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* A plausible name: 2 to 4 labels of varied length, unique per i. */
static int synth_name(char *buf, size_t cap, unsigned i, unsigned salt)
{
	static const char *const tlds[] = { "com", "net", "ai", "io", "org", "eu", "nl", "dev" };
	unsigned h = (i ^ salt) * 2654435761u;
	switch (h % 3) {
	case 0:
		return snprintf(buf, cap, "svc%u-%x.%s", i, salt, tlds[h % 8]);
	case 1:
		return snprintf(buf, cap, "api.svc%u-%x.%s", i, salt, tlds[h % 8]);
	default:
		return snprintf(buf, cap, "eu-west.gw.svc%u-%x.%s", i, salt, tlds[h % 8]);
	}
}

/* Lookups per round and rounds (the best is kept); fewer under
 * callgrind, where only the instruction count matters. */
static unsigned n_lookups = 1000000, n_rounds = 3;

static void bench(unsigned n)
{
	char name[256];
	long rss0 = rss_kib();
	double t0 = now_s();
	struct list *l = list_new();
	if (l == NULL)
		abort();
	struct list_service svc;
	memset(&svc, 0, sizeof svc);
	svc.id = strdup("bench");
	if (list_add_service(l, &svc, NULL) != 0)
		abort();
	for (unsigned i = 0; i < n; i++) {
		synth_name(name, sizeof name, i, 0x5eed);
		if (list_add_entry(l, 0, name, i % 4 == 0, TERMS_SHARED, 0, NULL) != 0)
			abort();
	}
	if (!list_finish(l))
		abort();
	double load = now_s() - t0;
	long rss1 = rss_kib();

	/* Lookups: a third listed names, a third names below listed ones
	 * (suffix walk), a third unlisted; generated beforehand in a
	 * scrambled order, so that only list_match is timed and the caches
	 * do not see the insertion order. */
	enum { STRIDE = 64 };
	const unsigned N_LOOKUPS = n_lookups;
	char *names = malloc((size_t)N_LOOKUPS * STRIDE);
	size_t *lens = malloc((size_t)N_LOOKUPS * sizeof *lens);
	if (names == NULL || lens == NULL)
		abort();
	for (unsigned k = 0; k < N_LOOKUPS; k++) {
		unsigned i = (unsigned)(((uint64_t)k * 2654435761u) % n);
		char *q = names + (size_t)k * STRIDE;
		int len;
		if (k % 3 == 1) {
			q[0] = 'w';
			q[1] = '.';
			len = 2 + synth_name(q + 2, STRIDE - 2, i, 0x5eed);
		} else {
			len = synth_name(q, STRIDE, i, k % 3 == 0 ? 0x5eed : 0xbad);
		}
		lens[k] = (size_t)len;
	}
	size_t found = 0;
	double best = 1e9;
	for (unsigned round = 0; round < n_rounds; round++) {
		found = 0;
		double t1 = now_s();
		for (unsigned k = 0; k < N_LOOKUPS; k++) {
			struct list_match m;
			found += list_match(l, names + (size_t)k * STRIDE, lens[k], &m);
		}
		double t = now_s() - t1;
		if (t < best)
			best = t;
	}
	free(names);
	free(lens);

	printf("%8u names: load %7.1f ms, lookup %6.1f ns, found %zu/%u, "
	       "RSS %ld MiB (list %+ld MiB)\n",
	       n, load * 1e3, best / N_LOOKUPS * 1e9, found, N_LOOKUPS, rss1 / 1024,
	       (rss1 - rss0) / 1024);
	list_free(l);
}

/* bench_list [LOOKUPS ROUNDS [N...]]: by default 1M lookups, best of 3
 * rounds, for 1k, 100k and 1M names. */
int main(int argc, char **argv)
{
	if (argc >= 3) {
		n_lookups = (unsigned)strtoul(argv[1], NULL, 10);
		n_rounds = (unsigned)strtoul(argv[2], NULL, 10);
	}
	if (n_lookups == 0 || n_rounds == 0)
		return 2;
	if (argc > 3) {
		for (int i = 3; i < argc; i++)
			bench((unsigned)strtoul(argv[i], NULL, 10));
		return 0;
	}
	bench(1000);
	bench(100000);
	bench(1000000);
	return 0;
}
