/* report_table.c: bounded exact tables and the space-saving sketch; see
 * report_table.h. */
#include "report_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "siphash.h"

/* A random SipHash key per table; if getrandom fails the key stays a
 * fixed pattern, which only costs the protection against chosen
 * collisions in a local, offline tool. */
static void random_key(uint8_t key[16])
{
	memset(key, 0x5a, 16);
	if (getrandom(key, 16, GRND_NONBLOCK) != 16)
		memset(key, 0x5a, 16);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;
	while (p < n && p < ((size_t)1 << 30))
		p <<= 1;
	return p;
}

static char *dup_mem(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d != NULL) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* --- rtab ------------------------------------------------------------ */

struct rtab {
	uint8_t key[16];
	struct rtab_row *rows;
	size_t n_rows, rows_cap, cap;
	uint32_t *next;        /* chain: next row index + 1, 0 = end */
	uint32_t *buckets;     /* row index + 1, 0 = empty */
	size_t n_buckets;
	uint64_t dropped_rows, dropped_weight;
};

struct rtab *rtab_new(size_t cap)
{
	if (cap == 0 || cap > UINT32_MAX - 1)
		return NULL;
	struct rtab *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->cap = cap;
	t->n_buckets = pow2_at_least(cap);
	t->buckets = calloc(t->n_buckets, sizeof *t->buckets);
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	random_key(t->key);
	return t;
}

void rtab_free(struct rtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_rows; i++) {
		free(t->rows[i].key);
		free(t->rows[i].aux);
	}
	free(t->rows);
	free(t->next);
	free(t->buckets);
	free(t);
}

struct rtab_row *rtab_find(struct rtab *t, const char *key, size_t len)
{
	size_t b = (size_t)siphash24(t->key, key, len) & (t->n_buckets - 1);
	for (uint32_t i = t->buckets[b]; i != 0; i = t->next[i - 1]) {
		struct rtab_row *r = &t->rows[i - 1];
		if (r->key_len == len && memcmp(r->key, key, len) == 0)
			return r;
	}
	return NULL;
}

struct rtab_row *rtab_get(struct rtab *t, const char *key, size_t len)
{
	struct rtab_row *found = rtab_find(t, key, len);
	if (found != NULL)
		return found;
	size_t b = (size_t)siphash24(t->key, key, len) & (t->n_buckets - 1);
	if (t->n_rows >= t->cap)
		return NULL;
	if (t->n_rows == t->rows_cap) {
		size_t nc = t->rows_cap == 0 ? 16 : t->rows_cap * 2;
		if (nc > t->cap)
			nc = t->cap;
		struct rtab_row *nr = realloc(t->rows, nc * sizeof *nr);
		if (nr == NULL)
			return NULL;
		t->rows = nr;
		uint32_t *nn = realloc(t->next, nc * sizeof *nn);
		if (nn == NULL)
			return NULL;
		t->next = nn;
		t->rows_cap = nc;
	}
	struct rtab_row *r = &t->rows[t->n_rows];
	memset(r, 0, sizeof *r);
	r->key = dup_mem(key, len);
	if (r->key == NULL)
		return NULL;
	r->key_len = len;
	r->first_us = INT64_MAX;
	r->last_us = INT64_MIN;
	t->next[t->n_rows] = t->buckets[b];
	t->buckets[b] = (uint32_t)(t->n_rows + 1);
	t->n_rows++;
	return r;
}

void rtab_drop(struct rtab *t, uint64_t weight)
{
	t->dropped_rows++;
	t->dropped_weight += weight;
}

bool rtab_set_aux(struct rtab_row *r, const char *s)
{
	if (r->aux != NULL || s == NULL)
		return true;
	r->aux = strdup(s);
	return r->aux != NULL;
}

size_t rtab_n_rows(const struct rtab *t) { return t->n_rows; }
struct rtab_row *rtab_row_at(struct rtab *t, size_t i) { return i < t->n_rows ? &t->rows[i] : NULL; }
uint64_t rtab_dropped_rows(const struct rtab *t) { return t->dropped_rows; }
uint64_t rtab_dropped_weight(const struct rtab *t) { return t->dropped_weight; }

/* --- topk (space-saving) ----------------------------------------------
 * The items sit in a binary min-heap on count, so the victim is the
 * root; a hash index (chains through item indices) finds a key's item,
 * and pos[] maps an item to its heap slot. */

