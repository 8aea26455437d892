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

/* Row r written by the whole-row writer wp and by the _at one wm (batch
 * b, position j), as JSON then as CSV: the same bytes each time. what
 * and at say which row, if not. */
static void same_both_ways(struct row_out *wp, struct row_out *wm, const struct fmt_row *r,
			   const struct fmt_batch *b, uint32_t j, const char *type, const char *file,
			   const char *what, unsigned at)
{
	for (int csv = 0; csv <= 1; csv++) {
		wp->o->len = wm->o->len = 0;
		if (csv) {
			row_csv(wp, r, file);
			row_csv_at(wm, r, b, j, file);
		} else {
			row_jsonl(wp, r, type, file);
			row_jsonl_at(wm, r, b, j, type, file);
		}
		cr_assert(!wp->o->err && !wm->o->err);
		cr_assert(wp->o->len == wm->o->len && !memcmp(wp->o->buf, wm->o->buf, wp->o->len),
			  "%s row %u (%s):\n%.*s\nwant\n%.*s", what, at, csv ? "csv" : "jsonl",
			  (int)wm->o->len, wm->o->buf, (int)wp->o->len, wp->o->buf);
	}
}

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
			same_both_ways(&wp, &wm, &row, b[k], j, type, file, path, k * 1000000 + j);
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
			same_both_ways(&wp, &wm, &row, b, 0, type, NULL, "round x step",
				       (unsigned)round * 100 + k);
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

/* An exec row with a value at the edge of each fixed-size type: the most
 * digits, the least I32, both bools, nulls, an empty string */
static void edge_exec(struct fmt_row *r)
{
	static const char *const argv[] = { "a", "b c" };
	unsigned n;

	fmt_row_columns(FMT_STREAM_EXEC, &n);
	memset(r, 0, sizeof(*r));
	r->stream = FMT_STREAM_EXEC;
	r->n = n;
	r->v[0].u = UINT64_MAX;
	r->v[1].u = r->v[2].u = 1700000000123456789ull;
	r->v[3].u = UINT32_MAX, r->v[4].u = 1, r->v[5].u = 0, r->v[6].u = 10;
	r->v[7].u = 99999999, r->v[8].u = 100000000;
	r->v[9].s = "a", r->v[10].s = "", r->v[11].s = "/x";
	r->v[12].u = 2, r->v[13].strs.v = argv, r->v[13].strs.n = 2;
	r->v[14].u = 1, r->v[15].i = INT32_MIN;
	r->v[16].null = r->v[17].null = true;
	r->v[18].u = 0, r->v[19].u = 12345678901234567ull;
}

#define EDGE_JSON(cg)                                                                            \
	"{\"type\":\"exec\",\"ts_ns\":18446744073709551615,\"wall_ns\":1700000000123456789,"       \
	"\"time\":\"2023-11-14T22:13:20.123Z\",\"pid\":4294967295,\"tid\":1,\"ppid\":0,\"uid\":10," \
	"\"gid\":99999999,\"cgroup_id\":" cg ",\"comm\":\"a\",\"pcomm\":\"\",\"filename\":\"/x\","  \
	"\"argc\":2,\"argv\":[\"a\",\"b c\"],\"argv_truncated\":true,\"ret\":-2147483648,"          \
	"\"interp\":null,\"cwd\":null,\"cwd_truncated\":false,\"start_ns\":12345678901234567}\n"
#define EDGE_CSV(cg)                                                                             \
	"18446744073709551615,1700000000123456789,2023-11-14T22:13:20.123Z,4294967295,1,0,10,"     \
	"99999999," cg ",a,\"\",/x,2,\"[\"\"a\"\",\"\"b c\"\"]\",true,-2147483648,,,false,"         \
	"12345678901234567\n"

static void expect(struct obuf *o, const char *want, int at)
{
	cr_assert(!o->err);
	cr_assert(o->len == strlen(want) && !memcmp(o->buf, want, o->len),
		  "row %d:\n%.*s\nwant\n%s", at, (int)o->len, o->buf, want);
	o->len = 0;
}

