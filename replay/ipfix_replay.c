/* ipfix_replay.c - see ipfix_replay.h.
 *
 * Observation domains (v9: source ids) are per recording host: the host
 * of a row is its file's `hostname`, or, in a file merged from several
 * hosts, the HOST of its interface's "HOST:NAME". A domain's id is the
 * FNV-1a hash of the host name (0 is skipped; a collision with another
 * host takes the next free id), so the same host gets the same domain in
 * every replay and every file. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgname.h"
#include "fmt_meta.h"
#include "fmt_names.h"
#include "fmt_row.h"
#include "ipfix_enc.h"
#include "ipfix_replay.h"
#include "ipfix_udp.h"
#include "parse.h"
#include "who.h"

#define MAX_DOMAINS 4096   /* hosts named in one replay */
#define FINISH_WAIT_MS 200 /* for a late ICMP port unreachable */

struct host_domain {
	char *host;
	uint32_t id;
};

/* the domain of (file, interface), as found last */
struct iface_domain {
	unsigned source;
	uint32_t ifindex;
	uint32_t id;
};

struct ipfix_replay {
	struct report *r;
	struct ipfix_udp udp;
	struct ipfix_enc *enc;
	struct host_domain *hosts;
	size_t nhosts;
	struct iface_domain *ifd;
	size_t nifd, capifd;
	int failed; /* an error was printed */
	int owners; /* the records carry owners: IPFIX, and the files have them */
	/* rows left out: non-IP, overflow, and their packets and bytes */
	uint64_t other, overflow, left_packets, left_bytes;
};

static const char *proto_name(const struct report *r)
{
	return r->collector_proto == IPFIX_PROTO_NF9 ? "NetFlow v9" : "IPFIX";
}

const char *ipfix_parse_refresh(struct report *r, const char *val)
{
	size_t n = strlen(val);
	int64_t v;

	if (n > 1 && val[n - 1] == 'p') {
		char num[32];
		if (n >= sizeof(num))
			return "need a duration (30s) or a number of messages (100p)";
		memcpy(num, val, n - 1);
		num[n - 1] = 0;
		if (parse_int(num, 1, UINT32_MAX, &v))
			return "need a duration (30s) or a number of messages (100p)";
		r->refresh_messages = (uint32_t)v;
		r->refresh_ms = 0;
	} else {
		if ((v = parse_duration(val)) < 1000000)
			return "need a duration of 1ms or more (30s) or a number of messages "
			       "(100p)";
		r->refresh_ms = (uint64_t)v / 1000000;
		r->refresh_messages = 0;
	}
	r->refresh_set = true;
	return NULL;
}

static int emit(void *ctx, uint32_t domain, const uint8_t *msg, size_t len, uint32_t records)
{
	struct ipfix_replay *x = ctx;

	(void)domain;
	return ipfix_udp_send(&x->udp, msg, len, records);
}

