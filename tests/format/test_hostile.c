/* test_hostile.c - corrupted and hostile session files: each gives a clear
 * error naming the file (and chunk), never a crash, hang or huge
 * allocation. Files are damaged with SQLite directly, as an attacker would. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "crc32.h"
#include "helpers.h"

/* `ebpfreport verify --quiet path`: @return its exit status. Each damaged
 * file below must also fail verify, and each valid one pass. */
static int verify(const char *path)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' verify --quiet '%s' 2>/dev/null", EBPFREPORT_BIN, path);
	st = system(cmd);
	cr_assert(WIFEXITED(st), "verify did not exit normally on %s", path);
	return WEXITSTATUS(st);
}

static const char *make_valid(const char *name)
{
	const char *path = tmp_path(name);
	struct fmt_writer_opts o = { .chunk_records = 500 };
	struct fmt_writer *w;
	uint64_t rng = 99;
	char *err;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0);
	for (int i = 0; i < 2000; i++) {
		struct fmt_exec e;
		struct fmt_exit x;
		struct fmt_flow f;
		rec_exec_random(&rng, 1000 + (uint64_t)i * 1000, &e);
		rec_exit_random(&rng, 1000 + (uint64_t)i * 1000, &x);
		rec_flow_random(&rng, 1000 + (uint64_t)i * 1000, &f);
		cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
		cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
		cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
		rec_exec_free(&e);
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0);
	cr_assert_eq(verify(path), 0, "verify rejects a valid file");
	return path;
}

static void sql(const char *path, const char *stmt)
{
	sqlite3 *db;
	char *err = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	cr_assert_eq(sqlite3_exec(db, stmt, NULL, NULL, &err), SQLITE_OK, "%s: %s", stmt, err);
	sqlite3_close(db);
}

static void expect_open_error(const char *path, int code, const char *words)
{
	struct fmt_reader *r = NULL;
	char *err = NULL;
	int rc = fmt_reader_open(path, &r, &err);

	cr_assert_eq(rc, code, "open gave %d (%s), expected %d", rc, err ? err : "", code);
	cr_assert_null(r);
	cr_assert_not_null(err);
	cr_assert_not_null(strstr(err, path), "message does not name the file: %s", err);
	if (words)
		cr_assert_not_null(strstr(err, words), "message lacks '%s': %s", words, err);
	free(err);
	cr_assert_eq(verify(path), 1, "verify passes %s", path);
}

/* Iterate everything; @return the number of chunk errors, and check each
 * message names the file and a chunk. */
static int iterate_errors(const char *path, const char *words)
{
	struct fmt_reader *r = open_or_fail(path);
	struct fmt_iter *it;
	struct fmt_event ev;
	int rc, errors = 0;

	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) != 0) {
		if (rc < 0) {
			const char *msg = fmt_reader_errmsg(r);
			errors++;
			cr_assert_not_null(strstr(msg, path), "%s", msg);
			cr_assert_not_null(strstr(msg, "chunk"), "%s", msg);
			if (words)
				cr_assert_not_null(strstr(msg, words), "%s", msg);
		}
	}
	fmt_iter_free(it);
	fmt_reader_close(r);
	if (errors)
		cr_assert_eq(verify(path), 1, "verify passes %s with %d bad chunks", path, errors);
	return errors;
}

Test(hostile, not_sqlite)
{
	const char *path = tmp_path("text.db");
	FILE *f = fopen(path, "w");

	fputs("this is not a database, just some text that is long enough to have a header\n"
	      "0123456789012345678901234567890123456789",
	      f);
	fclose(f);
	expect_open_error(path, FMT_ENOTSESSION, "not a SQLite database");
	f = fopen(path, "w");
	fclose(f);
	expect_open_error(path, FMT_ENOTSESSION, NULL);
	expect_open_error(tmp_path("missing.db"), FMT_ENOENT, NULL);
}

