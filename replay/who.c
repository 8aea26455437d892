/* who.c - see who.h. */
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "who.h"

struct cgroup_path {
	uint64_t id;
	unsigned source;
	char *path; /* NULL: empty slot */
};

struct who {
	struct fmt_names *names;
	struct cgroup_path *cg; /* open addressing on (source, id) */
	size_t ncg, capcg;
};

static struct cgroup_path *cg_find(const struct who *w, unsigned source, uint64_t id)
{
	uint64_t h = (id ^ ((uint64_t)source << 48)) * 0x9E3779B97F4A7C15ull;

	for (size_t i = (size_t)(h >> 17) & (w->capcg - 1);; i = (i + 1) & (w->capcg - 1)) {
		struct cgroup_path *c = &w->cg[i];
		if (!c->path || (c->id == id && c->source == source))
			return c;
	}
}

/* The latest path of each cgroup id wins (a removed cgroup keeps its name). */
static int add_cgroup(struct who *w, const struct fmt_event *ev)
{
	struct cgroup_path *c;
	char *path;

	if ((w->ncg + 1) * 2 > w->capcg) {
		struct who bigger = { .capcg = w->capcg ? w->capcg * 2 : 256 };
		if (!(bigger.cg = calloc(bigger.capcg, sizeof(*bigger.cg))))
			return -1;
		for (size_t i = 0; i < w->capcg; i++)
			if (w->cg[i].path)
				*cg_find(&bigger, w->cg[i].source, w->cg[i].id) = w->cg[i];
		free(w->cg);
		w->cg = bigger.cg;
		w->capcg = bigger.capcg;
	}
	if (!(path = strdup(ev->cgroup.path)))
		return -1;
	c = cg_find(w, ev->source, ev->cgroup.cgroup_id);
	if (c->path)
		free(c->path);
	else
		w->ncg++;
	*c = (struct cgroup_path){ .id = ev->cgroup.cgroup_id, .source = ev->source, .path = path };
	return 0;
}

/* Every exec, process-table and cgroup record of every file, in time order
 * (bad chunks are skipped: the command's own reading reports them). */
static struct who *build(struct report *r)
{
	unsigned mask = (1u << FMT_STREAM_EXEC) | (1u << FMT_STREAM_PROC) | (1u << FMT_STREAM_CGROUP);
	struct who *w = calloc(1, sizeof(*w));
	struct fmt_iter *it;
	struct fmt_event ev;
	int rc;

	if (!w || !(w->names = fmt_names_new())) {
		free(w);
		return NULL;
	}
	if (fmt_iter_open(r->readers, r->nfiles, mask, 0, UINT64_MAX, &it) == 0) {
		while ((rc = fmt_iter_next(it, &ev)) != 0) {
			if (rc < 0)
				continue;
			if (ev.stream == FMT_STREAM_CGROUP)
				add_cgroup(w, &ev);
			else
				fmt_names_add(w->names, &ev);
		}
		fmt_iter_free(it);
	}
	return w;
}

static struct who *get(struct report *r)
{
	if (!r->who)
		r->who = build(r);
	return r->who;
}

const struct fmt_names *who_names(struct report *r)
{
	struct who *w = get(r);

	return w ? w->names : NULL;
}

const char *who_cgroup(struct report *r, unsigned source, uint64_t id)
{
	struct who *w = get(r);

	return w && w->capcg ? cg_find(w, source, id)->path : NULL;
}

bool who_owners_recorded(const struct report *r, unsigned source)
{
	const char *v = fmt_reader_meta(r->readers[source], FMT_META_OWNERS);

	return v && !strcmp(v, "sockets");
}

void who_free(struct report *r)
{
	struct who *w = r->who;

	if (!w)
		return;
	for (size_t i = 0; i < w->capcg; i++)
		free(w->cg[i].path);
	free(w->cg);
	fmt_names_free(w->names);
	free(w);
	r->who = NULL;
}
