/* report_review.h: does an unlisted name look like a generative-AI
 * service?  The "names to review" section of `aigatectl report` gives
 * the list maintainers candidates, ranked; a person decides.
 *
 * The score adds up signals (weights in report_review.c, documented in
 * docs/siem.md):
 *   3  a label contains gpt, llm, copilot, or a well-known model or AI
 *      vendor word (openai, anthropic, claude, gemini, mistral, llama,
 *      deepseek, perplexity, midjourney, chatbot, genai, huggingface)
 *   2  a label contains chat, assistant, inference or prompt; a label or
 *      a '-'/'_'-separated token is exactly "ai"; the top-level domain
 *      is .ai
 *   1  a token is exactly ml, bot, agent or agents; the name lies under
 *      the parent domain of a listed endpoint (e.g. an unlisted host of
 *      a vendor whose other hosts are on the list)
 * A name is a candidate at REVIEW_MIN_SCORE or more, so a parent domain
 * alone (say www.google.com, a parent of gemini.google.com) is not. */
#ifndef AIGATE_REPORT_REVIEW_H
#define AIGATE_REPORT_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "list.h"

#define REVIEW_MIN_SCORE 2

struct review_ctx;

/* The parent domains of the list's entries (NULL list: none).  NULL
 * when out of memory.  review_ctx_free: NULL is fine. */
struct review_ctx *review_ctx_new(const struct list *l);
void review_ctx_free(struct review_ctx *c);

/* Score a name (as events write it; compared case-insensitively).
 * When why is not NULL, the matched signals are written there as a
 * comma-separated list (truncated to cap, NUL-terminated).  ctx may be
 * NULL (no parent-domain signal).  Never fails. */
int review_score(const struct review_ctx *c, const char *name, char *why, size_t cap);

#endif
