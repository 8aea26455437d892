/* trigger.c - see trigger.h. Runs on the event loop, for every exec and
 * exit: a glob match or two and a hash table update. */
#define _GNU_SOURCE /* sigabbrev_np, strerrorname_np */
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trigger.h"

#define TOMB UINT32_MAX /* a removed entry */
#define MAX_PIDS (1u << 23) /* above the kernel's pid_max */

struct proc {
	uint32_t pid; /* 0: empty */
	char comm[16];
};

struct trigger {
	const struct out_options *o;
	int learn; /* an exit trigger needs the comm of each pid */
	struct proc *tab;
	uint32_t cap, used; /* used counts tombstones too */
};

static uint32_t slot_of(const struct trigger *t, uint32_t pid)
{
	return (pid * 2654435761u) & (t->cap - 1);
}

/* @return the entry of pid, or the empty slot where it would go */
static struct proc *lookup(struct trigger *t, uint32_t pid)
{
	struct proc *tomb = NULL;

	for (uint32_t s = slot_of(t, pid);; s = (s + 1) & (t->cap - 1)) {
		struct proc *p = &t->tab[s];
		if (p->pid == pid)
			return p;
		if (p->pid == TOMB && !tomb)
			tomb = p;
		if (!p->pid)
			return tomb ? tomb : p;
	}
}

static int grow(struct trigger *t)
{
	struct proc *old = t->tab;
	uint32_t ocap = t->cap, live = 0;

	for (uint32_t i = 0; i < ocap; i++)
		live += old[i].pid && old[i].pid != TOMB;
	t->cap = ocap ? (live * 4 > ocap ? ocap * 2 : ocap) : 1024;
	if (t->cap > 2 * MAX_PIDS)
		return -1;
	if (!(t->tab = calloc(t->cap, sizeof(*t->tab)))) {
		t->tab = old;
		t->cap = ocap;
		return -1;
	}
	t->used = 0;
	for (uint32_t i = 0; i < ocap; i++) {
		if (old[i].pid && old[i].pid != TOMB) {
			*lookup(t, old[i].pid) = old[i];
			t->used++;
		}
	}
	free(old);
	return 0;
}

static void remember(struct trigger *t, uint32_t pid, const char *comm)
{
	struct proc *p;

	if (!pid || pid == TOMB || ((t->used + 1) * 2 > t->cap && grow(t)))
		return; /* a pid we cannot keep matches by its parent's comm */
	p = lookup(t, pid);
	if (p->pid != pid) {
		t->used += !p->pid;
		p->pid = pid;
	}
	snprintf(p->comm, sizeof(p->comm), "%s", comm ? comm : "");
}

static const char *comm_of(struct trigger *t, uint32_t pid)
{
	struct proc *p = t->cap ? lookup(t, pid) : NULL;

	return p && p->pid == pid ? p->comm : NULL;
}

static void forget(struct trigger *t, uint32_t pid)
{
	struct proc *p = t->cap ? lookup(t, pid) : NULL;

	if (p && p->pid == pid)
		p->pid = TOMB;
}

/* /proc/PID/comm into comm (32 bytes). @return 0 or -1 (gone) */
static int read_comm(uint32_t pid, char *comm)
{
	char path[64];
	FILE *f;

	comm[0] = 0;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(comm, 32, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
	return 0;
}

/* The processes already running. */
static void learn_running(struct trigger *t)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char comm[32], *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (!*end && pid && pid < MAX_PIDS && read_comm((uint32_t)pid, comm) == 0)
			remember(t, (uint32_t)pid, comm);
	}
	if (d)
		closedir(d);
}

struct trigger *trigger_new(const struct out_options *o)
{
	struct trigger *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = o;
	t->learn = o->ntrigger_exit > 0;
	if (t->learn && grow(t)) {
		free(t);
		return NULL;
	}
	if (t->learn)
		learn_running(t);
	return t;
}

void trigger_free(struct trigger *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t);
}

/* @return the first of n globs that name (or, for a glob with a '/',
 * path) matches, or NULL */
static const char *match(const char *const *globs, unsigned n, const char *name, const char *path)
{
	for (unsigned i = 0; i < n; i++) {
		const char *s = strchr(globs[i], '/') ? path : name;
		if (s && fnmatch(globs[i], s, 0) == 0)
			return globs[i];
	}
	return NULL;
}

static void fill(struct trigger_hit *hit, const char *what, uint64_t ts, uint32_t pid,
		 const char *comm, const char *pattern)
{
	memset(hit, 0, sizeof(*hit));
	snprintf(hit->what, sizeof(hit->what), "%s", what);
	hit->ts = ts;
	hit->pid = pid;
	snprintf(hit->comm, sizeof(hit->comm), "%s", comm ? comm : "");
	snprintf(hit->pattern, sizeof(hit->pattern), "%s", pattern ? pattern : "");
}

static int check_exec(struct trigger *t, const struct fmt_exec *e, struct trigger_hit *hit)
{
	const char *glob;

	if (e->ret < 0) {
		const char *name = strerrorname_np(-e->ret);
		if (!t->o->trigger_failed_exec)
			return 0;
		fill(hit, "failed-exec", e->ts_ns, e->pid, e->comm, NULL);
		snprintf(hit->detail, sizeof(hit->detail), "errno %d (%s)", -e->ret,
			 name ? name : "?");
		return 1;
	}
	if (t->learn)
		remember(t, e->pid, e->comm);
	glob = match(t->o->trigger_exec, t->o->ntrigger_exec, e->comm, e->filename);
	if (!glob)
		return 0;
	fill(hit, "exec", e->ts_ns, e->pid, e->comm, glob);
	return 1;
}

static int check_exit(struct trigger *t, const struct fmt_exit *x, struct trigger_hit *hit)
{
	const char *comm, *glob;

	if (!t->learn)
		return 0;
	comm = comm_of(t, x->pid);
	if (!comm) /* forked without exec: its parent's */
		comm = comm_of(t, x->ppid);
	if (!comm)
		comm = "";
	glob = x->exit_code || x->signal ? match(t->o->trigger_exit, t->o->ntrigger_exit, comm, NULL)
					 : NULL;
	if (glob) {
		fill(hit, "exit-nonzero", x->ts_ns, x->pid, comm, glob);
		if (x->signal) {
			const char *name = sigabbrev_np((int)x->signal);
			snprintf(hit->detail, sizeof(hit->detail), "signal %u (SIG%s)", x->signal,
				 name ? name : "?");
		} else {
			snprintf(hit->detail, sizeof(hit->detail), "exit code %u", x->exit_code);
		}
	}
	forget(t, x->pid);
	return glob != NULL;
}

int trigger_check(struct trigger *t, const struct fmt_event *ev, struct trigger_hit *hit)
{
	if (ev->stream == FMT_STREAM_EXEC)
		return check_exec(t, &ev->exec, hit);
	if (ev->stream == FMT_STREAM_EXIT)
		return check_exit(t, &ev->exit, hit);
	return 0;
}

void trigger_signal_hit(struct trigger_hit *hit, int signo, uint32_t pid, uint64_t ts)
{
	const char *name = sigabbrev_np(signo);
	char comm[32] = "";

	if (pid)
		read_comm(pid, comm);
	fill(hit, "signal", ts, pid, comm, NULL);
	snprintf(hit->detail, sizeof(hit->detail), "SIG%s", name ? name : "?");
}
