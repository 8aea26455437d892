/* filter.c - see filter.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cgname.h"
#include "fmt_interfaces.h"
#include "fmt_names.h"
#include "filter.h"
#include "parse.h"

#define EXEC (1u << FMT_STREAM_EXEC)
#define EXIT (1u << FMT_STREAM_EXIT)
#define FLOW (1u << FMT_STREAM_FLOW)
#define PROC (1u << FMT_STREAM_PROC)
#define ALL FMT_STREAM_MASK_ALL

typedef bool (*match_fn)(const struct filter *f, const struct fmt_reader *rd,
			 const struct fmt_event *ev);

static bool m_pid(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return ev->exec.pid == f->pid;
	case FMT_STREAM_EXIT:
		return ev->exit.pid == f->pid;
	case FMT_STREAM_PROC:
		return ev->proc.pid == f->pid;
	case FMT_STREAM_FLOW: /* the flow's owner */
		return ev->flow.owner.pid == f->pid;
	default:
		return false;
	}
}

static bool m_ppid(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return ev->exec.ppid == f->ppid;
	case FMT_STREAM_EXIT:
		return ev->exit.ppid == f->ppid;
	case FMT_STREAM_PROC:
		return ev->proc.ppid == f->ppid;
	default:
		return false;
	}
}

/* What is known of a flow's owner (when it had one): NULL if nothing. */
static const struct fmt_name *owner_of(const struct filter *f, const struct fmt_event *ev,
				       struct fmt_name *nm)
{
	if (!ev->flow.owner.pid || !f->process ||
	    f->process(f->ctx, ev->source, &ev->flow.owner, ev->flow.ts_ns, nm))
		return NULL;
	return nm;
}

static bool m_uid(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	struct fmt_name nm;

	(void)rd;
	if (ev->stream == FMT_STREAM_FLOW) /* the owner's */
		return owner_of(f, ev, &nm) && nm.uid == f->uid;
	return (ev->stream == FMT_STREAM_PROC ? ev->proc.uid : ev->exec.uid) == f->uid;
}

static bool m_comm(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	struct fmt_name nm;

	(void)rd;
	if (ev->stream == FMT_STREAM_FLOW)
		return owner_of(f, ev, &nm) && !fnmatch(f->comm, nm.comm, 0);
	return !fnmatch(f->comm, ev->stream == FMT_STREAM_PROC ? ev->proc.comm : ev->exec.comm, 0);
}

/* The path of the cgroup a record belongs to: a process's, a flow owner's. */
static const char *cgroup_of(const struct filter *f, const struct fmt_event *ev)
{
	uint64_t id;

	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		id = ev->exec.cgroup_id;
		break;
	case FMT_STREAM_PROC:
		id = ev->proc.cgroup_id;
		break;
	case FMT_STREAM_FLOW:
		if (!ev->flow.owner.pid)
			return NULL;
		id = ev->flow.owner.cgroup_id;
		break;
	default:
		return NULL;
	}
	return f->cgroup_path ? f->cgroup_path(f->ctx, ev->source, id) : NULL;
}

static bool m_unit(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	const char *path = cgroup_of(f, ev);
	char unit[256];

	(void)rd;
	return path && cgname_unit(path, unit, sizeof(unit)) && !fnmatch(f->unit, unit, 0);
}

static bool m_container(const struct filter *f, const struct fmt_reader *rd,
			const struct fmt_event *ev)
{
	const char *path = cgroup_of(f, ev);
	char id[80];

	(void)rd;
	return path && cgname_container(path, id, sizeof(id)) &&
	       !strncmp(id, f->container, strlen(f->container));
}

static bool m_path(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	return !fnmatch(f->path, ev->stream == FMT_STREAM_PROC ? ev->proc.exe : ev->exec.filename,
			0);
}

static bool in_prefix(const struct filter *f, const struct fmt_flow_key *k, const uint8_t *a)
{
	unsigned bits = f->ip_prefix, full = bits / 8, rest = bits % 8;

	if (k->family != f->ip_family || memcmp(a, f->ip, full))
		return false;
	return !rest || !((a[full] ^ f->ip[full]) & (0xff << (8 - rest)) & 0xff);
}

static bool m_ip(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	const struct fmt_flow_key *k = &ev->flow.key;

	(void)rd;
	return in_prefix(f, k, k->src) || in_prefix(f, k, k->dst);
}