/* Every fixed-size type at its edges, written exactly, by the whole-row
 * writers and by the _at ones as their leading columns (ts_ns ..
 * cgroup_id for an exec) go from rendered to kept (after 64 rows) to
 * copied, and then change in their last column, to a number and to null. */
Test(row_memo, edge_values_written_exactly_before_and_after_the_copy, .fini = fini)
{
	struct obuf o = { 0 };
	struct row_out w = { .o = &o };
	struct fmt_row r;

	edge_exec(&r);
	for (int i = 0; i < 70; i++) {
		row_jsonl(&w, &r, "exec", NULL);
		expect(&o, EDGE_JSON("100000000"), i);
		row_jsonl_at(&w, &r, NULL, 0, "exec", NULL);
		expect(&o, EDGE_JSON("100000000"), i);
		row_csv_at(&w, &r, NULL, 0, NULL);
		expect(&o, EDGE_CSV("100000000"), i);
	}
	cr_assert(w.lead[FMT_STREAM_EXEC][0].used && w.lead[FMT_STREAM_EXEC][1].used,
		  "the leading columns were copied");
	r.v[8].u = 100000001;
	row_jsonl_at(&w, &r, NULL, 0, "exec", NULL);
	expect(&o, EDGE_JSON("100000001"), 70);
	row_csv_at(&w, &r, NULL, 0, NULL);
	expect(&o, EDGE_CSV("100000001"), 70);
	r.v[8].null = true;
	row_jsonl_at(&w, &r, NULL, 0, "exec", NULL);
	expect(&o, EDGE_JSON("null"), 71);
	row_csv_at(&w, &r, NULL, 0, NULL);
	expect(&o, EDGE_CSV(""), 71);
	row_out_free(&w);
	obuf_free(&o);
}

/* A name among the leading columns (a cgroup's kind): a row that differs
 * in it alone is not the kept one; and an exit row, all of whose columns
 * lead, is copied whole only when every value is the same. */
Test(row_memo, names_and_whole_rows_in_the_leading_columns, .fini = fini)
{
	struct obuf o = { 0 }, plain = { 0 };
	struct row_out w = { .o = &o }, wp = { .o = &plain };
	struct fmt_event cg = { .stream = FMT_STREAM_CGROUP,
				.cgroup = { .ts_ns = 5 * S, .cgroup_id = 42, .path = "/a" } };
	struct fmt_event ex = { .stream = FMT_STREAM_EXIT,
				.exit = { .ts_ns = 5 * S, .start_ns = S, .pid = 7, .ppid = 1 } };
	struct fmt_row r;

	for (int i = 0; i < 200; i++) {
		struct fmt_event *ev = i % 2 ? &cg : &ex;
		cg.cgroup.kind = (uint32_t)(i / 80 % 3); /* the same for 80 rows, then not */
		ex.exit.exit_code = (uint32_t)(i / 90);
		cr_assert_eq(fmt_row_fill(ev, 0, NULL, &r), 0);
		same_both_ways(&wp, &w, &r, NULL, 0, NULL, NULL, "cgroup/exit", (unsigned)i);
	}
	cr_assert(w.lead[FMT_STREAM_CGROUP][0].used && w.lead[FMT_STREAM_EXIT][1].used);
	row_out_free(&w);
	row_out_free(&wp);
	obuf_free(&o);
	obuf_free(&plain);
}

/* Keys are copied 32 bytes at a time from 40-byte slots: every column's
 * ,"name": must fit in 31 (row_out.h). */
Test(row_memo, every_key_fits_its_slot)
{
	for (int s = 1; s <= FMT_STREAM_MAX; s++) {
		unsigned n;
		const struct fmt_column *c = fmt_row_columns((enum fmt_stream)s, &n);
		for (unsigned i = 0; c && i < n; i++)
			cr_assert_leq(strlen(c[i].name) + 4, 31, "%s", c[i].name);
	}
}
