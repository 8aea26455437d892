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

/* The first flow of the fixture's first flow chunk as ev and as row (its
 * addresses point into ev), its batch in *b */
static void first_flow(struct fmt_reader **r, struct fmt_batch **b, struct fmt_event *ev,
		       struct fmt_row *row)
{
	struct fmt_chunk_info *ci;
	int n, c;

	cr_assert_eq(fmt_reader_open(fixture_varied(), r, NULL), 0);
	n = fmt_reader_chunks(*r, &ci);
	for (c = 0; c < n && ci[c].stream != FMT_STREAM_FLOW; c++)
		;
	cr_assert_lt(c, n, "no flow chunk");
	cr_assert_eq(fmt_reader_load_chunk(*r, ci[c].id, b), 0);
	free(ci);
	fmt_batch_get_at(*b, 0, ev);
	cr_assert_eq(fmt_row_fill(ev, fmt_reader_clock_offset(*r), NULL, row), 0);
}

/* A row's leading columns (ts_ns, wall_ns, time, interval_ns for a flow)
 * are copied from the last row that had the same values: rows that
 * differ from it in one leading value only, in the last one, in being
 * null, or in what comes before them ("type"), must still come out as
 * the whole-row writers write them; and rows that repeat it must be
 * copies (the copy is kept, and used). */
Test(row_memo, leading_columns_copied_only_for_the_same_values, .fini = fini)
{
	struct obuf plain = { 0 }, memo = { 0 };
	struct row_out wp = { .o = &plain }, wm = { .o = &memo };
	struct fmt_reader *r;
	struct fmt_batch *b;
	struct fmt_event ev;
	struct fmt_row base, row;
	/* per step: which leading column to change (-1: none), how (0: +1,
	 * 1: null), with "type" or not */
	static const int steps[][3] = {
		{ -1, 0, 0 }, { -1, 0, 0 }, { 3, 0, 0 }, { 3, 1, 0 }, { -1, 0, 0 }, { 0, 0, 0 },
		{ 1, 0, 0 },  { 2, 0, 0 },  { -1, 0, 1 }, { -1, 0, 0 }, { 3, 1, 1 }, { -1, 0, 1 },
	};
	unsigned copies = 0;

	first_flow(&r, &b, &ev, &base);
	cr_assert_eq(base.v[3].null, false, "interval_ns of a flow is known");
	for (int round = 0; round < 70; round++) /* past the 64 rows before a kept copy */
		for (unsigned k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			const char *type = steps[k][2] ? "flow" : NULL;
			row = base;
			if (steps[k][0] >= 0 && steps[k][1])
				row.v[steps[k][0]].null = true;
			else if (steps[k][0] >= 0)
				row.v[steps[k][0]].u += 1000000000; /* the time's second too */
			for (int csv = 0; csv <= 1; csv++) {
				plain.len = memo.len = 0;
				if (csv) {
					row_csv(&wp, &row, NULL);
					row_csv_at(&wm, &row, b, 0, NULL);
				} else {
					row_jsonl(&wp, &row, type, NULL);
					row_jsonl_at(&wm, &row, b, 0, type, NULL);
				}
				cr_assert(!plain.err && !memo.err);
				cr_assert(plain.len == memo.len && !memcmp(plain.buf, memo.buf, plain.len),
					  "round %d step %u (%s):\n%.*s\n%.*s", round, k,
					  csv ? "csv" : "jsonl", (int)plain.len, plain.buf, (int)memo.len,
					  memo.buf);
			}
			copies += wm.lead[FMT_STREAM_FLOW][0].used + wm.lead[FMT_STREAM_FLOW][1].used;
		}
	cr_assert_gt(copies, 100, "the leading columns were copied %u times", copies);
	fmt_batch_free(b);
	fmt_reader_close(r);
	row_out_free(&wp);
	row_out_free(&wm);
	obuf_free(&plain);
	obuf_free(&memo);
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

/* The next CSV field of [*p, end) (RFC 4180; fields may hold NUL bytes),
 * unquoted into out; @return its length, *p past it and its comma */
static size_t csv_next(const char **p, const char *end, char *out)
{
	const char *s = *p;
	size_t n = 0;

	if (s < end && *s == '"') {
		for (s++; s < end && !(*s == '"' && (s + 1 == end || s[1] != '"')); s++) {
			if (*s == '"')
				s++;
			out[n++] = *s;
		}
		s++;
	} else {
		while (s < end && *s != ',' && *s != '\n')
			out[n++] = *s++;
	}
	if (s < end && *s == ',')
		s++;
	*p = s;
	return n;
}

/* argv in CSV is the JSON array jsonl writes, as one field: checked
 * against this file's own CSV reading of every exec of two sessions (hard
 * strings, no arguments, long ones) */
Test(row_memo, csv_argv_is_the_jsonl_array_as_one_field, .fini = fini, .timeout = 60)
{
	const char *files[] = { hard_session(), fixture_varied() };
	unsigned checked = 0, empty = 0;

	for (int f = 0; f < 2; f++) {
		struct fmt_reader *r;
		struct fmt_chunk_info *ci;
		struct fmt_batch *b = NULL;
		struct obuf js = { 0 }, cs = { 0 };
		struct row_out wj = { .o = &js }, wc = { .o = &cs };
		int n;
		cr_assert_eq(fmt_reader_open(files[f], &r, NULL), 0);
		n = fmt_reader_chunks(r, &ci);
		for (int c = 0; c < n; c++) {
			if (ci[c].stream != FMT_STREAM_EXEC)
				continue;
			cr_assert_eq(fmt_reader_load_chunk(r, ci[c].id, &b), 0);
			for (uint32_t j = 0; j < fmt_batch_count(b); j++) {
				struct fmt_event ev;
				struct fmt_row row;
				const char *a, *e, *p;
				char *field;
				fmt_batch_get_at(b, j, &ev);
				fmt_row_fill(&ev, 0, NULL, &row);
				js.len = cs.len = 0;
				row_jsonl(&wj, &row, NULL, NULL);
				row_csv(&wc, &row, NULL);
				size_t len = 0;
				obuf_putc(&js, 0); /* JSON text holds no NUL byte */
				a = strstr(js.buf, ",\"argv\":") + 8;
				e = strstr(a, ",\"argv_truncated\":");
				cr_assert(a && e);
				field = malloc(cs.len + 1);
				p = cs.buf;
				for (int k = 0; k <= 13; k++) /* argv is column 13 */
					len = csv_next(&p, cs.buf + cs.len, field);
				cr_assert_eq(len, (size_t)(e - a), "%s", js.buf);
				cr_assert_eq(memcmp(field, a, len), 0, "%s", js.buf);
				empty += ev.exec.argc == 0;
				checked++;
				free(field);
			}
		}
		fmt_batch_free(b);
		row_out_free(&wj);
		row_out_free(&wc);
		obuf_free(&js);
		obuf_free(&cs);
		free(ci);
		fmt_reader_close(r);
	}
	cr_assert_gt(checked, 3000);
	cr_assert_gt(empty, 0);
}
