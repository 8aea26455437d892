/* exec_source.h - the exec/exit probe: loads bpf/exec.bpf.c, reads its ring
 * buffer and turns kernel records into format records for the sink. */
#ifndef REC_EXEC_SOURCE_H
#define REC_EXEC_SOURCE_H

#include <stdint.h>

#include "options.h"

struct exec_source;
struct sink;
struct printer;

struct exec_counts {
	uint64_t execs, exits; /* records delivered to the sink */
	uint64_t failed; /* execs with ret < 0 */
	uint64_t lost_ringbuf; /* failed reserves, summed over CPUs */
	uint64_t lost_ringbuf_exec, lost_ringbuf_exit; /* the same, per kind */
	uint64_t argv_truncated;
};

/* Load and attach. @return NULL with a message in err on failure. */
struct exec_source *exec_source_open(const struct rec_options *o, struct sink *sink,
				     struct printer *pr, char *err, size_t errlen);
/* fd to poll for data (epoll); consume() drains what is there. */
int exec_source_fd(const struct exec_source *x);
int exec_source_consume(struct exec_source *x);
void exec_source_counts(struct exec_source *x, struct exec_counts *c);
void exec_source_close(struct exec_source *x);

#endif
