/* test_row_memo.c - exports render the columns that follow from a
 * dictionary entry (a flow's key, an exec's command line) once per entry
 * (row_jsonl_at, row_csv_at): every row must come out as row_jsonl and
 * row_csv write it, whatever the batches and their order — rows of more
 * batches than the writer remembers taken in turn, with and without the
 * "type" and "file" fields. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"
#include "row_out.h"

#define MAXB 64

/* Every exec and flow row of path, its chunks' rows taken in turn, both
 * ways; @return rows compared */
static unsigned compare_file(const char *path)
{
	struct fmt_reader *r;
	struct fmt_chunk_info *ci;
	struct fmt_batch *b[MAXB] = { 0 };
	struct obuf plain = { 0 }, memo = { 0 };
	struct row_out wp = { .o = &plain }, wm = { .o = &memo };
	unsigned nb = 0, rows = 0;
	int n;

	cr_assert_eq(fmt_reader_open(path, &r, NULL), 0, "%s", path);
	n = fmt_reader_chunks(r, &ci);
	for (int c = 0; c < n && nb < MAXB; c++)
		if (ci[c].stream == FMT_STREAM_EXEC || ci[c].stream == FMT_STREAM_FLOW)
			cr_assert_eq(fmt_reader_load_chunk(r, ci[c].id, &b[nb++]), 0);
	for (uint32_t j = 0, more = 1; more; j++) {
		more = 0;
		for (unsigned k = 0; k < nb; k++) {
			struct fmt_event ev;
			struct fmt_row row;
			const char *type = j % 3 ? NULL : "flow", *file = j % 5 ? NULL : "a,b\xff.db";
			if (j >= fmt_batch_count(b[k]))
				continue;
			more = 1;
			fmt_batch_get_at(b[k], j, &ev);
			fmt_row_fill(&ev, fmt_reader_clock_offset(r),
				     ev.stream == FMT_STREAM_FLOW && ev.flow.key.ifindex == 2 ? "eth0" : NULL,
				     &row);
			for (int csv = 0; csv <= 1; csv++) {
				plain.len = memo.len = 0;
				if (csv) {
					row_csv(&wp, &row, file);
					row_csv_at(&wm, &row, b[k], j, file);
				} else {
					row_jsonl(&wp, &row, type, file);
					row_jsonl_at(&wm, &row, b[k], j, type, file);
				}
				cr_assert(!plain.err && !memo.err);
				cr_assert(plain.len == memo.len && !memcmp(plain.buf, memo.buf, plain.len),
					  "%s batch %u row %u (%s):\n%.*s\n%.*s", path, k, j,
					  csv ? "csv" : "jsonl", (int)plain.len, plain.buf, (int)memo.len,
					  memo.buf);
			}
			rows++;
		}
	}
	for (unsigned k = 0; k < nb; k++)
		fmt_batch_free(b[k]);
	row_out_free(&wp);
	row_out_free(&wm);
	obuf_free(&plain);
	obuf_free(&memo);
	free(ci);
	fmt_reader_close(r);
	return rows;
}

Test(row_memo, rows_rendered_per_dictionary_entry_equal_rows_rendered_whole, .fini = fini,
     .timeout = 120)
{
	cr_assert_geq(compare_file(fixture_varied()), 6000);
	cr_assert_gt(compare_file(hard_session()), 0);
	cr_assert_gt(compare_file(fixture_owned()), 0);
	cr_assert_gt(compare_file(fixture_busy()), 0);
	cr_assert_gt(compare_file(fixture_alpha()), 0);
}

/* Without a batch, or for a stream without dictionary runs, the rows are
 * the whole-row writers'. */
Test(row_memo, no_batch_is_the_plain_path, .fini = fini)
{
	struct obuf plain = { 0 }, memo = { 0 };
	struct row_out wp = { .o = &plain }, wm = { .o = &memo };
	struct fmt_event ev = { .stream = FMT_STREAM_EXIT,
				.exit = { .ts_ns = 5 * S, .start_ns = S, .pid = 7, .ppid = 1 } };
	struct fmt_row row;

	cr_assert_eq(fmt_row_fill(&ev, 0, NULL, &row), 0);
	row_jsonl(&wp, &row, "exit", NULL);
	row_jsonl_at(&wm, &row, NULL, 0, "exit", NULL);
	row_csv(&wp, &row, NULL);
	row_csv_at(&wm, &row, NULL, 0, NULL);
	cr_assert_eq(plain.len, memo.len);
	cr_assert_eq(memcmp(plain.buf, memo.buf, plain.len), 0);
	row_out_free(&wp);
	row_out_free(&wm);
	obuf_free(&plain);
	obuf_free(&memo);
}
