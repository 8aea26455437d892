// SPDX-License-Identifier: GPL-2.0
/* exec.bpf.c - every exec (successful or failed) and every process exit.
 *
 * Hooks are raw tracepoints only: they exist on every kernel with BTF and
 * attach without tracefs. Successful execs come from sched_process_exec,
 * where the new image's argv was just written by the kernel, so reading it
 * cannot hit an unfaulted page (the classic execsnoop failure). Failed execs
 * come from sys_exit of execve/execveat with a negative return, where the
 * caller's image and its argv are still in place.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs set by user space before load. */
const volatile __u32 filter_uid = (__u32)-1; /* -1: any */
const volatile __u64 filter_cgroup = 0; /* 0: any */
const volatile char filter_comm[COMM_LEN] = {};
const volatile bool exit_has_group_dead = false; /* tracepoint passes group_dead */
const volatile __u32 nr_execve = 59; /* x86_64 */
const volatile __u32 nr_execveat = 322;
const volatile __u64 wakeup_bytes = 1 << 20; /* wake the reader past this */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Exec records are too big for the BPF stack: build them here. The pad
 * lets the verifier see that reads at masked offsets and submits of masked
 * sizes stay inside the value, without tracking exact bounds. */
struct exec_scratch {
	struct exec_event ev;
	char pad[3 * ARGS_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} scratch SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline bool comm_matches(const char *comm)
{
	if (!filter_comm[0])
		return true;
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			return true;
	}
	return true;
}

static __always_inline bool passes(__u32 uid)
{
	if (filter_uid != (__u32)-1 && uid != filter_uid)
		return false;
	if (filter_cgroup && bpf_get_current_cgroup_id() != filter_cgroup)
		return false;
	return true;
}

/* Submit without waking the reader (it drains on a timer) unless a lot of
 * data is waiting: a wakeup costs several microseconds per event. */
static __always_inline int submit(void *data, __u64 size, __u32 drop_counter)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wakeup_bytes ?
			      BPF_RB_FORCE_WAKEUP :
			      BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, data, size, flags)) {
		count(drop_counter);
		return -1;
	}
	return 0;
}

static __always_inline struct exec_event *fill_common(struct task_struct *task)
{
	__u32 zero = 0;
	struct exec_scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
	struct exec_event *e = sc ? &sc->ev : NULL;
	__u64 uid_gid = bpf_get_current_uid_gid();

	if (!e || !passes((__u32)uid_gid))
		return NULL;
	e->type = EVENT_EXEC;
	e->ts_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->flags = 0;
	e->ret = 0;
	e->argc = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	BPF_CORE_READ_STR_INTO(&e->pcomm, task, real_parent, comm);
	return e;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e = fill_common(task);
	unsigned long arg_start, arg_end, len;
	long n;

	if (!e || !comm_matches(e->comm))
		return 0;
	e->tid = old_pid;
	n = bpf_probe_read_kernel_str(e->data, FILENAME_LEN, BPF_CORE_READ(bprm, filename));
	if (n < 0)
		n = 0;
	if (n == FILENAME_LEN)
		e->flags |= EXEC_F_FILENAME_CUT;
	e->filename_len = n;
	e->argc = BPF_CORE_READ(bprm, argc);

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end - arg_start;
	if (len > ARGS_LEN) {
		len = ARGS_LEN;
		e->flags |= EXEC_F_ARGS_CUT;
	}
	/* argv follows the filename; both bounds are explicit for the verifier */
	if (n > FILENAME_LEN)
		n = FILENAME_LEN;
	if (len && bpf_probe_read_user(e->data + n, len, (void *)arg_start)) {
		e->flags |= EXEC_F_ARGS_FAULT;
		len = 0;
	}
	e->args_len = len;
	count(CNT_EXEC_SEEN);
	/* restate n <= FILENAME_LEN and len <= ARGS_LEN for the verifier */
	asm volatile("" : "+r"(n), "+r"(len));
	n &= 2 * FILENAME_LEN - 1;
	len &= 2 * ARGS_LEN - 1;
	submit(e, offsetof(struct exec_event, data) + n + len, CNT_RB_DROP_EXEC);
	return 0;
}

/* A failed execve/execveat returns here with the caller's image intact. */
SEC("raw_tp/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct exec_event *e;
	const char *const *argv;
	const char *filename;
	__u64 nr;
	__u32 off;

	if (ret >= 0)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr != nr_execve && nr != nr_execveat)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	e = fill_common(task);
	if (!e || !comm_matches(e->comm))
		return 0;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->ret = ret;
	e->flags = EXEC_F_FAILED;
	if (nr == nr_execve) {
		filename = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		argv = (const char *const *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else {
		filename = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		argv = (const char *const *)PT_REGS_PARM3_CORE_SYSCALL(regs);
	}
	long n = bpf_probe_read_user_str(e->data, FILENAME_LEN, filename);
	if (n < 0)
		n = 0;
	e->filename_len = n;
	off = 0;
	for (int i = 0; i < 64; i++) {
		const char *arg = NULL;
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		if (off >= ARGS_LEN) {
			e->flags |= EXEC_F_ARGS_CUT;
			break;
		}
		/* a constant size keeps the verifier simple; the scratch pad
		 * absorbs a string that runs past ARGS_LEN, cut below */
		n = bpf_probe_read_user_str(e->data + FILENAME_LEN + (off & (ARGS_LEN - 1)), ARGS_LEN,
					    arg);
		if (n < 0) {
			e->flags |= EXEC_F_ARGS_FAULT;
			break;
		}
		off += n;
		e->argc++;
	}
	if (off > ARGS_LEN) {
		off = ARGS_LEN;
		e->flags |= EXEC_F_ARGS_CUT;
	}
	e->args_len = off;
	count(CNT_EXEC_SEEN);
	/* restate off <= ARGS_LEN for the verifier: the empty asm stops the
	 * compiler from dropping a mask it can prove redundant */
	asm volatile("" : "+r"(off));
	off &= 2 * ARGS_LEN - 1;
	submit(e, offsetof(struct exec_event, data) + FILENAME_LEN + off, CNT_RB_DROP_EXEC);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exit_event e = {};
	__u64 uid_gid = bpf_get_current_uid_gid();

	/* one record per process: the last thread out */
	if (exit_has_group_dead) {
		if (!(bool)ctx[1])
			return 0;
	} else if (BPF_CORE_READ(task, signal, live.counter) != 0) {
		return 0;
	}
	if (!passes((__u32)uid_gid))
		return 0;
	if (filter_comm[0]) {
		char comm[COMM_LEN];
		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return 0;
	}
	e.type = EVENT_EXIT;
	e.ts_ns = bpf_ktime_get_boot_ns();
	e.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.exit_code = BPF_CORE_READ(task, exit_code);
	count(CNT_EXIT_SEEN);
	submit(&e, sizeof(e), CNT_RB_DROP_EXIT);
	return 0;
}
