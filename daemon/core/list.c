/* list.c: the maintained list in memory and its matcher (DESIGN.md s1).
 *
 * Layout, chosen for a million names in little memory and a lookup of
 * one hash probe per label:
 *   - every entry lives in one arena as a record
 *       [struct list_entry][name bytes][NUL][padding to 8]
 *     whose list_entry.name points at the bytes after it, so the name
 *     compare of a lookup and the entry it returns share cache lines;
 *     entry i is found through entry_off[i];
 *   - two open-addressing tables (exact entries, suffix entries) of
 *     8-byte slots {arena offset of the record, key}, power-of-two sized,
 *     linear probing, load factor <= 1/2 (so every probe sequence ends
 *     at an empty slot).  The key holds 24 bits of the hash and the name
 *     length, so nearly every non-matching slot is skipped without
 *     touching the arena;
 *   - services are found by id through a third, small table.
 * The tables are kept up to date while entries are added, so duplicates
 * are caught at once; list_finish only trims memory.
 *
 * Names looked up are hostile (any bytes, up to NAME_MAX_LEN), but they
 * are not packet data any more: they come out of name_normalize into a
 * bounded buffer, and are read here by index below their length, never
 * copied.  (Reading them byte by byte through the cursor functions cost
 * more than the whole lookup budget.)  The list itself is trusted data. */
#include "list.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "name.h"

#define SLOT_EMPTY UINT32_MAX
#define TABLE_MIN_SLOTS 16u
#define RECORD_HEADER_LEN sizeof(struct list_entry)  /* the entry, then its name */
#define RECORD_ALIGN 8u
/* Arena offsets are 32 bits; keep every record below that. */
#define ARENA_MAX ((size_t)UINT32_MAX - 1024u)

struct slot {
	uint32_t ref;   /* arena offset (entries) or service index; SLOT_EMPTY */
	uint32_t key;   /* hash bits 40..63 and the name length (low 8 bits) */
};

struct table {
	struct slot *slots;
	size_t mask;    /* number of slots - 1; slots == NULL when empty */
	size_t n;       /* occupied slots */
};

struct list {
	struct list_service *services;
	size_t n_services, cap_services;
	struct table service_ids;    /* ref = service index */

	uint32_t *entry_off;         /* arena offset of each entry's record */
	size_t n_entries, cap_entries;

	char *arena;
	size_t arena_len, arena_cap;

	struct table exact, suffix;  /* ref = arena offset */
	uint64_t serial;
	bool finished;
};

/* The hash of a name is computed from its last byte towards its first,
 * so that one pass over a looked-up name yields the hash of every
 * suffix on the way: the value at a '.' is the hash of the labels to
 * its right.  Bytes are gathered into 8-byte words that are folded into
 * the state with multiply and rotate; the partial word, the length and
 * a final avalanche (the murmur3 finaliser constants) make the value.
 * Not keyed: the tables are built from trusted data, and a hostile
 * lookup can only walk the probe sequences that data made. */
struct rhash {
	uint64_t h;   /* folded whole words */
	uint64_t w;   /* bytes not yet folded: fed last to first, the last
		       * fed is the lowest (a little-endian load) */
};

#define HASH_K1 0x87c37b91114253d5ULL
#define HASH_K2 0x4cf5ad432745937fULL

static uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64u - r));
}

static void rhash_init(struct rhash *r)
{
	r->h = 0x9e3779b97f4a7c15ULL;
	r->w = 0;
}

