/* test_spool.c - chunks kept in memory (fmt_spool.h): records of every
 * stream cut into segments, then copied into a file for a time window:
 * exactly the records inside the window come back, field for field, each
 * once, whether their chunk was copied whole or cut at a bound. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_spool.h"
#include "helpers.h"

#define N 3000
#define STEP 1000 /* ns between records */

static struct fmt_event recs[N];

/* N records with increasing times, streams mixed. */
static void make_records(void)
{
	uint64_t rng = 42;

	for (unsigned i = 0; i < N; i++) {
		uint64_t ts = 1000000 + (uint64_t)i * STEP;
		recs[i].stream = (enum fmt_stream)(FMT_STREAM_EXEC + rnd(&rng) % 3);
		if (recs[i].stream == FMT_STREAM_EXEC)
			rec_exec_random(&rng, ts, &recs[i].exec);
		else if (recs[i].stream == FMT_STREAM_EXIT)
			rec_exit_random(&rng, ts, &recs[i].exit);
		else
			rec_flow_random(&rng, ts, &recs[i].flow);
	}
}

static void free_records(void)
{
	for (unsigned i = 0; i < N; i++)
		if (recs[i].stream == FMT_STREAM_EXEC)
			rec_exec_free(&recs[i].exec);
}

static int same(const struct fmt_event *a, const struct fmt_event *b)
{
	if (a->stream != b->stream)
		return 0;
	if (a->stream == FMT_STREAM_EXEC)
		return rec_exec_equal(&a->exec, &b->exec);
	if (a->stream == FMT_STREAM_EXIT)
		return rec_exit_equal(&a->exit, &b->exit);
	return rec_flow_equal(&a->flow, &b->flow);
}

struct window {
	unsigned cut_every; /* records per segment */
	unsigned chunk_records; /* writer option: small chunks cross more bounds */
	uint64_t from_i, to_i; /* the window, as record indexes */
};

static struct window windows[] = {
	{ 500, 0, 0, N - 1 }, /* everything */
	{ 500, 0, 700, 2300 }, /* bounds inside segments */
	{ 500, 64, 1000, 1499 }, /* exactly one segment, small chunks */
	{ 1, 0, 10, 10 }, /* one record per segment */
	{ 3000, 100, 123, 2877 }, /* one segment, many chunks */
};

ParameterizedTestParameters(spool, window_comes_back_exactly)
{
	return cr_make_param_array(struct window, windows, sizeof(windows) / sizeof(windows[0]));
}

ParameterizedTest(struct window *win, spool, window_comes_back_exactly, .timeout = 60)
{
	struct fmt_writer_opts opts = { .chunk_records = win->chunk_records };
	struct fmt_segment **segs = calloc(N, sizeof(*segs));
	uint64_t from = recs[0].exec.ts_ns, to, stored_total = 0, records = 0;
	const char *path = tmp_path("spool.db");
	unsigned nseg = 0, got = 0;
	struct fmt_spool *sp;
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	char *err = NULL;
	int rc;

	make_records();
	from = fmt_event_ts(&recs[win->from_i]);
	to = fmt_event_ts(&recs[win->to_i]);
	cr_assert_eq(fmt_spool_new(&opts, &sp), 0);
	for (unsigned i = 0; i < N; i++) {
		cr_assert_eq(fmt_spool_append(sp, &recs[i]), 0, "append %u", i);
		if ((i + 1) % win->cut_every == 0 || i == N - 1) {
			cr_assert_eq(fmt_spool_pending(sp), (i % win->cut_every) + 1);
			cr_assert_eq(fmt_spool_cut(sp, &segs[nseg]), 0);
			cr_assert_not_null(segs[nseg]);
			nseg++;
		}
	}
	/* nothing appended since: no segment */
	{
		struct fmt_segment *none = (struct fmt_segment *)1;
		cr_assert_eq(fmt_spool_cut(sp, &none), 0);
		cr_assert_null(none);
	}
	cr_assert_gt(fmt_spool_mem(sp), 0);
	for (unsigned s = 0; s < nseg; s++) {
		struct fmt_segment_info in;
		fmt_segment_info(segs[s], &in);
		cr_assert_gt(in.mem, 0);
		cr_assert_leq(in.t_first, in.t_last);
		records += in.records;
	}
	cr_assert_eq(records, N);

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &opts, &w, &err), 0, "%s", err);
	for (unsigned s = 0; s < nseg; s++) {
		uint64_t stored;
		cr_assert_eq(fmt_writer_put_segment(w, segs[s], from, to, &stored), 0, "%s",
			     fmt_writer_errmsg(w));
		stored_total += stored;
	}
	cr_assert_eq(stored_total, win->to_i - win->from_i + 1);
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);

	r = open_or_fail(path);
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) == 1) {
		const struct fmt_event *want = &recs[win->from_i + got];
		cr_assert_leq(win->from_i + got, win->to_i, "a record outside the window");
		cr_assert(same(want, &ev), "record %llu differs",
			  (unsigned long long)(win->from_i + got));
		got++;
	}
	cr_assert_eq(rc, 0, "%s", fmt_reader_errmsg(r));
	cr_assert_eq(got, win->to_i - win->from_i + 1);
	fmt_iter_free(it);
	fmt_reader_close(r);
	for (unsigned s = 0; s < nseg; s++)
		fmt_segment_free(segs[s]);
	free(segs);
	fmt_spool_free(sp);
	free_records();
}

/* A spool's memory is the compressed chunks: far less than the records. */
Test(spool, holds_compressed_chunks, .timeout = 60)
{
	struct fmt_spool *sp;
	struct fmt_segment *sg;
	struct fmt_segment_info in;
	struct fmt_flow rows[1000];
	uint64_t rng = 7;

	cr_assert_eq(fmt_spool_new(NULL, &sp), 0);
	for (int interval = 1; interval <= 100; interval++) {
		for (int i = 0; i < 1000; i++) {
			rec_flow_random(&rng, 0, &rows[i]);
			rows[i].ts_ns = (uint64_t)interval * 1000000000ull;
			rows[i].key.sport = (uint16_t)i; /* the same 1,000 flows each interval */
			rows[i].key.dport = 80;
			rows[i].key.family = FMT_FAMILY_IPV4;
			rows[i].key.proto = 6;
			memset(rows[i].key.src, 0, 16);
			memset(rows[i].key.dst, 0, 16);
			rows[i].key.ifindex = 2;
			rows[i].key.dir = 0;
			rows[i].interval_ns = 1000000000ull;
			/* each flow's socket owned by one of 50 processes, as on a host */
			rows[i].owner = (struct fmt_owner){ .pid = 1000u + (uint32_t)i % 50u,
							    .start_ns = 5000000ull * (uint64_t)(i % 50),
							    .cgroup_id = 42 };
		}
		cr_assert_eq(fmt_spool_append_flows(sp, rows, 1000), 0);
	}
	cr_assert_eq(fmt_spool_cut(sp, &sg), 0);
	fmt_segment_info(sg, &in);
	cr_assert_eq(in.records, 100000);
	cr_assert_eq(in.t_first, 1000000000ull);
	cr_assert_eq(in.t_last, 100000000000ull);
	cr_log_info("100,000 flow rows: %llu bytes in memory", (unsigned long long)in.mem);
	cr_assert_lt(in.mem, 100000 * 16, "%llu bytes for 100,000 rows",
		     (unsigned long long)in.mem);
	fmt_segment_free(sg);
	fmt_spool_free(sp);
}
