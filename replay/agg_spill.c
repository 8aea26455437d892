/* agg_spill.c - agg.h's spilled count: for keys too many for a table that
 * stays in cache (command lines: about one per exec). Looking each key up
 * in one table of millions costs a cache miss or two per key; instead each
 * thread appends (key length, count, key) to buffers chosen by the key
 * hash's top bits — sequential writes, no lookups — and agg_spill_top adds up one
 * partition at a time, in a table small enough for the cache. The counts
 * are exact: keys are compared, not only their hashes.
 *
 * Keys of up to AGG_SHORT_MAX bytes (most command lines as word ids) are
 * one 64-bit word (agg_short_key): their records are that word and its
 * count (8 or 12 bytes), in a lane of their own, added up in a table of words —
 * no lengths to parse, no bytes to hash or compare, slots of 16 bytes
 * instead of an agg_entry's 48. A key is always short or always not, so
 * the two lanes never count the same key. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "varint.h"

/* 256 partitions: 5 million distinct short keys make ~20,000 a
 * partition, a table of 32,768 slots of 16 bytes (512 KiB) that stays in
 * a core's L2 (1 MiB here), while a writer's 256 blocks being written to
 * keep their lines in L1. */
#define PART_BITS 8
#define PARTS (1u << PART_BITS)
#define BLOCK (32u << 10)
#define HEAD_MAX 15 /* a record: key length and count as varints, then the key */
/* A short key's record: its word with the count in the top 4 bits (a
 * short key leaves them 0) when the count is 1 to 15, as it mostly is:
 * 8 bytes; else the word and a 32-bit count: SHORT_REC_MAX bytes. */
#define SHORT_REC_MAX 12
#define NIBBLE 60

enum { LONG, SHORT }; /* the lanes */

struct spill_block {
	struct spill_block *next;
	size_t used, cap;
	unsigned char data[];
};

/* One lane's partitions: where each newest block is written and where it
 * ends, side by side here, so that adding does not touch the block's
 * head. */
struct lane {
	unsigned char *pos[PARTS], *end[PARTS];
	struct spill_block *part[PARTS]; /* newest block first */
};

/* Short keys' counts: open addressing, key 0 is a free slot (a short key
 * is never 0: its length + 1 is in its top byte). */
struct count64 {
	uint64_t key, count;
};

struct table64 {
	struct count64 *slot;
	size_t nslots, n;
	/* with a floor: the slots whose counts reached it while adding, to
	 * look at instead of every slot; all: every slot (none had a floor
	 * yet, the table grew, or the list could not) */
	uint64_t floor;
	uint32_t *reached;
	size_t nreached, cap;
	int all;
};

struct agg_spill_writer {
	struct agg_spill_writer *next;
	/* bytes of records held, and where they get added up in place (the
	 * same keys over many chunks would otherwise grow without bound) */
	size_t bytes, fold_at;
	struct agg fold; /* kept between folds: its slots keep their size */
	struct table64 fold64;
	struct lane lane[2];
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
	w->fold64.all = 1; /* a fold reads every slot: no floor */
	pthread_mutex_lock(&s->lock);
	w->next = s->writers;
	s->writers = w;
	pthread_mutex_unlock(&s->lock);
	return w;
}

/* Partition k's newest block gets its length, kept in pos[] while it is
 * written to. */
static void seal_part(struct lane *l, unsigned k)
{
	if (l->part[k])
		l->part[k]->used = (size_t)(l->pos[k] - l->part[k]->data);
}

/* Start a new block for partition k of lane l with room for need bytes. */
static int new_block(struct lane *l, unsigned k, size_t need)
{
	size_t cap = need > BLOCK ? need : BLOCK;
	struct spill_block *b = malloc(sizeof(*b) + cap);

	if (!b)
		return -1;
	seal_part(l, k);
	b->next = l->part[k];
	b->used = 0;
	b->cap = cap;
	l->part[k] = b;
	l->pos[k] = b->data;
	l->end[k] = b->data + cap;
	return 0;
}

/* Bytes left in partition k's newest block: 0 before its first (as
 * integers: two null pointers may not be subtracted). */
static inline size_t room(const struct lane *l, unsigned k)
{
	return (uintptr_t)l->end[k] - (uintptr_t)l->pos[k];
}

/* The record at r: its key's length and its count. @return its key. */
static inline const unsigned char *record(const unsigned char *r, uint64_t *klen,
					  uint64_t *count)
{
	return varint_get(varint_get(r, klen), count);
}

