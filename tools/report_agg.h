/* report_agg.h: the aggregation behind `aigatectl report`: events in
 * (one at a time, from report_read), a report model out (a jansson
 * object, the --format json output, which the text and HTML writers
 * render).  Memory is bounded by the caps below whatever the length of
 * the log (report_table.h says how). */
#ifndef AIGATE_REPORT_AGG_H
#define AIGATE_REPORT_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "list.h"
#include "report_read.h"

struct report_opts {
	int64_t since_us;        /* INT64_MIN: unbounded */
	int64_t until_us;        /* INT64_MAX: unbounded (inclusive) */
	const struct list *list; /* vendor facts and parent domains; may be NULL */
	const char *list_source; /* where the list came from, for the report (may be NULL) */
	size_t top_n;            /* rows shown in top lists */
	size_t sketch_k;         /* space-saving counters for clients and names */
};

struct report_agg;

/* NULL when out of memory.  o (and o->list) must outlive the object. */
struct report_agg *report_agg_new(const struct report_opts *o);
void report_agg_free(struct report_agg *a);

/* Count one event (a report_event_fn: pass the agg as ctx).  Events
 * outside [since, until] are counted as such and otherwise ignored. */
void report_agg_add(void *agg, const struct report_event *ev);

/* The report model (schema in docs/siem.md, "Report JSON"); NULL when
 * out of memory.  files: the inputs as given, for the header.  The
 * caller owns the result (json_decref). */
json_t *report_agg_result(struct report_agg *a, const struct report_read_stats *st,
			  char **files, int n_files);

#endif
