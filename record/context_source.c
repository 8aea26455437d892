/* context_source.c - see context_source.h.
 *
 * At start: the cgroup v2 hierarchy's directories (their inode numbers
 * are the cgroup ids records carry) and the process table: each process's
 * identity from a task iterator, its executable, working directory and
 * argv from /proc, kept only when /proc still shows the same process (its
 * start time) after they were read. While recording: cgroups made and
 * removed.
 */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "argv.h"
#include "bpfutil.h"
#include "cgroupfs.h"
#include "context_source.h"
#include "events.h"
#include "fmt_meta.h"
#include "hostinfo.h"
#include "print.h"
#include "proc.skel.h"
#include "sink.h"

struct context_source {
	struct proc_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *mkdir_link, *rmdir_link;
	struct sink *sink;
	struct printer *pr; /* --print, or NULL */
	const struct rec_options *o;
	uint64_t table_ns; /* when the process table was read */
	char *cgroup_root; /* where the hierarchy is walked, or NULL */
	unsigned max_args;
	const char **argv; /* max_args + 1 */
	char *args; /* args_max + 1 */
	uint32_t args_max;
	struct context_counts n;
	int ncpu;
	long clk_tck; /* /proc/PID/stat's start time unit */
};

/* /proc/PID/stat's start time (clock ticks since boot), or 0. */
static uint64_t proc_start_ticks(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
				"%*d %*d %llu",
			 &v) != 1)
		return 0;
	return v;
}

