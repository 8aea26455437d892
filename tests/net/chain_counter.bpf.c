// SPDX-License-Identifier: GPL-2.0
/* chain_counter.bpf.c - a test's own programs, attached on an interface
 * beside ebpfrec's: they count the test's UDP packets (IPv4, destination
 * port in [port_lo, port_hi]) at XDP, tcx ingress and tcx egress, so a test
 * can tell whether ebpfrec let the programs after it run. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u16 port_lo = 0, port_hi = 0;

enum { AT_XDP, AT_TC_INGRESS, AT_TC_EGRESS, AT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void count(void *data, void *end, __u32 at)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	__u64 *n;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(0x0800) || ip->protocol != 17)
		return;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return;
	if (bpf_ntohs(udp->dest) < port_lo || bpf_ntohs(udp->dest) > port_hi)
		return;
	n = bpf_map_lookup_elem(&seen, &at);
	if (n)
		__sync_fetch_and_add(n, 1);
}

SEC("xdp")
int chain_xdp(struct xdp_md *ctx)
{
	count((void *)(long)ctx->data, (void *)(long)ctx->data_end, AT_XDP);
	return 2; /* XDP_PASS */
}

SEC("tc")
int chain_tc_ingress(struct __sk_buff *skb)
{
	bpf_skb_pull_data(skb, 64);
	count((void *)(long)skb->data, (void *)(long)skb->data_end, AT_TC_INGRESS);
	return -1; /* TCX_NEXT */
}

SEC("tc")
int chain_tc_egress(struct __sk_buff *skb)
{
	bpf_skb_pull_data(skb, 64);
	count((void *)(long)skb->data, (void *)(long)skb->data_end, AT_TC_EGRESS);
	return -1;
}
