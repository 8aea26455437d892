/* who.h - what a report knows of the processes and cgroups its files
 * mention, for naming flow owners and exits and for grouping by process,
 * unit or container: built once, on first use, from every exec,
 * process-table and cgroup record of every file (whatever the filters). */
#ifndef REPLAY_WHO_H
#define REPLAY_WHO_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt_names.h"
#include "report.h"

/* @return the processes' names (NULL when out of memory: nothing is named) */
const struct fmt_names *who_names(struct report *r);
/* @return the path of cgroup id in file source, or NULL if the file does
 * not name it */
const char *who_cgroup(struct report *r, unsigned source, uint64_t id);
/* @return true if file source's flows carry owners (meta owners) */
bool who_owners_recorded(const struct report *r, unsigned source);
/* Free what was built (report_close calls it). */
void who_free(struct report *r);

#endif
