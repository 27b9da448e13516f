/* fuzz_name.c: normalisation, the matcher and the policy on any name. */
#include <string.h>

#include "event.h"
#include "list.h"
#include "name.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy *policy;

static struct policy *make_policy(void)
{
	static const char *const names[][2] = {
		{ "chatgpt.com", "s" }, { "chat.openai.com", "e" }, { "githubcopilot.com", "s" },
		{ "api.business.githubcopilot.com", "s" }, { "a.b.c.d.e.f", "e" }, { "x", "s" },
	};
	struct list *l = list_new();
	struct list_service svc;
	memset(&svc, 0, sizeof(svc));
	svc.id = strdup("svc");
	svc.name = strdup("Service");
	svc.vendor = strdup("Vendor");
	svc.jurisdiction = strdup("US");
	if (!l || list_add_service(l, &svc, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)list_add_entry(l, 0, names[i][0], names[i][1][0] == 'e',
				     i % 2 ? TERMS_SHARED : TERMS_CONSUMER, 0, NULL);
	if (!list_finish(l))
		return NULL;
	return policy_new(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!policy)
		policy = make_policy();
	char name[NAME_BUF_LEN];
	size_t len;
	uint32_t flags = name_normalize((const char *)data, size, name, &len);
	struct decision d;
	policy_decide(policy, NULL, name, len, 0, &d);
	struct event ev;
	memset(&ev, 0, sizeof(ev));
	ev.name = (const char *)data;
	ev.name_len = size;
	ev.has_name = true;
	ev.decision = &d;
	ev.flags = flags;
	ev.src.family = 4;
	ev.dst.family = 6;
	char buf[2048];
	(void)event_format_json(&ev, buf, sizeof(buf));
	(void)name_is_valid_list_name(name);
	return 0;
}
