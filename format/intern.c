/* intern.c - open-addressing hash table behind struct fmt_intern. */
#include <stdlib.h>
#include <string.h>

#include "intern.h"

/* A fast 64-bit hash of short keys (8 bytes a step, then a final mix). */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);

	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = 0;
		memcpy(&v, p, n);
		h = (h ^ v) * 0x94d049bb133111ebull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static int grow_slots(struct fmt_intern *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (uint32_t id = 0; id < t->count; id++) {
		size_t len;
		const uint8_t *k = fmt_intern_key(t, id, &len);
		uint32_t s = (uint32_t)hash_bytes(k, len) & (n - 1);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

int64_t fmt_intern_add(struct fmt_intern *t, const void *key, size_t len)
{
	uint64_t h;
	uint32_t s;

	if ((t->count + 1) * 2 > t->nslots && grow_slots(t))
		return -1;
	h = hash_bytes(key, len);
	for (s = (uint32_t)h & (t->nslots - 1); t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
		uint32_t id = t->slots[s] - 1;
		size_t klen;
		const uint8_t *k = fmt_intern_key(t, id, &klen);
		if (klen == len && memcmp(k, key, len) == 0)
			return id;
	}
	if (t->count + 2 > t->off_cap) {
		uint32_t cap = t->off_cap ? t->off_cap * 2 : 256;
		uint32_t *off = realloc(t->off, cap * sizeof(*off));
		if (!off)
			return -1;
		t->off = off;
		t->off_cap = cap;
		if (t->count == 0)
			t->off[0] = 0;
	}
	if (t->keys.len + len > UINT32_MAX)
		return -1;
	fmt_buf_put(&t->keys, key, len);
	if (t->keys.oom)
		return -1;
	t->off[t->count + 1] = (uint32_t)t->keys.len;
	t->slots[s] = t->count + 1;
	return t->count++;
}

void fmt_intern_reset(struct fmt_intern *t)
{
	t->keys.len = 0;
	t->count = 0;
	if (t->off)
		t->off[0] = 0;
	if (t->slots)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

void fmt_intern_free(struct fmt_intern *t)
{
	if (!t)
		return;
	fmt_buf_free(&t->keys);
	free(t->off);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
