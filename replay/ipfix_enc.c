/* ipfix_enc.c - see ipfix_enc.h.
 *
 * Wire layout (all numbers big-endian):
 *
 *   IPFIX message header (RFC 7011 3.1), 16 bytes:
 *     0 version = 10 | 2 length of the message | 4 export time (s)
 *     8 sequence number: data records of this domain sent before it
 *    12 observation domain id
 *   NetFlow v9 header (RFC 3954 5.1), 20 bytes:
 *     0 version = 9 | 2 count: template + data records in the packet
 *     4 sysUptime (ms) | 8 UNIX seconds | 12 sequence number: packets of
 *     this source id sent before it | 16 source id
 *   then sets: { set id, length of the set } and its records; template
 *   sets (IPFIX id 2, v9 id 0) hold { template id, field count, field count
 *   x { IE id, field length } }; data sets carry their template's id. v9
 *   sets are padded with zeros to a multiple of 4 bytes; IPFIX sets are not
 *   padded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipfix_enc.h"

/* IANA IPFIX information elements (the same numbers in NetFlow v9) */
enum {
	IE_OCTET_DELTA = 1,         /* octetDeltaCount */
	IE_PACKET_DELTA = 2,        /* packetDeltaCount */
	IE_PROTOCOL = 4,            /* protocolIdentifier */
	IE_SRC_PORT = 7,            /* sourceTransportPort */
	IE_SRC_IPV4 = 8,            /* sourceIPv4Address */
	IE_INGRESS_IF = 10,         /* ingressInterface */
	IE_DST_PORT = 11,           /* destinationTransportPort */
	IE_DST_IPV4 = 12,           /* destinationIPv4Address */
	IE_EGRESS_IF = 14,          /* egressInterface */
	IE_SRC_IPV6 = 27,           /* sourceIPv6Address */
	IE_DST_IPV6 = 28,           /* destinationIPv6Address */
	IE_ICMP_TYPE_CODE_V4 = 32,  /* icmpTypeCodeIPv4: type << 8 | code */
	IE_FLOW_DIRECTION = 61,     /* flowDirection: 0 ingress, 1 egress */
	IE_ICMP_TYPE_CODE_V6 = 139, /* icmpTypeCodeIPv6 (v9: ICMP_TYPE, 32) */
	IE_FLOW_START_MS = 152,     /* flowStartMilliseconds */
	IE_FLOW_END_MS = 153,       /* flowEndMilliseconds */
};

/* ebpfrec's enterprise-specific elements (IPFIX only; docs/ipfix.md): the
 * process that owned a flow's socket */
enum {
	EIE_PROCESS_ID = 1,         /* unsigned32: the process's pid (tgid) */
	EIE_PROCESS_START_MS = 2,   /* dateTimeMilliseconds: when it started */
	EIE_PROCESS_NAME = 3,       /* string: its comm in that interval */
	EIE_PROCESS_CMDLINE = 4,    /* string: its argv, joined by spaces */
	EIE_CGROUP_PATH = 5,        /* string: its cgroup v2 path */
	EIE_CONTAINER_ID = 6,       /* string: the container id in that path */
};
#define ENTERPRISE_BIT 0x8000
#define VARLEN 65535     /* a field length: variable (RFC 7011 7) */

#define SET_TEMPLATE_IPFIX 2
#define SET_TEMPLATE_NF9 0
#define HDR_IPFIX 16
#define HDR_NF9 20

struct ie {
	uint16_t id, len;
	uint32_t pen; /* 0: an IANA element; else enterprise-specific */
};

/* clang-format off */
#define COMMON_HEAD \
	{ IE_FLOW_START_MS, 8 }, { IE_FLOW_END_MS, 8 }, \
	{ IE_PACKET_DELTA, 8 }, { IE_OCTET_DELTA, 8 }