/* readlink /proc/PID/NAME into buf. @return 0 or -1. */
static int proc_link(uint32_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* /proc/PID/cmdline, at most max bytes, into buf. @return its length, *cut
 * set if there was more; -1 if unreadable. */
static ssize_t proc_cmdline(uint32_t pid, char *buf, size_t max, int *cut)
{
	char path[64], more;
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < max && (n = read(fd, buf + got, max - got)) > 0)
		got += (size_t)n;
	*cut = got == max && read(fd, &more, 1) == 1;
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

/* One process of the table: its identity from the iterator, its names
 * from /proc, kept only if /proc/PID/stat shows the same start time before
 * and after they were read (else the pid is another process by now). */
static void add_process(struct context_source *c, const struct proc_record *e)
{
	char exe[CWD_LEN + 1] = "", cwd[CWD_LEN + 1];
	struct fmt_event ev = { .stream = FMT_STREAM_PROC };
	struct fmt_proc *p = &ev.proc;
	uint64_t ticks = e->start_ns / (1000000000ull / (uint64_t)c->clk_tck);
	ssize_t alen = -1;
	int cut = 0, have_cwd = 0, named = 0;

	/* the recorder's filters hold for the table as for execs */
	if ((c->o->filter_uid >= 0 && e->uid != (uint64_t)c->o->filter_uid) ||
	    (c->o->filter_cgroup && e->cgroup_id != c->o->filter_cgroup) ||
	    (c->o->filter_comm && strncmp(e->comm, c->o->filter_comm, COMM_LEN)))
		return;
	*p = (struct fmt_proc){ .ts_ns = c->table_ns, .start_ns = e->start_ns,
				.cgroup_id = e->cgroup_id, .pid = e->pid, .ppid = e->ppid,
				.uid = e->uid, .gid = e->gid, .comm = e->comm, .exe = "" };
	if (e->flags & PROC_F_KTHREAD) {
		p->flags |= FMT_PROC_KTHREAD;
	} else if (proc_start_ticks(e->pid) == ticks) {
		proc_link(e->pid, "exe", exe, sizeof(exe));
		have_cwd = proc_link(e->pid, "cwd", cwd, sizeof(cwd)) == 0;
		alen = proc_cmdline(e->pid, c->args, c->args_max, &cut);
		named = proc_start_ticks(e->pid) == ticks;
	}
	if (named) {
		p->exe = exe;
		p->cwd = have_cwd ? cwd : NULL;
		if (alen > 0)
			p->argc = argv_split(c->args, (size_t)alen, c->argv, c->max_args, &cut);
		p->argv = c->argv;
		if (cut)
			p->flags |= FMT_EXEC_ARGV_TRUNCATED;
	} else if (!(e->flags & PROC_F_KTHREAD)) {
		c->n.unnamed++; /* it exited (or its pid was reused) meanwhile */
	}
	c->n.processes++;
	if (c->pr)
		print_event(c->pr, &ev);
	sink_event(c->sink, &ev);
}

static int handle_cgroup(struct context_source *c, const struct cgroup_record *e, size_t size)
{
	struct fmt_event ev = { .stream = FMT_STREAM_CGROUP };
	char path[CGROUP_PATH_LEN + 1];
	size_t len = e->path_len;

	if (len > CGROUP_PATH_LEN || offsetof(struct cgroup_record, path) + len > size)
		return 0;
	memcpy(path, e->path, len);
	path[len] = 0;
	ev.cgroup = (struct fmt_cgroup){ .ts_ns = e->ts_ns, .cgroup_id = e->cgroup_id,
					 .kind = e->removed ? FMT_CGROUP_REMOVED : FMT_CGROUP_CREATED,
					 .path = path };
	c->n.cgroups++;
	if (c->pr)
		print_event(c->pr, &ev);
	sink_event(c->sink, &ev);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct cgroup_record *e = data;

	if (size >= offsetof(struct cgroup_record, path) && e->type == EVENT_CGROUP)
		return handle_cgroup(ctx, data, size);
	return 0;
}

/* nftw has no context argument: the walk in progress. */
static struct {
	struct context_source *c;
	size_t root_len;
	uint64_t ts;
} walk;

static int cgroup_dir(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct fmt_event ev = { .stream = FMT_STREAM_CGROUP };
	const char *rel = path + walk.root_len;

	(void)ftw;
	if (type != FTW_D)
		return FTW_CONTINUE;
	ev.cgroup = (struct fmt_cgroup){ .ts_ns = walk.ts, .cgroup_id = st->st_ino,
					 .kind = FMT_CGROUP_PRESENT, .path = *rel ? rel : "/" };
	walk.c->n.cgroups++;
	if (walk.c->pr)
		print_event(walk.c->pr, &ev);
	sink_event(walk.c->sink, &ev);
	return FTW_CONTINUE;
}

/* Every cgroup of the v2 hierarchy now: a directory's inode number is the
 * cgroup's id. */
static int walk_cgroups(struct context_source *c, const char *root)
{
	walk.c = c;
	walk.root_len = strlen(root);
	walk.ts = host_boot_ns();
	return nftw(root, cgroup_dir, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL) ? -1 : 0;
}

/* The process table: the iterator's output is a struct proc_record per
 * process. */
static int read_table(struct context_source *c)
{
	struct bpf_link *link;
	struct proc_record batch[64];
	size_t have = 0;
	int fd = iter_open(c->skel->progs.proc_table, &link), rc = 0;
	ssize_t got;

	if (fd < 0)
		return -1;
	c->table_ns = host_boot_ns();
	while ((got = read(fd, (char *)batch + have, sizeof(batch) - have)) > 0) {
		size_t n;
		have += (size_t)got;
		n = have / sizeof(batch[0]);
		for (size_t i = 0; i < n; i++)
			add_process(c, &batch[i]);
		have -= n * sizeof(batch[0]);
		memmove(batch, (char *)batch + n * sizeof(batch[0]), have);
	}
	if (got < 0)
		rc = -1;
	close(fd);
	bpf_link__destroy(link);
	return rc;
}

struct context_source *context_source_open(const struct rec_options *o, struct sink *sink,
					   struct printer *pr, char *err, size_t errlen)
{
	struct context_source *c = calloc(1, sizeof(*c));
	char root[4096];

	if (!c || !(c->argv = calloc(o->max_args + 1, sizeof(*c->argv))) ||
	    !(c->args = malloc((size_t)o->max_argv_bytes + 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	c->sink = sink;
	c->pr = pr;
	c->o = o;
	c->max_args = o->max_args;
	c->args_max = o->max_argv_bytes;
	c->ncpu = libbpf_num_possible_cpus();
	c->clk_tck = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	c->skel = proc_bpf__open();
	if (!c->skel) {
		snprintf(err, errlen, "cannot open the process table BPF object: %s", strerror(errno));
		goto fail;
	}
	if (proc_bpf__load(c->skel)) {
		snprintf(err, errlen, "cannot load the process table BPF programs: %s%s",
			 strerror(errno), o->verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.cgroup_events), on_record, c, NULL);
	if (!c->rb) {
		snprintf(err, errlen, "cannot open a ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* cgroups: follow them first, then list them, so none is missed */
	c->mkdir_link = bpf_program__attach(c->skel->progs.on_cgroup_mkdir);
	c->rmdir_link = bpf_program__attach(c->skel->progs.on_cgroup_rmdir);
	if (!c->mkdir_link || !c->rmdir_link) {
		snprintf(err, errlen, "cannot attach the cgroup tracepoints: %s", strerror(errno));
		goto fail;
	}
	if (cgroupfs_root(root, sizeof(root)) == 0 && (c->cgroup_root = strdup(root))) {
		sink_meta(sink, FMT_META_CGROUP_ROOT,
			  cgroupfs_is_detached(root) ? "(not mounted: read through a private mount)" :
						       root);
		if (walk_cgroups(c, root))
			c->n.walk_errors++;
	}
	if (read_table(c)) {
		snprintf(err, errlen, "cannot read the process table: %s", strerror(errno));
		goto fail;
	}
	return c;
fail:
	context_source_close(c);
	return NULL;
}

int context_source_snapshot(struct context_source *c)
{
	struct printer *pr = c->pr;
	int rc = 0;

	c->pr = NULL; /* --print showed them once */
	if (c->cgroup_root && walk_cgroups(c, c->cgroup_root))
		c->n.walk_errors++;
	if (read_table(c))
		rc = -1;
	c->pr = pr;
	return rc;
}

int context_source_fd(const struct context_source *c)
{
	return ring_buffer__epoll_fd(c->rb);
}

int context_source_consume(struct context_source *c)
{
	int n = ring_buffer__consume(c->rb);
	return n < 0 ? n : 0;
}

void context_source_counts(struct context_source *c, struct context_counts *out)
{
	c->n.lost_cgroups = percpu_sum(c->skel->maps.cgroup_drops, 0, c->ncpu);
	*out = c->n;
}

void context_source_close(struct context_source *c)
{
	if (!c)
		return;
	bpf_link__destroy(c->mkdir_link);
	bpf_link__destroy(c->rmdir_link);
	ring_buffer__free(c->rb);
	proc_bpf__destroy(c->skel);
	free(c->argv);
	free(c->args);
	free(c->cgroup_root);
	free(c);
}