Test(hostile, wrong_application_id)
{
	const char *path = tmp_path("other.db");
	sql(path, "PRAGMA application_id=1234; CREATE TABLE t(x);");
	expect_open_error(path, FMT_ENOTSESSION, "application_id");
}

Test(hostile, newer_version)
{
	const char *path = make_valid("newer.db");
	sql(path, "PRAGMA user_version=2;");
	expect_open_error(path, FMT_EVERSION, "upgrade");
	path = make_valid("newer2.db");
	sql(path, "UPDATE meta SET value='3.1' WHERE key='format_version';");
	expect_open_error(path, FMT_EVERSION, "upgrade");
}

Test(hostile, newer_minor_version_and_unknown_parts_are_read)
{
	const char *path = make_valid("minor.db");
	/* compatible additions: a minor bump, a new meta key, a new table and
	 * a chunk of a stream type this reader does not know */
	sql(path, "UPDATE meta SET value='1.9' WHERE key='format_version';"
		  "INSERT INTO meta VALUES('future_key','x');"
		  "CREATE TABLE future(x);"
		  "INSERT INTO chunk(stream,t_first,t_last,records,raw_size,encoding,checksum,data)"
		  " VALUES(9,0,0,1,1,1,0,x'00');");
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, UINT64_MAX), 6000);
}

Test(hostile, triggers_and_views)
{
	const char *path = make_valid("trig.db");
	sql(path, "CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM chunk; END;");
	expect_open_error(path, FMT_EHOSTILE, "trigger");

	path = make_valid("view.db");
	sql(path, "CREATE VIEW v AS SELECT * FROM chunk;");
	expect_open_error(path, FMT_EHOSTILE, "view");

	/* a view standing in for our chunk table */
	path = make_valid("view2.db");
	sql(path, "ALTER TABLE chunk RENAME TO old; CREATE VIEW chunk AS SELECT * FROM old;");
	expect_open_error(path, FMT_EHOSTILE, "view");

	path = make_valid("nometa.db");
	sql(path, "DROP TABLE meta;");
	expect_open_error(path, FMT_ENOTSESSION, "meta");
}

Test(hostile, virtual_table_in_schema)
{
	const char *path = make_valid("vtab.db");
	sql(path, "PRAGMA writable_schema=ON;"
		  "INSERT INTO sqlite_schema VALUES('table','x','x',0,"
		  "'CREATE VIRTUAL TABLE x USING fts5(a)');");
	expect_open_error(path, FMT_EHOSTILE, "virtual");
}

Test(hostile, wrong_checksum)
{
	const char *path = make_valid("crc.db");
	sql(path, "UPDATE chunk SET checksum = (checksum + 1) % 4294967296 WHERE id = 3;");
	cr_assert_eq(iterate_errors(path, "checksum"), 1);
}

Test(hostile, flipped_byte_in_blob)
{
	const char *path = make_valid("flip.db");
	sql(path, "UPDATE chunk SET data = substr(data, 1, 20) || x'ff' || substr(data, 22)"
		  " WHERE id = 2;");
	cr_assert_eq(iterate_errors(path, "checksum"), 1);
}

Test(hostile, absurd_declared_sizes)
{
	const char *path = make_valid("size.db");
	sql(path, "UPDATE chunk SET raw_size = 1099511627776 WHERE id = 1;"
		  "UPDATE chunk SET records = 3000000000 WHERE id = 2;"
		  "UPDATE chunk SET raw_size = -5 WHERE id = 3;"
		  "UPDATE chunk SET t_first = t_last + 1 WHERE id = 4;"
		  "UPDATE chunk SET records = records + 1 WHERE id = 5;"
		  "UPDATE chunk SET encoding = 77 WHERE id = 6;");
	cr_assert_eq(iterate_errors(path, NULL), 6);
}

