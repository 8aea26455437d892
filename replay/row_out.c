/* row_out.c - see row_out.h. Everything is appended to an obuf in runs
 * (a run of plain bytes is one memcpy), numbers are formatted by hand:
 * this is the inner loop of a multi-gigabyte export. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "plain_run.h"
#include "row_out.h"

/* JSON: 0 = copy, else the escape's second character ('u' = \u00XX) */
static const char json_esc[256] = {
	['\0'] = 'u', [1] = 'u',  [2] = 'u',  [3] = 'u',  [4] = 'u',  [5] = 'u',  [6] = 'u',
	[7] = 'u',    [8] = 'b',  [9] = 't',  [10] = 'n', [11] = 'u', [12] = 'f', [13] = 'r',
	[14] = 'u',   [15] = 'u', [16] = 'u', [17] = 'u', [18] = 'u', [19] = 'u', [20] = 'u',
	[21] = 'u',   [22] = 'u', [23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u', [27] = 'u',
	[28] = 'u',   [29] = 'u', [30] = 'u', [31] = 'u', ['"'] = '"', ['\\'] = '\\',
};

/* s[0..len) as the contents of a JSON string (valid UTF-8 assumed) */
static void json_escape(struct obuf *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	if (obuf_room(o, 6 * len + 2))
		return;
	char *p = o->buf + o->len;
	*p++ = '"';
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		char e = json_esc[c];
		if (!e) {
			i++;
			continue;
		}
		memcpy(p, s + run, i - run);
		p += i - run;
		*p++ = '\\';
		*p++ = e;
		if (e == 'u') {
			*p++ = '0', *p++ = '0';
			*p++ = hex[c >> 4], *p++ = hex[c & 15];
		}
		run = ++i;
	}
	memcpy(p, s + run, len - run);
	p += len - run;
	*p++ = '"';
	o->len = (size_t)(p - o->buf);
}

/* The export form of s (fmt_str_export), encoded in w->tmp if need be;
 * memory running out marks o, which the row goes into. */
static const char *encoded(struct row_out *w, struct obuf *o, const char *s, size_t *len)
{
	const char *e = fmt_str_export(s, len, &w->tmp.buf, &w->tmp.cap);

	if (!e) {
		o->err = 1;
		*len = 0;
		return "";
	}
	return e;
}

void row_json_str(struct row_out *w, struct obuf *o, const char *s, size_t len)
{
	s = encoded(w, o, s, &len);
	json_escape(o, s, len);
}

/* A NUL-terminated string as JSON: one pass for the usual printable ASCII
 * string (copied at once), the general path for anything else. */
static void json_cstr(struct row_out *w, struct obuf *o, const char *s)
{
	size_t n = plain_run(s, false);

	if (s[n]) {
		row_json_str(w, o, s, n + strlen(s + n));
		return;
	}
	if (obuf_room(o, n + 2))
		return;
	char *d = o->buf + o->len;
	*d++ = '"';
	memcpy(d, s, n);
	d[n] = '"';
	o->len += n + 2;
}

/* An array of strings as JSON into o. Uses w->tmp for encoded elements:
 * o must not be w->tmp. */
static void json_strs(struct row_out *w, struct obuf *o, const char *const *v, uint32_t n)
{
	obuf_putc(o, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			obuf_putc(o, ',');
		json_cstr(w, o, v[i]);
	}
	obuf_putc(o, ']');
}

/* An IPv6 address as inet_ntop writes it (RFC 5952: lowercase, the
 * longest run of two or more zero groups as ::), for the common case.
 * @return 0, or -1 for the forms with an IPv4 tail (::ffff:a.b.c.d,
 * ::a.b.c.d) left to inet_ntop. */
