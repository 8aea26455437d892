/* exec_source.c - see exec_source.h. */
#include <asm/unistd.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "argv.h"
#include "bpfutil.h"
#include "events.h"
#include "exec.skel.h"
#include "exec_source.h"
#include "notice.h"
#include "print.h"
#include "sink.h"
#include "tracefs.h"

_Static_assert(sizeof(struct exec_event) == 104 && offsetof(struct exec_event, data) == 104,
	       "exec_event layout");
_Static_assert(offsetof(struct exec_event, type) == 16 && offsetof(struct exit_event, type) == 16,
	       "the record type is read at offset 16 before the record is known");
_Static_assert(sizeof(struct exit_event) == 32, "exit_event layout");
_Static_assert(REC_MAX_ARGS <= FMT_MAX_ARGC, "--max-args beyond what a record holds");

struct exec_source {
	struct exec_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *failed_links[2]; /* syscall tracepoints, attached by hand */
	struct sink *sink;
	struct printer *pr;
	unsigned max_args;
	uint32_t args_max;
	struct exec_counts n;
	const char **argv; /* scratch, max_args + 1 */
	char *args; /* scratch, args_max + 1 */
	int ncpu;
};

/* Does this kernel's sched_process_exit pass group_dead (6.16+)? */
static bool exit_has_group_dead(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	bool yes = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(btf, id);          /* typedef */
		t = btf__type_by_id(btf, t->type);     /* pointer */
		t = btf__type_by_id(btf, t->type);     /* func proto */
		yes = t && btf_is_func_proto(t) && btf_vlen(t) == 3;
	}
	btf__free(btf);
	return yes;
}

static int handle_exec(struct exec_source *x, const struct exec_event *e, size_t size)
{
	const char *data = e->data;
	size_t flen = e->filename_len, ilen = e->interp_len, clen = e->cwd_len;
	size_t alen = e->args_len;
	char filename[FILENAME_LEN + 1], interp[FILENAME_LEN + 1], cwd[CWD_LEN + 2];
	struct fmt_exec r = { 0 };
	uint32_t argc;
	int cut;

	if (flen > FILENAME_LEN || ilen > FILENAME_LEN || clen > CWD_LEN + 1 ||
	    alen > x->args_max || sizeof(*e) + flen + ilen + clen + alen > size)
		return 0; /* malformed: cannot happen with our program */
	/* each string's length includes its NUL, or is 0 */
	memcpy(filename, data, flen);
	filename[flen] = 0;
	memcpy(interp, data + flen, ilen);
	interp[ilen] = 0;
	memcpy(cwd, data + flen + ilen, clen);
	cwd[clen] = 0;
	memcpy(x->args, data + flen + ilen + clen, alen);
	x->args[alen] = 0;
	argc = argv_split(x->args, alen, x->argv, x->max_args, &cut);
	r.ts_ns = e->ts_ns;
	r.cgroup_id = e->cgroup_id;
	r.pid = e->pid;
	r.tid = e->tid;
	r.ppid = e->ppid;
	r.uid = e->uid;
	r.gid = e->gid;
	r.ret = e->ret;
	r.comm = e->comm;
	r.pcomm = e->pcomm;
	r.filename = filename;
	r.argc = argc;
	r.argv = x->argv;
	r.interp = ilen ? interp : NULL;
	r.cwd = clen ? cwd : NULL;
	r.start_ns = e->start_ns;
	if (e->flags & EXEC_F_CWD_CUT)
		r.flags |= FMT_EXEC_CWD_TRUNCATED;
	/* more arguments than --max-args, argv over --max-argv-bytes, unreadable
	 * argv or an overlong path: never silent, failed execs included */
	if (cut || (e->flags & (EXEC_F_ARGS_CUT | EXEC_F_ARGS_FAULT | EXEC_F_FILENAME_CUT)))
		r.flags |= FMT_EXEC_ARGV_TRUNCATED;
	if (r.flags & FMT_EXEC_ARGV_TRUNCATED)
		x->n.argv_truncated++;
	if (r.ret < 0)
		x->n.failed++;
	x->n.execs++;
	if (x->pr)
		print_exec(x->pr, &r);
	sink_exec(x->sink, &r); /* a record it cannot take is counted as lost there */
	return 0;
}

static int handle_exit(struct exec_source *x, const struct exit_event *e)
{
	struct fmt_exit r = {
		.ts_ns = e->ts_ns,
		.start_ns = e->start_ns,
		.pid = e->pid,
		.ppid = e->ppid,
		.exit_code = (e->exit_code >> 8) & 0xff,
		.signal = e->exit_code & 0x7f,
	};

	x->n.exits++;
	if (x->pr)
		print_exit(x->pr, &r);
	sink_exit(x->sink, &r);
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct exec_source *x = ctx;
	uint32_t type;

	if (size < 24)
		return 0;
	memcpy(&type, (char *)data + 16, sizeof(type));
	if (type == EVENT_EXEC && size >= sizeof(struct exec_event))
		return handle_exec(x, data, size);
	if (type == EVENT_EXIT && size >= sizeof(struct exit_event))
		return handle_exit(x, data);
	return 0;
}

/* Attach prog to tracepoint category:event through a perf event of our own
 * (libbpf's attach would need tracefs mounted). @return the link or NULL
 * with errno. */
static struct bpf_link *attach_tracepoint(struct bpf_program *prog, const char *category,
					  const char *event)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr) };
	struct bpf_link *link;
	int id = tracepoint_id(category, event), pfd, err;

	if (id < 0)
		return NULL;
	attr.config = (uint64_t)id;
	/* the program runs on every CPU whatever the event's CPU */
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		err = errno;
		close(pfd);
		errno = err;
	}
	return link;
}

