/* agg_spill.c - agg.h's spilled count: for keys too many for a table that
 * stays in cache (command lines: about one per exec). Looking each key up
 * in one table of millions costs a cache miss or two per key; instead each
 * thread appends (key length, count, key) to buffers chosen by the key
 * hash's top bits — sequential writes, no lookups — and agg_spill_top adds up one
 * partition at a time, in a table small enough for the cache. The counts
 * are exact: keys are compared, not only their hashes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "varint.h"

/* 1024 partitions: 5 million distinct keys make ~5,000 a partition, a
 * table of 8,192 slots (384 KiB) that stays in a core's L2. */
#define PART_BITS 10
#define PARTS (1u << PART_BITS)
#define BLOCK (32u << 10)
#define HEAD_MAX 15 /* a record: key length and count as varints, then the key */

struct spill_block {
	struct spill_block *next;
	size_t used, cap;
	unsigned char data[];
};

struct agg_spill_writer {
	struct agg_spill_writer *next;
	/* bytes of records held, and where they get added up in place (the
	 * same keys over many chunks would otherwise grow without bound) */
	size_t bytes, fold_at;
	struct agg fold; /* kept between folds: its slots keep their size */
	/* where each partition's newest block is written and where it ends:
	 * side by side here, so that adding does not touch the block's head */
	unsigned char *pos[PARTS], *end[PARTS];
	struct spill_block *part[PARTS]; /* newest block first */
};

struct agg_spill {
	pthread_mutex_t lock; /* writers' list */
	struct agg_spill_writer *writers;
};

struct agg_spill *agg_spill_new(void)
{
	struct agg_spill *s = calloc(1, sizeof(*s));

	if (s)
		pthread_mutex_init(&s->lock, NULL);
	return s;
}

size_t agg_spill_fold_min = 256u << 20;

struct agg_spill_writer *agg_spill_writer(struct agg_spill *s)
{
	struct agg_spill_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fold_at = agg_spill_fold_min;
	pthread_mutex_lock(&s->lock);
	w->next = s->writers;
	s->writers = w;
	pthread_mutex_unlock(&s->lock);
	return w;
}

/* Start a new block for partition k with room for need bytes. */
static int new_block(struct agg_spill_writer *w, unsigned k, size_t need)
{
	size_t cap = need > BLOCK ? need : BLOCK;
	struct spill_block *b = malloc(sizeof(*b) + cap);

	if (!b)
		return -1;
	if (w->part[k]) /* the last one's length, from where it was written to */
		w->part[k]->used = (size_t)(w->pos[k] - w->part[k]->data);
	b->next = w->part[k];
	b->used = 0;
	b->cap = cap;
	w->part[k] = b;
	w->pos[k] = b->data;
	w->end[k] = b->data + cap;
	return 0;
}

/* The record at r: its key's length and its count. @return its key. */
static inline const unsigned char *record(const unsigned char *r, uint64_t *klen,
					  uint64_t *count)
{
	return varint_get(varint_get(r, klen), count);
}

/* Append a record to partition k: no hash (the adding up computes it
 * again), and lengths and counts (mostly 1) in a byte or two: a record is
 * about as small as its key, and the writes into 1,024 partitions' blocks
 * that miss the cache are that few. @return 0 or -1 on oom. */
static int append(struct agg_spill_writer *w, unsigned k, const void *key, uint32_t klen,
		  uint64_t count)
{
	unsigned char *p, *start;

	if ((size_t)(w->end[k] - w->pos[k]) < HEAD_MAX + (size_t)klen &&
	    new_block(w, k, HEAD_MAX + (size_t)klen))
		return -1;
	p = start = w->pos[k];
	p = varint_put(p, klen);
	p = varint_put(p, count);
	memcpy(p, key, klen);
	p += klen;
	w->pos[k] = p;
	w->bytes += (size_t)(p - start);
	return 0;
}

/* Add the records of a list of blocks into t, keys borrowed. @return 0 or
 * -1 on oom. */
