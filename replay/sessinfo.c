/* sessinfo.c - see sessinfo.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "sessinfo.h"

uint64_t sess_meta_u64(struct fmt_reader *r, const char *key)
{
	uint64_t v = 0;
	return fmt_reader_meta_u64(r, key, &v) == 0 ? v : 0;
}

/* A meta time, or the earliest chunk start (last: the latest chunk end)
 * when the recorder never wrote it (a killed session). */
static uint64_t meta_or_chunks(struct fmt_reader *r, const char *key, int last)
{
	struct fmt_chunk_info *ci;
	uint64_t v;
	int n;

	if (fmt_reader_meta_u64(r, key, &v) == 0)
		return v;
	n = fmt_reader_chunks(r, &ci);
	v = last ? 0 : UINT64_MAX;
	for (int i = 0; i < n; i++)
		v = last ? (ci[i].t_last > v ? ci[i].t_last : v) :
			   (ci[i].t_first < v ? ci[i].t_first : v);
	if (n > 0)
		free(ci);
	return v == UINT64_MAX ? 0 : v;
}

uint64_t sess_start_ns(struct fmt_reader *r)
{
	return meta_or_chunks(r, FMT_META_START_NS, 0);
}

uint64_t sess_end_ns(struct fmt_reader *r)
{
	return meta_or_chunks(r, FMT_META_END_NS, 1);
}

bool sess_iface_match(struct fmt_reader *r, const char *spec, uint32_t ifindex)
{
	char *end;
	unsigned long idx = strtoul(spec, &end, 10);

	if (!*end && end != spec)
		return idx == ifindex;
	const char *name = fmt_reader_iface_name(r, ifindex);

	return name && !strcmp(name, spec);
}

/* The loss counters of one file, as "ring buffer 3, queue 2" or "none". */
void sess_losses(struct fmt_reader *rd, char *buf, size_t len)
{
	static const struct {
		const char *key, *what;
	} keys[] = {
		{ FMT_META_LOST_RINGBUF, "ring buffer drops" },
		{ FMT_META_LOST_QUEUE, "writer queue drops" },
		{ FMT_META_LOST_FLOW_OVERFLOW, "packets in flow-table overflow" },
		{ FMT_META_ARGV_TRUNCATED, "argv truncated" },
	};
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t v = sess_meta_u64(rd, keys[i].key);
		if (v && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%llu %s", o ? ", " : "",
					      (unsigned long long)v, keys[i].what);
	}
	if (!fmt_reader_closed_clean(rd) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%snot closed cleanly (recorder killed?)",
				      o ? ", " : "");
	if (!o)
		snprintf(buf, len, "none");
}