static bool m_port(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	return ev->flow.key.sport == f->port || ev->flow.key.dport == f->port;
}

static bool m_proto(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	return ev->flow.key.proto == f->proto;
}

static bool m_iface(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	char *end;
	unsigned long idx = strtoul(f->iface, &end, 10);
	const struct fmt_iface *i;

	if (!*end && end != f->iface)
		return idx == ev->flow.key.ifindex;
	/* by name, or as reports show it ("NETNS/NAME") */
	i = fmt_ifaces_find(fmt_reader_ifaces(rd), ev->flow.key.ifindex);
	return i && (!strcmp(i->name, f->iface) || !strcmp(i->label, f->iface));
}

static bool m_dir(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	(void)rd;
	return ev->flow.key.dir == f->dir;
}

/* Every filter: its option, and which records have its field (a record of
 * another stream fails the filter). match NULL: applied elsewhere (the
 * window to the chunk index, --type to the streams read). */
static const struct {
	struct filter_option opt;
	unsigned streams;
	match_fn match;
} defs[FILTER_N] = {
	[FILTER_SINCE] = { { "since", "TIME", "from TIME: '2026-11-30 14:02:11', ISO 8601, "
					      "@EPOCH, or '+30s' after the start" },
			   ALL, NULL },
	[FILTER_UNTIL] = { { "until", "TIME", "up to TIME (included), as --since" }, ALL, NULL },
	[FILTER_PID] = { { "pid", "N", "process N: its execs, exit, table entry and flows" },
			 EXEC | EXIT | PROC | FLOW, m_pid },
	[FILTER_PPID] = { { "ppid", "N", "execs, exits and table entries whose parent is N" },
			  EXEC | EXIT | PROC, m_ppid },
	[FILTER_UID] = { { "uid", "N", "execs, table entries and flows (by owner) of user N" },
			 EXEC | PROC | FLOW, m_uid },
	[FILTER_COMM] = { { "comm", "GLOB",
			    "execs, table entries and flows (by owner) whose command name matches" },
			  EXEC | PROC | FLOW, m_comm },
	[FILTER_PATH] = { { "path", "GLOB", "execs and table entries whose executable path matches" },
			  EXEC | PROC, m_path },
	[FILTER_IP] = { { "ip", "ADDR[/LEN]", "flows with either side in ADDR/LEN (IPv4 or IPv6)" },
			FLOW, m_ip },
	[FILTER_PORT] = { { "port", "N", "flows with either port N" }, FLOW, m_port },
	[FILTER_PROTO] = { { "proto", "P", "flows of protocol tcp, udp, icmp, icmpv6 or a number" },
			   FLOW, m_proto },
	[FILTER_IFACE] = { { "iface", "NAME|INDEX", "flows on that interface" }, FLOW, m_iface },
	[FILTER_DIR] = { { "dir", "DIR", "flows ingress (in) or egress (out)" }, FLOW, m_dir },
	[FILTER_TYPE] = { { "type", "LIST",
			    "streams to read: exec, exit, flow, proc, cgroup (comma separated)" },
			  ALL, NULL },
	[FILTER_UNIT] = { { "unit", "GLOB",
			    "execs, table entries and flows (by owner) in a systemd unit that matches" },
			  EXEC | PROC | FLOW, m_unit },
	[FILTER_CONTAINER] = { { "container", "ID",
				 "execs, table entries and flows (by owner) of the container whose "
				 "id starts with ID" },
			       EXEC | PROC | FLOW, m_container },
};

const struct filter_option *filter_option(enum filter_id id)
{
	return &defs[id].opt;
}

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
}

unsigned filter_streams(const struct filter *f)
{
	return f->types ? f->types : FMT_STREAM_MASK_ALL;
}

bool filter_by_record(const struct filter *f)
{
	for (int id = 0; id < FILTER_N; id++)
		if (filter_has(f, id) && defs[id].match)
			return true;
	return false;
}

bool filter_match(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev)
{
	if (!(filter_streams(f) & (1u << ev->stream)))
		return false;
	for (int id = 0; id < FILTER_N; id++) {
		if (!filter_has(f, id) || !defs[id].match)
			continue;
		if (!(defs[id].streams & (1u << ev->stream)) || !defs[id].match(f, rd, ev))
			return false;
	}
	return true;
}

