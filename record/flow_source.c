/* flow_source.c - see flow_source.h.
 *
 * Attachment is link-based (XDP links, tcx links), so the kernel detaches
 * everything when the recorder exits, even by SIGKILL. Only on kernels
 * without tcx (before 6.6) does egress fall back to a netlink tc filter,
 * which is removed at exit but would survive a SIGKILL (said in meta).
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/types.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "flow.skel.h"
#include "flow_source.h"
#include "fmt.h"
#include "owner_source.h"
#include "notice.h"
#include "print.h"
#include "sink.h"

_Static_assert(sizeof(struct flow_key) == sizeof(struct fmt_flow_key), "flow key layout");
_Static_assert(offsetof(struct flow_key, sport) == offsetof(struct fmt_flow_key, sport),
	       "flow key layout");

#define ATTACH_TCX_INGRESS 46 /* enum bpf_attach_type, kernel 6.6+ */
#define ATTACH_TCX_EGRESS 47
#define BATCH 8192 /* entries per batch syscall (values: BATCH x CPUs) */

struct hook {
	int ingress_fd, egress_fd; /* link fds, -1 if none */
	int tc_ifindex; /* netlink tc fallback to remove at exit, or 0 */
	unsigned netns; /* where tc_ifindex is */
};

struct flow_source {
	struct flow_bpf *skel; /* the recorder's namespace; owns the maps */
	/* per --netns namespace: the same programs with that namespace's
	 * ifindex_tag, sharing every map of skel ([0] is skel) */
	struct flow_bpf *ns_skel[NETNS_MAX + 1];
	int barrier_fd, barrier_inner_fd;
	int table4_fd[2], table6_fd[2]; /* per slot */
	int ncpu;
	const struct rec_options *o;
	struct iface_list *ifs;
	struct hook hooks[IFACES_MAX];
	struct sink *sink;
	struct printer *pr;
	uint64_t last_ns;
	struct flow_counts n;
	/* drain buffers */
	struct flow_key *keys; /* also holds struct flow_key4 keys */
	struct flow_val *vals; /* BATCH x ncpu */
	struct fmt_flow *rows;
	uint64_t *cookies; /* per row: the egress socket's cookie, for owners */
	size_t nrows, cap_rows;
	struct owner_source *owners; /* NULL: flows are not attributed */
};

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int attach_ingress(struct flow_source *f, const struct rec_options *o, struct iface *i,
			  struct hook *h)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	struct flow_bpf *skel = f->ns_skel[i->netns];
	int prog = bpf_program__fd(skel->progs.flow_xdp), fd, xdp_errno;
	int generic = o->xdp_mode == XDP_MODE_GENERIC ||
		      (o->xdp_mode == XDP_MODE_AUTO && i->veth_or_lo);

	lo.flags = generic ? XDP_FLAGS_SKB_MODE : o->xdp_mode == XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE : 0;
	fd = bpf_link_create(prog, (int)i->index, BPF_XDP, &lo);
	if (fd >= 0) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		h->ingress_fd = fd;
		if (!generic && bpf_xdp_query((int)i->index, 0, &q) == 0)
			generic = q.attach_mode == XDP_ATTACHED_SKB;
		snprintf(i->ingress, sizeof(i->ingress), "xdp-%s", generic ? "generic" : "native");
		return 0;
	}
	/* XDP is taken (never replace someone else's program) or unsupported:
	 * count ingress with tc instead, after the programs already there */
	xdp_errno = errno;
	fd = bpf_link_create(bpf_program__fd(skel->progs.flow_tc_ingress), (int)i->index,
			     ATTACH_TCX_INGRESS, NULL);
	if (fd < 0)
		return -1;
	h->ingress_fd = fd;
	snprintf(i->ingress, sizeof(i->ingress), "tcx (xdp busy)");
	if (xdp_errno == EBUSY || xdp_errno == EEXIST)
		rec_notice("%s: XDP is in use by another program; counting ingress with tcx instead",
			   i->name);
	else
		rec_notice("%s: cannot attach XDP (%s); counting ingress with tcx instead", i->name,
			   strerror(xdp_errno));
	return 0;
}

