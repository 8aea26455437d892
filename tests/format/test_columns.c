/* test_columns.c - decoding some columns of a chunk (chunk_decode_cols,
 * what the SQL tables and the columnar scans use): each column decoded
 * alone equals the full decode's, the others are left out, and a damaged
 * payload decoded in part is still read within bounds and never accepted
 * where the full decode would accept something else; and the fast join of
 * a batch's command lines (it reads past NULs) against the plain one. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "chunk_codec.h"
#include "fmt_text.h"
#include "helpers.h"

struct payload {
	int stream;
	uint32_t records;
	uint8_t *raw;
	size_t len;
};

/* A session with every stream and every optional column, small chunks
 * (some out of time order); its payloads decompressed into p[]. */
static size_t payloads(struct payload *p, size_t max)
{
	const char *path = tmp_path("cols.db");
	struct fmt_writer_opts o = { .chunk_records = 97 };
	struct fmt_writer *w;
	uint64_t rng = 42, ts = 5000;
	char *err = NULL;
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t n = 0;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0, "%s", err);
	for (int i = 0; i < 1000; i++) {
		struct fmt_event ev;
		ts += rnd(&rng) % 5 ? rnd(&rng) % 100000 : 0;
		/* out of order now and then */
		rec_event_random(&rng, rnd(&rng) % 9 ? ts : ts - 700, &ev);
		cr_assert_eq(fmt_writer_append(w, &ev), 0, "%s", fmt_writer_errmsg(w));
		rec_event_free(&ev);
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT stream, records, raw_size, data FROM chunk", -1,
					&st, NULL),
		     SQLITE_OK);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		p[n].stream = sqlite3_column_int(st, 0);
		p[n].records = (uint32_t)sqlite3_column_int(st, 1);
		p[n].len = (size_t)sqlite3_column_int64(st, 2);
		p[n].raw = malloc(p[n].len + 1);
		cr_assert_eq(ZSTD_decompress(p[n].raw, p[n].len, sqlite3_column_blob(st, 3),
					     (size_t)sqlite3_column_bytes(st, 3)),
			     p[n].len);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Arrays of a batch by section, as (pointer, element size). */
static const void *column(const struct fmt_batch *b, int sec, size_t *size)
{
	*size = 4;
	switch (sec) {
	case SEC_PID: return b->pid;
	case SEC_TID: return b->tid;
	case SEC_PPID: return b->ppid;
	case SEC_UID: return b->uid;
	case SEC_GID: return b->gid;
	case SEC_RET: return b->ret;
	case SEC_FLAGS: return b->flags;
	case SEC_CMD: return b->cmd;
	case SEC_PCOMM: return b->pcomm;
	case SEC_INTERP: return b->interp;
	case SEC_CWD: return b->cwd;
	case SEC_EXIT_CODE: return b->code;
	case SEC_SIGNAL: return b->sig;
	case SEC_FLOWKEY: return b->key;
	case SEC_CGROUP_KIND: return b->kind;
	case SEC_PATH: return b->path;
	}
	*size = 8;
	switch (sec) {
	case SEC_TS: return b->ts;
	case SEC_CGROUP: return b->cgroup;
	case SEC_START: return b->stream != FMT_STREAM_EXIT ? b->start : NULL;
	case SEC_LIFETIME: return b->stream == FMT_STREAM_EXIT ? b->start : NULL;
	case SEC_INTERVAL: return b->interval;
	case SEC_PACKETS: return b->packets;
	case SEC_BYTES: return b->bytes;
	}
	*size = 0;
	return NULL;
}

