/* pidmap.c - see pidmap.h. Linear probing with backward-shift deletion. */
#include <stdlib.h>

#include "pidmap.h"

static uint64_t key_of(unsigned source, uint32_t pid)
{
	return ((uint64_t)source << 32 | pid) + 1;
}

static size_t home(const struct pidmap *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
}

static struct pidmap_slot *find(const struct pidmap *m, uint64_t key)
{
	size_t i = home(m, key);

	while (m->slots[i].key && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

int pidmap_get(const struct pidmap *m, unsigned source, uint32_t pid, uint64_t *val)
{
	struct pidmap_slot *s;

	if (!m->cap)
		return 0;
	s = find(m, key_of(source, pid));
	if (!s->key)
		return 0;
	*val = s->val;
	return 1;
}

static int grow(struct pidmap *m)
{
	struct pidmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return 0;
}

int pidmap_put(struct pidmap *m, unsigned source, uint32_t pid, uint64_t val)
{
	uint64_t key = key_of(source, pid);
	struct pidmap_slot *s;

	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -1;
	s = find(m, key);
	if (!s->key)
		m->n++;
	s->key = key;
	s->val = val;
	return 0;
}

void pidmap_del(struct pidmap *m, unsigned source, uint32_t pid)
{
	struct pidmap_slot *s;
	size_t i, mask;

	if (!m->cap || !(s = find(m, key_of(source, pid)))->key)
		return;
	mask = m->cap - 1;
	i = (size_t)(s - m->slots);
	s->key = 0;
	m->n--;
	/* re-place the rest of the cluster so lookups never stop early */
	for (i = (i + 1) & mask; m->slots[i].key; i = (i + 1) & mask) {
		struct pidmap_slot moved = m->slots[i];
		m->slots[i].key = 0;
		*find(m, moved.key) = moved;
	}
}

void pidmap_free(struct pidmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
