/* report_write.h: the writers of `aigatectl report`: the report model
 * of report_agg.h rendered as text (for a terminal or mail), as JSON
 * (the model itself) or as one self-contained HTML page with inline SVG
 * charts.  Every string from the log is treated as hostile: control
 * characters, C1 controls and bidirectional overrides are shown as
 * \xNN / \uNNNN text, and HTML output is entity-escaped. */
#ifndef AIGATE_REPORT_WRITE_H
#define AIGATE_REPORT_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* Each returns false when writing failed (errno from stdio); the
 * stream is not closed.  The model is only read. */
bool report_write_text(FILE *f, json_t *model);
bool report_write_json(FILE *f, json_t *model);
bool report_write_html(FILE *f, json_t *model);

/* Length of an unsafe character starting at p (a C0 or C1 control, DEL,
 * or a bidirectional formatting character U+202A..U+202E,
 * U+2066..U+2069), 0 when it is safe.  *cp receives its code point. */
size_t report_unsafe_at(const char *p, unsigned *cp);

/* Small accessors of the model: 0 / "" / NULL when absent. */
long long rj_int(json_t *o, const char *key);
double rj_real(json_t *o, const char *key, bool *present);
const char *rj_str(json_t *o, const char *key);

#endif
