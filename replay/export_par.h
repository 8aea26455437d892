/* export_par.h - row exports (jsonl, csv) rendered a chunk at a time on
 * every thread and written in time order, byte for byte what report_each
 * would have them write. It takes one session file whose chunks of each
 * stream follow one another in time, as a recorder writes them; a chunk's
 * rows are rendered in its time order, and chunks are committed in the
 * order of their first timestamps. Rows of one output that come from two
 * streams are merged by (time, stream), report_each's order. */
#ifndef EXPORT_PAR_H
#define EXPORT_PAR_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"
#include "obuf.h"
#include "report.h"

struct export_par_ops {
	/* A worker's state (its rendering caches), and its end. */
	void *(*state_new)(void *ctx);
	void (*state_free)(void *ctx, void *state);
	/* On a worker: render the record at storage position j of b (of file
	 * 0) into o. */
	void (*row)(void *ctx, void *state, const struct fmt_batch *b, uint32_t j, struct obuf *o);
	/* On the calling thread, in order: bytes of the output of stream s (0
	 * when the streams share one output). @return 0, or non-zero to stop
	 * (the error reported). */
	int (*out)(void *ctx, int s, const char *p, size_t n);
};

/* The rendered text the chunks waiting to be written may hold together
 * (512 MiB; tests lower it): a worker leaves a chunk to the calling
 * thread once its text passes its share. */
extern size_t export_par_text_max;

/* Export r's records through ops, each stream to its own output
 * (per_stream) or all to one. @return 0, 1 on errors (reported; skipped
 * chunks counted in r->errors as report_each does), or -1 (nothing
 * written) when r's file is not one this can read in order: the caller
 * then goes through report_each. */
int export_par(struct report *r, bool per_stream, const struct export_par_ops *ops, void *ctx);

#endif
