/* flow.c: the per-worker flow table; see flow.h.
 *
 * Slots are allocated once; links are 32-bit slot indices plus one (0 is
 * "none") to keep a flow small.  The LRU list runs from the most recently
 * used (head) to the oldest (tail). */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "siphash.h"

struct flow_table {
	struct flow *slots;
	uint32_t n_slots;
	uint32_t *buckets;        /* slot index + 1 */
	uint32_t bucket_mask;
	uint32_t free_head;       /* free slots chained through `next` */
	uint32_t lru_head, lru_tail;
	uint32_t count;
	uint32_t per_flow_buffer;
	struct stream_budget budget;
	uint8_t seed[16];
	struct flow_key last_key;  /* the last key hashed, see key_hash */
	uint32_t last_hash;
	bool last_valid;
	flow_release_fn *release;
	void *release_ctx;
};

static struct flow *slot(struct flow_table *t, uint32_t ref)
{
	return &t->slots[ref - 1];
}

static uint32_t ref_of(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(f - t->slots) + 1;
}

struct flow_table *flow_table_new(uint32_t max_flows, uint32_t per_flow_buffer,
				  uint64_t buffer_total, const uint8_t seed[16],
				  flow_release_fn *release, void *release_ctx)
{
	if (max_flows == 0 || max_flows > (1u << 30))
		return NULL;
	struct flow_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	uint32_t n_buckets = 16;
	while (n_buckets < max_flows)
		n_buckets *= 2;
	t->slots = calloc(max_flows, sizeof(*t->slots));
	t->buckets = calloc(n_buckets, sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		flow_table_free(t);
		return NULL;
	}
	t->n_slots = max_flows;
	t->bucket_mask = n_buckets - 1;
	for (uint32_t i = 0; i < max_flows; i++)
		t->slots[i].next = (i + 1 < max_flows) ? i + 2 : 0;
	t->free_head = 1;
	t->per_flow_buffer = per_flow_buffer;
	t->budget.limit = buffer_total;
	memcpy(t->seed, seed, 16);
	t->release = release;
	t->release_ctx = release_ctx;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	if (t->slots) {
		for (uint32_t i = 0; i < t->n_slots; i++)
			if (t->slots[i].in_use)
				flow_remove(t, &t->slots[i]);
	}
	free(t->slots);
	free(t->buckets);
	free(t);
}

/* SipHash-1-3 (see siphash.h): the table's hashes never leave it.  A
 * lookup that misses is usually followed by flow_create with the same
 * key, so the last key hashed and its hash are remembered: one hash per
 * packet instead of two. */
static uint32_t key_hash(struct flow_table *t, const struct flow_key *k)
{
	if (t->last_valid && memcmp(&t->last_key, k, sizeof(*k)) == 0)
		return t->last_hash;
	t->last_key = *k;
	t->last_hash = (uint32_t)siphash13(t->seed, k, sizeof(*k));
	t->last_valid = true;
	return t->last_hash;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	if (f->lru_prev)
		slot(t, f->lru_prev)->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next)
		slot(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = 0;
}

static void lru_push_head(struct flow_table *t, struct flow *f)
{
	uint32_t r = ref_of(t, f);
	f->lru_prev = 0;
	f->lru_next = t->lru_head;
	if (t->lru_head)
		slot(t, t->lru_head)->lru_prev = r;
	t->lru_head = r;
	if (!t->lru_tail)
		t->lru_tail = r;
}

struct flow *flow_lookup(struct flow_table *t, const struct flow_key *key)
{
	uint32_t h = key_hash(t, key);
	for (uint32_t r = t->buckets[h & t->bucket_mask]; r; r = slot(t, r)->next) {
		struct flow *f = slot(t, r);
		if (f->hash == h && memcmp(&f->key, key, sizeof(*key)) == 0)
			return f;
	}
	return NULL;
}

static void unlink_and_free(struct flow_table *t, struct flow *f, bool evicted)
{
	if (t->release)
		t->release(t->release_ctx, f, evicted);
	stream_cleanup(&f->stream, &t->budget);
	uint32_t r = ref_of(t, f);
	uint32_t *link = &t->buckets[f->hash & t->bucket_mask];
	while (*link && *link != r)
		link = &slot(t, *link)->next;
	if (*link == r)
		*link = f->next;
	lru_unlink(t, f);
	memset(f, 0, sizeof(*f));
	f->next = t->free_head;
	t->free_head = r;
	t->count--;
}

void flow_remove(struct flow_table *t, struct flow *f)
{
	unlink_and_free(t, f, false);
}

struct flow *flow_create(struct flow_table *t, const struct flow_key *key, int64_t now_us)
{
	if (!t->free_head)
		unlink_and_free(t, slot(t, t->lru_tail), true);
	uint32_t r = t->free_head;
	struct flow *f = slot(t, r);
	t->free_head = f->next;
	memset(f, 0, sizeof(*f));
	f->key = *key;
	f->hash = key_hash(t, key);
	f->in_use = true;
	f->last_us = now_us;
	stream_init(&f->stream, t->per_flow_buffer);
	uint32_t *bucket = &t->buckets[f->hash & t->bucket_mask];
	f->next = *bucket;
	*bucket = r;
	lru_push_head(t, f);
	t->count++;
	return f;
}

void flow_touch(struct flow_table *t, struct flow *f, int64_t now_us)
{
	if (now_us > f->last_us)
		f->last_us = now_us;
	if (t->lru_head != ref_of(t, f)) {
		lru_unlink(t, f);
		lru_push_head(t, f);
	}
}

unsigned flow_expire(struct flow_table *t, int64_t cutoff_us, unsigned budget)
{
	unsigned n = 0;
	while (t->lru_tail && (budget == 0 || n < budget)) {
		struct flow *f = slot(t, t->lru_tail);
		if (f->last_us >= cutoff_us)
			break;
		unlink_and_free(t, f, false);
		n++;
	}
	return n;
}

unsigned flow_make_room(struct flow_table *t, const struct flow *keep, uint64_t need)
{
	unsigned n = 0;
	uint32_t r = t->lru_tail;
	while (r && t->budget.used + need > t->budget.limit) {
		struct flow *f = slot(t, r);
		r = f->lru_prev;
		if (f == keep || (f->stream.cap == 0 && f->quic == NULL))
			continue;
		unlink_and_free(t, f, true);
		n++;
	}
	return n;
}

struct stream_budget *flow_table_budget(struct flow_table *t)
{
	return &t->budget;
}

uint32_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint32_t flow_table_per_flow_buffer(const struct flow_table *t)
{
	return t->per_flow_buffer;
}
