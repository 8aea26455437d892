/* writer.c - fmt_writer: creates a session file and stores chunks in it.
 *
 * Records go through one appender per stream (appender.h), which decides
 * when a chunk is sealed; this file compresses sealed chunks and stores
 * them, keeps meta, and commits.
 *
 * The file is in WAL mode while recording, so every flush is one cheap
 * commit and a crash (or SIGKILL) of the recorder leaves a readable file
 * holding everything flushed. Open chunks are rewritten in place (INSERT OR
 * REPLACE on their id) at each flush until they are full, so frequent
 * flushes do not cut the data into small, poorly compressed chunks. Close
 * checkpoints and returns the file to rollback-journal mode: one file, no
 * -wal/-shm, readable read-only anywhere. While the writer has the file, it
 * holds a lock readers can test (FMT_LOCK_OFFSET).
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zstd.h>

#include "appender.h"
#include "compress.h"
#include "create_file.h"
#include "flow_order.h"
#include "fmt.h"
#include "fmt_meta.h"
#include "schema.h"
#include "writer_int.h"

struct fmt_writer {
	sqlite3 *db;
	int lock_fd; /* holds FMT_LOCK_OFFSET while the file is being written */
	sqlite3_stmt *put_chunk, *put_meta;
	ZSTD_CCtx *zc;
	struct fmt_buf zbuf;
	struct fmt_writer_opts opts;
	int in_txn;
	int64_t next_id; /* chunk row ids, shared by the appenders */
	struct appender app[FMT_STREAM_MAX + 1];
	struct fmt_writer_stats st;
	/* the stored size of each stream's growing chunk, replaced as it grows */
	int64_t snap_id[FMT_STREAM_MAX + 1];
	uint64_t snap_bytes[FMT_STREAM_MAX + 1];
	uint64_t put_records[FMT_STREAM_MAX + 1]; /* in chunks stored as they were */
	uint64_t put_chunks;
	char err[512];
};

static int set_err(struct fmt_writer *w, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return rc;
}

