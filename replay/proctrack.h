/* proctrack.h - which program ran in which process, and until when: the
 * one pairing of execs with exits that html's process list, perfetto's
 * slices and the plain export's process table share.
 *
 * A run is a process running one program. It begins with a successful exec
 * and ends with the next exec of that process (the program is replaced) or
 * with its exit. A failed exec is a run of its own that ends where it
 * begins; the process goes on with the program it had. An exit with no run
 * open is a process whose exec was not seen: it started before the
 * recording (its start_ns is before the session's start) or it was forked
 * during the recording and never exec'd (a subshell, the child of a failed
 * exec); its comm is then the one a failed exec of it showed, or its
 * parent's, when known. Runs still open at the end end as running. */
#ifndef PROCTRACK_H
#define PROCTRACK_H

#include <stdint.h>

#include "fmt.h"

enum proc_begin {
	PROC_EXEC, /* a (successful or failed) exec */
	PROC_FORKED, /* started during the recording, no exec seen */
	PROC_BEFORE, /* started before the recording (or its start is unknown) */
};

enum proc_end {
	PROC_RUNNING, /* still running when the recording ends */
	PROC_EXITED,
	PROC_REPLACED, /* the process exec'd another program */
	PROC_FAILED, /* the exec failed: a run of no length */
};

struct proc_run {
	unsigned source; /* the file, as in fmt_event */
	uint32_t pid, ppid;
	enum proc_begin begin;
	uint64_t begin_ns; /* the exec, or the process's start (the file's boot clock) */
	const struct fmt_exec *exec; /* PROC_EXEC, at begin only: the exec record */
	const char *comm; /* the program's comm, or NULL if not known */
	enum proc_end end;
	uint64_t end_ns; /* at end: when it ended (0 when running) */
	const struct fmt_exit *exit; /* PROC_EXITED, at end only */
	uint64_t user; /* set by begin, handed back at end */
};

/* What a consumer does when a run begins and ends. @return 0, or non-zero
 * to stop (proctrack_add returns it). */
struct proc_ops {
	int (*begin)(void *ctx, struct proc_run *run);
	int (*end)(void *ctx, const struct proc_run *run);
};

struct proctrack;

/* The events will come from readers[nsources] (their recordings' starts
 * tell forked from older processes). @return NULL on out of memory. */
struct proctrack *proctrack_new(const struct proc_ops *ops, void *ctx,
				struct fmt_reader *const *readers, unsigned nsources);
/* Feed the events in time order (flows are ignored). @return 0, what a
 * callback returned, or -1 on out of memory. */
int proctrack_add(struct proctrack *t, const struct fmt_event *ev);
/* End the runs still open (PROC_RUNNING), in the order they began. */
int proctrack_finish(struct proctrack *t);
void proctrack_free(struct proctrack *t);

#endif