/* The hash of the len bytes fed so far; the state is left as it was. */
static uint64_t rhash_value(const struct rhash *r, size_t len)
{
	uint64_t h = r->h ^ rotl64(r->w * HASH_K2, 33) ^ ((uint64_t)len * HASH_K1);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The hash of a whole name (name_hashes, below). */
static uint64_t name_hashes(const char *name, size_t len, uint64_t *suffix_hash,
			    uint8_t *suffix_off, size_t *n_suffixes);

static uint64_t hash_name(const char *s, size_t len)
{
	return name_hashes(s, len, NULL, NULL, NULL);
}

static uint32_t slot_key(uint64_t h, size_t len)
{
	return ((uint32_t)(h >> 40) << 8) | (uint32_t)(len & 0xffu);
}

/* Blocks of 2 MiB and more (the slot tables, the finished arena) start
 * on a 2 MiB boundary and ask for transparent huge pages: a lookup's
 * reads are random over tens of MiB, and with 4 KiB pages each of them
 * also misses the TLB, whose page walk is a second dependent miss (on
 * this VM it took a dependent read at 64-128 MiB from ~370-500 ns to
 * ~235 ns: tests/bench/chase.c).  Only a hint: without it, or when the
 * kernel has no huge page, this is plain memory.  Freed with free(). */
#define HUGE_PAGE_LEN ((size_t)2 << 20)

static void *big_alloc(size_t n)
{
	if (n < HUGE_PAGE_LEN)
		return malloc(n);
	size_t rounded = (n + HUGE_PAGE_LEN - 1) & ~(HUGE_PAGE_LEN - 1);
	if (rounded < n)
		return NULL;
	void *p = aligned_alloc(HUGE_PAGE_LEN, rounded);
#ifdef MADV_HUGEPAGE
	if (p != NULL)
		(void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
	return p;
}

static bool table_grow(struct table *t, size_t n_slots)
{
	struct slot *s = big_alloc(n_slots * sizeof *s);
	if (s == NULL)
		return false;
	for (size_t i = 0; i < n_slots; i++)
		s[i].ref = SLOT_EMPTY;
	free(t->slots);
	t->slots = s;
	t->mask = n_slots - 1;
	t->n = 0;
	return true;
}

static void table_put(struct table *t, uint64_t h, struct slot v)
{
	size_t i = (size_t)h & t->mask;
	while (t->slots[i].ref != SLOT_EMPTY)
		i = (i + 1) & t->mask;
	t->slots[i] = v;
	t->n++;
}

/* The name of the record at arena offset `off` (trusted list data). */
static const char *record_name(const struct list *l, uint32_t off)
{
	return &l->arena[off + RECORD_HEADER_LEN];
}

static const struct list_entry *record_entry(const struct list *l, uint32_t off)
{
	return (const struct list_entry *)(const void *)&l->arena[off];
}

static struct list_entry *record_entry_mut(struct list *l, uint32_t off)
{
	return (struct list_entry *)(void *)&l->arena[off];
}

/* Double a name table (keeping the load factor at or below 1/2) and
 * reinsert its names, rehashed from the arena.  The records are walked
 * in arena order, not in slot order, so the reads are sequential. */
static bool name_table_reserve(struct list *l, struct table *t, bool exact)
{
	if (t->slots != NULL && (t->n + 1) * 2 <= t->mask + 1)
		return true;
	struct table bigger = { 0 };
	size_t n_slots = t->slots == NULL ? TABLE_MIN_SLOTS : (t->mask + 1) * 2;
	if (!table_grow(&bigger, n_slots))
		return false;
	for (size_t i = 0; i < l->n_entries; i++) {
		uint32_t off = l->entry_off[i];
		const struct list_entry *e = record_entry(l, off);
		if (e->exact != exact)
			continue;
		size_t len = strlen(e->name);
		uint64_t h = hash_name(e->name, len);
		struct slot s = { off, slot_key(h, len) };
		table_put(&bigger, h, s);
	}
	free(t->slots);
	*t = bigger;
	return true;
}

/* True when the record at arena offset `ref` holds name[off, off+len). */
static bool record_equals(const struct list *l, uint32_t ref, const char *name, size_t off,
			  size_t len)
{
	return memcmp(record_name(l, ref), &name[off], len) == 0;
}

/* The entry whose name is name[off, off+len) (already hashed to h) in
 * table t, or NULL.  This is the hot path: one slot read per collision,
 * a byte compare only on a key match. */
static const struct list_entry *name_table_find(const struct list *l, const struct table *t,
						uint64_t h, const char *name, size_t off, size_t len)
{
	if (t->slots == NULL)
		return NULL;
	uint32_t key = slot_key(h, len);
	size_t i = (size_t)h & t->mask;
	for (;;) {
		struct slot s = t->slots[i];
		if (s.ref == SLOT_EMPTY)
			return NULL;
		if (s.key == key && record_equals(l, s.ref, name, off, len))
			return record_entry(l, s.ref);
		i = (i + 1) & t->mask;
	}
}

struct list *list_new(void)
{
	return calloc(1, sizeof(struct list));
}

static void service_cleanup(struct list_service *s)
{
	free(s->id);
	free(s->name);
	free(s->vendor);
	free(s->jurisdiction);
	free(s->category);
	for (size_t i = 0; i < s->n_sources; i++)
		free(s->sources[i]);
	free(s->sources);
	free(s->verified);
	free(s->notes);
	memset(s, 0, sizeof *s);
}

void list_free(struct list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_services; i++)
		service_cleanup(&l->services[i]);
	free(l->services);
	free(l->service_ids.slots);
	free(l->entry_off);
	free(l->arena);
	free(l->exact.slots);
	free(l->suffix.slots);
	free(l);
}

static uint64_t hash_string(const char *s)
{
	return hash_name(s, strlen(s));
}

static long service_find_index(const struct list *l, const char *id)
{
	const struct table *t = &l->service_ids;
	if (t->slots == NULL)
		return -1;
	uint64_t h = hash_string(id);
	size_t i = (size_t)h & t->mask;
	while (t->slots[i].ref != SLOT_EMPTY) {
		uint32_t idx = t->slots[i].ref;
		if (strcmp(l->services[idx].id, id) == 0)
			return (long)idx;
		i = (i + 1) & t->mask;
	}
	return -1;
}

static bool service_table_reserve(struct list *l)
{
	struct table *t = &l->service_ids;
	if (t->slots != NULL && (t->n + 1) * 2 <= t->mask + 1)
		return true;
	struct table bigger = { 0 };
	size_t n_slots = t->slots == NULL ? TABLE_MIN_SLOTS : (t->mask + 1) * 2;
	if (!table_grow(&bigger, n_slots))
		return false;
	for (size_t i = 0; i < l->n_services; i++) {
		struct slot s = { (uint32_t)i, 0 };
		table_put(&bigger, hash_string(l->services[i].id), s);
	}
	free(t->slots);
	*t = bigger;
	return true;
}

long list_add_service(struct list *l, struct list_service *svc, unsigned *dup_line)
{
	long found;

	if (l == NULL || l->finished || svc->id == NULL || l->n_services >= SLOT_EMPTY - 1)
		goto fail;
	found = service_find_index(l, svc->id);
	if (found >= 0) {
		if (dup_line != NULL)
			*dup_line = l->services[found].line;
		goto fail;
	}
	if (!service_table_reserve(l))
		goto fail;
	if (l->n_services == l->cap_services) {
		size_t cap = l->cap_services ? l->cap_services * 2 : 16;
		struct list_service *s = realloc(l->services, cap * sizeof *s);
		if (s == NULL)
			goto fail;
		l->services = s;
		l->cap_services = cap;
	}
	l->services[l->n_services] = *svc;
	memset(svc, 0, sizeof *svc);
	struct slot slot = { (uint32_t)l->n_services, 0 };
	table_put(&l->service_ids, hash_string(l->services[l->n_services].id), slot);
	return (long)l->n_services++;
fail:
	service_cleanup(svc);
	return -1;
}

/* Point every entry's name at its record again after the arena moved. */
static void rebase_names(struct list *l)
{
	for (size_t i = 0; i < l->n_entries; i++)
		record_entry_mut(l, l->entry_off[i])->name = record_name(l, l->entry_off[i]);
}

static bool arena_reserve(struct list *l, size_t n)
{
	if (n <= l->arena_cap - l->arena_len)
		return true;
	if (n > ARENA_MAX - l->arena_len)
		return false;
	size_t cap = l->arena_cap ? l->arena_cap : 4096;
	while (cap - l->arena_len < n)
		cap *= 2;
	if (cap > ARENA_MAX)
		cap = ARENA_MAX;
	char *a = realloc(l->arena, cap);
	if (a == NULL)
		return false;
	/* (The old pointer may not even be compared once realloc returned.) */
	l->arena = a;
	l->arena_cap = cap;
	rebase_names(l);
	return true;
}

static bool entries_reserve(struct list *l)
{
	if (l->n_entries < l->cap_entries)
		return true;
	if (l->n_entries >= SLOT_EMPTY - 1)
		return false;
	size_t cap = l->cap_entries ? l->cap_entries * 2 : 64;
	uint32_t *off = realloc(l->entry_off, cap * sizeof *off);
	if (off == NULL)
		return false;
	l->entry_off = off;
	l->cap_entries = cap;
	return true;
}

int list_add_entry(struct list *l, size_t service, const char *name, bool exact,
		   enum terms terms, unsigned line, const struct list_entry **dup)
{
	if (l == NULL || l->finished || service >= l->n_services ||
	    !name_is_valid_list_name(name))
		return -1;
	size_t name_len = strlen(name);
	struct table *t = exact ? &l->exact : &l->suffix;
	uint64_t h = hash_name(name, name_len);
	const struct list_entry *old = name_table_find(l, t, h, name, 0, name_len);
	if (old != NULL) {
		if (dup != NULL)
			*dup = old;
		return 1;
	}
	size_t rec_len = (RECORD_HEADER_LEN + name_len + 1 + RECORD_ALIGN - 1) & ~(size_t)(RECORD_ALIGN - 1);
	if (!name_table_reserve(l, t, exact) || !entries_reserve(l) || !arena_reserve(l, rec_len))
		return -1;

	uint32_t idx = (uint32_t)l->n_entries;
	uint32_t off = (uint32_t)l->arena_len;
	memset(&l->arena[off], 0, rec_len);
	memcpy(&l->arena[off + RECORD_HEADER_LEN], name, name_len);
	l->arena_len += rec_len;

	struct list_entry *e = record_entry_mut(l, off);
	e->name = record_name(l, off);
	e->exact = exact;
	e->terms = terms;
	e->service = service;
	e->line = line;
	l->entry_off[idx] = off;
	l->n_entries++;

	struct slot s = { off, slot_key(h, name_len) };
	table_put(t, h, s);
	return 0;
}

bool list_finish(struct list *l)
{
	if (l == NULL)
		return false;
	if (l->finished)
		return true;
	/* Trim the growth slack (a big arena moves to a huge-page block,
	 * see big_alloc); a failed move or shrink leaves the bigger block. */
	if (l->arena_len >= HUGE_PAGE_LEN) {
		char *a = big_alloc(l->arena_len);
		if (a != NULL) {
			memcpy(a, l->arena, l->arena_len);
			free(l->arena);
			l->arena = a;
			l->arena_cap = l->arena_len;
			rebase_names(l);
		}
	} else if (l->arena_len > 0 && l->arena_len < l->arena_cap) {
		char *a = realloc(l->arena, l->arena_len);
		if (a != NULL) {
			l->arena = a;
			l->arena_cap = l->arena_len;
			rebase_names(l);
		}
	}
	if (l->n_entries > 0 && l->n_entries < l->cap_entries) {
		uint32_t *off = realloc(l->entry_off, l->n_entries * sizeof *off);
		if (off != NULL) {
			l->entry_off = off;
			l->cap_entries = l->n_entries;
		}
	}
	if (l->n_services > 0 && l->n_services < l->cap_services) {
		struct list_service *s = realloc(l->services, l->n_services * sizeof *s);
		if (s != NULL) {
			l->services = s;
			l->cap_services = l->n_services;
		}
	}
	l->finished = true;
	return true;
}

static bool match_found(const struct list *l, const struct list_entry *e, struct list_match *out)
{
	if (e == NULL)
		return false;
	out->entry = e;
	out->service = &l->services[e->service];
	return true;
}

static void prefetch_slot(const struct table *t, uint64_t h)
{
	if (t->slots != NULL)
		__builtin_prefetch(&t->slots[(size_t)h & t->mask]);
}

/* Dots a name of NAME_MAX_LEN bytes can hold. */
#define MAX_DOTS NAME_MAX_LEN

/* name[at, at+n) (n <= 8) as a little-endian integer: the partial word
 * rhash folds from those bytes fed last to first. */
static uint64_t load_le(const char *name, size_t at, size_t n)
{
	uint64_t w = 0;
	if (n == 8) {
		memcpy(&w, &name[at], 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		return w;
	}
	for (size_t k = n; k > 0; k--)
		w = (w << 8) | (uint8_t)name[at + k - 1];
	return w;
}

/* One high bit for each byte of w that is '.' (exact: no false hits
 * from borrows, as a name may hold any byte). */
static uint64_t dot_bits(uint64_t w)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eULL;
	return ~(((x & lo7) + lo7) | x | lo7);
}

/* hash_name of name[0, len) and, unless suffix_hash is NULL,
 * for every '.' but a final one, of the suffix after it (right to left
 * into suffix_hash/suffix_off, at most MAX_DOTS).  rhash folds the bytes from the last in 8-byte groups
 * counted from the end; the partial word at a dot is the group's
 * little-endian word shifted past the dot, so a group costs one load
 * and one fold, and a dot one finalisation. */
static uint64_t name_hashes(const char *name, size_t len, uint64_t *suffix_hash,
			    uint8_t *suffix_off, size_t *n_suffixes)
{
	struct rhash r;
	rhash_init(&r);
	size_t end = len;
	for (;;) {
		size_t base = end >= 8 ? end - 8 : 0;
		size_t n = end - base;
		uint64_t w = load_le(name, base, n);
		uint64_t dots = suffix_hash == NULL ? 0 : dot_bits(w);
		while (dots != 0) {
			unsigned bit = 63u - (unsigned)__builtin_clzll(dots);
			dots &= ~(1ULL << bit);
			size_t j = bit / 8;           /* the dot is name[base + j] */
			size_t i = base + j;
			if (i + 1 >= len || *n_suffixes >= MAX_DOTS)
				continue;             /* a final dot starts no suffix */
			r.w = j + 1 < 8 ? w >> (8 * (j + 1)) : 0;
			suffix_hash[*n_suffixes] = rhash_value(&r, len - 1 - i);
			suffix_off[*n_suffixes] = (uint8_t)(i + 1);
			(*n_suffixes)++;
		}
		if (n < 8 || base == 0) {
			r.w = n < 8 ? w : 0;
			if (n == 8)
				r.h = rotl64(r.h ^ (w * HASH_K1), 31) * HASH_K2;
			return rhash_value(&r, len);
		}
		r.h = rotl64(r.h ^ (w * HASH_K1), 31) * HASH_K2;
		end = base;
	}
}

bool list_match(const struct list *l, const char *name, size_t name_len,
		struct list_match *out)
{
	out->entry = NULL;
	out->service = NULL;
	if (l == NULL || name == NULL || name_len == 0 || name_len > NAME_MAX_LEN)
		return false;

	/* The name is a bounded buffer (name_normalize output, not packet
	 * data), read by index below name_len only.  One pass from the last
	 * byte to the first hashes the whole name and, at every '.', the
	 * suffix to its right: suffix_hash[k] belongs to the suffix starting
	 * at suffix_off[k], recorded right to left.  The pass reads 8 bytes
	 * at a time (name_hashes) and gives the values hash_name gives. */
	uint64_t suffix_hash[MAX_DOTS];
	uint8_t suffix_off[MAX_DOTS];
	size_t n_suffixes = 0;
	uint64_t h = name_hashes(name, name_len, suffix_hash, suffix_off, &n_suffixes);

	/* Every slot this lookup may read is known now: ask for them all at
	 * once, so that their cache misses overlap instead of queueing one
	 * behind the other (a miss costs more than the rest of the lookup). */
	prefetch_slot(&l->exact, h);
	prefetch_slot(&l->suffix, h);
	for (size_t k = 0; k < n_suffixes; k++)
		prefetch_slot(&l->suffix, suffix_hash[k]);

	if (match_found(l, name_table_find(l, &l->exact, h, name, 0, name_len), out))
		return true;
	if (l->suffix.slots == NULL)
		return false;
	if (match_found(l, name_table_find(l, &l->suffix, h, name, 0, name_len), out))
		return true;
	/* Proper suffixes starting after a '.' (so only on label
	 * boundaries), leftmost (longest) first: the first hit is the
	 * longest matching suffix entry. */
	for (size_t k = n_suffixes; k > 0; k--) {
		size_t off = suffix_off[k - 1];
		const struct list_entry *e =
			name_table_find(l, &l->suffix, suffix_hash[k - 1], name, off, name_len - off);
		if (match_found(l, e, out))
			return true;
	}
	return false;
}

const struct list_service *list_find_service(const struct list *l, const char *id)
{
	if (l == NULL || id == NULL)
		return NULL;
	long i = service_find_index(l, id);
	return i < 0 ? NULL : &l->services[i];
}

size_t list_n_services(const struct list *l)
{
	return l == NULL ? 0 : l->n_services;
}

const struct list_service *list_service_at(const struct list *l, size_t i)
{
	return l == NULL || i >= l->n_services ? NULL : &l->services[i];
}

size_t list_n_entries(const struct list *l)
{
	return l == NULL ? 0 : l->n_entries;
}

const struct list_entry *list_entry_at(const struct list *l, size_t i)
{
	return l == NULL || i >= l->n_entries ? NULL : record_entry(l, l->entry_off[i]);
}

uint64_t list_serial(const struct list *l)
{
	return l == NULL ? 0 : l->serial;
}

void list_set_serial(struct list *l, uint64_t serial)
{
	if (l != NULL)
		l->serial = serial;
}