Test(columns, each_column_alone_equals_the_full_decode, .timeout = 60)
{
	static struct payload p[64];
	size_t np = payloads(p, 64);
	struct fmt_batch *full = NULL, *part = NULL;
	const char *why;
	int seen[FMT_STREAM_MAX + 1] = { 0 };

	cr_assert_gt(np, 10);
	for (size_t i = 0; i < np; i++) {
		cr_assert_eq(chunk_decode(p[i].raw, p[i].len, p[i].stream, p[i].records, &full, &why),
			     0, "%s", why);
		seen[p[i].stream]++;
		for (int sec = 0; sec < SEC_MAX; sec++) {
			size_t size, fsize;
			const void *a, *f;
			cr_assert_eq(chunk_decode_cols(p[i].raw, p[i].len, p[i].stream,
						       p[i].records, 1ull << sec, &part, &why),
				     0, "section %d: %s", sec, why);
			cr_assert_eq(fmt_batch_count(part), fmt_batch_count(full));
			cr_assert_eq(part->order != NULL, full->order != NULL);
			cr_assert_eq(memcmp(part->ts, full->ts, full->n * 8), 0);
			f = column(full, sec, &fsize);
			a = column(part, sec, &size);
			if (f && sec != SEC_TS) {
				cr_assert_not_null(a, "section %d", sec);
				cr_assert_eq(memcmp(a, f, full->n * size), 0, "section %d", sec);
			}
			/* without the times: the same column, no times, no order
			 * (unless the column is kept relative to them) */
			cr_assert_eq(chunk_decode_cols(p[i].raw, p[i].len, p[i].stream,
						       p[i].records, (1ull << sec) | FMT_COL_NO_TS,
						       &part, &why),
				     0, "section %d without times: %s", sec, why);
			a = column(part, sec, &size);
			if (f && sec != SEC_TS) {
				cr_assert_not_null(a, "section %d without times", sec);
				cr_assert_eq(memcmp(a, f, full->n * size), 0, "section %d", sec);
			}
			if (sec == SEC_TS || sec == SEC_START || sec == SEC_LIFETIME) {
				cr_assert_eq(memcmp(part->ts, full->ts, full->n * 8), 0);
			} else {
				cr_assert_null(part->ts, "section %d brought the times", sec);
				cr_assert_null(part->order);
			}
			cr_assert_eq(chunk_decode_cols(p[i].raw, p[i].len, p[i].stream,
						       p[i].records, 1ull << sec, &part, &why),
				     0, "section %d: %s", sec, why);
			/* what was not asked for (nor needed) is not there */
			if (sec == SEC_PACKETS)
				cr_assert_null(part->bytes);
			if (sec == SEC_UID)
				cr_assert(!part->pid && !part->cmds && !part->str);
			if (sec == SEC_CMD) {
				cr_assert_eq(part->ncmd, full->ncmd);
				for (uint32_t c = 0; c < full->ncmd; c++) {
					cr_assert_str_eq(part->cmds[c].comm, full->cmds[c].comm);
					cr_assert_str_eq(part->cmds[c].filename,
							 full->cmds[c].filename);
					cr_assert_eq(part->cmds[c].argc, full->cmds[c].argc);
					cr_assert_null(part->cmds[c].argv);
				}
			}
			if (sec == CHUNK_ARGV_BIT && full->cmds)
				for (uint32_t c = 0; c < full->ncmd; c++)
					for (uint32_t k = 0; k < full->cmds[c].argc; k++)
						cr_assert_str_eq(part->cmds[c].argv[k],
								 full->cmds[c].argv[k]);
			if (sec == SEC_FLOWKEY && full->nkeys) {
				cr_assert_eq(part->nkeys, full->nkeys);
				cr_assert_eq(memcmp(part->keys, full->keys,
						    full->nkeys * sizeof(*full->keys)),
					     0);
			}
		}
	}
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++)
		cr_assert_gt(seen[s], 0, "no chunk of stream %d", s);
	fmt_batch_free(full);
	fmt_batch_free(part);
	for (size_t i = 0; i < np; i++)
		free(p[i].raw);
}

/* fmt_batch_exec_cmd_join writes what fmt_text_join writes for each
 * command line of b (random lines of up to ~500 bytes), at every buffer
 * size up to 80 and every 29th up to 640, past the longest line (its word
 * copies hand over to the careful path near the end), and nothing at or
 * past the size it is given. */
static void join_equals_text_join(const struct fmt_batch *full, const struct fmt_batch *b)
{
	char want[640], got[640];

	cr_assert_eq(b->ncmd, full->ncmd);
	for (uint32_t id = 0; id < b->ncmd; id++) {
		uint32_t argc;
		const char *const *argv = fmt_batch_exec_cmd_argv(full, id, &argc);
		for (size_t len = 1; len <= sizeof(got); len += len < 80 ? 1 : 29) {
			size_t w = fmt_text_join(want, len, argc, argv), g;
			memset(got, 0x55, sizeof(got));
			g = fmt_batch_exec_cmd_join(b, id, got, len);
			cr_assert_eq(g, w, "entry %u, size %zu", id, len);
			cr_assert_eq(memcmp(got, want, w + 1), 0, "entry %u, size %zu", id, len);
			for (size_t k = len; k < sizeof(got); k++)
				cr_assert_eq(got[k], 0x55, "written past %zu", len);
		}
	}
}

