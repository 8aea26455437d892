/* out.c - see out.h. */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "out.h"
#include "session.h"

char *out_count(char *buf, size_t len, uint64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n && (size_t)o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

char *out_si(char *buf, size_t len, uint64_t v)
{
	if (v < 10000)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else
		snprintf(buf, len, "%.2fG", v / 1e9);
	return buf;
}

char *out_bytes(char *buf, size_t len, uint64_t v)
{
	if (v < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(buf, len, "%.1f kB", v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, len, "%.1f MB", v / 1e6);
	else
		snprintf(buf, len, "%.1f GB", v / 1e9);
	return buf;
}

char *out_wall(char *buf, size_t len, int64_t wall_ns, bool utc, bool frac)
{
	time_t s = (time_t)(wall_ns / 1000000000);
	struct tm tm;
	size_t n;

	if (utc)
		gmtime_r(&s, &tm);
	else
		localtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	if (frac && n < len)
		snprintf(buf + n, len - n, ".%06lld", (long long)(wall_ns % 1000000000) / 1000);
	return buf;
}

char *out_duration(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000;

	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum%02llus", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (ns >= 1000000000)
		snprintf(buf, len, "%.1fs", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.0fus", ns / 1e3);
	return buf;
}

char *out_addr(char *buf, size_t len, uint8_t family, const uint8_t *a)
{
	if (family == FMT_FAMILY_IPV4)
		inet_ntop(AF_INET, a, buf, (socklen_t)len);
	else if (family == FMT_FAMILY_IPV6)
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *out_proto(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, len, "ip%u", proto);
		return buf;
	}
}

const char *out_iface(struct fmt_reader *r, uint32_t ifindex, char *buf, size_t len)
{
	const char *name = r ? fmt_reader_iface_name(r, ifindex) : NULL;

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "if%u", ifindex);
	return buf;
}

char *out_flow(char *buf, size_t len, struct fmt_reader *r, const struct fmt_flow_key *k)
{
	char ifn[32], src[64], dst[64], pb[16];
	const char *dir = k->dir == FMT_DIR_EGRESS ? "out" : "in ";

	out_iface(r, k->ifindex, ifn, sizeof(ifn));
	if (k->family == FMT_FAMILY_OVERFLOW) {
		snprintf(buf, len, "%s %s (flow table full: overflow)", ifn, dir);
		return buf;
	}
	if (k->family == FMT_FAMILY_OTHER) {
		snprintf(buf, len, "%s %s (non-IP or malformed)", ifn, dir);
		return buf;
	}
	out_addr(src, sizeof(src), k->family, k->src);
	out_addr(dst, sizeof(dst), k->family, k->dst);
	if (k->proto == 6 || k->proto == 17 || k->proto == 132)
		snprintf(buf, len, k->family == FMT_FAMILY_IPV6 ? "%s %s %s [%s]:%u -> [%s]:%u" :
								"%s %s %s %s:%u -> %s:%u",
			 ifn, dir, out_proto(k->proto, pb, sizeof(pb)), src, k->sport, dst, k->dport);
	else if (k->proto == 1 || k->proto == 58)
		snprintf(buf, len, "%s %s %s %s -> %s type %u code %u", ifn, dir,
			 out_proto(k->proto, pb, sizeof(pb)), src, dst, k->sport, k->dport);
	else
		snprintf(buf, len, "%s %s %s %s -> %s", ifn, dir, out_proto(k->proto, pb, sizeof(pb)),
			 src, dst);
	return buf;
}

void out_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
