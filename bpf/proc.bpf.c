// SPDX-License-Identifier: GPL-2.0
/* proc.bpf.c - what names the processes and cgroups other records carry:
 * the process table when recording begins (a task iterator: each process's
 * exact identity, pid and start time, which /proc cannot give to the
 * nanosecond), and the cgroups of the v2 hierarchy made and removed while
 * recording (raw tracepoints cgroup_mkdir/cgroup_rmdir, to a ring buffer). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define PF_KTHREAD_ 0x00200000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} cgroup_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgroup_record);
} cgroup_scratch SEC(".maps");

/* cgroup records dropped because the ring buffer was full */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cgroup_drops SEC(".maps");

SEC("iter/task")
int proc_table(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct proc_record r = {};

	if (!task || task->pid != task->tgid)
		return 0; /* one record per process: its leader */
	r.pid = task->tgid;
	r.ppid = BPF_CORE_READ(task, real_parent, tgid);
	r.uid = BPF_CORE_READ(task, cred, uid.val);
	r.gid = BPF_CORE_READ(task, cred, gid.val);
	r.start_ns = task->start_boottime;
	r.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	if (task->flags & PF_KTHREAD_)
		r.flags |= PROC_F_KTHREAD;
	BPF_CORE_READ_STR_INTO(&r.comm, task, comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

static __always_inline int cgroup_event(struct cgroup *cgrp, const char *path, __u32 removed)
{
	__u32 zero = 0;
	struct cgroup_record *e;
	long n;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a v1 hierarchy: no ids the records carry */
	e = bpf_map_lookup_elem(&cgroup_scratch, &zero);
	if (!e)
		return 0;
	e->type = EVENT_CGROUP;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	e->removed = removed;
	e->pad = 0;
	n = bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	e->path_len = n > 0 ? n : 0;
	asm volatile("" : "+r"(n));
	if (n < 0 || n > CGROUP_PATH_LEN)
		n = 0;
	if (bpf_ringbuf_output(&cgroup_events, e, offsetof(struct cgroup_record, path) + n, 0)) {
		__u64 *v = bpf_map_lookup_elem(&cgroup_drops, &zero);
		if (v)
			*v += 1;
	}
	return 0;
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(on_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_event(cgrp, path, 0);
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(on_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return cgroup_event(cgrp, path, 1);
}
