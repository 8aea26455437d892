// SPDX-License-Identifier: GPL-2.0
/* flow.bpf.c - packets and bytes per flow: XDP on ingress, tc on egress.
 *
 * Counts go to one of two per-CPU hash maps (no atomics on the hot path),
 * picked by `active`. Each interval user space flips `active`, updates an
 * array-of-maps (which waits for every program already running, so none
 * still writes the idle map) and then drains the idle map with batch
 * lookup-and-delete: deltas are exact, nothing is counted twice or lost to
 * eviction. A full table sends the packet to a
 * per-interface overflow counter that is drained the same way.
 * Every packet passes unchanged.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_HOPOPTS 0 /* IPv6 extension headers (enum values not in vmlinux.h) */
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS 60
#define XDP_PASS_ 2
/* TCX_NEXT on tcx and TC_ACT_UNSPEC on cls_bpf (both -1): run the programs
 * and filters after ours. TC_ACT_OK would be TCX_PASS, which ends the chain
 * and silently switches off every program attached after ebpfrec. */
#define TC_NEXT_ (-1)
#define EEXIST_ 17
#define TCP_HDR_DOFF_BYTE 12 /* data offset, in the high nibble */

/* Where the running kernel has it (6.3+): the sk_buff behind __sk_buff, to
 * tell whether a GSO packet's device offloads its segmentation. */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;
#ifndef bpf_ksym_exists /* libbpf before 1.2 */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

__u32 active = 0; /* slot being written; flipped by user space */

/* Or'ed into the ifindex of every flow key: 0 for the recorder's network
 * namespace; a copy of these programs loaded for another namespace (sharing
 * every map) tags its interfaces, whose indexes may repeat ours. */
const volatile __u32 ifindex_tag = 0;

/* Tag egress flows with their socket's cookie, for owners (owner.bpf.c). */
const volatile bool with_owners = false;

/* Flow tables: two per family (one being written, one being drained),
 * referenced directly so that the verifier inlines their lookups (a table
 * reached through an array-of-maps costs an indirect call per packet).
 * Sized by user space (--max-flows). */
#define FLOW_TABLE(name, keytype)                                 \
	struct {                                                  \
		__uint(type, BPF_MAP_TYPE_PERCPU_HASH);           \
		__uint(max_entries, 65536);                       \
		__type(key, keytype);                             \
		__type(value, struct flow_val);                   \
	} name SEC(".maps")
FLOW_TABLE(flows4_0, struct flow_key4);
FLOW_TABLE(flows4_1, struct flow_key4);
FLOW_TABLE(flows6_0, struct flow_key);
FLOW_TABLE(flows6_1, struct flow_key);

/* Never used by the programs: user space updates it after flipping
 * `active`, because an update of an array-of-maps waits (synchronize_rcu)
 * until every program already running has finished. */
struct barrier_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct barrier_inner);
} barrier SEC(".maps");

/* [active slot][cache line]: see FLOW_CACHE_SLOTS */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * FLOW_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct flow_cache_entry);
} flow_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * FLOW_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct flow_cache6_entry);
} flow_cache6 SEC(".maps");

/* ifindex -> slot of the interface in `overflow` */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_IFSLOTS);
	__type(key, __u32);
	__type(value, __u32);
} ifslots SEC(".maps");

/* Interfaces whose driver passes a GSO packet on whole, to a peer or a
 * tap (veth, loopback, tun, bridges): there it stays one packet. Not
 * listed: NICs, whose TSO puts the segments on the wire. Filled by user
 * space; read only for GSO packets whose device offloads them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_IFSLOTS);
	__type(key, __u32);
	__type(value, __u8);
} gso_whole SEC(".maps");

/* [active slot][interface slot][direction] */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * MAX_IFSLOTS * 2);
	__type(key, __u32);
	__type(value, struct flow_val);
} overflow SEC(".maps");

struct cursor {
	void *pos, *end;
};

#define PULL(c, type)                                                   \
	({                                                              \
		type *__p = (c)->pos;                                   \
		if ((void *)(__p + 1) > (c)->end)                       \
			__p = NULL;                                     \
		else                                                    \
			(c)->pos = __p + 1;                             \
		__p;                                                    \
	})