static int attach_egress(struct flow_source *f, struct iface *i, struct hook *h)
{
	int prog = bpf_program__fd(f->ns_skel[i->netns]->progs.flow_tc_egress);
	int fd = bpf_link_create(prog, (int)i->index, ATTACH_TCX_EGRESS, NULL);
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)i->index, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, topts, .handle = 0xeb9f, .priority = 0xeb9f, .prog_fd = prog);

	if (fd >= 0) {
		h->egress_fd = fd;
		snprintf(i->egress, sizeof(i->egress), "tcx");
		return 0;
	}
	/* kernels before 6.6: a netlink tc filter (removed at exit) */
	if (bpf_tc_hook_create(&hook) && errno != EEXIST)
		return -1;
	if (bpf_tc_attach(&hook, &topts))
		return -1;
	h->tc_ifindex = (int)i->index;
	h->netns = i->netns;
	snprintf(i->egress, sizeof(i->egress), "tc");
	rec_notice("%s: no tcx on this kernel; counting egress with a tc filter (removed at exit, "
		   "but left behind if ebpfrec is killed with SIGKILL)",
		   i->name);
	return 0;
}

static void unhook(struct flow_source *f, struct hook *h);

/* Count interface i of the list under its slot, and hook it (from inside
 * its namespace: links name interfaces by index). @return 0, or -1 with
 * errno (nothing of it left attached). */
static int hook_iface(struct flow_source *f, unsigned i)
{
	uint32_t slot = i;
	struct iface *ifc = &f->ifs->v[i];
	uint8_t yes = 1;
	int rc = -1, saved;

	if (bpf_map_update_elem(bpf_map__fd(f->skel->maps.ifslots), &ifc->id, &slot, BPF_ANY))
		return -1;
	if (ifc->virtual &&
	    bpf_map_update_elem(bpf_map__fd(f->skel->maps.gso_whole), &ifc->id, &yes, BPF_ANY))
		return -1;
	if (ifc->netns && ifaces_enter(f->ifs, ifc->netns))
		return -1;
	if (attach_ingress(f, f->o, ifc, &f->hooks[i]) == 0 &&
	    attach_egress(f, ifc, &f->hooks[i]) == 0)
		rc = 0;
	saved = errno;
	if (ifc->netns && ifaces_enter(f->ifs, 0))
		rc = -1, saved = errno; /* cannot happen: our own namespace */
	if (rc)
		unhook(f, &f->hooks[i]);
	errno = saved;
	return rc;
}

/* Load the programs again for namespace ns, on the maps of f->skel. */
static int load_ns_copy(struct flow_source *f, unsigned ns)
{
	struct flow_bpf *copy = flow_bpf__open();
	struct bpf_map *m;

	if (!copy)
		return -1;
	f->ns_skel[ns] = copy;
	copy->rodata->ifindex_tag = (uint32_t)ns << NETNS_ID_SHIFT;
	copy->rodata->with_owners = f->skel->rodata->with_owners;
	bpf_object__for_each_map(m, copy->obj) {
		const char *name = bpf_map__name(m);
		struct bpf_map *own;
		if (strstr(name, ".rodata"))
			continue; /* the copy's own tag */
		own = bpf_object__find_map_by_name(f->skel->obj, name);
		if (!own || bpf_map__reuse_fd(m, bpf_map__fd(own)))
			return -1;
	}
	return flow_bpf__load(copy) ? -1 : 0;
}

static void unhook(struct flow_source *f, struct hook *h)
{
	if (h->ingress_fd >= 0)
		close(h->ingress_fd);
	if (h->egress_fd >= 0)
		close(h->egress_fd);
	if (h->tc_ifindex && (!h->netns || ifaces_enter(f->ifs, h->netns) == 0)) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h->tc_ifindex, .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, topts, .handle = 0xeb9f, .priority = 0xeb9f);
		bpf_tc_detach(&hook, &topts);
		if (h->netns)
			ifaces_enter(f->ifs, 0);
	}
	*h = (struct hook){ -1, -1, 0, 0 };
}

