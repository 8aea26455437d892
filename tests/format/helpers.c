/* helpers.c - see helpers.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "tmpdir.h"

uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static char *rand_str(uint64_t *rng, unsigned maxlen)
{
	unsigned len = (unsigned)(rnd(rng) % (maxlen + 1));
	char *s = malloc(len + 1);

	if (rnd(rng) % 8 == 0)
		len = 0; /* empty strings are common and must survive */
	for (unsigned i = 0; i < len; i++)
		s[i] = (char)(1 + rnd(rng) % 255); /* any byte but NUL */
	s[len] = 0;
	return s;
}

void rec_exec_random(uint64_t *rng, uint64_t ts, struct fmt_exec *e)
{
	char **argv;

	memset(e, 0, sizeof(*e));
	e->ts_ns = ts;
	e->cgroup_id = rnd(rng);
	e->pid = (uint32_t)rnd(rng);
	e->tid = (uint32_t)rnd(rng);
	e->ppid = (uint32_t)rnd(rng);
	e->uid = (uint32_t)rnd(rng);
	e->gid = (uint32_t)rnd(rng);
	e->ret = rnd(rng) % 4 ? 0 : -(int32_t)(rnd(rng) % 200);
	e->flags = rnd(rng) % 2;
	e->comm = rand_str(rng, 15);
	e->pcomm = rand_str(rng, 15);
	e->filename = rand_str(rng, 60);
	e->argc = (uint32_t)(rnd(rng) % 13);
	argv = calloc(e->argc + 1, sizeof(*argv));
	for (uint32_t i = 0; i < e->argc; i++)
		argv[i] = rand_str(rng, 40);
	e->argv = (const char *const *)argv;
	/* format 1.1 fields: present or not (NULL / 0) */
	e->interp = rnd(rng) % 4 ? NULL : rand_str(rng, 30);
	e->cwd = rnd(rng) % 3 ? rand_str(rng, 80) : NULL;
	e->start_ns = rnd(rng) % 3 ? ts - rnd(rng) % (ts + 1) : 0;
	e->flags |= rnd(rng) % 5 ? 0 : FMT_EXEC_CWD_TRUNCATED;
}

void rec_proc_random(uint64_t *rng, uint64_t ts, struct fmt_proc *p)
{
	char **argv;

	memset(p, 0, sizeof(*p));
	p->ts_ns = ts;
	p->start_ns = rnd(rng) % 5 ? ts - rnd(rng) % (ts + 1) : 0;
	p->cgroup_id = rnd(rng);
	p->pid = (uint32_t)rnd(rng);
	p->ppid = (uint32_t)rnd(rng);
	p->uid = (uint32_t)rnd(rng);
	p->gid = (uint32_t)rnd(rng);
	p->flags = (uint32_t)(rnd(rng) % 8);
	p->comm = rand_str(rng, 15);
	p->exe = rand_str(rng, 60);
	p->argc = (uint32_t)(rnd(rng) % 9);
	argv = calloc(p->argc + 1, sizeof(*argv));
	for (uint32_t i = 0; i < p->argc; i++)
		argv[i] = rand_str(rng, 40);
	p->argv = (const char *const *)argv;
	p->cwd = rnd(rng) % 4 ? rand_str(rng, 80) : NULL;
}

void rec_proc_free(struct fmt_proc *p)
{
	free((char *)p->comm);
	free((char *)p->exe);
	free((char *)p->cwd);
	for (uint32_t i = 0; i < p->argc; i++)
		free((char *)p->argv[i]);
	free((void *)p->argv);
}

void rec_cgroup_random(uint64_t *rng, uint64_t ts, struct fmt_cgroup *c)
{
	memset(c, 0, sizeof(*c));
	c->ts_ns = ts;
	c->cgroup_id = rnd(rng);
	c->kind = (uint32_t)(rnd(rng) % 3);
	c->path = rand_str(rng, 120);
}

void rec_exec_free(struct fmt_exec *e)
{
	free((char *)e->comm);
	free((char *)e->pcomm);
	free((char *)e->filename);
	free((char *)e->interp);
	free((char *)e->cwd);
	for (uint32_t i = 0; i < e->argc; i++)
		free((char *)e->argv[i]);
	free((void *)e->argv);
}

void rec_exit_random(uint64_t *rng, uint64_t ts, struct fmt_exit *x)
{
	memset(x, 0, sizeof(*x));
	x->ts_ns = ts;
	x->start_ns = ts - rnd(rng) % (ts + 1);
	x->pid = (uint32_t)rnd(rng);
	x->ppid = (uint32_t)rnd(rng);
	x->signal = rnd(rng) % 3 ? 0 : (uint32_t)(1 + rnd(rng) % 64);
	x->exit_code = x->signal ? 0 : (uint32_t)(rnd(rng) % 256);
}

