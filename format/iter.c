/* iter.c - time-ordered iteration over streams of one or more files.
 *
 * One min-heap holds every chunk that overlaps the time window, keyed by its
 * first timestamp, until it is reached; only then is it loaded, and it goes
 * back into the heap keyed by its next record. So chunks are decoded lazily,
 * in order, a few at a time, and records that overlap across chunks, streams
 * or files still come out in exact time order. Across files the key is wall
 * clock (boot-clock ts + the file's clock offset). Ties break by stream,
 * then file, then chunk, then position, so the order is deterministic.
 *
 * A chunk not yet loaded never changes its key, so chunks are loaded in the
 * order of their index entries' keys, known at open. With threads, that
 * order is handed to decoders that run ahead of the reader (ahead.c: a few
 * chunks, within the payload budget of par.h): the heap then takes each chunk
 * decoded instead of decoding it, and everything else is the same. While
 * one chunk's records are the earliest of all, they come out without heap
 * operations.
 */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "fmt.h"
#include "par.h"

struct node {
	int64_t key; /* wall-clock ns of the chunk start or the next record */
	int64_t off; /* its file's clock offset */
	int stream;
	unsigned src;
	int64_t chunk;
	struct fmt_batch *batch; /* NULL until loaded */
	uint32_t pos;
};

struct fmt_iter {
	struct fmt_reader **readers;
	unsigned nreaders;
	uint64_t *t_from, *t_to; /* per reader */
	struct node *heap;
	size_t n, cap;
	struct fmt_batch *retired; /* the last batch returned from; recycled next call */
	struct fmt_batch *spare; /* memory for the next chunk to load */
	uint64_t decoded, total;
	struct ahead *ahead; /* NULL: load in this thread */
	uint64_t cols; /* the columns to decode */
	/* the node being read (popped): its records come out while they are
	 * the earliest, without going through the heap */
	struct node cur;
	int has_cur;
	uint32_t cur_end; /* positions of cur before this all precede the heap's top */
	const struct fmt_batch *last_b; /* where fmt_iter_next's record was */
	uint32_t last_j;
};

static int node_less(const struct node *a, const struct node *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	if (a->stream != b->stream)
		return a->stream < b->stream;
	if (a->src != b->src)
		return a->src < b->src;
	if (a->chunk != b->chunk)
		return a->chunk < b->chunk;
	/* a chunk not yet loaded sorts before its own records */
	if (!a->batch != !b->batch)
		return !a->batch;
	return a->pos < b->pos;
}

static void sift_up(struct node *h, size_t i)
{
	while (i) {
		size_t p = (i - 1) / 2;
		struct node t;
		if (!node_less(&h[i], &h[p]))
			break;
		t = h[i], h[i] = h[p], h[p] = t;
		i = p;
	}
}

static void sift_down(struct node *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct node t;
		if (l < n && node_less(&h[l], &h[m]))
			m = l;
		if (r < n && node_less(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i], h[i] = h[m], h[m] = t;
		i = m;
	}
}

static int push(struct fmt_iter *it, struct node nd)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		struct node *h = realloc(it->heap, cap * sizeof(*h));
		if (!h)
			return FMT_ENOMEM;
		it->heap = h;
		it->cap = cap;
	}
	it->heap[it->n] = nd;
	sift_up(it->heap, it->n++);
	return FMT_OK;
}

static struct node pop(struct fmt_iter *it)
{
	struct node top = it->heap[0];

	it->heap[0] = it->heap[--it->n];
	sift_down(it->heap, it->n, 0);
	return top;
}

int fmt_iter_open(struct fmt_reader *const *readers, unsigned n, unsigned mask,
		  uint64_t t_from, uint64_t t_to, struct fmt_iter **out)
{
	uint64_t *from = malloc((n ? n : 1) * sizeof(*from));
	uint64_t *to = malloc((n ? n : 1) * sizeof(*to));
	int rc = FMT_ENOMEM;

	if (from && to) {
		for (unsigned i = 0; i < n; i++)
			from[i] = t_from, to[i] = t_to;
		rc = fmt_iter_open_windows(readers, n, mask, from, to, out);
	}
	free(from);
	free(to);
	return rc;
}

int fmt_iter_open_windows(struct fmt_reader *const *readers, unsigned n, unsigned mask,
			  const uint64_t *from, const uint64_t *to, struct fmt_iter **out)
{
	return fmt_iter_open_threads(readers, n, mask, from, to, 1, out);
}

static int read_ahead(struct fmt_iter *it, unsigned threads,
		      const struct fmt_chunk_info *const *ci);

int fmt_iter_open_threads(struct fmt_reader *const *readers, unsigned n, unsigned mask,
			  const uint64_t *from, const uint64_t *to, unsigned threads,
			  struct fmt_iter **out)
{
	return iter_open(readers, n, mask, from, to, threads, FMT_COL_ALL, out);
}

