/* par.c - fmt_par_run: the chunks of one or more files decoded on several
 * threads, each chunk handed to a callback on the thread that decoded it,
 * and what that callback left committed in chunk order on the calling
 * thread, so that results (and error messages) come out the same whatever
 * the thread count. Also the loaders and the payload budget that iter.c's
 * read-ahead shares (par.h).
 *
 * Threads take the next chunk from a shared counter. A thread may run at
 * most `window` chunks ahead of the commit point, which bounds what waits
 * to be committed; the payload budget bounds what is being decoded. The
 * calling thread decodes chunks too and commits whenever the next chunk in
 * order is done; with one thread no other thread is started and chunks
 * are decoded and committed one after the other.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chunk_codec.h"
#include "par.h"

#define MAX_THREADS 256
#define STACK_SIZE (1u << 20)

unsigned fmt_threads(unsigned threads)
{
	cpu_set_t set;
	long n;

	if (threads)
		return threads > MAX_THREADS ? MAX_THREADS : threads;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

int par_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int rc;

	if (pthread_attr_init(&attr))
		return -1;
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc ? -1 : 0;
}

uint64_t par_budget_limit = FMT_PAR_BUDGET;

uint64_t par_budget_take(struct par_budget *b, pthread_mutex_t *mu, uint64_t raw_size)
{
	uint64_t want = raw_size < par_budget_limit ? raw_size : par_budget_limit;

	while (b->used && b->used + want > par_budget_limit)
		pthread_cond_wait(b->cv, mu);
	b->used += want;
	return want;
}

void par_budget_give(struct par_budget *b, uint64_t taken)
{
	b->used -= taken;
	pthread_cond_broadcast(b->cv);
}

void par_loader_init(struct par_loader *l, struct fmt_reader *const *readers, int originals)
{
	memset(l, 0, sizeof(*l));
	l->readers = readers;
	l->originals = originals;
}

int par_load(struct par_loader *l, const struct fmt_par_chunk *c, uint64_t cols, char *err,
	     size_t errlen)
{
	struct fmt_reader *r = l->readers[c->src];
	int rc;

	if (!l->originals) {
		if (!l->clone || l->src != c->src) {
			fmt_reader_close(l->clone);
			l->clone = NULL;
			rc = reader_reopen(r, &l->clone);
			if (rc) {
				snprintf(err, errlen, "%s: cannot open it again for another thread: %s",
					 fmt_reader_path(r),
					 rc == FMT_ENOENT ? "it was replaced or removed" :
							    fmt_strerror(rc));
				return rc;
			}
			l->src = c->src;
		}
		r = l->clone;
	}
	rc = fmt_reader_load_cols(r, c->id, cols, &l->batch);
	if (rc)
		snprintf(err, errlen, "%s", fmt_reader_errmsg(r));
	return rc;
}

void par_loader_rest(struct par_loader *l, const struct fmt_par_chunk *c)
{
	struct fmt_reader *r = l->originals ? l->readers[c->src] : l->clone;

	if (l->batch && batch_mem(l->batch) > PAR_BATCH_KEEP) {
		fmt_batch_free(l->batch);
		l->batch = NULL;
	}
	if (r)
		reader_trim(r, FMT_PAR_KEEP);
}

void par_loader_free(struct par_loader *l)
{
	fmt_reader_close(l->clone);
	fmt_batch_free(l->batch);
	memset(l, 0, sizeof(*l));
}

/* ---- fmt_par_run ------------------------------------------------------- */

struct slot {
	void *partial;
	char *err; /* the message of a chunk that failed (malloc'd) */
	int rc;
	int done;
};

struct run {
	const struct fmt_par *p;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a chunk done, a commit made, budget given back */
	struct par_budget budget;
	struct slot *slots; /* chunk i in slots[i % window] */
	size_t window, next, committed;
	int stop;
};

struct worker {
	struct run *run;
	unsigned index;
	struct par_loader loader;
	pthread_t thread;
	int started;
};

/* Decode chunk i and run each on it; its slot is filled. Called and
 * returns with the mutex held. */