static const char *parse_ip(struct filter *f, const char *val)
{
	char buf[64], *slash;
	uint8_t ip[16] = { 0 };
	uint8_t family;
	int64_t prefix;

	if (strlen(val) >= sizeof(buf))
		return "not an address";
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, ip) == 1)
		family = FMT_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, buf, ip) == 1)
		family = FMT_FAMILY_IPV6;
	else
		return "not an IPv4 or IPv6 address";
	prefix = family == FMT_FAMILY_IPV4 ? 32 : 128;
	if (slash && parse_int(slash, 0, prefix, &prefix))
		return "bad prefix length";
	memcpy(f->ip, ip, sizeof(ip));
	f->ip_family = family;
	f->ip_prefix = (unsigned)prefix;
	return NULL;
}

static const char *parse_proto(struct filter *f, const char *val)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "icmp6", 58 } };
	int64_t v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(val, names[i].name))
			return f->proto = names[i].proto, NULL;
	if (parse_int(val, 0, 255, &v))
		return "use tcp, udp, icmp, icmpv6 or a number from 0 to 255";
	f->proto = (uint8_t)v;
	return NULL;
}

static const char *parse_types(struct filter *f, const char *val)
{
	static const char use[] = "use exec, exit, flow, proc or cgroup (comma separated)";
	char buf[64], *tok, *save;
	unsigned types = 0;

	if (strlen(val) >= sizeof(buf))
		return use;
	strcpy(buf, val);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s = FMT_STREAM_EXEC;
		while (s <= FMT_STREAM_MAX && strcmp(tok, fmt_stream_name(s)))
			s++;
		if (s > FMT_STREAM_MAX)
			return use;
		types |= 1u << s;
	}
	if (!types)
		return use;
	f->types = types;
	return NULL;
}

static const char *parse_id(const char *val, uint32_t *out)
{
	int64_t v;

	if (parse_int(val, 0, UINT32_MAX, &v))
		return "need a number from 0 to 4294967295";
	*out = (uint32_t)v;
	return NULL;
}

const char *filter_set(struct filter *f, enum filter_id id, const char *val)
{
	const char *why = NULL;
	int64_t v;
	int rel;

	switch (id) {
	case FILTER_SINCE:
	case FILTER_UNTIL:
		v = parse_time(val, &rel);
		if (v < 0)
			return "not a time (use '+30s', '2026-11-30 14:02:11' or '@EPOCH')";
		if (id == FILTER_SINCE)
			f->since_rel = rel, f->since = v, f->since_arg = val;
		else
			f->until_rel = rel, f->until = v, f->until_arg = val;
		break;
	case FILTER_PID:
		why = parse_id(val, &f->pid);
		break;
	case FILTER_PPID:
		why = parse_id(val, &f->ppid);
		break;
	case FILTER_UID:
		why = parse_id(val, &f->uid);
		break;
	case FILTER_COMM:
		f->comm = val;
		break;
	case FILTER_PATH:
		f->path = val;
		break;
	case FILTER_IP:
		why = parse_ip(f, val);
		break;
	case FILTER_PORT:
		if (parse_int(val, 0, 65535, &v))
			return "need a port from 0 to 65535";
		f->port = (uint16_t)v;
		break;
	case FILTER_PROTO:
		why = parse_proto(f, val);
		break;
	case FILTER_IFACE:
		if (!*val)
			return "empty interface name";
		f->iface = val;
		break;
	case FILTER_DIR:
		if (!strcmp(val, "ingress") || !strcmp(val, "in"))
			f->dir = FMT_DIR_INGRESS;
		else if (!strcmp(val, "egress") || !strcmp(val, "out"))
			f->dir = FMT_DIR_EGRESS;
		else
			return "use ingress or egress";
		break;
	case FILTER_TYPE:
		why = parse_types(f, val);
		break;
	case FILTER_UNIT:
		if (!*val)
			return "empty unit name";
		f->unit = val;
		break;
	case FILTER_CONTAINER:
		if (!*val || strspn(val, "0123456789abcdef") != strlen(val))
			return "need a container id (hexadecimal digits)";
		f->container = val;
		break;
	default:
		return "unknown filter";
	}
	if (!why)
		f->set |= 1u << id;
	return why;
}
