/* ring.h - the flight recorder (--ring): an output that keeps the last
 * DURATION of every stream in memory, compressed (fmt_spool.h), within
 * --ring-size, and writes a window of it to a new session file when asked.
 *
 * Records go into segments of about DURATION/16; a segment is freed once
 * its newest record is older than DURATION (unless a dump being waited for
 * needs it), or, oldest first, when the memory bound is reached: those
 * records are counted and each dump whose window they were in says how
 * many (meta lost_ring). A dump writes on the writer thread: the event
 * loop never waits for it; what arrives meanwhile waits in the sink's
 * queue. Each dump is a complete session: the session's meta, loss
 * counters for its window, and its trigger. */
#ifndef REC_RING_H
#define REC_RING_H

#include <stdint.h>

#include "output.h"
#include "trigger.h"

struct rec_options;

/* @return the output (no file yet), or NULL with *errmsg (malloc'd) */
struct output *ring_open(const struct rec_options *o, char **errmsg);

/* Queued by the event loop (sink_call, malloc'd): keep what a dump will
 * need from `from` on, until that dump is written. */
struct ring_pin {
	struct output *out;
	uint64_t from;
};
int ring_pin_call(void *arg);

/* Queued by the event loop: write the records with from <= ts <= to (boot
 * clock) to the next file of the pattern. A dump that fails is said on
 * stderr and recording goes on. */
struct ring_dump {
	struct output *out;
	uint64_t from, to;
	struct trigger_hit hit;
	unsigned triggers; /* triggers the window holds, this one included */
	int unpin; /* the dump a ring_pin was for */
};
int ring_dump_call(void *arg);

#endif