#define COMMON_TAIL \
	{ IE_PROTOCOL, 1 }, { IE_INGRESS_IF, 4 }, { IE_EGRESS_IF, 4 }, { IE_FLOW_DIRECTION, 1 }
#define OWNER_TAIL \
	{ EIE_PROCESS_ID, 4, IPFIX_PEN }, { EIE_PROCESS_START_MS, 8, IPFIX_PEN }, \
	{ EIE_PROCESS_NAME, VARLEN, IPFIX_PEN }, { EIE_PROCESS_CMDLINE, VARLEN, IPFIX_PEN }, \
	{ EIE_CGROUP_PATH, VARLEN, IPFIX_PEN }, { EIE_CONTAINER_ID, VARLEN, IPFIX_PEN }
/* clang-format on */

/* The templates, in template id order. With owners (IPFIX, a session
 * whose flows carry them), every template ends with the owner's
 * enterprise-specific elements; a row without an owner sends pid 0 and
 * empty strings. NetFlow v9 has no enterprise bit: its templates stay as
 * they are. */
/* clang-format off */
static const struct ie t_ipv4[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV4, 4 }, { IE_DST_IPV4, 4 }, { IE_SRC_PORT, 2 }, { IE_DST_PORT, 2 },
	COMMON_TAIL,
};
static const struct ie t_ipv6[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV6, 16 }, { IE_DST_IPV6, 16 }, { IE_SRC_PORT, 2 }, { IE_DST_PORT, 2 },
	COMMON_TAIL,
};
static const struct ie t_icmp4[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV4, 4 }, { IE_DST_IPV4, 4 }, { IE_ICMP_TYPE_CODE_V4, 2 },
	COMMON_TAIL,
};
static const struct ie t_icmp6[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV6, 16 }, { IE_DST_IPV6, 16 }, { IE_ICMP_TYPE_CODE_V6, 2 },
	COMMON_TAIL,
};

static const struct ie t_ipv4_owned[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV4, 4 }, { IE_DST_IPV4, 4 }, { IE_SRC_PORT, 2 }, { IE_DST_PORT, 2 },
	COMMON_TAIL, OWNER_TAIL,
};
static const struct ie t_ipv6_owned[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV6, 16 }, { IE_DST_IPV6, 16 }, { IE_SRC_PORT, 2 }, { IE_DST_PORT, 2 },
	COMMON_TAIL, OWNER_TAIL,
};
static const struct ie t_icmp4_owned[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV4, 4 }, { IE_DST_IPV4, 4 }, { IE_ICMP_TYPE_CODE_V4, 2 },
	COMMON_TAIL, OWNER_TAIL,
};
static const struct ie t_icmp6_owned[] = {
	COMMON_HEAD,
	{ IE_SRC_IPV6, 16 }, { IE_DST_IPV6, 16 }, { IE_ICMP_TYPE_CODE_V6, 2 },
	COMMON_TAIL, OWNER_TAIL,
};

struct tmpl {
	const struct ie *f;
	uint16_t n;
};
#define TEMPLATE(t) { t, sizeof(t) / sizeof(t[0]) }
static const struct tmpl templates[IPFIX_TMPL_COUNT] = {
	TEMPLATE(t_ipv4), TEMPLATE(t_ipv6), TEMPLATE(t_icmp4), TEMPLATE(t_icmp6),
};
static const struct tmpl templates_owned[IPFIX_TMPL_COUNT] = {
	TEMPLATE(t_ipv4_owned), TEMPLATE(t_ipv6_owned), TEMPLATE(t_icmp4_owned),
	TEMPLATE(t_icmp6_owned),
};
/* clang-format on */

/* One observation domain: its sequence number, template state and open
 * message (len 0: none). */
struct domain {
	uint32_t id;
	uint32_t seq;
	bool templates_sent;
	uint64_t templates_at;    /* uptime ms when last sent */
	uint32_t since_templates; /* messages emitted since */
	uint8_t *buf;
	size_t len;
	size_t set_off;   /* where the open set starts */
	int set_id;       /* of the open set, 0: none */
	uint32_t records; /* data records in the open message */
	uint32_t count;   /* v9: template + data records in it */
};