struct flow_source *flow_source_open(const struct rec_options *o, struct iface_list *ifs,
				     struct sink *sink, struct printer *pr,
				     struct owner_source *owners, char *err, size_t errlen)
{
	struct flow_source *f = calloc(1, sizeof(*f));
	unsigned hooked = 0;
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->table4_fd[0] = f->table4_fd[1] = f->table6_fd[0] = f->table6_fd[1] = -1;
	f->barrier_inner_fd = -1;
	for (unsigned i = 0; i < IFACES_MAX; i++)
		f->hooks[i] = (struct hook){ -1, -1, 0, 0 };
	f->o = o;
	f->ifs = ifs;
	f->sink = sink;
	f->pr = pr;
	f->owners = owners;
	f->ncpu = libbpf_num_possible_cpus();
	f->keys = calloc(BATCH, sizeof(*f->keys));
	f->vals = calloc((size_t)BATCH * f->ncpu, sizeof(*f->vals));
	if (!f->keys || !f->vals) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	f->skel = flow_bpf__open();
	if (!f->skel) {
		snprintf(err, errlen, "cannot open the flow BPF object: %s", strerror(errno));
		goto fail;
	}
	f->skel->rodata->with_owners = owners != NULL;
	bpf_map__set_max_entries(f->skel->maps.flows4_0, o->max_flows);
	bpf_map__set_max_entries(f->skel->maps.flows4_1, o->max_flows);
	bpf_map__set_max_entries(f->skel->maps.flows6_0, o->max_flows);
	bpf_map__set_max_entries(f->skel->maps.flows6_1, o->max_flows);
	rc = flow_bpf__load(f->skel);
	if (rc) {
		snprintf(err, errlen, "cannot load the flow BPF programs (flow table of %u entries): %s%s",
			 o->max_flows, strerror(-rc),
			 o->verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	f->ns_skel[0] = f->skel;
	for (unsigned ns = 1; ns <= ifs->nnetns; ns++)
		if (load_ns_copy(f, ns)) {
			snprintf(err, errlen, "cannot load the flow BPF programs for namespace '%s': %s",
				 ifs->netns_name[ns], strerror(errno));
			goto fail;
		}
	f->table4_fd[0] = bpf_map__fd(f->skel->maps.flows4_0);
	f->table4_fd[1] = bpf_map__fd(f->skel->maps.flows4_1);
	f->table6_fd[0] = bpf_map__fd(f->skel->maps.flows6_0);
	f->table6_fd[1] = bpf_map__fd(f->skel->maps.flows6_1);
	f->barrier_fd = bpf_map__fd(f->skel->maps.barrier);
	f->barrier_inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "barrier_in", 4, 4, 1, NULL);
	if (f->barrier_inner_fd < 0) {
		snprintf(err, errlen, "cannot create a map: %s", strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < ifs->n; i++) {
		if (hook_iface(f, i) == 0) {
			hooked++;
			continue;
		}
		if (ifs->v[i].named) { /* asked for by -i: an error */
			snprintf(err, errlen, "cannot attach to interface '%s': %s", ifs->v[i].name,
				 strerror(errno));
			goto fail;
		}
		rec_notice("%s: cannot attach (%s); its traffic is not recorded", ifs->v[i].name,
			   strerror(errno));
		snprintf(ifs->v[i].ingress, sizeof(ifs->v[i].ingress), "none");
		snprintf(ifs->v[i].egress, sizeof(ifs->v[i].egress), "none");
	}
	if (!hooked) {
		snprintf(err, errlen, "no interface could be hooked");
		goto fail;
	}
	return f;
fail:
	flow_source_close(f, 0, NULL);
	return NULL;
}

static int add_row(struct flow_source *f, const struct flow_key *k, uint64_t packets,
		   uint64_t bytes, uint64_t cookie, uint64_t now, uint64_t interval)
{
	struct fmt_flow *r;

	if (f->nrows == f->cap_rows) {
		/* start near last interval's size: one allocation, no copies */
		size_t cap = f->cap_rows ? f->cap_rows * 2 :
					   f->n.last_flows > 2048 ? f->n.last_flows + f->n.last_flows / 4 : 4096;
		struct fmt_flow *v = realloc(f->rows, cap * sizeof(*v));
		uint64_t *c;
		if (!v)
			return -1;
		f->rows = v;
		c = realloc(f->cookies, cap * sizeof(*c));
		if (!c)
			return -1;
		f->cookies = c;
		f->cap_rows = cap;
	}
	f->cookies[f->nrows] = cookie;
	r = &f->rows[f->nrows++];
	memset(r, 0, sizeof(*r));
	r->ts_ns = now;
	r->interval_ns = interval;
	r->packets = packets;
	r->bytes = bytes;
	memcpy(&r->key, k, sizeof(r->key));
	return 0;
}

static int drain_overflow(struct flow_source *f, uint32_t slot, uint64_t now, uint64_t interval);

/* A full key from the IPv4 table's short one. */
static void widen(struct flow_key *k, const struct flow_key4 *k4)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = k4->ifindex;
	k->dir = k4->dir;
	k->family = k4->family;
	k->proto = k4->proto;
	memcpy(k->src, k4->src, 4);
	memcpy(k->dst, k4->dst, 4);
	k->sport = k4->sport;
	k->dport = k4->dport;
}

/* Drain one flow table (short IPv4 keys if v4): every entry, summed over
 * CPUs, deleted. */
static int drain_table(struct flow_source *f, int fd, int v4, uint64_t now, uint64_t interval)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint32_t in = 0, out = 0, count;
	void *inp = NULL;
	int rc;

