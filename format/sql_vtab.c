/* sql_vtab.c - SQL over a compressed session: eponymous virtual tables
 * exec, exit, flow, proc, cgroup (and meta) that decode chunks only as a
 * query reads them, and in them only the columns the query uses (SQLite's
 * colUsed; sql_table.c says which chunk columns each table column needs).
 * Modelled on SQLite's ext/misc/series.c.
 *
 * Pushed down (xBestIndex -> xFilter):
 * - constraints on ts_ns or wall_ns become the iterator's time window, so a
 *   time-range query decompresses only the chunks that overlap it;
 * - `column = value` (integers, and text compared as BINARY) filters rows
 *   before SQLite sees them, once per dictionary id and chunk for columns
 *   that come from a dictionary; `source = N` leaves the other files out.
 * SQLite still checks every constraint: these only leave rows out that it
 * would leave out too.
 *
 * Order: rows come in time order (read ahead on threads), so ORDER BY
 * wall_ns (or ts_ns for one file) costs nothing. For GROUP BY, DISTINCT
 * and ORDER BY on other columns the rows come grouped, in the order
 * SQLite's sorter would give, so SQLite sorts nothing: a query that reads
 * only those columns (SELECT comm, count(*) FROM exec GROUP BY comm) gets
 * them counted by value on the threads (sql_group.c), each group as that
 * many equal rows (once for DISTINCT); one that reads others too (SELECT
 * src, sum(bytes) FROM flow GROUP BY src) gets them kept with those
 * values, in time order within each group (sql_rows.c), when they fit in
 * SQL_ROWS_LIMIT; otherwise SQLite sorts as it would. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "json.h"
#include "par.h"
#include "sql_api.h"
#include "sql_group.h"
#include "sql_rows.h"
#include "sql_table.h"

struct vt {
	sqlite3_vtab base;
	int stream; /* 0: meta */
	struct fmt_sql_src *src;
};

/* What xBestIndex chose, as xFilter reads it back from idxStr. */
struct plan {
	int slot[4], op[4]; /* ts low, ts high, wall low, wall high: argv slot (1-based), op */
	int neq, eq_col[SQL_MAX_EQ], eq_slot[SQL_MAX_EQ];
	int ngroup, group_col[SQL_MAX_GROUP]; /* grouped rows by these columns */
	int desc; /* grouped: bit k, column k descending */
	int nval, val_col[SQL_MAX_VALS]; /* grouped: other columns, kept with each row */
	int once; /* grouped: one row per group (DISTINCT) */
	int first; /* grouped: in the order of first appearance (DISTINCT, no ORDER BY) */
	unsigned long long cols; /* FMT_COL_* to decode */
};

struct cur {
	sqlite3_vtab_cursor base;
	int eof;
	sqlite3_int64 rowid;
	/* rows in time order */
	struct fmt_iter *it;
	struct sql_row row;
	int64_t *off; /* clock offset of each file */
	struct sql_filter filter;
	struct sql_memo memo;
	struct sql_scratch sc;
	/* grouped rows: counted (groups), or kept with other columns (rows) */
	struct sql_groups *groups;
	struct sql_rows *rows;
	struct sql_rows_pos at;
	size_t group;
	uint64_t left; /* rows of the group still to come */
	int ngroup, group_col[SQL_MAX_GROUP], once;
	int nval, val_col[SQL_MAX_VALS];
	/* meta: position */
	size_t meta_i, meta_src;
};

static void src_release(struct fmt_sql_src *s)
{
	if (!s || --s->refs || !s->own)
		return;
	for (unsigned i = 0; i < s->n; i++)
		fmt_reader_close(s->readers[i]);
	free(s->readers);
	free(s);
}

/* Extension mode: the connection's own file, opened again as a session
 * (read-only, validated like any file from a stranger). */
static struct fmt_sql_src *src_open_main(sqlite3 *db, char **pzErr)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct fmt_sql_src *s;
	char *err = NULL;

	if (!path || !*path) {
		*pzErr = sqlite3_mprintf("ebpfrec: the main database is not a session file");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->readers = calloc(1, sizeof(*s->readers)))) {
		free(s);
		return NULL;
	}
	if (fmt_reader_open(path, &s->readers[0], &err)) {
		*pzErr = sqlite3_mprintf("ebpfrec: %s", err ? err : path);
		free(err);
		free(s->readers);
		free(s);
		return NULL;
	}
	s->n = 1;
	s->own = 1;
	return s;
}

