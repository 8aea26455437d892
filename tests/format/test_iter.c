/* test_iter.c - time windows, pruning, and merged order across streams and
 * across files (by wall clock, using each file's clock offset). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define SEC 1000000000ull

/* One file: exits every 1 ms for 100 s, flows every 1 s, an exec every
 * 10 ms; small chunks so a window covers only a few. */
static const char *make_session(const char *name, int64_t clock_offset, uint64_t t0)
{
	const char *path = tmp_path(name);
	struct fmt_writer_opts o = { .chunk_records = 1000 };
	struct fmt_writer *w;
	char *err, buf[32];

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0, "%s", err);
	snprintf(buf, sizeof(buf), "%lld", (long long)clock_offset);
	cr_assert_eq(fmt_writer_set_meta(w, "clock_offset_ns", buf), 0);
	for (uint64_t t = t0; t < t0 + 100 * SEC; t += SEC / 1000) {
		struct fmt_exit x = { .ts_ns = t, .pid = (uint32_t)(t / 1000) };
		cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
		if ((t - t0) % (10 * SEC / 1000) == 0) {
			struct fmt_exec e = { .ts_ns = t, .comm = "c", .filename = "/c" };
			cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
		}
		if ((t - t0) % SEC == 0) {
			struct fmt_flow f = { .ts_ns = t, .interval_ns = SEC, .packets = 1 };
			f.key.family = FMT_FAMILY_IPV4;
			cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
		}
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
	return path;
}

Test(iter, window_is_inclusive_and_exact)
{
	const char *path = make_session("w.db", 0, 10 * SEC);

	/* [20 s, 30 s]: exits at every ms, both ends included */
	cr_assert_eq(count_records(path, 1u << FMT_STREAM_EXIT, 20 * SEC, 30 * SEC), 10001);
	cr_assert_eq(count_records(path, 1u << FMT_STREAM_EXEC, 20 * SEC, 30 * SEC), 1001);
	cr_assert_eq(count_records(path, 1u << FMT_STREAM_FLOW, 20 * SEC, 30 * SEC), 11);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, UINT64_MAX),
		     100000 + 10000 + 100);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, 10 * SEC - 1), 0);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 200 * SEC, UINT64_MAX), 0);
	cr_assert_eq(count_records(path, 0, 0, UINT64_MAX), 0);
}

Test(iter, window_decodes_only_overlapping_chunks)
{
	const char *path = make_session("p.db", 0, 10 * SEC);
	struct fmt_reader *r = open_or_fail(path);
	struct fmt_iter *it;
	struct fmt_event ev;
	struct fmt_chunk_info *ci;
	int nc = fmt_reader_chunks(r, &ci), overlapping = 0;
	long n = 0;

	cr_assert_gt(nc, 100);
	for (int i = 0; i < nc; i++)
		if (ci[i].stream == FMT_STREAM_EXIT && ci[i].t_last >= 50 * SEC &&
		    ci[i].t_first <= 51 * SEC)
			overlapping++;
	free(ci);
	cr_assert_eq(fmt_iter_open(&r, 1, 1u << FMT_STREAM_EXIT, 50 * SEC, 51 * SEC, &it), 0);
	while (fmt_iter_next(it, &ev) == 1)
		n++;
	cr_assert_eq(n, 1001);
	cr_assert_eq(fmt_iter_chunks_decoded(it), (uint64_t)overlapping,
		     "decoded %llu chunks, %d overlap the window",
		     (unsigned long long)fmt_iter_chunks_decoded(it), overlapping);
	cr_assert_eq(fmt_iter_chunks_total(it), (uint64_t)overlapping);
	cr_assert_leq(overlapping, 3);
	fmt_iter_free(it);
	fmt_reader_close(r);
}

Test(iter, streams_merge_in_time_order)
{
	const char *path = make_session("m.db", 0, SEC);
	struct fmt_reader *r = open_or_fail(path);
	struct fmt_iter *it;
	struct fmt_event ev;
	uint64_t prev = 0;
	int prev_stream = 0;
	long n = 0;

	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) == 1) {
		uint64_t ts = fmt_event_ts(&ev);
		cr_assert(ts > prev || (ts == prev && (int)ev.stream >= prev_stream),
			  "record %ld out of order", n);
		prev = ts;
		prev_stream = ev.stream;
		n++;
	}
	cr_assert_eq(n, 110100);
	fmt_iter_free(it);
	fmt_reader_close(r);
}

Test(iter, files_merge_by_wall_clock)
{
	/* two hosts booted at different times: host B's boot clock reads 500 s
	 * less for the same wall-clock moment */
	const char *a = strdup(make_session("a.db", 1000 * SEC, 10 * SEC));
	const char *b = strdup(make_session("b.db", 1500 * SEC, 10 * SEC - 500 * SEC + 500 * SEC));
	struct fmt_reader *r[2] = { open_or_fail(a), open_or_fail(b) };
	struct fmt_iter *it;
	struct fmt_event ev;
	int64_t prev = INT64_MIN;
	long n = 0, from_b_first = -1;

	cr_assert_eq(fmt_iter_open(r, 2, 1u << FMT_STREAM_FLOW, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) == 1) {
		int64_t wall = (int64_t)ev.flow.ts_ns + fmt_reader_clock_offset(r[ev.source]);
		cr_assert_geq(wall, prev, "record %ld out of wall-clock order", n);
		if (ev.source == 1 && from_b_first < 0)
			from_b_first = n;
		prev = wall;
		n++;
	}
	cr_assert_eq(n, 200);
	/* all of A (wall 1010-1109 s) precedes B (wall 1510-1609 s) */
	cr_assert_eq(from_b_first, 100);
	fmt_iter_free(it);
	fmt_reader_close(r[0]);
	fmt_reader_close(r[1]);
	free((void *)a);
	free((void *)b);
}
