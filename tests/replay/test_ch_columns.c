/* test_ch_columns.c - push's column-at-a-time encoder (ch_columns.c) writes,
 * for every exec and flow chunk of sessions with hard strings, owners,
 * optional columns present and absent, long strings and a negative clock
 * offset, the very bytes of the row-by-row encoder (ch_block_add), over
 * the whole chunk and over pieces of it; what push sends is then the same
 * either way, and the push tests check what ClickHouse makes of it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_native.h"
#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"

static void assert_same_bufs(const struct ch_block *a, const struct ch_block *b, const char *what)
{
	cr_assert_eq(a->rows, b->rows, "%s: rows", what);
	for (int i = 0; i < FMT_ROW_MAX_COLUMNS + 2; i++) {
		cr_assert_eq(a->data[i].len, b->data[i].len, "%s: column %d: %zu bytes, %zu", what,
			     i, a->data[i].len, b->data[i].len);
		cr_assert(!a->data[i].len || !memcmp(a->data[i].buf, b->data[i].buf, a->data[i].len),
			  "%s: column %d differs", what, i);
		cr_assert_eq(a->aux[i].len, b->aux[i].len, "%s: aux %d", what, i);
		cr_assert(!a->aux[i].len || !memcmp(a->aux[i].buf, b->aux[i].buf, a->aux[i].len),
			  "%s: aux %d differs", what, i);
	}
}

/* Interface names as push's cache gives them: index 2 named, others not */
static const char *iface(void *ctx, uint32_t ifindex)
{
	(void)ctx;
	return ifindex == 2 ? "eth0" : NULL;
}

/* Every exec and flow chunk of path, both ways; @return chunks compared */
static unsigned compare_file(const char *path)
{
	struct fmt_reader *r;
	struct fmt_chunk_info *ci;
	struct fmt_batch *bt = NULL;
	struct ch_block rows = { 0 }, cols = { 0 };
	unsigned compared = 0;
	int n;

	cr_assert_eq(fmt_reader_open(path, &r, NULL), 0, "%s", path);
	n = fmt_reader_chunks(r, &ci);
	cr_assert_geq(n, 0);
	for (int c = 0; c < n; c++) {
		int64_t off = fmt_reader_clock_offset(r);
		uint32_t count;
		char what[256];
		if (ci[c].stream != FMT_STREAM_EXEC && ci[c].stream != FMT_STREAM_FLOW)
			continue;
		cr_assert_eq(fmt_reader_load_chunk(r, ci[c].id, &bt), 0);
		count = fmt_batch_count(bt);
		ch_block_reset(&rows, (enum fmt_stream)ci[c].stream, "0123456789abcdef0123456789abcdef",
			       "h");
		for (uint32_t j = 0; j < count; j++) {
			struct fmt_event ev;
			struct fmt_row row;
			fmt_batch_get_at(bt, j, &ev);
			fmt_row_fill(&ev, off,
				     ev.stream == FMT_STREAM_FLOW ? iface(NULL, ev.flow.key.ifindex) :
								    NULL,
				     &row);
			ch_block_add(&rows, &row);
		}
		/* whole, then in three pieces (the memo carried between them) */
		for (int pieces = 1; pieces <= 3; pieces += 2) {
			uint32_t at = 0;
			ch_block_reset(&cols, (enum fmt_stream)ci[c].stream,
				       "0123456789abcdef0123456789abcdef", "h");
			for (int k = 1; k <= pieces; k++) {
				uint32_t end = k == pieces ? count : count / 3 * (uint32_t)k + 1;
				cr_assert_eq(ch_block_add_batch(&cols, bt, at, end - at, off, iface, NULL), 0,
					     "%s chunk %d: not encoded a column at a time", path, c);
				at = end;
			}
			snprintf(what, sizeof(what), "%s chunk %d (%s) in %d", path, c,
				 fmt_stream_name((enum fmt_stream)ci[c].stream), pieces);
			cr_assert_eq(ch_block_emit(&rows), 0);
			cr_assert_eq(ch_block_emit(&cols), 0);
			assert_same_bufs(&rows, &cols, what);
		}
		compared++;
	}
	fmt_batch_free(bt);
	ch_block_free(&rows);
	ch_block_free(&cols);
	free(ci);
	fmt_reader_close(r);
	return compared;
}

Test(ch_columns, column_encoder_writes_the_row_encoders_bytes, .fini = fini, .timeout = 120)
{
	cr_assert_geq(compare_file(fixture_varied()), 2);
	cr_assert_geq(compare_file(hard_session()), 2);
	cr_assert_geq(compare_file(fixture_owned()), 2);
	cr_assert_geq(compare_file(fixture_busy()), 2);
	cr_assert_geq(compare_file(fixture_alpha()), 2);
}

/* A batch of another stream, or rows past the batch's end, are refused
 * (the caller then adds them one by one). */
Test(ch_columns, other_streams_and_bad_ranges_are_left_to_the_row_path, .fini = fini)
{
	struct fmt_reader *r;
	struct fmt_chunk_info *ci;
	struct fmt_batch *bt = NULL;
	struct ch_block blk = { 0 };
	int n, exits = 0;

	cr_assert_eq(fmt_reader_open(fixture_owned(), &r, NULL), 0);
	n = fmt_reader_chunks(r, &ci);
	for (int c = 0; c < n; c++) {
		uint32_t count;
		cr_assert_eq(fmt_reader_load_chunk(r, ci[c].id, &bt), 0);
		count = fmt_batch_count(bt);
		ch_block_reset(&blk, (enum fmt_stream)ci[c].stream, "0123456789abcdef0123456789abcdef",
			       "h");
		if (ci[c].stream == FMT_STREAM_EXIT || ci[c].stream == FMT_STREAM_PROC) {
			cr_assert_eq(ch_block_add_batch(&blk, bt, 0, count, 0, iface, NULL), 1);
			exits++;
		} else if (ci[c].stream == FMT_STREAM_EXEC) {
			cr_assert_eq(ch_block_add_batch(&blk, bt, count, 1, 0, iface, NULL), 1);
			cr_assert_eq(ch_block_add_batch(&blk, bt, 1, count, 0, iface, NULL), 1);
			ch_block_reset(&blk, FMT_STREAM_FLOW, "0123456789abcdef0123456789abcdef", "h");
			cr_assert_eq(ch_block_add_batch(&blk, bt, 0, count, 0, iface, NULL), 1,
				     "a block of another stream");
		}
		cr_assert_eq(blk.rows, 0);
	}
	cr_assert_gt(exits, 0);
	fmt_batch_free(bt);
	ch_block_free(&blk);
	free(ci);
	fmt_reader_close(r);
}
