/* scan.c - see scan.h. The chunks of every file, pruned by the time
 * window and --type, go to fmt_par_run; each worker thread selects the
 * records of its chunk and hands them to the consumer with the worker's
 * own state and position buffer. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "scan.h"

struct worker {
	void *state;
	uint32_t *pos;
	size_t cap;
};

struct run {
	struct report *r;
	const struct scan_ops *ops;
	void *ctx;
	const struct fmt_par_chunk *chunks;
	size_t n;
	uint64_t *from, *to; /* the window of each file */
	struct worker *w;
	struct report_progress pg;
	int by_record, stopped, oom;
};

/* Positions of the records of b in [from, to] that pass the filters. */
static uint32_t select_records(const struct report *r, unsigned source, const struct fmt_batch *b,
			       uint64_t from, uint64_t to, int by_record, uint32_t *pos)
{
	const uint64_t *ts = fmt_batch_ts_column(b);
	uint32_t n = fmt_batch_count(b), k = 0;

	if (!by_record && from == 0 && to == UINT64_MAX) {
		for (uint32_t j = 0; j < n; j++)
			pos[j] = j;
		return n;
	}
	for (uint32_t j = 0; j < n; j++)
		if (scan_record_wanted(r, source, b, j, ts[j], from, to, by_record))
			pos[k++] = j;
	return k;
}

static int each(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial)
{
	struct run *run = ctx;
	struct worker *w = &run->w[worker];
	unsigned src = run->chunks[i].src;
	uint32_t n = fmt_batch_count(b);

	if (n > w->cap) {
		uint32_t *p = realloc(w->pos, n * sizeof(*p));
		if (!p) {
			run->oom = 1;
			return 1;
		}
		w->pos = p;
		w->cap = n;
	}
	n = select_records(run->r, src, b, run->from[src], run->to[src], run->by_record, w->pos);
	if (run->ops->chunk(run->ctx, w->state, run->r, src, b, w->pos, n, partial)) {
		run->stopped = 1;
		return 1;
	}
	return 0;
}

static int commit(void *ctx, size_t i, void *partial, int rc, const char *errmsg)
{
	struct run *run = ctx;
	int stop = 0;

	if (rc < 0) {
		report_err("%s (skipped)", errmsg ? errmsg : "a chunk could not be read");
		run->r->errors++;
	}
	if (run->ops->commit && run->ops->commit(run->ctx, partial))
		run->stopped = stop = 1;
	report_progress_show(&run->pg, run->r->paths[run->chunks[i].src],
			     (double)i / (double)run->n);
	return stop;
}

/* The chunks to read, over every file: pruned by the window and --type. */
static struct fmt_par_chunk *list_chunks(struct run *run, size_t *n)
{
	struct report *r = run->r;
	unsigned mask = filter_streams(&r->f);
	struct fmt_par_chunk *v = NULL;
	size_t k = 0, cap = 0;

	for (unsigned f = 0; f < r->nfiles; f++) {
		struct fmt_chunk_info *ci;
		int nc = fmt_reader_chunks(r->readers[f], &ci);

		if (nc < 0) {
			report_err("%s", fmt_reader_errmsg(r->readers[f]));
			r->errors++;
			continue;
		}
		report_window(r, f, &run->from[f], &run->to[f]);
		for (int i = 0; i < nc; i++) {
			if (!scan_chunk_wanted(&ci[i], mask, run->from[f], run->to[f]))
				continue; /* pruned: never decompressed */
			if (k == cap) {
				struct fmt_par_chunk *p;
				cap = cap ? 2 * cap : 256;
				if (!(p = realloc(v, cap * sizeof(*p)))) {
					free(ci);
					free(v);
					return NULL;
				}
				v = p;
			}
			v[k++] = (struct fmt_par_chunk){ f, ci[i].id, ci[i].raw_size };
		}
		free(ci);
	}
	*n = k;
	return v ? v : calloc(1, sizeof(*v));
}

int scan(struct report *r, const struct scan_ops *ops, void *ctx)
{
	struct run run = { .r = r, .ops = ops, .ctx = ctx, .by_record = filter_by_record(&r->f) };
	struct fmt_par_chunk *chunks;
	unsigned threads = fmt_threads(r->threads);
	int rc = 0;

	run.from = calloc(r->nfiles ? r->nfiles : 1, sizeof(*run.from));
	run.to = calloc(r->nfiles ? r->nfiles : 1, sizeof(*run.to));
	run.w = calloc(threads, sizeof(*run.w));
	if (!run.from || !run.to || !run.w || !(chunks = list_chunks(&run, &run.n))) {
		free(run.from);
		free(run.to);
		free(run.w);
		return -1;
	}
	run.chunks = chunks;
	for (unsigned t = 0; t < threads && !run.oom; t++)
		if (!(run.w[t].state = ops->state_new(ctx)))
			run.oom = 1;
	/* a window selects by time: the timestamps are needed after all */
	bool windowed = false;
	for (unsigned f = 0; f < r->nfiles; f++)
		windowed |= run.from[f] != 0 || run.to[f] != UINT64_MAX;
	if (!run.oom) {
		struct fmt_par p = {
			.readers = r->readers,
			.chunks = chunks,
			.n = run.n,
			/* a filter on any field needs whole records */
			.cols = run.by_record ? FMT_COL_ALL :
				windowed     ? ops->cols & ~FMT_COL_NO_TS :
					       ops->cols,
			.threads = threads,
			.each = each,
			.commit = commit,
			.ctx = &run,
		};
		report_progress_start(&run.pg, r);
		if (fmt_par_run(&p) == FMT_ENOMEM)
			run.oom = 1;
		report_progress_end(&run.pg);
	}
	for (unsigned t = 0; t < threads; t++) {
		if (!run.oom && !run.stopped && ops->merge && run.w[t].state &&
		    ops->merge(ctx, run.w[t].state))
			run.oom = 1;
		if (run.w[t].state)
			ops->state_free(ctx, run.w[t].state);
		free(run.w[t].pos);
	}
	if (run.oom || run.stopped)
		rc = -1;
	else if (r->errors && !r->ignore_errors)
		rc = 1;
	free(run.w);
	free(run.from);
	free(run.to);
	free(chunks);
	return rc;
}
