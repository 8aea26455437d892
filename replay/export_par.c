/* export_par.c - see export_par.h. The chunks are run through fmt_par_run
 * sorted by (first timestamp, stream, id): a worker renders a chunk's rows
 * in the chunk's time order, and the calling thread takes the chunks in
 * that order. A stream's chunks do not overlap (checked before anything
 * is written), so an output of one stream is its chunks' texts one after
 * the other. Where streams share an output, a chunk's rows wait in its
 * stream's queue until no chunk still to come can hold an earlier row:
 * once chunk (T, s) is taken, every waiting row before (T, s) is written,
 * the queues merged by (time, stream).
 *
 * What a worker holds is bounded: a chunk whose text would pass its
 * share of export_par_text_max (long command lines that many rows share
 * make a few MB of payload gigabytes of text) is left to the calling
 * thread, which loads it again and renders its rows one at a time as they
 * are written. Chunks wait in the queues only while another stream's rows
 * come first, a chunk or two of each. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "export_par.h"
#include "scan.h"

size_t export_par_text_max = 512u << 20;

/* One chunk's rows: rendered, or (lazy) to be rendered as written */
struct rendered {
	int stream;
	int oom;
	struct obuf text;
	size_t n, at; /* rows; merging: the first not yet written */
	size_t *end; /* merging: row k is text[end[k - 1], end[k]) */
	uint64_t *ts; /* merging: row k's time */
	size_t cap; /* of end and ts */
	/* lazy: the chunk, loaded again into batch on the calling thread; n
	 * its records, at the next one to write (in time order), at position
	 * j and time t */
	bool lazy;
	struct fmt_batch *batch;
	uint32_t j;
	uint64_t t;
	struct rendered *next; /* its stream's queue, or the pool */
};

/* A chunk to read, with what its index says */
struct item {
	struct fmt_par_chunk c;
	uint64_t t_first, t_last;
	int stream;
};

struct run {
	struct report *r;
	const struct export_par_ops *ops;
	void *ctx;
	struct item *items;
	size_t n;
	uint64_t from, to;
	bool by_record, per_stream, merge;
	size_t text_max; /* a chunk's share of export_par_text_max */
	void **states;
	struct rendered *head[FMT_STREAM_MAX + 1], *tail[FMT_STREAM_MAX + 1];
	struct obuf merged; /* merged rows, written in 1 MiB blocks */
	struct report_progress pg;
	int failed; /* a write failed or memory ran out: reported, stop */
	/* chunks written, their memory kept for the next: fresh pages for
	 * every chunk's text cost more in faults than rendering it */
	pthread_mutex_t mu;
	struct rendered *pool;
};

static void rendered_free(struct rendered *c)
{
	if (!c)
		return;
	fmt_batch_free(c->batch);
	obuf_free(&c->text);
	free(c->end);
	free(c->ts);
	free(c);
}

/* c and the chunks after it in its queue or the pool */
static void rendered_free_all(struct rendered *c)
{
	while (c) {
		struct rendered *next = c->next;
		rendered_free(c);
		c = next;
	}
}

/* A chunk's memory: one given back, or a new one (NULL on oom) */
static struct rendered *take(struct run *run)
{
	struct rendered *c;

	pthread_mutex_lock(&run->mu);
	if ((c = run->pool))
		run->pool = c->next;
	pthread_mutex_unlock(&run->mu);
	if (!c)
		return calloc(1, sizeof(*c));
	c->text.len = 0;
	c->n = c->at = 0;
	c->next = NULL;
	return c;
}

/* c written: its memory back to the pool (freed if it ran out) */
static void give(struct run *run, struct rendered *c)
{
	if (!c || c->oom || c->text.err || c->lazy) {
		rendered_free(c);
		return;
	}
	pthread_mutex_lock(&run->mu);
	c->next = run->pool;
	run->pool = c;
	pthread_mutex_unlock(&run->mu);
}

static int by_time(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->t_first != b->t_first)
		return a->t_first < b->t_first ? -1 : 1;
	if (a->stream != b->stream)
		return a->stream < b->stream ? -1 : 1;
	return (a->c.id > b->c.id) - (a->c.id < b->c.id);
}

