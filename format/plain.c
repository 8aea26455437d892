/* plain.c - fmt_plain: the relational export (see fmt.h and the "Plain
 * export" section of docs/FORMAT.md). One transaction; indexes are built
 * after the rows, which is several times faster than maintaining them. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "create_file.h"
#include "fmt.h"
#include "json.h"

#define TIME_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', ?3 / 1e9, 'unixepoch')"

static const char schema[] =
	"CREATE TABLE meta(source INTEGER, key TEXT, value TEXT);"
	"CREATE TABLE exec(source INTEGER, ts_ns INTEGER, wall_ns INTEGER, time TEXT,"
	" pid INTEGER, tid INTEGER, ppid INTEGER, uid INTEGER, gid INTEGER, cgroup_id INTEGER,"
	" comm TEXT, pcomm TEXT, filename TEXT, argc INTEGER, argv TEXT,"
	" argv_truncated INTEGER, ret INTEGER, interp TEXT, cwd TEXT, cwd_truncated INTEGER,"
	" start_ns INTEGER);"
	"CREATE TABLE exit(source INTEGER, ts_ns INTEGER, wall_ns INTEGER, time TEXT,"
	" pid INTEGER, ppid INTEGER, exit_code INTEGER, signal INTEGER, start_ns INTEGER,"
	" lifetime_ns INTEGER);"
	"CREATE TABLE flow(source INTEGER, ts_ns INTEGER, wall_ns INTEGER, time TEXT,"
	" interval_ns INTEGER, ifindex INTEGER, iface TEXT, dir TEXT, family INTEGER,"
	" proto INTEGER, src TEXT, sport INTEGER, dst TEXT, dport INTEGER, packets INTEGER,"
	" bytes INTEGER, owner_pid INTEGER, owner_start_ns INTEGER, owner_cgroup_id INTEGER);"
	/* the process table when the recording began */
	"CREATE TABLE proc(source INTEGER, ts_ns INTEGER, wall_ns INTEGER, time TEXT,"
	" pid INTEGER, ppid INTEGER, uid INTEGER, gid INTEGER, cgroup_id INTEGER, start_ns INTEGER,"
	" comm TEXT, exe TEXT, argc INTEGER, argv TEXT, argv_truncated INTEGER, cwd TEXT,"
	" cwd_truncated INTEGER, kthread INTEGER);"
	"CREATE TABLE cgroup(source INTEGER, ts_ns INTEGER, wall_ns INTEGER, time TEXT,"
	" cgroup_id INTEGER, kind TEXT, path TEXT);"
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

