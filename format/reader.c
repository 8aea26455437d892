/* reader.c - fmt_reader: opens a session file as untrusted input.
 *
 * The file may come from a stranger's bug report. Before SQLite sees it we
 * check the header ourselves; SQLite then runs read-only and defensive (no
 * triggers, views, extensions or trusted schema), the schema must contain
 * only what a session file has, and every chunk is checked (sizes against
 * the limits in fmt.h, CRC-32, zstd content size and checksum, then the
 * payload decoder's own validation) before any record is returned.
 *
 * What the header says also explains two files that are not (yet) whole:
 * one still being written (its writer's lock is held) and a killed
 * recorder's file copied without its -wal, where the committed data is.
 */
#define _GNU_SOURCE /* F_OFD_GETLK */
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

#include "chunk_codec.h"
#include "par.h"
#include "crc32.h"
#include "fmt.h"
#include "fmt_interfaces.h"
#include "fmt_meta.h"
#include "schema.h"

#define MAX_CHUNKS (16u << 20)

struct meta_kv {
	char *key, *value;
};

struct fmt_reader {
	char *path;
	sqlite3 *db;
	sqlite3_stmt *get_chunk;
	ZSTD_DCtx *zd;
	struct fmt_buf raw; /* decompression buffer, reused across chunks */
	struct meta_kv *meta;
	size_t nmeta;
	int64_t clock_offset;
	int wal_mode; /* the header says WAL: committed data may be in PATH-wal */
	int being_written; /* a writer held FMT_LOCK_OFFSET at open */
	struct fmt_ifaces *ifaces; /* meta interfaces, parsed; NULL if absent or bad */
	dev_t dev; /* the file opened, to check a clone opens the same */
	ino_t ino;
	char err[600];
};

static int set_err(struct fmt_reader *r, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->path);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return rc;
}

static int db_err(struct fmt_reader *r, const char *what)
{
	int code = sqlite3_errcode(r->db) & 0xff;
	int rc = code == SQLITE_NOMEM ? FMT_ENOMEM :
		 code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? FMT_ECORRUPT : FMT_EIO;
	return set_err(r, rc, "%s: %s", what, sqlite3_errmsg(r->db));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The SQLite header (first 100 bytes) tells if this is a session at all. */
static int check_header(struct fmt_reader *r)
{
	uint8_t h[100];
	struct stat st;
	ssize_t n;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return set_err(r, errno == ENOENT ? FMT_ENOENT : FMT_EIO, "%s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_err(r, FMT_ENOTSESSION, "not a regular file");
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	n = read(fd, h, sizeof(h));
	{
		/* only tested: a reader never locks (or writes) what it reads */
		struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
				   .l_start = FMT_LOCK_OFFSET, .l_len = 1 };
		r->being_written = fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
	}
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16))
		return set_err(r, FMT_ENOTSESSION, "not a session file (not a SQLite database)");
	if (be32(h + 68) != FMT_APPLICATION_ID)
		return set_err(r, FMT_ENOTSESSION,
			       "not a session file (SQLite application_id 0x%08x, expected 0x%08x)",
			       be32(h + 68), FMT_APPLICATION_ID);
	if (be32(h + 60) > FMT_VERSION_MAJOR)
		return set_err(r, FMT_EVERSION,
			       "format version %u is newer than this reader's %d; upgrade ebpfreport",
			       be32(h + 60), FMT_VERSION_MAJOR);
	if (be32(h + 60) < 1)
		return set_err(r, FMT_ENOTSESSION, "not a session file (format version 0)");
	r->wal_mode = h[18] == 2 && h[19] == 2;
	return FMT_OK;
}

static int harden(struct fmt_reader *r)
{
	sqlite3 *db = r->db;

	/* a recorder finishing the file holds a lock for a moment */
	sqlite3_busy_timeout(db, 3000);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, FMT_MAX_CHUNK_BLOB + 1024);
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
	sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100);
	sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	if (sqlite3_exec(db, "PRAGMA cell_size_check=ON; PRAGMA mmap_size=0;", NULL, NULL, NULL))
		return db_err(r, "cannot configure");
	return FMT_OK;
}

