/* fuzz_inspect.c: the whole inspection entry point fed a sequence of IP
 * packets (2-byte length before each) of any number of flows, under a
 * small policy, with a small flow table so that eviction is reached. */
#include <string.h>

#include "inspect.h"
#include "list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy *make_policy(void)
{
	struct list *l = list_new();
	struct list_service svc;
	memset(&svc, 0, sizeof(svc));
	svc.id = strdup("chatgpt");
	svc.name = strdup("ChatGPT");
	svc.vendor = strdup("OpenAI");
	svc.jurisdiction = strdup("US");
	if (!l || list_add_service(l, &svc, NULL) < 0)
		return NULL;
	(void)list_add_entry(l, 0, "chatgpt.com", false, TERMS_SHARED, 0, NULL);
	(void)list_add_entry(l, 0, "www.google.com", true, TERMS_CONSUMER, 0, NULL);
	if (!list_finish(l))
		return NULL;
	return policy_new(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy *policy;
	if (!policy)
		policy = make_policy();
	static const uint8_t seed[16] = { 1, 2, 3 };
	struct inspect_limits lim = { .max_flows = 8, .max_flow_buffer = 4096,
				      .max_buffer_total = 16384, .max_undecided_packets = 6 };
	struct inspector *in = inspector_new(&lim, seed);
	static struct inspect_result res;
	struct bytes b = bytes_make(data, size), pkt;
	int64_t now = 1700000000000000;
	/* Half of the inputs with the daemon's checksum verification on. */
	struct inspect_meta meta = { .csum_verify = size > 0 && (data[size - 1] & 1) };
	while (bytes_get_prefixed_u16(&b, &pkt)) {
		inspect_packet_meta(in, policy, pkt, &meta, now, &res);
		/* What the worker relies on. */
		if (res.n_names > INSPECT_MAX_NAMES || (res.bad_checksum && res.n_names > 0))
			__builtin_trap();
		for (unsigned i = 0; i < res.n_names; i++)
			if (res.names[i].decision.action > res.action)
				__builtin_trap();
		now += 1000;
	}
	inspector_free(in);
	return 0;
}
