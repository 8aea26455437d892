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

/* Rows per INSERT, each INSERT one Native block: the server writes a
 * block of at least its min_insert_block_size_rows (1,048,576) as one part
 * as it is; smaller blocks it first copies into one that size. */
#define DEFAULT_BATCH 1048576
#define DEFAULT_LOADERS 4

/* One INSERT's rows: up to --batch rows of one stream, from a point in
 * the chunk list on. */
struct piece {
	enum fmt_stream stream;
	int chunk; /* index in the chunk list of its first chunk */
	uint32_t skip; /* rows of that chunk that the piece before loads */
	uint64_t rows;
};

struct push {
	struct report *r;
	struct ch *ch;
	const char *url, *user, *password; /* for the other loaders' connections */
	const char *db;
	uint64_t batch;
	unsigned loaders; /* INSERTs at once */
	bool progress;
	double last_shown, t0;
	long kill_after; /* tests: SIGKILL ourselves after this many INSERTs */
	/* the session being loaded */
	struct fmt_reader *rd;
	const char *path;
	char sid[SESSION_ID_LEN], fp[SESSION_ID_LEN];
	char *host; /* encoded */
	struct fmt_chunk_info *ci;
	int nci;
	uint64_t total;
	struct piece *pieces;
	size_t npieces;
	/* shared by the loaders (atomic) */
	size_t next_piece;
	uint64_t done; /* rows sent */
	long inserts;
	int failed;
};

/* A loader sends pieces, one INSERT each, with a reader and a connection
 * of its own: several INSERTs at once keep the server's cores busy while
 * it writes one part and parses the next (the server does both in the
 * INSERT's thread, so one connection leaves a core idle). */
struct loader {
	struct push *p;
	struct fmt_reader *rd;
	struct ch *ch;
	bool shows; /* the progress line is this loader's to draw */
	const struct piece *pc;
	int cpos; /* the next chunk to load */
	uint32_t skip;
	uint64_t left; /* rows of the piece still to encode */
	struct fmt_batch *b;
	uint32_t bpos, bcount;
	struct ch_block blk; /* being sent */
	struct out_ifaces ifc; /* flows' interface names */
	int rc;
};

/* ---- the rows of one piece, as Native blocks ---------------------------- */

/* Load the next chunk of the piece's stream. @return 0 or -1 (said). */
static int next_chunk(struct loader *l)
{
	struct push *p = l->p;
	const struct fmt_chunk_info *c;

	while (l->cpos < p->nci &&
	       (p->ci[l->cpos].stream != (int)l->pc->stream || !p->ci[l->cpos].records))
		l->cpos++;
	if (l->cpos == p->nci) {
		report_err("%s: the %s stream ended %llu rows before its chunk index said", p->path,
			   fmt_stream_name(l->pc->stream), (unsigned long long)l->left);
		return -1;
	}
	c = &p->ci[l->cpos++];
	if (fmt_reader_load_chunk(l->rd, c->id, &l->b)) {
		report_err("%s", fmt_reader_errmsg(l->rd));
		return -1;
	}
	l->bcount = fmt_batch_count(l->b);
	if (l->bcount != c->records || l->skip > l->bcount) {
		report_err("%s: chunk %lld holds %u records, its index says %llu", p->path,
			   (long long)c->id, l->bcount, (unsigned long long)c->records);
		return -1;
	}
	l->bpos = l->skip;
	l->skip = 0;
	return 0;
}

static const char *iface_of(void *ctx, uint32_t ifindex)
{
	struct loader *l = ctx;

	return out_iface_cached(&l->ifc, l->rd, 0, ifindex);
}

/* Encode the piece's rows into l->blk, one block. @return its rows, 0
 * if it has none, -1 on a chunk that fails or memory that runs out
 * (said). */
