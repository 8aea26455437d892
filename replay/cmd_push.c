/* cmd_push.c - `ebpfreport push FILE|DIR... --clickhouse URL [--database DB]
 * [--user U --password-file F]`: load sessions into ClickHouse (the schema
 * of ch_schema.h, created if missing), idempotently:
 *
 *   - each session has a stable id (session.h) and a fingerprint of its
 *     contents; its row in `sessions` is written last, as the commit mark
 *     of its load;
 *   - a session whose mark is there with the same fingerprint is skipped:
 *     pushing twice adds nothing;
 *   - otherwise (never loaded, a load killed half-way, a file that grew
 *     since) the session's rows already there are deleted first
 *     (ALTER TABLE ... DELETE, waited for), then every stream is loaded in
 *     INSERTs of --batch rows in Native blocks (ch_native.h), then the
 *     mark: a re-run ends with exactly one copy of each row.
 *
 * Two pushes of one session at the same moment are not guarded against.
 * A directory stands for the session files in it (not recursive; each
 * file of a rotated series is a session of its own).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt_meta.h"
#include "options.h"
#include "report.h"

#ifdef EBPFREC_HAVE_CURL

#include "ch_native.h"
#include "ch_schema.h"
#include "clickhouse.h"
#include "obuf.h"
#include "out.h"
#include "session.h"

#define DEFAULT_BATCH 1048576
#define BLOCK_ROWS 65536 /* rows per Native block (the server squashes them) */

/* What the threads loading one session share. */
struct shared {
	uint64_t done; /* rows sent (atomic) */
	long inserts; /* INSERTs done (atomic) */
};

struct push {
	struct report *r;
	struct ch *ch;
	const char *url, *user, *password; /* for a second connection */
	const char *db;
	uint64_t batch;
	bool progress;
	double last_shown, t0;
	long kill_after; /* tests: SIGKILL ourselves after this many INSERTs */
	struct shared *sh;
	int rc; /* of a second thread */
	/* the session being loaded */
	struct fmt_reader *rd;
	const char *path;
	char sid[SESSION_ID_LEN], fp[SESSION_ID_LEN];
	char *host; /* encoded */
	struct fmt_chunk_info *ci;
	int nci, cpos;
	enum fmt_stream stream;
	struct fmt_batch *b;
	uint32_t bpos, bcount;
	bool stream_done;
	int failed; /* a chunk that does not decode: the load stops */
	uint64_t in_insert, total;
	struct ch_block blk;
	struct obuf out;
	size_t out_pos;
	char ifn[256];
	uint32_t ifn_index;
	bool ifn_set;
};

/* ---- the rows of one stream, as Native blocks ------------------------ */

/* Encode the next block of p->stream (up to BLOCK_ROWS rows, within the
 * batch) into p->out. @return its rows, 0 at the end of the stream or the
 * batch, -1 on a chunk that fails or memory that runs out (said). */
static int encode_block(struct push *p)
{
	int64_t off = fmt_reader_clock_offset(p->rd);

	ch_block_reset(&p->blk, p->stream);
	while (p->blk.rows < BLOCK_ROWS && p->in_insert < p->batch) {
		struct fmt_event ev;
		struct fmt_row row;
		const char *iface = NULL;

		if (p->bpos == p->bcount) { /* next chunk of the stream */
			while (p->cpos < p->nci &&
			       (p->ci[p->cpos].stream != (int)p->stream || !p->ci[p->cpos].records))
				p->cpos++;
			if (p->cpos == p->nci) {
				p->stream_done = true;
				break;
			}
			if (fmt_reader_load_chunk(p->rd, p->ci[p->cpos++].id, &p->b)) {
				report_err("%s", fmt_reader_errmsg(p->rd));
				p->failed = 1;
				return -1;
			}
			p->bpos = 0;
			p->bcount = fmt_batch_count(p->b);
			continue;
		}
		fmt_batch_get(p->b, p->bpos++, &ev);
		if (ev.stream == FMT_STREAM_FLOW) {
			if (!p->ifn_set || p->ifn_index != ev.flow.key.ifindex) {
				out_iface(p->rd, ev.flow.key.ifindex, p->ifn, sizeof(p->ifn));
				p->ifn_index = ev.flow.key.ifindex;
				p->ifn_set = true;
			}
			iface = p->ifn;
		}
		fmt_row_fill(&ev, off, iface, &row);
		ch_block_add(&p->blk, p->sid, p->host, &row);
		p->in_insert++;
	}
	__atomic_add_fetch(&p->sh->done, p->blk.rows, __ATOMIC_RELAXED);
	if (!p->blk.rows)
		return 0;
	if (ch_block_emit(&p->blk, &p->out)) {
		report_err("out of memory");
		p->failed = 1;
		return -1;
	}
	return 1;
}