/* L4 ports (or ICMP type/code) at c; c->pos moves past the TCP or UDP
 * header when it is there whole (the headers every GSO segment repeats).
 * @return 0, or -1 if truncated. */
static __always_inline int parse_l4(struct cursor *c, __u8 proto, __u16 *sport, __u16 *dport)
{
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) {
		__be16 *ports = c->pos;
		__u8 *doff;
		if ((void *)(ports + 2) > c->end)
			return -1;
		*sport = bpf_ntohs(ports[0]);
		*dport = bpf_ntohs(ports[1]);
		if (proto == IPPROTO_UDP && c->pos + 8 <= c->end) {
			c->pos += 8;
		} else if (proto == IPPROTO_TCP) {
			doff = c->pos + TCP_HDR_DOFF_BYTE;
			if ((void *)(doff + 1) <= c->end && c->pos + (*doff >> 4) * 4 <= c->end)
				c->pos += (*doff >> 4) * 4;
		}
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6_) {
		__u8 *tc = c->pos;
		if ((void *)(tc + 2) > c->end)
			return -1;
		*sport = tc[0];
		*dport = tc[1];
	}
	return 0;
}

/* IPv4 straight into the short key. @return 0 or -1 (malformed). */
static __always_inline int parse_ipv4(struct cursor *c, struct flow_key4 *k)
{
	struct iphdr *ip = c->pos;
	__u32 hlen;

	if ((void *)(ip + 1) > c->end || ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4; /* IP options are skipped, not misread as L4 */
	if (c->pos + hlen > c->end)
		return -1;
	k->family = FLOW_FAMILY_IPV4;
	k->proto = ip->protocol;
	__builtin_memcpy(k->src, &ip->saddr, 4);
	__builtin_memcpy(k->dst, &ip->daddr, 4);
	c->pos += hlen;
	if (ip->frag_off & bpf_htons(0x1fff))
		return 0; /* a later fragment has no L4 header: ports stay 0 */
	return parse_l4(c, k->proto, &k->sport, &k->dport);
}

static __always_inline int parse_ipv6(struct cursor *c, struct flow_key *k)
{
	struct ipv6hdr *ip = PULL(c, struct ipv6hdr);
	__u8 next;

	if (!ip || ip->version != 6)
		return -1;
	k->family = FLOW_FAMILY_IPV6;
	__builtin_memcpy(k->src, &ip->saddr, 16);
	__builtin_memcpy(k->dst, &ip->daddr, 16);
	next = ip->nexthdr;
	/* skip the common extension headers, a bounded number of them */
	for (int i = 0; i < 6; i++) {
		struct ipv6_opt_hdr *h;
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
			break;
		h = c->pos;
		if ((void *)(h + 1) > c->end)
			return -1;
		if (next == IPPROTO_FRAGMENT) {
			struct frag_hdr *fh = c->pos;
			if ((void *)(fh + 1) > c->end)
				return -1;
			next = fh->nexthdr;
			c->pos += sizeof(*fh);
			if (fh->frag_off & bpf_htons(0xfff8)) {
				k->proto = next;
				return 0; /* later fragment: no L4 header */
			}
			continue;
		}
		next = h->nexthdr;
		c->pos += next == IPPROTO_AH ? (h->hdrlen + 2) * 4 : (h->hdrlen + 1) * 8;
		if (c->pos > c->end)
			return -1;
	}
	k->proto = next;
	return parse_l4(c, next, &k->sport, &k->dport);
}

static __always_inline void count_overflow(__u32 slot, __u32 ifindex, __u8 dir, __u64 packets,
					   __u64 len)
{
	__u32 *ifs = bpf_map_lookup_elem(&ifslots, &ifindex);
	__u32 idx;
	struct flow_val *v;

	if (!ifs)
		return;
	idx = ((slot * MAX_IFSLOTS + (*ifs & (MAX_IFSLOTS - 1))) << 1) | (dir & 1);
	v = bpf_map_lookup_elem(&overflow, &idx);
	if (v) {
		v->packets += packets;
		v->bytes += len;
	}
}

/* Add packets/bytes to key's counters in table (inserting it); a socket
 * cookie, if any, replaces the flow's. */
static __always_inline void account_in(void *table, __u32 slot, void *key, __u32 ifindex,
				       __u8 dir, __u64 packets, __u64 len, __u64 cookie)
{
	struct flow_val *v = bpf_map_lookup_elem(table, key), init = { packets, len, cookie };
	long err;

	if (!v) {
		err = bpf_map_update_elem(table, key, &init, BPF_NOEXIST);
		if (!err)
			return;
		if (err == -EEXIST_) /* another CPU inserted it just now */
			v = bpf_map_lookup_elem(table, key);
		if (!v) { /* the table is full */
			count_overflow(slot, ifindex, dir, packets, len);
			return;
		}
	}
	v->packets += packets;
	v->bytes += len;
	if (cookie)
		v->cookie = cookie;
}

/* Hash and compare keys as arrays of 32-bit words (both key types are
 * word-sized and padded with zeros); constant sizes unroll. */
static __always_inline __u32 words_hash(const void *key, int words)
{
	const __u32 *w = key;
	__u32 h = 0x9E3779B1u;

	for (int i = 0; i < words; i++)
		h = (h ^ w[i]) * 0x85EBCA77u;
	return h ^ (h >> 15);
}

/* 8 bytes at a time, then the last 4 if the size is not a multiple of 8 */
static __always_inline bool words_eq(const void *a, const void *b, int words)
{
	const __u64 *x = a, *y = b;

	for (int i = 0; i < words / 2; i++)
		if (x[i] != y[i])
			return false;
	return !(words & 1) || ((const __u32 *)a)[words - 1] == ((const __u32 *)b)[words - 1];
}

/* accountN_in(): count a packet through this CPU's cache line for the key;
 * a line taken by another flow is written back to the table first.
 * accountN(): the same into the active slot's table, as inlined copies with
 * constant maps (so their lookups are direct). One pair per family. */
#define CACHED_ACCOUNT(N, keytype, entrytype, cache, table0, table1)                          \
	static __always_inline void account##N##_in(void *table, __u32 slot, keytype *k,      \
						    __u64 pkts, __u64 len, __u64 cookie)   \
	{                                                                                     \
		int words = sizeof(keytype) / 4;                                              \
		__u32 idx = slot * FLOW_CACHE_SLOTS +                                         \
			    (words_hash(k, words) & (FLOW_CACHE_SLOTS - 1));                  \
		entrytype *e = bpf_map_lookup_elem(&cache, &idx);                             \
                                                                                              \
		if (!e) {                                                                     \
			account_in(table, slot, k, k->ifindex, k->dir, pkts, len, cookie);    \
			return;                                                               \
		}                                                                             \
		if (e->used && words_eq(&e->key, k, words)) {                                 \
			e->packets += pkts;                                                   \
			e->bytes += len;                                                      \
			if (cookie)                                                           \
				e->cookie = cookie;                                           \
			return;                                                               \
		}                                                                             \
		if (e->used && e->packets)                                                    \
			account_in(table, slot, &e->key, e->key.ifindex, e->key.dir,          \
				   e->packets, e->bytes, e->cookie);                          \
		e->key = *k;                                                                  \
		e->used = 1;                                                                  \
		e->packets = pkts;                                                            \
		e->bytes = len;                                                               \
		e->cookie = cookie;                                                           \
	}                                                                                     \
	static __always_inline void account##N(keytype *k, __u64 pkts, __u64 len,             \
					       __u64 cookie)                                  \
	{                                                                                     \
		if (*(volatile __u32 *)&active & 1)                                           \
			account##N##_in(&table1, 1, k, pkts, len, cookie);                    \
		else                                                                          \
			account##N##_in(&table0, 0, k, pkts, len, cookie);                    \
	}

