/* sql_vtab.c - SQL over a compressed session: eponymous virtual tables
 * exec, exit, flow, proc, cgroup (and meta) that decode chunks only as a query reads them.
 * Constraints on ts_ns or wall_ns become the iterator's time window, so a
 * time-range query decompresses only the chunks that overlap it (the
 * constraints are still checked by SQLite: the window only prunes). Rows
 * come in time order, so ORDER BY wall_ns (or ts_ns for one file) costs
 * nothing. Modelled on SQLite's ext/misc/series.c. */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sql_api.h"

enum { C_TS, C_WALL, C_SOURCE }; /* the first columns of every stream table */

static const char *const decl[] = {
	"CREATE TABLE x(source INTEGER, key TEXT, value TEXT)",
	"CREATE TABLE x(ts_ns INTEGER, wall_ns INTEGER, source INTEGER, pid INTEGER,"
	" tid INTEGER, ppid INTEGER, uid INTEGER, gid INTEGER, cgroup_id INTEGER, comm TEXT,"
	" pcomm TEXT, filename TEXT, argc INTEGER, argv TEXT, argv_truncated INTEGER,"
	" ret INTEGER, interp TEXT, cwd TEXT, cwd_truncated INTEGER, start_ns INTEGER)",
	"CREATE TABLE x(ts_ns INTEGER, wall_ns INTEGER, source INTEGER, pid INTEGER,"
	" ppid INTEGER, exit_code INTEGER, signal INTEGER, start_ns INTEGER)",
	"CREATE TABLE x(ts_ns INTEGER, wall_ns INTEGER, source INTEGER, interval_ns INTEGER,"
	" ifindex INTEGER, dir TEXT, family INTEGER, proto INTEGER, src TEXT, sport INTEGER,"
	" dst TEXT, dport INTEGER, packets INTEGER, bytes INTEGER, owner_pid INTEGER,"
	" owner_start_ns INTEGER, owner_cgroup_id INTEGER)",
	"CREATE TABLE x(ts_ns INTEGER, wall_ns INTEGER, source INTEGER, pid INTEGER,"
	" ppid INTEGER, uid INTEGER, gid INTEGER, cgroup_id INTEGER, start_ns INTEGER,"
	" comm TEXT, exe TEXT, argc INTEGER, argv TEXT, argv_truncated INTEGER, cwd TEXT,"
	" cwd_truncated INTEGER, kthread INTEGER)",
	"CREATE TABLE x(ts_ns INTEGER, wall_ns INTEGER, source INTEGER, cgroup_id INTEGER,"
	" kind TEXT, path TEXT)",
};

struct vt {
	sqlite3_vtab base;
	int stream; /* 0: meta */
	struct fmt_sql_src *src;
};

struct cur {
	sqlite3_vtab_cursor base;
	struct fmt_iter *it;
	struct fmt_event ev;
	int eof;
	sqlite3_int64 rowid;
	size_t meta_i, meta_src; /* meta: position */
	struct json j;
};

/* idxNum bits: which bounds xFilter gets, in this order in argv */
#define B_TS_LO 1
#define B_TS_HI 2
#define B_WALL_LO 4
#define B_WALL_HI 8

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
	rc = sqlite3_declare_vtab(db, decl[stream]);
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