/* The chunks report_each would read (those of --type with records in the
 * window), in order. @return 0, or -1 if a stream's chunks overlap in time
 * (a stream recorded out of order: report_each merges them) */
static int list_items(struct run *run)
{
	struct fmt_chunk_info *ci;
	unsigned mask = filter_streams(&run->r->f);
	uint64_t last[FMT_STREAM_MAX + 1] = { 0 };
	int64_t last_id[FMT_STREAM_MAX + 1];
	bool seen[FMT_STREAM_MAX + 1] = { 0 };
	int nc = fmt_reader_chunks(run->r->readers[0], &ci);
	int64_t off = fmt_reader_clock_offset(run->r->readers[0]);

	if (nc < 0)
		return -1;
	report_window(run->r, 0, &run->from, &run->to);
	if (!(run->items = calloc((size_t)nc + 1, sizeof(*run->items)))) {
		free(ci);
		return -1;
	}
	for (int i = 0; i < nc; i++) {
		if (!scan_chunk_wanted(&ci[i], mask, run->from, run->to))
			continue;
		/* report_each orders by signed wall-clock keys: times it would
		 * see otherwise (past INT64_MAX, a range upside down) are its */
		if (ci[i].t_first > ci[i].t_last || ci[i].t_last > INT64_MAX ||
		    __builtin_add_overflow((int64_t)ci[i].t_last, off, &(int64_t){ 0 }) ||
		    __builtin_add_overflow((int64_t)ci[i].t_first, off, &(int64_t){ 0 })) {
			free(ci);
			return -1;
		}
		run->items[run->n++] = (struct item){ { 0, ci[i].id, ci[i].raw_size },
						      ci[i].t_first, ci[i].t_last, ci[i].stream };
	}
	free(ci);
	qsort(run->items, run->n, sizeof(*run->items), by_time);
	for (size_t i = 0; i < run->n; i++) {
		const struct item *it = &run->items[i];
		int s = it->stream;
		/* a tie at the boundary is report_each's order if ids rise */
		if (seen[s] && !(last[s] < it->t_first ||
				 (last[s] == it->t_first && last_id[s] < it->c.id)))
			return -1;
		seen[s] = true;
		last[s] = it->t_last;
		last_id[s] = it->c.id;
	}
	return 0;
}

/* The first record of b from time-order index k on that report_each
 * gives (in the window, passing the filters): its index (the count if
 * none), storage position *j and time *t */
static uint32_t selected(const struct run *run, const struct fmt_batch *b, uint32_t k,
			 uint32_t *j, uint64_t *t)
{
	uint32_t n = fmt_batch_count(b);

	for (; k < n; k++) {
		*j = fmt_batch_pos(b, k);
		*t = fmt_batch_ts(b, k);
		if (scan_record_wanted(run->r, 0, b, *j, *t, run->from, run->to, run->by_record))
			break;
	}
	return k;
}

/* On a worker: chunk i's selected rows, in its time order */
static int each(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial)
{
	struct run *run = ctx;
	uint32_t n = fmt_batch_count(b), j;
	uint64_t t;
	struct rendered *c = take(run);

	(void)i;
	if (!c)
		return 1; /* committed as NULL: failed below */
	*partial = c;
	c->stream = fmt_batch_stream(b);
	if (run->merge && n > c->cap) {
		size_t *end = realloc(c->end, n * sizeof(*end));
		uint64_t *ts = end ? realloc(c->ts, n * sizeof(*ts)) : NULL;
		if (end)
			c->end = end;
		if (!ts) {
			c->oom = 1;
			return 1;
		}
		c->ts = ts;
		c->cap = n;
	}
	for (uint32_t k = selected(run, b, 0, &j, &t); k < n; k = selected(run, b, k + 1, &j, &t)) {
		if (c->text.len > run->text_max) { /* the calling thread's, at commit */
			c->lazy = true;
			return 0;
		}
		run->ops->row(run->ctx, run->states[worker], b, j, &c->text);
		if (run->merge) {
			c->end[c->n] = c->text.len;
			c->ts[c->n] = t;
		}
		c->n++;
	}
	c->oom = c->text.err;
	return c->oom;
}

