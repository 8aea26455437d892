/* proctrack.c - see proctrack.h. Memory grows with the processes seen and
 * not yet exited: one slot each, found through a pidmap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pidmap.h"
#include "proctrack.h"
#include "session.h"

#define COMM_MAX 64 /* kept per process; a comm is 15 bytes in practice */

struct slot {
	struct proc_run run; /* the open run, if open */
	char comm[COMM_MAX]; /* its comm, or the comm a failed exec showed */
	int open, has_comm;
	uint64_t seq; /* order the runs began in */
	uint32_t next_free;
};

struct proctrack {
	struct proc_ops ops;
	void *ctx;
	uint64_t *start_ns;
	unsigned nsources;
	struct pidmap map; /* (source, pid) -> slot index */
	struct slot *slots;
	uint32_t nslots, cap, free_head; /* free list through next_free, + 1 */
	uint64_t seq;
};

struct proctrack *proctrack_new(const struct proc_ops *ops, void *ctx,
				struct fmt_reader *const *readers, unsigned nsources)
{
	struct proctrack *t = calloc(1, sizeof(*t));

	if (!t || !(t->start_ns = calloc(nsources ? nsources : 1, sizeof(*t->start_ns)))) {
		free(t);
		return NULL;
	}
	for (unsigned i = 0; i < nsources; i++)
		t->start_ns[i] = session_start_ns(readers[i]);
	t->nsources = nsources;
	t->ops = *ops;
	t->ctx = ctx;
	return t;
}

void proctrack_free(struct proctrack *t)
{
	if (!t)
		return;
	pidmap_free(&t->map);
	free(t->slots);
	free(t->start_ns);
	free(t);
}

static struct slot *find(struct proctrack *t, unsigned source, uint32_t pid)
{
	uint64_t i;

	return pidmap_get(&t->map, source, pid, &i) ? &t->slots[i] : NULL;
}

static struct slot *add_slot(struct proctrack *t, unsigned source, uint32_t pid)
{
	uint32_t i;

	if (t->free_head) {
		i = t->free_head - 1;
		t->free_head = t->slots[i].next_free;
	} else {
		if (t->nslots == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 256;
			struct slot *v = realloc(t->slots, cap * sizeof(*v));
			if (!v)
				return NULL;
			t->slots = v;
			t->cap = cap;
		}
		i = t->nslots++;
	}
	if (pidmap_put(&t->map, source, pid, i)) {
		t->slots[i].next_free = t->free_head;
		t->free_head = i + 1;
		return NULL;
	}
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	return &t->slots[i];
}

static void drop_slot(struct proctrack *t, unsigned source, uint32_t pid, struct slot *s)
{
	pidmap_del(&t->map, source, pid);
	s->open = s->has_comm = 0;
	s->next_free = t->free_head;
	t->free_head = (uint32_t)(s - t->slots) + 1;
}

static void keep_comm(struct slot *s, const char *comm)
{
	snprintf(s->comm, sizeof(s->comm), "%s", comm ? comm : "");
	s->has_comm = 1;
}

/* End the open run of slot s. */
static int end_run(struct proctrack *t, struct slot *s, enum proc_end how, uint64_t ns,
		   const struct fmt_exit *x)
{
	s->run.comm = s->comm; /* the slots may have moved since it began */
	s->run.end = how;
	s->run.end_ns = ns;
	s->run.exit = x;
	s->open = 0;
	return t->ops.end(t->ctx, &s->run);
}

static int add_exec(struct proctrack *t, unsigned source, const struct fmt_exec *e)
{
	struct slot *s = find(t, source, e->pid);
	struct proc_run run = { .source = source, .pid = e->pid, .ppid = e->ppid,
				.begin = PROC_EXEC, .begin_ns = e->ts_ns, .exec = e, .comm = e->comm };
	int rc;

	if (e->ret < 0) { /* an instant; the process keeps its program */
		run.end = PROC_FAILED;
		run.end_ns = e->ts_ns;
		if ((rc = t->ops.begin(t->ctx, &run)) || (rc = t->ops.end(t->ctx, &run)))
			return rc;
		if (!s && !(s = add_slot(t, source, e->pid)))
			return -1;
		if (!s->open)
			keep_comm(s, e->comm);
		return 0;
	}
	if (s && s->open && (rc = end_run(t, s, PROC_REPLACED, e->ts_ns, NULL)))
		return rc;
	if (!s && !(s = add_slot(t, source, e->pid)))
		return -1;
	if ((rc = t->ops.begin(t->ctx, &run)))
		return rc;
	s->run = run;
	s->run.exec = NULL; /* valid during begin only */
	keep_comm(s, e->comm);
	s->open = 1;
	s->seq = t->seq++;
	return 0;
}

static int add_exit(struct proctrack *t, unsigned source, const struct fmt_exit *x)
{
	struct slot *s = find(t, source, x->pid), *parent;
	struct proc_run run;
	int rc;

	if (s && s->open) {
		rc = end_run(t, s, PROC_EXITED, x->ts_ns, x);
		drop_slot(t, source, x->pid, s);
		return rc;
	}
	/* no exec of it seen: when and how did it start? */
	run = (struct proc_run){ .source = source, .pid = x->pid, .ppid = x->ppid,
				 .begin = PROC_BEFORE, .end = PROC_EXITED, .end_ns = x->ts_ns,
				 .exit = x };
	if (x->start_ns && x->start_ns <= x->ts_ns) {
		run.begin_ns = x->start_ns;
		if (source < t->nsources && x->start_ns >= t->start_ns[source])
			run.begin = PROC_FORKED;
	}
	if (s && s->has_comm)
		run.comm = s->comm;
	else if ((parent = find(t, source, x->ppid)) && parent->has_comm)
		run.comm = parent->comm; /* a fork keeps its parent's comm */
	if (!(rc = t->ops.begin(t->ctx, &run)))
		rc = t->ops.end(t->ctx, &run);
	if (s)
		drop_slot(t, source, x->pid, s);
	return rc;
}

int proctrack_add(struct proctrack *t, const struct fmt_event *ev)
{
	if (ev->stream == FMT_STREAM_EXEC)
		return add_exec(t, ev->source, &ev->exec);
	if (ev->stream == FMT_STREAM_EXIT)
		return add_exit(t, ev->source, &ev->exit);
	return 0;
}

static int by_seq(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a, *y = *(struct slot *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int proctrack_finish(struct proctrack *t)
{
	struct slot **open = malloc((t->nslots ? t->nslots : 1) * sizeof(*open));
	uint32_t n = 0;
	int rc = 0;

	if (!open)
		return -1;
	for (uint32_t i = 0; i < t->nslots; i++)
		if (t->slots[i].open)
			open[n++] = &t->slots[i];
	qsort(open, n, sizeof(*open), by_seq);
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = end_run(t, open[i], PROC_RUNNING, 0, NULL);
	free(open);
	return rc;
}
