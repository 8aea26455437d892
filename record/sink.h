/* sink.h - where recorded events go: a bounded queue on the event loop's
 * side, a writer thread on the other that hands them to the output (a
 * session file, a rotated series, the flight recorder: output.h);
 * compression and SQLite happen there, never on the event loop.
 *
 * The event loop only copies each exec and exit record into the queue;
 * flow rows arrive once per interval as one batch. The writer thread
 * appends them to the file, where the format library's appenders build and
 * seal the chunks; a flush queues a commit, which also stores a snapshot of
 * each growing chunk. If the queue holds max_queue_bytes, records are
 * dropped and each one is counted in lost_queue.
 */
#ifndef REC_SINK_H
#define REC_SINK_H

#include <stdint.h>

#include "fmt.h"
#include "output.h"

struct sink;

struct sink_stats {
	uint64_t records[FMT_STREAM_MAX + 1]; /* accepted */
	uint64_t lost_queue; /* dropped: writer too slow and memory limit hit */
	uint64_t queued_bytes;
	uint64_t queue_peak_bytes; /* the most ever waiting */
};

/* Takes ownership of out (closed by sink_close). max_queue_bytes bounds the
 * memory of records waiting for the writer thread. @return NULL on error. */
struct sink *sink_new(struct output *out, uint64_t max_queue_bytes);

/* tap(ctx, ev) sees every exec and exit handed in, on the event loop's
 * thread, before it is queued (the flight recorder's triggers). */
typedef void (*sink_tap_fn)(void *ctx, const struct fmt_event *ev);
void sink_set_tap(struct sink *s, sink_tap_fn tap, void *ctx);

/* Run fn(arg) on the writer thread after everything queued before it (a
 * rotation, a dump). arg is malloc'd; the sink frees it afterwards. A
 * failure (fn returns <0, the message in the output's err) fails the
 * sink. */
typedef int (*sink_call_fn)(void *arg);
void sink_call(struct sink *s, sink_call_fn fn, void *arg);

/* Queue a deep copy of a record of any stream (flows: sink_flow_batch). */
int sink_event(struct sink *s, const struct fmt_event *ev);
int sink_exec(struct sink *s, const struct fmt_exec *e);
int sink_exit(struct sink *s, const struct fmt_exit *e);
/* Hand over one interval's flow rows (malloc'd; the sink frees them). They
 * are ordered, merged and encoded on the writer thread, so the event loop
 * only drains the tables. */
void sink_flow_batch(struct sink *s, struct fmt_flow *rows, size_t n);

/* Queue a meta update (copied). */
void sink_meta(struct sink *s, const char *key, const char *value);
void sink_meta_u64(struct sink *s, const char *key, uint64_t value);

/* Queue a commit: everything added so far (the growing chunks as a
 * snapshot) becomes durable once the writer thread gets there. */
void sink_flush(struct sink *s);

/* An fd that becomes readable when the writer thread failed (disk full,
 * I/O error); sink_error() then returns its message. */
int sink_error_fd(const struct sink *s);
const char *sink_error(const struct sink *s);

void sink_stats(const struct sink *s, struct sink_stats *st);

/* Wait for the writer thread to write everything queued, then close the
 * file cleanly (or, after a writer error, leave it as last committed).
 * Frees s. @return 0 or <0 with a message in *errmsg (malloc'd). */
int sink_close(struct sink *s, char **errmsg);

#endif