struct ipfix_enc {
	struct ipfix_enc_opts o;
	const struct tmpl *t; /* templates or templates_owned */
	size_t strings_max; /* room for an owner's strings in any record */
	size_t hdr;
	struct domain *dom;
	size_t ndom, capdom;
	size_t last;       /* index of the domain used last */
	uint64_t mono0_ms; /* default clock: uptime origin */
	struct ipfix_enc_stats st;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void now(struct ipfix_enc *e, uint64_t *wall_ms, uint64_t *uptime_ms)
{
	if (e->o.clock) {
		e->o.clock(e->o.ctx, wall_ms, uptime_ms);
		return;
	}
	*wall_ms = clock_ms(CLOCK_REALTIME);
	*uptime_ms = clock_ms(CLOCK_MONOTONIC) - e->mono0_ms;
}

int ipfix_template_of(const struct fmt_flow_key *k)
{
	switch (k->family) {
	case FMT_FAMILY_IPV4:
		return k->proto == 1 ? IPFIX_TMPL_ICMP4 : IPFIX_TMPL_IPV4;
	case FMT_FAMILY_IPV6:
		return k->proto == 58 ? IPFIX_TMPL_ICMP6 : IPFIX_TMPL_IPV6;
	default:
		return -EAFNOSUPPORT;
	}
}

/* bytes of a record of template t without its strings (each string's
 * length byte counted) */
static size_t fixed_len(const struct tmpl *t)
{
	size_t n = 0;

	for (unsigned i = 0; i < t->n; i++)
		n += t->f[i].len == VARLEN ? 1 : t->f[i].len;
	return n;
}

size_t ipfix_record_size(int template_id)
{
	unsigned t = (unsigned)(template_id - IPFIX_TMPL_FIRST);

	return t < IPFIX_TMPL_COUNT ? fixed_len(&templates[t]) : 0;
}

/* The strings of an owner as sent: each at most IPFIX_STRING_MAX bytes, and all
 * together at most max (the room a message has left for them: with a small
 * --mtu the later ones are cut first: container, cgroup, command line). */
struct owner_strings {
	const char *s[4];
	size_t len[4];
};

static size_t owner_strings(const struct ipfix_owner *o, size_t max, struct owner_strings *os)
{
	const char *in[4] = { o ? o->comm : NULL, o ? o->cmdline : NULL, o ? o->cgroup : NULL,
			      o ? o->container : NULL };
	size_t total = 0;

	for (int i = 0; i < 4; i++) {
		size_t full = in[i] ? strlen(in[i]) : 0, n = full;
		if (n > IPFIX_STRING_MAX)
			n = IPFIX_STRING_MAX;
		if (n > max - total)
			n = max - total;
		while (n && n < full && ((uint8_t)in[i][n] & 0xc0) == 0x80)
			n--; /* a cut between characters keeps the string UTF-8 */
		os->s[i] = in[i];
		os->len[i] = n;
		total += n;
	}
	return total;
}

/* bytes of f's record with template tmpl */
static size_t record_len(const struct ipfix_enc *e, int tmpl, const struct owner_strings *os)
{
	size_t n = fixed_len(&e->t[tmpl - IPFIX_TMPL_FIRST]);

	if (e->t == templates_owned)
		for (int i = 0; i < 4; i++)
			n += os->len[i];
	return n;
}

/* bytes of the template set */
static size_t templates_len(const struct tmpl *t)
{
	size_t n = 4;

	for (unsigned i = 0; i < IPFIX_TMPL_COUNT; i++) {
		n += 4 + 4u * t[i].n;
		for (unsigned j = 0; j < t[i].n; j++)
			n += t[i].f[j].pen ? 4 : 0;
	}
	return n;
}

int ipfix_enc_new(const struct ipfix_enc_opts *o, struct ipfix_enc **out)
{
	struct ipfix_enc *e;
	size_t hdr = o->proto == IPFIX_PROTO_NF9 ? HDR_NF9 : HDR_IPFIX, biggest = 0, fixed;
	const struct tmpl *t = o->owners && o->proto == IPFIX_PROTO_IPFIX ? templates_owned : templates;

	*out = NULL;
	for (unsigned i = 0; i < IPFIX_TMPL_COUNT; i++)
		biggest = fixed_len(&t[i]) > biggest ? fixed_len(&t[i]) : biggest;
	/* a message must hold the templates and a record of the largest kind
	 * (with empty strings) */
	fixed = hdr + templates_len(t) + 4 + biggest + 3;
	if ((o->proto != IPFIX_PROTO_NF9 && o->proto != IPFIX_PROTO_IPFIX) || !o->emit ||
	    o->max_message < IPFIX_MIN_MESSAGE || o->max_message > IPFIX_MAX_MESSAGE ||
	    fixed > o->max_message)
		return -EINVAL;
	if (!(e = calloc(1, sizeof(*e))))
		return -ENOMEM;
	e->o = *o;
	e->t = t;
	e->strings_max = o->max_message - fixed;
	e->hdr = hdr;
	e->mono0_ms = clock_ms(CLOCK_MONOTONIC);
	*out = e;
	return 0;
}

void ipfix_enc_free(struct ipfix_enc *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->ndom; i++)
		free(e->dom[i].buf);
	free(e->dom);
	free(e);
}

