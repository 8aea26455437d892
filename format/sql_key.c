/* sql_key.c - see sql_key.h. */
#include <stdlib.h>
#include <string.h>

#include "sql_key.h"

#define BLOCK (1u << 20)

struct sql_key_block {
	struct sql_key_block *next;
	size_t used, cap;
	unsigned char data[];
};

int sql_first_less(const struct sql_first *a, const struct sql_first *b)
{
	if (a->wall != b->wall)
		return a->wall < b->wall;
	if (a->src != b->src)
		return a->src < b->src;
	if (a->chunk != b->chunk)
		return a->chunk < b->chunk;
	return a->j < b->j;
}

uint64_t sql_key_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static int grow(struct sql_key_map *m, size_t cap)
{
	struct sql_key_entry *e = calloc(cap, sizeof(*e));

	if (!e)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->e[i].key)
			continue;
		for (j = m->e[i].hash & (cap - 1); e[j].key; j = (j + 1) & (cap - 1))
			;
		e[j] = m->e[i];
	}
	free(m->e);
	m->e = e;
	m->cap = cap;
	return 0;
}

int64_t sql_key_add(struct sql_key_map *m, const unsigned char *key, size_t len, uint64_t hash,
		    uint64_t count, const struct sql_first *first, const unsigned char **kept)
{
	struct sql_key_block *b = m->blocks;
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 && grow(m, m->cap ? 2 * m->cap : 64))
		return -1;
	for (i = hash & (m->cap - 1); m->e[i].key; i = (i + 1) & (m->cap - 1)) {
		struct sql_key_entry *e = &m->e[i];
		if (e->hash == hash && e->len == len && !memcmp(e->key, key, len)) {
			e->count += count;
			if (sql_first_less(first, &e->first))
				e->first = *first;
			if (kept)
				*kept = e->key;
			return e->index;
		}
	}
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > BLOCK ? len + 1 : BLOCK;
		if (!(b = malloc(sizeof(*b) + cap)))
			return -1;
		b->next = m->blocks;
		b->used = 0;
		b->cap = cap;
		m->blocks = b;
	}
	m->e[i] = (struct sql_key_entry){ .hash = hash, .count = count, .first = *first,
					  .len = (uint32_t)len, .index = (uint32_t)m->n,
					  .key = b->data + b->used };
	memcpy(m->e[i].key, key, len);
	b->used += len + 1;
	if (kept)
		*kept = m->e[i].key;
	return (int64_t)m->n++;
}

void sql_key_map_free(struct sql_key_map *m)
{
	while (m->blocks) {
		struct sql_key_block *b = m->blocks;
		m->blocks = b->next;
		free(b);
	}
	free(m->e);
	memset(m, 0, sizeof(*m));
}

static int put(struct sql_key_buf *k, const void *p, size_t n)
{
	if (k->cap - k->len < n) {
		size_t cap = k->cap ? k->cap : 256;
		unsigned char *q;
		while (cap - k->len < n)
			cap *= 2;
		if (!(q = realloc(k->p, cap)))
			return -1;
		k->p = q;
		k->cap = cap;
	}
	memcpy(k->p + k->len, p, n);
	k->len += n;
	return 0;
}

int sql_key_put(struct sql_key_buf *k, const struct sqlv *v)
{
	unsigned char tag = (unsigned char)v->type;
	uint32_t len = (uint32_t)v->len;

	if (put(k, &tag, 1))
		return -1;
	if (v->type == SQLV_INT)
		return put(k, &v->i, 8);
	if (v->type == SQLV_TEXT)
		return put(k, &len, 4) || put(k, v->s, v->len);
	return 0;
}

void sql_key_values(const unsigned char *p, int n, struct sqlv *v)
{
	for (int c = 0; c < n; c++) {
		uint32_t len;
		v[c] = (struct sqlv){ .type = (enum sqlv_type)*p++ };
		if (v[c].type == SQLV_INT) {
			memcpy(&v[c].i, p, 8);
			p += 8;
		} else if (v[c].type == SQLV_TEXT) {
			memcpy(&len, p, 4);
			v[c].s = (const char *)p + 4;
			v[c].len = len;
			p += 4 + len;
		}
	}
}

void sql_codes_of(int stream, int ncols, const int *cols, const struct sql_row *r,
		  struct sql_scratch *sc, struct sql_code *out)
{
	for (int c = 0; c < ncols; c++) {
		uint32_t count;
		int64_t id = sql_dict_id(stream, cols[c], r, &count);
		struct sqlv v;

		if (id >= 0) {
			out[c] = (struct sql_code){ (uint64_t)id, 0 };
			continue;
		}
		sql_value(stream, cols[c], r, sc, &v);
		if (v.type == SQLV_INT)
			out[c] = (struct sql_code){ (uint64_t)v.i, 1 };
		else if (v.type == SQLV_NULL)
			out[c] = (struct sql_code){ 0, 2 };
		else /* only words from a static table are text without an id */
			out[c] = (struct sql_code){ (uint64_t)(uintptr_t)v.s, 3 };
	}
}

uint64_t sql_codes_hash(const struct sql_code *c, int n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull;

	for (int i = 0; i < n; i++) {
		h = (h ^ c[i].v ^ (uint64_t)c[i].tag << 62) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h ^ (h >> 29);
}

int sql_codes_same(const struct sql_code *a, const struct sql_code *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].v != b[i].v || a[i].tag != b[i].tag)
			return 0;
	return 1;
}
