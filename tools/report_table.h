/* report_table.h: the bounded tables that `aigatectl report` aggregates
 * into, so that a log of any length is read in bounded memory.
 *
 * rtab: exact counts per string key, for keys of low cardinality
 * (services, vendors, zones, contracts, days, list serials).  At most
 * `cap` keys; once full, events with a new key are not counted in any
 * row but in dropped_rows/dropped_weight, which the report shows, so a
 * hostile or unexpected log cannot exhaust memory and nothing is lost
 * silently.
 *
 * topk: the heavy hitters of a key of high cardinality (clients by
 * blocked attempts, unlisted names), by the space-saving algorithm
 * (Metwally, Agrawal, El Abbadi, "Efficient computation of frequent and
 * top-k elements in data streams", ICDT 2005): k counters; a new key
 * when all are taken replaces the key with the smallest count and
 * inherits that count as its possible overcount (err).  Every key whose
 * true weight exceeds (total weight / k) is guaranteed to be present,
 * each count is exact up to its err, and memory is O(k) whatever the
 * stream.  With fewer than k distinct keys (the usual case for clients
 * at one agency) every count is exact and err is 0.
 *
 * Keys are byte strings (copied).  Both hash with SipHash under a
 * random key, so chosen keys cannot aim at one bucket. */
#ifndef AIGATE_REPORT_TABLE_H
#define AIGATE_REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTAB_COLS 6   /* counters per row; their meaning is the caller's */

struct rtab_row {
	char *key;                  /* NUL-terminated copy, owned by the table */
	size_t key_len;
	uint64_t c[RTAB_COLS];
	int64_t first_us, last_us;  /* earliest and latest event time added */
	char *aux;                  /* caller's string (rtab_set_aux), owned by the table */
};

struct rtab;

/* A table for at most cap keys (cap >= 1).  NULL when out of memory.
 * rtab_free frees every row; NULL is fine. */
struct rtab *rtab_new(size_t cap);
void rtab_free(struct rtab *t);

/* The row for key (len bytes), created with zero counters and
 * first_us = INT64_MAX, last_us = INT64_MIN when new.  NULL when the
 * table is full (the caller then calls rtab_drop) or out of memory.
 * The pointer is valid until the next rtab_get. */
struct rtab_row *rtab_get(struct rtab *t, const char *key, size_t len);
void rtab_drop(struct rtab *t, uint64_t weight);

/* The row for key, or NULL when absent (never creates one). */
struct rtab_row *rtab_find(struct rtab *t, const char *key, size_t len);

/* Set a row's aux string once (later calls keep the first value);
 * false when out of memory. */
bool rtab_set_aux(struct rtab_row *r, const char *s);

/* Rows in insertion order; n_rows of them. */
size_t rtab_n_rows(const struct rtab *t);
struct rtab_row *rtab_row_at(struct rtab *t, size_t i);
uint64_t rtab_dropped_rows(const struct rtab *t);
uint64_t rtab_dropped_weight(const struct rtab *t);

struct topk_item {
	char *key;         /* NUL-terminated, owned */
	size_t key_len;
	uint64_t count;    /* estimated weight (>= the true weight) */
	uint64_t err;      /* count - err <= true weight */
	char note[64];     /* caller's text, reset when the slot is reused */
};

struct topk;

/* A sketch of k counters (k >= 1); NULL when out of memory.  topk_free:
 * NULL is fine. */
struct topk *topk_new(size_t k);
void topk_free(struct topk *t);

/* Add weight for key; returns its item (new, existing, or a reused
 * slot whose note was cleared), or NULL when out of memory (nothing
 * counted).  The pointer is valid until the next topk_add. */
struct topk_item *topk_add(struct topk *t, const char *key, size_t len, uint64_t weight);

/* The items, in no particular order; n of them.  evicted: how many
 * times a key was replaced (0: every count is exact). */
size_t topk_n(const struct topk *t);
const struct topk_item *topk_at(const struct topk *t, size_t i);
uint64_t topk_evicted(const struct topk *t);
size_t topk_capacity(const struct topk *t);

#endif
