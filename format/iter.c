/* iter.c - time-ordered iteration over streams of one or more files.
 *
 * One min-heap holds every chunk that overlaps the time window, keyed by its
 * first timestamp, until it is reached; only then is it loaded, and it goes
 * back into the heap keyed by its next record. So chunks are decoded lazily,
 * in order, a few at a time, and records that overlap across chunks, streams
 * or files still come out in exact time order. Across files the key is wall
 * clock (boot-clock ts + the file's clock offset). Ties break by stream,
 * then file, then chunk, then position, so the order is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "fmt.h"

struct node {
	int64_t key; /* wall-clock ns of the chunk start or the next record */
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
	for (unsigned s = 0; rc == FMT_OK && s < n; s++) {
		uint64_t t_from = from[s], t_to = to[s];
		struct fmt_chunk_info *ci;
		int64_t off = fmt_reader_clock_offset(readers[s]);
		int nc = fmt_reader_chunks(readers[s], &ci);

		if (nc < 0) {
			rc = nc;
			break;
		}
		for (int i = 0; rc == FMT_OK && i < nc; i++) {
			if (ci[i].stream < FMT_STREAM_EXEC || ci[i].stream > FMT_STREAM_MAX)
				continue; /* a newer stream type: skipped by design */
			if (!(mask & (1u << ci[i].stream)) || ci[i].t_last < t_from ||
			    ci[i].t_first > t_to || ci[i].records == 0)
				continue;
			rc = push(it, (struct node){ .key = (int64_t)ci[i].t_first + off,
						     .stream = ci[i].stream,
						     .src = s,
						     .chunk = ci[i].id });
		}
		free(ci);
	}
	if (rc) {
		fmt_iter_free(it);
		return rc;
	}
	it->total = it->n; /* every chunk in the window, not yet loaded */
	*out = it;
	return FMT_OK;
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

int fmt_iter_next(struct fmt_iter *it, struct fmt_event *ev)
{
	if (it->retired) {
		fmt_batch_free(it->spare);
		it->spare = it->retired;
		it->retired = NULL;
	}
	while (it->n) {
		struct node nd = pop(it);
		struct fmt_reader *r = it->readers[nd.src];
		int64_t off = fmt_reader_clock_offset(r);
		uint64_t ts;

		if (!nd.batch) {
			int rc;
			nd.batch = it->spare;
			it->spare = NULL;
			rc = fmt_reader_load_chunk(r, nd.chunk, &nd.batch);
			if (rc) {
				ev->source = nd.src;
				ev->stream = nd.stream;
				return rc; /* the chunk is skipped; the caller may go on */
			}
			it->decoded++;
			nd.pos = lower_bound(nd.batch, it->t_from[nd.src]);
			if (nd.pos >= fmt_batch_count(nd.batch)) {
				it->spare = nd.batch;
				continue;
			}
			nd.key = (int64_t)fmt_batch_ts(nd.batch, nd.pos) + off;
			if (push(it, nd)) {
				fmt_batch_free(nd.batch);
				return FMT_ENOMEM;
			}
			continue;
		}
		ts = fmt_batch_ts(nd.batch, nd.pos);
		if (ts > it->t_to[nd.src]) { /* sorted: the rest of the chunk is later still */
			fmt_batch_free(it->spare);
			it->spare = nd.batch;
			continue;
		}
		fmt_batch_get(nd.batch, nd.pos, ev);
		ev->source = nd.src;
		if (++nd.pos < fmt_batch_count(nd.batch)) {
			nd.key = (int64_t)fmt_batch_ts(nd.batch, nd.pos) + off;
			if (push(it, nd)) {
				it->retired = nd.batch;
				return FMT_ENOMEM;
			}
		} else {
			it->retired = nd.batch; /* ev points into it until the next call */
		}
		return 1;
	}
	return 0;
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
	for (size_t i = 0; i < it->n; i++)
		fmt_batch_free(it->heap[i].batch);
	fmt_batch_free(it->retired);
	fmt_batch_free(it->spare);
	free(it->heap);
	free(it->readers);
	free(it->t_from);
	free(it->t_to);
	free(it);
}
