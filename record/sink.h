/* sink.h - where recorded events go: chunk builders on the event loop's
 * thread, compression and SQLite on a writer thread behind a bounded queue.
 *
 * The event loop never blocks on I/O: it adds exec and exit records to
 * per-stream builders; full chunks and once-a-second snapshots of the
 * growing ones are handed to the writer thread. Flow rows arrive once per
 * interval in large batches and are encoded on the writer thread. If the
 * queue is full, chunks keep growing in memory, up to a quarter of the
 * queue's size more (or the format's limits); only beyond that are records
 * dropped, and each one is counted in lost_queue.
 */
#ifndef REC_SINK_H
#define REC_SINK_H

#include <stdint.h>

#include "fmt.h"

struct sink;

struct sink_stats {
	uint64_t records[FMT_STREAM_MAX + 1]; /* accepted */
	uint64_t lost_queue; /* dropped: writer too slow and memory limit hit */
	uint64_t queued_bytes;
	uint64_t queue_peak_bytes; /* the most ever waiting */
};

/* Takes ownership of w (closed by sink_close). max_queue_bytes bounds the
 * memory of chunks waiting for the writer thread. @return NULL on error. */
struct sink *sink_new(struct fmt_writer *w, uint64_t max_queue_bytes);

int sink_exec(struct sink *s, const struct fmt_exec *e);
int sink_exit(struct sink *s, const struct fmt_exit *e);
/* Hand over one interval's flow rows (malloc'd; the sink frees them). They
 * are ordered, merged and encoded on the writer thread, so the event loop
 * only drains the tables. */
void sink_flow_batch(struct sink *s, struct fmt_flow *rows, size_t n);

/* Queue a meta update (copied). */
void sink_meta(struct sink *s, const char *key, const char *value);
void sink_meta_u64(struct sink *s, const char *key, uint64_t value);

/* Snapshot the growing chunks and commit: everything added so far becomes
 * durable once the writer thread has processed it. */
void sink_flush(struct sink *s);

/* An fd that becomes readable when the writer thread failed (disk full,
 * I/O error); sink_error() then returns its message. */
int sink_error_fd(const struct sink *s);
const char *sink_error(const struct sink *s);

void sink_stats(const struct sink *s, struct sink_stats *st);

/* Seal everything, wait for the writer, close the file cleanly (or, after a
 * writer error, leave it as last committed). Frees s. @return 0 or <0 with
 * a message in *errmsg (malloc'd). */
int sink_close(struct sink *s, char **errmsg);

#endif
