/* filter_parse.c - filter option values, checked strictly: a bad value is
 * an error with the reason, never a silently empty report. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter_parse.h"

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->pid = f->ppid = f->uid = -1;
	f->port = f->proto = f->dir = -1;
}

int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t parse_duration(const char *s)
{
	int64_t total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		int64_t unit;

		errno = 0;
		v = strtod(s, &end);
		if (errno || end == s || v < 0)
			return -1;
		if (!strncmp(end, "ns", 2))
			unit = 1, end += 2;
		else if (!strncmp(end, "us", 2))
			unit = 1000, end += 2;
		else if (!strncmp(end, "ms", 2))
			unit = 1000000, end += 2;
		else if (*end == 's')
			unit = 1000000000, end += 1;
		else if (*end == 'm')
			unit = 60000000000ll, end += 1;
		else if (*end == 'h')
			unit = 3600000000000ll, end += 1;
		else if (*end == 'd')
			unit = 86400000000000ll, end += 1;
		else if (!*end && total == 0)
			unit = 1000000000; /* bare number: seconds */
		else
			return -1;
		if (v * (double)unit > 9e18)
			return -1;
		total += (int64_t)(v * (double)unit);
		s = end;
	}
	return total;
}

int64_t parse_time(const char *s, int *rel)
{
	struct tm tm;
	const char *rest;
	int64_t frac = 0;
	int utc = 0;
	time_t t;

	*rel = 0;
	if (*s == '+') {
		*rel = 1;
		return parse_duration(s + 1);
	}
	if (*s == '@') {
		char *end;
		double v;
		errno = 0;
		v = strtod(s + 1, &end);
		if (errno || *end || end == s + 1 || v < 0 || v > 9e9)
			return -1;
		return (int64_t)(v * 1e9);
	}
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!rest)
		rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest) {
		/* a time of day: today */
		time_t now = time(NULL);
		struct tm today;
		localtime_r(&now, &today);
		memset(&tm, 0, sizeof(tm));
		rest = strptime(s, "%H:%M:%S", &tm);
		if (!rest)
			return -1;
		tm.tm_year = today.tm_year;
		tm.tm_mon = today.tm_mon;
		tm.tm_mday = today.tm_mday;
	}
	if (*rest == '.') {
		int64_t scale = 100000000;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (*rest - '0') * scale;
	}
	if (*rest == 'Z')
		utc = 1, rest++;
	if (*rest)
		return -1;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t < 0)
		return -1;
	return (int64_t)t * 1000000000 + frac;
}

static const char *parse_ip(struct filter *f, const char *val)
{
	char buf[64], *slash;
	long prefix;

	if (strlen(val) >= sizeof(buf))
		return "not an address";
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	memset(f->ip, 0, sizeof(f->ip));
	if (inet_pton(AF_INET, buf, f->ip) == 1)
		f->ip_family = FMT_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, buf, f->ip) == 1)
		f->ip_family = FMT_FAMILY_IPV6;
	else
		return "not an IPv4 or IPv6 address";
	prefix = f->ip_family == FMT_FAMILY_IPV4 ? 32 : 128;
	if (slash) {
		char *end;
		long max = prefix;
		errno = 0;
		prefix = strtol(slash, &end, 10);
		if (errno || *end || !*slash || prefix < 0 || prefix > max)
			return "bad prefix length";
	}
	f->ip_prefix = (unsigned)prefix;
	f->ip_set = true;
	return NULL;
}

const char *filter_parse_option(struct filter *f, int opt, const char *val)
{
	int64_t v;
	int rel;

	switch (opt) {
	case O_SINCE:
	case O_UNTIL:
		v = parse_time(val, &rel);
		if (v < 0)
			return "not a time (use '+30s', '2026-11-30 14:02:11' or '@EPOCH')";
		if (opt == O_SINCE)
			f->since_set = true, f->since_rel = rel, f->since = v;
		else
			f->until_set = true, f->until_rel = rel, f->until = v;
		return NULL;
	case O_PID:
	case O_PPID:
	case O_UID:
		if (parse_int(val, 0, UINT32_MAX, &v))
			return "need a number from 0 to 4294967295";
		*(opt == O_PID ? &f->pid : opt == O_PPID ? &f->ppid : &f->uid) = v;
		return NULL;
	case O_COMM:
		f->comm = val;
		return NULL;
	case O_PATH:
		f->path = val;
		return NULL;
	case O_IP:
		return parse_ip(f, val);
	case O_PORT:
		if (parse_int(val, 0, 65535, &v))
			return "need a port from 0 to 65535";
		f->port = (int32_t)v;
		return NULL;
	case O_PROTO:
		if (!strcasecmp(val, "tcp"))
			f->proto = 6;
		else if (!strcasecmp(val, "udp"))
			f->proto = 17;
		else if (!strcasecmp(val, "icmp"))
			f->proto = 1;
		else if (!strcasecmp(val, "icmpv6") || !strcasecmp(val, "icmp6"))
			f->proto = 58;
		else if (parse_int(val, 0, 255, &v) == 0)
			f->proto = (int32_t)v;
		else
			return "use tcp, udp, icmp, icmpv6 or a number from 0 to 255";
		return NULL;
	case O_IFACE:
		if (!*val)
			return "empty interface name";
		f->iface = val;
		return NULL;
	case O_DIR:
		if (!strcmp(val, "ingress") || !strcmp(val, "in"))
			f->dir = FMT_DIR_INGRESS;
		else if (!strcmp(val, "egress") || !strcmp(val, "out"))
			f->dir = FMT_DIR_EGRESS;
		else
			return "use ingress or egress";
		return NULL;
	case O_TYPE: {
		char buf[64], *tok, *save;
		if (strlen(val) >= sizeof(buf))
			return "use exec, exit or flow (comma separated)";
		strcpy(buf, val);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "exec"))
				f->types |= 1u << FMT_STREAM_EXEC;
			else if (!strcmp(tok, "exit"))
				f->types |= 1u << FMT_STREAM_EXIT;
			else if (!strcmp(tok, "flow"))
				f->types |= 1u << FMT_STREAM_FLOW;
			else
				return "use exec, exit or flow (comma separated)";
		}
		if (!f->types)
			return "use exec, exit or flow (comma separated)";
		return NULL;
	}
	}
	return "unknown option";
}