	for (;;) {
		count = BATCH;
		rc = bpf_map_lookup_and_delete_batch(fd, inp, &out, f->keys, f->vals, &count, &bo);
		if (rc && errno != ENOENT)
			return -1;
		for (uint32_t i = 0; i < count; i++) {
			uint64_t p = 0, b = 0, cookie = 0;
			struct flow_key wide;
			const struct flow_key *k = &f->keys[i];
			for (int c = 0; c < f->ncpu; c++) {
				const struct flow_val *v = &f->vals[(size_t)i * f->ncpu + c];
				p += v->packets;
				b += v->bytes;
				if (v->cookie) /* CPUs normally agree: one socket per flow */
					cookie = v->cookie;
			}
			if (v4) {
				widen(&wide, (const struct flow_key4 *)f->keys + i);
				k = &wide;
			}
			if (p && add_row(f, k, p, b, cookie, now, interval))
				return -1;
		}
		if (rc) /* ENOENT: that was the last batch */
			return 0;
		in = out;
		inp = &in;
	}
}

/* Drain and clear the cache lines (IPv4 or IPv6 entries) of a slot on
 * every CPU; both entry types end with used, packets, bytes. */
static int drain_cache(struct flow_source *f, int fd, int v4, uint32_t slot, uint64_t now,
		       uint64_t interval)
{
	size_t n = FLOW_CACHE_SLOTS;
	size_t vsz = v4 ? sizeof(struct flow_cache_entry) : sizeof(struct flow_cache6_entry);
	uint32_t *keys = malloc(n * sizeof(*keys)), count = (uint32_t)n;
	char *v = calloc(n * f->ncpu, vsz);
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	int rc = -1;

	if (!keys || !v)
		goto out;
	{
		/* one batch syscall: lines slot*N .. slot*N + N - 1 of every CPU */
		uint32_t prev = slot * FLOW_CACHE_SLOTS - 1, next, got = (uint32_t)n;
		if (bpf_map_lookup_batch(fd, slot ? &prev : NULL, &next, keys, v, &got, &bo) &&
		    errno != ENOENT)
			goto out;
		if (got != n || keys[0] != slot * FLOW_CACHE_SLOTS)
			goto out;
	}
	for (size_t i = 0; i < n * f->ncpu; i++) {
		struct flow_key wide;
		uint64_t packets, bytes, cookie;
		uint32_t used;
		if (v4) {
			const struct flow_cache_entry *e = (const void *)(v + i * vsz);
			used = e->used, packets = e->packets, bytes = e->bytes, cookie = e->cookie;
			if (used)
				widen(&wide, &e->key);
		} else {
			const struct flow_cache6_entry *e = (const void *)(v + i * vsz);
			used = e->used, packets = e->packets, bytes = e->bytes, cookie = e->cookie;
			wide = e->key;
		}
		if (used && packets && add_row(f, &wide, packets, bytes, cookie, now, interval))
			goto out;
	}
	memset(v, 0, n * f->ncpu * vsz);
	for (uint32_t i = 0; i < n; i++)
		keys[i] = slot * FLOW_CACHE_SLOTS + i;
	if (bpf_map_update_batch(fd, keys, v, &count, &bo) || count != n)
		goto out;
	rc = 0;
out:
	free(keys);
	free(v);
	return rc;
}