static void show(struct push *p, bool force)
{
	double now = report_clock();

	if (!p->progress || (!force && now - p->last_shown < 0.25))
		return;
	p->last_shown = now;
	uint64_t done = __atomic_load_n(&p->sh->done, __ATOMIC_RELAXED);
	fprintf(stderr, "\rebpfreport: pushing %s %3.0f%% (%.2fM rows/s)\033[K", p->path,
		p->total ? 100.0 * (double)done / (double)p->total : 100.0,
		now > p->t0 ? (double)done / (now - p->t0) / 1e6 : 0);
}

/* curl asks for the next bytes of the INSERT's body */
static size_t fill(void *ctx, char *buf, size_t len)
{
	struct push *p = ctx;
	size_t n;

	while (p->out_pos == p->out.len) {
		p->out.len = p->out_pos = 0;
		if (p->in_insert >= p->batch || p->stream_done)
			return 0;
		int k = encode_block(p);
		if (k < 0)
			return (size_t)-1;
		if (k == 0)
			return 0;
		show(p, false);
	}
	n = p->out.len - p->out_pos;
	if (n > len)
		n = len;
	memcpy(buf, p->out.buf + p->out_pos, n);
	p->out_pos += n;
	return n;
}

static int insert_stream(struct push *p, enum fmt_stream s)
{
	char sql[2048];

	p->stream = s;
	p->cpos = 0;
	p->bpos = p->bcount = 0;
	p->stream_done = false;
	p->ifn_set = false;
	ch_schema_insert(sql, sizeof(sql), p->db, s);
	while (!p->stream_done) {
		p->in_insert = 0;
		p->out.len = p->out_pos = 0;
		if (ch_insert(p->ch, sql, fill, p)) {
			if (!p->failed)
				report_err("%s: %s", p->path, ch_errmsg(p->ch));
			return -1;
		}
		if (p->kill_after &&
		    __atomic_add_fetch(&p->sh->inserts, 1, __ATOMIC_SEQ_CST) >= p->kill_after)
			raise(SIGKILL); /* tests: a push killed half-way */
	}
	return 0;
}

/* The streams of mask that the session has. @return 0 or -1 (said). */
static int load_streams(struct push *p, unsigned mask, const uint64_t *records)
{
	for (int s = 1; s <= FMT_STREAM_MAX; s++)
		if ((mask & (1u << s)) && records[s] && insert_stream(p, (enum fmt_stream)s))
			return -1;
	return 0;
}

/* The second loader: flow and exit, with a reader and a connection of its
 * own, while the first loads exec, proc and cgroup: the server inserts
 * into two tables at once. */
#define SECOND_PART ((1u << FMT_STREAM_FLOW) | (1u << FMT_STREAM_EXIT))

struct second {
	struct push q;
	const uint64_t *records;
};

static void *second_run(void *arg)
{
	struct second *t = arg;

	t->q.rc = load_streams(&t->q, SECOND_PART, t->records);
	return NULL;
}

/* Load every stream: in two threads when there are two cores and both
 * halves have rows. @return 0 or -1 (said). */