static int ipv6_text(char *buf, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned g[8];
	int best = -1, bestlen = 0, i;
	char *p = buf;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8;) {
		int j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen && j - i >= 2)
			best = i, bestlen = j - i;
		i = j > i ? j : i + 1;
	}
	if (best == 0 && (bestlen == 6 || (bestlen == 5 && g[5] == 0xffff)))
		return -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			if (i + bestlen == 8)
				*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		if (i)
			*p++ = ':';
		int started = 0;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = g[i] >> sh & 15;
			if (d || started || !sh) {
				*p++ = hex[d];
				started = 1;
			}
		}
	}
	if (best == 0 && bestlen == 8)
		p = buf + 2;
	*p = 0;
	return 0;
}

static void addr_text(struct obuf *o, const struct fmt_value *v)
{
	char buf[INET6_ADDRSTRLEN];

	if (obuf_room(o, sizeof(buf)))
		return;
	if (v->addr.family == 4) {
		char *p = o->buf + o->len;
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p += obuf_fmt_u64(p, v->addr.bytes[i]);
		}
		o->len = (size_t)(p - o->buf);
		return;
	}
	if (ipv6_text(buf, v->addr.bytes))
		inet_ntop(AF_INET6, v->addr.bytes, buf, sizeof(buf));
	obuf_put(o, buf, strlen(buf));
}

static void key(struct obuf *o, const char *name, int first)
{
	size_t n = strlen(name);

	if (obuf_room(o, n + 4))
		return;
	char *p = o->buf + o->len;
	if (!first)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, name, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	o->len = (size_t)(p - o->buf);
}

/* ,"name": for each column of stream s */
static void make_keys(struct row_out *w, enum fmt_stream s)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(s, &n);

	for (unsigned i = 0; i < n; i++) {
		int len = snprintf(w->key[s][i], sizeof(w->key[s][i]), ",\"%s\":", c[i].name);
		w->keylen[s][i] = (uint8_t)len;
	}
	w->keyed[s] = true;
}

/* A CSV field: quoted when empty (an empty string, not null) or when it
 * holds a comma, a quote, a line break or the encoding's NUL mark. */
static void csv_field(struct obuf *o, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ',' || c == '"' || c == '\n' || c == '\r' || c == 0)
			break;
	}
	if (len && i == len) {
		obuf_put(o, s, len);
		return;
	}
	if (obuf_room(o, 2 * len + 2))
		return;
	char *p = o->buf + o->len;
	*p++ = '"';
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	o->len = (size_t)(p - o->buf);
}

/* A NUL-terminated string as a CSV field: one pass for the usual ASCII
 * string that needs no quotes (copied at once), the general path (the
 * lossless encoding, quotes) for anything else. */
static void csv_cstr(struct row_out *w, struct obuf *o, const char *s)
{
	size_t n = plain_run(s, true);

	if (s[n] || !n) { /* a special byte, or the empty string (quoted) */
		size_t len = n + strlen(s + n);
		const char *e = encoded(w, o, s, &len);
		csv_field(o, e, len);
		return;
	}
	obuf_put(o, s, n);
}

/* An array of strings as a JSON array in a CSV field (quoted, its quotes
 * doubled): elements that need no JSON escape written straight, the
 * others made as JSON in w->arr first. */
static void csv_json_strs(struct row_out *w, struct obuf *o, const char *const *v, uint32_t n)
{
	if (!n) { /* no quote to quote */
		obuf_put(o, "[]", 2);
		return;
	}
	obuf_put(o, "\"[", 2);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = plain_run(v[i], false);
		if (obuf_room(o, len + 5))
			return;
		if (i)
			o->buf[o->len++] = ',';
		if (!v[i][len]) { /* printable ASCII, no quote or backslash */
			char *d = o->buf + o->len;
			d[0] = d[1] = '"';
			memcpy(d + 2, v[i], len);
			d[len + 2] = d[len + 3] = '"';
			o->len += len + 4;
			continue;
		}
		w->arr.len = 0;
		json_cstr(w, &w->arr, v[i]);
		if (w->arr.err || obuf_room(o, 2 * w->arr.len)) {
			o->err = 1;
			return;
		}
		char *d = o->buf + o->len;
		for (size_t k = 0; k < w->arr.len; k++) {
			if (w->arr.buf[k] == '"')
				*d++ = '"';
			*d++ = w->arr.buf[k];
		}
		o->len = (size_t)(d - o->buf);
	}
	obuf_put(o, "]\"", 2);
}