/* Does PATH-wal exist (and hold more than nothing)? */
static int wal_present(const struct fmt_reader *r)
{
	char wal[4200];
	struct stat st;

	snprintf(wal, sizeof(wal), "%s-wal", r->path);
	return stat(wal, &st) == 0 && st.st_size > 0;
}

/* Only tables and indexes; our two tables must be plain tables. Unknown
 * plain tables are tolerated (a later minor version may add one). */
static int check_schema(struct fmt_reader *r)
{
	sqlite3_stmt *st;
	int rc = FMT_OK, have_meta = 0, have_chunk = 0, src;

	if (sqlite3_prepare_v2(r->db, "SELECT type, name, sql FROM sqlite_schema", -1, &st, NULL))
		return db_err(r, "cannot read schema");
	while (rc == FMT_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 2);

		if (!type || !name)
			rc = set_err(r, FMT_ECORRUPT, "schema row without type or name");
		else if (strcmp(type, "table") && strcmp(type, "index"))
			rc = set_err(r, FMT_EHOSTILE, "schema holds a %s '%.60s'", type, name);
		else if (sql && !strncasecmp(sql, "CREATE VIRTUAL", 14))
			rc = set_err(r, FMT_EHOSTILE, "schema holds a virtual table '%.60s'", name);
		else if (!strcmp(type, "table") && !strcmp(name, "meta"))
			have_meta = 1;
		else if (!strcmp(type, "table") && !strcmp(name, "chunk"))
			have_chunk = 1;
	}
	if (rc == FMT_OK && src != SQLITE_DONE)
		rc = db_err(r, "cannot read schema");
	sqlite3_finalize(st);
	if (rc == FMT_OK && (!have_meta || !have_chunk) && r->wal_mode && !wal_present(r))
		rc = set_err(r, FMT_ENOTSESSION,
			     "its -wal file is missing: a session being recorded, or whose recorder "
			     "was killed, keeps its data in %s-wal; copy that file along",
			     r->path);
	else if (rc == FMT_OK && (!have_meta || !have_chunk))
		rc = set_err(r, FMT_ENOTSESSION, "not a session file (no %s table)",
			     have_meta ? "chunk" : "meta");
	return rc;
}

static int load_meta(struct fmt_reader *r)
{
	sqlite3_stmt *st;
	int rc = FMT_OK, src;

	if (sqlite3_prepare_v2(r->db, "SELECT key, value FROM meta ORDER BY key", -1, &st, NULL))
		return db_err(r, "cannot read meta");
	while (rc == FMT_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 0);
		int klen = sqlite3_column_bytes(st, 0);
		const unsigned char *v = sqlite3_column_text(st, 1);
		int vlen = sqlite3_column_bytes(st, 1);
		struct meta_kv *kv;

		if (r->nmeta >= FMT_MAX_META)
			rc = set_err(r, FMT_ELIMIT, "more than %d meta rows", FMT_MAX_META);
		else if (!k || !v || klen > 256 || (unsigned)vlen > FMT_MAX_META_VALUE)
			rc = set_err(r, FMT_ECORRUPT, "bad meta row");
		else if (!(kv = realloc(r->meta, (r->nmeta + 1) * sizeof(*kv))))
			rc = FMT_ENOMEM;
		else {
			r->meta = kv;
			kv[r->nmeta].key = strndup((const char *)k, klen);
			kv[r->nmeta].value = strndup((const char *)v, vlen);
			if (!kv[r->nmeta].key || !kv[r->nmeta].value) {
				free(kv[r->nmeta].key);
				free(kv[r->nmeta].value);
				rc = FMT_ENOMEM;
			} else {
				r->nmeta++;
			}
		}
	}
	if (rc == FMT_OK && src != SQLITE_DONE)
		rc = db_err(r, "cannot read meta");
	sqlite3_finalize(st);
	return rc == FMT_ENOMEM ? set_err(r, rc, "out of memory") : rc;
}

