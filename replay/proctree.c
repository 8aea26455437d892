/* proctree.c - see proctree.h. Processes and programs live in two arrays
 * addressed by id (index + 1); (file, pid, start) finds a process through
 * an open-addressing table, (file, pid) its pid's current process through
 * a pidmap. Strings are copied into an arena: argv up to ARGV_KEEP bytes a
 * program, and none past STRINGS_MAX in all, so a session of millions of
 * execs cannot make a page's memory unbounded. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "pidmap.h"
#include "proctree.h"
#include "session.h"

#define ARGV_KEEP 4096 /* bytes of one program's argv kept */
#define STRINGS_MAX (128u << 20) /* bytes of strings kept in all */
#define BLOCK 65536

struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(max_align_t) char data[];
};

struct proctree {
	struct pt_proc *procs;
	uint32_t nprocs;
	size_t capprocs;
	struct pt_prog *progs;
	uint32_t nprogs;
	size_t capprogs;
	uint32_t *byid; /* (source, pid, start) -> id; open addressing, 0 = empty */
	size_t capid, nid;
	struct pidmap current; /* (source, pid) -> id of the pid's latest process */
	struct block *blocks;
	size_t kept; /* string bytes in the arena */
	uint64_t *session_start;
	unsigned nsources;
	struct pt_traffic unowned[2]; /* by enum fmt_dir */
	uint32_t *order; /* tree order, after finish */
	uint32_t first_root;
};

struct proctree *proctree_new(struct fmt_reader *const *readers, unsigned nsources)
{
	struct proctree *t = calloc(1, sizeof(*t));

	if (!t || !(t->session_start = calloc(nsources ? nsources : 1, sizeof(uint64_t)))) {
		free(t);
		return NULL;
	}
	for (unsigned i = 0; i < nsources; i++)
		t->session_start[i] = session_start_ns(readers[i]);
	t->nsources = nsources;
	return t;
}

void proctree_free(struct proctree *t)
{
	if (!t)
		return;
	while (t->blocks) {
		struct block *b = t->blocks;
		t->blocks = b->next;
		free(b);
	}
	pidmap_free(&t->current);
	free(t->procs);
	free(t->progs);
	free(t->byid);
	free(t->session_start);
	free(t->order);
	free(t);
}

/* ---- strings ------------------------------------------------------------ */

static void *alloc(struct proctree *t, size_t n)
{
	struct block *b = t->blocks;

	n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK ? n : BLOCK;
		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = t->blocks;
		t->blocks = b;
	}
	b->used += n;
	t->kept += n;
	return b->data + b->used - n;
}

/* A copy of at most max bytes of s (NULL stays NULL). @return 0, -1 on oom. */
static int keep(struct proctree *t, const char *s, size_t max, const char **out)
{
	size_t n;
	char *c;

	*out = NULL;
	if (!s)
		return 0;
	n = strnlen(s, max);
	if (!(c = alloc(t, n + 1)))
		return -1;
	memcpy(c, s, n);
	c[n] = 0;
	*out = c;
	return 0;
}

/* Keep argv in pr, whole arguments up to ARGV_KEEP bytes (the first one
 * cut there if it alone is longer). @return 0, -1 on oom. */
static int keep_argv(struct proctree *t, struct pt_prog *pr, uint32_t argc,
		     const char *const *argv)
{
	const char **v;
	size_t used = 0;
	uint32_t n = 0;

	if (t->kept > STRINGS_MAX) {
		pr->argv_cut = argc > 0;
		return 0;
	}
	while (n < argc && (n == 0 || used + strlen(argv[n]) < ARGV_KEEP))
		used += strlen(argv[n++]) + 1;
	if (!n)
		return 0;
	if (!(v = alloc(t, n * sizeof(*v))))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (keep(t, argv[i], ARGV_KEEP, &v[i]))
			return -1;
	pr->argv = v;
	pr->argc = n;
	pr->argv_cut = n < argc || strlen(argv[0]) >= ARGV_KEEP;
	return 0;
}

/* ---- finding processes --------------------------------------------------- */

static size_t home(const struct proctree *t, unsigned source, uint32_t pid, uint64_t start)
{
	uint64_t h = (start ^ ((uint64_t)pid << 32 | source)) * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 17) & (t->capid - 1);
}

