/* sessinfo.c - see sessinfo.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sessinfo.h"

uint64_t sess_meta_u64(struct fmt_reader *r, const char *key)
{
	uint64_t v = 0;
	return fmt_reader_meta_u64(r, key, &v) == 0 ? v : 0;
}

static void chunk_range(struct fmt_reader *r, uint64_t *first, uint64_t *last, uint64_t *count)
{
	struct fmt_chunk_info *ci;
	int n = fmt_reader_chunks(r, &ci);

	*first = UINT64_MAX;
	*last = 0;
	*count = n > 0 ? (uint64_t)n : 0;
	for (int i = 0; i < n; i++) {
		if (ci[i].t_first < *first)
			*first = ci[i].t_first;
		if (ci[i].t_last > *last)
			*last = ci[i].t_last;
	}
	if (n > 0)
		free(ci);
	if (*first == UINT64_MAX)
		*first = 0;
}

uint64_t sess_start_ns(struct fmt_reader *r)
{
	uint64_t v, first, last, count;

	if (fmt_reader_meta_u64(r, "start_ns", &v) == 0)
		return v;
	chunk_range(r, &first, &last, &count);
	return first;
}

uint64_t sess_end_ns(struct fmt_reader *r)
{
	uint64_t v, first, last, count;

	if (fmt_reader_meta_u64(r, "end_ns", &v) == 0)
		return v;
	chunk_range(r, &first, &last, &count);
	return last;
}

uint64_t sess_chunk_count(struct fmt_reader *r)
{
	uint64_t first, last, count;

	chunk_range(r, &first, &last, &count);
	return count;
}

/* meta interfaces: [{"index":2,"name":"eth0",...},...] as ebpfrec writes it */
const char *sess_iface_name(struct fmt_reader *r, uint32_t ifindex, char *buf, size_t len)
{
	const char *s = fmt_reader_meta(r, "interfaces");
	char pat[32];
	const char *p, *name;
	size_t n;

	if (!s)
		return NULL;
	snprintf(pat, sizeof(pat), "\"index\":%u,", ifindex);
	p = strstr(s, pat);
	if (!p || !(name = strstr(p, "\"name\":\"")))
		return NULL;
	name += 8;
	n = strcspn(name, "\"");
	if (n >= len)
		n = len - 1;
	memcpy(buf, name, n);
	buf[n] = 0;
	return buf;
}

bool sess_iface_match(struct fmt_reader *r, const char *spec, uint32_t ifindex)
{
	char buf[64], *end;
	unsigned long idx = strtoul(spec, &end, 10);

	if (!*end && end != spec)
		return idx == ifindex;
	return sess_iface_name(r, ifindex, buf, sizeof(buf)) && !strcmp(buf, spec);
}