static int check_version(struct fmt_reader *r)
{
	const char *v = fmt_reader_meta(r, FMT_META_FORMAT_VERSION);
	const char *off_text = fmt_reader_meta(r, FMT_META_CLOCK_OFFSET_NS);
	unsigned major;

	if (!v || sscanf(v, "%u.", &major) != 1)
		return set_err(r, FMT_ENOTSESSION, "not a session file (no format_version)");
	if (major > FMT_VERSION_MAJOR)
		return set_err(r, FMT_EVERSION,
			       "format version %s is newer than this reader's %d.x; upgrade ebpfreport",
			       v, FMT_VERSION_MAJOR);
	if (off_text) {
		char *end;
		errno = 0;
		r->clock_offset = strtoll(off_text, &end, 10);
		/* a boot within 146 years of the epoch either way: an offset
		 * beyond that is a hostile file's, and with it the sums with
		 * timestamps made everywhere a wall clock is shown would
		 * overflow */
		if (errno || end == off_text || *end || r->clock_offset > FMT_CLOCK_OFFSET_MAX ||
		    r->clock_offset < -FMT_CLOCK_OFFSET_MAX)
			return set_err(r, FMT_ECORRUPT, "bad %s '%.40s'", FMT_META_CLOCK_OFFSET_NS,
				       off_text);
	}
	return FMT_OK;
}

int fmt_reader_open(const char *path, struct fmt_reader **out, char **errmsg)
{
	struct fmt_reader *r = calloc(1, sizeof(*r));
	int rc = FMT_OK;

	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		return FMT_ENOMEM;
	}
	rc = check_header(r);
	if (rc == FMT_OK &&
	    sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL))
		rc = r->db ? db_err(r, "cannot open") : set_err(r, FMT_ENOMEM, "out of memory");
	if (rc == FMT_OK)
		rc = harden(r);
	if (rc == FMT_OK)
		rc = check_schema(r);
	if (rc == FMT_OK)
		rc = load_meta(r);
	if (rc == FMT_OK)
		rc = check_version(r);
	if (rc == FMT_OK && fmt_reader_meta(r, FMT_META_INTERFACES) &&
	    fmt_ifaces_parse(fmt_reader_meta(r, FMT_META_INTERFACES), &r->ifaces) == FMT_ENOMEM)
		rc = set_err(r, FMT_ENOMEM, "out of memory");
	if (rc == FMT_OK &&
	    sqlite3_prepare_v2(r->db,
			       "SELECT stream, t_first, t_last, records, raw_size, encoding, "
			       "checksum, data FROM chunk WHERE id = ?",
			       -1, &r->get_chunk, NULL))
		rc = db_err(r, "not a session file: chunk table");
	if (rc == FMT_OK && !(r->zd = ZSTD_createDCtx()))
		rc = set_err(r, FMT_ENOMEM, "out of memory");
	if (rc == FMT_OK)
		ZSTD_DCtx_setParameter(r->zd, ZSTD_d_windowLogMax, 27);
	if (rc != FMT_OK) {
		if (errmsg)
			*errmsg = strdup(r->err);
		fmt_reader_close(r);
		return rc;
	}
	*out = r;
	return FMT_OK;
}

void fmt_reader_close(struct fmt_reader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->get_chunk);
	sqlite3_close(r->db);
	ZSTD_freeDCtx(r->zd);
	fmt_buf_free(&r->raw);
	fmt_ifaces_free(r->ifaces);
	for (size_t i = 0; i < r->nmeta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	free(r->meta);
	free(r->path);
	free(r);
}

const char *fmt_reader_path(const struct fmt_reader *r)
{
	return r->path;
}

const char *fmt_reader_errmsg(const struct fmt_reader *r)
{
	return r->err;
}

