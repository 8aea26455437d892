/* sink.c - the recorder's bounded queue in front of a writer thread (see
 * sink.h). The event loop only copies records into queue items; the writer
 * thread hands them to the output (a file, a rotated series or the flight
 * recorder's memory), where the format library's appenders build, seal
 * and store the chunks. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sink.h"

enum item_kind { ITEM_RECORD, ITEM_FLOWS, ITEM_META, ITEM_COMMIT, ITEM_CALL };

struct item {
	enum item_kind kind;
	uint64_t bytes; /* memory this item holds, counted against the queue */
	struct item *next;
	struct fmt_event ev; /* ITEM_RECORD; an exec's strings follow the item */
	struct fmt_flow *rows; /* ITEM_FLOWS */
	size_t nrows;
	char *key, *value; /* ITEM_META */
	sink_call_fn call; /* ITEM_CALL, with its argument in value */
};

struct sink {
	struct output *out;
	struct sink_stats st;
	sink_tap_fn tap; /* sees every record the event loop hands in */
	void *tap_ctx;

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *head, *tail;
	uint64_t queued_bytes, max_queue_bytes, peak_bytes;
	int closing;
	atomic_int failed;
	char err[512];
	int err_fd;
};

static void item_free(struct item *it)
{
	if (!it)
		return;
	free(it->rows);
	free(it->key);
	free(it->value);
	free(it);
}

/* Queue it if bound is 0 or the queue has room for it under bound.
 * @return 0, or -1 (nothing queued) */
static int enqueue(struct sink *s, struct item *it, uint64_t bound)
{
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (bound && s->queued_bytes + it->bytes > bound) {
		rc = -1;
	} else {
		s->queued_bytes += it->bytes;
		if (s->queued_bytes > s->peak_bytes)
			s->peak_bytes = s->queued_bytes;
		if (s->tail)
			s->tail->next = it;
		else
			s->head = it;
		s->tail = it;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
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

static int write_item(struct sink *s, struct item *it)
{
	switch (it->kind) {
	case ITEM_RECORD:
		return output_append(s->out, &it->ev);
	case ITEM_FLOWS:
		return output_append_flows(s->out, it->rows, it->nrows);
	case ITEM_META:
		return output_set_meta(s->out, it->key, it->value);
	case ITEM_CALL:
		return it->call(it->value);
	case ITEM_COMMIT:
		break;
	}
	return output_flush(s->out);
}

static void *writer_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		struct item *it;

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

		if (!atomic_load(&s->failed) && write_item(s, it))
			fail(s, s->out->err);
		pthread_mutex_lock(&s->mu);
		s->queued_bytes -= it->bytes;
		pthread_mutex_unlock(&s->mu);
		item_free(it);
	}
}

struct sink *sink_new(struct output *out, uint64_t max_queue_bytes)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	s->max_queue_bytes = max_queue_bytes;
	s->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (s->err_fd < 0 || pthread_create(&s->thread, NULL, writer_main, s)) {
		if (s->err_fd >= 0)
			close(s->err_fd);
		free(s);
		return NULL;
	}
	return s;
}

/* An exec with copies of its strings, in one allocation: the argv array
 * right after the item, the string bytes after it. */
/* A queue item holding a deep copy of ev (strings right after the item). */
static struct item *copy_event(const struct fmt_event *ev)
{
	size_t size = sizeof(struct item) + fmt_event_extra(ev);
	struct item *it = calloc(1, size);

	if (!it)
		return NULL;
	it->bytes = size;
	fmt_event_copy(&it->ev, ev, it + 1);
	return it;
}

/* Queue a record item, or count it as lost (the writer is too far behind,
 * or there is no memory). */
static int put_record(struct sink *s, struct item *it, enum fmt_stream stream)
{
	if (it && s->tap)
		s->tap(s->tap_ctx, &it->ev);
	if (!it || enqueue(s, it, s->max_queue_bytes)) {
		free(it);
		s->st.lost_queue++;
		return FMT_EFULL;
	}
	s->st.records[stream]++;
	return 0;
}

int sink_event(struct sink *s, const struct fmt_event *ev)
{
	return put_record(s, copy_event(ev), ev->stream);
}

int sink_exec(struct sink *s, const struct fmt_exec *e)
{
	return sink_event(s, &(struct fmt_event){ .stream = FMT_STREAM_EXEC, .exec = *e });
}

int sink_exit(struct sink *s, const struct fmt_exit *e)
{
	return sink_event(s, &(struct fmt_event){ .stream = FMT_STREAM_EXIT, .exit = *e });
}

void sink_flow_batch(struct sink *s, struct fmt_flow *rows, size_t n)
{
	struct item *it;

	if (!n) {
		free(rows);
		return;
	}
	it = calloc(1, sizeof(*it));
	if (it) {
		it->kind = ITEM_FLOWS;
		it->rows = rows;
		it->nrows = n;
		it->bytes = sizeof(*it) + n * sizeof(*rows);
	}
	if (!it || enqueue(s, it, s->max_queue_bytes)) {
		s->st.lost_queue += n; /* the writer is far behind (or no memory): counted */
		item_free(it); /* frees rows */
		if (!it)
			free(rows);
		return;
	}
	s->st.records[FMT_STREAM_FLOW] += n;
}

void sink_meta(struct sink *s, const char *key, const char *value)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it)
		return;
	it->kind = ITEM_META;
	it->key = strdup(key);
	it->value = strdup(value ? value : "");
	it->bytes = sizeof(*it);
	if (!it->key || !it->value)
		item_free(it);
	else
		enqueue(s, it, 0); /* tiny; never dropped */
}

void sink_meta_u64(struct sink *s, const char *key, uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	sink_meta(s, key, buf);
}

void sink_flush(struct sink *s)
{
	struct item *it = calloc(1, sizeof(*it));

	if (it) {
		it->kind = ITEM_COMMIT;
		it->bytes = sizeof(*it);
		enqueue(s, it, 0);
	}
}

void sink_set_tap(struct sink *s, sink_tap_fn tap, void *ctx)
{
	s->tap = tap;
	s->tap_ctx = ctx;
}

void sink_call(struct sink *s, sink_call_fn fn, void *arg)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it) {
		free(arg);
		fail(s, "out of memory");
		return;
	}
	it->kind = ITEM_CALL;
	it->call = fn;
	it->value = arg; /* freed with the item */
	it->bytes = sizeof(*it);
	enqueue(s, it, 0); /* in order with the records; never dropped */
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
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);

	if (atomic_load(&s->failed)) {
		*errmsg = strdup(s->err);
		output_abandon(s->out);
		rc = -1;
	} else {
		rc = output_close(s->out, errmsg);
	}
	close(s->err_fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return rc;
}
