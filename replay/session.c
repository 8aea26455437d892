/* session.c - see session.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "fmt_text.h"
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
	{ FMT_META_LOST_RING, "records dropped for the flight recorder's memory bound" },
	{ FMT_META_LOST_OWNERS, "sockets without an owner (--max-sockets full)" },
	{ FMT_META_LOST_CGROUPS, "cgroup records lost" },
	{ FMT_META_CGROUP_WALK_ERRORS, "cgroup listings incomplete" },
	{ FMT_META_PROCS_UNNAMED, "processes unnamed (exited while the table was read)" },
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

/* FNV-1a, 128 bits: a stable name for bytes, not a defence against anyone */
struct fnv {
	unsigned __int128 h;
};

static void fnv_init(struct fnv *f)
{
	f->h = (unsigned __int128)0x6c62272e07bb0142ull << 64 | 0x62b821756295c58dull;
}

static void fnv_add(struct fnv *f, const void *p, size_t n)
{
	const unsigned __int128 prime = (unsigned __int128)0x1000000ull << 64 | 0x13bull;
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		f->h ^= b[i];
		f->h *= prime;
	}
}

static void fnv_str(struct fnv *f, const char *s)
{
	fnv_add(f, s ? s : "", s ? strlen(s) + 1 : 1);
}

static const char *fnv_hex(const struct fnv *f, char *buf, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < digits; i++)
		buf[i] = hex[(unsigned)(f->h >> (4 * (digits - 1 - i))) & 15];
	buf[digits] = 0;
	return buf;
}

/* the chunk index into f: what the file holds */
static void hash_chunks(struct fmt_reader *r, struct fnv *f)
{
	struct fmt_chunk_info *ci;
	int n = fmt_reader_chunks(r, &ci);

	for (int i = 0; i < n; i++) {
		uint64_t v[5] = { (uint64_t)ci[i].id, (uint64_t)ci[i].stream, ci[i].t_first,
				  ci[i].records, ci[i].checksum };
		fnv_add(f, v, sizeof(v));
	}
	if (n > 0)
		free(ci);
}

static int valid_id(const char *v)
{
	size_t n = v ? strlen(v) : 0;

	return n == 32 && strspn(v, "0123456789abcdef") == n;
}

const char *session_id(struct fmt_reader *r, char *buf)
{
	const char *v = fmt_reader_meta(r, FMT_META_SESSION_ID);
	struct fnv f;

	if (valid_id(v)) {
		memcpy(buf, v, 33);
		return buf;
	}
	fnv_init(&f);
	fnv_str(&f, fmt_reader_meta(r, FMT_META_HOSTNAME));
	fnv_str(&f, fmt_reader_meta(r, FMT_META_BOOT_ID));
	fnv_str(&f, fmt_reader_meta(r, FMT_META_START_NS));
	fnv_str(&f, fmt_reader_meta(r, FMT_META_CLOCK_OFFSET_NS));
	hash_chunks(r, &f);
	buf[0] = 'x';
	fnv_hex(&f, buf + 1, 31);
	return buf;
}

const char *session_fingerprint(struct fmt_reader *r, char *buf)
{
	struct fnv f;

	fnv_init(&f);
	hash_chunks(r, &f);
	return fnv_hex(&f, buf, 32);
}

int session_trigger_text(struct fmt_reader *rd, char *buf, size_t len, bool utc)
{
	const char *what = fmt_reader_meta(rd, FMT_META_TRIGGER);
	const char *comm = fmt_reader_meta(rd, FMT_META_TRIGGER_COMM);
	const char *detail = fmt_reader_meta(rd, FMT_META_TRIGGER_DETAIL);
	const char *pattern = fmt_reader_meta(rd, FMT_META_TRIGGER_PATTERN);
	uint64_t ts = 0, pid = 0, n = 1, start = session_start_ns(rd);
	char when[64], into[32];

	if (!what)
		return 0;
	fmt_reader_meta_u64(rd, FMT_META_TRIGGER_NS, &ts);
	fmt_reader_meta_u64(rd, FMT_META_TRIGGER_PID, &pid);
	fmt_reader_meta_u64(rd, FMT_META_TRIGGERS, &n);
	fmt_text_wall(when, sizeof(when), (int64_t)ts + fmt_reader_clock_offset(rd), utc, true);
	fmt_text_duration(into, sizeof(into), ts > start ? ts - start : 0);
	snprintf(buf, len, "%s%s%s%s (pid %llu%s%s%s%s%s) at %s, %s into the file", what,
		 comm ? " of '" : "", comm ? comm : "", comm ? "'" : "", (unsigned long long)pid,
		 detail ? ", " : "", detail ? detail : "", pattern ? ", matched '" : "",
		 pattern ? pattern : "", pattern ? "'" : "", when, into);
	if (n > 1 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; %llu triggers in its window",
			 (unsigned long long)n);
	return 1;
}
