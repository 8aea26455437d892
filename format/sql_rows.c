/* sql_rows.c - see sql_rows.h. Each row read in time order is given its
 * group (a cache from (chunk, codes) to the group's index saves building
 * its values for every row) and its values are appended to its group's
 * last block; text values are kept once each. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "par.h"
#include "sql_key.h"
#include "sql_rows.h"

#define ROWS 64 /* per block */
#define CACHE (1u << 16) /* (chunk, codes) -> group entries kept */

struct block {
	struct block *next;
	uint32_t n;
	int64_t *v; /* ROWS x nvals */
	uint8_t *t; /* their types */
};

struct group {
	struct block *head, *tail;
	uint64_t rows;
	struct sql_first first;
	const struct sqlv *v;
};

struct slot {
	uint64_t serial, hash;
	uint32_t group, used;
};

struct sql_rows {
	int ncols, nvals;
	int ncodes; /* group columns whose codes tell groups apart in a chunk */
	const int *vals;
	struct sql_key_map keys; /* group values -> index */
	struct group *g;
	size_t ng, gcap;
	size_t *order;
	struct sqlv *values; /* the groups', ncols each */
	struct sql_key_map texts; /* text values -> index */
	const char **text;
	size_t *text_len;
	size_t ntext, tcap;
	/* the group cache */
	struct slot *cache;
	struct sql_code *codes;
	size_t cused;
	/* one dictionary id tells the group: group + 1 by id, for batch serial */
	uint32_t *by_id;
	size_t by_id_cap;
	uint64_t by_id_serial;
};

/* The index of text s (kept once). @return it, or -1. */
static int64_t text_index(struct sql_rows *r, const char *s, size_t len)
{
	struct sql_key_buf k = { 0 };
	struct sqlv v = { .type = SQLV_TEXT, .s = s, .len = len };
	struct sql_first none = { 0 };
	const unsigned char *kept = NULL;
	int64_t i;

	if (sql_key_put(&k, &v)) {
		free(k.p);
		return -1;
	}
	i = sql_key_add(&r->texts, k.p, k.len, sql_key_hash(k.p, k.len), 1, &none, &kept);
	free(k.p);
	if (i >= 0 && (size_t)i == r->ntext) { /* new: where its bytes are */
		if (r->ntext == r->tcap) {
			size_t cap = r->tcap ? 2 * r->tcap : 64;
			const char **t = realloc(r->text, cap * sizeof(*t));
			size_t *l = t ? realloc(r->text_len, cap * sizeof(*l)) : NULL;
			if (t)
				r->text = t;
			if (!t || !l)
				return -1;
			r->text_len = l;
			r->tcap = cap;
		}
		r->text[i] = (const char *)kept + 5; /* after the tag and the length */
		r->text_len[i] = len;
		r->ntext++;
	}
	return i;
}

/* The group of row w (adding it if new). @return its index or -1. */
static int64_t group_of(struct sql_rows *r, const struct sql_group_query *q,
			const struct sql_row *w, struct sql_scratch *sc, struct sql_key_buf *key,
			const struct sql_first *first)
{
	struct sql_code codes[SQL_MAX_GROUP];
	uint64_t hash;
	size_t h, nc = (size_t)r->ncodes;
	int64_t i;
	uint32_t count, *memo = NULL;

	if (r->ncodes == 1) { /* a dictionary id alone: an array, no hashing */
		int64_t id = sql_dict_id(q->stream, q->cols[0], w, &count);
		if (id >= 0 && count <= (1u << 24)) {
			if (r->by_id_serial != w->b->serial || r->by_id_cap < count) {
				if (r->by_id_cap < count) {
					free(r->by_id);
					r->by_id_cap = 0;
					if (!(r->by_id = malloc(count * sizeof(*r->by_id))))
						return -1;
					r->by_id_cap = count;
				}
				memset(r->by_id, 0, count * sizeof(*r->by_id));
				r->by_id_serial = w->b->serial;
			}
			memo = &r->by_id[id];
			if (*memo)
				return *memo - 1;
		}
	}
	sql_codes_of(q->stream, r->ncodes, q->cols, w, sc, codes);
	hash = sql_codes_hash(codes, r->ncodes) ^ w->b->serial * 0x9E3779B97F4A7C15ull;
	for (h = hash & (CACHE - 1); r->cache[h].used; h = (h + 1) & (CACHE - 1))
		if (r->cache[h].hash == hash && r->cache[h].serial == w->b->serial &&
		    sql_codes_same(&r->codes[h * nc], codes, r->ncodes)) {
			if (memo)
				*memo = r->cache[h].group + 1;
			return r->cache[h].group;
		}
	key->len = 0;
	for (int c = 0; c < q->ncols; c++) {
		struct sqlv v;
		sql_value(q->stream, q->cols[c], w, sc, &v);
		if (sql_key_put(key, &v))
			return -1;
	}
	i = sql_key_add(&r->keys, key->p, key->len, sql_key_hash(key->p, key->len), 0, first,
			NULL);
	if (i < 0)
		return -1;
	if ((size_t)i == r->ng) {
		if (r->ng == r->gcap) {
			size_t cap = r->gcap ? 2 * r->gcap : 256;
			struct group *g = realloc(r->g, cap * sizeof(*g));
			if (!g)
				return -1;
			r->g = g;
			r->gcap = cap;
		}
		r->g[r->ng++] = (struct group){ .first = *first };
	}
	if (r->cused * 2 > CACHE) { /* full: start again */
		memset(r->cache, 0, CACHE * sizeof(*r->cache));
		r->cused = 0;
		for (h = hash & (CACHE - 1); r->cache[h].used; h = (h + 1) & (CACHE - 1))
			;
	}
	r->cache[h] = (struct slot){ w->b->serial, hash, (uint32_t)i, 1 };
	memcpy(&r->codes[h * nc], codes, nc * sizeof(*codes));
	r->cused++;
	if (memo)
		*memo = (uint32_t)i + 1;
	return i;
}