/* A value of no fixed most length, not null: a string, strings, an
 * address or a name, in JSON (quoted) or as a CSV field. Inlined into each
 * column loop: one call and one test of json fewer per value. */
static inline __attribute__((always_inline)) void
value(struct row_out *w, struct obuf *o, const struct fmt_column *c, const struct fmt_value *v,
      bool json)
{
	switch (c->type) {
	case FMT_COL_STR:
		if (json) {
			json_cstr(w, o, v->s);
			break;
		}
		csv_cstr(w, o, v->s);
		break;
	case FMT_COL_STRS:
		if (json) {
			json_strs(w, o, v->strs.v, v->strs.n);
			break;
		}
		csv_json_strs(w, o, v->strs.v, v->strs.n);
		break;
	default: /* FMT_COL_ADDR, FMT_COL_ENUM */
		if (json)
			obuf_putc(o, '"');
		if (c->type == FMT_COL_ADDR)
			addr_text(o, v);
		else
			obuf_put(o, c->names[v->u], strlen(c->names[v->u]));
		if (json)
			obuf_putc(o, '"');
	}
}

/* The types scalar_at writes: the others have no fixed most length */
static inline bool fixed(enum fmt_col_type t)
{
	switch (t) { /* no default: -Wswitch names a type added later */
	case FMT_COL_U8:
	case FMT_COL_U16:
	case FMT_COL_U32:
	case FMT_COL_U64:
	case FMT_COL_I32:
	case FMT_COL_BOOL:
	case FMT_COL_TIME:
		return true;
	case FMT_COL_STR:
	case FMT_COL_STRS:
	case FMT_COL_ADDR:
	case FMT_COL_ENUM:
		break;
	}
	return false;
}

/* The room a column takes at most when its value is fixed(): a key of up
 * to 32 bytes (copied whole), a time's 32 (fmt_row_time's buffer) and its
 * quotes; 20 digits and a sign */
#define COL_ROOM 72

/* A number, a bool or a time (fixed() types), not null, at p with
 * COL_ROOM bytes of room: no room check per value. @return its end */
static inline __attribute__((always_inline)) char *
scalar_at(struct row_out *w, char *p, enum fmt_col_type t, const struct fmt_value *v, bool json)
{
	switch (t) {
	case FMT_COL_I32:
		return p + obuf_fmt_i64(p, v->i);
	case FMT_COL_BOOL:
		memcpy(p, v->u ? "true" : "false", 5);
		return p + (v->u ? 4 : 5);
	case FMT_COL_TIME:
		if (json)
			*p++ = '"';
		fmt_row_time(p, v->u, &w->tc);
		p += 24;
		if (json)
			*p++ = '"';
		return p;
	default:
		return p + obuf_fmt_u64(p, v->u);
	}
}

/* Where the column loops write: a cursor of their own (stores through it
 * do not make the compiler reload o's fields), given back to o before o is
 * used and taken again after */
struct cursor {
	char *p, *end;
};

static inline void cur_take(struct cursor *k, struct obuf *o)
{
	k->p = o->buf + o->len;
	k->end = o->buf + o->cap;
}

static inline void cur_give(struct cursor *k, struct obuf *o)
{
	o->len = (size_t)(k->p - o->buf);
}

/* COL_ROOM bytes at the cursor. @return 0, or -1 (o->err set) */
static inline int cur_room(struct cursor *k, struct obuf *o)
{
	if (k->end - k->p >= COL_ROOM)
		return 0;
	cur_give(k, o);
	if (obuf_room(o, COL_ROOM))
		return -1;
	cur_take(k, o);
	return 0;
}

/* Columns [from, to) of r as "name":value pairs, each after a comma but
 * the row's first (*first set) */
