/* plain.c - fmt_plain: the relational export (see fmt.h and the "Plain
 * export" section of docs/FORMAT.md). The stream tables are the export
 * schema (fmt_row.h) after a `source` column. One transaction; indexes are
 * built after the rows, which is several times faster than maintaining
 * them. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "create_file.h"
#include "fmt.h"
#include "fmt_row.h"
#include "json.h"

#define TIME_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1e9, 'unixepoch')"

/* The stream tables come from the export schema (fmt_row.h), after a
 * `source` column; these are the others. */
static const char schema[] =
	"CREATE TABLE meta(source INTEGER, key TEXT, value TEXT);"
	/* a run of a program: an exec and what ended it (fmt_plain_process_*) */
	"CREATE TABLE process(source INTEGER, pid INTEGER, ppid INTEGER, uid INTEGER, comm TEXT,"
	" filename TEXT, argv TEXT, ret INTEGER, exec_time TEXT, ended TEXT, end_time TEXT,"
	" exit_time TEXT, exit_code INTEGER, signal INTEGER, run_ns INTEGER);";

static const char finish[] =
	"CREATE INDEX exec_time ON exec(wall_ns);"
	"CREATE INDEX exec_pid ON exec(source, pid, ts_ns);"
	"CREATE INDEX exec_comm ON exec(comm);"
	"CREATE INDEX exit_pid ON exit(source, pid, ts_ns);"
	"CREATE INDEX flow_time ON flow(wall_ns);"
	"CREATE INDEX flow_src ON flow(src);"
	"CREATE INDEX flow_dst ON flow(dst);"
	"CREATE INDEX process_pid ON process(source, pid);"
	"CREATE INDEX flow_owner ON flow(source, owner_pid, owner_start_ns);"
	"CREATE INDEX proc_pid ON proc(source, pid, start_ns);"
	"CREATE INDEX cgroup_id ON cgroup(source, cgroup_id);"
	"CREATE VIEW top_commands AS SELECT comm, count(*) AS execs FROM exec"
	" GROUP BY comm ORDER BY execs DESC, comm;"
	"CREATE VIEW flow_totals AS SELECT iface, dir, family, proto, src, sport, dst, dport,"
	" sum(packets) AS packets, sum(bytes) AS bytes FROM flow GROUP BY source, ifindex, dir,"
	" family, proto, src, sport, dst, dport ORDER BY packets DESC;"
	"COMMIT;";

struct fmt_plain {
	sqlite3 *db;
	sqlite3_stmt *ins[FMT_STREAM_MAX + 1], *ins_meta, *proc_begin, *proc_end;
	struct json j;
	struct fmt_time_cache tc;
	char *enc; /* an encoded string */
	size_t enc_cap;
	char err[512];
};

static int fail(struct fmt_plain *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return FMT_EIO;
}

static int db_fail(struct fmt_plain *p, int src, const char *what)
{
	fail(p, "%s: %s", what, sqlite3_errmsg(p->db));
	return (src & 0xff) == SQLITE_FULL ? FMT_EFULL : FMT_EIO;
}

static const char *sql_type(enum fmt_col_type t)
{
	switch (t) {
	case FMT_COL_BOOL:
		return "BOOLEAN";
	case FMT_COL_TIME:
	case FMT_COL_STR:
	case FMT_COL_STRS:
	case FMT_COL_ADDR:
	case FMT_COL_ENUM:
		return "TEXT";
	default:
		return "INTEGER";
	}
}

/* "CREATE TABLE exec(source INTEGER, ts_ns INTEGER, ...)" or
 * "INSERT INTO exec VALUES(?,?,...)" for stream s */
static int stream_sql(struct fmt_plain *p, int s, int insert, char *buf, size_t len)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns((enum fmt_stream)s, &n);
	size_t o = (size_t)snprintf(buf, len, insert ? "INSERT INTO %s VALUES(?" :
						 "CREATE TABLE %s(source INTEGER",
				    fmt_stream_name(s));

	for (unsigned i = 0; i < n && o < len; i++)
		o += insert ? (size_t)snprintf(buf + o, len - o, ",?") :
			      (size_t)snprintf(buf + o, len - o, ", %s %s", c[i].name,
					       sql_type(c[i].type));
	if (o + 2 >= len)
		return fail(p, "schema too long");
	strcpy(buf + o, ")");
	return FMT_OK;
}

