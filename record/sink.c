/* sink.c - chunk building on the producer side, a writer thread behind a
 * bounded queue on the other (see sink.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "flow_order.h"
#include "sink.h"


#define PRODUCED FMT_STREAM_EXIT /* exec and exit; flows: sink_flow_batch */

enum item_kind { ITEM_CHUNK, ITEM_META, ITEM_COMMIT, ITEM_FLOWS };

struct item {
	enum item_kind kind;
	struct fmt_chunk *chunk;
	struct fmt_flow *rows; /* ITEM_FLOWS */
	size_t nrows;
	char *key, *value;
	uint64_t bytes; /* memory this item holds */
	struct item *next;
};

struct sink {
	struct fmt_writer *w;
	/* builders for the streams built on the producer side (exec, exit) */
	struct fmt_builder *b[PRODUCED + 1];
	int64_t open_id[PRODUCED + 1];
	struct sink_stats st;

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *head, *tail;
	uint64_t queued_bytes, max_queue_bytes, peak_bytes;
	uint32_t max_growing; /* records a chunk may hold while the queue is full */
	int closing;
	atomic_int failed;
	char err[512];
	int err_fd;
};

static void item_free(struct item *it)
{
	if (!it)
		return;
	fmt_chunk_free(it->chunk);
	free(it->rows);
	free(it->key);
	free(it->value);
	free(it);
}

static void enqueue(struct sink *s, struct item *it)
{
	pthread_mutex_lock(&s->mu);
	s->queued_bytes += it->bytes;
	if (s->queued_bytes > s->peak_bytes)
		s->peak_bytes = s->queued_bytes;
	if (s->tail)
		s->tail->next = it;
	else
		s->head = it;
	s->tail = it;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void fail(struct sink *s, const char *msg)
{
	uint64_t one = 1;

	if (atomic_exchange(&s->failed, 1))
		return;
	snprintf(s->err, sizeof(s->err), "%s", msg);
	if (write(s->err_fd, &one, sizeof(one)) < 0) {
		/* the flag is set; the loop also checks it on its timer */
	}
}

/* Writer thread: order, merge and encode one interval's flow rows, through
 * the writer's own flow builder (it seals full chunks and snapshots the
 * growing one at each flush). */
static int put_flows(struct sink *s, struct fmt_flow *rows, size_t n)
{
	int rc = 0;

	n = flow_rows_order(rows, n);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fmt_writer_append_flow(s->w, &rows[i]);
	return rc;
}

static void *writer_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		struct item *it;
		int rc = 0;

		pthread_mutex_lock(&s->mu);
		while (!s->head && !s->closing)
			pthread_cond_wait(&s->cv, &s->mu);
		it = s->head;
		if (!it) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		s->head = it->next;
		if (!s->head)
			s->tail = NULL;
		pthread_mutex_unlock(&s->mu);

		if (!atomic_load(&s->failed)) {
			if (it->kind == ITEM_CHUNK)
				rc = fmt_writer_put_chunk(s->w, it->chunk);
			else if (it->kind == ITEM_FLOWS)
				rc = put_flows(s, it->rows, it->nrows);
			else if (it->kind == ITEM_META)
				rc = fmt_writer_set_meta(s->w, it->key, it->value);
			else
				rc = fmt_writer_flush(s->w);
			if (rc)
				fail(s, fmt_writer_errmsg(s->w));
		}
		pthread_mutex_lock(&s->mu);
		s->queued_bytes -= it->bytes;
		pthread_mutex_unlock(&s->mu);
		item_free(it);
	}
}

struct sink *sink_new(struct fmt_writer *w, uint64_t max_queue_bytes)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->w = w;
	s->max_queue_bytes = max_queue_bytes;
	/* ~64 bytes a record in a builder: a quarter of the queue's memory */
	s->max_growing = max_queue_bytes / 256 > FMT_MAX_CHUNK_RECORDS ? FMT_MAX_CHUNK_RECORDS
									: (uint32_t)(max_queue_bytes / 256);
	s->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (int i = FMT_STREAM_EXEC; i <= PRODUCED; i++)
		s->b[i] = fmt_builder_new(i);
	if (s->err_fd < 0 || !s->b[FMT_STREAM_EXEC] || !s->b[FMT_STREAM_EXIT] ||
	    pthread_create(&s->thread, NULL, writer_main, s)) {
		for (int i = 0; i <= PRODUCED; i++)
			fmt_builder_free(s->b[i]);
		if (s->err_fd >= 0)
			close(s->err_fd);
		free(s);
		return NULL;
	}
	return s;
}

