/* name.h: normalisation of the names the parsers extract (DNS qnames,
 * SNIs) before they are matched against the list. */
#ifndef AIGATE_NAME_H
#define AIGATE_NAME_H

#include "types.h"

/* Normalise `in` (in_len bytes, any bytes) into `out` (NAME_BUF_LEN):
 * ASCII letters lowercased, one trailing dot removed; IDNs stay A-labels
 * (no Unicode mapping).  Returns the flags found:
 *   FLAG_NAME_ODD_CHARS: a byte outside [a-z0-9-_.] (still copied; such
 *     a name can only match a list entry byte for byte, and list entries
 *     are plain LDH names, so it matches nothing unsafely);
 *   FLAG_NAME_INVALID: empty name, empty label, label over 63 bytes,
 *     name over 253 characters.
 * *out_len receives the length written (<= NAME_MAX_LEN; an over-long
 * input is truncated and flagged invalid).  out is always NUL-terminated. */
uint32_t name_normalize(const char *in, size_t in_len, char *out, size_t *out_len);

/* True when `s` is a valid list name: LDH labels (underscore allowed,
 * no '-' at either end of a label), 1..63 bytes each, total <= 253,
 * lowercase, no trailing dot.  False for NULL. */
bool name_is_valid_list_name(const char *s);

#endif