/* Store blob as chunk `id` with a correct checksum and the given sizes. */
static void put_blob(const char *path, int id, const void *blob, size_t len, int64_t raw_size,
		     int64_t records)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db,
					"UPDATE chunk SET data=?, checksum=?, raw_size=?,"
					" records=coalesce(?, records) WHERE id=?",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, fmt_crc32c(0, blob, len));
	sqlite3_bind_int64(st, 3, raw_size);
	if (records >= 0)
		sqlite3_bind_int64(st, 4, records);
	sqlite3_bind_int(st, 5, id);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* New streams are a compatible change (FORMAT.md section 5): an intact
 * chunk of a stream this version does not know is skipped by every reader
 * and by verify, which says so; a damaged one is still damage. */
Test(hostile, chunk_of_an_unknown_stream_is_skipped_not_rejected)
{
	const char *path = make_valid("stream9.db");
	static const char payload[] = "EBC1\x09 what a later version writes";
	char blob[256], out[4096];
	size_t n = ZSTD_compress(blob, sizeof(blob), payload, sizeof(payload), 3);
	struct fmt_batch *b = NULL;
	struct fmt_reader *r;
	FILE *p;

	cr_assert(!ZSTD_isError(n));
	sql(path, "INSERT INTO chunk(id,stream,t_first,t_last,records,raw_size,encoding,checksum,data)"
		  " VALUES(1000,9,5,6,1,1,1,0,x'00');");
	put_blob(path, 1000, blob, n, sizeof(payload), -1);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, UINT64_MAX), 6000);
	r = open_or_fail(path);
	cr_assert_eq(fmt_reader_load_chunk(r, 1000, &b), FMT_ESTREAM);
	cr_assert_null(b);
	cr_assert_not_null(strstr(fmt_reader_errmsg(r), "stream 9"), "%s", fmt_reader_errmsg(r));
	fmt_reader_close(r);
	cr_assert_eq(verify(path), 0, "verify rejects a chunk of a newer stream");
	snprintf(out, sizeof(out), "'%s' verify '%s'", EBPFREPORT_BIN, path);
	p = popen(out, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	cr_assert_not_null(strstr(out, ": OK "), "%s", out);
	cr_assert_not_null(strstr(out, "1 chunk of a stream this version does not know (9) skipped"),
			   "%s", out);
	sql(path, "UPDATE chunk SET checksum = checksum + 1 WHERE id = 1000;");
	cr_assert_eq(verify(path), 1, "verify passes a damaged chunk of a newer stream");
}

