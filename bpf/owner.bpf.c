// SPDX-License-Identifier: GPL-2.0
/* owner.bpf.c - which process owns each socket, so that flows can be
 * attributed to processes without kprobes or fentry.
 *
 * Owners are learned in process context by cgroup hooks attached at the
 * cgroup v2 root (every socket of the host passes through them): creation,
 * bind, connect and unconnected sends; where the kernel has it, the
 * sock_send_length tracepoint makes the owner the process that last sent.
 * An accepted connection (created in softirq, no hook) gets its listener's
 * owner from sock_ops. Sockets that predate the recording are found by a
 * walk of every task's open files at start. The flow programs tag each
 * egress flow with its socket's cookie; user space resolves cookies (and,
 * for ingress, the connection's other direction or the bound endpoint) to
 * owners when it drains an interval.
 *
 * Every program only reads and records: cgroup programs return 1 (allow),
 * sock_ops changes no callback flags. Nothing can change or drop traffic.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_STREAM_ 1
#define TCP_LISTEN_ 10
#define E2BIG_ 7 /* a full hash map refuses an insert with -E2BIG */

/* socket cookie -> owner. Sized by user space (--max-sockets); released
 * sockets are removed by user space after the interval that saw them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct sock_owner);
} owners SEC(".maps");

/* bound local endpoint -> socket cookie */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct endpoint);
	__type(value, __u64);
} endpoints SEC(".maps");

/* socket cookie -> its endpoint, to remove it when the socket is released
 * (where the socket's addresses can no longer be read) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct endpoint);
} bound SEC(".maps");

/* cookies of sockets just closed: user space forgets their owners once the
 * interval they closed in is drained */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 65536);
	__type(value, __u64);
} released SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OCNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} owner_counters SEC(".maps");

static __always_inline void ocount(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&owner_counters, &idx);
	if (v)
		*v += 1;
}

static __always_inline __u64 task_start_ns(struct task_struct *t)
{
	return BPF_CORE_READ(t, group_leader, start_boottime);
}

/* Make the current process the owner of socket `cookie`. It runs on every
 * send: the common case (the owner sends again) only looks up and
 * compares; the cgroup is read only when the owner changes. */
static __always_inline void own(__u64 cookie, __u32 flags)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 start = task_start_ns(t);
	struct sock_owner *cur = bpf_map_lookup_elem(&owners, &cookie);
	struct sock_owner o = { .tgid = tgid, .start_ns = start, .flags = flags };

	if (cur) {
		if (cur->tgid == tgid && cur->start_ns == start && (cur->flags & flags) == flags)
			return;
		o.released_ns = cur->released_ns;
	}
	o.cgroup_id = bpf_get_current_cgroup_id();
	if (bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY))
		ocount(OCNT_OWNERS_FULL);
}

static __always_inline void endpoint_of(struct endpoint *ep, __u32 family, __u32 proto,
					__u32 port, const void *addr)
{
	__builtin_memset(ep, 0, sizeof(*ep));
	ep->family = family == AF_INET6_ ? FLOW_FAMILY_IPV6 : FLOW_FAMILY_IPV4;
	ep->proto = proto;
	ep->port = port;
	if (family == AF_INET6_)
		__builtin_memcpy(ep->addr, addr, 16);
	else
		__builtin_memcpy(ep->addr, addr, 4);
}

static __always_inline void add_endpoint(const struct endpoint *ep, __u64 cookie, __u64 flags)
{
	if (bpf_map_update_elem(&endpoints, ep, &cookie, flags) == -E2BIG_ ||
	    bpf_map_update_elem(&bound, &cookie, ep, BPF_ANY) == -E2BIG_)
		ocount(OCNT_ENDPOINTS_FULL);
}

SEC("cgroup/sock_create")
int owner_create(struct bpf_sock *sk)
{
	own(bpf_get_socket_cookie(sk), 0);
	return 1;
}

/* post_bind4 may read only the IPv4 address, post_bind6 only the IPv6 one */
SEC("cgroup/post_bind4")
int owner_bind4(struct bpf_sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	__u32 a = sk->src_ip4;
	struct endpoint ep;

	own(cookie, 0);
	if (sk->src_port) {
		endpoint_of(&ep, AF_INET_, sk->protocol, sk->src_port, &a);
		add_endpoint(&ep, cookie, BPF_ANY);
	}
	return 1;
}

SEC("cgroup/post_bind6")
int owner_bind6(struct bpf_sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	__u32 a[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2], sk->src_ip6[3] };
	struct endpoint ep;

	own(cookie, 0);
	if (sk->src_port) {
		endpoint_of(&ep, AF_INET6_, sk->protocol, sk->src_port, a);
		add_endpoint(&ep, cookie, BPF_ANY);
	}
	return 1;
}

SEC("cgroup/connect4")
int owner_connect4(struct bpf_sock_addr *ctx)
{
	own(bpf_get_socket_cookie(ctx), 0);
	return 1;
}

SEC("cgroup/connect6")
int owner_connect6(struct bpf_sock_addr *ctx)
{
	own(bpf_get_socket_cookie(ctx), 0);
	return 1;
}

/* unconnected UDP sends (sendto with an address) */
SEC("cgroup/sendmsg4")
int owner_sendmsg4(struct bpf_sock_addr *ctx)
{
	own(bpf_get_socket_cookie(ctx), OWNER_F_SENT);
	return 1;
}

SEC("cgroup/sendmsg6")
int owner_sendmsg6(struct bpf_sock_addr *ctx)
{
	own(bpf_get_socket_cookie(ctx), OWNER_F_SENT);
	return 1;
}