static void json_cols(struct row_out *w, struct obuf *o, const struct fmt_row *r, unsigned from,
		      unsigned to, int *first)
{
	unsigned ncol;
	const struct fmt_column *c = fmt_row_columns(r->stream, &ncol);
	struct cursor k;
	/* in locals: what the loop stores through k.p could alias them */
	unsigned end = to < r->n ? to : r->n, skip = (unsigned)*first; /* the first's comma */
	const char(*key)[40] = w->key[r->stream];
	const uint8_t *keylen = w->keylen[r->stream];

	if (!w->keyed[r->stream])
		make_keys(w, r->stream);
	if (from < end)
		*first = 0;
	cur_take(&k, o);
	for (unsigned i = from; i < end; i++, skip = 0) {
		const struct fmt_value *v = &r->v[i];
		if (cur_room(&k, o))
			return;
		/* a fixed-size copy (inlined), then only the key's length counts */
		memcpy(k.p, key[i] + skip, 32);
		k.p += keylen[i] - skip;
		if (v->null) {
			memcpy(k.p, "null", 4);
			k.p += 4;
		} else if (fixed(c[i].type)) {
			k.p = scalar_at(w, k.p, c[i].type, v, true);
		} else {
			cur_give(&k, o);
			value(w, o, &c[i], v, true);
			cur_take(&k, o);
		}
	}
	cur_give(&k, o);
}

static void json_head(struct row_out *w, struct obuf *o, const char *type, const char *file,
		      int *first)
{
	obuf_putc(o, '{');
	if (type) {
		key(o, "type", *first);
		json_escape(o, type, strlen(type));
		*first = 0;
	}
	if (file) {
		key(o, "file", *first);
		row_json_str(w, o, file, strlen(file));
		*first = 0;
	}
}

void row_jsonl(struct row_out *w, const struct fmt_row *r, const char *type, const char *file)
{
	int first = 1;

	json_head(w, w->o, type, file, &first);
	json_cols(w, w->o, r, 0, r->n, &first);
	obuf_put(w->o, "}\n", 2);
}

void row_csv_header(struct obuf *o, enum fmt_stream s, bool file)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(s, &n);

	if (file)
		obuf_put(o, "file,", 5);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			obuf_putc(o, ',');
		obuf_put(o, c[i].name, strlen(c[i].name));
	}
	obuf_putc(o, '\n');
}

/* Columns [from, to) of r as CSV fields, each after a comma but the first
 * column */
static void csv_cols(struct row_out *w, struct obuf *o, const struct fmt_row *r, unsigned from,
		     unsigned to)
{
	unsigned ncol;
	const struct fmt_column *c = fmt_row_columns(r->stream, &ncol);
	struct cursor k;
	unsigned end = to < r->n ? to : r->n; /* a local: stores through k.p could alias r */

	cur_take(&k, o);
	for (unsigned i = from; i < end; i++) {
		const struct fmt_value *v = &r->v[i];
		if (cur_room(&k, o))
			return;
		if (i)
			*k.p++ = ',';
		if (v->null)
			continue;
		if (fixed(c[i].type)) {
			k.p = scalar_at(w, k.p, c[i].type, v, false);
			continue;
		}
		cur_give(&k, o);
		value(w, o, &c[i], v, false);
		cur_take(&k, o);
	}
	cur_give(&k, o);
}

static void csv_file(struct row_out *w, struct obuf *o, const char *file)
{
	size_t len = strlen(file);
	const char *s = encoded(w, o, file, &len);

	csv_field(o, s, len);
	obuf_putc(o, ',');
}

void row_csv(struct row_out *w, const struct fmt_row *r, const char *file)
{
	if (file)
		csv_file(w, w->o, file);
	csv_cols(w, w->o, r, 0, r->n);
	obuf_putc(w->o, '\n');
}

/* ---- rendered once per dictionary entry ---------------------------------- */

/* A value that renders the same text whenever it is the same number */
static bool scalar(const struct fmt_column *c)
{
	return fixed(c->type) || c->type == FMT_COL_ENUM;
}

