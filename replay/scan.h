/* scan.h - reading sessions for aggregations that need no time order
 * (summary, top, timeline): every chunk in the time window is decoded once,
 * in storage order, with no merge across chunks or files, on as many
 * threads as --threads says. The records a consumer is given pass the same
 * filters as report_each's (filter_match); it gets them a chunk at a time,
 * as storage positions into the batch, so it can aggregate by column:
 * counts per dictionary id, then one lookup per distinct command or flow
 * instead of one per record.
 *
 * Each thread adds into a state of its own; the states are merged in a
 * fixed order at the end, so a consumer whose merge adds counts up gets
 * the same result whatever the thread count. What must happen in chunk
 * order instead goes through commit (a chunk's partial result, handed over
 * in chunk order on the calling thread). Skipped chunks are reported in
 * chunk order too. */
#ifndef SCAN_H
#define SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

struct scan_ops {
	/* The columns chunk reads (FMT_COL_*): only those are decoded, unless
	 * a filter needs whole records. FMT_COL_NO_TS if it reads no time
	 * (a time window still brings them, for the selection). */
	uint64_t cols;
	/* A thread's state (zeroed), its merge into ctx (in thread order, after
	 * the last chunk; optional) and its end. */
	void *(*state_new)(void *ctx);
	int (*merge)(void *ctx, void *state);
	void (*state_free)(void *ctx, void *state);
	/* On a worker thread: the positions (storage order) of the records of
	 * one chunk that are in the window and pass the filters; n may be 0.
	 * May leave a result for commit in *partial. @return 0, or non-zero
	 * to stop (scan then returns -1). */
	int (*chunk)(void *ctx, void *state, const struct report *r, unsigned source,
		     const struct fmt_batch *b, const uint32_t *pos, uint32_t n, void **partial);
	/* On the calling thread, in chunk order, with what chunk left (or
	 * NULL); also called to free partials after a stop (then its answer
	 * is ignored). Optional. @return 0 or non-zero to stop. */
	int (*commit)(void *ctx, void *partial);
};

/* @return 0, 1 if a chunk was skipped (reported; r->errors counted), or -1
 * if the consumer stopped the scan or memory ran out (not reported). */
int scan(struct report *r, const struct scan_ops *ops, void *ctx);

/* What report_each reads, for readers of chunks of their own (scan,
 * export_par): chunk ci if it is of a stream in mask, has records and
 * overlaps [from, to]; ... */
static inline bool scan_chunk_wanted(const struct fmt_chunk_info *ci, unsigned mask,
				     uint64_t from, uint64_t to)
{
	return ci->stream >= FMT_STREAM_EXEC && ci->stream <= FMT_STREAM_MAX &&
	       (mask & (1u << ci->stream)) && ci->t_last >= from && ci->t_first <= to &&
	       ci->records;
}

/* ... and in it the record at storage position j of b (of file source, at
 * time ts) if it is in [from, to] and, by_record, passes r's filters. */
static inline bool scan_record_wanted(const struct report *r, unsigned source,
				      const struct fmt_batch *b, uint32_t j, uint64_t ts,
				      uint64_t from, uint64_t to, bool by_record)
{
	struct fmt_event ev;

	if (ts < from || ts > to)
		return false;
	if (!by_record)
		return true;
	fmt_batch_get_at(b, j, &ev);
	ev.source = source;
	return filter_match(&r->f, r->readers[source], &ev);
}

#endif