/* How failed execs will be caught: the execve/execveat exit tracepoints
 * where they can be used, else the sys_exit raw tracepoint (announced: it
 * runs on every syscall). @return 1 for the tracepoints. */
static int failed_exec_hook(const struct rec_options *o)
{
	int id;

	if (o->no_failed || o->failed_hook == FAILED_HOOK_SYS_EXIT)
		return 0;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) <= 0) {
		rec_notice("failed execs are caught on the exit of every syscall (raw_tp/sys_exit): "
			   "this kernel's tracepoint programs cannot read user registers");
		return 0;
	}
	id = tracepoint_id("syscalls", "sys_exit_execve");
	if (id < 0 || tracepoint_id("syscalls", "sys_exit_execveat") < 0) {
		rec_notice("failed execs are caught on the exit of every syscall (raw_tp/sys_exit): "
			   "no syscalls:sys_exit_execve tracepoint (%s)",
			   strerror(errno));
		return 0;
	}
	return 1;
}

struct exec_source *exec_source_open(const struct rec_options *o, struct sink *sink,
				     struct printer *pr, char *err, size_t errlen)
{
	struct exec_source *x = calloc(1, sizeof(*x));
	int rc, tracepoints = failed_exec_hook(o);

	if (!x || !(x->argv = calloc(o->max_args + 1, sizeof(*x->argv))) ||
	    !(x->args = malloc((size_t)o->max_argv_bytes + 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	x->sink = sink;
	x->pr = pr;
	x->max_args = o->max_args;
	x->args_max = o->max_argv_bytes;
	x->ncpu = libbpf_num_possible_cpus();
	x->skel = exec_bpf__open();
	if (!x->skel || x->ncpu <= 0) {
		snprintf(err, errlen, "cannot open the exec BPF object: %s", strerror(errno));
		goto fail;
	}
	if (o->filter_uid >= 0)
		x->skel->rodata->filter_uid = (uint32_t)o->filter_uid;
	x->skel->rodata->filter_cgroup = o->filter_cgroup;
	if (o->filter_comm)
		strncpy((char *)x->skel->rodata->filter_comm, o->filter_comm, COMM_LEN - 1);
	x->skel->rodata->exit_has_group_dead = exit_has_group_dead();
	x->skel->rodata->wakeup_bytes = o->ringbuf_size / 4;
	x->skel->rodata->args_max = o->max_argv_bytes;
	x->skel->rodata->max_args = o->max_args;
	x->skel->rodata->nr_execve = __NR_execve;
	x->skel->rodata->nr_execveat = __NR_execveat;
	/* one record buffer per possible CPU */
	bpf_map__set_value_size(x->skel->maps.scratch,
				(uint32_t)EXEC_SCRATCH_SIZE((uint64_t)o->max_argv_bytes));
	bpf_map__set_max_entries(x->skel->maps.scratch, (uint32_t)x->ncpu);
	/* --no-failed: no failed-exec hook is even loaded */
	bpf_program__set_autoload(x->skel->progs.on_execve_exit, tracepoints);
	bpf_program__set_autoload(x->skel->progs.on_execveat_exit, tracepoints);
	bpf_program__set_autoattach(x->skel->progs.on_execve_exit, false);
	bpf_program__set_autoattach(x->skel->progs.on_execveat_exit, false);
	bpf_program__set_autoload(x->skel->progs.on_sys_exit, !o->no_failed && !tracepoints);
	bpf_program__set_autoload(x->skel->progs.on_exit, !o->no_exit);
	bpf_map__set_max_entries(x->skel->maps.events, (uint32_t)o->ringbuf_size);

	rc = exec_bpf__load(x->skel);
	if (rc) {
		snprintf(err, errlen, "cannot load the exec BPF programs: %s%s", strerror(-rc),
			 o->verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	rc = exec_bpf__attach(x->skel);
	if (rc) {
		snprintf(err, errlen, "cannot attach the exec tracepoints: %s", strerror(-rc));
		goto fail;
	}
	if (tracepoints) {
		x->failed_links[0] = attach_tracepoint(x->skel->progs.on_execve_exit, "syscalls",
						       "sys_exit_execve");
		x->failed_links[1] = attach_tracepoint(x->skel->progs.on_execveat_exit, "syscalls",
						       "sys_exit_execveat");
		if (!x->failed_links[0] || !x->failed_links[1]) {
			snprintf(err, errlen, "cannot attach the exec syscall tracepoints: %s",
				 strerror(errno));
			goto fail;
		}
	}
	x->rb = ring_buffer__new(bpf_map__fd(x->skel->maps.events), on_event, x, NULL);
	if (!x->rb) {
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	return x;
fail:
	exec_source_close(x);
	return NULL;
}

int exec_source_fd(const struct exec_source *x)
{
	return ring_buffer__epoll_fd(x->rb);
}

int exec_source_consume(struct exec_source *x)
{
	int n = ring_buffer__consume(x->rb);
	return n < 0 ? n : 0;
}

void exec_source_counts(struct exec_source *x, struct exec_counts *c)
{
	x->n.lost_ringbuf_exec = percpu_sum(x->skel->maps.counters, CNT_RB_DROP_EXEC, x->ncpu);
	x->n.lost_ringbuf_exit = percpu_sum(x->skel->maps.counters, CNT_RB_DROP_EXIT, x->ncpu);
	x->n.lost_ringbuf = x->n.lost_ringbuf_exec + x->n.lost_ringbuf_exit;
	*c = x->n;
}

void exec_source_close(struct exec_source *x)
{
	if (!x)
		return;
	ring_buffer__free(x->rb);
	bpf_link__destroy(x->failed_links[0]);
	bpf_link__destroy(x->failed_links[1]);
	exec_bpf__destroy(x->skel);
	free(x->argv);
	free(x->args);
	free(x);
}
