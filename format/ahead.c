/* ahead.c - decoders that run ahead of a reader: given the chunks in the
 * order the reader will want them, threads decode them (each with a reader
 * of its own, par.h) a few chunks ahead and within the payload budget, and
 * the reader takes them in that order, errors included, so what it reads
 * does not depend on the thread count. The iterator (iter.c) uses it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "par.h"

/* Decoders running ahead (threads > 1). */
struct ahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct par_budget budget;
	struct fmt_par_chunk *order; /* every chunk in the order it will be loaded */
	size_t n, next, taken, window;
	struct aslot {
		struct fmt_batch *b;
		char *err;
		uint64_t budget;
		int rc, done;
	} *slots; /* chunk k in slots[k % window] */
	struct fmt_batch **free; /* batches given back, for the decoders to reuse */
	size_t nfree;
	int stop;
	uint64_t cols;
	unsigned nthreads;
	struct athread {
		struct ahead *a;
		struct par_loader loader;
		pthread_t t;
	} *threads;
};


static void *ahead_main(void *arg)
{
	struct athread *t = arg;
	struct ahead *a = t->a;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		size_t k;
		uint64_t taken;
		char err[700];
		int rc;

		while (!a->stop && a->next < a->n && a->next >= a->taken + a->window)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop || a->next >= a->n)
			break;
		k = a->next++;
		/* room in the budget; but never keep the reader waiting for the
		 * chunk it needs next while decoded ones wait for it (they give
		 * their room back only when it takes them) */
		taken = a->order[k].raw_size < par_budget_limit ? a->order[k].raw_size
								: par_budget_limit;
		while (!a->stop && k != a->taken && a->budget.used &&
		       a->budget.used + taken > par_budget_limit)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop)
			break;
		a->budget.used += taken;
		t->loader.batch = a->nfree ? a->free[--a->nfree] : NULL;
		pthread_mutex_unlock(&a->mu);
		rc = par_load(&t->loader, &a->order[k], a->cols, err, sizeof(err));
		if (t->loader.clone)
			reader_trim(t->loader.clone, FMT_PAR_KEEP);
		pthread_mutex_lock(&a->mu);
		a->slots[k % a->window] = (struct aslot){ .b = t->loader.batch, .rc = rc,
							  .err = rc ? strdup(err) : NULL,
							  .budget = taken, .done = 1 };
		t->loader.batch = NULL; /* the reader's now */
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int ahead_start(struct fmt_reader *const *readers, const struct fmt_par_chunk *order, size_t n,
		uint64_t cols, unsigned threads, struct ahead **out)
{
	struct ahead *a = calloc(1, sizeof(*a));
	unsigned decoders = threads - 1; /* the reader's thread is busy with the records */

	*out = NULL;
	if (!a)
		return FMT_ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->budget.cv = &a->cv;
	a->n = n;
	a->cols = cols;
	a->window = 2 * (size_t)decoders + 2;
	a->order = malloc((n ? n : 1) * sizeof(*a->order));
	a->slots = calloc(a->window, sizeof(*a->slots));
	a->free = calloc(a->window + 1, sizeof(*a->free));
	a->threads = calloc(decoders ? decoders : 1, sizeof(*a->threads));
	if (!a->order || !a->slots || !a->free || !a->threads) {
		ahead_stop(a);
		return FMT_ENOMEM;
	}
	memcpy(a->order, order, n * sizeof(*order));
	for (unsigned t = 0; t < decoders; t++) {
		a->threads[t].a = a;
		par_loader_init(&a->threads[t].loader, readers, 0);
		if (par_thread_start(&a->threads[t].t, ahead_main, &a->threads[t]))
			break;
		a->nthreads++;
	}
	if (!a->nthreads) /* no thread: the reader loads after all */
		ahead_stop(a);
	else
		*out = a;
	return FMT_OK;
}

int ahead_take(struct ahead *a, unsigned src, int64_t id, struct fmt_reader *const *readers,
	       struct fmt_batch **b)
{
	struct aslot s;
	size_t k;

	pthread_mutex_lock(&a->mu);
	k = a->taken;
	while (!a->slots[k % a->window].done)
		pthread_cond_wait(&a->cv, &a->mu);
	s = a->slots[k % a->window];
	memset(&a->slots[k % a->window], 0, sizeof(s));
	a->taken++;
	par_budget_give(&a->budget, s.budget);
	if (*b && a->nfree <= a->window && batch_mem(*b) <= PAR_BATCH_KEEP)
		a->free[a->nfree++] = *b;
	else
		fmt_batch_free(*b);
	*b = s.b;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	/* loads come in this order by construction; say so if not */
	if (s.rc == 0 && (a->order[k].src != src || a->order[k].id != id))
		s.rc = FMT_EINVAL;
	if (s.rc) {
		reader_set_errmsg(readers[src], s.rc, s.err ? s.err : "read-ahead out of order");
		fmt_batch_free(*b);
		*b = NULL;
	}
	free(s.err);
	return s.rc;
}

void ahead_stop(struct ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	for (unsigned t = 0; t < a->nthreads; t++)
		pthread_join(a->threads[t].t, NULL);
	for (size_t i = 0; a->slots && i < a->window; i++) {
		fmt_batch_free(a->slots[i].b);
		free(a->slots[i].err);
	}
	for (size_t i = 0; i < a->nfree; i++)
		fmt_batch_free(a->free[i]);
	for (unsigned t = 0; a->threads && t < a->nthreads; t++)
		par_loader_free(&a->threads[t].loader);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a->order);
	free(a->slots);
	free(a->free);
	free(a->threads);
	free(a);
}