int writer_set_err(struct fmt_writer *w, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* Map a SQLite failure to a code and a message. */
static int db_err(struct fmt_writer *w, int src, const char *what)
{
	int rc = (src & 0xff) == SQLITE_FULL ? FMT_EFULL :
		 (src & 0xff) == SQLITE_NOMEM ? FMT_ENOMEM : FMT_EIO;
	if (rc == FMT_EFULL)
		return set_err(w, rc, "disk full (%s: %s)", what, sqlite3_errmsg(w->db));
	return set_err(w, rc, "%s: %s", what, sqlite3_errmsg(w->db));
}

static int exec_sql(struct fmt_writer *w, const char *sql)
{
	int src = sqlite3_exec(w->db, sql, NULL, NULL, NULL);
	return src == SQLITE_OK ? FMT_OK : db_err(w, src, sql);
}

static int begin(struct fmt_writer *w)
{
	int rc = FMT_OK;

	if (!w->in_txn && (rc = exec_sql(w, "BEGIN")) == FMT_OK)
		w->in_txn = 1;
	return rc;
}

static int store_chunk(void *ctx, const struct fmt_chunk *c);

int fmt_writer_create(const char *path, unsigned flags, const struct fmt_writer_opts *opts,
		      struct fmt_writer **out, char **errmsg)
{
	struct fmt_writer *w = calloc(1, sizeof(*w));
	char sql[256];
	int rc = FMT_OK, src;

	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (!w)
		return FMT_ENOMEM;
	w->lock_fd = -1;
	if (opts)
		w->opts = *opts;
	if (!w->opts.chunk_records || w->opts.chunk_records > FMT_MAX_CHUNK_RECORDS)
		w->opts.chunk_records = FMT_CHUNK_RECORDS;
	if (!w->opts.chunk_span_ns)
		w->opts.chunk_span_ns = FMT_CHUNK_SPAN_NS;
	if (!w->opts.zstd_level)
		w->opts.zstd_level = WRITER_ZSTD_LEVEL;
	w->next_id = 1;

	rc = fmt_create_file(path, flags, &w->lock_fd, w->err, sizeof(w->err));
	if (rc == FMT_OK) {
		/* an OFD lock: closing SQLite's descriptors of the file later
		 * does not drop it, as it would a POSIX lock */
		struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				   .l_start = FMT_LOCK_OFFSET, .l_len = 1 };
		if (fcntl(w->lock_fd, F_OFD_SETLK, &l))
			rc = set_err(w, FMT_EIO, "cannot lock '%s': %s", path, strerror(errno));
	}
	if (rc == FMT_OK) {
		src = sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
				      NULL);
		if (src != SQLITE_OK)
			rc = set_err(w, FMT_EIO, "cannot open '%s': %s", path,
				     w->db ? sqlite3_errmsg(w->db) : sqlite3_errstr(src));
	}
	if (rc == FMT_OK) {
		sqlite3_extended_result_codes(w->db, 1);
		sqlite3_busy_timeout(w->db, 1000); /* readers come and go (--follow) */
		snprintf(sql, sizeof(sql),
			 /* first, before the header exists: growing chunks are
			  * rewritten at every flush, and close gives the freed
			  * pages back */
			 "PRAGMA auto_vacuum=INCREMENTAL;"
			 "PRAGMA application_id=%d; PRAGMA user_version=%d;"
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
			 FMT_APPLICATION_ID, FMT_VERSION_MAJOR);
		rc = exec_sql(w, sql);
	}
	if (rc == FMT_OK)
		rc = exec_sql(w, "BEGIN;" SCHEMA_SQL "COMMIT;");
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(w->db,
			       "INSERT OR REPLACE INTO chunk(id,stream,t_first,t_last,records,"
			       "raw_size,encoding,checksum,data) VALUES(?,?,?,?,?,?,?,?,?)",
			       -1, &w->put_chunk, NULL) != SQLITE_OK)
		rc = db_err(w, SQLITE_ERROR, "prepare");
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(w->db, "INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)", -1,
			       &w->put_meta, NULL) != SQLITE_OK)
		rc = db_err(w, SQLITE_ERROR, "prepare");
	if (rc == FMT_OK && !(w->zc = chunk_cctx_new(w->opts.zstd_level)))
		rc = set_err(w, FMT_ENOMEM, "out of memory");
	if (rc == FMT_OK) {
		snprintf(sql, sizeof(sql), "%d.%d", FMT_VERSION_MAJOR, FMT_VERSION_MINOR);
		rc = fmt_writer_set_meta(w, FMT_META_FORMAT_VERSION, sql);
	}
	if (rc == FMT_OK)
		rc = fmt_writer_set_meta(w, FMT_META_CLOSED_CLEAN, "0");
	if (rc == FMT_OK)
		rc = fmt_writer_flush(w);
	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		if (appender_init(&w->app[s], s, w->opts.chunk_records, w->opts.chunk_span_ns,
				  &w->next_id, store_chunk, w))
			rc = set_err(w, FMT_ENOMEM, "out of memory");
	if (rc != FMT_OK) {
		if (errmsg)
			*errmsg = strdup(w->err);
		fmt_writer_abandon(w);
		return rc;
	}
	*out = w;
	return FMT_OK;
}