_Static_assert(sizeof(struct flow_key4) % 4 == 0 && sizeof(struct flow_key) % 4 == 0,
	       "keys are hashed as 32-bit words");
CACHED_ACCOUNT(4, struct flow_key4, struct flow_cache_entry, flow_cache, flows4_0, flows4_1)
CACHED_ACCOUNT(6, struct flow_key, struct flow_cache6_entry, flow_cache6, flows6_0, flows6_1)

/* Count one Ethernet frame, or the `segs` segments of a GSO packet: each
 * carries the headers again, so the bytes are what the segments carry
 * (headers up to L4 parsed here; len includes them once). IPv4 is parsed
 * straight into the short key; non-IP or malformed frames go to the
 * interface's "other" bucket (family FLOW_FAMILY_OTHER, zero addresses and
 * ports): never a misparsed flow. */
static __always_inline void count_frame(void *data, void *end, __u32 ifindex, __u8 dir,
					__u64 len, __u32 segs, __u64 cookie)
{
	struct cursor c = { data, end };
	struct ethhdr *eth = PULL(&c, struct ethhdr);
	__u16 proto;

	if (!eth)
		goto other;
	proto = eth->h_proto;
	for (int i = 0; i < 2; i++) { /* 802.1ad outer, 802.1Q inner */
		struct vlan_hdr *vh;
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = PULL(&c, struct vlan_hdr);
		if (!vh)
			goto other;
		proto = vh->h_vlan_encapsulated_proto;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct flow_key4 k4 = { .ifindex = ifindex, .dir = dir };
		if (!parse_ipv4(&c, &k4)) {
			account4(&k4, segs, len + (__u64)(segs - 1) * (c.pos - data), cookie);
			return;
		}
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct flow_key k = { .ifindex = ifindex, .dir = dir };
		if (!parse_ipv6(&c, &k)) {
			account6(&k, segs, len + (__u64)(segs - 1) * (c.pos - data), cookie);
			return;
		}
	}
other:;
	struct flow_key4 o = { .ifindex = ifindex, .dir = dir };
	account4(&o, segs, len, 0);
}

