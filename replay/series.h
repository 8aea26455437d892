/* series.h - counts per time bucket (execs, exits, packets, bytes): the
 * one way timeline, html and perfetto turn records into rates, so one
 * session shows the same packets/s in each.
 *
 * An exec or exit counts in the bucket that holds its time. A flow row
 * counts the packets of the interval [ts - interval_ns, ts) that ends at its
 * timestamp: they are spread over the buckets that interval overlaps, in
 * proportion to the overlap, with whole numbers that add up to the row
 * (cumulative rounding). Rows are spread once per distinct (ts, interval)
 * at series_finish, so the numbers do not depend on the order rows came
 * in. Times before the origin count in bucket 0; with clamp, times past
 * the last bucket count in the last one, else they make the series
 * too_many. An interval longer than SERIES_MAX_SPREAD buckets is spread
 * over the last that many (the rest counts in the first of them). */
#ifndef SERIES_H
#define SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define SERIES_MAX_SPREAD 65536

struct series_bucket {
	uint64_t execs, exits, packets, bytes;
};

struct series_row; /* a pending (ts, interval) with its sums */

struct series {
	int64_t origin; /* wall ns where bucket 0 starts */
	int64_t width; /* bucket width, ns */
	size_t max; /* buckets it may hold */
	bool clamp;
	struct series_bucket *b; /* n buckets: up to the last one counted in */
	size_t n, cap;
	struct series_row *rows; /* flow rows not yet spread, by (ts, interval) */
	size_t nrows, rows_cap;
	uint64_t packets, bytes; /* totals of the flow rows added */
	bool oom, too_many;
};

void series_init(struct series *s, int64_t origin, int64_t width, size_t max, bool clamp);
/* Count an exec or exit at wall time wall. */
void series_add_event(struct series *s, enum fmt_stream stream, int64_t wall);
/* The same n times. */
void series_add_events(struct series *s, enum fmt_stream stream, int64_t wall, uint64_t n);
/* The bucket of wall time wall in a series of this origin and width (0
 * below the origin; past the last one it may hold): two times count in
 * the same bucket if and only if this is the same for both. */
uint64_t series_index(int64_t origin, int64_t width, int64_t wall);
/* Count a flow row whose interval ends at wall time wall. */
void series_add_flow(struct series *s, int64_t wall, uint64_t interval_ns, uint64_t packets,
		     uint64_t bytes);
/* Spread the flow rows added so far; call before reading the buckets. */
void series_finish(struct series *s);
/* @return bucket i (zero if nothing counted in it) */
struct series_bucket series_at(const struct series *s, size_t i);
void series_free(struct series *s);

#endif
