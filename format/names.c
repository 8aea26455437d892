/* names.c - see fmt_names.h. Processes in an open-addressing table on
 * (source, pid, start); each keeps its names as a chain, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_names.h"
#include "fmt_text.h"

#define CMDLINE_MAX 256

struct name {
	uint64_t since; /* ts of the exec (0: from the process's start) */
	char comm[16];
	struct name *older;
};

struct proc {
	uint64_t start_ns;
	uint32_t pid; /* 0: empty slot */
	uint32_t source;
	uint32_t uid;
	char *cmdline; /* joined argv, at most CMDLINE_MAX - 1 bytes */
	struct name *names;
};

struct fmt_names {
	struct proc *v;
	size_t cap, n;
};

struct fmt_names *fmt_names_new(void)
{
	return calloc(1, sizeof(struct fmt_names));
}

static void free_chain(struct name *nm)
{
	while (nm) {
		struct name *older = nm->older;
		free(nm);
		nm = older;
	}
}

void fmt_names_free(struct fmt_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->cap; i++) {
		free_chain(n->v[i].names);
		free(n->v[i].cmdline);
	}
	free(n->v);
	free(n);
}

static size_t hash(unsigned source, uint32_t pid, uint64_t start)
{
	uint64_t h = (start ^ ((uint64_t)pid << 32 | source)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 17);
}

static struct proc *find(const struct fmt_names *n, unsigned source, uint32_t pid, uint64_t start)
{
	for (size_t i = hash(source, pid, start) & (n->cap - 1);; i = (i + 1) & (n->cap - 1)) {
		struct proc *p = &n->v[i];
		if (!p->pid || (p->pid == pid && p->start_ns == start && p->source == source))
			return p;
	}
}

static int grow(struct fmt_names *n)
{
	struct fmt_names bigger = { .cap = n->cap ? n->cap * 2 : 256 };

	bigger.v = calloc(bigger.cap, sizeof(*bigger.v));
	if (!bigger.v)
		return -1;
	for (size_t i = 0; i < n->cap; i++)
		if (n->v[i].pid)
			*find(&bigger, n->v[i].source, n->v[i].pid, n->v[i].start_ns) = n->v[i];
	bigger.n = n->n;
	free(n->v);
	*n = bigger;
	return 0;
}

static int put(struct fmt_names *n, unsigned source, uint32_t pid, uint64_t start, uint64_t since,
	       const char *comm, uint32_t uid, uint32_t argc, const char *const *argv)
{
	char cmdline[CMDLINE_MAX];
	struct name *nm;
	struct proc *p;

	if (!pid || !comm)
		return 0;
	if ((n->n + 1) * 2 > n->cap && grow(n))
		return -1;
	p = find(n, source, pid, start);
	if (!p->pid) {
		n->n++;
		p->pid = pid;
		p->source = source;
		p->start_ns = start;
	}
	p->uid = uid;
	fmt_text_join_argv(cmdline, sizeof(cmdline), argc, argv);
	if (!p->cmdline || strcmp(p->cmdline, cmdline)) {
		char *c = strdup(cmdline);
		if (!c)
			return -1;
		free(p->cmdline);
		p->cmdline = c;
	}
	if (p->names && !strncmp(p->names->comm, comm, sizeof(p->names->comm) - 1))
		return 0; /* the same name again */
	if (!(nm = calloc(1, sizeof(*nm))))
		return -1;
	nm->since = since;
	snprintf(nm->comm, sizeof(nm->comm), "%s", comm);
	nm->older = p->names;
	p->names = nm;
	return 0;
}

int fmt_names_add(struct fmt_names *n, const struct fmt_event *ev)
{
	if (ev->stream == FMT_STREAM_EXEC && ev->exec.ret == 0)
		return put(n, ev->source, ev->exec.pid, ev->exec.start_ns, ev->exec.ts_ns,
			   ev->exec.comm, ev->exec.uid, ev->exec.argc, ev->exec.argv);
	if (ev->stream == FMT_STREAM_PROC)
		return put(n, ev->source, ev->proc.pid, ev->proc.start_ns, 0, ev->proc.comm,
			   ev->proc.uid, ev->proc.argc, ev->proc.argv);
	return 0;
}

int fmt_names_get(const struct fmt_names *n, unsigned source, uint32_t pid, uint64_t start_ns,
		  uint64_t ts, struct fmt_name *out)
{
	const struct proc *p;
	const struct name *nm;

	if (!n->cap || !pid)
		return -1;
	p = find(n, source, pid, start_ns);
	if (!p->pid)
		return -1;
	for (nm = p->names; nm->older && nm->since > ts; nm = nm->older) {
	}
	*out = (struct fmt_name){ .comm = nm->comm, .cmdline = p->cmdline ? p->cmdline : "", .uid = p->uid };
	return 0;
}