Test(columns, joined_command_lines_equal_the_plain_join, .timeout = 60)
{
	static struct payload p[64];
	size_t np = payloads(p, 64);
	struct fmt_batch *b = NULL, *ids = NULL;
	const char *why;
	unsigned lines = 0;

	for (size_t i = 0; i < np; i++) {
		if (p[i].stream != FMT_STREAM_EXEC)
			continue;
		cr_assert_eq(chunk_decode(p[i].raw, p[i].len, p[i].stream, p[i].records, &b, &why),
			     0, "%s", why);
		join_equals_text_join(b, b);
		/* the argv as ids alone (top --by cmdline): joined from them */
		cr_assert_eq(chunk_decode_cols(p[i].raw, p[i].len, p[i].stream, p[i].records,
					       FMT_COL_ARGV_IDS, &ids, &why),
			     0, "%s", why);
		cr_assert_null(fmt_batch_exec_cmd_argv(ids, 0, &(uint32_t){ 0 }));
		join_equals_text_join(b, ids);
		lines += b->ncmd;
	}
	cr_assert_gt(lines, 100);
	fmt_batch_free(b);
	fmt_batch_free(ids);
	for (size_t i = 0; i < np; i++)
		free(p[i].raw);
}

/* Damage real payloads; decode each in full and in part (random column
 * sets). Nothing is read out of bounds (the sanitizer build says so), and
 * a part decode accepts every payload the full decode accepts, with the
 * same values. */
Test(columns, damaged_payloads_in_part, .timeout = 120)
{
	static struct payload p[64];
	size_t np = payloads(p, 64);
	struct fmt_batch *full = NULL, *part = NULL;
	uint64_t rng = 7;
	const char *why;
	unsigned accepted = 0, rejected = 0;

	for (int round = 0; round < 20000; round++) {
		struct payload *q = &p[rnd(&rng) % np];
		uint8_t *m = malloc(q->len + 1);
		size_t len = q->len;
		uint64_t want = rnd(&rng) & rnd(&rng);
		int rf, rp;

		memcpy(m, q->raw, q->len);
		for (int k = 0; k < 1 + (int)(rnd(&rng) % 3); k++) {
			size_t at = rnd(&rng) % len;
			switch (rnd(&rng) % 4) {
			case 0:
				m[at] ^= (uint8_t)(1u << rnd(&rng) % 8);
				break;
			case 1:
				m[at] = (uint8_t)rnd(&rng);
				break;
			case 2:
				m[at] = 0xff;
				break;
			default:
				len = at > 5 ? at : len; /* truncated */
			}
		}
		rf = chunk_decode(m, len, q->stream, q->records, &full, &why);
		rp = chunk_decode_cols(m, len, q->stream, q->records, want, &part, &why);
		if (rf == 0) {
			accepted++;
			if (q->stream == FMT_STREAM_EXEC && round % 8 == 0)
				join_equals_text_join(full, full); /* reads stay in bounds */
			/* joined from the ids alone too, when only those came */
			if (q->stream == FMT_STREAM_EXEC && round % 8 == 1 && part->ncmd &&
			    fmt_batch_exec_cmd_arg_ids(part, 0, &(uint32_t){ 0 }) &&
			    !fmt_batch_exec_cmd_argv(part, 0, &(uint32_t){ 0 }))
				join_equals_text_join(full, part);
			cr_assert_eq(rp, 0, "a part of a good payload was rejected: %s", why);
			/* times come unless FMT_COL_NO_TS leaves them out */
			if (part->ts)
				cr_assert_eq(memcmp(part->ts, full->ts, full->n * 8), 0);
			else
				cr_assert(want & FMT_COL_NO_TS, "times missing");
			for (int sec = 1; sec < SEC_MAX; sec++) {
				size_t size;
				const void *a = column(part, sec, &size), *f;
				if (a && (f = column(full, sec, &size)))
					cr_assert_eq(memcmp(a, f, full->n * size), 0, "section %d",
						     sec);
			}
		} else {
			rejected++;
		}
		free(m);
	}
	cr_assert_gt(accepted, 100);
	cr_assert_gt(rejected, 100);
	fmt_batch_free(full);
	fmt_batch_free(part);
	for (size_t i = 0; i < np; i++)
		free(p[i].raw);
}