void rec_flow_random(uint64_t *rng, uint64_t ts, struct fmt_flow *f)
{
	static const uint8_t fams[] = { FMT_FAMILY_IPV4, FMT_FAMILY_IPV6, FMT_FAMILY_OTHER,
					FMT_FAMILY_OVERFLOW };
	unsigned alen;

	memset(f, 0, sizeof(*f));
	f->ts_ns = ts;
	f->interval_ns = rnd(rng) % 4 ? 1000000000ull : rnd(rng);
	f->key.ifindex = (uint32_t)rnd(rng);
	f->key.dir = rnd(rng) % 2;
	f->key.family = fams[rnd(rng) % 4];
	f->key.proto = (uint8_t)rnd(rng);
	alen = f->key.family == FMT_FAMILY_IPV4 ? 4 : f->key.family == FMT_FAMILY_IPV6 ? 16 : 0;
	for (unsigned i = 0; i < alen; i++) {
		f->key.src[i] = (uint8_t)rnd(rng);
		f->key.dst[i] = (uint8_t)rnd(rng);
	}
	f->key.sport = (uint16_t)rnd(rng);
	f->key.dport = (uint16_t)rnd(rng);
	switch (rnd(rng) % 4) {
	case 0:
		f->packets = f->bytes = 0;
		break;
	case 1:
		f->packets = f->bytes = UINT64_MAX;
		break;
	default:
		f->packets = rnd(rng) % 100000;
		f->bytes = rnd(rng);
	}
	if (rnd(rng) % 2) { /* an owner, half of the time */
		f->owner.pid = (uint32_t)(1 + rnd(rng) % UINT32_MAX);
		f->owner.start_ns = rnd(rng);
		f->owner.cgroup_id = rnd(rng);
	}
}

/* Strings that may be NULL (not recorded) are equal when both are. */
static int opt_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int rec_exec_equal(const struct fmt_exec *a, const struct fmt_exec *b)
{
	if (a->ts_ns != b->ts_ns || a->cgroup_id != b->cgroup_id || a->pid != b->pid ||
	    a->tid != b->tid || a->ppid != b->ppid || a->uid != b->uid || a->gid != b->gid ||
	    a->ret != b->ret || a->flags != b->flags || a->argc != b->argc ||
	    strcmp(a->comm, b->comm) || strcmp(a->pcomm, b->pcomm) ||
	    strcmp(a->filename, b->filename) || !opt_equal(a->interp, b->interp) ||
	    !opt_equal(a->cwd, b->cwd) || a->start_ns != b->start_ns)
		return 0;
	for (uint32_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return 0;
	return 1;
}

int rec_exit_equal(const struct fmt_exit *a, const struct fmt_exit *b)
{
	return a->ts_ns == b->ts_ns && a->start_ns == b->start_ns && a->pid == b->pid &&
	       a->ppid == b->ppid && a->exit_code == b->exit_code && a->signal == b->signal;
}

int rec_flow_equal(const struct fmt_flow *a, const struct fmt_flow *b)
{
	return a->ts_ns == b->ts_ns && a->interval_ns == b->interval_ns &&
	       a->packets == b->packets && a->bytes == b->bytes &&
	       !memcmp(&a->key, &b->key, sizeof(a->key)) && a->owner.pid == b->owner.pid &&
	       a->owner.start_ns == b->owner.start_ns && a->owner.cgroup_id == b->owner.cgroup_id;
}

int rec_proc_equal(const struct fmt_proc *a, const struct fmt_proc *b)
{
	if (a->ts_ns != b->ts_ns || a->start_ns != b->start_ns || a->cgroup_id != b->cgroup_id ||
	    a->pid != b->pid || a->ppid != b->ppid || a->uid != b->uid || a->gid != b->gid ||
	    a->flags != b->flags || a->argc != b->argc || strcmp(a->comm, b->comm) ||
	    strcmp(a->exe, b->exe) || !opt_equal(a->cwd, b->cwd))
		return 0;
	for (uint32_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return 0;
	return 1;
}

int rec_cgroup_equal(const struct fmt_cgroup *a, const struct fmt_cgroup *b)
{
	return a->ts_ns == b->ts_ns && a->cgroup_id == b->cgroup_id && a->kind == b->kind &&
	       !strcmp(a->path, b->path);
}

static char tmpdir[256];

const char *tmp_path(const char *name)
{
	static char path[512];

	if (!tmpdir[0]) {
		cr_assert_not_null(tmpdir_make(tmpdir, sizeof(tmpdir), "ebpfrec-test"));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

struct fmt_reader *open_or_fail(const char *path)
{
	struct fmt_reader *r;
	char *err = NULL;
	int rc = fmt_reader_open(path, &r, &err);

	cr_assert_eq(rc, 0, "open %s: %s", path, err ? err : "?");
	return r;
}

long count_records(const char *path, unsigned mask, uint64_t from, uint64_t to)
{
	struct fmt_reader *r = open_or_fail(path);
	struct fmt_iter *it;
	struct fmt_event ev;
	long n = 0;
	int rc;

	cr_assert_eq(fmt_iter_open(&r, 1, mask, from, to, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) == 1)
		n++;
	fmt_iter_free(it);
	fmt_reader_close(r);
	return rc < 0 ? rc : n;
}

void rec_event_random(uint64_t *rng, uint64_t ts, struct fmt_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->stream = 1 + (int)(rnd(rng) % FMT_STREAM_MAX);
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		rec_exec_random(rng, ts, &ev->exec);
		break;
	case FMT_STREAM_EXIT:
		rec_exit_random(rng, ts, &ev->exit);
		break;
	case FMT_STREAM_FLOW:
		rec_flow_random(rng, ts, &ev->flow);
		break;
	case FMT_STREAM_PROC:
		rec_proc_random(rng, ts, &ev->proc);
		break;
	default:
		rec_cgroup_random(rng, ts, &ev->cgroup);
	}
}

void rec_event_free(struct fmt_event *ev)
{
	if (ev->stream == FMT_STREAM_EXEC)
		rec_exec_free(&ev->exec);
	else if (ev->stream == FMT_STREAM_PROC)
		rec_proc_free(&ev->proc);
	else if (ev->stream == FMT_STREAM_CGROUP)
		free((char *)ev->cgroup.path);
}
