/* trigger.h - the flight recorder's triggers (--trigger-exit-nonzero,
 * --trigger-exec, --trigger-failed-exec): which record sets one off, and
 * what the dump then says about it.
 *
 * Exits carry no comm, so the comm of each process is learnt: from
 * /proc when recording starts (processes already running), then from
 * every exec; a process that forked without exec has its parent's. */
#ifndef REC_TRIGGER_H
#define REC_TRIGGER_H

#include <stdint.h>

#include "fmt.h"
#include "outopts.h"

/* What set a dump off (meta trigger, trigger_ns, trigger_pid, ...). */
struct trigger_hit {
	char what[16]; /* "signal", "exit-nonzero", "exec", "failed-exec" */
	uint64_t ts; /* boot clock */
	uint32_t pid;
	char comm[16];
	char pattern[128]; /* the GLOB that matched; "" for a signal, failed-exec */
	char detail[64]; /* "exit code 3", "signal 11 (SIGSEGV)", "errno 2 (ENOENT)" */
};

struct trigger;

/* @return the triggers of o (none configured: one that never fires), or
 * NULL when out of memory */
struct trigger *trigger_new(const struct out_options *o);
/* Look at one record (any stream; execs and exits matter). @return 1 with
 * *hit filled when it sets a trigger off, else 0. */
int trigger_check(struct trigger *t, const struct fmt_event *ev, struct trigger_hit *hit);
void trigger_free(struct trigger *t);

/* A dump asked for by signal signo from process pid, at ts. */
void trigger_signal_hit(struct trigger_hit *hit, int signo, uint32_t pid, uint64_t ts);

#endif