static int x_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	struct vt *v = (struct vt *)base;
	int bits = 0, argi = 0, pos[4] = { -1, -1, -1, -1 };

	if (v->stream == 0) {
		info->estimatedCost = 100;
		return SQLITE_OK;
	}
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		int wall, lo, hi;
		if (!c->usable || (c->iColumn != C_TS && c->iColumn != C_WALL))
			continue;
		wall = c->iColumn == C_WALL;
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
	}
	info->idxNum = bits;
	/* remember for xFilter which argv slot and operator each bound uses */
	info->idxStr = sqlite3_mprintf("%d %d %d %d %d %d %d %d",
				       pos[0] < 0 ? 0 : info->aConstraintUsage[pos[0]].argvIndex,
				       pos[0] < 0 ? 0 : info->aConstraint[pos[0]].op,
				       pos[1] < 0 ? 0 : info->aConstraintUsage[pos[1]].argvIndex,
				       pos[1] < 0 ? 0 : info->aConstraint[pos[1]].op,
				       pos[2] < 0 ? 0 : info->aConstraintUsage[pos[2]].argvIndex,
				       pos[2] < 0 ? 0 : info->aConstraint[pos[2]].op,
				       pos[3] < 0 ? 0 : info->aConstraintUsage[pos[3]].argvIndex,
				       pos[3] < 0 ? 0 : info->aConstraint[pos[3]].op);
	info->needToFreeIdxStr = 1;
	info->estimatedCost = bits ? 1000.0 : 1000000.0;
	if (info->nOrderBy == 1 && !info->aOrderBy[0].desc &&
	    (info->aOrderBy[0].iColumn == C_WALL ||
	     (info->aOrderBy[0].iColumn == C_TS && v->src->n == 1)))
		info->orderByConsumed = 1;
	return SQLITE_OK;
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
}