int fmt_writer_set_meta(struct fmt_writer *w, const char *key, const char *value)
{
	int rc = begin(w), src;

	if (rc)
		return rc;
	sqlite3_bind_text(w->put_meta, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(w->put_meta, 2, value ? value : "", -1, SQLITE_TRANSIENT);
	src = sqlite3_step(w->put_meta);
	sqlite3_reset(w->put_meta);
	return src == SQLITE_DONE ? FMT_OK : db_err(w, src, "write meta");
}

int fmt_writer_set_meta_u64(struct fmt_writer *w, const char *key, uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	return fmt_writer_set_meta(w, key, buf);
}

/* Insert (or replace) chunk row id. */
static int insert_chunk(struct fmt_writer *w, int64_t id, const struct stored_chunk *sc)
{
	int rc, src;

	if ((rc = begin(w)))
		return rc;
	sqlite3_bind_int64(w->put_chunk, 1, id);
	sqlite3_bind_int(w->put_chunk, 2, sc->stream);
	sqlite3_bind_int64(w->put_chunk, 3, (int64_t)sc->t_first);
	sqlite3_bind_int64(w->put_chunk, 4, (int64_t)sc->t_last);
	sqlite3_bind_int64(w->put_chunk, 5, sc->records);
	sqlite3_bind_int64(w->put_chunk, 6, (int64_t)sc->raw_size);
	sqlite3_bind_int(w->put_chunk, 7, CHUNK_ENCODING_ZSTD_V1);
	sqlite3_bind_int64(w->put_chunk, 8, sc->crc);
	sqlite3_bind_blob(w->put_chunk, 9, sc->data, (int)sc->len, SQLITE_STATIC);
	src = sqlite3_step(w->put_chunk);
	sqlite3_reset(w->put_chunk);
	sqlite3_clear_bindings(w->put_chunk);
	if (src != SQLITE_DONE)
		return db_err(w, src, "write chunk");
	w->st.raw_bytes += sc->raw_size;
	w->st.blob_bytes += sc->len;
	return FMT_OK;
}

/* Compress a sealed chunk and store it (insert, or replace the growing
 * chunk's earlier snapshot with the same id); committed at the next flush. */
static int store_chunk(void *ctx, const struct fmt_chunk *c)
{
	struct fmt_writer *w = ctx;
	struct stored_chunk sc = { .stream = c->stream, .records = c->records,
				   .t_first = c->t_first, .t_last = c->t_last,
				   .raw_size = c->payload.len };
	const char *why;
	int rc = chunk_compress(w->zc, c, &w->zbuf, &sc.crc, &why);

	if (rc == FMT_ELIMIT)
		return set_err(w, rc, "chunk of %zu bytes exceeds the format limit",
			       c->payload.len);
	if (rc)
		return set_err(w, rc, "%s%s", rc == FMT_EIO ? "zstd: " : "", why);
	sc.data = w->zbuf.data;
	sc.len = w->zbuf.len;
	if ((rc = insert_chunk(w, c->id, &sc)))
		return rc;
	/* what the file holds: a snapshot replaces the last one of its chunk */
	if (w->snap_id[c->stream] == c->id)
		w->st.data_bytes -= w->snap_bytes[c->stream];
	w->st.data_bytes += sc.len;
	w->snap_id[c->stream] = c->id;
	w->snap_bytes[c->stream] = sc.len;
	return FMT_OK;
}

int writer_put_chunk(struct fmt_writer *w, const struct stored_chunk *sc)
{
	int rc;

	if (sc->stream < FMT_STREAM_EXEC || sc->stream > FMT_STREAM_MAX || !sc->records)
		return set_err(w, FMT_EINVAL, "invalid chunk");
	if (sc->raw_size > FMT_MAX_CHUNK_RAW || sc->len > FMT_MAX_CHUNK_BLOB)
		return set_err(w, FMT_ELIMIT, "chunk of %llu bytes exceeds the format limit",
			       (unsigned long long)sc->raw_size);
	if ((rc = insert_chunk(w, w->next_id++, sc)))
		return rc;
	w->st.data_bytes += sc->len;
	w->put_records[sc->stream] += sc->records;
	w->put_chunks++;
	return FMT_OK;
}

int fmt_writer_append(struct fmt_writer *w, const struct fmt_event *ev)
{
	int rc;

	if (ev->stream < FMT_STREAM_EXEC || ev->stream > FMT_STREAM_MAX)
		return set_err(w, FMT_EINVAL, "invalid record");
	w->err[0] = 0; /* storing a chunk says what failed; else say it here */
	rc = appender_add(&w->app[ev->stream], ev);
	if (rc && !w->err[0])
		set_err(w, rc, "%s", rc == FMT_EINVAL ? "invalid record" : fmt_strerror(rc));
	return rc;
}

int fmt_writer_append_exec(struct fmt_writer *w, const struct fmt_exec *rec)
{
	return fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_EXEC, .exec = *rec });
}

int fmt_writer_append_exit(struct fmt_writer *w, const struct fmt_exit *rec)
{
	return fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_EXIT, .exit = *rec });
}

int fmt_writer_append_flow(struct fmt_writer *w, const struct fmt_flow *rec)
{
	return fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_FLOW, .flow = *rec });
}