int fmt_plain_create(const char *path, unsigned flags, struct fmt_plain **out, char **errmsg)
{
	char sql[2048];
	struct fmt_plain *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (!p)
		return FMT_ENOMEM;
	rc = fmt_create_file(path, flags, NULL, p->err, sizeof(p->err));
	if (rc == FMT_OK &&
	    sqlite3_open_v2(path, &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL))
		rc = db_fail(p, SQLITE_ERROR, "cannot open");
	if (rc == FMT_OK &&
	    sqlite3_exec(p->db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", NULL,
			 NULL, NULL))
		rc = db_fail(p, SQLITE_ERROR, "setup");
	if (rc == FMT_OK && sqlite3_exec(p->db, schema, NULL, NULL, NULL))
		rc = db_fail(p, SQLITE_ERROR, "schema");
	for (int s = 1; rc == FMT_OK && s <= FMT_STREAM_MAX; s++) {
		if ((rc = stream_sql(p, s, 0, sql, sizeof(sql))) == FMT_OK &&
		    sqlite3_exec(p->db, sql, NULL, NULL, NULL))
			rc = db_fail(p, SQLITE_ERROR, "schema");
		if (rc == FMT_OK && (rc = stream_sql(p, s, 1, sql, sizeof(sql))) == FMT_OK &&
		    sqlite3_prepare_v2(p->db, sql, -1, &p->ins[s], NULL))
			rc = db_fail(p, SQLITE_ERROR, "prepare");
	}
	p->j.lossless = 1;
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(p->db, "INSERT INTO meta VALUES(?,?,?)", -1, &p->ins_meta, NULL))
		rc = db_fail(p, SQLITE_ERROR, "prepare");
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(p->db,
			       "INSERT INTO process(source, pid, ppid, uid, comm, filename, argv, ret,"
			       " exec_time) VALUES(?1,?4,?5,?6,?7,?8,?9,?10," TIME_SQL ")",
			       -1, &p->proc_begin, NULL))
		rc = db_fail(p, SQLITE_ERROR, "prepare");
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(p->db,
			       "UPDATE process SET ended = ?1, end_time = " TIME_SQL ", exit_time ="
			       " CASE WHEN ?1 = 'exit' THEN " TIME_SQL " END, exit_code = ?4,"
			       " signal = ?5, run_ns = ?6 WHERE rowid = ?2",
			       -1, &p->proc_end, NULL))
		rc = db_fail(p, SQLITE_ERROR, "prepare");
	if (rc != FMT_OK) {
		if (errmsg)
			*errmsg = strdup(p->err);
		fmt_plain_abandon(p);
		return rc;
	}
	*out = p;
	return FMT_OK;
}

static int step(struct fmt_plain *p, sqlite3_stmt *st)
{
	int src = sqlite3_step(st);

	sqlite3_reset(st);
	return src == SQLITE_DONE ? FMT_OK : db_fail(p, src, "insert");
}

int fmt_plain_meta(struct fmt_plain *p, unsigned source, const char *key, const char *value)
{
	sqlite3_bind_int64(p->ins_meta, 1, source);
	sqlite3_bind_text(p->ins_meta, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(p->ins_meta, 3, value, -1, SQLITE_STATIC);
	return step(p, p->ins_meta);
}

/* A string in the exports' encoding (fmt_row.h). */
static int bind_str(struct fmt_plain *p, sqlite3_stmt *st, int col, const char *s)
{
	size_t len = strlen(s);
	const char *e = fmt_str_export(s, &len, &p->enc, &p->enc_cap);

	if (!e)
		return fail(p, "out of memory"), FMT_ENOMEM;
	/* the encoding's buffer is used again by the next string */
	sqlite3_bind_text(st, col, e, (int)len, e == s ? SQLITE_STATIC : SQLITE_TRANSIENT);
	return FMT_OK;
}

/* argv as a JSON array of encoded strings */
static int bind_strs(struct fmt_plain *p, sqlite3_stmt *st, int col, const char *const *v,
		     uint32_t n)
{
	json_reset(&p->j);
	json_str_array(&p->j, v, n);
	if (p->j.oom)
		return fail(p, "out of memory"), FMT_ENOMEM;
	sqlite3_bind_text(st, col, p->j.buf, (int)p->j.len, SQLITE_TRANSIENT);
	return FMT_OK;
}

static void bind_addr(sqlite3_stmt *st, int col, const struct fmt_value *v)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(v->addr.family == FMT_FAMILY_IPV4 ? AF_INET : AF_INET6, v->addr.bytes, buf,
		  sizeof(buf));
	sqlite3_bind_text(st, col, buf, -1, SQLITE_TRANSIENT);
}