void ipfix_enc_stats(const struct ipfix_enc *e, struct ipfix_enc_stats *st)
{
	*st = e->st;
}

static struct domain *find_domain(struct ipfix_enc *e, uint32_t id)
{
	struct domain *d;

	if (e->ndom && e->dom[e->last].id == id)
		return &e->dom[e->last];
	for (size_t i = 0; i < e->ndom; i++)
		if (e->dom[i].id == id)
			return &e->dom[e->last = i];
	if (e->ndom == e->capdom) {
		size_t cap = e->capdom ? 2 * e->capdom : 4;
		struct domain *v = realloc(e->dom, cap * sizeof(*v));
		if (!v)
			return NULL;
		e->dom = v;
		e->capdom = cap;
	}
	d = &e->dom[e->ndom];
	*d = (struct domain){ .id = id };
	if (!(d->buf = malloc(e->o.max_message)))
		return NULL;
	e->last = e->ndom++;
	return d;
}

static bool nf9(const struct ipfix_enc *e)
{
	return e->o.proto == IPFIX_PROTO_NF9;
}

/* End the open set: its length, and v9's padding. */
static void close_set(struct ipfix_enc *e, struct domain *d)
{
	if (!d->set_id)
		return;
	while (nf9(e) && (d->len - d->set_off) % 4)
		d->buf[d->len++] = 0;
	put16(d->buf + d->set_off + 2, (uint16_t)(d->len - d->set_off));
	d->set_id = 0;
}

static void put_templates(struct ipfix_enc *e, struct domain *d, uint64_t uptime)
{
	uint8_t *p = d->buf + d->len;

	put16(p, nf9(e) ? SET_TEMPLATE_NF9 : SET_TEMPLATE_IPFIX);
	put16(p + 2, (uint16_t)templates_len(e->t));
	p += 4;
	for (unsigned t = 0; t < IPFIX_TMPL_COUNT; t++) {
		put16(p, (uint16_t)(IPFIX_TMPL_FIRST + t));
		put16(p + 2, e->t[t].n);
		p += 4;
		for (unsigned i = 0; i < e->t[t].n; i++, p += 4) {
			const struct ie *f = &e->t[t].f[i];
			/* RFC 3954 has one ICMP field for both versions */
			put16(p, nf9(e) && f->id == IE_ICMP_TYPE_CODE_V6 ? IE_ICMP_TYPE_CODE_V4 :
			      f->pen ? (uint16_t)(f->id | ENTERPRISE_BIT) : f->id);
			put16(p + 2, f->len);
			if (f->pen) {
				put32(p + 4, f->pen);
				p += 4;
			}
		}
	}
	d->len += templates_len(e->t);
	d->count += IPFIX_TMPL_COUNT;
	d->templates_sent = true;
	d->templates_at = uptime;
	d->since_templates = 0;
	e->st.template_messages++;
}