Test(hostile, zstd_bomb, .timeout = 60)
{
	const char *path = make_valid("bomb.db");
	size_t big = 256u << 20, cap = ZSTD_compressBound(big), n;
	void *zeros = calloc(1, big), *out = malloc(cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_inBuffer in = { zeros, big, 0 };
	ZSTD_outBuffer o = { out, cap, 0 };

	/* 256 MiB of zeros in a few KiB, declared content size: over the cap */
	n = ZSTD_compress(out, cap, zeros, big, 1);
	cr_assert(!ZSTD_isError(n));
	put_blob(path, 1, out, n, (int64_t)big, -1);
	/* the same without a content size in the frame, claiming 1000 bytes */
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	cr_assert_eq(ZSTD_compressStream2(cc, &o, &in, ZSTD_e_end), 0);
	put_blob(path, 2, out, o.pos, 1000, -1);
	/* and a small frame that decompresses to more than it declares */
	n = ZSTD_compress(out, cap, zeros, 100000, 1);
	((unsigned char *)out)[5] ^= 0; /* keep header; lie in the index instead */
	put_blob(path, 3, out, n, 99999, -1);
	cr_assert_eq(iterate_errors(path, NULL), 3);
	ZSTD_freeCCtx(cc);
	free(zeros);
	free(out);
}

/* Garbage payloads that pass every outer check (valid zstd, right sizes,
 * right checksum) must be caught by the decoder. */
Test(hostile, random_payloads_pass_checksums, .timeout = 120)
{
	const char *path = make_valid("garbage.db");
	uint64_t rng = 5;
	unsigned char raw[4096], z[8192];

	for (int round = 0; round < 300; round++) {
		size_t len = 5 + rnd(&rng) % sizeof(raw) - 5, n;
		int id = 1 + (int)(rnd(&rng) % 12);
		for (size_t i = 0; i < len; i++)
			raw[i] = rnd(&rng) % 3 ? (unsigned char)(rnd(&rng) % 4) : (unsigned char)rnd(&rng);
		memcpy(raw, "EBC1", 4); /* get past the magic */
		raw[4] = (unsigned char)(1 + rnd(&rng) % 3);
		n = ZSTD_compress(z, sizeof(z), raw, len, 1);
		cr_assert(!ZSTD_isError(n));
		put_blob(path, id, z, n, (int64_t)len, (int64_t)(rnd(&rng) % 8));
	}
	/* whatever the damage, iteration ends and reports errors */
	cr_assert_geq(iterate_errors(path, NULL), 1);
}

/* Flip payload bytes of real chunks, recompress, fix the checksum. */
Test(hostile, mutated_real_payloads, .timeout = 120)
{
	const char *src = make_valid("mut.db");
	uint64_t rng = 11;
	sqlite3 *db;

	for (int round = 0; round < 200; round++) {
		sqlite3_stmt *st;
		const void *blob;
		int blen, id = 1 + (int)(rnd(&rng) % 12);
		unsigned long long raw_size;
		unsigned char *raw, *z;
		size_t zcap, n;

		cr_assert_eq(sqlite3_open(src, &db), SQLITE_OK);
		cr_assert_eq(sqlite3_prepare_v2(db, "SELECT data FROM chunk WHERE id=?", -1, &st,
						NULL),
			     SQLITE_OK);
		sqlite3_bind_int(st, 1, id);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		blob = sqlite3_column_blob(st, 0);
		blen = sqlite3_column_bytes(st, 0);
		raw_size = ZSTD_getFrameContentSize(blob, (size_t)blen);
		if (raw_size > (1u << 24)) { /* already replaced by a broken one */
			sqlite3_finalize(st);
			sqlite3_close(db);
			continue;
		}
		raw = malloc(raw_size + 1);
		n = ZSTD_decompress(raw, raw_size, blob, (size_t)blen);
		sqlite3_finalize(st);
		sqlite3_close(db);
		if (ZSTD_isError(n)) {
			free(raw);
			continue;
		}
		for (int k = 0; k < 1 + (int)(rnd(&rng) % 4); k++)
			raw[rnd(&rng) % raw_size] ^= (unsigned char)(1 + rnd(&rng) % 255);
		zcap = ZSTD_compressBound(raw_size);
		z = malloc(zcap);
		n = ZSTD_compress(z, zcap, raw, raw_size, 1);
		put_blob(src, id, z, n, (int64_t)raw_size, -1);
		free(z);
		free(raw);
		iterate_errors(src, NULL); /* must not crash; errors are fine */
	}
}

Test(hostile, truncated_file)
{
	const char *path = make_valid("trunc.db");
	struct fmt_reader *r = NULL;
	char *err = NULL;
	off_t size;
	int fd = open(path, O_RDWR), rc;

	size = lseek(fd, 0, SEEK_END);
	cr_assert_eq(ftruncate(fd, size / 2), 0);
	close(fd);
	rc = fmt_reader_open(path, &r, &err);
	if (rc == 0) { /* the index may survive; chunks then fail one by one */
		fmt_reader_close(r);
		cr_assert_geq(iterate_errors(path, NULL), 1);
	} else {
		cr_assert_not_null(strstr(err, path), "%s", err);
		free(err);
	}
}

Test(hostile, huge_meta)
{
	const char *path = make_valid("meta.db");
	sql(path, "INSERT INTO meta VALUES('big', zeroblob(2000000));");
	expect_open_error(path, FMT_ECORRUPT, "meta");
	path = make_valid("meta2.db");
	sql(path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 5000)"
		  " INSERT INTO meta SELECT 'k' || i, 'v' FROM n;");
	expect_open_error(path, FMT_ELIMIT, "meta");
}
