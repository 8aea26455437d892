/* agg.c - open addressing hash map behind agg.h. Each entry keeps its
 * key's hash (probes compare it before the key; growing rehashes nothing)
 * and the keys live in large blocks, freed together (or, borrowed, in
 * agg_spill's buffers). */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

#define BLOCK (1u << 20)

struct agg_block {
	struct agg_block *next;
	size_t used, cap;
	unsigned char data[];
};

/* 16 bytes at a time in two lanes (two multiplies at once, not one chain
 * of them), multiply and fold; good enough for a hash table. */
uint64_t agg_hash(const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t a = 0x9E3779B97F4A7C15ull ^ klen, b = 0x2545F4914F6CDD1Dull, w, v;

	for (; klen >= 16; p += 16, klen -= 16) {
		memcpy(&w, p, 8);
		memcpy(&v, p + 8, 8);
		a = (a ^ w) * 0xff51afd7ed558ccdull;
		b = (b ^ v) * 0xc4ceb9fe1a85ec53ull;
		a ^= a >> 32;
		b ^= b >> 29;
	}
	/* the last 0-15 bytes in fixed-size loads that may overlap (the
	 * length is in the seed): no memcpy call of a variable length */
	if (klen > 8) {
		memcpy(&w, p, 8);
		memcpy(&v, p + klen - 8, 8);
		a = (a ^ w) * 0xff51afd7ed558ccdull;
		a ^= a >> 32;
		b = (b ^ v) * 0xc4ceb9fe1a85ec53ull;
	} else if (klen >= 4) {
		uint32_t x, y;
		memcpy(&x, p, 4);
		memcpy(&y, p + klen - 4, 4);
		b = (b ^ ((uint64_t)x << 32 | y)) * 0xc4ceb9fe1a85ec53ull;
	} else if (klen) {
		w = p[0] | (uint64_t)p[klen >> 1] << 8 | (uint64_t)p[klen - 1] << 16;
		b = (b ^ w) * 0xc4ceb9fe1a85ec53ull;
	}
	a ^= (b << 23 | b >> 41) * 0x9E3779B97F4A7C15ull;
	a ^= a >> 33;
	a *= 0xc4ceb9fe1a85ec53ull;
	return a ^ (a >> 33);
}

static unsigned char *keep_key(struct agg *a, const void *key, size_t klen)
{
	struct agg_block *b = a->blocks;
	unsigned char *p;

	if (!b || b->cap - b->used < klen) {
		size_t cap = klen > BLOCK ? klen : BLOCK;
		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->next = a->blocks;
		b->used = 0;
		b->cap = cap;
		a->blocks = b;
	}
	p = b->data + b->used;
	memcpy(p, key, klen);
	b->used += klen;
	return p;
}

static int grow(struct agg *a)
{
	size_t n = a->nslots ? a->nslots * 2 : 256;
	struct agg_entry *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < a->nslots; i++) {
		struct agg_entry *e = &a->slots[i];
		size_t j;
		if (!e->key)
			continue;
		for (j = e->hash & (n - 1); s[j].key; j = (j + 1) & (n - 1))
			;
		s[j] = *e;
	}
	free(a->slots);
	a->slots = s;
	a->nslots = n;
	return 0;
}

static struct agg_entry *get(struct agg *a, const void *key, size_t klen, uint64_t hash,
			     int borrow)
{
	size_t i, mask;

	if ((a->n + 1) * 4 > a->nslots * 3 && grow(a)) {
		a->oom = 1;
		return NULL;
	}
	mask = a->nslots - 1;
	for (i = hash & mask; a->slots[i].key; i = (i + 1) & mask) {
		struct agg_entry *e = &a->slots[i];
		if (e->hash == hash && e->klen == klen && !memcmp(e->key, key, klen))
			return e;
	}
	/* an empty key still needs a non-NULL pointer: the slot is taken */
	a->slots[i].key = borrow ? (unsigned char *)key :
				   klen ? keep_key(a, key, klen) :
					  keep_key(a, "", 1); /* an empty key's byte: its own */
	if (!a->slots[i].key) {
		a->oom = 1;
		return NULL;
	}
	a->slots[i].klen = (uint32_t)klen;
	a->slots[i].hash = hash;
	a->n++;
	return &a->slots[i];
}

struct agg_entry *agg_get_hashed(struct agg *a, const void *key, size_t klen, uint64_t hash)
{
	return get(a, key, klen, hash, 0);
}