static int encode_block(struct loader *l)
{
	int64_t off = fmt_reader_clock_offset(l->rd);

	ch_block_reset(&l->blk, l->pc->stream, l->p->sid, l->p->host);
	while (l->left) {
		uint32_t k = l->bcount - l->bpos;
		int rc;

		if (l->bpos == l->bcount) {
			if (next_chunk(l))
				return -1;
			continue;
		}
		if (k > l->left)
			k = (uint32_t)l->left;
		/* exec and flow a column at a time; the rest row by row */
		rc = ch_block_add_batch(&l->blk, l->b, l->bpos, k, off, iface_of, l);
		if (rc < 0) {
			report_err("out of memory");
			return -1;
		}
		for (uint32_t i = 0; rc && i < k; i++) {
			struct fmt_event ev;
			struct fmt_row row;
			fmt_batch_get_at(l->b, l->bpos + i, &ev);
			fmt_row_fill(&ev, off,
				     ev.stream == FMT_STREAM_FLOW ?
					     iface_of(l, ev.flow.key.ifindex) :
					     NULL,
				     &row);
			ch_block_add(&l->blk, &row);
		}
		l->bpos += k;
		l->left -= k;
	}
	__atomic_add_fetch(&l->p->done, l->blk.rows, __ATOMIC_RELAXED);
	if (!l->blk.rows)
		return 0;
	if (ch_block_emit(&l->blk)) {
		report_err("out of memory");
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
	uint64_t done = __atomic_load_n(&p->done, __ATOMIC_RELAXED);
	fprintf(stderr, "\rebpfreport: pushing %s %3.0f%% (%.2fM rows/s)\033[K", p->path,
		p->total ? 100.0 * (double)done / (double)p->total : 100.0,
		now > p->t0 ? (double)done / (now - p->t0) / 1e6 : 0);
}

/* curl asks for the next bytes of the INSERT's body */
static size_t fill(void *ctx, char *buf, size_t len)
{
	struct loader *l = ctx;

	return ch_block_read(&l->blk, buf, len);
}

/* Send pieces until none is left or a load failed. @return 0 or -1 (said). */
static int load_pieces(struct loader *l)
{
	struct push *p = l->p;
	char sql[2048];
	size_t i;

	while (!__atomic_load_n(&p->failed, __ATOMIC_RELAXED) &&
	       (i = __atomic_fetch_add(&p->next_piece, 1, __ATOMIC_RELAXED)) < p->npieces) {
		l->pc = &p->pieces[i];
		l->cpos = l->pc->chunk;
		l->skip = l->pc->skip;
		l->left = l->pc->rows;
		l->bpos = l->bcount = 0;
		/* the block is made before the INSERT starts, so that its
		 * length goes in front (not chunked) */
		if (encode_block(l) < 0) { /* said */
			l->rc = -1;
			__atomic_store_n(&p->failed, 1, __ATOMIC_SEQ_CST);
			return -1;
		}
		if (l->shows)
			show(p, false);
		ch_schema_insert(sql, sizeof(sql), p->db, l->pc->stream);
		if (ch_insert(l->ch, sql, (long long)ch_block_size(&l->blk), fill, l)) {
			/* one error line: the first loader's (the others' INSERTs
			 * often fail for the same reason) */
			if (!__atomic_exchange_n(&p->failed, 1, __ATOMIC_SEQ_CST) && !l->rc)
				report_err("%s: %s", p->path, ch_errmsg(l->ch));
			return -1;
		}
		if (p->kill_after &&
		    __atomic_add_fetch(&p->inserts, 1, __ATOMIC_SEQ_CST) >= p->kill_after)
			raise(SIGKILL); /* tests: a push killed half-way */
	}
	return 0;
}

/* Cut every stream into pieces of --batch rows. @return 0 or -1. */
static int make_pieces(struct push *p, const uint64_t *records)
{
	size_t n = 0;

	for (int s = 1; s <= FMT_STREAM_MAX; s++)
		n += (records[s] + p->batch - 1) / p->batch;
	free(p->pieces);
	p->npieces = 0;
	if (!(p->pieces = calloc(n ? n : 1, sizeof(*p->pieces))))
		return -1;
	for (int s = 1; s <= FMT_STREAM_MAX; s++) {
		struct piece *cur = NULL;
		for (int i = 0; i < p->nci; i++) {
			uint64_t have = p->ci[i].records, at = 0;
			if (p->ci[i].stream != s)
				continue;
			while (at < have) {
				if (!cur || cur->rows == p->batch) {
					cur = &p->pieces[p->npieces++];
					*cur = (struct piece){ .stream = (enum fmt_stream)s, .chunk = i,
							       .skip = (uint32_t)at };
				}
				uint64_t take = have - at < p->batch - cur->rows ? have - at :
										  p->batch - cur->rows;
				cur->rows += take;
				at += take;
			}
		}
	}
	return 0;
}

static void *loader_run(void *arg)
{
	struct loader *l = arg;

	l->rc = load_pieces(l) ? -1 : 0;
	return NULL;
}

static void loader_free(struct loader *l, bool own)
{
	if (own) {
		ch_close(l->ch);
		fmt_reader_close(l->rd);
	}
	fmt_batch_free(l->b);
	ch_block_free(&l->blk);
}

/* Load every stream: --threads loaders (default: one per processor), the
 * first on this thread with the session's reader and connection.
 * @return 0 or -1 (said). */
static int load_all(struct push *p, const uint64_t *records)
{
	unsigned n = p->loaders, started = 0;
	struct loader *ls;
	pthread_t *tids;
	char err[512];
	int rc = 0;

	if (make_pieces(p, records)) {
		report_err("out of memory");
		return -1;
	}
	if (n > p->npieces)
		n = p->npieces ? (unsigned)p->npieces : 1;
	ls = calloc(n, sizeof(*ls));
	tids = calloc(n, sizeof(*tids));
	if (!ls || !tids) {
		free(ls);
		free(tids);
		report_err("out of memory");
		return -1;
	}
	p->next_piece = 0;
	p->done = 0;
	p->failed = 0;
	ls[0] = (struct loader){ .p = p, .rd = p->rd, .ch = p->ch, .shows = true };
	/* the others: a loader that cannot open leaves its share to the rest */
	for (unsigned i = 1; i < n; i++) {
		struct loader *l = &ls[started + 1];
		*l = (struct loader){ .p = p };
		if (fmt_reader_open(p->path, &l->rd, NULL) ||
		    ch_open(p->url, p->user, p->password, &l->ch, err, sizeof(err)) ||
		    pthread_create(&tids[started], NULL, loader_run, l)) {
			loader_free(l, true);
			break;
		}
		started++;
	}
	rc = load_pieces(&ls[0]);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		rc |= ls[i + 1].rc;
		loader_free(&ls[i + 1], true);
	}
	loader_free(&ls[0], false);
	free(ls);
	free(tids);
	return rc ? -1 : 0;
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

/* An INSERT's body made beforehand. */
struct body {
	struct obuf o;
	size_t pos;
};

static size_t fill_body(void *ctx, char *buf, size_t len)
{
	struct body *b = ctx;
	size_t n = b->o.len - b->pos < len ? b->o.len - b->pos : len;

	memcpy(buf, b->o.buf + b->pos, n);
	b->pos += n;
	return n;
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
		.lost_owners = session_meta_u64(rd, FMT_META_LOST_OWNERS),
		.lost_cgroups = session_meta_u64(rd, FMT_META_LOST_CGROUPS),
		.cgroup_walk_errors = session_meta_u64(rd, FMT_META_CGROUP_WALK_ERRORS),
		.procs_unnamed = session_meta_u64(rd, FMT_META_PROCS_UNNAMED),
		.pushed_s = (uint64_t)time(NULL),
	};
	struct body body = { 0 };
	char sql[512];
	int rc = -1;

	memcpy(s.records, records, sizeof(s.records));
	ch_session_row(&body.o, &s);
	ch_schema_insert_session(sql, sizeof(sql), p->db);
	if (body.o.err)
		report_err("out of memory");
	else if ((rc = ch_insert(p->ch, sql, -1, fill_body, &body)))
		report_err("%s: %s", p->path, ch_errmsg(p->ch));
	obuf_free(&body.o);
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
	free(p->pieces);
	p->pieces = NULL;
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
	struct push p = { .r = r };
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
	/* by default one per processor, at most DEFAULT_LOADERS: each holds a
	 * block of --batch rows (~200 MB by default), and a server gains
	 * little from more INSERTs at once than that */
	p.loaders = fmt_threads(r->threads);
	if (!r->threads && p.loaders > DEFAULT_LOADERS)
		p.loaders = DEFAULT_LOADERS;
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