static int sum_blocks(struct agg *t, const struct spill_block *b)
{
	for (; b; b = b->next)
		for (const unsigned char *r = b->data, *end = b->data + b->used; r < end;) {
			uint64_t klen, count;
			struct agg_entry *e;
			r = record(r, &klen, &count);
			if (!(e = agg_get_borrowed(t, r, klen, agg_hash(r, klen))))
				return -1;
			e->count += count;
			r += klen;
		}
	return 0;
}

static void free_blocks(struct spill_block *b)
{
	while (b) {
		struct spill_block *next = b->next;
		free(b);
		b = next;
	}
}

/* Add up each of w's partitions in place: one record per key. */
static int fold(struct agg_spill_writer *w)
{
	for (unsigned k = 0; k < PARTS; k++) {
		struct spill_block *old = w->part[k];
		if (!old)
			continue;
		old->used = (size_t)(w->pos[k] - old->data);
		w->part[k] = NULL;
		w->pos[k] = w->end[k] = NULL;
		agg_clear(&w->fold);
		if (sum_blocks(&w->fold, old)) {
			w->part[k] = old; /* as it was: the caller fails */
			return -1;
		}
		for (size_t i = 0; i < w->fold.nslots; i++) {
			const struct agg_entry *e = &w->fold.slots[i];
			if (e->key && append(w, k, e->key, e->klen, e->count)) {
				free_blocks(old); /* the count is lost: the caller fails */
				return -1;
			}
		}
		for (const struct spill_block *b = old; b; b = b->next)
			w->bytes -= b->used;
		free_blocks(old);
	}
	agg_clear(&w->fold);
	w->fold_at = 2 * w->bytes > agg_spill_fold_min ? 2 * w->bytes : agg_spill_fold_min;
	return 0;
}

int agg_spill_add(struct agg_spill_writer *w, const void *key, size_t klen, uint64_t count)
{
	uint64_t h = agg_hash(key, klen);

	if (klen > UINT32_MAX ||
	    append(w, (unsigned)(h >> (64 - PART_BITS)), key, (uint32_t)klen, count))
		return -1;
	return w->bytes >= w->fold_at ? fold(w) : 0;
}

/* Every writer's newest blocks get their lengths (kept in pos[] while
 * they are written to): before the blocks are read. */
static void seal(struct agg_spill *s)
{
	for (struct agg_spill_writer *w = s->writers; w; w = w->next)
		for (unsigned k = 0; k < PARTS; k++)
			if (w->part[k])
				w->part[k]->used = (size_t)(w->pos[k] - w->part[k]->data);
}

int agg_spill_each(struct agg_spill *s, agg_spill_fn fn, void *ctx)
{
	seal(s);
	for (struct agg_spill_writer *w = s->writers; w; w = w->next)
		for (unsigned k = 0; k < PARTS; k++)
			for (const struct spill_block *b = w->part[k]; b; b = b->next)
				for (const unsigned char *r = b->data, *end = r + b->used; r < end;) {
					uint64_t klen, count;
					int rc;
					r = record(r, &klen, &count);
					if ((rc = fn(ctx, r, klen, count)))
						return rc;
					r += klen;
				}
	return 0;
}

size_t agg_spill_bytes(const struct agg_spill *s)
{
	size_t n = 0;

	for (const struct agg_spill_writer *w = s->writers; w; w = w->next)
		n += w->bytes;
	return n;
}

/* What one thread of agg_spill_top does: partitions taken in turn, each
 * added up in `part` (cleared, not freed, between partitions: its slots
 * keep their size) and its first `limit` copied into `top`. */
struct top_job {
	struct agg_spill *s;
	size_t limit;
	unsigned *next; /* the next partition, under s->lock */
	struct agg part, top;
	agg_rekey_fn rekey;
	void *ctx;
	uint64_t floor; /* with rekey: no count below it can be in the top */
	unsigned char *buf; /* with rekey: AGG_REKEY_MAX bytes */
	int failed;
};

/* Keep only the first `limit` of j->top; counts below the last one kept
 * cannot get in any more. @return 0 or -1 on oom. */