static int x_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		     sqlite3_vtab **out, char **pzErr, int stream)
{
	struct fmt_sql_src *src = aux;
	struct vt *v;
	int rc;

	(void)argc;
	(void)argv;
	rc = sqlite3_declare_vtab(db, sql_declaration(stream));
	if (rc != SQLITE_OK)
		return rc;
	if (!src && !(src = src_open_main(db, pzErr)))
		return SQLITE_ERROR;
	src->refs++;
	v = sqlite3_malloc(sizeof(*v));
	if (!v) {
		src_release(src);
		return SQLITE_NOMEM;
	}
	memset(v, 0, sizeof(*v));
	v->stream = stream;
	v->src = src;
	/* never usable from a (possibly hostile) schema: views, triggers */
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	*out = &v->base;
	return SQLITE_OK;
}

#define CONNECT(name, stream)                                                                  \
	static int name(sqlite3 *db, void *aux, int argc, const char *const *argv,            \
			sqlite3_vtab **out, char **pzErr)                                      \
	{                                                                                      \
		return x_connect(db, aux, argc, argv, out, pzErr, stream);                     \
	}
CONNECT(connect_meta, 0)
CONNECT(connect_exec, FMT_STREAM_EXEC)
CONNECT(connect_exit, FMT_STREAM_EXIT)
CONNECT(connect_flow, FMT_STREAM_FLOW)
CONNECT(connect_proc, FMT_STREAM_PROC)
CONNECT(connect_cgroup, FMT_STREAM_CGROUP)

static int x_disconnect(sqlite3_vtab *base)
{
	struct vt *v = (struct vt *)base;

	src_release(v->src);
	sqlite3_free(v);
	return SQLITE_OK;
}

/* Records of each stream in all the files (the chunk index says). */
static const uint64_t *records(struct fmt_sql_src *src)
{
	if (!src->counted) {
		for (unsigned i = 0; i < src->n; i++) {
			struct fmt_chunk_info *ci;
			int n = fmt_reader_chunks(src->readers[i], &ci);
			for (int k = 0; k < n; k++)
				if (ci[k].stream >= 1 && ci[k].stream <= FMT_STREAM_MAX)
					src->records[ci[k].stream] += ci[k].records;
			if (n >= 0)
				free(ci);
		}
		src->counted = 1;
	}
	return src->records;
}

/* Can the rows come grouped by the ORDER BY columns, SQLite then sorting
 * nothing? The groups come in the order SQLite's sorter would give: by the
 * columns, each in its direction, or for DISTINCT without ORDER BY
 * (distinct 2) in the order the rows first appear in time. If the query
 * reads only those columns, groups are counted and each comes as that many
 * equal rows; if it reads others too, the rows are kept with their values
 * when they fit in SQL_ROWS_LIMIT (not for DISTINCT without ORDER BY,
 * whose first appearances would be those of rows a WHERE may reject).
 * @return the number of group columns (0: no). */
static int grouped_plan(const struct vt *v, sqlite3_index_info *info, int distinct,
			struct plan *p)
{
	uint64_t order_cols = 0, other;
	int ncol;

	sql_columns(v->stream, &ncol);
	if (info->nOrderBy < 1 || info->nOrderBy > SQL_MAX_GROUP || distinct < 0 || distinct > 3)
		return 0;
	for (int i = 0; i < info->nOrderBy; i++) {
		int c = info->aOrderBy[i].iColumn;
		if (c < 0 || c >= ncol || (order_cols >> c & 1))
			return 0;
		order_cols |= 1ull << c;
		p->group_col[i] = c;
		p->desc |= info->aOrderBy[i].desc << i;
	}
	other = info->colUsed & ~order_cols;
	p->nval = 0;
	for (int c = 0; other && c < 64; c++) {
		if (!(other >> c & 1))
			continue;
		if (c >= ncol || p->nval == SQL_MAX_VALS || distinct == 2)
			return 0;
		p->val_col[p->nval++] = c;
	}
	if (p->nval && records(v->src)[v->stream] * SQL_ROWS_BYTES(p->nval) > SQL_ROWS_LIMIT)
		return 0; /* too many to keep: SQLite sorts them */
	p->ngroup = info->nOrderBy;
	p->once = distinct >= 2 && !p->nval; /* DISTINCT: duplicates may be left out */
	p->first = distinct == 2;
	return p->ngroup;
}