/* Start d's next message: the header is written when it is finished. */
static void begin(struct ipfix_enc *e, struct domain *d)
{
	uint64_t wall, uptime;

	d->len = e->hdr;
	d->set_id = 0;
	d->records = d->count = 0;
	now(e, &wall, &uptime);
	if (!d->templates_sent ||
	    (e->o.refresh_ms && uptime - d->templates_at >= e->o.refresh_ms) ||
	    (e->o.refresh_messages && d->since_templates >= e->o.refresh_messages))
		put_templates(e, d, uptime);
}

/* Write the header and hand the message to emit. */
static int finish(struct ipfix_enc *e, struct domain *d)
{
	uint64_t wall, uptime;
	uint8_t *h = d->buf;
	size_t len;

	if (!d->len)
		return 0;
	close_set(e, d);
	now(e, &wall, &uptime);
	if (nf9(e)) {
		put16(h, IPFIX_PROTO_NF9);
		put16(h + 2, (uint16_t)d->count);
		put32(h + 4, (uint32_t)uptime);
		put32(h + 8, (uint32_t)(wall / 1000));
		put32(h + 12, d->seq);
		put32(h + 16, d->id);
	} else {
		put16(h, IPFIX_PROTO_IPFIX);
		put16(h + 2, (uint16_t)d->len);
		put32(h + 4, (uint32_t)(wall / 1000));
		put32(h + 8, d->seq);
		put32(h + 12, d->id);
	}
	len = d->len;
	d->len = 0;
	d->seq += nf9(e) ? 1 : d->records; /* modulo 2^32 */
	d->since_templates++;
	e->st.messages++;
	e->st.records += d->records;
	e->st.bytes += len;
	return e->o.emit(e->o.ctx, d->id, d->buf, len, d->records);
}

/* wall-clock ms of boot-clock ns t, 0 before the epoch; the offset comes
 * from the file's meta and may be anything */
static uint64_t wall_ms(uint64_t t, int64_t offset)
{
	int64_t w;

	if (__builtin_add_overflow((int64_t)(t > INT64_MAX ? INT64_MAX : t), offset, &w))
		w = offset > 0 ? INT64_MAX : 0;
	return w > 0 ? (uint64_t)w / 1000000 : 0;
}

/* a string field: its length in one byte, then its bytes */
static uint8_t *put_string(uint8_t *p, const char *s, size_t len)
{
	*p++ = (uint8_t)len;
	if (len)
		memcpy(p, s, len);
	return p + len;
}

static uint8_t *put_owner_field(uint8_t *p, const struct ie *ie, const struct ipfix_owner *o,
				const struct owner_strings *os, int64_t offset)
{
	switch (ie->id) {
	case EIE_PROCESS_ID:
		put32(p, o ? o->pid : 0);
		return p + 4;
	case EIE_PROCESS_START_MS:
		put64(p, o ? wall_ms(o->start_ns, offset) : 0);
		return p + 8;
	default: /* the strings, in OWNER_TAIL's order */
		return put_string(p, os->s[ie->id - EIE_PROCESS_NAME],
				  os->len[ie->id - EIE_PROCESS_NAME]);
	}
}

