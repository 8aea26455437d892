/* scan.h - reading sessions for aggregations that need no time order
 * (summary, top, timeline): every chunk in the time window is decoded once,
 * in storage order, with no merge across chunks or files. The records a
 * consumer is given pass the same filters as report_each's (filter_match);
 * it gets them a chunk at a time, as storage positions into the batch, so
 * it can aggregate by column: counts per dictionary id, then one lookup per
 * distinct command or flow instead of one per record. */
#ifndef SCAN_H
#define SCAN_H

#include <stdint.h>

#include "report.h"

/* Called for each chunk with the positions (storage order) of its records
 * that are in the window and pass the filters; n may be 0.
 * @return 0, or non-zero to stop (scan then returns -1). */
typedef int (*scan_fn)(void *ctx, const struct report *r, unsigned source,
		       const struct fmt_batch *b, const uint32_t *pos, uint32_t n);

/* @return 0, 1 if a chunk was skipped (reported; r->errors counted), or -1
 * if fn stopped the scan or memory ran out (not reported). */
int scan(struct report *r, scan_fn fn, void *ctx);

#endif
