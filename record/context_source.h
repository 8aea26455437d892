/* context_source.h - what names the processes and cgroups the other
 * records carry: the process table when recording begins (identities from
 * bpf/proc.bpf.c's task iterator, names from /proc) and the cgroups of the
 * v2 hierarchy, listed at start and followed as they are made and
 * removed. */
#ifndef REC_CONTEXT_SOURCE_H
#define REC_CONTEXT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

struct context_source;
struct sink;
struct printer;

struct context_counts {
	uint64_t processes; /* in the table at start */
	uint64_t cgroups; /* records: present at start, made, removed */
	uint64_t unnamed; /* exited while the table was read: no exe, cwd, argv */
	uint64_t lost_cgroups; /* their ring buffer was full */
	uint64_t walk_errors; /* the cgroup hierarchy could not be listed whole */
};

/* Load, write the cgroups and the process table to the sink (and to pr
 * for --print), and follow cgroups. @return NULL with a message in err. */
struct context_source *context_source_open(const struct rec_options *o, struct sink *sink,
					   struct printer *pr, char *err, size_t errlen);
/* The ring buffer's epoll fd, and draining it. @return 0 or <0. */
/* Write the process table and the cgroups again, as they are now: for a
 * file of a rotated series, or a flight-recorder dump, that does not hold
 * the first ones. @return 0, or -1 if the table could not be read. */
int context_source_snapshot(struct context_source *c);
int context_source_fd(const struct context_source *c);
int context_source_consume(struct context_source *c);
void context_source_counts(struct context_source *c, struct context_counts *out);
void context_source_close(struct context_source *c);

#endif
