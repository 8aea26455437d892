/* sql_group.c - see sql_group.h. A chunk's rows are counted by a tuple of
 * codes (a dictionary id, or the value itself), one count per tuple; each
 * tuple then becomes its values once and is counted, by value, in the
 * thread's map. The maps are added up in thread order, and the groups
 * sorted, so the result does not depend on the thread count. */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "sql_group.h"
#include "sql_key.h"

/* ---- filters ----------------------------------------------------------- */

static int sqlv_eq(const struct sqlv *a, const struct sqlv *b)
{
	if (a->type == SQLV_NULL || a->type != b->type)
		return 0;
	if (a->type == SQLV_INT)
		return a->i == b->i;
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

int sql_filter_pass(const struct sql_filter *f, int stream, const struct sql_row *r,
		    struct sql_scratch *sc, struct sql_memo *m)
{
	for (int k = 0; k < f->n; k++) {
		const struct sql_eq *e = &f->eq[k];
		uint32_t count = 0;
		int64_t id = m ? sql_dict_id(stream, e->col, r, &count) : -1;
		struct sqlv v;

		if (id >= 0) { /* one comparison per id and chunk */
			uint8_t *known;
			if (m->serial != r->b->serial) {
				m->serial = r->b->serial;
				for (int i = 0; i < SQL_MAX_EQ; i++)
					if (m->known[i])
						memset(m->known[i], 0, m->cap[i]);
			}
			if (m->cap[k] < count) {
				uint8_t *p = calloc(count, 1);
				if (!p)
					goto by_value;
				free(m->known[k]);
				m->known[k] = p;
				m->cap[k] = count;
			}
			known = &m->known[k][id];
			if (!*known) {
				sql_value(stream, e->col, r, sc, &v);
				*known = sqlv_eq(&v, &e->v) ? 1 : 2;
			}
			if (*known == 2)
				return 0;
			continue;
		}
by_value:
		sql_value(stream, e->col, r, sc, &v);
		if (!sqlv_eq(&v, &e->v))
			return 0;
	}
	return 1;
}

void sql_memo_free(struct sql_memo *m)
{
	for (int i = 0; i < SQL_MAX_EQ; i++)
		free(m->known[i]);
	memset(m, 0, sizeof(*m));
}

void sql_filter_free(struct sql_filter *f)
{
	for (int k = 0; k < f->n; k++)
		if (f->eq[k].v.type == SQLV_TEXT)
			free((char *)f->eq[k].v.s);
	memset(f, 0, sizeof(*f));
}

/* ---- counting ----------------------------------------------------------- */

struct local {
	uint64_t hash, count;
	uint64_t ts; /* its first row's */
	uint32_t row; /* its first row (by time, then position) */
	uint32_t used;
};

struct worker {
	struct sql_key_map map;
	struct local *tab;
	struct sql_code *codes; /* tab's tuples, ncols each */
	size_t cap;
	struct sql_key_buf key;
	struct sql_scratch sc;
	struct sql_memo memo;
	int oom;
};

struct run {
	const struct sql_group_query *q;
	const struct fmt_par_chunk *chunks;
	struct worker *w;
	uint64_t read;
	char *err;
};

static int each(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial)
{
	struct run *run = ctx;
	const struct sql_group_query *q = run->q;
	struct worker *w = &run->w[worker];
	unsigned src = run->chunks[i].src;
	struct sql_row r = { .b = b, .src = src,
			     .off = fmt_reader_clock_offset(q->readers[src]) };
	uint64_t from = q->from[src], to = q->to[src];
	uint32_t n = fmt_batch_count(b);
	size_t cap = 16, nc = (size_t)q->ncols;
	struct sql_code tuple[SQL_MAX_GROUP];

	(void)partial;
	while (cap < 2 * (size_t)n)
		cap *= 2;
	if (cap > w->cap) {
		free(w->tab);
		free(w->codes);
		w->tab = malloc(cap * sizeof(*w->tab));
		w->codes = malloc(cap * nc * sizeof(*w->codes));
		w->cap = w->tab && w->codes ? cap : 0;
		if (!w->cap)
			return w->oom = 1;
	}
	cap = w->cap;
	memset(w->tab, 0, cap * sizeof(*w->tab));
	for (uint32_t j = 0; j < n; j++) {
		size_t h;
		uint64_t hash;
		if (b->ts[j] < from || b->ts[j] > to)
			continue;
		r.j = j;
		if (q->filter && !sql_filter_pass(q->filter, q->stream, &r, &w->sc, &w->memo))
			continue;
		sql_codes_of(q->stream, q->ncols, q->cols, &r, &w->sc, tuple);
		hash = sql_codes_hash(tuple, q->ncols);
		for (h = hash & (cap - 1); w->tab[h].used; h = (h + 1) & (cap - 1))
			if (w->tab[h].hash == hash && sql_codes_same(&w->codes[h * nc], tuple, q->ncols))
				break;
		if (!w->tab[h].used) {
			w->tab[h] = (struct local){ .hash = hash, .ts = b->ts[j], .row = j, .used = 1 };
			memcpy(&w->codes[h * nc], tuple, nc * sizeof(*tuple));
		} else if (b->ts[j] < w->tab[h].ts) { /* earlier in time (storage is not) */
			w->tab[h].ts = b->ts[j];
			w->tab[h].row = j;
		}
		w->tab[h].count++;
	}
	for (size_t h = 0; h < cap; h++) { /* each tuple once: its values */
		struct sqlv v;
		struct sql_first first;
		if (!w->tab[h].used)
			continue;
		r.j = w->tab[h].row;
		first = (struct sql_first){ (int64_t)w->tab[h].ts + r.off, src, r.j, run->chunks[i].id };
		w->key.len = 0;
		for (int c = 0; c < q->ncols; c++) {
			sql_value(q->stream, q->cols[c], &r, &w->sc, &v);
			if (sql_key_put(&w->key, &v))
				return w->oom = 1;
		}
		if (sql_key_add(&w->map, w->key.p, w->key.len,
				sql_key_hash(w->key.p, w->key.len), w->tab[h].count, &first,
				NULL) < 0)
			return w->oom = 1;
	}
	return 0;
}

static int commit(void *ctx, size_t i, void *partial, int rc, const char *errmsg)
{
	struct run *run = ctx;

	(void)i, (void)partial;
	if (rc < 0) { /* the first chunk that fails (in order) fails the query */
		run->err = strdup(errmsg ? errmsg : "a chunk could not be read");
		return 1;
	}
	run->read++;
	return 0;
}

struct sql_groups {
	size_t n;
	int ncols;
	struct group {
		uint64_t rows;
		struct sql_first first;
		struct sqlv *v;
	} *g;
	struct sqlv *values;
	struct sql_key_map map; /* holds the keys the text values point into */
};

static int group_cmp(const void *x, const void *y, void *arg)
{
	const struct group *a = x, *b = y;
	const struct sql_group_query *q = arg;

	if (q->first)
		return sql_first_less(&a->first, &b->first) ? -1 : sql_first_less(&b->first, &a->first);
	for (int c = 0; c < q->ncols; c++) {
		int r = sqlv_cmp(&a->v[c], &b->v[c]);
		if (r)
			return q->desc >> c & 1 ? -r : r;
	}
	return 0;
}

/* The chunks of q's stream in its windows. */
static struct fmt_par_chunk *list_chunks(const struct sql_group_query *q, size_t *n, char **err)
{
	struct fmt_par_chunk *v = NULL;
	size_t k = 0, cap = 0;

	for (unsigned s = 0; s < q->nreaders; s++) {
		struct fmt_chunk_info *ci;
		int nc = fmt_reader_chunks(q->readers[s], &ci);
		if (nc < 0) {
			*err = strdup(fmt_reader_errmsg(q->readers[s]));
			free(v);
			return NULL;
		}
		for (int i = 0; i < nc; i++) {
			if (ci[i].stream != q->stream || ci[i].t_last < q->from[s] ||
			    ci[i].t_first > q->to[s] || !ci[i].records)
				continue;
			if (k == cap) {
				struct fmt_par_chunk *p;
				cap = cap ? 2 * cap : 64;
				if (!(p = realloc(v, cap * sizeof(*p)))) {
					free(ci);
					free(v);
					return NULL;
				}
				v = p;
			}
			v[k++] = (struct fmt_par_chunk){ s, ci[i].id, ci[i].raw_size };
		}
		free(ci);
	}
	*n = k;
	return v ? v : calloc(1, sizeof(*v));
}

int sql_groups_count(const struct sql_group_query *q, struct sql_groups **out,
		     uint64_t *chunks_read, char **err)
{
	unsigned threads = fmt_threads(q->threads);
	struct run run = { .q = q };
	struct sql_groups *g = calloc(1, sizeof(*g));
	size_t n = 0;
	uint64_t cols = FMT_COL_ALL;
	int rc = FMT_OK;

	*out = NULL;
	*err = NULL;
	run.w = calloc(threads, sizeof(*run.w));
	if (!g || !run.w || !(run.chunks = list_chunks(q, &n, err))) {
		free(g);
		free(run.w);
		return *err ? FMT_EIO : FMT_ENOMEM;
	}
	cols = 0;
	for (int c = 0; c < q->ncols; c++)
		cols |= sql_cols_needed(q->stream, 1ull << q->cols[c]);
	for (int k = 0; q->filter && k < q->filter->n; k++)
		cols |= sql_cols_needed(q->stream, 1ull << q->filter->eq[k].col);
	{
		struct fmt_par p = { .readers = q->readers, .chunks = run.chunks, .n = n,
				     .cols = cols, .threads = threads, .each = each,
				     .commit = commit, .ctx = &run };
		if (fmt_par_run(&p) == FMT_ENOMEM)
			rc = FMT_ENOMEM;
	}
	*chunks_read += run.read;
	for (unsigned t = 0; t < threads; t++) { /* add up in thread order */
		struct worker *w = &run.w[t];
		if (w->oom)
			rc = FMT_ENOMEM;
		for (size_t i = 0; rc == FMT_OK && i < w->map.cap; i++)
			if (w->map.e[i].key && sql_key_add(&g->map, w->map.e[i].key, w->map.e[i].len,
							   w->map.e[i].hash, w->map.e[i].count,
							   &w->map.e[i].first, NULL) < 0)
				rc = FMT_ENOMEM;
		sql_key_map_free(&w->map);
		free(w->tab);
		free(w->codes);
		free(w->key.p);
		json_free(&w->sc.j);
		sql_memo_free(&w->memo);
	}
	free(run.w);
	free((void *)run.chunks);
	if (run.err && rc == FMT_OK) {
		*err = run.err;
		rc = FMT_ECORRUPT;
	} else {
		free(run.err);
	}
	if (rc == FMT_OK) {
		g->ncols = q->ncols;
		g->g = malloc((g->map.n ? g->map.n : 1) * sizeof(*g->g));
		g->values = malloc((g->map.n ? g->map.n : 1) * (size_t)q->ncols * sizeof(*g->values));
		if (!g->g || !g->values)
			rc = FMT_ENOMEM;
	}
	if (rc) {
		sql_groups_free(g);
		return rc;
	}
	for (size_t i = 0; i < g->map.cap; i++) {
		struct group *gr;
		if (!g->map.e[i].key)
			continue;
		gr = &g->g[g->n];
		gr->rows = g->map.e[i].count;
		gr->first = g->map.e[i].first;
		gr->v = &g->values[g->n * (size_t)q->ncols];
		sql_key_values(g->map.e[i].key, q->ncols, gr->v);
		g->n++;
	}
	qsort_r(g->g, g->n, sizeof(*g->g), group_cmp, (void *)q);
	*out = g;
	return FMT_OK;
}

size_t sql_groups_n(const struct sql_groups *g)
{
	return g->n;
}

uint64_t sql_groups_rows(const struct sql_groups *g, size_t i)
{
	return g->g[i].rows;
}

const struct sqlv *sql_groups_values(const struct sql_groups *g, size_t i)
{
	return g->g[i].v;
}

void sql_groups_free(struct sql_groups *g)
{
	if (!g)
		return;
	sql_key_map_free(&g->map);
	free(g->g);
	free(g->values);
	free(g);
}