static int x_close(sqlite3_vtab_cursor *base)
{
	struct cur *c = (struct cur *)base;

	cur_reset(c);
	json_free(&c->j);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int vt_error(struct vt *v, const char *msg)
{
	sqlite3_free(v->base.zErrMsg);
	v->base.zErrMsg = sqlite3_mprintf("%s", msg);
	return SQLITE_ERROR;
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
	rc = fmt_iter_next(c->it, &c->ev);
	if (rc < 0) {
		vt_error(v, fmt_reader_errmsg(v->src->readers[c->ev.source]));
		/* the failed chunk took the last row's memory with it: end here,
		 * and let no later xColumn touch it */
		memset(&c->ev, 0, sizeof(c->ev));
		c->eof = 1;
		return SQLITE_ERROR;
	}
	c->eof = rc == 0;
	if (!c->eof && c->ev.stream != (enum fmt_stream)v->stream) { /* never read as another */
		memset(&c->ev, 0, sizeof(c->ev));
		c->eof = 1;
		return vt_error(v, "a chunk of another stream in this table's chunks");
	}
	return SQLITE_OK;
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

static int x_filter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr, int argc,
		    sqlite3_value **argv)
{
	struct cur *c = (struct cur *)base;
	struct vt *v = (struct vt *)base->pVtab;
	struct fmt_sql_src *s = v->src;
	int slot[4] = { 0 }, op[4] = { 0 }, rc;
	int64_t lim[4] = { 0, INT64_MAX, INT64_MIN, INT64_MAX };
	uint64_t *from, *to;

	cur_reset(c);
	c->rowid = 0;
	c->eof = 0;
	if (v->stream == 0) {
		c->meta_src = 0;
		c->meta_i = (size_t)-1;
		c->rowid = -1;
		return x_next(base);
	}
	if (idxStr)
		sscanf(idxStr, "%d %d %d %d %d %d %d %d", &slot[0], &op[0], &slot[1], &op[1],
		       &slot[2], &op[2], &slot[3], &op[3]);
	for (int b = 0; b < 4; b++) {
		int ok;
		int64_t x;
		if (!(idxNum & (1 << b)) || slot[b] < 1 || slot[b] > argc)
			continue;
		x = bound(argv[slot[b] - 1], op[b], b % 2 == 0, &ok);
		if (ok)
			lim[b] = x;
	}
	from = calloc(s->n, sizeof(*from));
	to = calloc(s->n, sizeof(*to));
	if (!from || !to) {
		free(from);
		free(to);
		return SQLITE_NOMEM;
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
	rc = fmt_iter_open_windows(s->readers, s->n, 1u << v->stream, from, to, &c->it);
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

static void text(sqlite3_context *ctx, const char *s)
{
	if (s)
		sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(ctx);
}

static void addr(sqlite3_context *ctx, const struct fmt_flow_key *k, const uint8_t *a)
{
	char buf[64];

	if (k->family != FMT_FAMILY_IPV4 && k->family != FMT_FAMILY_IPV6) {
		sqlite3_result_null(ctx);
		return;
	}
	inet_ntop(k->family == FMT_FAMILY_IPV4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	text(ctx, buf);
}

/* NULL for 0 (not recorded) */
static void opt_int(sqlite3_context *ctx, uint64_t v)
{
	if (v)
		sqlite3_result_int64(ctx, (sqlite3_int64)v);
	else
		sqlite3_result_null(ctx);
}

static void argv_json(struct cur *c, sqlite3_context *ctx, const char *const *argv, uint32_t argc)
{
	char *s;

	json_str_array(&c->j, argv, argc);
	s = json_take(&c->j);
	if (s)
		sqlite3_result_text(ctx, s, -1, free);
	else
		sqlite3_result_error_nomem(ctx);
}

static void exec_column(struct cur *c, sqlite3_context *ctx, int col)
{
	const struct fmt_exec *e = &c->ev.exec;

	switch (col) {
	case 3: sqlite3_result_int64(ctx, e->pid); break;
	case 4: sqlite3_result_int64(ctx, e->tid); break;
	case 5: sqlite3_result_int64(ctx, e->ppid); break;
	case 6: sqlite3_result_int64(ctx, e->uid); break;
	case 7: sqlite3_result_int64(ctx, e->gid); break;
	case 8: sqlite3_result_int64(ctx, (sqlite3_int64)e->cgroup_id); break;
	case 9: text(ctx, e->comm); break;
	case 10: text(ctx, e->pcomm); break;
	case 11: text(ctx, e->filename); break;
	case 12: sqlite3_result_int64(ctx, e->argc); break;
	case 13: argv_json(c, ctx, e->argv, e->argc); break;
	case 14: sqlite3_result_int(ctx, !!(e->flags & FMT_EXEC_ARGV_TRUNCATED)); break;
	case 15: sqlite3_result_int(ctx, e->ret); break;
	case 16: text(ctx, e->interp); break;
	case 17: text(ctx, e->cwd); break;
	case 18: sqlite3_result_int(ctx, !!(e->flags & FMT_EXEC_CWD_TRUNCATED)); break;
	case 19: opt_int(ctx, e->start_ns); break;
	}
}

static void proc_column(struct cur *c, sqlite3_context *ctx, int col)
{
	const struct fmt_proc *p = &c->ev.proc;

	switch (col) {
	case 3: sqlite3_result_int64(ctx, p->pid); break;
	case 4: sqlite3_result_int64(ctx, p->ppid); break;
	case 5: sqlite3_result_int64(ctx, p->uid); break;
	case 6: sqlite3_result_int64(ctx, p->gid); break;
	case 7: sqlite3_result_int64(ctx, (sqlite3_int64)p->cgroup_id); break;
	case 8: opt_int(ctx, p->start_ns); break;
	case 9: text(ctx, p->comm); break;
	case 10: text(ctx, p->exe); break;
	case 11: sqlite3_result_int64(ctx, p->argc); break;
	case 12: argv_json(c, ctx, p->argv, p->argc); break;
	case 13: sqlite3_result_int(ctx, !!(p->flags & FMT_EXEC_ARGV_TRUNCATED)); break;
	case 14: text(ctx, p->cwd); break;
	case 15: sqlite3_result_int(ctx, !!(p->flags & FMT_EXEC_CWD_TRUNCATED)); break;
	case 16: sqlite3_result_int(ctx, !!(p->flags & FMT_PROC_KTHREAD)); break;
	}
}

static void cgroup_column(struct cur *c, sqlite3_context *ctx, int col)
{
	static const char *const kinds[] = { "present", "created", "removed" };
	const struct fmt_cgroup *g = &c->ev.cgroup;

	switch (col) {
	case 3: sqlite3_result_int64(ctx, (sqlite3_int64)g->cgroup_id); break;
	case 4: text(ctx, g->kind < 3 ? kinds[g->kind] : "?"); break;
	case 5: text(ctx, g->path); break;
	}
}

static void exit_column(struct cur *c, sqlite3_context *ctx, int col)
{
	const struct fmt_exit *x = &c->ev.exit;

	switch (col) {
	case 3: sqlite3_result_int64(ctx, x->pid); break;
	case 4: sqlite3_result_int64(ctx, x->ppid); break;
	case 5: sqlite3_result_int64(ctx, x->exit_code); break;
	case 6: sqlite3_result_int64(ctx, x->signal); break;
	case 7: sqlite3_result_int64(ctx, (sqlite3_int64)x->start_ns); break;
	}
}

static void flow_column(struct cur *c, sqlite3_context *ctx, int col)
{
	const struct fmt_flow *f = &c->ev.flow;

	switch (col) {
	case 3: sqlite3_result_int64(ctx, (sqlite3_int64)f->interval_ns); break;
	case 4: sqlite3_result_int64(ctx, f->key.ifindex); break;
	case 5: text(ctx, f->key.dir == FMT_DIR_EGRESS ? "egress" : "ingress"); break;
	case 6: sqlite3_result_int(ctx, f->key.family); break;
	case 7: sqlite3_result_int(ctx, f->key.proto); break;
	case 8: addr(ctx, &f->key, f->key.src); break;
	case 9: sqlite3_result_int(ctx, f->key.sport); break;
	case 10: addr(ctx, &f->key, f->key.dst); break;
	case 11: sqlite3_result_int(ctx, f->key.dport); break;
	case 12: sqlite3_result_int64(ctx, (sqlite3_int64)f->packets); break;
	case 13: sqlite3_result_int64(ctx, (sqlite3_int64)f->bytes); break;
	case 14: opt_int(ctx, f->owner.pid); break;
	case 15: opt_int(ctx, f->owner.pid ? f->owner.start_ns : 0); break;
	case 16: opt_int(ctx, f->owner.pid ? f->owner.cgroup_id : 0); break;
	}
}

static int x_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
	struct cur *c = (struct cur *)base;
	struct vt *v = (struct vt *)base->pVtab;
	uint64_t ts;

	if (c->eof) { /* after an error: nothing to read */
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (v->stream == 0) {
		const char *k, *val;
		fmt_reader_meta_at(v->src->readers[c->meta_src], c->meta_i, &k, &val);
		if (col == 0)
			sqlite3_result_int64(ctx, (sqlite3_int64)c->meta_src);
		else
			text(ctx, col == 1 ? k : val);
		return SQLITE_OK;
	}
	ts = fmt_event_ts(&c->ev);
	switch (col) {
	case C_TS:
		sqlite3_result_int64(ctx, (sqlite3_int64)ts);
		return SQLITE_OK;
	case C_WALL:
		sqlite3_result_int64(ctx, (sqlite3_int64)ts +
						  fmt_reader_clock_offset(v->src->readers[c->ev.source]));
		return SQLITE_OK;
	case C_SOURCE:
		sqlite3_result_int64(ctx, c->ev.source);
		return SQLITE_OK;
	}
	if (v->stream == FMT_STREAM_EXEC)
		exec_column(c, ctx, col);
	else if (v->stream == FMT_STREAM_EXIT)
		exit_column(c, ctx, col);
	else if (v->stream == FMT_STREAM_PROC)
		proc_column(c, ctx, col);
	else if (v->stream == FMT_STREAM_CGROUP)
		cgroup_column(c, ctx, col);
	else
		flow_column(c, ctx, col);
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