/* The rows gathered in run->merged, to the output of stream s, once
 * there are at least `at` bytes */
static int write_merged(struct run *run, int s, size_t at)
{
	if (run->merged.err) {
		report_err("out of memory");
		return run->failed = 1;
	}
	if (run->merged.len < at || !run->merged.len)
		return 0;
	if (run->ops->out(run->ctx, s, run->merged.buf, run->merged.len))
		return run->failed = 1;
	run->merged.len = 0;
	return 0;
}

/* A lazy chunk: load it again (on the calling thread, whose readers are
 * idle while it commits) and find its first row. @return 0, or -1 if it
 * cannot be read now (said, and skipped as report_each would) */
static int load_lazy(struct run *run, struct rendered *c, int64_t id)
{
	obuf_free(&c->text); /* what the worker began: given up */
	c->n = c->at = 0;
	if (fmt_reader_load_chunk(run->r->readers[0], id, &c->batch)) {
		report_err("%s (skipped)", fmt_reader_errmsg(run->r->readers[0]));
		run->r->errors++;
		return -1;
	}
	c->n = fmt_batch_count(c->batch);
	c->at = selected(run, c->batch, 0, &c->j, &c->t);
	return 0;
}

/* (ts, s) before (ts2, s2) */
static bool before(uint64_t ts, int s, uint64_t ts2, int s2)
{
	return ts < ts2 || (ts == ts2 && s < s2);
}

/* Write a lazy chunk's rows before (lim_t, lim_s) into run->merged, flushed
 * to stream s's output as it fills */
static int lazy_rows(struct run *run, struct rendered *c, uint64_t lim_t, int lim_s, int s)
{
	while (c->at < c->n && before(c->t, c->stream, lim_t, lim_s)) {
		run->ops->row(run->ctx, run->states[0], c->batch, c->j, &run->merged);
		c->at = selected(run, c->batch, c->at + 1, &c->j, &c->t);
		if (write_merged(run, s, 1u << 20))
			return -1;
	}
	return 0;
}

/* The time of c's next row to write */
static uint64_t head_t(const struct rendered *c)
{
	return c->lazy ? c->t : c->ts[c->at];
}

/* Write the waiting rows before (t, s), in (time, stream) order: a run of
 * the first stream's rows at a time, up to the next other stream's row. */
static int merge_until(struct run *run, uint64_t t, int s)
{
	for (;;) {
		struct rendered *c = NULL;
		uint64_t lim_t = t;
		int lim_s = s;

		for (int q = 1; q <= FMT_STREAM_MAX; q++) {
			struct rendered *h = run->head[q];
			if (h && (!c || before(head_t(h), q, head_t(c), c->stream)))
				c = h;
		}
		for (int q = 1; q <= FMT_STREAM_MAX; q++) {
			struct rendered *h = run->head[q];
			if (h && h != c && before(head_t(h), q, lim_t, lim_s))
				lim_t = head_t(h), lim_s = q;
		}
		if (!c || !before(head_t(c), c->stream, lim_t, lim_s))
			return 0;
		if (c->lazy) {
			if (lazy_rows(run, c, lim_t, lim_s, 0))
				return -1;
		} else {
			size_t k = c->at, from = k ? c->end[k - 1] : 0;
			while (k < c->n && before(c->ts[k], c->stream, lim_t, lim_s))
				k++;
			obuf_put(&run->merged, c->text.buf + from, c->end[k - 1] - from);
			c->at = k;
		}
		if (c->at == c->n) {
			run->head[c->stream] = c->next;
			if (!c->next)
				run->tail[c->stream] = NULL;
			give(run, c);
		}
		if (write_merged(run, 0, 1u << 20))
			return -1;
	}
}