const char *fmt_reader_meta(const struct fmt_reader *r, const char *key)
{
	size_t lo = 0, hi = r->nmeta;

	while (lo < hi) { /* meta is loaded in key order */
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->meta[mid].key, key);
		if (c == 0)
			return r->meta[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int fmt_reader_meta_u64(const struct fmt_reader *r, const char *key, uint64_t *val)
{
	const char *v = fmt_reader_meta(r, key);
	char *end;

	if (!v)
		return FMT_ENOENT;
	if (*v < '0' || *v > '9')
		return FMT_ECORRUPT;
	errno = 0;
	*val = strtoull(v, &end, 10);
	return errno || *end ? FMT_ECORRUPT : FMT_OK;
}

size_t fmt_reader_meta_count(const struct fmt_reader *r)
{
	return r->nmeta;
}

void fmt_reader_meta_at(const struct fmt_reader *r, size_t i, const char **key,
			const char **value)
{
	*key = r->meta[i].key;
	*value = r->meta[i].value;
}

const struct fmt_ifaces *fmt_reader_ifaces(const struct fmt_reader *r)
{
	return r->ifaces;
}

const char *fmt_reader_iface_name(const struct fmt_reader *r, uint32_t ifindex)
{
	const struct fmt_iface *f = fmt_ifaces_find(r->ifaces, ifindex);

	return f ? f->label : NULL;
}

int fmt_reader_being_written(const struct fmt_reader *r)
{
	return r->being_written;
}

int fmt_reader_closed_clean(const struct fmt_reader *r)
{
	const char *v = fmt_reader_meta(r, FMT_META_CLOSED_CLEAN);
	return v && !strcmp(v, "1");
}

int64_t fmt_reader_clock_offset(const struct fmt_reader *r)
{
	return r->clock_offset;
}

int fmt_reader_chunks(struct fmt_reader *r, struct fmt_chunk_info **out)
{
	sqlite3_stmt *st;
	struct fmt_chunk_info *v = NULL;
	size_t n = 0, cap = 0;
	int src, rc = FMT_OK;

	*out = NULL;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT id, stream, t_first, t_last, records, raw_size, length(data),"
			       " checksum FROM chunk NOT INDEXED ORDER BY stream, t_first, id",
			       -1, &st, NULL))
		return db_err(r, "cannot read chunk index");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		struct fmt_chunk_info *c;
		if (n >= MAX_CHUNKS) {
			rc = set_err(r, FMT_ELIMIT, "more than %u chunks", MAX_CHUNKS);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			c = realloc(v, cap * sizeof(*v));
			if (!c) {
				rc = set_err(r, FMT_ENOMEM, "out of memory");
				break;
			}
			v = c;
		}
		c = &v[n++];
		c->id = sqlite3_column_int64(st, 0);
		c->stream = sqlite3_column_int(st, 1);
		c->t_first = (uint64_t)sqlite3_column_int64(st, 2);
		c->t_last = (uint64_t)sqlite3_column_int64(st, 3);
		c->records = (uint32_t)sqlite3_column_int64(st, 4);
		c->raw_size = (uint64_t)sqlite3_column_int64(st, 5);
		c->blob_size = (uint64_t)sqlite3_column_int64(st, 6);
		c->checksum = (uint32_t)sqlite3_column_int64(st, 7);
	}
	if (rc == FMT_OK && src != SQLITE_DONE)
		rc = db_err(r, "cannot read chunk index");
	sqlite3_finalize(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	return (int)n;
}