int fmt_writer_append_flows(struct fmt_writer *w, struct fmt_flow *rows, size_t n)
{
	struct fmt_event ev = { .stream = FMT_STREAM_FLOW };
	int rc = FMT_OK;

	n = flow_rows_order(rows, n);
	for (size_t i = 0; i < n && rc == FMT_OK; i++) {
		ev.flow = rows[i];
		rc = fmt_writer_append(w, &ev);
	}
	return rc;
}

int fmt_writer_flush(struct fmt_writer *w)
{
	int rc = FMT_OK;

	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		if (w->app[s].b)
			rc = appender_store(&w->app[s], 0);
	if (rc == FMT_OK && w->in_txn) {
		rc = exec_sql(w, "COMMIT");
		if (rc == FMT_OK)
			w->in_txn = 0;
	}
	return rc;
}

/* Record and chunk totals from the chunk table itself. */
static int store_totals(struct fmt_writer *w)
{
	uint64_t records[FMT_STREAM_MAX + 1] = { 0 }, chunks = 0;
	sqlite3_stmt *st;
	int rc = FMT_OK, src;

	if (sqlite3_prepare_v2(w->db, "SELECT stream, count(*), sum(records) FROM chunk GROUP BY stream",
			       -1, &st, NULL))
		return db_err(w, SQLITE_ERROR, "count records");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int s = sqlite3_column_int(st, 0);
		chunks += (uint64_t)sqlite3_column_int64(st, 1);
		if (s >= FMT_STREAM_EXEC && s <= FMT_STREAM_MAX)
			records[s] = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return db_err(w, src, "count records");
	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		rc = fmt_writer_set_meta_u64(w, fmt_meta_records_key(s), records[s]);
	if (rc == FMT_OK)
		rc = fmt_writer_set_meta_u64(w, FMT_META_CHUNKS, chunks);
	return rc;
}

int fmt_writer_close(struct fmt_writer *w, char **errmsg)
{
	int rc = FMT_OK;

	if (errmsg)
		*errmsg = NULL;
	if (!w)
		return FMT_EINVAL;
	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		rc = appender_store(&w->app[s], 1);
	if (rc == FMT_OK)
		rc = store_totals(w);
	if (rc == FMT_OK)
		rc = fmt_writer_set_meta(w, FMT_META_CLOSED_CLEAN, "1");
	if (rc == FMT_OK)
		rc = fmt_writer_flush(w);
	if (rc == FMT_OK)
		rc = exec_sql(w, "PRAGMA incremental_vacuum;");
	if (rc == FMT_OK) {
		/* One self-contained file if we can. A reader that has the file
		 * open (ebpfreport --follow) keeps it in WAL mode: everything is
		 * committed all the same, so that is not an error. */
		int src = sqlite3_exec(w->db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;",
				       NULL, NULL, NULL);
		if (src != SQLITE_OK && (src & 0xff) != SQLITE_BUSY && (src & 0xff) != SQLITE_LOCKED)
			rc = db_err(w, src, "finish the WAL");
	}
	if (errmsg)
		*errmsg = rc != FMT_OK ? strdup(w->err) : NULL;
	fmt_writer_abandon(w);
	return rc;
}

void fmt_writer_abandon(struct fmt_writer *w)
{
	if (!w)
		return;
	sqlite3_finalize(w->put_chunk);
	sqlite3_finalize(w->put_meta);
	/* an unfinished transaction is rolled back by sqlite3_close */
	sqlite3_close(w->db);
	if (w->lock_fd >= 0)
		close(w->lock_fd); /* after SQLite's: it releases the lock */
	ZSTD_freeCCtx(w->zc);
	fmt_buf_free(&w->zbuf);
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++)
		appender_free(&w->app[s]);
	free(w);
}

const char *fmt_writer_errmsg(const struct fmt_writer *w)
{
	return w->err;
}

void fmt_writer_stats(const struct fmt_writer *w, struct fmt_writer_stats *st)
{
	*st = w->st;
	st->chunks = w->put_chunks;
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++) {
		st->records[s] = w->app[s].records + w->put_records[s];
		st->chunks += w->app[s].chunks;
	}
}
