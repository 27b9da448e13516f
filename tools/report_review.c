/* report_review.c: the AI-likeness score of unlisted names; see
 * report_review.h for the signals and their weights. */
#include "report_review.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct review_ctx {
	char **parents;    /* sorted, lowercase */
	size_t n;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The registrable-looking parent of a list name: its last two labels,
 * or three when the second-level label is a short generic one under a
 * country code (co.uk, com.cn, ac.jp: at most 3 characters under a
 * 2-letter TLD).  Without the Public Suffix List this is a guess, and
 * only ever adds 1 point. */
static const char *parent_of(const char *name)
{
	size_t len = strlen(name);
	size_t dots[3] = { 0 };
	unsigned nd = 0;
	for (size_t i = len; i-- > 0 && nd < 3;)
		if (name[i] == '.')
			dots[nd++] = i;
	if (nd < 1)
		return NULL;   /* a bare TLD or one label: no parent */
	size_t tld_len = len - dots[0] - 1;
	if (nd >= 2) {
		size_t sld_len = dots[0] - dots[1] - 1;
		if (tld_len == 2 && sld_len <= 3)
			return nd >= 3 ? name + dots[2] + 1 : (dots[1] > 0 ? name : NULL);
		return name + dots[1] + 1;
	}
	return name;
}

struct review_ctx *review_ctx_new(const struct list *l)
{
	struct review_ctx *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	size_t n = l != NULL ? list_n_entries(l) : 0;
	if (n == 0)
		return c;
	c->parents = calloc(n, sizeof *c->parents);
	if (c->parents == NULL) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct list_entry *e = list_entry_at(l, i);
		const char *p = e != NULL ? parent_of(e->name) : NULL;
		if (p == NULL)
			continue;
		if ((c->parents[c->n] = strdup(p)) == NULL) {
			review_ctx_free(c);
			return NULL;
		}
		c->n++;
	}
	qsort(c->parents, c->n, sizeof *c->parents, str_cmp);
	/* Unique. */
	size_t w = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (w > 0 && strcmp(c->parents[w - 1], c->parents[i]) == 0) {
			free(c->parents[i]);
			continue;
		}
		c->parents[w++] = c->parents[i];
	}
	c->n = w;
	return c;
}

void review_ctx_free(struct review_ctx *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->parents[i]);
	free(c->parents);
	free(c);
}

struct signal {
	const char *word;
	int weight;
};

/* Substrings of a label. */
static const struct signal substr_signals[] = {
	{ "gpt", 3 }, { "llm", 3 }, { "copilot", 3 }, { "openai", 3 }, { "anthropic", 3 },
	{ "claude", 3 }, { "gemini", 3 }, { "mistral", 3 }, { "llama", 3 }, { "deepseek", 3 },
	{ "perplexity", 3 }, { "midjourney", 3 }, { "chatbot", 3 }, { "genai", 3 },
	{ "huggingface", 3 },
	{ "chat", 2 }, { "assistant", 2 }, { "inference", 2 }, { "prompt", 2 },
};

/* Whole tokens (labels split at '-' and '_'). */
static const struct signal token_signals[] = {
	{ "ai", 2 }, { "ml", 1 }, { "bot", 1 }, { "agent", 1 }, { "agents", 1 },
};

struct why_buf {
	char *buf;
	size_t cap, len;
};

static void add_why(struct why_buf *w, const char *s)
{
	if (w->buf == NULL || w->cap == 0)
		return;
	if (w->len > 0 && strstr(w->buf, s) != NULL) {
		/* Already named (a word seen in two labels counts once). */
		size_t n = strlen(s);
		for (const char *p = w->buf; (p = strstr(p, s)) != NULL; p++)
			if ((p == w->buf || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
				return;
	}
	int n = snprintf(w->buf + w->len, w->cap - w->len, "%s%s", w->len > 0 ? "," : "", s);
	if (n > 0)
		w->len += (size_t)n < w->cap - w->len ? (size_t)n : w->cap - w->len - 1;
}

int review_score(const struct review_ctx *c, const char *name, char *why, size_t cap)
{
	char low[1024];
	size_t len = 0;
	struct why_buf w = { why, cap, 0 };
	int score = 0;
	unsigned used_substr = 0, used_token = 0;  /* each signal counts once per name */

	if (why != NULL && cap > 0)
		why[0] = '\0';
	for (; name[len] != '\0' && len < sizeof low - 1; len++)
		low[len] = (char)tolower((unsigned char)name[len]);
	low[len] = '\0';
	while (len > 0 && low[len - 1] == '.')
		low[--len] = '\0';

	const char *tld = strrchr(low, '.');
	if (tld != NULL && strcmp(tld, ".ai") == 0) {
		score += 2;
		add_why(&w, ".ai");
	}
	/* Every label but the TLD. */
	const char *end_of_labels = tld != NULL ? tld : low + len;
	for (const char *lab = low; lab < end_of_labels;) {
		const char *dot = memchr(lab, '.', (size_t)(end_of_labels - lab));
		size_t ll = dot != NULL ? (size_t)(dot - lab) : (size_t)(end_of_labels - lab);
		char label[256];
		if (ll >= sizeof label)
			ll = sizeof label - 1;
		memcpy(label, lab, ll);
		label[ll] = '\0';
		for (unsigned i = 0; i < sizeof substr_signals / sizeof substr_signals[0]; i++)
			if (!(used_substr & (1u << i)) && strstr(label, substr_signals[i].word) != NULL) {
				used_substr |= 1u << i;
				score += substr_signals[i].weight;
				add_why(&w, substr_signals[i].word);
			}
		for (char *tok = label; *tok != '\0';) {
			size_t tl = strcspn(tok, "-_");
			for (unsigned i = 0; i < sizeof token_signals / sizeof token_signals[0]; i++)
				if (!(used_token & (1u << i)) && strlen(token_signals[i].word) == tl &&
				    memcmp(tok, token_signals[i].word, tl) == 0) {
					used_token |= 1u << i;
					score += token_signals[i].weight;
					add_why(&w, token_signals[i].word);
				}
			tok += tl;
			if (*tok != '\0')
				tok++;
		}
		lab += ll + 1;
		if (dot == NULL)
			break;
	}
	if (c != NULL && c->n > 0) {
		/* Under a parent: the name is that parent or ends with ".parent". */
		for (const char *p = low; p != NULL; p = strchr(p, '.') != NULL ? strchr(p, '.') + 1 : NULL) {
			const char *key = p;
			if (bsearch(&key, c->parents, c->n, sizeof *c->parents, str_cmp) != NULL) {
				score += 1;
				char tmp[sizeof low + 8];
				snprintf(tmp, sizeof tmp, "under %s", p);
				add_why(&w, tmp);
				break;
			}
		}
	}
	return score;
}