int fmt_plain_add(struct fmt_plain *p, const struct fmt_event *ev, int64_t wall_offset,
		  const char *iface)
{
	sqlite3_stmt *st;
	struct fmt_row row;
	unsigned n;
	const struct fmt_column *c;
	char t[32];
	int rc = FMT_OK;

	if (fmt_row_fill(ev, wall_offset, iface, &row))
		return FMT_OK; /* a stream this version does not know */
	c = fmt_row_columns(ev->stream, &n);
	st = p->ins[ev->stream];
	sqlite3_bind_int64(st, 1, ev->source);
	for (unsigned i = 0; i < row.n && rc == FMT_OK; i++) {
		const struct fmt_value *v = &row.v[i];
		int col = (int)i + 2;
		if (v->null) {
			sqlite3_bind_null(st, col);
			continue;
		}
		switch (c[i].type) {
		case FMT_COL_I32:
			sqlite3_bind_int64(st, col, v->i);
			break;
		case FMT_COL_TIME:
			sqlite3_bind_text(st, col, fmt_row_time(t, v->u, &p->tc), 24, SQLITE_TRANSIENT);
			break;
		case FMT_COL_STR:
			rc = bind_str(p, st, col, v->s);
			break;
		case FMT_COL_STRS:
			rc = bind_strs(p, st, col, v->strs.v, v->strs.n);
			break;
		case FMT_COL_ADDR:
			bind_addr(st, col, v);
			break;
		case FMT_COL_ENUM:
			sqlite3_bind_text(st, col, c[i].names[v->u], -1, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_int64(st, col, (int64_t)v->u);
		}
	}
	if (rc != FMT_OK) {
		sqlite3_reset(st);
		return rc;
	}
	return step(p, st);
}

int fmt_plain_process_begin(struct fmt_plain *p, unsigned source, const struct fmt_exec *e,
			    int64_t wall_offset, int64_t *row)
{
	sqlite3_stmt *st = p->proc_begin;
	char *argv;
	int rc;

	json_reset(&p->j);
	json_str_array(&p->j, e->argv, e->argc);
	if (p->j.oom || !(argv = strdup(p->j.buf ? p->j.buf : "[]")))
		return fail(p, "out of memory"), FMT_ENOMEM;
	sqlite3_bind_int64(st, 1, source);
	sqlite3_bind_int64(st, 3, (int64_t)e->ts_ns + wall_offset);
	sqlite3_bind_int64(st, 4, e->pid);
	sqlite3_bind_int64(st, 5, e->ppid);
	sqlite3_bind_int64(st, 6, e->uid);
	sqlite3_bind_text(st, 9, argv, -1, free);
	sqlite3_bind_int(st, 10, e->ret);
	rc = bind_str(p, st, 7, e->comm);
	if (rc == FMT_OK)
		rc = bind_str(p, st, 8, e->filename);
	if (rc != FMT_OK) {
		sqlite3_reset(st);
		return rc;
	}
	rc = step(p, st);
	*row = sqlite3_last_insert_rowid(p->db);
	return rc;
}

int fmt_plain_process_end(struct fmt_plain *p, int64_t row, const char *ended,
			  uint64_t begin_ns, uint64_t end_ns, int64_t wall_offset,
			  const struct fmt_exit *x)
{
	sqlite3_stmt *st = p->proc_end;

	sqlite3_bind_text(st, 1, ended, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row);
	if (ended)
		sqlite3_bind_int64(st, 3, (int64_t)end_ns + wall_offset);
	else
		sqlite3_bind_null(st, 3);
	if (x) {
		sqlite3_bind_int64(st, 4, x->exit_code);
		sqlite3_bind_int64(st, 5, x->signal);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	if (ended && end_ns >= begin_ns)
		sqlite3_bind_int64(st, 6, (int64_t)(end_ns - begin_ns));
	else
		sqlite3_bind_null(st, 6);
	return step(p, st);
}

int fmt_plain_close(struct fmt_plain *p, char **errmsg)
{
	int rc = FMT_OK, src;

	if (errmsg)
		*errmsg = NULL;
	if ((src = sqlite3_exec(p->db, finish, NULL, NULL, NULL)) != SQLITE_OK)
		rc = db_fail(p, src, "finishing the export");
	if (rc && errmsg)
		*errmsg = strdup(p->err);
	fmt_plain_abandon(p); /* after COMMIT, this only frees */
	return rc;
}

void fmt_plain_abandon(struct fmt_plain *p)
{
	if (!p)
		return;
	for (int s = 1; s <= FMT_STREAM_MAX; s++)
		sqlite3_finalize(p->ins[s]);
	sqlite3_finalize(p->ins_meta);
	sqlite3_finalize(p->proc_begin);
	sqlite3_finalize(p->proc_end);
	if (p->db && sqlite3_close(p->db) != SQLITE_OK)
		sqlite3_close_v2(p->db);
	json_free(&p->j);
	free(p->enc);
	free(p);
}

const char *fmt_plain_errmsg(const struct fmt_plain *p)
{
	return p->err;
}