static void do_chunk(struct worker *w, size_t i)
{
	struct run *run = w->run;
	const struct fmt_par *p = run->p;
	const struct fmt_par_chunk *c = &p->chunks[i];
	struct slot *s = &run->slots[i % run->window];
	uint64_t taken = par_budget_take(&run->budget, &run->mu, c->raw_size);
	char err[700];
	void *partial = NULL;
	int rc, stop = 0;

	pthread_mutex_unlock(&run->mu);
	rc = par_load(&w->loader, c, p->cols, err, sizeof(err));
	if (rc == 0 && p->each)
		stop = p->each(p->ctx, w->index, i, w->loader.batch, &partial);
	par_loader_rest(&w->loader, c);
	pthread_mutex_lock(&run->mu);
	par_budget_give(&run->budget, taken);
	s->partial = partial;
	s->rc = rc;
	s->err = rc ? strdup(err) : NULL;
	s->done = 1;
	if (stop)
		run->stop = 1;
	pthread_cond_broadcast(&run->cv);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;

	pthread_mutex_lock(&run->mu);
	for (;;) {
		while (!run->stop && run->next < run->p->n &&
		       run->next >= run->committed + run->window)
			pthread_cond_wait(&run->cv, &run->mu);
		if (run->stop || run->next >= run->p->n)
			break;
		do_chunk(w, run->next++);
	}
	pthread_mutex_unlock(&run->mu);
	return NULL;
}

/* Commit the chunks done, in order. Called and returns with the mutex
 * held; commit itself runs without it. */
static void commit_ready(struct run *run)
{
	const struct fmt_par *p = run->p;

	while (run->committed < run->next && run->slots[run->committed % run->window].done) {
		struct slot s = run->slots[run->committed % run->window];
		size_t i = run->committed;
		int stopped = run->stop, st = 0;

		memset(&run->slots[i % run->window], 0, sizeof(s));
		pthread_mutex_unlock(&run->mu);
		if (p->commit)
			st = p->commit(p->ctx, i, s.partial, s.rc, s.err);
		free(s.err);
		pthread_mutex_lock(&run->mu);
		run->committed++;
		if (st && !stopped)
			run->stop = 1;
		pthread_cond_broadcast(&run->cv);
	}
}

int fmt_par_run(const struct fmt_par *p)
{
	unsigned threads = fmt_threads(p->threads);
	struct run run = { .p = p };
	struct worker *w;
	int rc = 0;

	if (threads > p->n)
		threads = p->n ? (unsigned)p->n : 1;
	run.window = FMT_PAR_WINDOW * (size_t)threads;
	run.slots = calloc(run.window, sizeof(*run.slots));
	w = calloc(threads, sizeof(*w));
	if (!run.slots || !w) {
		free(run.slots);
		free(w);
		return FMT_ENOMEM;
	}
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	run.budget.cv = &run.cv;
	for (unsigned t = 0; t < threads; t++) {
		w[t].run = &run;
		w[t].index = t;
		par_loader_init(&w[t].loader, p->readers, t == 0);
		/* a thread that cannot start leaves its share to the others */
		if (t > 0)
			w[t].started = par_thread_start(&w[t].thread, worker_main, &w[t]) == 0;
	}
	pthread_mutex_lock(&run.mu);
	for (;;) { /* this thread: decode, and commit in order */
		commit_ready(&run);
		if (!run.stop && run.next < p->n && run.next < run.committed + run.window)
			do_chunk(&w[0], run.next++);
		else if (run.committed < run.next)
			pthread_cond_wait(&run.cv, &run.mu);
		else
			break;
	}
	rc = run.stop;
	pthread_mutex_unlock(&run.mu);
	for (unsigned t = 1; t < threads; t++)
		if (w[t].started)
			pthread_join(w[t].thread, NULL);
	for (unsigned t = 0; t < threads; t++)
		par_loader_free(&w[t].loader);
	pthread_cond_destroy(&run.cv);
	pthread_mutex_destroy(&run.mu);
	free(run.slots);
	free(w);
	return rc;
}