int iter_open(struct fmt_reader *const *readers, unsigned n, unsigned mask, const uint64_t *from,
	      const uint64_t *to, unsigned threads, uint64_t cols, struct fmt_iter **out)
{
	struct fmt_iter *it = calloc(1, sizeof(*it));
	size_t sz = (n ? n : 1) * sizeof(uint64_t);
	int rc = FMT_OK;

	*out = NULL;
	if (!it || !(it->readers = malloc((n ? n : 1) * sizeof(*readers))) ||
	    !(it->t_from = malloc(sz)) || !(it->t_to = malloc(sz))) {
		fmt_iter_free(it);
		return FMT_ENOMEM;
	}
	memcpy(it->readers, readers, n * sizeof(*readers));
	memcpy(it->t_from, from, n * sizeof(*from));
	memcpy(it->t_to, to, n * sizeof(*to));
	it->nreaders = n;
	it->cols = cols;
	{
		/* the chunk lists stay until read-ahead has their sizes */
		struct fmt_chunk_info **ci = calloc(n ? n : 1, sizeof(*ci));
		if (!ci)
			rc = FMT_ENOMEM;
		for (unsigned s = 0; rc == FMT_OK && s < n; s++) {
			uint64_t t_from = from[s], t_to = to[s];
			int64_t off = fmt_reader_clock_offset(readers[s]);
			int nc = fmt_reader_chunks(readers[s], &ci[s]);

			if (nc < 0) {
				rc = nc;
				break;
			}
			for (int i = 0; rc == FMT_OK && i < nc; i++) {
				const struct fmt_chunk_info *c = &ci[s][i];
				if (c->stream < FMT_STREAM_EXEC || c->stream > FMT_STREAM_MAX)
					continue; /* a newer stream type: skipped by design */
				if (!(mask & (1u << c->stream)) || c->t_last < t_from ||
				    c->t_first > t_to || c->records == 0)
					continue;
				rc = push(it, (struct node){ .key = (int64_t)c->t_first + off,
							     .off = off,
							     .stream = c->stream,
							     .src = s,
							     .chunk = c->id,
							     .pos = (uint32_t)i });
			}
		}
		it->total = it->n; /* every chunk in the window, not yet loaded */
		if (rc == FMT_OK && fmt_threads(threads) > 1 && it->n > 1)
			rc = read_ahead(it, fmt_threads(threads), (const struct fmt_chunk_info *const *)ci);
		for (unsigned s = 0; ci && s < n; s++)
			free(ci[s]);
		free(ci);
	}
	if (rc) {
		fmt_iter_free(it);
		return rc;
	}
	*out = it;
	return FMT_OK;
}

/* ---- read-ahead (ahead.c) ---------------------------------------------- */

/* Order nodes not yet loaded as the heap would pop them. */
static int load_order(const void *x, const void *y)
{
	const struct node *a = x, *b = y;

	return node_less(a, b) ? -1 : node_less(b, a);
}

/* Decoders for the chunks in the heap, in the order it will load them
 * (their index entries ci give sizes). @return 0 or FMT_ENOMEM. */
static int read_ahead(struct fmt_iter *it, unsigned threads,
		      const struct fmt_chunk_info *const *ci)
{
	struct node *nodes = malloc(it->n * sizeof(*nodes));
	struct fmt_par_chunk *order = malloc(it->n * sizeof(*order));
	int rc = FMT_ENOMEM;

	if (nodes && order) {
		memcpy(nodes, it->heap, it->n * sizeof(*nodes));
		qsort(nodes, it->n, sizeof(*nodes), load_order);
		for (size_t k = 0; k < it->n; k++) {
			const struct fmt_chunk_info *c = &ci[nodes[k].src][nodes[k].pos];
			order[k] = (struct fmt_par_chunk){ nodes[k].src, c->id, c->raw_size };
		}
		rc = ahead_start((struct fmt_reader *const *)it->readers, order, it->n, it->cols,
				 threads, &it->ahead);
	}
	free(nodes);
	free(order);
	return rc;
}

