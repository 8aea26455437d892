/* exec_source.c - see exec_source.h. */
#include <errno.h>
#include <stddef.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "exec.skel.h"
#include "exec_source.h"
#include "print.h"
#include "sink.h"

_Static_assert(sizeof(struct exec_event) == 88 + FILENAME_LEN + ARGS_LEN, "exec_event layout");
_Static_assert(offsetof(struct exec_event, type) == 16 && offsetof(struct exit_event, type) == 16,
	       "the record type is read at offset 16 before the record is known");
_Static_assert(sizeof(struct exit_event) == 32, "exit_event layout");

struct exec_source {
	struct exec_bpf *skel;
	struct ring_buffer *rb;
	struct sink *sink;
	struct printer *pr;
	unsigned max_args;
	struct exec_counts n;
	const char **argv; /* scratch, max_args + 1 */
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
	size_t flen = e->filename_len, alen = e->args_len, aoff, pos = 0;
	char filename[FILENAME_LEN + 1];
	char args[ARGS_LEN + 1];
	struct fmt_exec r = { 0 };
	uint32_t argc = 0;

	aoff = e->flags & EXEC_F_FAILED ? FILENAME_LEN : flen;
	if (flen > FILENAME_LEN || alen > ARGS_LEN ||
	    offsetof(struct exec_event, data) + aoff + alen > size)
		return 0; /* malformed: cannot happen with our program */
	memcpy(filename, data, flen);
	filename[flen] = 0; /* flen includes the NUL, or is 0 */
	memcpy(args, data + aoff, alen);
	args[alen] = 0;
	/* split NUL-separated argv; empty strings and an empty last one stay */
	while (pos < alen && argc < x->max_args) {
		x->argv[argc++] = args + pos;
		pos += strlen(args + pos) + 1;
	}
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
	/* more arguments than --max-args, argv area over ARGS_LEN, unreadable
	 * argv or an overlong path: never silent */
	if (pos < alen || (e->flags & (EXEC_F_ARGS_CUT | EXEC_F_ARGS_FAULT | EXEC_F_FILENAME_CUT)))
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
	if (type == EVENT_EXEC && size >= offsetof(struct exec_event, data))
		return handle_exec(x, data, size);
	if (type == EVENT_EXIT && size >= sizeof(struct exit_event))
		return handle_exit(x, data);
	return 0;
}

struct exec_source *exec_source_open(const struct rec_options *o, struct sink *sink,
				     struct printer *pr, char *err, size_t errlen)
{
	struct exec_source *x = calloc(1, sizeof(*x));
	int rc;

	if (!x || !(x->argv = calloc(o->max_args + 1, sizeof(*x->argv)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	x->sink = sink;
	x->pr = pr;
	x->max_args = o->max_args;
	x->ncpu = libbpf_num_possible_cpus();
	x->skel = exec_bpf__open();
	if (!x->skel) {
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
	/* --no-failed: the sys_exit hook is not even loaded */
	bpf_program__set_autoload(x->skel->progs.on_sys_exit, !o->no_failed);
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

static uint64_t counter_sum(struct exec_source *x, uint32_t idx)
{
	uint64_t vals[x->ncpu > 0 ? x->ncpu : 1], sum = 0;

	if (bpf_map__lookup_elem(x->skel->maps.counters, &idx, sizeof(idx), vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < x->ncpu; i++)
		sum += vals[i];
	return sum;
}

void exec_source_counts(struct exec_source *x, struct exec_counts *c)
{
	x->n.lost_ringbuf_exec = counter_sum(x, CNT_RB_DROP_EXEC);
	x->n.lost_ringbuf_exit = counter_sum(x, CNT_RB_DROP_EXIT);
	x->n.lost_ringbuf = x->n.lost_ringbuf_exec + x->n.lost_ringbuf_exit;
	*c = x->n;
}

void exec_source_close(struct exec_source *x)
{
	if (!x)
		return;
	ring_buffer__free(x->rb);
	exec_bpf__destroy(x->skel);
	free(x->argv);
	free(x);
}
