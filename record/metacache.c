/* metacache.c - see metacache.h. A small array searched linearly: a
 * session has a few dozen keys, set about once a second each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "fmt_meta.h"
#include "metacache.h"

static struct mc_entry *find(const struct metacache *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].key, key))
			return &m->v[i];
	return NULL;
}

/* A decimal count, or -1. */
static int count(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int metacache_set(struct metacache *m, const char *key, const char *value)
{
	struct mc_entry *e = find(m, key);
	const struct fmt_meta_key *k;
	char *v = strdup(value);

	if (!v)
		return -1;
	if (!e) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 32;
			struct mc_entry *nv = realloc(m->v, cap * sizeof(*nv));
			if (!nv) {
				free(v);
				return -1;
			}
			m->v = nv;
			m->cap = cap;
		}
		e = &m->v[m->n];
		*e = (struct mc_entry){ .key = strdup(key) };
		if (!e->key) {
			free(v);
			return -1;
		}
		k = fmt_meta_key(key);
		e->summed = k && (k->flags & FMT_META_SUMMED);
		m->n++;
	}
	free(e->value);
	e->value = v;
	if (e->summed && count(v, &e->num))
		e->num = e->base; /* not a count: the file keeps its own */
	return 0;
}

const char *metacache_get(const struct metacache *m, const char *key)
{
	const struct mc_entry *e = find(m, key);

	return e ? e->value : NULL;
}

/* The value of entry i in a file whose counts start at base. */
static const char *value_since(const struct mc_entry *e, uint64_t base, char *buf, size_t len)
{
	if (!e->summed)
		return e->value;
	snprintf(buf, len, "%llu", (unsigned long long)(e->num >= base ? e->num - base : 0));
	return buf;
}

const char *metacache_file_value(const struct metacache *m, const char *key, char *buf,
				 size_t len)
{
	const struct mc_entry *e = find(m, key);

	return e ? value_since(e, e->base, buf, len) : NULL;
}

void metacache_rebase(struct metacache *m)
{
	for (size_t i = 0; i < m->n; i++)
		m->v[i].base = m->v[i].num;
}

int metacache_write(const struct metacache *m, struct fmt_writer *w,
		    const struct mc_snapshot *since)
{
	char buf[32];
	int rc = FMT_OK;

	for (size_t i = 0; i < m->n && rc == FMT_OK; i++) {
		uint64_t base = !since ? m->v[i].base : i < since->n ? since->num[i] : 0;
		rc = fmt_writer_set_meta(w, m->v[i].key, value_since(&m->v[i], base, buf, sizeof(buf)));
	}
	return rc;
}

int metacache_snapshot(const struct metacache *m, struct mc_snapshot *s)
{
	s->n = 0;
	s->num = m->n ? malloc(m->n * sizeof(*s->num)) : NULL;
	if (m->n && !s->num)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		s->num[i] = m->v[i].num;
	s->n = m->n;
	return 0;
}

void mc_snapshot_free(struct mc_snapshot *s)
{
	free(s->num);
	s->num = NULL;
	s->n = 0;
}

void metacache_free(struct metacache *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}
