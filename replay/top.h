/* top.h - the top-N tables (commands, paths, flows, ...) that summary and
 * top both print. */
#ifndef TOP_H
#define TOP_H

#include <stddef.h>

#include "agg.h"
#include "cmdlines.h"
#include "json.h"
#include "report.h"

enum top_by {
	BY_COMM, BY_PATH, BY_CMDLINE, BY_UID, BY_PARENT, /* exec */
	BY_FLOW, BY_SRC, BY_DST, BY_PORT, BY_PROTO, BY_IFACE, /* flow */
	BY_PROCESS, BY_UNIT, BY_CONTAINER, BY_POD, /* flow, by owner */
};

struct top {
	enum top_by by;
	int metric; /* 0 count, 1 packets, 2 bytes */
	struct agg agg;
	uint64_t total; /* of the metric, over everything aggregated */
	int regrouped; /* by unit/container/pod: keys are now the names */
	void *scratch, *scratch2; /* per-chunk counts by dictionary id */
	size_t scratch_cap, scratch2_cap;
	/* command lines go here instead of agg when set: one count the
	 * threads share, each through a writer of its own (cmdlines.h);
	 * top_lines_done brings its top into agg */
	struct cmdlines *lines;
	struct cmdlines_writer *lines_w;
};

/* Parse --by; @return 0 or -1 */
int top_parse_by(const char *s, enum top_by *by);
int top_is_flow(enum top_by by);
void top_init(struct top *t, enum top_by by, int metric);
/* Add a record if it belongs to this table's stream. @return -1 on oom. */
int top_add(struct top *t, const struct fmt_event *ev);
/* Add the records at positions pos[n] of a chunk (what scan() hands over)
 * if they belong to this table's stream: counted per dictionary id, then
 * one lookup per distinct key. @return -1 on oom. */
int top_add_batch(struct top *t, unsigned source, const struct fmt_batch *b, const uint32_t *pos,
		  uint32_t n);
/* The columns top_add_batch reads for a table by `by` (FMT_COL_*). */
uint64_t top_cols(enum top_by by);
/* Add what src counted (the same table, filled on another thread) into
 * dst; src may be left empty. @return -1 on oom. */
int top_merge(struct top *dst, struct top *src);
/* Print as a table / into JSON (as a key "name") / as CSV. */
void top_print(struct top *t, struct report *r, const char *title);
void top_json(struct top *t, struct report *r, struct json *j, const char *name);
/* Call cb for each of the first --top rows, with its label and share. */
typedef void (*top_row_cb)(void *ctx, const char *label, const struct agg_entry *e, double share);
int top_each(struct top *t, struct report *r, top_row_cb cb, void *ctx);
void top_free(struct top *t);
/* Count command lines into a count the threads share (each thread's top
 * gets the same t->lines), then put the --top first of it into t->agg,
 * adding it up on `threads` threads. @return 0 or -1 on oom. */
int top_lines_start(struct top *t);
int top_lines_done(struct top *t, size_t limit, unsigned threads);

#endif
