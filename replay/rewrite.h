/* rewrite.h - writing a new session file from records read out of others:
 * what slice, merge and redact share (output checks, meta copies, record
 * appends, and removing a half-written output on failure). */
#ifndef REWRITE_H
#define REWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

struct rewrite {
	struct fmt_writer *w;
	const char *path;
	uint64_t records;
	int failed;
	bool said; /* the failure was reported where it happened */
};

/* Create r->output (refusing a missing -o, an output that is one of the
 * inputs, or an existing file without --force). @return 0 or an exit
 * status, the error printed. */
int rewrite_begin(struct report *r, struct rewrite *rw);
/* Set a meta key; a failure is remembered and reported by rewrite_end. */
void rewrite_meta(struct rewrite *rw, const char *key, const char *value);
void rewrite_meta_u64(struct rewrite *rw, const char *key, uint64_t value);
/* Copy every meta key of rd except the writer's own, under prefix. */
void rewrite_copy_meta(struct rewrite *rw, struct fmt_reader *rd, const char *prefix);
/* Memory ran out: said now, and the output given up at rewrite_end. */
void rewrite_oom(struct rewrite *rw);
/* Append one record, its timestamps moved by shift ns. */
int rewrite_add(struct rewrite *rw, const struct fmt_event *ev, int64_t shift);
/* Close the output; if status is non-zero or closing fails, the partial
 * output is removed. @return the exit status. */
int rewrite_end(struct rewrite *rw, int status);

#endif
