/* owner_source.c - see owner_source.h.
 *
 * The kernel side (bpf/owner.bpf.c) keeps socket cookie -> owner; the flow
 * programs tag each egress flow with its socket's cookie. At each drain
 * this file turns cookies into owners and learns, from those egress rows,
 * which owner each connection (protocol, local and remote address and port)
 * has, so that the connection's ingress rows, which XDP saw before any
 * socket was looked up, get the same owner. Ingress to a bound endpoint
 * with no egress yet (a UDP server, a SYN to a listener) is resolved
 * through the bound endpoints. Everything else stays unowned: forwarded
 * traffic, kernel replies, ICMP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfutil.h"
#include "cgroupfs.h"
#include "events.h"
#include "hostinfo.h"
#include "ifaces.h"
#include "notice.h"
#include "owner.skel.h"
#include "owner_source.h"

#define MAX_LINKS 16
#define TUPLE_IDLE_DRAINS 300 /* a connection unseen this many intervals is forgotten */

/* One direction-free connection: the local side first, in the network
 * namespace of the row's interface (the same addresses may be in use in
 * two namespaces, loopback's in all of them). */
struct tuple {
	uint32_t netns; /* the interface's namespace: ifindex >> NETNS_ID_SHIFT */
	uint8_t family, proto;
	uint16_t lport, rport;
	uint8_t local[16], remote[16];
};

struct tuple_slot {
	struct tuple t;
	struct fmt_owner owner;
	uint64_t used; /* drain number; 0: empty */
};

/* Open addressing, linear probing; grows at half full. */
struct tuple_map {
	struct tuple_slot *v;
	size_t cap, n;
};

struct owner_source {
	struct owner_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	struct tuple_map tuples;
	uint64_t *closed; /* cookies released in the interval drained last */
	size_t nclosed, capclosed;
	uint64_t drain; /* drains so far, from 1 */
	uint64_t last_sweep_ns;
	struct owner_counts n;
	int ncpu;
};

static uint64_t tuple_hash(const struct tuple *t)
{
	const unsigned char *p = (const unsigned char *)t;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < sizeof(*t); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static struct tuple_slot *tuple_find(struct tuple_map *m, const struct tuple *t)
{
	if (!m->cap)
		return NULL;
	for (size_t i = tuple_hash(t) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->v[i].used)
			return NULL;
		if (!memcmp(&m->v[i].t, t, sizeof(*t)))
			return &m->v[i];
	}
}

static int tuple_put(struct tuple_map *m, const struct tuple *t, const struct fmt_owner *o,
		     uint64_t drain);

/* Rebuild into cap slots, keeping entries used in the last
 * TUPLE_IDLE_DRAINS drains. */
static int tuple_rehash(struct tuple_map *m, size_t cap, uint64_t drain)
{
	struct tuple_map old = *m;

	m->v = calloc(cap, sizeof(*m->v));
	if (!m->v) {
		*m = old;
		return -1;
	}
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].used && old.v[i].used + TUPLE_IDLE_DRAINS >= drain)
			tuple_put(m, &old.v[i].t, &old.v[i].owner, old.v[i].used);
	free(old.v);
	return 0;
}

static int tuple_put(struct tuple_map *m, const struct tuple *t, const struct fmt_owner *o,
		     uint64_t drain)
{
	struct tuple_slot *s;
	size_t i;

	if (m->n * 2 >= m->cap && tuple_rehash(m, m->cap ? m->cap * 2 : 1024, drain))
		return -1;
	for (i = tuple_hash(t) & (m->cap - 1); m->v[i].used; i = (i + 1) & (m->cap - 1))
		if (!memcmp(&m->v[i].t, t, sizeof(*t)))
			break;
	s = &m->v[i];
	if (!s->used)
		m->n++;
	s->t = *t;
	s->owner = *o;
	s->used = drain;
	return 0;
}

/* The tuple of a flow row, seen from this host: egress src is local. */
static void tuple_of(const struct fmt_flow_key *k, struct tuple *t)
{
	int out = k->dir == FMT_DIR_EGRESS;

	memset(t, 0, sizeof(*t));
	t->netns = k->ifindex >> NETNS_ID_SHIFT;
	t->family = k->family;
	t->proto = k->proto;
	memcpy(t->local, out ? k->src : k->dst, 16);
	memcpy(t->remote, out ? k->dst : k->src, 16);
	t->lport = out ? k->sport : k->dport;
	t->rport = out ? k->dport : k->sport;
}

/* The owner of socket `cookie`, from the kernel's table. @return 0 or -1. */
static int owner_of(struct owner_source *s, uint64_t cookie, struct fmt_owner *o)
{
	struct sock_owner so;

	if (!cookie ||
	    bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.owners), &cookie, &so))
		return -1;
	*o = (struct fmt_owner){ .pid = so.tgid, .start_ns = so.start_ns,
				 .cgroup_id = so.cgroup_id };
	return 0;
}