static uint8_t *put_field(uint8_t *p, const struct ie *ie, const struct fmt_flow *f, int64_t offset)
{
	const struct fmt_flow_key *k = &f->key;
	uint64_t start = f->ts_ns > f->interval_ns ? f->ts_ns - f->interval_ns : 0;

	switch (ie->id) {
	case IE_FLOW_START_MS:
		put64(p, wall_ms(start, offset));
		break;
	case IE_FLOW_END_MS:
		put64(p, wall_ms(f->ts_ns, offset));
		break;
	case IE_PACKET_DELTA:
		put64(p, f->packets);
		break;
	case IE_OCTET_DELTA:
		put64(p, f->bytes);
		break;
	case IE_SRC_IPV4:
	case IE_SRC_IPV6:
		memcpy(p, k->src, ie->len);
		break;
	case IE_DST_IPV4:
	case IE_DST_IPV6:
		memcpy(p, k->dst, ie->len);
		break;
	case IE_SRC_PORT:
		put16(p, k->sport);
		break;
	case IE_DST_PORT:
		put16(p, k->dport);
		break;
	case IE_ICMP_TYPE_CODE_V4:
	case IE_ICMP_TYPE_CODE_V6: /* the session keeps type in sport, code in dport */
		put16(p, (uint16_t)((k->sport & 0xff) << 8 | (k->dport & 0xff)));
		break;
	case IE_PROTOCOL:
		*p = k->proto;
		break;
	case IE_INGRESS_IF:
		put32(p, k->dir == FMT_DIR_INGRESS ? k->ifindex : 0);
		break;
	case IE_EGRESS_IF:
		put32(p, k->dir == FMT_DIR_EGRESS ? k->ifindex : 0);
		break;
	case IE_FLOW_DIRECTION:
		*p = k->dir == FMT_DIR_EGRESS;
		break;
	}
	return p + ie->len;
}

int ipfix_enc_add(struct ipfix_enc *e, uint32_t domain, const struct fmt_flow *f,
                  int64_t wall_offset)
{
	return ipfix_enc_add_owned(e, domain, f, wall_offset, NULL);
}

int ipfix_enc_add_owned(struct ipfix_enc *e, uint32_t domain, const struct fmt_flow *f,
			int64_t wall_offset, const struct ipfix_owner *owner)
{
	int tmpl = ipfix_template_of(&f->key), rc;
	struct owner_strings os;
	const struct tmpl *t;
	struct domain *d;
	size_t rlen, base, end;
	uint8_t *p;

	if (tmpl < 0)
		return tmpl;
	if (!(d = find_domain(e, domain)))
		return -ENOMEM;
	t = &e->t[tmpl - IPFIX_TMPL_FIRST];
	owner_strings(owner, e->strings_max, &os);
	rlen = record_len(e, tmpl, &os);
	if (!d->len)
		begin(e, d);
	/* room for: v9's padding of the open set, a new set's header, the
	 * record, and v9's padding of the set it ends */
	base = d->set_id && d->set_id != tmpl && nf9(e) ? (d->len + 3) & ~(size_t)3 : d->len;
	end = base + (d->set_id == tmpl ? 0 : 4) + rlen;
	if ((nf9(e) ? (end + 3) & ~(size_t)3 : end) > e->o.max_message) {
		if ((rc = finish(e, d)))
			return rc;
		begin(e, d);
	}
	if (d->set_id != tmpl) {
		close_set(e, d);
		d->set_off = d->len;
		put16(d->buf + d->len, (uint16_t)tmpl);
		d->len += 4;
		d->set_id = tmpl;
	}
	p = d->buf + d->len;
	for (unsigned i = 0; i < t->n; i++)
		p = t->f[i].pen ? put_owner_field(p, &t->f[i], owner, &os, wall_offset) :
				  put_field(p, &t->f[i], f, wall_offset);
	d->len += rlen;
	d->records++;
	d->count++;
	return 0;
}

int ipfix_enc_flush(struct ipfix_enc *e)
{
	int rc = 0;

	for (size_t i = 0; i < e->ndom; i++) {
		int r = finish(e, &e->dom[i]);
		rc = rc ? rc : r;
	}
	return rc;
}