int fmt_plain_create(const char *path, unsigned flags, struct fmt_plain **out, char **errmsg)
{
	static const char *const ins[] = {
		NULL,
		"INSERT INTO exec VALUES(?1,?2,?3," TIME_SQL ",?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
		"?15,?16,?17,?18,?19,?20)",
		"INSERT INTO exit VALUES(?1,?2,?3," TIME_SQL ",?4,?5,?6,?7,?8,?9)",
		"INSERT INTO flow VALUES(?1,?2,?3," TIME_SQL ",?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
		"?15,?16,?17,?18)",
		"INSERT INTO proc VALUES(?1,?2,?3," TIME_SQL ",?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
		"?15,?16,?17)",
		"INSERT INTO cgroup VALUES(?1,?2,?3," TIME_SQL ",?4,?5,?6)",
	};
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
	for (int s = 1; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		if (sqlite3_prepare_v2(p->db, ins[s], -1, &p->ins[s], NULL))
			rc = db_fail(p, SQLITE_ERROR, "prepare");
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

/* NULL strings (not recorded) stay NULL. */
static void bind_opt_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* 0 (not recorded) is NULL. */
static void bind_opt_u64(sqlite3_stmt *st, int col, uint64_t v)
{
	if (v)
		sqlite3_bind_int64(st, col, (int64_t)v);
	else
		sqlite3_bind_null(st, col);
}

static void bind_addr(sqlite3_stmt *st, int col, const struct fmt_flow_key *k, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (k->family == FMT_FAMILY_IPV4 || k->family == FMT_FAMILY_IPV6) {
		inet_ntop(k->family == FMT_FAMILY_IPV4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
		sqlite3_bind_text(st, col, buf, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, col);
	}
}

int fmt_plain_add(struct fmt_plain *p, const struct fmt_event *ev, int64_t wall_offset,
		  const char *iface)
{
	sqlite3_stmt *st = p->ins[ev->stream];
	uint64_t ts = fmt_event_ts(ev);

	sqlite3_bind_int64(st, 1, ev->source);
	sqlite3_bind_int64(st, 2, (int64_t)ts);
	sqlite3_bind_int64(st, 3, (int64_t)ts + wall_offset);
	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		char *argv;
		json_str_array(&p->j, e->argv, e->argc);
		argv = json_take(&p->j);
		if (!argv)
			return fail(p, "out of memory"), FMT_ENOMEM;
		sqlite3_bind_int64(st, 4, e->pid);
		sqlite3_bind_int64(st, 5, e->tid);
		sqlite3_bind_int64(st, 6, e->ppid);
		sqlite3_bind_int64(st, 7, e->uid);
		sqlite3_bind_int64(st, 8, e->gid);
		sqlite3_bind_int64(st, 9, (int64_t)e->cgroup_id);
		sqlite3_bind_text(st, 10, e->comm, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, e->pcomm, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, e->filename, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 13, e->argc);
		sqlite3_bind_text(st, 14, argv, -1, free);
		sqlite3_bind_int(st, 15, !!(e->flags & FMT_EXEC_ARGV_TRUNCATED));
		sqlite3_bind_int(st, 16, e->ret);
		bind_opt_text(st, 17, e->interp);
		bind_opt_text(st, 18, e->cwd);
		sqlite3_bind_int(st, 19, !!(e->flags & FMT_EXEC_CWD_TRUNCATED));
		bind_opt_u64(st, 20, e->start_ns);
	} else if (ev->stream == FMT_STREAM_PROC) {
		const struct fmt_proc *e = &ev->proc;
		char *argv;
		json_str_array(&p->j, e->argv, e->argc);
		argv = json_take(&p->j);
		if (!argv)
			return fail(p, "out of memory"), FMT_ENOMEM;
		sqlite3_bind_int64(st, 4, e->pid);
		sqlite3_bind_int64(st, 5, e->ppid);
		sqlite3_bind_int64(st, 6, e->uid);
		sqlite3_bind_int64(st, 7, e->gid);
		sqlite3_bind_int64(st, 8, (int64_t)e->cgroup_id);
		bind_opt_u64(st, 9, e->start_ns);
		sqlite3_bind_text(st, 10, e->comm, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, e->exe, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 12, e->argc);
		sqlite3_bind_text(st, 13, argv, -1, free);
		sqlite3_bind_int(st, 14, !!(e->flags & FMT_EXEC_ARGV_TRUNCATED));
		bind_opt_text(st, 15, e->cwd);
		sqlite3_bind_int(st, 16, !!(e->flags & FMT_EXEC_CWD_TRUNCATED));
		sqlite3_bind_int(st, 17, !!(e->flags & FMT_PROC_KTHREAD));
	} else if (ev->stream == FMT_STREAM_CGROUP) {
		static const char *const kinds[] = { "present", "created", "removed" };
		const struct fmt_cgroup *c = &ev->cgroup;
		sqlite3_bind_int64(st, 4, (int64_t)c->cgroup_id);
		sqlite3_bind_text(st, 5, c->kind < 3 ? kinds[c->kind] : "?", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, c->path, -1, SQLITE_STATIC);
	} else if (ev->stream == FMT_STREAM_EXIT) {
		const struct fmt_exit *x = &ev->exit;
		sqlite3_bind_int64(st, 4, x->pid);
		sqlite3_bind_int64(st, 5, x->ppid);
		sqlite3_bind_int64(st, 6, x->exit_code);
		sqlite3_bind_int64(st, 7, x->signal);
		sqlite3_bind_int64(st, 8, (int64_t)x->start_ns);
		if (x->start_ns && x->start_ns <= x->ts_ns)
			sqlite3_bind_int64(st, 9, (int64_t)(x->ts_ns - x->start_ns));
		else
			sqlite3_bind_null(st, 9);
	} else {
		const struct fmt_flow *f = &ev->flow;
		sqlite3_bind_int64(st, 4, (int64_t)f->interval_ns);
		sqlite3_bind_int64(st, 5, f->key.ifindex);
		sqlite3_bind_text(st, 6, iface, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, f->key.dir == FMT_DIR_EGRESS ? "egress" : "ingress", -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 8, f->key.family);
		sqlite3_bind_int(st, 9, f->key.proto);
		bind_addr(st, 10, &f->key, f->key.src);
		sqlite3_bind_int(st, 11, f->key.sport);
		bind_addr(st, 12, &f->key, f->key.dst);
		sqlite3_bind_int(st, 13, f->key.dport);
		sqlite3_bind_int64(st, 14, (int64_t)f->packets);
		sqlite3_bind_int64(st, 15, (int64_t)f->bytes);
		bind_opt_u64(st, 16, f->owner.pid);
		bind_opt_u64(st, 17, f->owner.pid ? f->owner.start_ns : 0);
		bind_opt_u64(st, 18, f->owner.pid ? f->owner.cgroup_id : 0);
	}
	return step(p, st);
}

int fmt_plain_process_begin(struct fmt_plain *p, unsigned source, const struct fmt_exec *e,
			    int64_t wall_offset, int64_t *row)
{
	sqlite3_stmt *st = p->proc_begin;
	char *argv;
	int rc;

	json_str_array(&p->j, e->argv, e->argc);
	if (!(argv = json_take(&p->j)))
		return fail(p, "out of memory"), FMT_ENOMEM;
	sqlite3_bind_int64(st, 1, source);
	sqlite3_bind_int64(st, 3, (int64_t)e->ts_ns + wall_offset);
	sqlite3_bind_int64(st, 4, e->pid);
	sqlite3_bind_int64(st, 5, e->ppid);
	sqlite3_bind_int64(st, 6, e->uid);
	sqlite3_bind_text(st, 7, e->comm, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e->filename, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, argv, -1, free);
	sqlite3_bind_int(st, 10, e->ret);
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
	free(p);
}

const char *fmt_plain_errmsg(const struct fmt_plain *p)
{
	return p->err;
}