/* Append a record to partition k: no hash (the adding up computes it
 * again), and lengths and counts (mostly 1) in a byte or two: a record is
 * about as small as its key, and the writes into the partitions' blocks
 * that miss the cache are that few. @return 0 or -1 on oom. */
static int append(struct agg_spill_writer *w, unsigned k, const void *key, uint32_t klen,
		  uint64_t count)
{
	struct lane *l = &w->lane[LONG];
	unsigned char *p, *start;

	if (room(l, k) < HEAD_MAX + (size_t)klen &&
	    new_block(l, k, HEAD_MAX + (size_t)klen))
		return -1;
	p = start = l->pos[k];
	p = varint_put(p, klen);
	p = varint_put(p, count);
	memcpy(p, key, klen);
	p += klen;
	l->pos[k] = p;
	w->bytes += (size_t)(p - start);
	return 0;
}

/* A short key's hash: its top bits choose the partition, its low bits the
 * slot (murmur3's finalizer: a key's bytes differ mostly in its high
 * bits, the last word's id). */
static inline uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	return k ^ (k >> 33);
}

static inline unsigned part_of(uint64_t hash)
{
	return (unsigned)(hash >> (64 - PART_BITS));
}

/* Write the record of short key counted c times at p (SHORT_REC_MAX
 * bytes of room). @return the byte after it. */
static inline unsigned char *put_short(unsigned char *p, uint64_t key, uint32_t c)
{
	if (c && c < 16) {
		key |= (uint64_t)c << NIBBLE;
		memcpy(p, &key, 8);
		return p + 8;
	}
	memcpy(p, &key, 8);
	memcpy(p + 8, &c, 4);
	return p + 12;
}

/* The record at r into its key and count. @return the byte after it. */
static inline const unsigned char *get_short(const unsigned char *r, uint64_t *key,
					     uint32_t *count)
{
	uint64_t k;

	memcpy(&k, r, 8);
	if (k >> NIBBLE) {
		*key = k & ((1ull << NIBBLE) - 1);
		*count = (uint32_t)(k >> NIBBLE);
		return r + 8;
	}
	*key = k;
	memcpy(count, r + 8, 4);
	return r + 12;
}

/* Append short key's record to partition k, its count cut into 32-bit
 * parts. @return 0 or -1 on oom. */
static inline int append_short(struct agg_spill_writer *w, unsigned k, uint64_t key,
			       uint64_t count)
{
	struct lane *l = &w->lane[SHORT];

	do {
		uint32_t c = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
		unsigned char *p;
		if (room(l, k) < SHORT_REC_MAX &&
		    new_block(l, k, SHORT_REC_MAX))
			return -1;
		p = put_short(l->pos[k], key, c);
		w->bytes += (size_t)(p - l->pos[k]);
		l->pos[k] = p;
		count -= c;
	} while (count);
	return 0;
}

/* The slot of key (hash h) in t, made if new. @return NULL on oom. */
static struct count64 *get64(struct table64 *t, uint64_t key, uint64_t h)
{
	size_t i, mask;

