/* status.h - the status line on a terminal and the start/stop lines. */
#ifndef REC_STATUS_H
#define REC_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "exec_source.h"
#include "flow_source.h"
#include "options.h"
#include "sink.h"

struct output;

struct status {
	struct output *out; /* where records go: its current file, or the ring */
	char path[4096]; /* the file at the end (status_output) */
	uint64_t files; /* files rotated or dumped */
	bool ring; /* the flight recorder: memory, not a file */
	bool on; /* stderr is a terminal (or --progress) */
	uint64_t start_ns, last_ns, last_execs;
	int drawn;
};

void status_init(struct status *s, struct output *out, int progress, uint64_t start_ns);
void status_start(struct status *s, const struct rec_options *o);
void status_update(struct status *s, struct exec_source *x, struct sink *sink);
void status_finish_line(struct status *s);
/* Note the output's last file before it is closed, for the summary. */
void status_output(struct status *s);
void status_summary(struct status *s, const struct exec_counts *c, const struct flow_counts *fc,
		    const struct sink_stats *st);

#endif