/* The owner of the socket bound to the row's local endpoint (its address,
 * or the wildcard). */
static int endpoint_owner(struct owner_source *s, const struct tuple *t, struct fmt_owner *o)
{
	struct endpoint ep = { .family = t->family, .proto = t->proto, .port = t->lport };
	int fd = bpf_map__fd(s->skel->maps.endpoints);
	uint64_t cookie;

	memcpy(ep.addr, t->local, 16);
	if (bpf_map_lookup_elem(fd, &ep, &cookie)) {
		memset(ep.addr, 0, sizeof(ep.addr));
		if (bpf_map_lookup_elem(fd, &ep, &cookie))
			return -1;
	}
	return owner_of(s, cookie, o);
}

/* Rows that can belong to a socket: TCP, UDP and SCTP over IP. */
static int socket_row(const struct fmt_flow_key *k)
{
	return (k->family == FMT_FAMILY_IPV4 || k->family == FMT_FAMILY_IPV6) &&
	       (k->proto == 6 || k->proto == 17 || k->proto == 132);
}

void owner_source_resolve(struct owner_source *s, struct fmt_flow *rows, const uint64_t *cookies,
			  size_t n)
{
	struct tuple t;
	struct tuple_slot *hit;

	s->drain++;
	/* egress first: its cookies name the connections' owners */
	for (size_t i = 0; i < n; i++) {
		struct fmt_flow *r = &rows[i];
		if (r->key.dir != FMT_DIR_EGRESS || !socket_row(&r->key) || !cookies[i])
			continue; /* cookie 0: no local socket (forwarded, kernel) */
		tuple_of(&r->key, &t);
		if (owner_of(s, cookies[i], &r->owner) == 0)
			tuple_put(&s->tuples, &t, &r->owner, s->drain);
		else if ((hit = tuple_find(&s->tuples, &t))) /* a request or timewait sock of it */
			r->owner = hit->owner;
		else
			endpoint_owner(s, &t, &r->owner); /* a listener's SYN-ACK */
	}
	for (size_t i = 0; i < n; i++) {
		struct fmt_flow *r = &rows[i];
		if (r->key.dir != FMT_DIR_INGRESS || !socket_row(&r->key))
			continue;
		tuple_of(&r->key, &t);
		if ((hit = tuple_find(&s->tuples, &t))) {
			r->owner = hit->owner;
			hit->used = s->drain;
		} else {
			endpoint_owner(s, &t, &r->owner);
		}
	}
}

/* Delete the owners of sockets closed during the interval before the one
 * just drained (the one just drained may still show their last packets),
 * then queue those closed since. */
void owner_source_expire(struct owner_source *s, uint64_t before_ns)
{
	int owners = bpf_map__fd(s->skel->maps.owners), queue = bpf_map__fd(s->skel->maps.released);
	uint64_t cookie;

	for (size_t i = 0; i < s->nclosed; i++)
		bpf_map_delete_elem(owners, &s->closed[i]);
	s->nclosed = 0;
	while (bpf_map_lookup_and_delete_elem(queue, NULL, &cookie) == 0) {
		if (s->nclosed == s->capclosed) {
			size_t cap = s->capclosed ? s->capclosed * 2 : 1024;
			uint64_t *v = realloc(s->closed, cap * sizeof(*v));
			if (!v)
				break; /* left to the sweep */
			s->closed = v;
			s->capclosed = cap;
		}
		s->closed[s->nclosed++] = cookie;
	}
	/* the queue may have been full: once a minute, sweep what it missed */
	if (before_ns - s->last_sweep_ns >= 60000000000ull) {
		uint64_t key, next, *prev = NULL;
		struct sock_owner so;
		s->last_sweep_ns = before_ns;
		while (bpf_map_get_next_key(owners, prev, &next) == 0) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(owners, &key, &so) == 0 && so.released_ns &&
			    so.released_ns + 60000000000ull < before_ns)
				bpf_map_delete_elem(owners, &key);
		}
	}
}

void owner_source_counts(struct owner_source *s, struct owner_counts *c)
{
	s->n.owners_full = percpu_sum(s->skel->maps.owner_counters, OCNT_OWNERS_FULL, s->ncpu);
	s->n.endpoints_full = percpu_sum(s->skel->maps.owner_counters, OCNT_ENDPOINTS_FULL, s->ncpu);
	*c = s->n;
}

/* Does this kernel have the sock_send_length tracepoint (6.4+)? */
static bool has_send_tracepoint(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool yes;

	if (!btf)
		return false;
	yes = btf__find_by_name_kind(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return yes;
}

/* Run iterator prog to its end (what it does is in maps, not in its
 * output). @return 0 or -1. */
static int run_iter(struct bpf_program *prog)
{
	struct bpf_link *link;
	char buf[256];
	int fd = iter_open(prog, &link), rc = 0;
	ssize_t got;

	if (fd < 0)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
	}
	if (got < 0)
		rc = -1;
	close(fd);
	bpf_link__destroy(link);
	return rc;
}