/* Fetch, check and decompress chunk id into r->raw. */
static int fetch_chunk(struct fmt_reader *r, int64_t id, int *stream, uint32_t *records,
		       uint64_t *t_first, uint64_t *t_last)
{
	sqlite3_stmt *st = r->get_chunk;
	int64_t rec, raw_size, t0, t1;
	const void *blob;
	int blen, src, rc = FMT_OK;
	unsigned long long fcs;
	size_t got;

	r->raw.len = 0;
	sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? set_err(r, FMT_ENOENT, "chunk %lld: no such chunk",
						  (long long)id) :
					  db_err(r, "cannot read chunk");
		goto out;
	}
	*stream = sqlite3_column_int(st, 0);
	t0 = sqlite3_column_int64(st, 1);
	t1 = sqlite3_column_int64(st, 2);
	rec = sqlite3_column_int64(st, 3);
	raw_size = sqlite3_column_int64(st, 4);
	blob = sqlite3_column_blob(st, 7);
	blen = sqlite3_column_bytes(st, 7);
	if (sqlite3_column_int(st, 5) != CHUNK_ENCODING_ZSTD_V1) {
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: unknown encoding %d", (long long)id,
			     sqlite3_column_int(st, 5));
		goto out;
	}
	if (rec < 0 || rec > FMT_MAX_CHUNK_RECORDS || raw_size < 0 ||
	    raw_size > FMT_MAX_CHUNK_RAW || blen > (int)FMT_MAX_CHUNK_BLOB) {
		rc = set_err(r, FMT_ELIMIT,
			     "chunk %lld: declares %lld records / %lld bytes, over the reader's limits",
			     (long long)id, (long long)rec, (long long)raw_size);
		goto out;
	}
	if (t0 < 0 || t1 < t0) {
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: bad time range", (long long)id);
		goto out;
	}
	if (!blob || fmt_crc32c(0, blob, (size_t)blen) != (uint32_t)sqlite3_column_int64(st, 6)) {
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: checksum mismatch", (long long)id);
		goto out;
	}
	fcs = ZSTD_getFrameContentSize(blob, (size_t)blen);
	if (fcs != (unsigned long long)raw_size) {
		rc = set_err(r, FMT_ECORRUPT,
			     "chunk %lld: compressed frame does not declare the indexed size",
			     (long long)id);
		goto out;
	}
	if (!fmt_buf_reserve(&r->raw, raw_size ? (size_t)raw_size : 1)) {
		r->raw.oom = 0;
		rc = set_err(r, FMT_ENOMEM, "out of memory");
		goto out;
	}
	got = ZSTD_decompressDCtx(r->zd, r->raw.data, (size_t)raw_size, blob, (size_t)blen);
	if (ZSTD_isError(got) || got != (size_t)raw_size) {
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: decompression failed: %s",
			     (long long)id,
			     ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short output");
		goto out;
	}
	/* a hostile chunk table without its primary key can hold one id
	 * twice, so that the listing promises one chunk and this another */
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: id is not unique", (long long)id);
		goto out;
	}
	*records = (uint32_t)rec;
	r->raw.len = (size_t)raw_size;
	*t_first = (uint64_t)t0;
	*t_last = (uint64_t)t1;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int fmt_reader_load_cols(struct fmt_reader *r, int64_t id, uint64_t cols, struct fmt_batch **inout)
{
	int stream = 0, rc;
	uint32_t records = 0;
	uint64_t t0 = 0, t1 = 0;
	const char *why;

	rc = fetch_chunk(r, id, &stream, &records, &t0, &t1);
	if (rc == FMT_OK && stream < FMT_STREAM_EXEC)
		rc = set_err(r, FMT_ECORRUPT, "chunk %lld: bad stream %d", (long long)id, stream);
	else if (rc == FMT_OK && stream > FMT_STREAM_MAX) /* a compatible addition (section 5) */
		rc = set_err(r, FMT_ESTREAM,
			     "chunk %lld: stream %d is unknown to this version (skipped)",
			     (long long)id, stream);
	if (rc) {
		fmt_batch_free(*inout);
		*inout = NULL;
		return rc;
	}
	rc = chunk_decode_cols(r->raw.data, r->raw.len, stream, records, cols, inout, &why);
	if (rc)
		return set_err(r, rc, "chunk %lld: %s", (long long)id, why);
	if (records && fmt_batch_ts_column(*inout) &&
	    (fmt_batch_ts(*inout, 0) != t0 || fmt_batch_ts(*inout, records - 1) != t1)) {
		fmt_batch_free(*inout);
		*inout = NULL;
		return set_err(r, FMT_ECORRUPT, "chunk %lld: time range differs from its records",
			       (long long)id);
	}
	return FMT_OK;
}

int fmt_reader_load_chunk(struct fmt_reader *r, int64_t id, struct fmt_batch **inout)
{
	return fmt_reader_load_cols(r, id, FMT_COL_ALL, inout);
}

int reader_reopen(const struct fmt_reader *r, struct fmt_reader **out)
{
	char *err = NULL;
	int rc = fmt_reader_open(r->path, out, &err);

	free(err);
	if (rc == FMT_OK && ((*out)->dev != r->dev || (*out)->ino != r->ino)) {
		fmt_reader_close(*out);
		*out = NULL;
		rc = FMT_ENOENT; /* replaced since: not the file the caller has */
	}
	return rc;
}

void reader_set_errmsg(struct fmt_reader *r, int rc, const char *msg)
{
	(void)rc;
	snprintf(r->err, sizeof(r->err), "%s", msg);
}

void reader_trim(struct fmt_reader *r, size_t keep)
{
	if (r->raw.cap > keep) {
		fmt_buf_free(&r->raw);
		memset(&r->raw, 0, sizeof(r->raw));
	}
}