static int drain_slot(struct flow_source *f, uint32_t slot, uint64_t now, uint64_t interval)
{
	if (drain_cache(f, bpf_map__fd(f->skel->maps.flow_cache), 1, slot, now, interval) ||
	    drain_cache(f, bpf_map__fd(f->skel->maps.flow_cache6), 0, slot, now, interval) ||
	    drain_table(f, f->table4_fd[slot], 1, now, interval) ||
	    drain_table(f, f->table6_fd[slot], 0, now, interval) ||
	    drain_overflow(f, slot, now, interval))
		return -1;
	return 0;
}

/* Drain the overflow buckets of a slot into rows with family OVERFLOW. */
static int drain_overflow(struct flow_source *f, uint32_t slot, uint64_t now, uint64_t interval)
{
	int fd = bpf_map__fd(f->skel->maps.overflow);

	for (unsigned i = 0; i < f->ifs->n; i++) {
		for (uint32_t dir = 0; dir < 2; dir++) {
			uint32_t idx = ((slot * MAX_IFSLOTS + i) << 1) | dir;
			uint64_t p = 0, b = 0;
			struct flow_key k = { .ifindex = f->ifs->v[i].id, .dir = (uint8_t)dir,
					      .family = FMT_FAMILY_OVERFLOW };
			if (bpf_map_lookup_elem(fd, &idx, f->vals))
				return -1;
			for (int c = 0; c < f->ncpu; c++) {
				p += f->vals[c].packets;
				b += f->vals[c].bytes;
			}
			if (!p)
				continue;
			memset(f->vals, 0, (size_t)f->ncpu * sizeof(*f->vals));
			if (bpf_map_update_elem(fd, &idx, f->vals, BPF_ANY) ||
			    add_row(f, &k, p, b, 0, now, interval))
				return -1;
			f->n.overflow_packets += p;
		}
	}
	return 0;
}

/* Hand the interval's rows to the sink (which orders, merges and encodes
 * them on its writer thread); count and print them here. */
static void emit(struct flow_source *f)
{
	if (f->owners)
		owner_source_resolve(f->owners, f->rows, f->cookies, f->nrows);
	for (size_t i = 0; i < f->nrows; i++) {
		f->n.packets += f->rows[i].packets;
		f->n.bytes += f->rows[i].bytes;
		if (f->pr)
			print_flow(f->pr, &f->rows[i]);
	}
	f->n.rows += f->nrows;
	f->n.last_flows = f->nrows;
	sink_flow_batch(f->sink, f->rows, f->nrows);
	f->rows = NULL; /* owned by the sink now */
	f->nrows = f->cap_rows = 0;
}

int flow_source_drain(struct flow_source *f, uint64_t now_ns, char *err, size_t errlen)
{
	uint32_t old = f->skel->bss->active & 1, next = old ^ 1;
	uint64_t interval = f->last_ns ? now_ns - f->last_ns : 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint32_t zero = 0;

	__atomic_store_n(&f->skel->bss->active, next, __ATOMIC_SEQ_CST);
	/* any update of an array-of-maps waits for the programs already
	 * running (synchronize_rcu): after it nobody writes slot `old` */
	if (bpf_map_update_elem(f->barrier_fd, &zero, &f->barrier_inner_fd, BPF_ANY)) {
		snprintf(err, errlen, "cannot swap flow tables: %s", strerror(errno));
		return -1;
	}
	f->n.last_sync_ns = (uint64_t)(ms_since(&t0) * 1e6);
	if (drain_slot(f, old, now_ns, interval)) {
		snprintf(err, errlen, "cannot drain the flow table: %s", strerror(errno));
		return -1;
	}
	f->n.last_read_ns = (uint64_t)(ms_since(&t0) * 1e6) - f->n.last_sync_ns;
	emit(f);
	f->last_ns = now_ns;
	f->n.drains++;
	f->n.last_drain_ns = (uint64_t)(ms_since(&t0) * 1e6);
	if (f->n.last_drain_ns > f->n.max_drain_ns)
		f->n.max_drain_ns = f->n.last_drain_ns;
	return 0;
}