/* The runs of consecutive columns of stream s that follow from one
 * dictionary entry, into w->run[s]; the scalars before them (the row's
 * own) into w->nlead[s] */
static void dict_runs(struct row_out *w, enum fmt_stream s)
{
	unsigned n, k = 0, i = 0;
	const struct fmt_column *c = fmt_row_columns(s, &n);

	while (i < n && c[i].by == FMT_BY_RECORD && scalar(&c[i]))
		i++;
	w->nlead[s] = (uint8_t)i;
	for (i = 1; i < n && k < 4;) { /* column 0 (ts_ns) is a record's own */
		if (c[i].by == FMT_BY_RECORD) {
			i++;
			continue;
		}
		w->run[s][k][0] = (uint8_t)i;
		while (i < n && c[i].by == c[w->run[s][k][0]].by)
			i++;
		w->run[s][k++][1] = (uint8_t)i;
	}
	w->nrun[s] = (uint8_t)k;
	w->ran[s] = true;
}

/* The dictionary id of the record at j whose entry the runs follow from,
 * and the dictionary's size; NULL if b has none for them */
static const uint32_t *dict_ids(const struct fmt_batch *b, enum fmt_stream s, uint32_t *ndict)
{
	if (fmt_batch_stream(b) != s)
		return NULL;
	if (s == FMT_STREAM_FLOW)
		return fmt_batch_flow_key_ids(b, ndict);
	if (s == FMT_STREAM_EXEC)
		return fmt_batch_exec_cmd_ids(b, ndict);
	return NULL;
}

/* The memo of batch b (kind 0 JSON, 1 CSV) with room for n entries:
 * found, else the least recently used one emptied. NULL on oom. */
static struct row_memo *memo_of(struct row_out *w, int kind, const struct fmt_batch *b, size_t n)
{
	uint64_t serial = fmt_batch_serial(b);
	struct row_memo *m = &w->memo[kind][0];

	for (int i = 0; i < ROW_MEMOS; i++) {
		struct row_memo *x = &w->memo[kind][i];
		if (x->serial == serial && x->cap >= n) {
			x->used = ++w->clock;
			return x;
		}
		if (x->used < m->used)
			m = x;
	}
	if (n > m->cap) {
		size_t *off = realloc(m->off, n * sizeof(*off));
		size_t *len = off ? realloc(m->len, n * sizeof(*len)) : NULL;
		if (off)
			m->off = off;
		if (!len)
			return NULL;
		m->len = len;
		m->cap = n;
	}
	memset(m->len, 0, n * sizeof(*m->len));
	m->text.len = 0;
	m->serial = serial;
	m->used = ++w->clock;
	return m;
}

/* Columns [from, to) of r as JSON pairs (kind 0) or CSV fields (kind 1) */
static void cols(struct row_out *w, struct obuf *o, const struct fmt_row *r, unsigned from,
		 unsigned to, int kind, int *first)
{
	if (kind)
		csv_cols(w, o, r, from, to);
	else
		json_cols(w, o, r, from, to, first);
}

/* Columns [0, nlead) of r, the row's leading scalars (kind 0 JSON, 1
 * CSV): copied when they hold the values last kept, else rendered and
 * kept while that pays (the copy kept before was used, or 64 rows went
 * by), else left to be rendered with the rest of the row: execs, whose
 * times all differ, pay one comparison. @return the column after them, 0
 * if they are not taken */