static uint32_t *slot(const struct proctree *t, unsigned source, uint32_t pid, uint64_t start)
{
	for (size_t i = home(t, source, pid, start);; i = (i + 1) & (t->capid - 1)) {
		const struct pt_proc *p = t->byid[i] ? &t->procs[t->byid[i] - 1] : NULL;
		if (!p || (p->pid == pid && p->start_ns == start && p->source == source))
			return &t->byid[i];
	}
}

static int index_id(struct proctree *t, uint32_t id)
{
	const struct pt_proc *p = &t->procs[id - 1];

	if ((t->nid + 1) * 2 > t->capid) {
		struct proctree bigger = { .procs = t->procs, .capid = t->capid ? t->capid * 2 : 256 };
		if (!(bigger.byid = calloc(bigger.capid, sizeof(*bigger.byid))))
			return -1;
		for (size_t i = 0; i < t->capid; i++) {
			const struct pt_proc *q = t->byid[i] ? &t->procs[t->byid[i] - 1] : NULL;
			if (q)
				*slot(&bigger, q->source, q->pid, q->start_ns) = t->byid[i];
		}
		free(t->byid);
		t->byid = bigger.byid;
		t->capid = bigger.capid;
	}
	*slot(t, p->source, p->pid, p->start_ns) = id;
	t->nid++;
	return 0;
}

/* The process a record of (source, pid, start) belongs to: that very
 * process, or, when either start is unknown, the pid's current process if
 * it has not exited (which then learns its start). @return its id or 0. */
static uint32_t lookup(struct proctree *t, unsigned source, uint32_t pid, uint64_t start)
{
	uint64_t cur;
	struct pt_proc *p;

	if (start && t->capid && *slot(t, source, pid, start))
		return *slot(t, source, pid, start);
	if (!pidmap_get(&t->current, source, pid, &cur))
		return 0;
	p = &t->procs[cur - 1];
	if (p->exited || (start && p->start_ns))
		return 0;
	if (start && !p->start_ns) {
		p->start_ns = start;
		if (source < t->nsources)
			p->origin = start < t->session_start[source] ? PT_BEFORE : PT_DURING;
		if (index_id(t, (uint32_t)cur))
			return 0;
	}
	return (uint32_t)cur;
}

/* A new, zeroed process. @return its id, 0 on out of memory. */
static uint32_t new_proc(struct proctree *t)
{
	struct pt_proc *v = t->nprocs < UINT32_MAX ?
				    array_room(t->procs, t->nprocs, &t->capprocs, sizeof(*v)) :
				    NULL;

	if (!v)
		return 0;
	t->procs = v;
	memset(&v[t->nprocs], 0, sizeof(*v));
	return ++t->nprocs;
}

static uint32_t add_proc(struct proctree *t, unsigned source, uint32_t pid, uint32_t ppid,
			 uint64_t start, uint64_t seen)
{
	uint32_t id = new_proc(t);
	struct pt_proc *p;

	if (!id)
		return 0;
	p = &t->procs[id - 1];
	*p = (struct pt_proc){ .source = source, .pid = pid, .ppid = ppid, .start_ns = start,
			       .seen_ns = seen };
	if (start && source < t->nsources)
		p->origin = start < t->session_start[source] ? PT_BEFORE : PT_DURING;
	if ((start && index_id(t, id)) || pidmap_put(&t->current, source, pid, id)) {
		t->nprocs--;
		return 0;
	}
	return id;
}

/* The process of a record, made if new. @return its id, 0 on oom. */
static uint32_t proc_of(struct proctree *t, unsigned source, uint32_t pid, uint32_t ppid,
			uint64_t start, uint64_t seen)
{
	uint32_t id = lookup(t, source, pid, start);

	if (!id)
		return add_proc(t, source, pid, ppid, start, seen);
	if (!t->procs[id - 1].ppid)
		t->procs[id - 1].ppid = ppid;
	return id;
}

/* ---- records ------------------------------------------------------------- */

static struct pt_prog *add_prog(struct proctree *t, uint32_t proc)
{
	struct pt_proc *p = &t->procs[proc - 1];
	struct pt_prog *pr = t->nprogs < UINT32_MAX ?
				     array_room(t->progs, t->nprogs, &t->capprogs, sizeof(*pr)) :
				     NULL;

