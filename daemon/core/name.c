/* name.c: normalisation of extracted names (DNS qnames, SNIs) and the
 * check of list names.  Input bytes are read through a bytes cursor;
 * case folding is plain ASCII arithmetic, never the C locale, so that a
 * Turkish or any other locale cannot change what matches. */
#include "name.h"

#include <string.h>

#include "bytes.h"

/* RFC 1035 s2.3.4: labels are at most 63 octets. */
#define LABEL_MAX_LEN 63

static uint8_t ascii_lower(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (uint8_t)(c - 'A' + 'a');
	return c;
}

/* Letters, digits, hyphen, underscore (service labels such as _dns). */
static bool is_ldh_or_underscore(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Not reachable (the views above are always long enough); kept so that
 * every cursor result is checked. */
static uint32_t name_fail(char *out, size_t *out_len)
{
	out[0] = '\0';
	if (out_len != NULL)
		*out_len = 0;
	return FLAG_NAME_INVALID;
}

uint32_t name_normalize(const char *in, size_t in_len, char *out, size_t *out_len)
{
	struct bytes b = bytes_make(in, in == NULL ? 0 : in_len);
	struct bytes head;
	uint32_t flags = 0;
	size_t n = 0;
	size_t label_len = 0;
	uint8_t c;

	/* One trailing dot is the DNS root: "example.com." is "example.com". */
	if (b.len > 0 && bytes_peek_u8(&b, b.len - 1, &c) && c == '.') {
		if (!bytes_get_bytes(&b, b.len - 1, &head))
			return name_fail(out, out_len);
		b = head;
	}
	if (b.len > NAME_MAX_LEN) {
		/* Keep the first NAME_MAX_LEN bytes, so the output always fits. */
		flags |= FLAG_NAME_INVALID;
		if (!bytes_get_bytes(&b, NAME_MAX_LEN, &head))
			return name_fail(out, out_len);
		b = head;
	}
	while (bytes_get_u8(&b, &c)) {
		c = ascii_lower(c);
		if (c == '.') {
			if (label_len == 0)
				flags |= FLAG_NAME_INVALID;
			label_len = 0;
		} else {
			if (!is_ldh_or_underscore(c))
				flags |= FLAG_NAME_ODD_CHARS;
			if (++label_len > LABEL_MAX_LEN)
				flags |= FLAG_NAME_INVALID;
		}
		out[n++] = (char)c;
	}
	/* Covers the empty name and a name ending in an empty label ("a.."). */
	if (label_len == 0)
		flags |= FLAG_NAME_INVALID;
	out[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	return flags;
}

bool name_is_valid_list_name(const char *s)
{
	if (s == NULL)
		return false;
	size_t len = 0;
	size_t label_len = 0;
	uint8_t prev = '.';
	struct bytes b = bytes_make(s, strlen(s));
	uint8_t c;

	if (b.len == 0 || b.len > NAME_MAX_LEN)
		return false;
	while (bytes_get_u8(&b, &c)) {
		len++;
		if (c == '.') {
			/* Empty label, or a label ending in '-'. */
			if (label_len == 0 || prev == '-')
				return false;
			label_len = 0;
		} else {
			if (!is_ldh_or_underscore(c))
				return false;
			/* RFC 952/1123: a label does not start with '-'. */
			if (label_len == 0 && c == '-')
				return false;
			if (++label_len > LABEL_MAX_LEN)
				return false;
		}
		prev = c;
	}
	return label_len > 0 && prev != '-' && len <= NAME_MAX_LEN;
}