struct agg_entry *agg_get_borrowed(struct agg *a, const void *key, size_t klen, uint64_t hash)
{
	return get(a, key, klen, hash, 1);
}

struct agg_entry *agg_get(struct agg *a, const void *key, size_t klen)
{
	return agg_get_hashed(a, key, klen, agg_hash(key, klen));
}

int agg_merge(struct agg *dst, struct agg *src)
{
	if (!dst->n) { /* take it as it is */
		struct agg t = *dst;
		*dst = *src;
		*src = t;
		return 0;
	}
	/* room first: entries inserted in src's slot order into a smaller
	 * table would pile up in one run of slots */
	while ((dst->n + src->n) * 4 > dst->nslots * 3)
		if (grow(dst)) {
			dst->oom = 1;
			return -1;
		}
	for (size_t i = 0; i < src->nslots; i++) {
		const struct agg_entry *s = &src->slots[i];
		struct agg_entry *e;
		if (!s->key)
			continue;
		if (!(e = agg_get_hashed(dst, s->key, s->klen, s->hash)))
			return -1;
		e->count += s->count;
		e->packets += s->packets;
		e->bytes += s->bytes;
	}
	return 0;
}

static uint64_t metric(const struct agg_entry *e, int m)
{
	return m == 1 ? e->packets : m == 2 ? e->bytes : e->count;
}

/* By metric m descending, ties by key ascending. (The metric is an
 * argument, not a static: threads sort at once, agg_spill_top's.) */
static int cmp(const void *x, const void *y, void *m_)
{
	const struct agg_entry *a = *(struct agg_entry *const *)x, *b = *(struct agg_entry *const *)y;
	int m = *(const int *)m_;
	uint64_t ma = metric(a, m), mb = metric(b, m);
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c;

	if (ma != mb)
		return ma > mb ? -1 : 1;
	c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	return a->klen < b->klen ? -1 : a->klen > b->klen;
}

struct agg_entry **agg_sorted(struct agg *a, int m, size_t *n)
{
	struct agg_entry **v = malloc((a->n ? a->n : 1) * sizeof(*v));
	size_t k = 0;

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->nslots; i++)
		if (a->slots[i].key)
			v[k++] = &a->slots[i];
	qsort_r(v, k, sizeof(*v), cmp, &m);
	*n = k;
	return v;
}

/* Sift the worst entry to the root of heap h[0..n): a heap by cmp
 * reversed, so that h[0] is the one the next better entry replaces. */
static void sift_down(struct agg_entry **h, size_t n, size_t i, int *m)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		struct agg_entry *t;
		if (l < n && cmp(&h[l], &h[w], m) > 0)
			w = l;
		if (r < n && cmp(&h[r], &h[w], m) > 0)
			w = r;
		if (w == i)
			return;
		t = h[i], h[i] = h[w], h[w] = t;
		i = w;
	}
}

struct agg_entry **agg_top(struct agg *a, int m, size_t limit, size_t *n)
{
	struct agg_entry **h;
	size_t k = 0;

	if (limit >= a->n)
		return agg_sorted(a, m, n);
	*n = 0;
	if (!(h = malloc((limit ? limit : 1) * sizeof(*h))))
		return NULL;
	for (size_t i = 0; i < a->nslots && limit; i++) {
		struct agg_entry *e = &a->slots[i];
		if (!e->key)
			continue;
		if (k < limit) {
			h[k++] = e;
			if (k == limit) /* heapify */
				for (size_t j = k / 2; j-- > 0;)
					sift_down(h, k, j, &m);
		} else if (cmp(&e, &h[0], &m) < 0) {
			h[0] = e;
			sift_down(h, k, 0, &m);
		}
	}
	qsort_r(h, k, sizeof(*h), cmp, &m);
	*n = k;
	return h;
}

void agg_clear(struct agg *a)
{
	if (a->slots)
		memset(a->slots, 0, a->nslots * sizeof(*a->slots));
	a->n = 0;
	if (a->blocks) { /* keep the newest block, emptied */
		while (a->blocks->next) {
			struct agg_block *b = a->blocks->next;
			a->blocks->next = b->next;
			free(b);
		}
		a->blocks->used = 0;
	}
}

void agg_free(struct agg *a)
{
	while (a->blocks) {
		struct agg_block *b = a->blocks;
		a->blocks = b->next;
		free(b);
	}
	free(a->slots);
	memset(a, 0, sizeof(*a));
}