static int x_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	struct vt *v = (struct vt *)base;
	struct plan p = { .neq = 0 };
	int bits = 0, argi = 0, pos[4] = { -1, -1, -1, -1 }, ncol, distinct = 0;
	const struct sql_column *cols = sql_columns(v->stream, &ncol);
	char *s;

	if (v->stream == 0) {
		info->estimatedCost = 100;
		return SQLITE_OK;
	}
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		int wall, lo, hi;
		if (!c->usable || (c->iColumn != SQL_C_TS && c->iColumn != SQL_C_WALL))
			continue;
		wall = c->iColumn == SQL_C_WALL;
		lo = c->op == SQLITE_INDEX_CONSTRAINT_GT || c->op == SQLITE_INDEX_CONSTRAINT_GE ||
		     c->op == SQLITE_INDEX_CONSTRAINT_EQ;
		hi = c->op == SQLITE_INDEX_CONSTRAINT_LT || c->op == SQLITE_INDEX_CONSTRAINT_LE ||
		     c->op == SQLITE_INDEX_CONSTRAINT_EQ;
		if (lo && pos[wall * 2] < 0)
			pos[wall * 2] = i;
		if (hi && pos[wall * 2 + 1] < 0)
			pos[wall * 2 + 1] = i;
	}
	/* one argv slot per bound; an EQ fills both of its column's bounds */
	for (int b = 0; b < 4; b++) {
		if (pos[b] < 0)
			continue;
		bits |= 1 << b;
		if (info->aConstraintUsage[pos[b]].argvIndex == 0)
			info->aConstraintUsage[pos[b]].argvIndex = ++argi;
		p.slot[b] = info->aConstraintUsage[pos[b]].argvIndex;
		p.op[b] = info->aConstraint[pos[b]].op;
	}
	/* column = value on the other columns, compared as SQLite would */
	for (int i = 0; i < info->nConstraint && p.neq < SQL_MAX_EQ; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		const char *coll;
		if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ || c->iColumn < SQL_C_SOURCE ||
		    c->iColumn >= ncol || info->aConstraintUsage[i].argvIndex)
			continue;
		coll = sqlite3_libversion_number() >= 3022000 ? sqlite3_vtab_collation(info, i) : NULL;
		if (!strcmp(cols[c->iColumn].type, "TEXT") && (!coll || strcmp(coll, "BINARY")))
			continue;
		info->aConstraintUsage[i].argvIndex = ++argi;
		p.eq_col[p.neq] = c->iColumn;
		p.eq_slot[p.neq++] = argi;
	}
	info->idxNum = bits;
	info->estimatedCost = bits ? 1000.0 : 1000000.0;
	if (info->nOrderBy == 1 && !info->aOrderBy[0].desc &&
	    (info->aOrderBy[0].iColumn == SQL_C_WALL ||
	     (info->aOrderBy[0].iColumn == SQL_C_TS && v->src->n == 1))) {
		info->orderByConsumed = 1; /* time order is what the tables give */
	} else {
		if (sqlite3_libversion_number() >= 3038000)
			distinct = sqlite3_vtab_distinct(info);
		if (grouped_plan(v, info, distinct, &p))
			info->orderByConsumed = 1;
	}
	p.cols = sql_cols_needed(v->stream, info->colUsed);
	s = sqlite3_mprintf("T %d %d %d %d %d %d %d %d C %llx O %d %d %d E %d", p.slot[0],
			    p.op[0], p.slot[1], p.op[1], p.slot[2], p.op[2], p.slot[3], p.op[3], p.cols,
			    p.once, p.first, p.desc, p.neq);
	for (int k = 0; s && k < p.neq; k++)
		s = sqlite3_mprintf("%z %d %d", s, p.eq_col[k], p.eq_slot[k]);
	if (s)
		s = sqlite3_mprintf("%z G %d", s, p.ngroup);
	for (int k = 0; s && k < p.ngroup; k++)
		s = sqlite3_mprintf("%z %d", s, p.group_col[k]);
	if (s)
		s = sqlite3_mprintf("%z V %d", s, p.nval);
	for (int k = 0; s && k < p.nval; k++)
		s = sqlite3_mprintf("%z %d", s, p.val_col[k]);
	if (!s)
		return SQLITE_NOMEM;
	info->idxStr = s;
	info->needToFreeIdxStr = 1;
	return SQLITE_OK;
}

