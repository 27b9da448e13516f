/* config.h: loading aigate.conf, the list and contracts.d (libconfig)
 * into a complete, validated policy snapshot.
 *
 * Everything here either returns a whole object or NULL: nothing
 * half-loaded is ever handed out.  Every problem is reported through a
 * `struct diag` with the file and line it comes from, so the daemon
 * (-n, reload), aigatectl lint and the tests print the same messages. */
#ifndef AIGATE_CONFIG_H
#define AIGATE_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/policy.h"

/* Where messages go.  emit may be NULL (messages are only counted). */
struct diag {
	void (*emit)(void *ctx, const char *severity, const char *file,
		     unsigned line, const char *msg);
	void *ctx;
	unsigned n_errors;
	unsigned n_warnings;
	/* Set by `aigatectl lint`: the loaders add lint-only warnings (an
	 * enterprise endpoint under open tenancy, ...).  Zero for the daemon,
	 * so a reload does not repeat advice meant for list maintainers. */
	bool lint;
};

/* Report an error / a warning at file:line (line 0: no line). */
void diag_error(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A diag that prints "file:line: severity: message" to stderr. */
void diag_init_stderr(struct diag *d);

/* Defaults for installed files. */
#define AIGATE_CONF_PATH AIGATE_SYSCONFDIR "/aigate/aigate.conf"
#define AIGATE_LIST_PATH AIGATE_LOCALSTATEDIR "/lib/aigate/list.conf"
#define AIGATE_CONTRACTS_DIR AIGATE_SYSCONFDIR "/aigate/contracts.d"
#define AIGATE_PUBKEY_PATH AIGATE_SYSCONFDIR "/aigate/list.pub"

/* How a DNS query for a blocked name is answered. */
enum dns_block_answer { DNS_BLOCK_NXDOMAIN = 0, DNS_BLOCK_REFUSED, DNS_BLOCK_SINKHOLE };

/* The daemon's settings from aigate.conf, beside the policy. */
struct daemon_settings {
	unsigned queue_first;          /* first queue number */
	unsigned n_queues;             /* one worker per queue */
	uint32_t queue_maxlen;
	uint32_t rcvbuf_bytes;
	int fail_open;                 /* NFQA_CFG_F_FAIL_OPEN */
	uint32_t mark_allow, mark_block, mark_mask, mark_inject;
	uint16_t tls_ports[16];        /* inspected TLS ports (informative: the rules queue them) */
	unsigned n_tls_ports;
	enum dns_block_answer dns_answer;
	char *ede_text;                /* RFC 8914 extra text */
	struct ip_addr sinkhole_v4, sinkhole_v6;
	uint32_t dns_ttl;
	int tcp_reset;                 /* reset blocked TLS flows */
	char *event_file;              /* NULL: no event file */
	int log_syslog;                /* events also to journald (AIGATE_* fields) */
	unsigned syslog_facility;      /* RFC 5424 facility number (daemon = 3) */
	char *syslog_socket;           /* RFC 5424 datagrams to this unix socket; NULL: none */
	uint32_t fold_window_s;        /* repeats folded within this window */
	int pseudonymize;              /* src_ip as a keyed pseudonym */
	char *pseudonym_key;           /* key file (read at start, as root) */
	uint32_t pseudonym_period_s;   /* pseudonyms change every period; 0: never */
	char *metrics_textfile;        /* Prometheus textfile; NULL: none */
	uint32_t metrics_interval_s;
	char *control_socket;
	char *user;                    /* to drop privileges to */
	uint32_t max_flows;            /* per worker */
	uint32_t flow_idle_s;
	uint32_t max_flow_buffer;      /* bytes per flow */
	uint32_t max_buffer_total;     /* bytes per worker */
};

/* The whole loaded configuration: settings plus the policy snapshot. */
struct aigate_config {
	char *path;                    /* the aigate.conf read, or NULL */
	char *sensor;                  /* host name by default */
	char *list_path;
	char *contracts_dir;
	struct daemon_settings daemon;
	struct policy *policy;         /* owns the list, zones, contracts */
	/* aigate.conf `update` group, for aigatectl update (not the daemon). */
	char *update_url;              /* https:// URL of the list, or NULL */
	char **update_pubkeys;         /* minisign public key files (absolute) */
	size_t n_update_pubkeys;
};

/* The names of endpoints marked `open_tenancy = true` in a list: hosts
 * or suffixes under which anyone can create a resource or an account
 * (<name>.openai.azure.com, regional Bedrock endpoints, ...), so that a
 * service-wide contract, or a contract naming the suffix itself, would
 * allow everybody's resources, not only the agency's.  Filled by
 * config_load_list_ot; list_tenancy_cleanup frees (also on a zeroed
 * struct). */
struct list_tenancy_name {
	char *name;
	char *service;
	enum terms terms;
};
struct list_tenancy {
	struct list_tenancy_name *v;
	size_t n;
};
void list_tenancy_cleanup(struct list_tenancy *t);
/* The entry of `name` in t (compared as written), or NULL. */
const struct list_tenancy_name *list_tenancy_find(const struct list_tenancy *t,
						  const char *name);

/* Load a list from a file, or from DIR/list.conf when `path` is a
 * directory.  Checks names, terms, duplicate services and entries, the
 * same name listed twice with different classes, and required fields.
 * NULL when anything is wrong (every problem reported). */
struct list *config_load_list(const char *path, struct diag *d);

/* config_load_list, also collecting the open-tenancy names into *ot
 * (caller storage, zeroed first; may be NULL).  With d->lint set, each
 * enterprise endpoint marked open_tenancy is reported as a warning.
 * On failure NULL and *ot is left empty. */
struct list *config_load_list_ot(const char *path, struct diag *d, struct list_tenancy *ot);

/* Load one contract file into *out (caller storage, contract_cleanup).
 * `list` (may be NULL) is used to refuse unknown services. */
int config_load_contract(const char *path, const struct list *list,
			 struct contract *out, struct diag *d);

/* config_load_contract that also warns (at the line of the element)
 * when the contract names an open-tenancy name of `ot` as a host, or a
 * service reached through open-tenancy names: such a contract allows
 * resources anyone can create.  Warnings do not make it fail. */
int config_load_contract_ot(const char *path, const struct list *list,
			    const struct list_tenancy *ot, struct contract *out,
			    struct diag *d);
void contract_cleanup(struct contract *c);

/* Load aigate.conf (conf_path may be NULL: built-in defaults), then the
 * list (list_override, or the `list` setting) and every *.conf in the
 * contracts directory (contracts_override, or the `contracts` setting).
 * NULL when anything is wrong; nothing half-loaded is returned. */
struct aigate_config *config_load(const char *conf_path, const char *list_override,
				  const char *contracts_override, struct diag *d);
void config_free(struct aigate_config *c);

/* Only the settings of aigate.conf (conf_path NULL: the defaults): the
 * list and contracts are not loaded, so policy is NULL and list_path /
 * contracts_dir say where they are.  For aigatectl verbs that replace
 * the list (update, rollback) or write contracts, which must work when
 * the installed list is missing or broken.  NULL on any error. */
struct aigate_config *config_load_settings(const char *conf_path, struct diag *d);

/* Parse "YYYY-MM-DD" as the start of that day, UTC (seconds since the
 * epoch); false when not a valid date.  An expiry date covers the whole
 * day: use date_end_of_day for it. */
bool date_parse(const char *s, int64_t *out);
int64_t date_end_of_day(int64_t day_start);

#endif