/* On the calling thread, in order: chunk i's rows written, or queued */
static int commit(void *ctx, size_t i, void *partial, int rc, const char *errmsg)
{
	struct run *run = ctx;
	struct rendered *c = partial;
	const struct item *it = &run->items[i];

	if (rc < 0 && !run->failed) { /* after a stop, nothing more is said */
		report_err("%s (skipped)", errmsg ? errmsg : "a chunk could not be read");
		run->r->errors++;
	}
	if (run->failed || (rc >= 0 && (!c || c->oom))) {
		if (!run->failed)
			report_err("out of memory");
		run->failed = 1;
		rendered_free(c);
		return 1;
	}
	report_progress_show(&run->pg, "", (double)i / (double)run->n);
	if (!c)
		return 0;
	if (c->lazy && load_lazy(run, c, it->c.id)) { /* no row of it written: skipped */
		rendered_free(c);
		return 0;
	}
	if (!run->merge) {
		int s = run->per_stream ? c->stream : 0;
		if (c->lazy)
			rc = lazy_rows(run, c, UINT64_MAX, FMT_STREAM_MAX + 1, s) ||
			     write_merged(run, s, 0);
		else
			rc = c->n ? run->ops->out(run->ctx, s, c->text.buf, c->text.len) : 0;
		give(run, c);
		return run->failed = rc != 0;
	}
	if (c->at == c->n) { /* no row */
		give(run, c);
	} else {
		if (run->tail[c->stream])
			run->tail[c->stream]->next = c;
		else
			run->head[c->stream] = c;
		run->tail[c->stream] = c;
	}
	/* every chunk still to come is (T, s, a higher id) or later: its rows
	 * come after the queued ones before (T, s + 1), this chunk's too (a
	 * stream's queue is in chunk order). Up to (T, s) only, a stream of
	 * chunks all at one time would wait whole. */
	return merge_until(run, it->t_first, it->stream + 1) ? 1 : 0;
}

int export_par(struct report *r, bool per_stream, const struct export_par_ops *ops, void *ctx)
{
	struct run run = { .r = r, .ops = ops, .ctx = ctx, .by_record = filter_by_record(&r->f),
			   .mu = PTHREAD_MUTEX_INITIALIZER };
	unsigned threads = fmt_threads(r->threads), streams = 0;
	int rc = -1;

	if (r->nfiles != 1 || threads < 2 || list_items(&run) ||
	    !(run.states = calloc(threads, sizeof(*run.states))))
		goto out;
	for (size_t i = 0; i < run.n; i++)
		streams |= 1u << run.items[i].stream;
	run.per_stream = per_stream;
	run.text_max = export_par_text_max / (FMT_PAR_WINDOW * (size_t)threads);
	run.merge = !per_stream && (streams & (streams - 1));
	for (unsigned t = 0; t < threads; t++)
		if (!(run.states[t] = ops->state_new(ctx)))
			goto out; /* nothing written yet: report_each's turn */
	struct fmt_par_chunk *chunks = calloc(run.n + 1, sizeof(*chunks));
	if (!chunks)
		goto out;
	for (size_t i = 0; i < run.n; i++)
		chunks[i] = run.items[i].c;
	struct fmt_par p = { .readers = r->readers, .chunks = chunks, .n = run.n,
			     .cols = FMT_COL_ALL, .threads = threads, .each = each,
			     .commit = commit, .ctx = &run };
	report_progress_start(&run.pg, r);
	if (fmt_par_run(&p) == FMT_ENOMEM && !run.failed) {
		report_err("out of memory");
		run.failed = 1;
	}
	if (run.merge && !run.failed && !merge_until(&run, UINT64_MAX, FMT_STREAM_MAX + 1))
		write_merged(&run, 0, 0);
	report_progress_end(&run.pg);
	free(chunks);
	rc = run.failed ? 1 : r->errors && !r->ignore_errors ? 1 : 0;
out:
	for (int s = 0; s <= FMT_STREAM_MAX; s++)
		rendered_free_all(run.head[s]);
	rendered_free_all(run.pool);
	for (unsigned t = 0; run.states && t < threads; t++)
		if (run.states[t])
			ops->state_free(ctx, run.states[t]);
	free(run.states);
	free(run.items);
	obuf_free(&run.merged);
	return rc;
}