/* @return 0, or -1 if idxStr is not one of ours */
static int plan_read(const char *s, struct plan *p)
{
	int n = 0;

	memset(p, 0, sizeof(*p));
	if (!s || sscanf(s, "T %d %d %d %d %d %d %d %d C %llx O %d %d %d E %d%n", &p->slot[0],
			 &p->op[0], &p->slot[1], &p->op[1], &p->slot[2], &p->op[2], &p->slot[3],
			 &p->op[3], &p->cols, &p->once, &p->first, &p->desc, &p->neq, &n) != 13 ||
	    p->neq < 0 || p->neq > SQL_MAX_EQ)
		return -1;
	s += n;
	for (int k = 0; k < p->neq; k++) {
		if (sscanf(s, " %d %d%n", &p->eq_col[k], &p->eq_slot[k], &n) != 2)
			return -1;
		s += n;
	}
	if (sscanf(s, " G %d%n", &p->ngroup, &n) != 1 || p->ngroup < 0 ||
	    p->ngroup > SQL_MAX_GROUP)
		return -1;
	s += n;
	for (int k = 0; k < p->ngroup; k++) {
		if (sscanf(s, " %d%n", &p->group_col[k], &n) != 1)
			return -1;
		s += n;
	}
	if (sscanf(s, " V %d%n", &p->nval, &n) != 1 || p->nval < 0 || p->nval > SQL_MAX_VALS)
		return -1;
	s += n;
	for (int k = 0; k < p->nval; k++) {
		if (sscanf(s, " %d%n", &p->val_col[k], &n) != 1)
			return -1;
		s += n;
	}
	return 0;
}

static int x_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	struct cur *c = sqlite3_malloc(sizeof(*c));

	(void)base;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static void cur_reset(struct cur *c)
{
	struct vt *v = (struct vt *)c->base.pVtab;

	if (c->it) {
		v->src->chunks_decoded += fmt_iter_chunks_decoded(c->it);
		fmt_iter_free(c->it);
		c->it = NULL;
	}
	sql_groups_free(c->groups);
	c->groups = NULL;
	sql_rows_free(c->rows);
	c->rows = NULL;
	sql_filter_free(&c->filter);
	sql_memo_free(&c->memo);
	memset(&c->row, 0, sizeof(c->row));
}