static int prune(struct top_job *j)
{
	struct agg kept = { 0 };
	struct agg_entry **v;
	size_t n;

	if (!(v = agg_top(&j->top, 0, j->limit, &n)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct agg_entry *e = agg_get_hashed(&kept, v[i]->key, v[i]->klen, v[i]->hash);
		if (!e) {
			free(v);
			agg_free(&kept);
			return -1;
		}
		e->count = v[i]->count;
	}
	if (n)
		j->floor = v[n - 1]->count;
	free(v);
	agg_free(&j->top);
	j->top = kept;
	return 0;
}

/* A summed partition's entries under their new keys: those that may be in
 * the top (by count, then new key) go into j->top, which is pruned when it
 * holds twice the limit. */
static int add_rekeyed(struct top_job *j)
{
	for (size_t i = 0; i < j->part.nslots; i++) {
		const struct agg_entry *e = &j->part.slots[i];
		struct agg_entry *t;
		size_t klen;
		if (!e->key || e->count < j->floor)
			continue;
		klen = j->rekey(j->ctx, e->key, e->klen, j->buf);
		if (!(t = agg_get(&j->top, j->buf, klen)))
			return -1;
		t->count += e->count;
		if (j->limit < SIZE_MAX / 4 && j->top.n >= 2 * j->limit + 64 && prune(j))
			return -1;
	}
	agg_clear(&j->part);
	return 0;
}

static int add_partition(struct top_job *j, unsigned p)
{
	struct agg_entry **v;
	size_t n;

	for (struct agg_spill_writer *w = j->s->writers; w; w = w->next)
		if (sum_blocks(&j->part, w->part[p]))
			return -1;
	if (j->rekey)
		return add_rekeyed(j);
	if (!(v = agg_top(&j->part, 0, j->limit, &n)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct agg_entry *e = agg_get_hashed(&j->top, v[i]->key, v[i]->klen, v[i]->hash);
		if (!e) {
			free(v);
			return -1;
		}
		e->count += v[i]->count;
	}
	free(v);
	agg_clear(&j->part);
	return 0;
}

static void *top_worker(void *arg)
{
	struct top_job *j = arg;

	for (;;) {
		unsigned p;
		pthread_mutex_lock(&j->s->lock);
		p = (*j->next)++;
		pthread_mutex_unlock(&j->s->lock);
		if (p >= PARTS)
			break;
		if (add_partition(j, p)) {
			j->failed = 1;
			break;
		}
	}
	return NULL;
}

int agg_spill_top(struct agg_spill *s, size_t limit, unsigned threads, struct agg *dst)
{
	return agg_spill_top_rekeyed(s, limit, threads, dst, NULL, NULL);
}

int agg_spill_top_rekeyed(struct agg_spill *s, size_t limit, unsigned threads, struct agg *dst,
			  agg_rekey_fn rekey, void *ctx)
{
	struct top_job job[16];
	pthread_t tid[16];
	unsigned next = 0, started = 0;
	int rc = 0;

	seal(s);
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	for (unsigned t = 0; t < threads; t++) {
		job[t] = (struct top_job){ .s = s, .limit = limit, .next = &next,
					   .rekey = rekey, .ctx = ctx };
		if (rekey && !(job[t].buf = malloc(AGG_REKEY_MAX)))
			threads = t; /* fewer threads; none: fail below */
	}
	if (!threads)
		return -1;
	/* job 0 runs on this thread; the others only if their threads start */
	for (unsigned t = 1; t < threads; t++, started++)
		if (pthread_create(&tid[t], NULL, top_worker, &job[t]))
			break;
	top_worker(&job[0]);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (unsigned t = 0; t <= started; t++) {
		if (job[t].failed || (!rc && agg_merge(dst, &job[t].top)))
			rc = -1;
		agg_free(&job[t].part);
		agg_free(&job[t].top);
	}
	for (unsigned t = 0; t < threads; t++) /* those whose thread did not start too */
		free(job[t].buf);
	return rc;
}

void agg_spill_free(struct agg_spill *s)
{
	if (!s)
		return;
	while (s->writers) {
		struct agg_spill_writer *w = s->writers;
		s->writers = w->next;
		for (unsigned p = 0; p < PARTS; p++)
			free_blocks(w->part[p]);
		agg_free(&w->fold);
		free(w);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}