	if (!pr)
		return NULL;
	t->progs = pr;
	pr = &t->progs[t->nprogs++];
	memset(pr, 0, sizeof(*pr));
	if (p->last_prog)
		t->progs[p->last_prog - 1].next = t->nprogs;
	else
		p->first_prog = t->nprogs;
	p->last_prog = t->nprogs;
	return pr;
}

static void set_comm(char *dst, const char *comm)
{
	snprintf(dst, 16, "%s", comm ? comm : "");
}

static int add_exec(struct proctree *t, unsigned source, const struct fmt_exec *e)
{
	uint32_t id = proc_of(t, source, e->pid, e->ppid, e->start_ns, e->ts_ns);
	struct pt_prog *pr;
	struct pt_proc *p;

	if (!id || !(pr = add_prog(t, id)))
		return -1;
	p = &t->procs[id - 1];
	pr->ts_ns = e->ts_ns;
	pr->ret = e->ret;
	pr->flags = e->flags;
	set_comm(pr->comm, e->comm);
	if (keep(t, e->filename, ARGV_KEEP, &pr->filename) ||
	    keep(t, e->interp, ARGV_KEEP, &pr->interp) || keep(t, e->cwd, ARGV_KEEP, &pr->cwd) ||
	    keep_argv(t, pr, e->argc, e->argv))
		return -1;
	if (e->ret == 0 || !p->comm[0])
		set_comm(p->comm, e->comm);
	if (!p->pcomm[0])
		set_comm(p->pcomm, e->pcomm);
	if (e->ret == 0 || !p->has_uid)
		p->uid = e->uid, p->has_uid = true;
	return 0;
}

static int add_table(struct proctree *t, unsigned source, const struct fmt_proc *e)
{
	uint32_t id = lookup(t, source, e->pid, e->start_ns);
	struct pt_prog *pr;
	struct pt_proc *p;

	if (id)
		return 0; /* listed twice */
	if (!(id = add_proc(t, source, e->pid, e->ppid, e->start_ns, e->ts_ns)))
		return -1;
	p = &t->procs[id - 1];
	p->from_table = true;
	p->origin = PT_BEFORE;
	p->uid = e->uid;
	p->has_uid = true;
	set_comm(p->comm, e->comm);
	if (e->flags & FMT_PROC_KTHREAD)
		return 0; /* no program */
	if (!(pr = add_prog(t, id)))
		return -1;
	pr->ts_ns = e->ts_ns;
	pr->from_table = true;
	set_comm(pr->comm, e->comm);
	pr->flags = e->flags;
	if (keep(t, e->exe, ARGV_KEEP, &pr->filename) || keep(t, e->cwd, ARGV_KEEP, &pr->cwd) ||
	    keep_argv(t, pr, e->argc, e->argv))
		return -1;
	return 0;
}

static int add_exit(struct proctree *t, unsigned source, const struct fmt_exit *x)
{
	uint32_t id = proc_of(t, source, x->pid, x->ppid, x->start_ns, x->ts_ns);
	struct pt_proc *p;

	if (!id)
		return -1;
	p = &t->procs[id - 1];
	p->exited = true;
	p->end_ns = x->ts_ns;
	p->exit_code = x->exit_code;
	p->signal = x->signal;
	return 0;
}

static void add_traffic(struct pt_traffic *tr, const struct fmt_flow *f)
{
	tr->packets += f->packets;
	tr->bytes += f->bytes;
}

static int add_flow(struct proctree *t, unsigned source, const struct fmt_flow *f)
{
	const struct fmt_owner *o = &f->owner;
	bool sent = f->key.dir == FMT_DIR_EGRESS;
	struct pt_proc *p;
	uint32_t id;

	if (!o->pid) {
		add_traffic(&t->unowned[sent], f);
		return 0;
	}
	/* ppid unknown: the process's exit, if recorded, tells it */
	id = proc_of(t, source, o->pid, 0, o->start_ns,
		     f->ts_ns > f->interval_ns ? f->ts_ns - f->interval_ns : 0);
	if (!id)
		return -1;
	p = &t->procs[id - 1];
	add_traffic(sent ? &p->sent : &p->recv, f);
	return 0;
}

