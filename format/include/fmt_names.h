/* fmt_names.h - what a session says of each process it mentions, by
 * process identity (file, pid and start time): its command name over time
 * (from its execs and its process-table entry), its user and its last
 * command line. It names a flow's owner and an exit the same way in
 * `ebpfrec --print` and in `ebpfreport`. */
#ifndef FMT_NAMES_H
#define FMT_NAMES_H

#include <stdint.h>

#include "fmt_records.h"

struct fmt_names;

/* What is known of one process. */
struct fmt_name {
	const char *comm; /* at the time asked for */
	const char *cmdline; /* the last exec's (or the table's) argv, joined, cut at 255 bytes */
	uint32_t uid;
};

/* @return an empty table, or NULL when out of memory */
struct fmt_names *fmt_names_new(void);
void fmt_names_free(struct fmt_names *n);
/* Learn from a record (of ev->source): a successful exec names its process
 * from its time on, a process-table entry names it from its start; other
 * records are ignored. Records of a process must come in time order.
 * @return 0, or -1 when out of memory (the name is then not learnt). */
int fmt_names_add(struct fmt_names *n, const struct fmt_event *ev);
/* What is known of process (pid, start_ns) of file source at time ts
 * (its name then: the latest exec before ts, or the first name known).
 * @return 0 and *out, or -1 if the process is unknown. */
int fmt_names_get(const struct fmt_names *n, unsigned source, uint32_t pid, uint64_t start_ns,
		  uint64_t ts, struct fmt_name *out);

#endif