/* First position in time order with ts >= t. */
static uint32_t lower_bound(const struct fmt_batch *b, uint64_t t)
{
	uint32_t lo = 0, hi = fmt_batch_count(b);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (fmt_batch_ts(b, mid) < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first position of nd's chunk, from nd->pos on, whose record does not
 * precede the heap's top (nd is not in the heap): records before it come
 * out one after the other. */
static uint32_t run_end(const struct fmt_iter *it, const struct node *nd)
{
	uint32_t lo = nd->pos, hi = fmt_batch_count(nd->batch);
	int64_t off = fmt_reader_clock_offset(it->readers[nd->src]);
	struct node probe = *nd;

	if (!it->n)
		return hi;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		probe.pos = mid;
		probe.key = (int64_t)fmt_batch_ts(nd->batch, mid) + off;
		if (node_less(&probe, &it->heap[0]))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Load the chunk of nd (read ahead, or here) into nd->batch. */
static int load(struct fmt_iter *it, struct node *nd)
{
	nd->batch = it->spare;
	it->spare = NULL;
	if (it->ahead)
		return ahead_take(it->ahead, nd->src, nd->chunk, it->readers, &nd->batch);
	return fmt_reader_load_cols(it->readers[nd->src], nd->chunk, it->cols, &nd->batch);
}

int iter_next_at(struct fmt_iter *it, const struct fmt_batch **b, uint32_t *j, unsigned *src)
{
	/* the common case: the next record of the chunk being read, which
	 * comes before everything in the heap (its key is updated when it
	 * leaves this path) */
	if (it->has_cur && it->cur.pos + 1 < it->cur_end && !it->retired) {
		struct node *c = &it->cur;
		uint32_t at = c->batch->order ? c->batch->order[c->pos] : c->pos;
		if (c->batch->ts[at] <= it->t_to[c->src]) {
			*b = c->batch;
			*j = at;
			*src = c->src;
			c->pos++;
			return 1;
		}
	}
	if (it->has_cur) /* the key of its next record, for the heap */
		it->cur.key = (int64_t)fmt_batch_ts(it->cur.batch, it->cur.pos) + it->cur.off;
	if (it->retired) {
		fmt_batch_free(it->spare);
		it->spare = it->retired;
		it->retired = NULL;
	}
	for (;;) {
		struct node nd;
		struct fmt_reader *r;
		int64_t off;
		uint64_t ts;

		/* the chunk being read goes on while it holds the earliest record:
		 * up to cur_end without comparing, then against the heap */
		if (it->has_cur && it->cur.pos < it->cur_end) {
			nd = it->cur;
		} else if (it->has_cur && (!it->n || node_less(&it->cur, &it->heap[0]))) {
			nd = it->cur;
			it->cur_end = run_end(it, &nd);
		} else {
			if (it->has_cur && push(it, it->cur)) {
				it->has_cur = 0;
				fmt_batch_free(it->cur.batch);
				return FMT_ENOMEM;
			}
			it->has_cur = 0;
			if (!it->n)
				return 0;
			nd = pop(it);
			it->cur_end = 0;
		}
		it->has_cur = 0;
		r = it->readers[nd.src];
		off = fmt_reader_clock_offset(r);
		if (!nd.batch) {
			int rc = load(it, &nd);
			if (rc) {
				*src = nd.src;
				*b = NULL;
				*j = (uint32_t)nd.stream;
				return rc; /* the chunk is skipped; the caller may go on */
			}
			it->decoded++;
			nd.pos = lower_bound(nd.batch, it->t_from[nd.src]);
			if (nd.pos >= fmt_batch_count(nd.batch)) {
				it->spare = nd.batch;
				continue;
			}
			nd.key = (int64_t)fmt_batch_ts(nd.batch, nd.pos) + off;
			it->cur = nd;
			it->has_cur = 1;
			continue;
		}
		ts = fmt_batch_ts(nd.batch, nd.pos);
		if (ts > it->t_to[nd.src]) { /* sorted: the rest of the chunk is later still */
			fmt_batch_free(it->spare);
			it->spare = nd.batch;
			it->cur_end = 0;
			continue;
		}
		*b = nd.batch;
		*j = nd.batch->order ? nd.batch->order[nd.pos] : nd.pos;
		*src = nd.src;
		if (++nd.pos < fmt_batch_count(nd.batch)) {
			nd.key = (int64_t)fmt_batch_ts(nd.batch, nd.pos) + off;
			it->cur = nd;
			it->has_cur = 1;
		} else {
			it->retired = nd.batch; /* the caller reads it until the next call */
			it->cur_end = 0;
		}
		return 1;
	}
}

int fmt_iter_next(struct fmt_iter *it, struct fmt_event *ev)
{
	const struct fmt_batch *b;
	uint32_t j;
	unsigned src;
	int rc = iter_next_at(it, &b, &j, &src);

	if (rc == 1) {
		fmt_batch_get_at(b, j, ev);
		ev->source = src;
		it->last_b = b;
		it->last_j = j;
	} else if (rc < 0) {
		ev->source = src;
		ev->stream = (enum fmt_stream)j;
	}
	return rc;
}

void fmt_iter_where(const struct fmt_iter *it, const struct fmt_batch **b, uint32_t *j)
{
	*b = it->last_b;
	*j = it->last_j;
}

uint64_t fmt_iter_chunks_decoded(const struct fmt_iter *it)
{
	return it->decoded;
}

uint64_t fmt_iter_chunks_total(const struct fmt_iter *it)
{
	return it->total;
}

void fmt_iter_free(struct fmt_iter *it)
{
	if (!it)
		return;
	ahead_stop(it->ahead);
	for (size_t i = 0; i < it->n; i++)
		fmt_batch_free(it->heap[i].batch);
	if (it->has_cur)
		fmt_batch_free(it->cur.batch);
	fmt_batch_free(it->retired);
	fmt_batch_free(it->spare);
	free(it->heap);
	free(it->readers);
	free(it->t_from);
	free(it->t_to);
	free(it);
}