SEC("xdp")
int flow_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	count_frame(data, end, ctx->ingress_ifindex | ifindex_tag, FLOW_DIR_INGRESS, end - data, 1, 0);
	return XDP_PASS_;
}

/* Packets a GSO skb stands for on the wire. Egress: its segments (made by
 * software GSO after this hook, or by the NIC's TSO), except where a
 * virtual device takes the whole skb and hands it on as one packet (the
 * offload test is the kernel's net_gso_ok()). Ingress (tc fallback): the
 * segments GRO merged into it. */
static __always_inline __u32 wire_segments(struct __sk_buff *skb, __u8 dir)
{
	__u32 segs = skb->gso_segs, ifindex = skb->ifindex | ifindex_tag;

	if (!skb->gso_size)
		return 1;
	if (dir == FLOW_DIR_EGRESS && bpf_ksym_exists(bpf_cast_to_kern_ctx) &&
	    bpf_map_lookup_elem(&gso_whole, &ifindex)) {
		struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
		struct skb_shared_info *sh = (void *)(BPF_CORE_READ(k, head) + BPF_CORE_READ(k, end));
		__u64 feature = (__u64)BPF_CORE_READ(sh, gso_type) << NETIF_F_GSO_SHIFT;
		if ((BPF_CORE_READ(k, dev, features) & feature) == feature)
			return 1;
	}
	return segs ? segs : 1;
}

static __always_inline int tc_count(struct __sk_buff *skb, __u8 dir)
{
	__u32 len = skb->len, pull = len < 128 ? len : 128;
	void *data, *end;

	/* headers must be in the linear part for direct access (a no-op when
	 * they already are) */
	bpf_skb_pull_data(skb, pull);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	count_frame(data, end, skb->ifindex | ifindex_tag, dir, len, wire_segments(skb, dir),
		    with_owners && dir == FLOW_DIR_EGRESS ? bpf_get_socket_cookie(skb) : 0);
	return TC_NEXT_;
}

SEC("tc")
int flow_tc_egress(struct __sk_buff *skb)
{
	return tc_count(skb, FLOW_DIR_EGRESS);
}

/* ingress through tc where XDP is taken by someone else */
SEC("tc")
int flow_tc_ingress(struct __sk_buff *skb)
{
	return tc_count(skb, FLOW_DIR_INGRESS);
}