/* The sockets open now: every task's files (socket inode -> holder), then
 * the TCP and UDP tables of each network namespace recorded (a socket
 * table iterator walks the namespace of the thread that creates it). */
static int seed(struct owner_source *s, const struct iface_list *ifs)
{
	int rc = run_iter(s->skel->progs.owner_files);

	for (unsigned ns = 0; rc == 0 && ns <= ifs->nnetns; ns++) {
		if (ns && ifaces_enter(ifs, ns))
			return -1;
		rc = run_iter(s->skel->progs.owner_seed_tcp) || run_iter(s->skel->progs.owner_seed_udp);
		if (ns && ifaces_enter(ifs, 0))
			return -1;
	}
	return rc;
}

static int attach_all(struct owner_source *s, int cgroup_fd, bool send_tp)
{
	struct bpf_program *cg[] = {
		s->skel->progs.owner_create,   s->skel->progs.owner_bind4,
		s->skel->progs.owner_bind6,    s->skel->progs.owner_connect4,
		s->skel->progs.owner_connect6, s->skel->progs.owner_sendmsg4,
		s->skel->progs.owner_sendmsg6, s->skel->progs.owner_release,
		s->skel->progs.owner_sockops,
	};

	for (size_t i = 0; i < sizeof(cg) / sizeof(cg[0]); i++) {
		/* links are multi-attach: programs already at the root stay */
		struct bpf_link *l = bpf_program__attach_cgroup(cg[i], cgroup_fd);
		if (!l)
			return -1;
		s->links[s->nlinks++] = l;
	}
	if (send_tp) {
		struct bpf_link *l = bpf_program__attach(s->skel->progs.owner_send);
		if (!l)
			return -1;
		s->links[s->nlinks++] = l;
	}
	return 0;
}

struct owner_source *owner_source_open(const struct rec_options *o, const struct iface_list *ifs,
				       char *err, size_t errlen)
{
	struct owner_source *s = calloc(1, sizeof(*s));
	char root[4096];
	bool send_tp = has_send_tracepoint();
	int cgroup_fd = -1;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->ncpu = libbpf_num_possible_cpus();
	if (cgroupfs_root(root, sizeof(root))) {
		snprintf(err, errlen, "this kernel has no cgroup v2 file system (use --no-owners)");
		goto fail;
	}
	cgroup_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgroup_fd < 0) {
		snprintf(err, errlen, "cannot open the cgroup v2 root '%s': %s", root, strerror(errno));
		goto fail;
	}
	s->skel = owner_bpf__open();
	if (!s->skel) {
		snprintf(err, errlen, "cannot open the owner BPF object: %s", strerror(errno));
		goto fail;
	}
	bpf_map__set_max_entries(s->skel->maps.owners, o->max_sockets);
	bpf_map__set_max_entries(s->skel->maps.endpoints, o->max_sockets);
	bpf_map__set_max_entries(s->skel->maps.bound, o->max_sockets);
	bpf_map__set_max_entries(s->skel->maps.seed_owner, o->max_sockets);
	bpf_program__set_autoload(s->skel->progs.owner_send, send_tp);
	if (!send_tp)
		rec_notice("no sock_send_length tracepoint (kernel before 6.4): a shared socket's "
			   "owner is the process that created, bound, connected or last sent on it "
			   "with an address, not the last sender");
	if (owner_bpf__load(s->skel)) {
		snprintf(err, errlen, "cannot load the owner BPF programs: %s%s", strerror(errno),
			 o->verbose ? "" : " (run with -v for the verifier's log)");
		goto fail;
	}
	/* attach, then walk: a socket created during the walk is seen by at
	 * least one of the two */
	if (attach_all(s, cgroup_fd, send_tp)) {
		snprintf(err, errlen, "cannot attach the owner programs at the cgroup v2 root '%s': %s",
			 root, strerror(errno));
		goto fail;
	}
	s->n.seed_ns = host_boot_ns();
	if (seed(s, ifs)) {
		snprintf(err, errlen, "cannot walk the open sockets: %s", strerror(errno));
		goto fail;
	}
	s->n.seed_ns = host_boot_ns() - s->n.seed_ns;
	{
		uint64_t key, next, *prev = NULL;
		while (bpf_map_get_next_key(bpf_map__fd(s->skel->maps.owners), prev, &next) == 0) {
			key = next;
			prev = &key;
			s->n.seeded++;
		}
	}
	close(cgroup_fd);
	return s;
fail:
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	owner_source_close(s);
	return NULL;
}

void owner_source_close(struct owner_source *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	owner_bpf__destroy(s->skel);
	free(s->tuples.v);
	free(s->closed);
	free(s);
}
