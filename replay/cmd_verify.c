/* cmd_verify.c - `ebpfreport verify FILE...`: check every chunk (checksum,
 * declared sizes, full decode, record count and time range against the
 * chunk index: the reader checks all of these on each load; on --threads
 * threads, the verdicts kept in chunk order), the meta table, the record
 * totals and the clean-close marker; and, for the files of a rotated
 * series, that none is missing or out of order (fileset.h). One verdict
 * per file; exit 1 if any file has a problem. A chunk of a stream this version
 * does not know is a compatible addition (FORMAT.md section 5): its
 * container is checked, and it is reported as skipped, not as a problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileset.h"
#include "fmt_meta.h"
#include "json.h"
#include "out.h"
#include "report.h"
#include "options.h"

#define MAX_PROBLEMS 100 /* listed per file; more are counted */

struct verdict {
	uint64_t chunks, records[FMT_STREAM_MAX + 1];
	uint64_t skipped; /* chunks of unknown streams */
	int unknown_stream; /* the last such stream */
	int opened, clean, being_written;
	unsigned problems;
	char *problem[MAX_PROBLEMS];
	struct series_file series; /* its place in a rotated series */
	char *series_id, *series_prev, *boot_id; /* copies: the file is closed */
};

static void problem(struct verdict *v, const char *what)
{
	if (v->problems < MAX_PROBLEMS)
		v->problem[v->problems] = strdup(what);
	v->problems++;
}

/* The writer stores totals at a clean close; they must match the chunks. */
static void check_meta(struct fmt_reader *rd, struct verdict *v)
{
	char msg[256];
	uint64_t n;

	if (!fmt_reader_meta(rd, FMT_META_FORMAT_VERSION))
		problem(v, "meta format_version is missing");
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++) {
		const char *key = fmt_meta_records_key(s);
		int rc = fmt_reader_meta_u64(rd, key, &n);
		/* a killed recorder never wrote its totals; a format 1.0 file
		 * has no total for the streams 1.1 added */
		if (rc == FMT_ENOENT && (!v->clean || (s > FMT_STREAM_FLOW && !v->records[s])))
			continue;
		if (rc) {
			snprintf(msg, sizeof(msg), "meta %s is missing or not a number", key);
			problem(v, msg);
		} else if (n != v->records[s]) {
			snprintf(msg, sizeof(msg), "meta %s says %llu but the chunks hold %llu",
				 key, (unsigned long long)n, (unsigned long long)v->records[s]);
			problem(v, msg);
		}
	}
}

/* The chunks of one file, decoded on the threads; verdicts in chunk order. */
struct pass {
	struct verdict *v;
	const struct fmt_chunk_info *ci;
	uint32_t *count; /* records of chunk i, as decoded */
};

static int each(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial)
{
	struct pass *p = ctx;

	(void)worker, (void)partial;
	p->count[i] = fmt_batch_count(b);
	return 0;
}

static int commit(void *ctx, size_t i, void *partial, int rc, const char *errmsg)
{
	struct pass *p = ctx;
	struct verdict *v = p->v;

	(void)partial;
	if (rc == FMT_ESTREAM) {
		v->skipped++;
		v->unknown_stream = p->ci[i].stream;
	} else if (rc) {
		problem(v, errmsg ? errmsg : "cannot read a chunk");
	} else {
		v->chunks++;
		v->records[p->ci[i].stream] += p->count[i];
	}
	return 0;
}

static void verify_one(struct report *r, const char *path, struct verdict *v)
{
	struct fmt_reader *rd = NULL;
	struct fmt_chunk_info *ci = NULL;
	struct fmt_par_chunk *chunks = NULL;
	char *err = NULL;
	int n;

	if (fmt_reader_open(path, &rd, &err)) {
		problem(v, err ? err : "cannot open");
		free(err);
		return;
	}
	v->opened = 1;
	v->clean = fmt_reader_closed_clean(rd);
	v->being_written = fmt_reader_being_written(rd);
	n = fmt_reader_chunks(rd, &ci);
	if (n < 0)
		problem(v, fmt_reader_errmsg(rd));
	if (n > 0) {
		struct pass pass = { .v = v, .ci = ci, .count = calloc((size_t)n, sizeof(uint32_t)) };
		struct fmt_par p = { .readers = &rd, .n = (size_t)n, .cols = FMT_COL_ALL,
				     .threads = r->threads, .each = each, .commit = commit,
				     .ctx = &pass };
		chunks = calloc((size_t)n, sizeof(*chunks));
		for (int i = 0; chunks && i < n; i++)
			chunks[i] = (struct fmt_par_chunk){ 0, ci[i].id, ci[i].raw_size };
		p.chunks = chunks;
		if (!chunks || !pass.count || fmt_par_run(&p))
			problem(v, "out of memory");
		free(pass.count);
	}
	free(chunks);
	free(ci);
	if (n >= 0)
		check_meta(rd, v);
	if (!v->clean && r->strict)
		problem(v, v->being_written ? "not closed yet: it is still being recorded" :
					      "not closed cleanly (the recorder was killed or crashed)");
	series_file_of(rd, path, &v->series);
	v->series.id = v->series_id = v->series.id ? strdup(v->series.id) : NULL;
	v->series.prev = v->series_prev = v->series.prev ? strdup(v->series.prev) : NULL;
	v->series.boot_id = v->boot_id = v->series.boot_id ? strdup(v->series.boot_id) : NULL;
	fmt_reader_close(rd);
}

