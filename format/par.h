/* par.h - what the parallel decoders (par.c's fmt_par_run, iter.c's
 * read-ahead) share: a way for one thread to load chunks (its own reader
 * of each file), the payload budget of a run, and the reader internals
 * they use. Private to the format library. */
#ifndef FMT_PAR_H
#define FMT_PAR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* reader.c: another reader of r's file for another thread; FMT_ENOENT if
 * the path no longer leads to the file r has open. */
int reader_reopen(const struct fmt_reader *r, struct fmt_reader **out);
/* reader.c: make msg the message fmt_reader_errmsg(r) returns. */
void reader_set_errmsg(struct fmt_reader *r, int rc, const char *msg);
/* reader.c: free r's decompression buffer if it holds more than keep. */
void reader_trim(struct fmt_reader *r, size_t keep);

/* FMT_PAR_BUDGET, which tests may lower (before any run) to see the
 * decoders wait for room. */
extern uint64_t par_budget_limit;

/* The payload bytes the chunks of one run may hold at once. Used under
 * the run's mutex. */
struct par_budget {
	pthread_cond_t *cv; /* signalled when bytes are given back */
	uint64_t used;
};
/* Take room for a chunk of raw_size bytes (clamped to the limit):
 * waits on cv (releasing mu) while others hold too much. @return what was
 * taken, to give back. */
uint64_t par_budget_take(struct par_budget *b, pthread_mutex_t *mu, uint64_t raw_size);
void par_budget_give(struct par_budget *b, uint64_t taken);

/* chunk_decode.c: the memory a batch holds. */
size_t batch_mem(const struct fmt_batch *b);
/* A batch holding more than this after a chunk is freed, not kept. */
#define PAR_BATCH_KEEP (4 * (size_t)FMT_PAR_KEEP)

/* One thread's way to load chunks: the callers' readers on the thread that
 * owns them, else a reader of its own, of one file at a time. */
struct par_loader {
	struct fmt_reader *const *readers;
	int originals; /* this thread may use readers[] */
	unsigned src; /* the file of clone */
	struct fmt_reader *clone;
	struct fmt_batch *batch; /* recycled from chunk to chunk */
};
void par_loader_init(struct par_loader *l, struct fmt_reader *const *readers, int originals);
/* Load chunk c (columns cols) into l->batch. @return 0, or <0 with the
 * reader's message in err. */
int par_load(struct par_loader *l, const struct fmt_par_chunk *c, uint64_t cols, char *err,
	     size_t errlen);
/* After chunk c: let go of the buffers a big chunk grew. */
void par_loader_rest(struct par_loader *l, const struct fmt_par_chunk *c);
void par_loader_free(struct par_loader *l);

/* ahead.c: decoders running ahead of a reader over chunks order[n]
 * (copied), on threads - 1 threads. *out stays NULL if no thread could
 * start (the reader then loads its chunks itself). @return 0 or
 * FMT_ENOMEM. */
struct ahead;
int ahead_start(struct fmt_reader *const *readers, const struct fmt_par_chunk *order, size_t n,
		uint64_t cols, unsigned threads, struct ahead **out);
/* The next chunk in order, which must be (src, id): into *b, whose memory
 * goes back to the decoders. @return 0 or its load's error, the message
 * set on readers[src]. */
int ahead_take(struct ahead *a, unsigned src, int64_t id, struct fmt_reader *const *readers,
	       struct fmt_batch **b);
/* Stop the decoders and free a (NULL: nothing). */
void ahead_stop(struct ahead *a);

/* iter.c: fmt_iter_open_threads decoding the columns in cols only. */
int iter_open(struct fmt_reader *const *readers, unsigned n, unsigned mask, const uint64_t *from,
	      const uint64_t *to, unsigned threads, uint64_t cols, struct fmt_iter **out);
/* iter.c: fmt_iter_next without filling an event: the record is at
 * storage position *j of *b (valid until the next call), of file *src. On
 * an error *b is NULL, *src names the file and *j is the stream. */
int iter_next_at(struct fmt_iter *it, const struct fmt_batch **b, uint32_t *j, unsigned *src);

/* Start fn(arg) on a thread with a small stack. @return 0 or -1. */
int par_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