static int queue_has_room(struct sink *s, uint64_t bytes)
{
	int ok;

	pthread_mutex_lock(&s->mu);
	ok = s->queued_bytes + bytes <= s->max_queue_bytes;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* Seal stream i's builder into a queue item. final: the chunk is complete
 * and the builder starts a new one; otherwise it is a snapshot of the
 * growing chunk, replaced in the file by the next one. @return 0, or -1 if
 * the queue is full (then nothing changed: a final chunk keeps growing, a
 * skipped snapshot loses nothing). */
static int seal(struct sink *s, int i, int final, int force)
{
	struct item *it;
	uint64_t n = fmt_builder_count(s->b[i]);

	if (!n)
		return 0;
	if (!force && !queue_has_room(s, n * 16))
		return -1;
	it = calloc(1, sizeof(*it));
	if (!it)
		return -1;
	if (!s->open_id[i])
		s->open_id[i] = fmt_writer_next_chunk_id(s->w);
	it->kind = ITEM_CHUNK;
	it->chunk = fmt_builder_seal(s->b[i], s->open_id[i], final);
	if (!it->chunk) {
		free(it);
		return -1;
	}
	it->bytes = fmt_chunk_size(it->chunk);
	enqueue(s, it);
	if (final)
		s->open_id[i] = 0;
	return 0;
}

typedef int (*add_fn)(struct fmt_builder *, const void *);

static int add(struct sink *s, int i, add_fn fn, const void *rec)
{
	int rc;

	/* the writer is behind and this chunk has grown as far as allowed */
	if (fmt_builder_count(s->b[i]) >= s->max_growing && seal(s, i, 1, 0)) {
		s->st.lost_queue++;
		return FMT_EFULL;
	}
	rc = fn(s->b[i], rec);
	if (rc == FMT_ELIMIT) {
		/* the chunk reached the format's hard limit: it must go now */
		if (seal(s, i, 1, 0) == 0)
			rc = fn(s->b[i], rec);
	}
	if (rc) {
		s->st.lost_queue++;
		return rc;
	}
	s->st.records[i]++;
	if (fmt_builder_due(s->b[i], FMT_CHUNK_RECORDS, FMT_CHUNK_SPAN_NS))
		seal(s, i, 1, 0); /* if the queue is full, the chunk keeps growing */
	return 0;
}

int sink_exec(struct sink *s, const struct fmt_exec *e)
{
	return add(s, FMT_STREAM_EXEC, (add_fn)fmt_builder_add_exec, e);
}

int sink_exit(struct sink *s, const struct fmt_exit *e)
{
	return add(s, FMT_STREAM_EXIT, (add_fn)fmt_builder_add_exit, e);
}

void sink_flow_batch(struct sink *s, struct fmt_flow *rows, size_t n)
{
	struct item *it;

	if (!n) {
		free(rows);
		return;
	}
	it = calloc(1, sizeof(*it));
	if (!it || !queue_has_room(s, n * sizeof(*rows))) {
		s->st.lost_queue += n; /* the writer is far behind (or no memory): counted */
		free(rows);
		free(it);
		return;
	}
	it->kind = ITEM_FLOWS;
	it->rows = rows;
	it->nrows = n;
	it->bytes = n * sizeof(*rows);
	s->st.records[FMT_STREAM_FLOW] += n;
	enqueue(s, it);
}

void sink_meta(struct sink *s, const char *key, const char *value)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return;
	it->kind = ITEM_META;
	it->key = strdup(key);
	it->value = strdup(value ? value : "");
	it->bytes = 64;
	if (!it->key || !it->value)
		item_free(it);
	else
		enqueue(s, it); /* tiny; never dropped */
}

void sink_meta_u64(struct sink *s, const char *key, uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	sink_meta(s, key, buf);
}

void sink_flush(struct sink *s)
{
	struct item *it;

	for (int i = FMT_STREAM_EXEC; i <= PRODUCED; i++)
		seal(s, i, 0, 0); /* a skipped snapshot loses nothing */
	it = calloc(1, sizeof(*it));
	if (it) {
		it->kind = ITEM_COMMIT;
		enqueue(s, it);
	}
}

int sink_error_fd(const struct sink *s)
{
	return s->err_fd;
}

const char *sink_error(const struct sink *s)
{
	return atomic_load(&((struct sink *)s)->failed) ? s->err : NULL;
}

void sink_stats(const struct sink *s, struct sink_stats *st)
{
	*st = s->st;
	pthread_mutex_lock((pthread_mutex_t *)&s->mu);
	st->queued_bytes = s->queued_bytes;
	st->queue_peak_bytes = s->peak_bytes;
	pthread_mutex_unlock((pthread_mutex_t *)&s->mu);
}

int sink_close(struct sink *s, char **errmsg)
{
	int rc = 0;

	*errmsg = NULL;
	for (int i = FMT_STREAM_EXEC; i <= PRODUCED; i++)
		if (seal(s, i, 1, 1))
			s->st.lost_queue += fmt_builder_count(s->b[i]);
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);

	if (atomic_load(&s->failed)) {
		*errmsg = strdup(s->err);
		fmt_writer_abandon(s->w);
		rc = -1;
	} else {
		rc = fmt_writer_close(s->w, errmsg);
	}
	for (int i = 0; i <= PRODUCED; i++)
		fmt_builder_free(s->b[i]);
	close(s->err_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return rc;
}
