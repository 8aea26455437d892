/* out.c - see out.h. */
#include <string.h>
#include <time.h>

#include "fmt_text.h"
#include "out.h"

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

const char *out_iface(struct fmt_reader *r, uint32_t ifindex, char *buf, size_t len)
{
	const char *name = r ? fmt_reader_iface_name(r, ifindex) : NULL;

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "if%u", ifindex);
	return buf;
}

const char *out_iface_cached(struct out_ifaces *c, struct fmt_reader *r, unsigned source,
			     uint32_t ifindex)
{
	unsigned h = (ifindex ^ source * 7u) % 16; /* direct-mapped */

	if (!c->slot[h].set || c->slot[h].source != source || c->slot[h].ifindex != ifindex) {
		out_iface(r, ifindex, c->slot[h].name, sizeof(c->slot[h].name));
		c->slot[h].source = source;
		c->slot[h].ifindex = ifindex;
		c->slot[h].set = true;
	}
	return c->slot[h].name;
}

char *out_flow(char *buf, size_t len, struct fmt_reader *r, const struct fmt_flow_key *k)
{
	return fmt_text_flow(buf, len, r ? fmt_reader_iface_name(r, k->ifindex) : NULL, k);
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
