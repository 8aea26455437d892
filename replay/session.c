/* session.c - see session.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "session.h"

uint64_t session_meta_u64(struct fmt_reader *r, const char *key)
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

uint64_t session_start_ns(struct fmt_reader *r)
{
	return meta_or_chunks(r, FMT_META_START_NS, 0);
}

uint64_t session_end_ns(struct fmt_reader *r)
{
	return meta_or_chunks(r, FMT_META_END_NS, 1);
}

const struct session_loss session_losses[] = {
	{ FMT_META_LOST_RINGBUF, "ring buffer drops" },
	{ FMT_META_LOST_QUEUE, "writer queue drops" },
	{ FMT_META_LOST_FLOW_OVERFLOW, "packets in flow-table overflow" },
	{ FMT_META_ARGV_TRUNCATED, "argv truncated" },
};
const size_t session_nlosses = sizeof(session_losses) / sizeof(session_losses[0]);

void session_losses_text(struct fmt_reader *rd, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < session_nlosses; i++) {
		uint64_t v = session_meta_u64(rd, session_losses[i].key);
		if (v && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%llu %s", o ? ", " : "",
					      (unsigned long long)v, session_losses[i].what);
	}
	if (!fmt_reader_closed_clean(rd) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
				      fmt_reader_being_written(rd) ?
					      "being recorded (not closed yet)" :
					      "not closed cleanly (recorder killed?)");
	if (!o)
		snprintf(buf, len, "none");
}