static int load_all(struct push *p, const uint64_t *records)
{
	struct second t = { .q = *p, .records = records };
	char err[512];
	pthread_t tid;
	bool first = false, second = false;
	int rc;

	for (int s = 1; s <= FMT_STREAM_MAX; s++) {
		second |= records[s] && (SECOND_PART & (1u << s));
		first |= records[s] && !(SECOND_PART & (1u << s));
	}
	if (!first || !second || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return load_streams(p, ~0u, records);
	/* the second loader's own state */
	t.q.rd = NULL, t.q.ch = NULL, t.q.b = NULL, t.q.ci = NULL;
	memset(&t.q.blk, 0, sizeof(t.q.blk));
	memset(&t.q.out, 0, sizeof(t.q.out));
	t.q.progress = false;
	if (fmt_reader_open(p->path, &t.q.rd, NULL) ||
	    (t.q.nci = fmt_reader_chunks(t.q.rd, &t.q.ci)) < 0 ||
	    ch_open(p->url, p->user, p->password, &t.q.ch, err, sizeof(err)) ||
	    pthread_create(&tid, NULL, second_run, &t)) {
		rc = load_streams(p, ~0u, records); /* one loader after all */
	} else {
		rc = load_streams(p, ~SECOND_PART, records);
		pthread_join(tid, NULL);
		rc |= t.q.rc;
	}
	ch_close(t.q.ch);
	if (t.q.nci > 0)
		free(t.q.ci);
	fmt_batch_free(t.q.b);
	ch_block_free(&t.q.blk);
	obuf_free(&t.q.out);
	fmt_reader_close(t.q.rd);
	return rc;
}

/* ---- the schema -------------------------------------------------------- */

static int query(struct push *p, const char *sql, char **answer)
{
	if (ch_query(p->ch, sql, answer)) {
		report_err("%s", ch_errmsg(p->ch));
		return -1;
	}
	return 0;
}

static int ensure_schema(struct push *p)
{
	char sql[1024], *ans = NULL;
	size_t n;
	char **ddl;
	int rc = 0;

	snprintf(sql, sizeof(sql), "CREATE DATABASE IF NOT EXISTS %s", p->db);
	if (query(p, sql, NULL))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT version FROM %s.schema_version FORMAT TabSeparated",
		 p->db);
	if (ch_query(p->ch, sql, &ans)) {
		if (ch_code(p->ch) != 60) { /* UNKNOWN_TABLE: a new database */
			report_err("%s", ch_errmsg(p->ch));
			return -1;
		}
		snprintf(sql, sizeof(sql),
			 "SELECT name FROM system.tables WHERE database = '%s' AND name IN"
			 " ('exec', 'exit', 'flow', 'proc', 'cgroup', 'sessions') FORMAT TabSeparated",
			 p->db);
		if (query(p, sql, &ans))
			return -1;
		if (*ans) {
			ans[strcspn(ans, "\n")] = 0;
			report_err("ClickHouse database '%s' has a table '%s' but no schema_version: "
				   "not made by ebpfreport push; use another --database",
				   p->db, ans);
			free(ans);
			return -1;
		}
		free(ans);
		ans = NULL;
	} else {
		char *copy = strdup(ans);
		for (char *l = copy ? strtok(copy, "\n") : NULL; l; l = strtok(NULL, "\n")) {
			if (strtol(l, NULL, 10) != CH_SCHEMA_VERSION) {
				report_err("ClickHouse database '%s' holds ebpfrec schema version '%s'; this "
					   "ebpfreport writes version %d: push to another --database",
					   p->db, l, CH_SCHEMA_VERSION);
				free(copy);
				free(ans);
				return -1;
			}
		}
		free(copy);
	}
	if (!(ddl = ch_schema_ddl(p->db, &n))) {
		report_err("out of memory");
		return -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = query(p, ddl[i], NULL);
	ch_schema_free(ddl, n);
	if (!rc && (!ans || !*ans)) {
		snprintf(sql, sizeof(sql), "INSERT INTO %s.schema_version VALUES (%d)", p->db,
			 CH_SCHEMA_VERSION);
		rc = query(p, sql, NULL);
	}
	free(ans);
	return rc;
}

/* ---- one session ------------------------------------------------------- */

/* @return the first number of an answer */
static uint64_t number(const char *ans)
{
	return ans ? strtoull(ans, NULL, 10) : 0;
}

/* Wait until the mutations of the tables are done (10 minutes at most). */
static int wait_mutations(struct push *p)
{
	char sql[512], *ans = NULL;

	snprintf(sql, sizeof(sql),
		 "SELECT count() FROM system.mutations WHERE database = '%s' AND is_done = 0"
		 " FORMAT TabSeparated",
		 p->db);
	for (int i = 0; i < 6000; i++) {
		if (query(p, sql, &ans))
			return -1;
		uint64_t left = number(ans);
		free(ans);
		if (!left)
			return 0;
		usleep(100000);
	}
	report_err("%s: ClickHouse did not finish deleting the earlier rows of session %s in 10 "
		   "minutes", p->path, p->sid);
	return -1;
}

/* Delete what an earlier, unfinished or outdated load left of this
 * session. @return 0 or -1. */
static int delete_earlier(struct push *p)
{
	char sql[1024], *ans = NULL;
	int deleted = 0;

	for (int s = 1; s <= FMT_STREAM_MAX + 1; s++) {
		const char *t = s <= FMT_STREAM_MAX ? fmt_stream_name(s) : "sessions";
		snprintf(sql, sizeof(sql),
			 "SELECT count() FROM %s.%s WHERE session_id = '%s' FORMAT TabSeparated", p->db,
			 t, p->sid);
		if (query(p, sql, &ans))
			return -1;
		uint64_t n = number(ans);
		free(ans);
		if (!n)
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.%s DELETE WHERE session_id = '%s'", p->db,
			 t, p->sid);
		if (query(p, sql, NULL))
			return -1;
		deleted = 1;
	}
	return deleted ? wait_mutations(p) : 0;
}

