// SPDX-License-Identifier: GPL-2.0
/* exec.bpf.c - every exec (successful or failed) and every process exit.
 *
 * Successful execs come from the sched_process_exec raw tracepoint, where
 * the new image's argv was just written by the kernel, so reading it cannot
 * hit an unfaulted page (the classic execsnoop failure). Failed execs come
 * from the exit of the execve/execveat syscalls with a negative return,
 * where the caller's image and its argv are still in place: through the
 * syscalls:sys_exit_execve(at) tracepoints, which run for those two
 * syscalls only, or (announced fallback, kernels without them) through the
 * sys_exit raw tracepoint, which runs on every syscall of the host.
 *
 * A record is built in a per-CPU buffer sized by user space (the argv
 * bound is an option) and only the bytes it uses are sent.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Knobs set by user space before load (read-only: the verifier sees them
 * as constants, which is what bounds the reads below). */
const volatile __u32 filter_uid = (__u32)-1; /* -1: any */
const volatile __u64 filter_cgroup = 0; /* 0: any */
const volatile char filter_comm[COMM_LEN] = {};
const volatile bool exit_has_group_dead = false; /* tracepoint passes group_dead */
const volatile __u32 args_max = ARGS_LEN_DEFAULT; /* bytes of argv per exec */
const volatile __u32 max_args = 1024; /* strings of a failed exec's argv */
const volatile __u32 nr_execve = 0; /* raw_tp/sys_exit fallback: this arch's numbers */
const volatile __u32 nr_execveat = 0;
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

/* One EXEC_SCRATCH_SIZE(args_max) buffer per CPU, indexed by CPU (a
 * per-CPU array cannot hold values over 32 KiB). Sized by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8);
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

static __always_inline struct exec_event *this_cpu_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

/* The header of an exec record, in this CPU's buffer, or NULL if filtered
 * out. */
static __always_inline struct exec_event *fill_common(struct task_struct *task)
{
	struct exec_event *e;
	__u64 uid_gid = bpf_get_current_uid_gid();

	if (!passes((__u32)uid_gid))
		return NULL;
	e = this_cpu_scratch();
	if (!e) {
		count(CNT_RB_DROP_EXEC); /* cannot happen: a buffer per possible CPU */
		return NULL;
	}
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
	e->interp_len = 0;
	e->cwd_len = 0;
	e->reserved = 0;
	e->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	BPF_CORE_READ_STR_INTO(&e->pcomm, task, real_parent, comm);
	return e;
}

/* The working directory at e->data + off (off <= 2 * FILENAME_LEN).
 * @return its length with the NUL. */
static __always_inline __u64 read_cwd(struct exec_event *e, __u64 off)
{
	int cut = 0;
	__u64 n;

	asm volatile("" : "+r"(off));
	if (off > 2 * FILENAME_LEN)
		return 0;
	n = cwd_into(e->data + off, &cut);
	if (cut)
		e->flags |= EXEC_F_CWD_CUT;
	return n;
}

/* Read a kernel or user path string into e->data + off (off <=
 * FILENAME_LEN). @return its length with the NUL, 0 if unreadable. */
static __always_inline __u32 read_path(struct exec_event *e, __u32 off, const char *src, bool user)
{
	long n;

	if (off > FILENAME_LEN)
		return 0;
	n = user ? bpf_probe_read_user_str(e->data + off, FILENAME_LEN, src) :
		   bpf_probe_read_kernel_str(e->data + off, FILENAME_LEN, src);
	if (n <= 0)
		return 0;
	if (n == FILENAME_LEN)
		e->flags |= EXEC_F_FILENAME_CUT;
	return n;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_event *e = fill_common(task);
	const char *filename, *interp;
	unsigned long arg_start, arg_end, len;
	__u64 n, m = 0, c;

	if (!e || !comm_matches(e->comm))
		return 0;
	e->tid = old_pid;
	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	n = read_path(e, 0, filename, false);
	/* a #! script: argv now starts with the interpreter, which binfmt_script
	 * also put in bprm->interp; filename stays the script's path */
	if (interp != filename)
		m = read_path(e, n, interp, false);
	e->filename_len = n;
	e->interp_len = m;
	c = read_cwd(e, n + m);
	e->cwd_len = c;
	e->argc = BPF_CORE_READ(bprm, argc);

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end - arg_start;
	if (len > args_max) {
		len = args_max;
		e->flags |= EXEC_F_ARGS_CUT;
	}
	/* restate the bounds for the verifier: the empty asm stops the compiler
	 * from dropping checks it can prove redundant */
	asm volatile("" : "+r"(n), "+r"(m), "+r"(c), "+r"(len));
	if (n > FILENAME_LEN || m > FILENAME_LEN || c > CWD_LEN + 1 || len > args_max)
		return 0;
	if (len && bpf_probe_read_user(e->data + n + m + c, len, (void *)arg_start)) {
		e->flags |= EXEC_F_ARGS_FAULT;
		len = 0;
	}
	e->args_len = len;
	count(CNT_EXEC_SEEN);
	submit(e, sizeof(*e) + n + m + c + len, CNT_RB_DROP_EXEC);
	return 0;
}

