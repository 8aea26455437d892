/* json.c - see json.h. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_row.h"
#include "json.h"

static void put(struct json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->cap - j->len < n + 1) {
		size_t cap = j->cap ? j->cap : 256;
		char *p;
		while (cap - j->len < n + 1)
			cap *= 2;
		p = realloc(j->buf, cap);
		if (!p) {
			j->oom = 1;
			return;
		}
		j->buf = p;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = 0;
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void value_start(struct json *j)
{
	if (j->need_comma)
		put(j, ",", 1);
	j->need_comma = 1;
}

void json_begin_object(struct json *j)
{
	value_start(j);
	put(j, "{", 1);
	j->need_comma = 0;
}

void json_end_object(struct json *j)
{
	put(j, "}", 1);
	j->need_comma = 1;
}

void json_begin_array(struct json *j)
{
	value_start(j);
	put(j, "[", 1);
	j->need_comma = 0;
}

void json_end_array(struct json *j)
{
	put(j, "]", 1);
	j->need_comma = 1;
}

/* Length of a valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static int utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80)
		return 2;
	if (s[0] >= 0xe0 && s[0] <= 0xef && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* s[0..len) as a JSON string: runs of plain bytes are copied at once;
 * meta: invalid UTF-8 bytes as \u00XX of the byte */
static void str_escaped(struct json *j, const unsigned char *s, size_t len, int meta)
{
	size_t i = 0, run = 0;
	char esc[8];

	put(j, "\"", 1);
	while (i < len) {
		int n = s[i] < 0x80 ? 1 : meta ? utf8_len(s + i) : 1;
		if (s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && n) {
			i += (size_t)n;
			continue;
		}
		put(j, (const char *)s + run, i - run);
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\', esc[1] = (char)s[i];
			put(j, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
			put(j, esc, 6);
		}
		run = ++i;
	}
	put(j, (const char *)s + run, len - run);
	put(j, "\"", 1);
}

void json_str(struct json *j, const char *str)
{
	const char *s = str ? str : "";
	size_t len = strlen(s);

	value_start(j);
	if (j->lossless) {
		char *enc = NULL;
		size_t cap = 0;
		const char *e = fmt_str_export(s, &len, &enc, &cap);
		if (e)
			str_escaped(j, (const unsigned char *)e, len, 0);
		else
			j->oom = 1;
		free(enc);
		return;
	}
	str_escaped(j, (const unsigned char *)s, len, 1);
}

void json_str_array(struct json *j, const char *const *v, size_t n)
{
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		json_str(j, v[i]);
	json_end_array(j);
}

void json_key(struct json *j, const char *key)
{
	json_str(j, key);
	put(j, ":", 1);
	j->need_comma = 0;
}

void json_u64(struct json *j, uint64_t v)
{
	char b[24];
	value_start(j);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	puts_(j, b);
}

void json_i64(struct json *j, int64_t v)
{
	char b[24];
	value_start(j);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(j, b);
}

void json_double(struct json *j, double v)
{
	char b[40];
	value_start(j);
	if (!isfinite(v))
		puts_(j, "null");
	else {
		snprintf(b, sizeof(b), "%.17g", v);
		puts_(j, b);
	}
}

void json_bool(struct json *j, bool v)
{
	value_start(j);
	puts_(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	value_start(j);
	puts_(j, "null");
}

void json_raw(struct json *j, const char *text, size_t n)
{
	value_start(j);
	put(j, text, n);
}

void json_kv_str(struct json *j, const char *k, const char *s)
{
	json_key(j, k);
	json_str(j, s);
}

void json_kv_u64(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_u64(j, v);
}

void json_kv_i64(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_i64(j, v);
}

void json_kv_double(struct json *j, const char *k, double v)
{
	json_key(j, k);
	json_double(j, v);
}

void json_kv_bool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

void json_reset(struct json *j)
{
	j->len = 0;
	j->need_comma = 0;
	if (j->buf)
		j->buf[0] = 0;
}

char *json_take(struct json *j)
{
	char *s = j->oom ? NULL : j->buf;
	int lossless = j->lossless;

	if (j->oom)
		free(j->buf);
	else if (!s)
		s = strdup("");
	*j = (struct json){ .lossless = lossless };
	return s;
}

int json_flush(struct json *j, FILE *f)
{
	int rc = 0;

	if (j->oom || (j->len && fwrite(j->buf, 1, j->len, f) != j->len))
		rc = -1;
	j->oom = 0;
	json_reset(j);
	return rc;
}

void json_free(struct json *j)
{
	int lossless = j->lossless;

	free(j->buf);
	*j = (struct json){ .lossless = lossless };
}