/* Is interface ifc still there (looked up inside its namespace)? */
static bool iface_exists(struct flow_source *f, const struct iface *ifc)
{
	char name[IF_NAMESIZE];
	bool yes;

	if (ifc->netns && ifaces_enter(f->ifs, ifc->netns))
		return false; /* the namespace went away */
	yes = if_indextoname(ifc->index, name) != NULL;
	if (ifc->netns)
		ifaces_enter(f->ifs, 0);
	return yes;
}

int flow_source_check_ifaces(struct flow_source *f)
{
	int changed = 0;

	for (unsigned i = 0; i < f->ifs->n; i++) {
		struct iface *ifc = &f->ifs->v[i];
		if (ifc->gone || iface_exists(f, ifc))
			continue;
		/* its links went with it; keep recording the others */
		ifc->gone = true;
		unhook(f, &f->hooks[i]);
		changed = 1;
	}
	/* an interface deleted and created again (a veth of a restarted
	 * container): hook it under its new index, as a new list entry */
	for (unsigned i = 0; i < f->ifs->n; i++) {
		const struct iface *old = &f->ifs->v[i];
		int k = -1;
		if (!old->gone || (old->netns && ifaces_enter(f->ifs, old->netns)))
			continue;
		if (if_nametoindex(old->name))
			k = ifaces_readd(f->ifs, old->name, old->netns);
		if (old->netns)
			ifaces_enter(f->ifs, 0);
		if (k < 0)
			continue;
		if (hook_iface(f, (unsigned)k)) {
			rec_notice("%s: created again but cannot be hooked (%s); not recorded",
				   f->ifs->v[k].name, strerror(errno));
			f->ifs->v[k].gone = true; /* listed as such */
		}
		changed = 1;
	}
	return changed;
}

void flow_source_counts(const struct flow_source *f, struct flow_counts *c)
{
	*c = f->n;
}

int flow_source_table_fd(const struct flow_source *f, int slot, int v4)
{
	return v4 ? f->table4_fd[slot & 1] : f->table6_fd[slot & 1];
}

int flow_source_active_slot(const struct flow_source *f)
{
	return (int)(f->skel->bss->active & 1);
}

int flow_source_xdp_fd(const struct flow_source *f)
{
	return bpf_program__fd(f->skel->progs.flow_xdp);
}

/* Start the first interval now (the tables are empty until attach). */
void flow_source_start(struct flow_source *f, uint64_t now_ns)
{
	f->last_ns = now_ns;
}

void flow_source_close(struct flow_source *f, uint64_t now_ns, struct flow_counts *out)
{
	if (!f)
		return;
	for (unsigned i = 0; i < IFACES_MAX; i++)
		unhook(f, &f->hooks[i]);
	/* detached: nothing writes the tables any more; drain both slots */
	if (f->skel && f->sink && now_ns && f->table4_fd[0] >= 0) {
		uint64_t interval = f->last_ns ? now_ns - f->last_ns : 0;
		for (uint32_t s = 0; s < 2; s++)
			drain_slot(f, s, now_ns, interval);
		emit(f);
	}
	if (out)
		*out = f->n;
	if (f->barrier_inner_fd >= 0)
		close(f->barrier_inner_fd);
	for (unsigned ns = 1; ns <= NETNS_MAX; ns++)
		flow_bpf__destroy(f->ns_skel[ns]);
	flow_bpf__destroy(f->skel); /* owns the flow tables */
	free(f->keys);
	free(f->vals);
	free(f->rows);
	free(f->cookies);
	free(f);
}
