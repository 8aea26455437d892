/* agg.c - open addressing hash map behind agg.h. */
#include <stdlib.h>
#include <string.h>

#include "agg.h"

static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h ^ (h >> 29);
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
		for (j = hash(e->key, e->klen) & (n - 1); s[j].key; j = (j + 1) & (n - 1))
			;
		s[j] = *e;
	}
	free(a->slots);
	a->slots = s;
	a->nslots = n;
	return 0;
}

struct agg_entry *agg_get(struct agg *a, const void *key, size_t klen)
{
	size_t i;

	if ((a->n + 1) * 4 > a->nslots * 3 && grow(a)) {
		a->oom = 1;
		return NULL;
	}
	for (i = hash(key, klen) & (a->nslots - 1); a->slots[i].key; i = (i + 1) & (a->nslots - 1))
		if (a->slots[i].klen == klen && !memcmp(a->slots[i].key, key, klen))
			return &a->slots[i];
	a->slots[i].key = malloc(klen ? klen : 1);
	if (!a->slots[i].key) {
		a->oom = 1;
		return NULL;
	}
	memcpy(a->slots[i].key, key, klen);
	a->slots[i].klen = (uint32_t)klen;
	a->n++;
	return &a->slots[i];
}

static int sort_metric;

static uint64_t metric(const struct agg_entry *e)
{
	return sort_metric == 1 ? e->packets : sort_metric == 2 ? e->bytes : e->count;
}

static int cmp(const void *x, const void *y)
{
	const struct agg_entry *a = *(struct agg_entry *const *)x, *b = *(struct agg_entry *const *)y;
	uint64_t ma = metric(a), mb = metric(b);
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
	sort_metric = m;
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

void agg_free(struct agg *a)
{
	for (size_t i = 0; i < a->nslots; i++)
		free(a->slots[i].key);
	free(a->slots);
	memset(a, 0, sizeof(*a));
}
