/* agg_spill.c - agg.h's spilled count: for keys too many for a table that
 * stays in cache (command lines: about one per exec). Looking each key up
 * in one table of millions costs a cache miss or two per key; instead each
 * thread appends (hash, count, key) to buffers chosen by the hash's top
 * bits — sequential writes, no lookups — and agg_spill_top adds up one
 * partition at a time, in a table small enough for the cache. The counts
 * are exact: keys are compared, not only their hashes. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"

/* 1024 partitions: 5 million distinct keys make ~5,000 a partition, a
 * table of 8,192 slots (384 KiB) that stays in a core's L2. */
#define PART_BITS 10
#define PARTS (1u << PART_BITS)
#define BLOCK (32u << 10)
#define HEAD 20 /* hash, count (8 bytes each), key length (4) */

struct spill_block {
	struct spill_block *next;
	size_t used, cap;
	unsigned char data[];
};

struct agg_spill_writer {
	struct agg_spill_writer *next;
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

struct agg_spill_writer *agg_spill_writer(struct agg_spill *s)
{
	struct agg_spill_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
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

int agg_spill_add(struct agg_spill_writer *w, const void *key, size_t klen, uint64_t count)
{
	uint64_t h = agg_hash(key, klen);
	unsigned k = (unsigned)(h >> (64 - PART_BITS));
	size_t need = HEAD + klen;
	uint32_t k32 = (uint32_t)klen;
	unsigned char *p;

	if (klen > UINT32_MAX)
		return -1;
	if ((size_t)(w->end[k] - w->pos[k]) < need && new_block(w, k, need))
		return -1;
	p = w->pos[k];
	memcpy(p, &h, 8);
	memcpy(p + 8, &count, 8);
	memcpy(p + 16, &k32, 4);
	memcpy(p + HEAD, key, klen);
	w->pos[k] = p + need;
	return 0;
}

/* What one thread of agg_spill_top does: partitions taken in turn, each
 * added up in `part` (cleared, not freed, between partitions: its slots
 * keep their size) and its first `limit` copied into `top`. */
struct top_job {
	struct agg_spill *s;
	size_t limit;
	unsigned *next; /* the next partition, under s->lock */
	struct agg part, top;
	int failed;
};

static int add_partition(struct top_job *j, unsigned p)
{
	struct agg_entry **v;
	size_t n;

	for (struct agg_spill_writer *w = j->s->writers; w; w = w->next)
		for (struct spill_block *b = w->part[p]; b; b = b->next)
			for (size_t off = 0; off < b->used;) {
				const unsigned char *r = b->data + off;
				uint64_t h, count;
				uint32_t klen;
				struct agg_entry *e;
				memcpy(&h, r, 8);
				memcpy(&count, r + 8, 8);
				memcpy(&klen, r + 16, 4);
				if (!(e = agg_get_borrowed(&j->part, r + HEAD, klen, h)))
					return -1;
				e->count += count;
				off += HEAD + klen;
			}
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
	struct top_job job[16];
	pthread_t tid[16];
	unsigned next = 0, started = 0;
	int rc = 0;

	for (struct agg_spill_writer *w = s->writers; w; w = w->next) /* the newest blocks' lengths */
		for (unsigned k = 0; k < PARTS; k++)
			if (w->part[k])
				w->part[k]->used = (size_t)(w->pos[k] - w->part[k]->data);
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	for (unsigned t = 0; t < threads; t++)
		job[t] = (struct top_job){ .s = s, .limit = limit, .next = &next };
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
			while (w->part[p]) {
				struct spill_block *b = w->part[p];
				w->part[p] = b->next;
				free(b);
			}
		free(w);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}