static int x_close(sqlite3_vtab_cursor *base)
{
	struct cur *c = (struct cur *)base;

	cur_reset(c);
	json_free(&c->sc.j);
	free(c->off);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int vt_error(struct vt *v, const char *msg)
{
	sqlite3_free(v->base.zErrMsg);
	v->base.zErrMsg = sqlite3_mprintf("%s", msg);
	return SQLITE_ERROR;
}

/* Kept rows: the first row of the next group, or the end. */
static void next_rows_group(struct cur *c)
{
	while (c->group < sql_rows_groups(c->rows)) {
		sql_rows_first(c->rows, c->group, &c->at);
		if (c->at.block)
			return;
		c->group++;
	}
	c->eof = 1;
}

/* The next group with rows, or the end. */
static void next_group(struct cur *c)
{
	while (c->group < sql_groups_n(c->groups)) {
		uint64_t rows = sql_groups_rows(c->groups, c->group);
		c->left = c->once && rows ? 1 : rows;
		if (c->left)
			return;
		c->group++;
	}
	c->eof = 1;
}

static int x_next(sqlite3_vtab_cursor *base)
{
	struct cur *c = (struct cur *)base;
	struct vt *v = (struct vt *)base->pVtab;
	int rc;

	c->rowid++;
	if (v->stream == 0) { /* meta: (source, row) pairs */
		while (c->meta_src < v->src->n &&
		       ++c->meta_i >= fmt_reader_meta_count(v->src->readers[c->meta_src])) {
			c->meta_src++;
			c->meta_i = (size_t)-1;
		}
		c->eof = c->meta_src >= v->src->n;
		return SQLITE_OK;
	}
	if (c->groups) {
		if (c->left && --c->left)
			return SQLITE_OK;
		c->group++;
		next_group(c);
		return SQLITE_OK;
	}
	if (c->rows) {
		if (!sql_rows_next(c->rows, &c->at)) {
			c->group++;
			next_rows_group(c);
		}
		return SQLITE_OK;
	}
	for (;;) {
		const struct fmt_batch *b;
		uint32_t j;
		unsigned src;

		rc = iter_next_at(c->it, &b, &j, &src);
		if (rc < 0) {
			vt_error(v, fmt_reader_errmsg(v->src->readers[src]));
			/* the failed chunk took the last row's memory with it: end
			 * here, and let no later xColumn touch it */
			memset(&c->row, 0, sizeof(c->row));
			c->eof = 1;
			return SQLITE_ERROR;
		}
		if (rc == 0) {
			memset(&c->row, 0, sizeof(c->row));
			c->eof = 1;
			return SQLITE_OK;
		}
		if (fmt_batch_stream(b) != (enum fmt_stream)v->stream) { /* never read as another */
			memset(&c->row, 0, sizeof(c->row));
			c->eof = 1;
			return vt_error(v, "a chunk of another stream in this table's chunks");
		}
		c->row = (struct sql_row){ b, j, src, c->off[src] };
		if (!c->filter.n || sql_filter_pass(&c->filter, v->stream, &c->row, &c->sc, &c->memo))
			return SQLITE_OK;
	}
}

/* The bound a constraint value gives, rounded outwards (it only prunes). */
static int64_t bound(sqlite3_value *val, int op, int lower, int *ok)
{
	double d;

	*ok = 0;
	if (sqlite3_value_numeric_type(val) == SQLITE_INTEGER) {
		int64_t i = sqlite3_value_int64(val);
		*ok = 1;
		if (op == SQLITE_INDEX_CONSTRAINT_GT && i < INT64_MAX)
			return i + 1;
		if (op == SQLITE_INDEX_CONSTRAINT_LT && i > INT64_MIN)
			return i - 1;
		return i;
	}
	if (sqlite3_value_numeric_type(val) != SQLITE_FLOAT)
		return 0;
	d = sqlite3_value_double(val);
	if (!(d > -9e18 && d < 9e18))
		return 0;
	*ok = 1;
	return (int64_t)(lower ? floor(d) : ceil(d));
}

/* The rows' windows, per file, from the time bounds of plan p. */
static void windows(const struct fmt_sql_src *s, const struct plan *p, int argc,
		    sqlite3_value **argv, uint64_t *from, uint64_t *to)
{
	int64_t lim[4] = { 0, INT64_MAX, INT64_MIN, INT64_MAX };

	for (int b = 0; b < 4; b++) {
		int ok;
		int64_t x;
		if (p->slot[b] < 1 || p->slot[b] > argc)
			continue;
		x = bound(argv[p->slot[b] - 1], p->op[b], b % 2 == 0, &ok);
		if (ok)
			lim[b] = x;
	}
	for (unsigned i = 0; i < s->n; i++) {
		int64_t off = fmt_reader_clock_offset(s->readers[i]);
		int64_t lo = lim[0], hi = lim[1];
		/* wall bounds in this file's boot clock, saturating */
		if (lim[2] != INT64_MIN) {
			int64_t w = off > 0 && lim[2] < INT64_MIN + off ? INT64_MIN : lim[2] - off;
			lo = w > lo ? w : lo;
		}
		if (lim[3] != INT64_MAX) {
			int64_t w = off < 0 && lim[3] > INT64_MAX + off ? INT64_MAX : lim[3] - off;
			hi = w < hi ? w : hi;
		}
		from[i] = lo < 0 ? 0 : (uint64_t)lo;
		to[i] = hi < 0 ? 0 : (uint64_t)hi;
		if (hi < 0 || hi < lo) { /* an empty window */
			from[i] = 1;
			to[i] = 0;
		}
	}
}

/* The equality constraints of p as row filters, where the value's type is
 * the column's (others are left to SQLite); `source = N` empties the
 * other files' windows. @return 0 or -1 (out of memory). */
static int filters(struct cur *c, const struct plan *p, int argc, sqlite3_value **argv,
		   unsigned nfiles, uint64_t *from, uint64_t *to)
{
	struct vt *v = (struct vt *)c->base.pVtab;
	int ncol;
	const struct sql_column *cols = sql_columns(v->stream, &ncol);

	for (int k = 0; k < p->neq; k++) {
		sqlite3_value *val;
		int col = p->eq_col[k];
		struct sql_eq *e;
		if (p->eq_slot[k] < 1 || p->eq_slot[k] > argc || col < SQL_C_SOURCE || col >= ncol)
			continue;
		val = argv[p->eq_slot[k] - 1];
		if (col == SQL_C_SOURCE) {
			if (sqlite3_value_type(val) != SQLITE_INTEGER)
				continue;
			for (unsigned i = 0; i < nfiles; i++)
				if ((sqlite3_int64)i != sqlite3_value_int64(val))
					from[i] = 1, to[i] = 0;
			continue;
		}
		e = &c->filter.eq[c->filter.n];
		if (!strcmp(cols[col].type, "INTEGER") && sqlite3_value_type(val) == SQLITE_INTEGER) {
			e->v = (struct sqlv){ .type = SQLV_INT, .i = sqlite3_value_int64(val) };
		} else if (!strcmp(cols[col].type, "TEXT") && sqlite3_value_type(val) == SQLITE_TEXT) {
			const char *t = (const char *)sqlite3_value_text(val);
			size_t len = (size_t)sqlite3_value_bytes(val);
			char *copy = malloc(len + 1);
			if (!t || !copy) {
				free(copy);
				return -1;
			}
			memcpy(copy, t, len);
			copy[len] = 0;
			e->v = (struct sqlv){ .type = SQLV_TEXT, .s = copy, .len = len };
		} else {
			continue;
		}
		e->col = col;
		c->filter.n++;
	}
	return 0;
}

static int x_filter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
		    sqlite3_value **argv)
{
	struct cur *c = (struct cur *)base;
	struct vt *v = (struct vt *)base->pVtab;
	struct fmt_sql_src *s = v->src;
	struct plan p;
	uint64_t *from, *to;
	int rc;

	(void)idxNum;
	cur_reset(c);
	c->rowid = 0;
	c->eof = 0;
	if (v->stream == 0) {
		c->meta_src = 0;
		c->meta_i = (size_t)-1;
		c->rowid = -1;
		return x_next(base);
	}
	if (plan_read(idxStr, &p))
		return vt_error(v, "ebpfrec: not a plan of these tables");
	from = calloc(s->n ? s->n : 1, sizeof(*from));
	to = calloc(s->n ? s->n : 1, sizeof(*to));
	if (!from || !to || (windows(s, &p, argc, argv, from, to),
			     filters(c, &p, argc, argv, s->n, from, to))) {
		free(from);
		free(to);
		return SQLITE_NOMEM;
	}
	if (p.ngroup) {
		struct sql_group_query q = { .readers = s->readers, .nreaders = s->n,
					     .stream = v->stream, .from = from, .to = to,
					     .ncols = p.ngroup, .desc = p.desc, .first = p.first,
					     .filter = &c->filter, .threads = s->threads };
		char *err = NULL;
		memcpy(q.cols, p.group_col, sizeof(q.cols));
		c->nval = p.nval;
		memcpy(c->val_col, p.val_col, sizeof(c->val_col));
		if (p.nval)
			rc = sql_rows_collect(&q, c->nval, c->val_col, &c->rows, &s->chunks_decoded,
					      &err);
		else
			rc = sql_groups_count(&q, &c->groups, &s->chunks_decoded, &err);
		free(from);
		free(to);
		if (rc) {
			rc = err ? vt_error(v, err) : SQLITE_NOMEM;
			free(err);
			return rc;
		}
		c->ngroup = p.ngroup;
		memcpy(c->group_col, p.group_col, sizeof(c->group_col));
		c->once = p.once;
		c->group = 0;
		if (c->rows)
			next_rows_group(c);
		else
			next_group(c);
		return SQLITE_OK;
	}
	/* the chunk columns needed, the constraints' included */
	if (!c->off && !(c->off = calloc(s->n ? s->n : 1, sizeof(*c->off)))) {
		free(from);
		free(to);
		return SQLITE_NOMEM;
	}
	for (unsigned i = 0; i < s->n; i++)
		c->off[i] = fmt_reader_clock_offset(s->readers[i]);
	rc = iter_open(s->readers, s->n, 1u << v->stream, from, to, s->threads, p.cols, &c->it);
	free(from);
	free(to);
	if (rc)
		return vt_error(v, fmt_reader_errmsg(s->readers[0]));
	c->rowid = 0;
	return x_next(base);
}