static char *encoded_copy(const char *s)
{
	size_t len = strlen(s);
	char *e = malloc(FMT_STR_ENCODED_MAX(len) + 1);

	if (e)
		e[fmt_str_encode(s, len, e)] = 0; /* a NUL mark ends the C string early */
	return e;
}

static int mark_loaded(struct push *p, const uint64_t *records)
{
	struct fmt_reader *rd = p->rd;
	const char *base = strrchr(p->path, '/');
	struct ch_session s = {
		.session_id = p->sid,
		.host = p->host,
		.file = base ? base + 1 : p->path,
		.fingerprint = p->fp,
		.boot_id = fmt_reader_meta(rd, FMT_META_BOOT_ID),
		.kernel_release = fmt_reader_meta(rd, FMT_META_KERNEL_RELEASE),
		.tool_version = fmt_reader_meta(rd, FMT_META_TOOL_VERSION),
		.format_version = fmt_reader_meta(rd, FMT_META_FORMAT_VERSION),
		.start_ns = session_start_ns(rd),
		.end_ns = session_end_ns(rd),
		.clock_offset_ns = fmt_reader_clock_offset(rd),
		.closed_clean = fmt_reader_closed_clean(rd),
		.lost_ringbuf = session_meta_u64(rd, FMT_META_LOST_RINGBUF),
		.lost_queue = session_meta_u64(rd, FMT_META_LOST_QUEUE),
		.lost_flow_overflow = session_meta_u64(rd, FMT_META_LOST_FLOW_OVERFLOW),
		.argv_truncated = session_meta_u64(rd, FMT_META_ARGV_TRUNCATED),
		.failed_execs = session_meta_u64(rd, FMT_META_FAILED_EXECS),
		.lost_ring = session_meta_u64(rd, FMT_META_LOST_RING),
		.pushed_s = (uint64_t)time(NULL),
	};
	char sql[512];
	int rc;

	memcpy(s.records, records, sizeof(s.records));
	p->out.len = p->out_pos = 0;
	ch_session_row(&p->out, &s);
	p->stream_done = true; /* the body is that row alone */
	p->in_insert = 0;
	p->batch = UINT64_MAX; /* the whole row in one fill */
	ch_schema_insert_session(sql, sizeof(sql), p->db);
	rc = ch_insert(p->ch, sql, fill, p);
	if (rc)
		report_err("%s: %s", p->path, ch_errmsg(p->ch));
	return rc;
}

