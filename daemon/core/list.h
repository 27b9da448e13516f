/* list.h: the maintained list in memory and its matcher.
 *
 * A list holds services (id, vendor, ...) and entries (a name, exact or
 * suffix, with a terms class, belonging to one service).  Matching
 * follows DESIGN.md s1: an exact entry beats any suffix entry; among
 * suffix entries the longest wins; suffixes match on label boundaries
 * only.  A lookup costs one hash probe per label of the name.
 * A list is built once (list_new, list_add_*, list_finish) and is then
 * immutable, so worker threads may share it without locks. */
#ifndef AIGATE_LIST_H
#define AIGATE_LIST_H

#include "types.h"

struct list;

struct list_service {
	char *id;            /* unique, [a-z0-9-]+ */
	char *name;          /* display name */
	char *vendor;
	char *jurisdiction;  /* ISO 3166 alpha-2, "EU" for EU institutions */
	bool eu;             /* vendor under EU jurisdiction */
	bool open_weights;
	char *category;      /* chat, coding, image, ... (may be NULL) */
	char **sources;      /* URLs */
	size_t n_sources;
	char *verified;      /* YYYY-MM-DD */
	char *notes;         /* may be NULL */
	unsigned line;       /* where it was defined (for messages); 0 if unknown */
};

struct list_entry {
	const char *name;    /* normalised, owned by the list */
	bool exact;          /* exact entry (else suffix) */
	enum terms terms;
	size_t service;      /* index into the list's services */
	unsigned line;       /* source line, 0 if unknown */
};

struct list_match {
	const struct list_entry *entry;      /* NULL: unlisted */
	const struct list_service *service;  /* NULL: unlisted */
};

/* An empty list; NULL when out of memory.  list_free frees the list and
 * everything it owns (services, entries, names); NULL is fine. */
struct list *list_new(void);
void list_free(struct list *l);

/* Add a service; the list takes ownership of every pointer in *svc
 * (also on failure).  Returns its index, or -1 when out of memory or
 * when the id is already present (*dup_line then says where, if known). */
long list_add_service(struct list *l, struct list_service *svc, unsigned *dup_line);

/* Add an entry for service `service`.  `name` must already be a valid
 * list name (name_is_valid_list_name); it is copied.  Returns 0, -1 when
 * out of memory or on bad arguments (an invalid name, an unknown service
 * index, a finished list), or 1 when the same name with the same kind
 * (exact or suffix) is already present (*dup, if dup is not NULL,
 * receives that entry; the pointer stays valid until the next
 * list_add_* call, pointers from list_entry_at likewise).  The same name
 * once exact and once suffix is allowed: the exact entry wins. */
int list_add_entry(struct list *l, size_t service, const char *name, bool exact,
		   enum terms terms, unsigned line, const struct list_entry **dup);

/* Freeze the list (the lookup tables are kept up to date while adding;
 * this trims spare memory); after this only lookups are allowed and
 * every pointer into the list is stable.  Returns false only for a NULL
 * list. */
bool list_finish(struct list *l);

/* Classify a normalised name (as from name_normalize; any bytes are
 * safe, only '.' has a meaning).  Always fills *out (entry and service
 * NULL when unlisted, also for a NULL list, an empty name or one longer
 * than NAME_MAX_LEN); returns true when the name is listed.  Reads
 * name_len bytes, allocates nothing; one probe per label. */
bool list_match(const struct list *l, const char *name, size_t name_len,
		struct list_match *out);

/* Look up a service by id; NULL if absent. */
const struct list_service *list_find_service(const struct list *l, const char *id);

/* Iteration and metadata; the *_at functions return NULL out of range.
 * Entries come back in the order they were added. */
size_t list_n_services(const struct list *l);
const struct list_service *list_service_at(const struct list *l, size_t i);
size_t list_n_entries(const struct list *l);
const struct list_entry *list_entry_at(const struct list *l, size_t i);
uint64_t list_serial(const struct list *l);
void list_set_serial(struct list *l, uint64_t serial);

#endif
