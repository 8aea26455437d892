// SPDX-License-Identifier: GPL-2.0
/* ref_xdp.bpf.c - the reference post's XDP packet counter, re-implemented
 * for comparison (bench only): a 100-entry LRU hash keyed by IPv4 source
 * address and ports, TCP only (count_udp=1 also counts UDP, as the post
 * probably meant), atomics on the hot path, cumulative counters.
 * xdp_empty is the floor: an XDP program that does nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define MAX_MAP_ENTRIES 100
#define ETH_P_IP 0x0800

const volatile bool count_udp = false;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_MAP_ENTRIES);
	__type(key, __u64);
	__type(value, __u32);
} xdp_stats_map SEC(".maps");

static __always_inline int parse_ip_packet(struct xdp_md *ctx, __u64 *ip_metadata)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u16 src_port, dest_port;
	int retval;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return 0;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)ip + sizeof(*ip); /* ignores ihl, as the post */
		if ((void *)(tcp + 1) > data_end)
			return 0;
		src_port = bpf_ntohs(tcp->source);
		dest_port = bpf_ntohs(tcp->dest);
		retval = 1;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)ip + sizeof(*ip);
		if ((void *)(udp + 1) > data_end)
			return 0;
		src_port = bpf_ntohs(udp->source);
		dest_port = bpf_ntohs(udp->dest);
		retval = 2;
	} else {
		return 0;
	}
	*ip_metadata = ((__u64)(ip->saddr) << 32) | ((__u64)src_port << 16) | (__u64)dest_port;
	return retval;
}

SEC("xdp")
int xdp_prog_func(struct xdp_md *ctx)
{
	__u64 ip_meta;
	int retval = parse_ip_packet(ctx, &ip_meta);
	__u32 *pkt_count;

	if (retval != 1 && !(count_udp && retval == 2))
		return XDP_PASS;
	pkt_count = bpf_map_lookup_elem(&xdp_stats_map, &ip_meta);
	if (!pkt_count) {
		__u32 init_pkt_count = 1;
		bpf_map_update_elem(&xdp_stats_map, &ip_meta, &init_pkt_count, BPF_ANY);
	} else {
		__sync_fetch_and_add(pkt_count, 1);
	}
	return XDP_PASS;
}

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}