static unsigned lead(struct row_out *w, const struct fmt_row *r, int kind, int *first)
{
	unsigned n = w->nlead[r->stream], i = 0;
	struct row_lead *l = &w->lead[r->stream][kind];
	int key = 1 + (first && *first);
	size_t start = w->o->len;

	if (n < 2 || n > r->n)
		return 0;
	if (l->key == key) {
		while (i < n && r->v[i].null == l->null[i] && (l->null[i] || r->v[i].u == l->u[i]))
			i++;
		if (i == n) {
			obuf_put(w->o, l->text, l->len);
			if (first)
				*first = 0;
			l->used = true;
			return n;
		}
	}
	if (!l->used && ++l->misses < 64)
		return 0; /* not kept: rendered in one go with the rest of the row */
	cols(w, w->o, r, 0, n, kind, first);
	if (!w->o->err && w->o->len - start <= sizeof(l->text)) {
		l->len = (uint16_t)(w->o->len - start);
		memcpy(l->text, w->o->buf + start, l->len);
		for (i = 0; i < n; i++) {
			l->null[i] = r->v[i].null;
			l->u[i] = r->v[i].null ? 0 : r->v[i].u;
		}
		l->key = key;
		l->used = false;
		l->misses = 0;
	}
	return n;
}

/* Render the row's columns from col on a run at a time: the runs that
 * follow from the record's dictionary entry from the memo, the rest as
 * usual. @return 0, or -1 (nothing written) if there is no memo to use:
 * the caller renders the rest of the row */
static int runs_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b,
		   uint32_t j, int kind, int *first, unsigned col)
{
	unsigned nrun;
	uint32_t ndict;
	const uint32_t *ids;
	struct row_memo *m;
	size_t start = w->o->len;
	int was_first = first ? *first : 0;

	if (!b || !(nrun = w->nrun[r->stream]) || !(ids = dict_ids(b, r->stream, &ndict)) ||
	    j >= fmt_batch_count(b) || ids[j] >= ndict ||
	    /* entries used twice on average, else rendering them aside costs
	     * more than it saves (command lines that are each run once) */
	    (uint64_t)ndict * 2 > fmt_batch_count(b) ||
	    !(m = memo_of(w, kind, b, (size_t)ndict * nrun)))
		return -1;
	const uint8_t(*run)[2] = w->run[r->stream];
	for (unsigned k = 0; k < nrun; k++) {
		size_t e = (size_t)ids[j] * nrun + k;
		cols(w, w->o, r, col, run[k][0], kind, first);
		if (!m->len[e]) {
			int not_first = 0;
			m->off[e] = m->text.len;
			cols(w, &m->text, r, run[k][0], run[k][1], kind, &not_first);
			if (m->text.err) { /* out of memory: this row as usual */
				m->serial = 0;
				m->text.err = 0;
				w->o->len = start;
				if (first)
					*first = was_first;
				return -1;
			}
			m->len[e] = m->text.len - m->off[e];
		}
		obuf_put(w->o, m->text.buf + m->off[e], m->len[e]);
		col = run[k][1];
	}
	cols(w, w->o, r, col, r->n, kind, first);
	return 0;
}

/* The columns of r at position j of batch b (kind 0 JSON, 1 CSV): the
 * leading ones and the dictionary runs copied where they can be */
static void render_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b,
		      uint32_t j, int kind, int *first)
{
	unsigned col;

	if (!w->ran[r->stream])
		dict_runs(w, r->stream);
	col = lead(w, r, kind, first);
	if (runs_at(w, r, b, j, kind, first, col)) /* the rest of the row after all */
		cols(w, w->o, r, col, r->n, kind, first);
}

void row_jsonl_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b,
		  uint32_t j, const char *type, const char *file)
{
	int first = 1;

	json_head(w, w->o, type, file, &first);
	render_at(w, r, b, j, 0, &first);
	obuf_put(w->o, "}\n", 2);
}

void row_csv_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b, uint32_t j,
		const char *file)
{
	if (file)
		csv_file(w, w->o, file);
	render_at(w, r, b, j, 1, NULL);
	obuf_putc(w->o, '\n');
}

void row_out_free(struct row_out *w)
{
	obuf_free(&w->tmp);
	obuf_free(&w->arr);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < ROW_MEMOS; i++) {
			free(w->memo[k][i].off);
			free(w->memo[k][i].len);
			obuf_free(&w->memo[k][i].text);
			memset(&w->memo[k][i], 0, sizeof(w->memo[k][i]));
		}
}