static void print_json(const char *path, const struct verdict *v, struct json *j)
{
	json_begin_object(j);
	json_kv_str(j, "file", path);
	json_kv_bool(j, "ok", !v->problems);
	json_kv_bool(j, "closed_clean", v->clean);
	json_kv_bool(j, "being_recorded", v->being_written);
	json_kv_u64(j, "chunks", v->chunks);
	json_kv_u64(j, "skipped_chunks", v->skipped);
	json_kv_u64(j, "exec", v->records[FMT_STREAM_EXEC]);
	json_kv_u64(j, "exit", v->records[FMT_STREAM_EXIT]);
	json_kv_u64(j, "flow", v->records[FMT_STREAM_FLOW]);
	json_kv_u64(j, "proc", v->records[FMT_STREAM_PROC]);
	json_kv_u64(j, "cgroup", v->records[FMT_STREAM_CGROUP]);
	json_key(j, "problems");
	json_str_array(j, (const char *const *)v->problem,
		       v->problems < MAX_PROBLEMS ? v->problems : MAX_PROBLEMS);
	json_end_object(j);
}

static void print_text(const char *path, const struct verdict *v)
{
	uint64_t total = v->records[1] + v->records[2] + v->records[3];
	char a[32], b[32], c[32], d[32], e[32];

	for (unsigned i = 0; i < v->problems && i < MAX_PROBLEMS; i++)
		printf("%s: BAD: %s\n", path, v->problem[i]);
	if (v->problems > MAX_PROBLEMS)
		printf("%s: BAD: %u more problems\n", path, v->problems - MAX_PROBLEMS);
	if (v->problems)
		return;
	printf("%s: OK  %s chunks, %s records (%s exec, %s exit, %s flow), %s", path,
	       out_count(a, sizeof(a), v->chunks), out_count(b, sizeof(b), total),
	       out_count(c, sizeof(c), v->records[FMT_STREAM_EXEC]),
	       out_count(d, sizeof(d), v->records[FMT_STREAM_EXIT]),
	       out_count(e, sizeof(e), v->records[FMT_STREAM_FLOW]),
	       v->clean ? "closed cleanly" :
	       v->being_written ? "being recorded (not closed yet)" :
				  "not closed cleanly (recording was interrupted)");
	if (v->skipped)
		printf("; %llu chunk%s of a stream this version does not know (%d) skipped",
		       (unsigned long long)v->skipped, v->skipped > 1 ? "s" : "", v->unknown_stream);
	if (v->series.id)
		printf("; file %llu of series %.8s", (unsigned long long)v->series.seq, v->series.id);
	putchar('\n');
}

static void series_problem(void *ctx, unsigned i, const char *what)
{
	problem(&((struct verdict *)ctx)[i], what);
}

static int run(struct report *r)
{
	struct verdict *v = calloc(r->nfiles, sizeof(*v));
	struct series_file *sf = calloc(r->nfiles, sizeof(*sf));
	struct json j = { 0 };
	int bad = 0;

	if (!v || !sf) {
		free(v);
		free(sf);
		report_err("out of memory");
		return 1;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		verify_one(r, r->paths[i], &v[i]);
		sf[i] = v[i].series;
	}
	series_check(sf, r->nfiles, series_problem, v);
	if (r->out == OUT_JSON)
		json_begin_array(&j);
	for (unsigned i = 0; i < r->nfiles; i++) {
		bad |= v[i].problems != 0;
		if (r->out == OUT_JSON)
			print_json(r->paths[i], &v[i], &j);
		else if (!r->quiet)
			print_text(r->paths[i], &v[i]);
		for (unsigned k = 0; k < v[i].problems && k < MAX_PROBLEMS; k++)
			free(v[i].problem[k]);
		free(v[i].series_id);
		free(v[i].series_prev);
		free(v[i].boot_id);
	}
	free(v);
	free(sf);
	if (r->out == OUT_JSON) {
		json_end_array(&j);
		json_flush(&j, stdout);
		putchar('\n');
		json_free(&j);
	}
	return bad;
}

const struct report_cmd cmd_verify = {
	.name = "verify",
	.args = "FILE...",
	.summary = "check every chunk, the meta table and the totals; exit 1 on a problem",
	.opts = OPT(QUIET) | OPT(STRICT) | OPT(JSON),
	.run = run,
	.opens_itself = true,
};