static int x_eof(sqlite3_vtab_cursor *base)
{
	return ((struct cur *)base)->eof;
}

static void result(sqlite3_context *ctx, const struct sqlv *v)
{
	if (v->type == SQLV_INT)
		sqlite3_result_int64(ctx, v->i);
	else if (v->type == SQLV_TEXT)
		sqlite3_result_text(ctx, v->s, (int)v->len, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

static int x_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
	struct cur *c = (struct cur *)base;
	struct vt *v = (struct vt *)base->pVtab;
	struct sqlv val;

	if (c->eof) { /* after an error: nothing to read */
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (v->stream == 0) {
		const char *k, *value;
		fmt_reader_meta_at(v->src->readers[c->meta_src], c->meta_i, &k, &value);
		if (col == 0)
			sqlite3_result_int64(ctx, (sqlite3_int64)c->meta_src);
		else
			sqlite3_result_text(ctx, col == 1 ? k : value, -1, SQLITE_TRANSIENT);
		return SQLITE_OK;
	}
	if (c->groups || c->rows) { /* the group's columns, and the rows' kept ones */
		const struct sqlv *g = c->groups ? sql_groups_values(c->groups, c->group) :
						   sql_rows_group_values(c->rows, c->group);
		for (int k = 0; k < c->ngroup; k++)
			if (c->group_col[k] == col) {
				result(ctx, &g[k]);
				return SQLITE_OK;
			}
		for (int k = 0; c->rows && k < c->nval; k++)
			if (c->val_col[k] == col) {
				sql_rows_value(c->rows, &c->at, k, &val);
				result(ctx, &val);
				return SQLITE_OK;
			}
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (!c->row.b) {
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	sql_value(v->stream, col, &c->row, &c->sc, &val);
	result(ctx, &val);
	return SQLITE_OK;
}

static int x_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = ((struct cur *)base)->rowid;
	return SQLITE_OK;
}

#define MODULE(name, connect)                                                                  \
	static const sqlite3_module name = {                                                   \
		.xConnect = connect,                                                           \
		.xBestIndex = x_best_index,                                                    \
		.xDisconnect = x_disconnect,                                                   \
		.xOpen = x_open,                                                               \
		.xClose = x_close,                                                             \
		.xFilter = x_filter,                                                           \
		.xNext = x_next,                                                               \
		.xEof = x_eof,                                                                 \
		.xColumn = x_column,                                                           \
		.xRowid = x_rowid,                                                             \
	}
MODULE(meta_module, connect_meta);
MODULE(exec_module, connect_exec);
MODULE(exit_module, connect_exit);
MODULE(flow_module, connect_flow);
MODULE(proc_module, connect_proc);
MODULE(cgroup_module, connect_cgroup);

int fmt_sql_register(sqlite3 *db, struct fmt_sql_src *src, int with_meta)
{
	int rc = sqlite3_create_module(db, "exec", &exec_module, src);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "exit", &exit_module, src);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "flow", &flow_module, src);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "proc", &proc_module, src);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_module(db, "cgroup", &cgroup_module, src);
	if (rc == SQLITE_OK && with_meta)
		rc = sqlite3_create_module(db, "meta", &meta_module, src);
	return rc;
}
