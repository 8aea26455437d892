/* json.h - a small JSON text builder (meta values, --json output).
 *
 * Strings are escaped for any byte: control characters as \u00XX. A
 * string that is not valid UTF-8 is written one of two ways:
 *  - by default (meta values: the session format, docs/FORMAT.md) each
 *    byte that is not part of a valid sequence as \u00XX of the byte;
 *  - with j->lossless set (what ebpfreport outputs) in the exports'
 *    lossless encoding (fmt_row.h): \xHH per such byte, \\ per
 *    backslash, then a NUL mark, so it cannot be mistaken for text.
 * Allocation failure leaves j->oom set and json_take() returns NULL.
 */
#ifndef FMT_JSON_H
#define FMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	char *buf;
	size_t len, cap;
	int oom;
	int need_comma;
	int lossless; /* strings in the exports' encoding (see above) */
};

void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
/* An array of n strings (argv, a list of names). */
void json_str_array(struct json *j, const char *const *v, size_t n);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* n bytes of JSON text made elsewhere, as one value */
void json_raw(struct json *j, const char *text, size_t n);
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);
/* @return the text (malloc'd, caller frees) and reset j; NULL on oom */
char *json_take(struct json *j);
/* Write the text to f and reset j. @return 0 or -1 on a write error. */
int json_flush(struct json *j, FILE *f);
void json_reset(struct json *j);
/* Free the buffer (j can be used again). */
void json_free(struct json *j);

#endif