/* Every send on an inet socket (kernel 6.4+): the owner is the process that
 * last sent. Skipped where the tracepoint does not exist. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(owner_send, struct sock *sk, int ret, int flags)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (ret > 0 && (family == AF_INET_ || family == AF_INET6_))
		own(bpf_get_socket_cookie(sk), OWNER_F_SENT);
	return 0;
}

/* An accepted connection takes its listener's owner, found through the
 * listener's bound endpoint (the child has the same local address and
 * port); the accepting process becomes the owner when it sends. */
SEC("sockops")
int owner_sockops(struct bpf_sock_ops *ops)
{
	struct sock_owner *lo, o;
	struct endpoint ep;
	__u64 *listener, cookie;

	if (ops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	if (ops->family == AF_INET6_) {
		__u32 a[4] = { ops->local_ip6[0], ops->local_ip6[1], ops->local_ip6[2],
			       ops->local_ip6[3] };
		endpoint_of(&ep, ops->family, IPPROTO_TCP, ops->local_port, a);
	} else {
		__u32 a = ops->local_ip4;
		endpoint_of(&ep, ops->family, IPPROTO_TCP, ops->local_port, &a);
	}
	listener = bpf_map_lookup_elem(&endpoints, &ep);
	if (!listener) { /* bound to the wildcard address */
		__builtin_memset(ep.addr, 0, sizeof(ep.addr));
		listener = bpf_map_lookup_elem(&endpoints, &ep);
	}
	if (!listener || !(lo = bpf_map_lookup_elem(&owners, listener)))
		return 1;
	o = *lo;
	o.flags = OWNER_F_ACCEPTED;
	o.released_ns = 0;
	cookie = bpf_get_socket_cookie(ops);
	if (bpf_map_update_elem(&owners, &cookie, &o, BPF_NOEXIST) == -E2BIG_)
		ocount(OCNT_OWNERS_FULL);
	return 1;
}

SEC("cgroup/sock_release")
int owner_release(struct bpf_sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk), *holder;
	struct sock_owner *o = bpf_map_lookup_elem(&owners, &cookie);
	struct endpoint *ep = bpf_map_lookup_elem(&bound, &cookie);

	if (o) {
		o->released_ns = bpf_ktime_get_boot_ns();
		if (bpf_map_push_elem(&released, &cookie, 0))
			ocount(OCNT_RELEASED_FULL); /* swept later by its released_ns */
	}
	if (ep) {
		holder = bpf_map_lookup_elem(&endpoints, ep);
		if (holder && *holder == cookie)
			bpf_map_delete_elem(&endpoints, ep);
		bpf_map_delete_elem(&bound, &cookie);
	}
	return 1;
}

/* At start, two walks find the sockets that predate the recording. First
 * every task's open files: a socket's inode -> the first (lowest pid)
 * process found holding it. The socket pointer reached from a file cannot
 * be given to bpf_get_socket_cookie, so the second walk goes over the TCP
 * and UDP socket tables of a network namespace (where the socket is handed
 * over as a trusted pointer) and joins on the inode. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* inode number */
	__type(value, struct sock_owner);
} seed_owner SEC(".maps");

SEC("iter/task_file")
int owner_files(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sock_owner o = { .flags = OWNER_F_SEEDED };
	__u64 ino;

	if (!task || !file || !bpf_sock_from_file(file))
		return 0;
	ino = BPF_CORE_READ(file, f_inode, i_ino);
	o.tgid = BPF_CORE_READ(task, tgid);
	o.start_ns = task_start_ns(task);
	o.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	bpf_map_update_elem(&seed_owner, &ino, &o, BPF_NOEXIST);
	return 0;
}

/* One socket of a table: its owner, and as an endpoint when it listens
 * (TCP) or is bound (UDP). */
static __always_inline void seed_socket(struct sock_common *skc, struct sock *sk, __u8 proto)
{
	__u64 ino = BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino), cookie;
	struct sock_owner *o = bpf_map_lookup_elem(&seed_owner, &ino);
	__u16 family = BPF_CORE_READ(skc, skc_family), port = BPF_CORE_READ(skc, skc_num);
	struct endpoint ep;

	if (!o)
		return; /* held by no process (a kernel socket, or closing) */
	cookie = bpf_get_socket_cookie(skc);
	if (bpf_map_update_elem(&owners, &cookie, o, BPF_NOEXIST) == -E2BIG_)
		ocount(OCNT_OWNERS_FULL);
	if (!port || (proto == IPPROTO_TCP && BPF_CORE_READ(skc, skc_state) != TCP_LISTEN_))
		return;
	if (family == AF_INET6_) {
		struct in6_addr a = BPF_CORE_READ(skc, skc_v6_rcv_saddr);
		endpoint_of(&ep, family, proto, port, &a);
	} else {
		__be32 a = BPF_CORE_READ(skc, skc_rcv_saddr);
		endpoint_of(&ep, family, proto, port, &a);
	}
	add_endpoint(&ep, cookie, BPF_NOEXIST);
}

#define TCP_TIME_WAIT_ 6
#define TCP_NEW_SYN_RECV_ 12

SEC("iter/tcp")
int owner_seed_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	__u8 state;

	if (!skc)
		return 0;
	state = BPF_CORE_READ(skc, skc_state);
	/* time-wait and request sockets are not full sockets: no file */
	if (state != TCP_TIME_WAIT_ && state != TCP_NEW_SYN_RECV_)
		seed_socket(skc, (struct sock *)skc, IPPROTO_TCP);
	return 0;
}

SEC("iter/udp")
int owner_seed_udp(struct bpf_iter__udp *ctx)
{
	struct udp_sock *up = ctx->udp_sk;

	if (up)
		seed_socket(&up->inet.sk.__sk_common, (struct sock *)up, IPPROTO_UDP);
	return 0;
}