int proctree_add(struct proctree *t, const struct fmt_event *ev)
{
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return add_exec(t, ev->source, &ev->exec);
	case FMT_STREAM_PROC:
		return add_table(t, ev->source, &ev->proc);
	case FMT_STREAM_EXIT:
		return add_exit(t, ev->source, &ev->exit);
	case FMT_STREAM_FLOW:
		return add_flow(t, ev->source, &ev->flow);
	default:
		return 0;
	}
}

/* ---- the tree ------------------------------------------------------------ */

#define PARENT_TRIES 64 /* earlier processes of the parent's pid (or its programs) tried */

/* When a process began, as far as its records tell. */
static uint64_t begin_of(const struct pt_proc *p)
{
	return p->start_ns ? p->start_ns : p->seen_ns;
}

/* Order by (source, pid, begin, id): a pid's processes in the order they
 * began. */
static const struct proctree *sorting;

static int by_pid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct pt_proc *p = &sorting->procs[x - 1], *q = &sorting->procs[y - 1];

	if (p->source != q->source)
		return p->source < q->source ? -1 : 1;
	if (p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	if (begin_of(p) != begin_of(q))
		return begin_of(p) < begin_of(q) ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Order by (begin, id): siblings as they began. */
static int by_begin(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t p = begin_of(&sorting->procs[x - 1]), q = begin_of(&sorting->procs[y - 1]);

	if (p != q)
		return p < q ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* The process of the child's ppid that began before it (in by_pid order)
 * and was alive then, else the latest that began before it. @return its
 * id, or 0 if none did. */
static uint32_t find_parent(const struct proctree *t, const uint32_t *sorted, uint32_t n,
			    uint32_t child)
{
	const struct pt_proc *c = &t->procs[child - 1];
	struct pt_proc key = { .source = c->source, .pid = c->ppid, .start_ns = begin_of(c) };
	size_t lo = 0, hi = n, first;

	/* the first entry not before (source, ppid, begin, child) */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct pt_proc *m = &t->procs[sorted[mid] - 1];
		int less = m->source != key.source ? m->source < key.source :
			   m->pid != key.pid	   ? m->pid < key.pid :
			   begin_of(m) != key.start_ns ? begin_of(m) < key.start_ns :
							 sorted[mid] < child;
		if (less)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (size_t i = first; i > 0 && first - i < PARENT_TRIES; i--) {
		const struct pt_proc *m = &t->procs[sorted[i - 1] - 1];
		if (m->source != c->source || m->pid != c->ppid)
			break;
		if (!m->exited || m->end_ns >= begin_of(c))
			return sorted[i - 1];
	}
	if (first > 0) {
		const struct pt_proc *m = &t->procs[sorted[first - 1] - 1];
		if (m->source == c->source && m->pid == c->ppid)
			return sorted[first - 1];
	}
	return 0;
}

/* The placeholder for the unknown parent of child. @return its id, 0 on oom. */
static uint32_t placeholder(struct proctree *t, struct pidmap *made, uint32_t child)
{
	const struct pt_proc *c = &t->procs[child - 1];
	unsigned source = c->source;
	uint32_t ppid = c->ppid, id;
	uint64_t begin = begin_of(c), v;
	char pcomm[16];
	struct pt_proc *p;

	if (pidmap_get(made, source, ppid, &v)) {
		p = &t->procs[v - 1];
		if (begin < p->seen_ns)
			p->seen_ns = begin;
		return (uint32_t)v;
	}
	memcpy(pcomm, c->pcomm, sizeof(pcomm));
	if (!(id = new_proc(t)))
		return 0;
	t->procs[id - 1] = (struct pt_proc){ .source = source, .pid = ppid, .seen_ns = begin,
					     .placeholder = true };
	set_comm(t->procs[id - 1].comm, pcomm);
	return pidmap_put(made, source, ppid, id) ? 0 : id;
}

static int link_parents(struct proctree *t)
{
	uint32_t n = t->nprocs, *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	struct pidmap made = { 0 };
	int rc = 0;

	if (!sorted)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		sorted[i] = i + 1;
	sorting = t;
	qsort(sorted, n, sizeof(*sorted), by_pid);
	for (uint32_t id = 1; id <= n && !rc; id++) {
		uint32_t parent;
		if (!t->procs[id - 1].ppid)
			continue;
		parent = find_parent(t, sorted, n, id);
		if (!parent && !(parent = placeholder(t, &made, id)))
			rc = -1;
		t->procs[id - 1].parent = parent;
	}
	pidmap_free(&made);
	free(sorted);
	return rc;
}

/* Children lists in the order processes began; roots likewise. */
static int link_children(struct proctree *t)
{
	uint32_t n = t->nprocs, *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	uint32_t *last = calloc(n + 1, sizeof(*last)); /* last child so far; [0]: roots */

	if (!sorted || !last) {
		free(sorted);
		free(last);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++)
		sorted[i] = i + 1;
	sorting = t;
	qsort(sorted, n, sizeof(*sorted), by_begin);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = sorted[i], parent = t->procs[id - 1].parent;
		if (last[parent])
			t->procs[last[parent] - 1].next_sibling = id;
		else if (parent)
			t->procs[parent - 1].first_child = id;
		else
			t->first_root = id;
		last[parent] = id;
	}
	free(sorted);
	free(last);
	return 0;
}

static void add_up(struct pt_traffic *to, const struct pt_traffic *from)
{
	to->packets += from->packets;
	to->bytes += from->bytes;
}

/* The comm a process that never exec'd has: a fork keeps the one its
 * parent had then (its latest program begun by then, else its first). */
static const char *forked_comm(const struct proctree *t, const struct pt_proc *p)
{
	const struct pt_proc *parent = &t->procs[p->parent - 1];
	const char *comm = parent->comm, *first = NULL;
	uint32_t n = 0;

	for (uint32_t id = parent->first_prog; id && n++ < PARENT_TRIES; id = t->progs[id - 1].next) {
		const struct pt_prog *pr = &t->progs[id - 1];
		if (pr->ret)
			continue;
		if (!first)
			first = comm = pr->comm;
		if (pr->ts_ns <= begin_of(p))
			comm = pr->comm;
	}
	return comm;
}

/* Walk the tree depth first (no recursion: a hostile chain may be deep):
 * order, depths, inherited comms, then traffic summed bottom up. */
static int walk(struct proctree *t)
{
	uint32_t n = 0;

	if (!(t->order = malloc((t->nprocs ? t->nprocs : 1) * sizeof(*t->order))))
		return -1;
	for (uint32_t root = t->first_root; root; root = t->procs[root - 1].next_sibling) {
		uint32_t id = root, depth = 0;
		for (;;) {
			struct pt_proc *p = &t->procs[id - 1];
			p->depth = depth;
			if (!p->comm[0] && p->parent)
				memcpy(p->comm, forked_comm(t, p), sizeof(p->comm));
			p->tree_sent = p->sent;
			p->tree_recv = p->recv;
			t->order[n++] = id;
			if (p->first_child) {
				id = p->first_child;
				depth++;
				continue;
			}
			while (id != root && !t->procs[id - 1].next_sibling) {
				id = t->procs[id - 1].parent;
				depth--;
			}
			if (id == root)
				break;
			id = t->procs[id - 1].next_sibling;
		}
	}
	for (uint32_t i = n; i-- > 0;) {
		struct pt_proc *p = &t->procs[t->order[i] - 1];
		if (p->parent) {
			add_up(&t->procs[p->parent - 1].tree_sent, &p->tree_sent);
			add_up(&t->procs[p->parent - 1].tree_recv, &p->tree_recv);
		}
	}
	return 0;
}

int proctree_finish(struct proctree *t)
{
	if (link_parents(t) || link_children(t))
		return -1;
	return walk(t);
}

const uint32_t *proctree_order(const struct proctree *t, uint32_t *n)
{
	*n = t->order ? t->nprocs : 0;
	return t->order;
}

const struct pt_proc *proctree_proc(const struct proctree *t, uint32_t id)
{
	return &t->procs[id - 1];
}

const struct pt_prog *proctree_prog(const struct proctree *t, uint32_t id)
{
	return &t->progs[id - 1];
}

struct pt_traffic proctree_unowned(const struct proctree *t, bool sent)
{
	return t->unowned[sent ? FMT_DIR_EGRESS : FMT_DIR_INGRESS];
}