int ipfix_replay_open(struct report *r, struct ipfix_replay **out)
{
	int nf9 = r->collector_proto == IPFIX_PROTO_NF9, rc;
	unsigned flows = 1u << FMT_STREAM_FLOW;
	struct ipfix_replay *x;
	struct ipfix_enc_opts o = {
	    .proto = nf9 ? IPFIX_PROTO_NF9 : IPFIX_PROTO_IPFIX,
	    .emit = emit,
	};

	*out = NULL;
	if (filter_has(&r->f, FILTER_TYPE) && !(r->f.types & flows)) {
		report_err("--%s sends flow rows, and --type leaves none",
		           nf9 ? "netflow9" : "ipfix");
		return 2;
	}
	r->f.types = flows; /* exec and exit chunks are never decoded */
	for (unsigned i = 0; !nf9 && i < r->nfiles; i++)
		o.owners |= who_owners_recorded(r, i);
	if (!(x = calloc(1, sizeof(*x)))) {
		report_err("out of memory");
		return 1;
	}
	x->r = r;
	rc = ipfix_udp_open(&x->udp, r->collector, nf9 ? NF9_PORT : IPFIX_PORT, r->mtu,
	                    r->rate < 0 ? IPFIX_DEFAULT_RATE : r->rate);
	if (rc) {
		report_err("%s", x->udp.err);
		free(x);
		return rc == -EINVAL ? 2 : 1;
	}
	o.max_message = x->udp.max_message;
	o.refresh_ms = r->refresh_set ? r->refresh_ms : IPFIX_DEFAULT_REFRESH_S * 1000;
	o.refresh_messages = r->refresh_set ? r->refresh_messages : 0;
	o.ctx = x;
	x->owners = o.owners;
	if (ipfix_enc_new(&o, &x->enc)) {
		report_err("out of memory");
		ipfix_udp_close(&x->udp);
		free(x);
		return 1;
	}
	*out = x;
	return 0;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The host that recorded rows of file `source` on ifindex. */
static void host_of(struct report *r, unsigned source, uint32_t ifindex, char *buf, size_t len)
{
	struct fmt_reader *rd = r->readers[source];
	const char *name = fmt_reader_iface_name(rd, ifindex), *colon;

	if (fmt_reader_meta(rd, FMT_META_MERGE) && name && (colon = strchr(name, ':'))) {
		snprintf(buf, len, "%.*s", (int)(colon - name), name);
		return;
	}
	snprintf(buf, len, "%s", fmt_reader_meta(rd, FMT_META_HOSTNAME) ?: "");
}

static bool id_taken(const struct ipfix_replay *x, uint32_t id)
{
	for (size_t i = 0; i < x->nhosts; i++)
		if (x->hosts[i].id == id)
			return true;
	return id == 0;
}

/* @return the domain id of host (a new one if it has none yet), 0 when out
 * of memory or domains */
static uint32_t host_domain(struct ipfix_replay *x, const char *host)
{
	uint32_t id = fnv1a(host);
	struct host_domain *v;

	for (size_t i = 0; i < x->nhosts; i++)
		if (!strcmp(x->hosts[i].host, host))
			return x->hosts[i].id;
	if (x->nhosts == MAX_DOMAINS)
		return 0;
	while (id_taken(x, id)) /* another host's: the next free one */
		id++;
	if (!(v = realloc(x->hosts, (x->nhosts + 1) * sizeof(*v))))
		return 0;
	x->hosts = v;
	if (!(v[x->nhosts].host = strdup(host)))
		return 0;
	v[x->nhosts++].id = id;
	return id;
}

static uint32_t domain_of(struct ipfix_replay *x, unsigned source, uint32_t ifindex)
{
	char host[256];
	uint32_t id;

	for (size_t i = x->nifd; i-- > 0;)
		if (x->ifd[i].source == source && x->ifd[i].ifindex == ifindex)
			return x->ifd[i].id;
	host_of(x->r, source, ifindex, host, sizeof(host));
	if (!(id = host_domain(x, host)))
		return 0;
	if (x->nifd == x->capifd) {
		size_t cap = x->capifd ? 2 * x->capifd : 16;
		struct iface_domain *v = realloc(x->ifd, cap * sizeof(*v));
		if (!v)
			return 0;
		x->ifd = v;
		x->capifd = cap;
	}
	x->ifd[x->nifd++] = (struct iface_domain){ source, ifindex, id };
	return id;
}

static int failed(struct ipfix_replay *x, int rc)
{
	if (rc == -ENOMEM)
		report_err("out of memory");
	else
		report_err("%s", x->udp.err);
	x->failed = 1;
	return 1;
}

/* A row's owner as the enterprise elements carry it, and its strings. */
struct row_owner {
	struct ipfix_owner o;
	char container[80];
	char enc[3][FMT_STR_ENCODED_MAX(IPFIX_STRING_MAX) + 1];
};

/* IPFIX strings are UTF-8: s as it is if it is, else (the first bytes of)
 * it in the exports' lossless encoding (docs/FORMAT.md), in buf. */
static const char *utf8(const char *s, char *buf)
{
	size_t len;

	if (!s || fmt_utf8_valid(s, len = strlen(s)))
		return s;
	buf[fmt_str_encode(s, len < IPFIX_STRING_MAX ? len : IPFIX_STRING_MAX, buf)] = 0;
	return buf;
}

/* @return 1 and *ro if ev's flow has an owner, else 0 */
static int owner_of(struct report *r, const struct fmt_event *ev, struct row_owner *ro)
{
	const struct fmt_owner *ow = &ev->flow.owner;
	const struct fmt_names *names;
	struct fmt_name nm;

	if (!ow->pid)
		return 0;
	ro->o = (struct ipfix_owner){ .pid = ow->pid, .start_ns = ow->start_ns };
	names = who_names(r);
	if (names && fmt_names_get(names, ev->source, ow->pid, ow->start_ns, ev->flow.ts_ns, &nm) == 0) {
		ro->o.comm = utf8(nm.comm, ro->enc[0]);
		ro->o.cmdline = utf8(nm.cmdline, ro->enc[1]);
	}
	ro->o.cgroup = who_cgroup(r, ev->source, ow->cgroup_id);
	if (ro->o.cgroup)
		ro->o.container = cgname_container(ro->o.cgroup, ro->container, sizeof(ro->container));
	ro->o.cgroup = utf8(ro->o.cgroup, ro->enc[2]);
	return 1;
}

int ipfix_replay_event(struct ipfix_replay *x, struct report *r, const struct fmt_event *ev)
{
	const struct fmt_flow *f = &ev->flow;
	struct row_owner own;
	uint32_t domain;
	int rc;

	if (ev->stream != FMT_STREAM_FLOW)
		return 0;
	if (ipfix_template_of(&f->key) < 0) {
		if (f->key.family == FMT_FAMILY_OVERFLOW)
			x->overflow++;
		else
			x->other++;
		x->left_packets += f->packets;
		x->left_bytes += f->bytes;
		return 0;
	}
	if (!(domain = domain_of(x, ev->source, f->key.ifindex))) {
		report_err(x->nhosts == MAX_DOMAINS ? "more than %d recording hosts"
		                                    : "out of memory",
		           MAX_DOMAINS);
		x->failed = 1;
		return 1;
	}
	rc = ipfix_enc_add_owned(x->enc, domain, f, fmt_reader_clock_offset(r->readers[ev->source]),
				 x->owners && owner_of(r, ev, &own) ? &own.o : NULL);
	return rc ? failed(x, rc) : 0;
}

int ipfix_replay_flush(struct ipfix_replay *x)
{
	int rc = ipfix_enc_flush(x->enc);

	return rc ? failed(x, rc) : 0;
}

static void summary(struct ipfix_replay *x, int signalled)
{
	struct ipfix_enc_stats st;
	int nf9 = x->r->collector_proto == IPFIX_PROTO_NF9;
	char domains[512] = "";
	size_t n = 0;

	ipfix_enc_stats(x->enc, &st);
	for (size_t i = 0; i < x->nhosts && n < sizeof(domains); i++)
		n += (size_t)snprintf(domains + n, sizeof(domains) - n, "%s%" PRIu32 " = host '%s'",
		                      i ? ", " : "", x->hosts[i].id, x->hosts[i].host);
	fprintf(stderr,
	        "ebpfreport: %s%s %" PRIu64 " flow record%s in %" PRIu64 " %s %s%s to %s%s%s%s%s\n",
	        signalled ? "interrupted: " : "", x->failed ? "stopped after sending" : "sent",
	        st.records, st.records == 1 ? "" : "s", st.messages, proto_name(x->r),
	        nf9 ? "packet" : "message", st.messages == 1 ? "" : "s", x->udp.addr,
	        x->nhosts ? " (" : "", x->nhosts ? (nf9 ? "source id " : "observation domain ") : "",
	        domains, x->nhosts ? ")" : "");
	if (x->other + x->overflow)
		fprintf(stderr,
		        "ebpfreport: left out %" PRIu64 " row%s without IP addresses (%" PRIu64
		        " non-IP, %" PRIu64 " flow-table overflow): %" PRIu64 " packets, %" PRIu64
		        " bytes\n",
		        x->other + x->overflow, x->other + x->overflow == 1 ? "" : "s", x->other,
		        x->overflow, x->left_packets,
		        x->left_bytes);
}

int ipfix_replay_close(struct ipfix_replay *x, int status, int signalled)
{
	if (!x->failed && ipfix_enc_flush(x->enc))
		failed(x, -1);
	if (!x->failed) {
		struct ipfix_enc_stats st;
		ipfix_enc_stats(x->enc, &st);
		if (st.messages && ipfix_udp_finish(&x->udp, FINISH_WAIT_MS))
			failed(x, -1);
	}
	summary(x, signalled);
	if (x->failed)
		status = 1;
	ipfix_udp_close(&x->udp);
	ipfix_enc_free(x->enc);
	for (size_t i = 0; i < x->nhosts; i++)
		free(x->hosts[i].host);
	free(x->hosts);
	free(x->ifd);
	free(x);
	return status;
}
