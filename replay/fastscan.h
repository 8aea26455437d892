/* fastscan.h - summary and top aggregation straight from chunk columns:
 * counts per dictionary id, then one hash lookup per distinct command or
 * flow in each chunk instead of one per record. Order does not matter for
 * these, so there is no time-ordered merge either. */
#ifndef FASTSCAN_H
#define FASTSCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "top.h"

struct scan_totals {
	uint64_t execs, failed, exits, flow_rows, packets, bytes;
};

/* True when only the time window and --type filter records. */
bool fastscan_usable(const struct report *r);
/* Aggregate everything in the window into t and the tables (either may be
 * NULL; exec tables must be by comm or path, flow tables by flow).
 * @return 0, or 1 if a chunk was skipped (reported), -1 on oom. */
int fastscan(struct report *r, struct scan_totals *t, struct top *execs, struct top *flows);

#endif