/* Walking a failed exec's argv array in the caller's memory, one string per
 * bpf_loop iteration. */
struct argv_walk {
	const char *const *argv;
	__u32 base; /* where the strings start in data[] */
	__u32 off; /* bytes of strings so far */
	__u32 n; /* strings read */
	__u32 flags;
};

static long read_arg(__u32 i, struct argv_walk *w)
{
	struct exec_event *e = this_cpu_scratch();
	const char *arg = NULL;
	__u64 base = w->base, off = w->off; /* 64-bit: no zero-extension copies
					      * that would lose the bounds */
	long len;

	if (!e || !w->argv) /* execve(path, NULL, ...): no arguments */
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), &w->argv[i])) {
		w->flags |= EXEC_F_ARGS_FAULT; /* the array itself out of reach: cut */
		return 1;
	}
	if (!arg)
		return 1; /* the NULL that ends argv */
	if (w->n >= max_args || off >= args_max) {
		w->flags |= EXEC_F_ARGS_CUT; /* more strings than we keep */
		return 1;
	}
	asm volatile("" : "+r"(base), "+r"(off));
	if (base > FILENAME_LEN + CWD_LEN + 1 || off > args_max)
		return 1;
	/* the whole bound as size: the buffer's second half takes a string
	 * that runs past args_max; it is cut back below */
	len = bpf_probe_read_user_str(e->data + base + off, args_max, arg);
	if (len < 0) {
		w->flags |= EXEC_F_ARGS_FAULT;
		return 1;
	}
	w->off += len;
	w->n++;
	return 0;
}

/* A failed execve/execveat: the arguments are still in the caller's
 * registers (regs: its user registers) and memory. */
static __always_inline int failed_exec(struct pt_regs *regs, long ret, bool at)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct argv_walk w = {};
	struct exec_event *e;
	const char *filename;
	__u64 n, c, off;

	e = fill_common(task);
	if (!e || !comm_matches(e->comm))
		return 0;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->ret = ret;
	e->flags = EXEC_F_FAILED;
	if (at) {
		filename = (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs);
		w.argv = (const char *const *)PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else {
		filename = (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs);
		w.argv = (const char *const *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	}
	n = read_path(e, 0, filename, true);
	e->filename_len = n;
	c = read_cwd(e, n);
	e->cwd_len = c;
	w.base = n + c;
	bpf_loop(max_args + 1, read_arg, &w, 0);
	/* read_arg may have run on another scratch pointer: refetch ours */
	e = this_cpu_scratch();
	if (!e)
		return 0;
	off = w.off;
	if (off > args_max) {
		off = args_max;
		w.flags |= EXEC_F_ARGS_CUT;
	}
	e->flags |= w.flags;
	e->argc = w.n;
	e->args_len = off;
	count(CNT_EXEC_SEEN);
	asm volatile("" : "+r"(n), "+r"(c), "+r"(off));
	if (n > FILENAME_LEN || c > CWD_LEN + 1 || off > args_max)
		return 0;
	submit(e, sizeof(*e) + n + c + off, CNT_RB_DROP_EXEC);
	return 0;
}

static __always_inline struct pt_regs *current_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

SEC("tracepoint/syscalls/sys_exit_execve")
int on_execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return ctx->ret < 0 ? failed_exec(current_user_regs(), ctx->ret, false) : 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int on_execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return ctx->ret < 0 ? failed_exec(current_user_regs(), ctx->ret, true) : 0;
}

/* The fallback where the syscall tracepoints cannot be used: runs on the
 * exit of every syscall of the host. */
SEC("raw_tp/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 nr;

	if (ret >= 0)
		return 0;
#if defined(__TARGET_ARCH_arm64)
	nr = BPF_CORE_READ(regs, syscallno);
#else
	nr = BPF_CORE_READ(regs, orig_ax);
#endif
	if (nr == nr_execve)
		return failed_exec(regs, ret, false);
	if (nr == nr_execveat)
		return failed_exec(regs, ret, true);
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