	if ((t->n + 1) * 4 > t->nslots * 3) {
		size_t n = t->nslots ? 2 * t->nslots : 1024;
		struct count64 *s = calloc(n, sizeof(*s));
		if (!s)
			return NULL;
		for (size_t j = 0; j < t->nslots; j++) {
			size_t at;
			if (!t->slot[j].key)
				continue;
			for (at = hash64(t->slot[j].key) & (n - 1); s[at].key; at = (at + 1) & (n - 1))
				;
			s[at] = t->slot[j];
		}
		free(t->slot);
		t->slot = s;
		t->nslots = n;
		t->all = 1; /* the slots moved */
	}
	mask = t->nslots - 1;
	for (i = h & mask; t->slot[i].key; i = (i + 1) & mask)
		if (t->slot[i].key == key)
			return &t->slot[i];
	t->slot[i].key = key;
	t->n++;
	return &t->slot[i];
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

/* Slot i's count reached t->floor. */
static void mark_reached(struct table64 *t, size_t i)
{
	if (t->nreached == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 1024;
		uint32_t *r = realloc(t->reached, cap * sizeof(*r));
		if (!r) {
			t->all = 1;
			return;
		}
		t->reached = r;
		t->cap = cap;
	}
	t->reached[t->nreached++] = (uint32_t)i;
}

/* The same for short keys' records. */
static int sum_short(struct table64 *t, const struct spill_block *b)
{
	for (; b; b = b->next)
		for (const unsigned char *r = b->data, *end = b->data + b->used; r < end;) {
			uint64_t key;
			uint32_t count;
			struct count64 *e;
			r = get_short(r, &key, &count);
			if (!(e = get64(t, key, hash64(key))))
				return -1;
			e->count += count;
			if (!t->all && e->count >= t->floor && e->count - count < t->floor)
				mark_reached(t, (size_t)(e - t->slot));
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

/* Take partition k of lane l out of the writer, its blocks sealed.
 * @return its blocks. */
static struct spill_block *take(struct agg_spill_writer *w, struct lane *l, unsigned k)
{
	struct spill_block *old = l->part[k];

	seal_part(l, k);
	l->part[k] = NULL;
	l->pos[k] = l->end[k] = NULL;
	for (const struct spill_block *b = old; b; b = b->next)
		w->bytes -= b->used;
	return old;
}

/* Add up each of w's partitions in place: one record per key. A failure
 * loses counts: the caller fails. */
static int fold(struct agg_spill_writer *w)
{
	for (unsigned k = 0; k < PARTS; k++) {
		struct spill_block *old = take(w, &w->lane[LONG], k);
		int rc = 0;
		agg_clear(&w->fold);
		rc = old ? sum_blocks(&w->fold, old) : 0;
		for (size_t i = 0; i < w->fold.nslots && !rc; i++) {
			const struct agg_entry *e = &w->fold.slots[i];
			if (e->key)
				rc = append(w, k, e->key, e->klen, e->count);
		}
		free_blocks(old); /* after: the fold's keys were borrowed from it */
		old = take(w, &w->lane[SHORT], k);
		if (!rc && old)
			rc = sum_short(&w->fold64, old);
		free_blocks(old);
		for (size_t i = 0; i < w->fold64.nslots; i++) {
			struct count64 *e = &w->fold64.slot[i];
			if (e->key && !rc)
				rc = append_short(w, k, e->key, e->count);
			*e = (struct count64){ 0 };
		}
		w->fold64.n = 0;
		if (rc)
			return -1;
	}
	agg_clear(&w->fold);
	w->fold_at = 2 * w->bytes > agg_spill_fold_min ? 2 * w->bytes : agg_spill_fold_min;
	return 0;
}

int agg_spill_add(struct agg_spill_writer *w, const void *key, size_t klen, uint64_t count)
{
	uint64_t h;

	if (klen <= AGG_SHORT_MAX) {
		uint64_t k = agg_short_key(key, klen);
		return agg_spill_add_shorts(w, &k, &count, 1);
	}
	h = agg_hash(key, klen);
	if (klen > UINT32_MAX || append(w, part_of(h), key, (uint32_t)klen, count))
		return -1;
	return w->bytes >= w->fold_at ? fold(w) : 0;
}

int agg_spill_add_shorts(struct agg_spill_writer *w, const uint64_t *key, const uint64_t *count,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (append_short(w, part_of(hash64(key[i])), key[i], count[i]))
			return -1;
	return w->bytes >= w->fold_at ? fold(w) : 0;
}

unsigned agg_spill_partition(const void *key, size_t klen)
{
	return part_of(klen <= AGG_SHORT_MAX ? hash64(agg_short_key(key, klen)) :
					       agg_hash(key, klen));
}

/* Every writer's newest blocks get their lengths: before the blocks are
 * read. */
static void seal(struct agg_spill *s)
{
	for (struct agg_spill_writer *w = s->writers; w; w = w->next)
		for (int l = LONG; l <= SHORT; l++)
			for (unsigned k = 0; k < PARTS; k++)
				seal_part(&w->lane[l], k);
}

int agg_spill_each(struct agg_spill *s, agg_spill_fn fn, void *ctx)
{
	unsigned char bytes[8];
	int rc;

	seal(s);
	for (struct agg_spill_writer *w = s->writers; w; w = w->next)
		for (unsigned k = 0; k < PARTS; k++) {
			for (const struct spill_block *b = w->lane[LONG].part[k]; b; b = b->next)
				for (const unsigned char *r = b->data, *end = r + b->used; r < end;) {
					uint64_t klen, count;
					r = record(r, &klen, &count);
					if ((rc = fn(ctx, r, klen, count)))
						return rc;
					r += klen;
				}
			for (const struct spill_block *b = w->lane[SHORT].part[k]; b; b = b->next)
				for (const unsigned char *r = b->data, *end = r + b->used; r < end;) {
					uint64_t key;
					uint32_t count;
					r = get_short(r, &key, &count);
					if ((rc = fn(ctx, bytes, agg_short_bytes(key, bytes), count)))
						return rc;
				}
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
 * added up in `part` and `part64` (cleared, not freed, between
 * partitions: their slots keep their size) and its first `limit` copied
 * into `top`. */
struct top_job {
	struct agg_spill *s;
	size_t limit;
	unsigned *next; /* the next partition, under s->lock */
	struct agg part, top;
	struct table64 part64;
	agg_rekey_fn rekey;
	void *ctx;
	uint64_t floor; /* no count below it can be in the top any more */
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

/* A key whose count is whole (each key is counted in one partition of one
 * lane) into j->top under its new key, if it may be in the top (by count,
 * then key); j->top is pruned when it holds twice the limit. */
static int candidate(struct top_job *j, const void *key, size_t klen, uint64_t count)
{
	struct agg_entry *t;

	if (count < j->floor)
		return 0;
	if (j->rekey) {
		klen = j->rekey(j->ctx, key, klen, j->buf);
		key = j->buf;
	}
	if (!(t = agg_get(&j->top, key, klen)))
		return -1;
	t->count += count;
	if (j->limit < SIZE_MAX / 4 && j->top.n >= 2 * j->limit + 64)
		return prune(j);
	return 0;
}

/* The long keys of partition p, summed in j->part, into j->top. */
static int add_long(struct top_job *j)
{
	struct agg_entry **v;
	size_t n;
	int rc = 0;

	if (j->rekey) {
		for (size_t i = 0; i < j->part.nslots && !rc; i++)
			if (j->part.slots[i].key)
				rc = candidate(j, j->part.slots[i].key, j->part.slots[i].klen,
					       j->part.slots[i].count);
		agg_clear(&j->part);
		return rc;
	}
	if (!(v = agg_top(&j->part, 0, j->limit, &n)))
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		struct agg_entry *e = agg_get_hashed(&j->top, v[i]->key, v[i]->klen, v[i]->hash);
		if (e)
			e->count += v[i]->count;
		rc = e ? 0 : -1;
	}
	free(v);
	agg_clear(&j->part);
	return rc;
}

/* The short keys of partition p, summed in j->part64, into j->top: the
 * slots that reached the floor, or every slot; the table is left empty,
 * ready for the next partition with j's floor. */
static int add_short(struct top_job *j)
{
	struct table64 *t = &j->part64;
	unsigned char bytes[8];
	int rc = 0;

	if (t->all) {
		for (size_t i = 0; i < t->nslots && !rc; i++) {
			const struct count64 *e = &t->slot[i];
			if (e->key && e->count >= j->floor)
				rc = candidate(j, bytes, agg_short_bytes(e->key, bytes), e->count);
		}
	} else {
		for (size_t i = 0; i < t->nreached && !rc; i++) {
			const struct count64 *e = &t->slot[t->reached[i]];
			rc = candidate(j, bytes, agg_short_bytes(e->key, bytes), e->count);
		}
	}
	if (t->slot)
		memset(t->slot, 0, t->nslots * sizeof(*t->slot));
	t->n = t->nreached = 0;
	t->floor = j->floor;
	t->all = !t->floor; /* no floor: every count reaches it */
	return rc;
}

static int add_partition(struct top_job *j, unsigned p)
{
	for (struct agg_spill_writer *w = j->s->writers; w; w = w->next)
		if (sum_blocks(&j->part, w->lane[LONG].part[p]) ||
		    sum_short(&j->part64, w->lane[SHORT].part[p]))
			return -1;
	return add_long(j) || add_short(j) ? -1 : 0;
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
					   .rekey = rekey, .ctx = ctx,
					   .part64.all = 1 }; /* no floor yet */
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
		free(job[t].part64.slot);
		free(job[t].part64.reached);
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
		for (int l = LONG; l <= SHORT; l++)
			for (unsigned p = 0; p < PARTS; p++)
				free_blocks(w->lane[l].part[p]);
		agg_free(&w->fold);
		free(w->fold64.slot);
		free(w);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}