/* Append row w's values to group gi. @return 0 or -1. */
static int append(struct sql_rows *r, const struct sql_group_query *q, size_t gi,
		  const struct sql_row *w, struct sql_scratch *sc)
{
	struct group *g = &r->g[gi];
	struct block *b = g->tail;
	size_t nv = (size_t)r->nvals;

	if (!b || b->n == ROWS) {
		b = malloc(sizeof(*b) + ROWS * nv * 9);
		if (!b)
			return -1;
		b->next = NULL;
		b->n = 0;
		b->v = (int64_t *)(b + 1);
		b->t = (uint8_t *)(b->v + ROWS * nv);
		if (g->tail)
			g->tail->next = b;
		else
			g->head = b;
		g->tail = b;
	}
	for (int k = 0; k < r->nvals; k++) {
		struct sqlv v;
		size_t at = b->n * nv + (size_t)k;
		sql_value(q->stream, r->vals[k], w, sc, &v);
		b->t[at] = (uint8_t)v.type;
		b->v[at] = v.i;
		if (v.type == SQLV_TEXT && (b->v[at] = text_index(r, v.s, v.len)) < 0)
			return -1;
	}
	b->n++;
	g->rows++;
	return 0;
}

static int group_cmp(const void *x, const void *y, void *arg)
{
	void **a2 = arg;
	const struct sql_rows *r = a2[0];
	const struct sql_group_query *q = a2[1];
	const struct group *a = &r->g[*(const size_t *)x], *b = &r->g[*(const size_t *)y];

	for (int c = 0; c < q->ncols; c++) {
		int d = sqlv_cmp(&a->v[c], &b->v[c]);
		if (d)
			return q->desc >> c & 1 ? -d : d;
	}
	return 0;
}

int sql_rows_collect(const struct sql_group_query *q, int nvals, const int *vals,
		     struct sql_rows **out, uint64_t *chunks_read, char **err)
{
	struct sql_rows *r = calloc(1, sizeof(*r));
	struct fmt_iter *it = NULL;
	struct sql_scratch sc = { 0 };
	struct sql_memo memo = { 0 };
	struct sql_key_buf key = { 0 };
	uint64_t cols = 0;
	int64_t *off = calloc(q->nreaders ? q->nreaders : 1, sizeof(*off));
	int rc = FMT_OK;