/* Load one session file. @return 0, or 1 if it failed (said). */
static int push_file(struct push *p, const char *path)
{
	char *err = NULL, sql[512], *ans = NULL, n1[32], n2[32];
	uint64_t records[FMT_STREAM_MAX + 1] = { 0 };
	uint64_t batch = p->batch;
	int rc = 1;

	p->path = path;
	if (fmt_reader_open(path, &p->rd, &err)) {
		report_err("%s", err ? err : path);
		free(err);
		return 1;
	}
	session_id(p->rd, p->sid);
	session_fingerprint(p->rd, p->fp);
	const char *h = fmt_reader_meta(p->rd, FMT_META_HOSTNAME);
	p->host = encoded_copy(h ? h : "");
	p->nci = fmt_reader_chunks(p->rd, &p->ci);
	if (!p->host || p->nci < 0) {
		report_err("%s", p->nci < 0 ? fmt_reader_errmsg(p->rd) : "out of memory");
		goto out;
	}
	p->total = 0;
	*p->sh = (struct shared){ 0 };
	for (int i = 0; i < p->nci; i++)
		if (p->ci[i].stream >= 1 && p->ci[i].stream <= FMT_STREAM_MAX) {
			p->total += p->ci[i].records;
			records[p->ci[i].stream] += p->ci[i].records;
		}
	snprintf(sql, sizeof(sql),
		 "SELECT fingerprint FROM %s.sessions WHERE session_id = '%s' FORMAT TabSeparated",
		 p->db, p->sid);
	if (query(p, sql, &ans))
		goto out;
	for (char *l = strtok(ans, "\n"); l; l = strtok(NULL, "\n"))
		if (!strcmp(l, p->fp)) {
			if (!p->r->quiet)
				printf("%s: session %s already loaded (%s rows)\n", path, p->sid,
				       out_count(n1, sizeof(n1), p->total));
			rc = 0;
			goto out;
		}
	if (delete_earlier(p))
		goto out;
	p->t0 = report_clock();
	p->last_shown = 0;
	if (load_all(p, records))
		goto out;
	if (mark_loaded(p, records))
		goto out;
	if (p->progress)
		fprintf(stderr, "\r\033[K");
	if (!p->r->quiet) {
		double dt = report_clock() - p->t0;
		printf("%s: session %s loaded: %s rows in %.1f s (%s rows/s)\n", path, p->sid,
		       out_count(n1, sizeof(n1), p->total), dt,
		       out_count(n2, sizeof(n2), dt > 0 ? (uint64_t)((double)p->total / dt) : 0));
	}
	rc = 0;
out:
	if (rc && p->progress)
		fprintf(stderr, "\r\033[K");
	p->batch = batch;
	free(ans);
	free(p->host);
	p->host = NULL;
	if (p->nci > 0)
		free(p->ci);
	p->ci = NULL;
	fmt_batch_free(p->b);
	p->b = NULL;
	fmt_reader_close(p->rd);
	p->rd = NULL;
	fflush(stdout);
	return rc;
}

/* The first line of the password file. @return malloc'd, or NULL (said). */
static char *read_password(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[1024];

	if (!f) {
		report_err("cannot read password file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\r\n")] = 0;
	return strdup(buf);
}

static int run(struct report *r)
{
	struct shared sh = { 0 };
	struct push p = { .r = r, .sh = &sh };
	char err[512], *password = NULL, *ans = NULL;
	const char *k = getenv("EBPFREPORT_TEST_KILL_AFTER_INSERTS");
	struct report_progress pg;
	int failed = 0;

	if (!r->ch_url) {
		report_err("push needs --clickhouse URL (e.g. http://localhost:8123)");
		return 2;
	}
	if (r->ch_password_file && !(password = read_password(r->ch_password_file)))
		return 2;
	p.db = r->ch_database ? r->ch_database : "ebpfrec";
	p.url = r->ch_url;
	p.user = r->ch_user;
	p.password = password;
	p.batch = r->batch ? r->batch : DEFAULT_BATCH;
	p.kill_after = k ? atol(k) : 0;
	report_progress_start(&pg, r);
	p.progress = pg.on;
	if (ch_open(r->ch_url, r->ch_user, password, &p.ch, err, sizeof(err))) {
		report_err("%s", err);
		free(password);
		return 1;
	}
	/* reachable, and the user is let in? then the schema */
	if (query(&p, "SELECT 1", &ans) || ensure_schema(&p)) {
		free(ans);
		ch_close(p.ch);
		free(password);
		return 1;
	}
	free(ans);
	/* a directory was replaced by its session files (fileset.h) */
	for (unsigned i = 0; i < r->nfiles; i++)
		failed |= push_file(&p, r->paths[i]);
	obuf_free(&p.out);
	ch_block_free(&p.blk);
	ch_close(p.ch);
	free(password);
	return failed;
}

#else /* built without libcurl */

static int run(struct report *r)
{
	(void)r;
	report_err("push: this ebpfreport was built without libcurl (install libcurl4-openssl-dev "
		   "and rebuild)");
	return 1;
}

#endif

const struct report_cmd cmd_push = {
	.name = "push",
	.args = "FILE|DIR... --clickhouse URL",
	.summary = "load sessions into ClickHouse, once each (see docs/fleet.md)",
	.opts = OPT(CLICKHOUSE) | OPT(DATABASE) | OPT(USER) | OPT(PASSWORD_FILE) | OPT(BATCH) |
		OPT(QUIET) | OPT(PROGRESS) | OPT(NO_PROGRESS),
	.run = run,
	.opens_itself = true,
};
