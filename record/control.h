/* control.h - the event loop's side of rotation and of the flight
 * recorder: it decides when a file ends (a wall-clock boundary, a size)
 * and when a dump is cut (SIGUSR1, a trigger once --after has passed), and
 * queues that in order with the records (sink_call); the output does it
 * on the writer thread.
 *
 * Before each cut the event loop takes in what happened up to that moment
 * (control_due, then its own drain of the flow tables and the ring buffer,
 * then control_cut), so a flow interval ends where a file ends and the
 * loss counters written just before are the old file's. */
#ifndef REC_CONTROL_H
#define REC_CONTROL_H

#include <stdint.h>

struct rec_options;
struct sink;
struct output;
struct control;

/* NULL with a message in err when out of memory or the clock cannot be
 * watched. Installs the sink's tap when there are triggers. */
struct control *control_new(const struct rec_options *o, struct sink *s, struct output *out,
			    char *err, size_t errlen);
/* Recording has begun (the probes are live): the first file ends at the
 * next boundary from now. */
void control_start(struct control *c);
/* A timerfd that fires at the next rotation boundary, or -1. */
int control_fd(const struct control *c);
/* Call when control_fd is readable. */
void control_fd_ready(struct control *c);
/* SIGUSR1 from pid at now: the flight recorder dumps at once. @return 0,
 * or -1 when there is no flight recorder (the signal is ignored). */
int control_signal(struct control *c, int signo, uint32_t pid, uint64_t now);
/* @return 1 when a file must end or a dump be cut now. */
int control_due(struct control *c, uint64_t now);
/* Queue what control_due found due; the caller drained first. */
void control_cut(struct control *c, uint64_t now);
/* Recording stops: a dump waiting for --after is due now. @return 1 if
 * something is due (the caller drains, then calls control_cut). */
int control_stop(struct control *c);
void control_free(struct control *c);

#endif