	*out = NULL;
	*err = NULL;
	if (!r || !off || !(r->cache = calloc(CACHE, sizeof(*r->cache))) ||
	    !(r->codes = malloc(CACHE * (size_t)q->ncols * sizeof(*r->codes)))) {
		rc = FMT_ENOMEM;
		goto out;
	}
	r->ncols = q->ncols;
	r->nvals = nvals;
	/* columns whose ids all come from one dictionary: the first tells */
	r->ncodes = q->ncols;
	for (int c = 1; c < q->ncols; c++)
		if (!sql_dict_source(q->stream, q->cols[0]) ||
		    sql_dict_source(q->stream, q->cols[c]) != sql_dict_source(q->stream, q->cols[0]))
			break;
		else if (c == q->ncols - 1)
			r->ncodes = 1;
	r->vals = vals;
	for (int c = 0; c < q->ncols; c++)
		cols |= sql_cols_needed(q->stream, 1ull << q->cols[c]);
	for (int k = 0; k < nvals; k++)
		cols |= sql_cols_needed(q->stream, 1ull << vals[k]);
	for (int k = 0; q->filter && k < q->filter->n; k++)
		cols |= sql_cols_needed(q->stream, 1ull << q->filter->eq[k].col);
	for (unsigned i = 0; i < q->nreaders; i++)
		off[i] = fmt_reader_clock_offset(q->readers[i]);
	rc = iter_open(q->readers, q->nreaders, 1u << q->stream, q->from, q->to, q->threads, cols,
		       &it);
	while (rc == FMT_OK) {
		const struct fmt_batch *b;
		struct sql_row w;
		struct sql_first first;
		uint32_t j;
		unsigned src;
		int64_t gi;
		int got = iter_next_at(it, &b, &j, &src);

		if (got < 0) {
			*err = strdup(fmt_reader_errmsg(q->readers[src]));
			rc = FMT_ECORRUPT;
		}
		if (got <= 0)
			break;
		w = (struct sql_row){ b, j, src, off[src] };
		if (q->filter && !sql_filter_pass(q->filter, q->stream, &w, &sc, &memo))
			continue;
		first = (struct sql_first){ (int64_t)b->ts[j] + w.off, src, j, 0 };
		if ((gi = group_of(r, q, &w, &sc, &key, &first)) < 0 ||
		    append(r, q, (size_t)gi, &w, &sc))
			rc = FMT_ENOMEM;
	}
	if (it)
		*chunks_read += fmt_iter_chunks_decoded(it);
	if (rc == FMT_OK) {
		r->order = malloc((r->ng ? r->ng : 1) * sizeof(*r->order));
		r->values = malloc((r->ng ? r->ng : 1) * (size_t)q->ncols * sizeof(*r->values));
		if (!r->order || !r->values)
			rc = FMT_ENOMEM;
	}
	if (rc == FMT_OK) {
		void *arg[2] = { r, (void *)q };
		for (size_t h = 0; h < r->keys.cap; h++) {
			const struct sql_key_entry *e = &r->keys.e[h];
			if (!e->key)
				continue;
			r->g[e->index].v = &r->values[e->index * (size_t)q->ncols];
			sql_key_values(e->key, q->ncols, &r->values[e->index * (size_t)q->ncols]);
		}
		for (size_t i = 0; i < r->ng; i++)
			r->order[i] = i;
		qsort_r(r->order, r->ng, sizeof(*r->order), group_cmp, arg);
	}
out:
	fmt_iter_free(it);
	json_free(&sc.j);
	sql_memo_free(&memo);
	free(key.p);
	free(off);
	if (r) { /* the caches are for collecting only */
		free(r->cache);
		free(r->codes);
		free(r->by_id);
		r->cache = NULL;
		r->codes = NULL;
		r->by_id = NULL;
	}
	if (rc) {
		sql_rows_free(r);
		return rc;
	}
	*out = r;
	return FMT_OK;
}

size_t sql_rows_groups(const struct sql_rows *r)
{
	return r->ng;
}

const struct sqlv *sql_rows_group_values(const struct sql_rows *r, size_t i)
{
	return r->g[r->order[i]].v;
}

void sql_rows_first(const struct sql_rows *r, size_t i, struct sql_rows_pos *p)
{
	p->block = r->g[r->order[i]].head;
	p->at = 0;
}

int sql_rows_next(const struct sql_rows *r, struct sql_rows_pos *p)
{
	const struct block *b = p->block;

	(void)r;
	if (!b)
		return 0;
	if (++p->at < b->n)
		return 1;
	p->block = b->next;
	p->at = 0;
	return p->block != NULL;
}

void sql_rows_value(const struct sql_rows *r, const struct sql_rows_pos *p, int k, struct sqlv *v)
{
	const struct block *b = p->block;
	size_t at = p->at * (size_t)r->nvals + (size_t)k;

	*v = (struct sqlv){ .type = (enum sqlv_type)b->t[at], .i = b->v[at] };
	if (v->type == SQLV_TEXT) {
		v->s = r->text[b->v[at]];
		v->len = r->text_len[b->v[at]];
		v->i = 0;
	}
}

void sql_rows_free(struct sql_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ng; i++) {
		struct block *b = r->g[i].head;
		while (b) {
			struct block *n = b->next;
			free(b);
			b = n;
		}
	}
	sql_key_map_free(&r->keys);
	sql_key_map_free(&r->texts);
	free(r->g);
	free(r->order);
	free(r->values);
	free(r->text);
	free(r->text_len);
	free(r->cache);
	free(r->codes);
	free(r->by_id);
	free(r);
}