struct topk {
	uint8_t key[16];
	struct topk_item *items;
	size_t n, k;
	uint32_t *heap;        /* heap slot -> item index */
	uint32_t *pos;         /* item index -> heap slot */
	uint32_t *next;        /* item index -> next item index + 1 in chain */
	uint32_t *buckets;
	size_t n_buckets;
	uint64_t evicted;
};

struct topk *topk_new(size_t k)
{
	if (k == 0 || k > UINT32_MAX - 1)
		return NULL;
	struct topk *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->k = k;
	t->n_buckets = pow2_at_least(k * 2);
	t->items = calloc(k, sizeof *t->items);
	t->heap = calloc(k, sizeof *t->heap);
	t->pos = calloc(k, sizeof *t->pos);
	t->next = calloc(k, sizeof *t->next);
	t->buckets = calloc(t->n_buckets, sizeof *t->buckets);
	if (t->items == NULL || t->heap == NULL || t->pos == NULL || t->next == NULL ||
	    t->buckets == NULL) {
		topk_free(t);
		return NULL;
	}
	random_key(t->key);
	return t;
}

void topk_free(struct topk *t)
{
	if (t == NULL)
		return;
	if (t->items != NULL)
		for (size_t i = 0; i < t->n; i++)
			free(t->items[i].key);
	free(t->items);
	free(t->heap);
	free(t->pos);
	free(t->next);
	free(t->buckets);
	free(t);
}

static void heap_swap(struct topk *t, size_t a, size_t b)
{
	uint32_t ia = t->heap[a], ib = t->heap[b];
	t->heap[a] = ib;
	t->heap[b] = ia;
	t->pos[ib] = (uint32_t)a;
	t->pos[ia] = (uint32_t)b;
}

/* Counts only grow, so an item only ever moves down. */
static void heap_down(struct topk *t, size_t s)
{
	for (;;) {
		size_t l = 2 * s + 1, r = l + 1, m = s;
		if (l < t->n && t->items[t->heap[l]].count < t->items[t->heap[m]].count)
			m = l;
		if (r < t->n && t->items[t->heap[r]].count < t->items[t->heap[m]].count)
			m = r;
		if (m == s)
			return;
		heap_swap(t, s, m);
		s = m;
	}
}

static size_t bucket_of(const struct topk *t, const char *key, size_t len)
{
	return (size_t)siphash24(t->key, key, len) & (t->n_buckets - 1);
}

static void unlink_item(struct topk *t, uint32_t idx)
{
	const struct topk_item *it = &t->items[idx];
	uint32_t *link = &t->buckets[bucket_of(t, it->key, it->key_len)];
	while (*link != 0) {
		if (*link - 1 == idx) {
			*link = t->next[idx];
			return;
		}
		link = &t->next[*link - 1];
	}
}

struct topk_item *topk_add(struct topk *t, const char *key, size_t len, uint64_t weight)
{
	size_t b = bucket_of(t, key, len);
	for (uint32_t i = t->buckets[b]; i != 0; i = t->next[i - 1]) {
		struct topk_item *it = &t->items[i - 1];
		if (it->key_len == len && memcmp(it->key, key, len) == 0) {
			it->count += weight;
			heap_down(t, t->pos[i - 1]);
			return it;
		}
	}
	char *copy = dup_mem(key, len);
	if (copy == NULL)
		return NULL;
	uint32_t idx;
	uint64_t base = 0;
	if (t->n < t->k) {
		idx = (uint32_t)t->n;
		t->heap[t->n] = idx;
		t->pos[idx] = (uint32_t)t->n;
		t->n++;
	} else {
		/* Space-saving: the smallest counter is taken over and its count
		 * becomes the newcomer's possible overcount. */
		idx = t->heap[0];
		unlink_item(t, idx);
		base = t->items[idx].count;
		free(t->items[idx].key);
		t->evicted++;
	}
	struct topk_item *it = &t->items[idx];
	it->key = copy;
	it->key_len = len;
	it->count = base + weight;
	it->err = base;
	it->note[0] = '\0';
	t->next[idx] = t->buckets[b];
	t->buckets[b] = idx + 1;
	heap_down(t, t->pos[idx]);
	return it;
}

size_t topk_n(const struct topk *t) { return t->n; }
const struct topk_item *topk_at(const struct topk *t, size_t i) { return i < t->n ? &t->items[i] : NULL; }
uint64_t topk_evicted(const struct topk *t) { return t->evicted; }
size_t topk_capacity(const struct topk *t) { return t->k; }
