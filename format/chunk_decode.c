/* chunk_decode.c - payload bytes in, validated struct fmt_batch out.
 *
 * The payload comes from disk and is untrusted: every count is checked
 * against the bytes that remain and the reader limits in fmt.h before
 * anything is allocated, every id against its dictionary, and each column
 * must hold exactly n_records values. Allocation is bounded by the record
 * count (capped) and the payload size (capped).
 */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"

/* Memory of a batch, kept when the batch is recycled for the next chunk so
 * that decoding a file does not allocate (and fault in) fresh pages for
 * every chunk. @return at least bytes of uninitialised memory, or NULL. */
static void *take(struct fmt_batch *b, int slot, size_t bytes)
{
	if (b->mem[slot].cap < bytes || !b->mem[slot].p) {
		size_t cap = bytes > 64 ? bytes + bytes / 4 : 64;
		void *p = malloc(cap);
		if (!p)
			return NULL;
		free(b->mem[slot].p);
		b->mem[slot].p = p;
		b->mem[slot].cap = cap;
	}
	return b->mem[slot].p;
}

struct section {
	const uint8_t *p;
	size_t len;
	int present;
};

#define FAIL(msg)                     \
	do {                          \
		*why = msg;           \
		rc = FMT_ECORRUPT;    \
		goto out;             \
	} while (0)

static int col_cursor(struct section *sec, int id, struct fmt_cursor *c)
{
	if (!sec[id].present)
		return -1;
	c->p = sec[id].p;
	c->end = sec[id].p + sec[id].len;
	c->bad = 0;
	return 0;
}

/* A column must be fully consumed by exactly n values. */
static int col_done(const struct fmt_cursor *c)
{
	return !c->bad && c->p == c->end;
}

static int decode_strings(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint64_t count, total = 0;
	const uint8_t *bytes;
	uint32_t *len;
	char *dst;

	if (col_cursor(s, SEC_STRINGS, &c))
		return *why = "missing string dictionary", FMT_ECORRUPT;
	count = fmt_cur_varint(&c);
	if (c.bad || count > (uint64_t)(c.end - c.p))
		return *why = "string count exceeds section", FMT_ECORRUPT;
	len = take(b, MEM_TMP, count * sizeof(*len));
	if (!len)
		return FMT_ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t l = fmt_cur_varint(&c);
		total += l;
		len[i] = (uint32_t)l;
		if (c.bad || l > FMT_MAX_CHUNK_RAW || total > (uint64_t)(c.end - c.p))
			return *why = "string lengths exceed section", FMT_ECORRUPT;
	}
	if (total != (uint64_t)(c.end - c.p))
		return *why = "string bytes do not fill section", FMT_ECORRUPT;
	bytes = c.p;
	if (memchr(bytes, 0, total))
		return *why = "NUL byte inside a string", FMT_ECORRUPT;
	b->nstr = (uint32_t)count;
	b->str = take(b, MEM_STR, count * sizeof(*b->str));
	b->arena = take(b, MEM_ARENA, total + count + 1);
	if (!b->str || !b->arena)
		return FMT_ENOMEM;
	dst = b->arena;
	for (uint64_t i = 0; i < count; i++) {
		memcpy(dst, bytes, len[i]);
		dst[len[i]] = 0;
		b->str[i] = dst;
		dst += len[i] + 1;
		bytes += len[i];
	}
	return FMT_OK;
}

/* Total argv entries across a chunk's command dictionary. */
#define MAX_ARGV_POOL (4u << 20)

/* SEC_CMDS: count, total argv entries, id width, then count x {comm id,
 * filename id, argc, argc string ids}. The declared total lets one pass
 * fill the argv pool. */
static int decode_cmds(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint64_t count, total, pool = 0;
	unsigned width;

	if (col_cursor(s, SEC_CMDS, &c))
		return *why = "missing command dictionary", FMT_ECORRUPT;
	count = fmt_cur_varint(&c);
	total = fmt_cur_varint(&c);
	width = fmt_cur_u8(&c);
	if (c.bad || width != fmt_id_width(b->nstr) || count > (uint64_t)(c.end - c.p) / 3 ||
	    total > (uint64_t)(c.end - c.p))
		return *why = "command dictionary header does not fit section", FMT_ECORRUPT;
	if (total > MAX_ARGV_POOL)
		return *why = "too many arguments in chunk", FMT_ELIMIT;
	b->ncmd = (uint32_t)count;
	b->cmds = take(b, MEM_CMDS, count * sizeof(*b->cmds));
	b->argv_pool = take(b, MEM_ARGV, total * sizeof(*b->argv_pool));
	if (!b->cmds || !b->argv_pool)
		return FMT_ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		struct fmt_cmd *cmd = &b->cmds[i];
		uint32_t comm = fmt_cur_id(&c, width), file = fmt_cur_id(&c, width);
		uint64_t argc = fmt_cur_varint(&c);

		if (c.bad || comm >= b->nstr || file >= b->nstr)
			return *why = "bad command entry", FMT_ECORRUPT;
		if (argc > FMT_MAX_ARGC || argc > total - pool)
			return *why = "argument count exceeds limit", FMT_ECORRUPT;
		cmd->comm = b->str[comm];
		cmd->filename = b->str[file];
		cmd->argc = (uint32_t)argc;
		cmd->argv = &b->argv_pool[pool];
		for (uint64_t a = 0; a < argc; a++) {
			uint32_t id = fmt_cur_id(&c, width);
			if (id >= b->nstr)
				return *why = "bad argument string id", FMT_ECORRUPT;
			b->argv_pool[pool++] = b->str[id];
		}
	}
	if (!col_done(&c) || pool != total)
		return *why = "command dictionary does not match its counts", FMT_ECORRUPT;
	return FMT_OK;
}

/* SEC_FLOWOWNERS (1.1, optional): count (= the keys'), then per key: var
 * pid, var start_ns, var cgroup_id. */
static int decode_flowowners(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint64_t count;

	b->owners = NULL;
	if (col_cursor(s, SEC_FLOWOWNERS, &c))
		return FMT_OK;
	count = fmt_cur_varint(&c);
	if (c.bad || count != b->nkeys)
		return *why = "flow owner count differs from the keys'", FMT_ECORRUPT;
	b->owners = take(b, MEM_OWNERS, (count ? count : 1) * sizeof(*b->owners));
	if (!b->owners)
		return FMT_ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t pid = fmt_cur_varint(&c);
		b->owners[i].start_ns = fmt_cur_varint(&c);
		b->owners[i].cgroup_id = fmt_cur_varint(&c);
		if (c.bad || pid > UINT32_MAX)
			return *why = "bad flow owner", FMT_ECORRUPT;
		b->owners[i].pid = (uint32_t)pid;
	}
	return col_done(&c) ? FMT_OK : (*why = "trailing bytes in flow owners", FMT_ECORRUPT);
}

static int decode_flowkeys(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint64_t count;

	if (col_cursor(s, SEC_FLOWKEYS, &c))
		return *why = "missing flow key dictionary", FMT_ECORRUPT;
	count = fmt_cur_varint(&c);
	if (c.bad || count > (uint64_t)(c.end - c.p) / 6)
		return *why = "flow key count exceeds section", FMT_ECORRUPT;
	b->nkeys = (uint32_t)count;
	b->keys = take(b, MEM_KEYS, count * sizeof(*b->keys));
	if (!b->keys)
		return FMT_ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		struct fmt_flow_key *k = &b->keys[i];
		uint64_t ifindex = fmt_cur_varint(&c), sport, dport;
		size_t alen;
		const uint8_t *a;

		memset(k, 0, sizeof(*k));
		k->ifindex = (uint32_t)ifindex;
		k->dir = fmt_cur_u8(&c);
		k->family = fmt_cur_u8(&c);
		k->proto = fmt_cur_u8(&c);
		if (k->family == FMT_FAMILY_IPV4)
			alen = 4;
		else if (k->family == FMT_FAMILY_IPV6)
			alen = 16;
		else if (k->family == FMT_FAMILY_OTHER || k->family == FMT_FAMILY_OVERFLOW)
			alen = 0;
		else
			return *why = "unknown address family in flow key", FMT_ECORRUPT;
		if ((a = fmt_cur_bytes(&c, alen)))
			memcpy(k->src, a, alen);
		if ((a = fmt_cur_bytes(&c, alen)))
			memcpy(k->dst, a, alen);
		sport = fmt_cur_varint(&c);
		dport = fmt_cur_varint(&c);
		if (c.bad || ifindex > UINT32_MAX || k->dir > FMT_DIR_EGRESS || sport > 0xffff ||
		    dport > 0xffff)
			return *why = "bad flow key", FMT_ECORRUPT;
		k->sport = (uint16_t)sport;
		k->dport = (uint16_t)dport;
	}
	if (!col_done(&c))
		return *why = "trailing bytes in flow key dictionary", FMT_ECORRUPT;
	return decode_flowowners(b, s, why);
}

/* Columns of deltas: v[i] = v[i-1] + zigzag-decoded value (v[-1] = base). */
static int col_delta64(struct section *s, int id, uint32_t n, uint64_t base, uint64_t *out)
{
	struct fmt_cursor c;
	uint64_t v = base;

	if (col_cursor(s, id, &c))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		v += (uint64_t)fmt_unzigzag(fmt_cur_varint(&c));
		out[i] = v;
	}
	return col_done(&c) ? 0 : -1;
}

/* 32-bit delta columns: values must stay within 32 bits. */
static int col_delta32(struct section *s, int id, uint32_t n, uint32_t *out)
{
	struct fmt_cursor c;
	uint64_t v = 0;

	if (col_cursor(s, id, &c))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		v += (uint64_t)fmt_unzigzag(fmt_cur_varint(&c));
		if (v > UINT32_MAX)
			return -1;
		out[i] = (uint32_t)v;
	}
	return col_done(&c) ? 0 : -1;
}

/* Id columns: width byte, then n ids of that width, each below count. */
static int col_ids(struct section *s, int id, uint32_t n, uint32_t count, uint32_t *out)
{
	struct fmt_cursor c;
	unsigned width;

	if (col_cursor(s, id, &c))
		return -1;
	width = fmt_cur_u8(&c);
	if (c.bad || width != fmt_id_width(count) || (size_t)(c.end - c.p) != (size_t)n * width)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = fmt_cur_id(&c, width);
		if (v >= count)
			return -1;
		out[i] = v;
	}
	return 0;
}

/* Plain columns, each value below limit. */
static int col_plain32(struct section *s, int id, uint32_t n, uint64_t limit, uint32_t *out)
{
	struct fmt_cursor c;

	if (col_cursor(s, id, &c))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = fmt_cur_varint(&c);
		if (v >= limit)
			return -1;
		out[i] = (uint32_t)v;
	}
	return col_done(&c) ? 0 : -1;
}

static int col_plain64(struct section *s, int id, uint32_t n, uint64_t *out)
{
	struct fmt_cursor c;

	if (col_cursor(s, id, &c))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		out[i] = fmt_cur_varint(&c);
	return col_done(&c) ? 0 : -1;
}

/* An optional column (format 1.1): absent means every value is 0. */
static int col_opt32(struct section *s, int id, uint32_t n, uint64_t limit, uint32_t *out)
{
	if (!s[id].present) {
		memset(out, 0, (size_t)n * sizeof(*out));
		return 0;
	}
	return col_plain32(s, id, n, limit, out);
}

/* SEC_START: start = ts - zigzag-decoded value (0 where not recorded, and
 * for every record when the section is absent). */
static int col_start(struct section *s, uint32_t n, const uint64_t *ts, uint64_t *out)
{
	struct fmt_cursor c;

	if (!s[SEC_START].present) {
		memset(out, 0, (size_t)n * sizeof(*out));
		return 0;
	}
	col_cursor(s, SEC_START, &c);
	for (uint32_t i = 0; i < n; i++)
		out[i] = ts[i] - (uint64_t)fmt_unzigzag(fmt_cur_varint(&c));
	return col_done(&c) ? 0 : -1;
}

/* What exec and proc records share: the dictionaries and the process
 * columns. */
static int decode_process(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if ((rc = decode_strings(b, s, why)) || (rc = decode_cmds(b, s, why)))
		return rc;
	if (col_delta32(s, SEC_PID, n, b->pid) || col_delta32(s, SEC_PPID, n, b->ppid) ||
	    col_delta32(s, SEC_UID, n, b->uid) || col_delta32(s, SEC_GID, n, b->gid) ||
	    col_delta64(s, SEC_CGROUP, n, 0, b->cgroup) ||
	    col_plain32(s, SEC_FLAGS, n, (uint64_t)UINT32_MAX + 1, b->flags) ||
	    col_ids(s, SEC_CMD, n, b->ncmd, b->cmd) ||
	    col_opt32(s, SEC_CWD, n, (uint64_t)b->nstr + 1, b->cwd) ||
	    col_start(s, n, b->ts, b->start))
		return *why = "bad process column", FMT_ECORRUPT;
	return FMT_OK;
}

static int decode_exec(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint32_t n = b->n;
	int rc;

	if ((rc = decode_process(b, s, why)))
		return rc;
	if (col_ids(s, SEC_PCOMM, n, b->nstr, b->pcomm) ||
	    col_opt32(s, SEC_INTERP, n, (uint64_t)b->nstr + 1, b->interp))
		return *why = "bad exec column", FMT_ECORRUPT;
	if (col_cursor(s, SEC_TID, &c))
		return *why = "missing tid column", FMT_ECORRUPT;
	for (uint32_t i = 0; i < n; i++) {
		int64_t d = fmt_unzigzag(fmt_cur_varint(&c)), t;
		/* checked before adding: a hostile delta must not overflow */
		if (d < -(int64_t)UINT32_MAX || d > (int64_t)UINT32_MAX)
			c.bad = 1, d = 0;
		t = (int64_t)b->pid[i] + d;
		if (t < 0 || t > UINT32_MAX)
			c.bad = 1;
		b->tid[i] = (uint32_t)t;
	}
	if (!col_done(&c) || col_cursor(s, SEC_RET, &c))
		return *why = "bad tid or ret column", FMT_ECORRUPT;
	for (uint32_t i = 0; i < n; i++) {
		int64_t r = fmt_unzigzag(fmt_cur_varint(&c));
		if (r < INT32_MIN || r > INT32_MAX)
			c.bad = 1;
		b->ret[i] = (int32_t)r;
	}
	return col_done(&c) ? FMT_OK : (*why = "bad ret column", FMT_ECORRUPT);
}

static int decode_cgroup(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if ((rc = decode_strings(b, s, why)))
		return rc;
	if (col_delta64(s, SEC_CGROUP, n, 0, b->cgroup) ||
	    col_plain32(s, SEC_CGROUP_KIND, n, FMT_CGROUP_REMOVED + 1, b->kind) ||
	    col_ids(s, SEC_PATH, n, b->nstr, b->path))
		return *why = "bad cgroup column", FMT_ECORRUPT;
	return FMT_OK;
}

static int decode_exit(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint32_t n = b->n;

	if (col_delta32(s, SEC_PID, n, b->pid) || col_delta32(s, SEC_PPID, n, b->ppid) ||
	    col_plain32(s, SEC_EXIT_CODE, n, (uint64_t)UINT32_MAX + 1, b->code) ||
	    col_plain32(s, SEC_SIGNAL, n, (uint64_t)UINT32_MAX + 1, b->sig) ||
	    col_cursor(s, SEC_LIFETIME, &c))
		return *why = "bad exit column", FMT_ECORRUPT;
	for (uint32_t i = 0; i < n; i++)
		b->start[i] = b->ts[i] - (uint64_t)fmt_unzigzag(fmt_cur_varint(&c));
	return col_done(&c) ? FMT_OK : (*why = "bad lifetime column", FMT_ECORRUPT);
}

static int decode_flow(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint32_t n = b->n;
	uint64_t *bpp;
	int64_t key = 0;
	int rc;

	if ((rc = decode_flowkeys(b, s, why)))
		return rc;
	if (col_delta64(s, SEC_INTERVAL, n, 0, b->interval) ||
	    col_plain64(s, SEC_PACKETS, n, b->packets) || col_cursor(s, SEC_FLOWKEY, &c))
		return *why = "bad flow column", FMT_ECORRUPT;
	for (uint32_t i = 0; i < n; i++) {
		int64_t d = fmt_unzigzag(fmt_cur_varint(&c));
		if (d < -(int64_t)b->nkeys || d > (int64_t)b->nkeys) { /* before adding */
			c.bad = 1;
			break;
		}
		key += d;
		if (key < 0 || key >= b->nkeys) {
			c.bad = 1;
			break;
		}
		b->key[i] = (uint32_t)key;
	}
	if (!col_done(&c) || col_cursor(s, SEC_BYTES, &c))
		return *why = "bad flow key column", FMT_ECORRUPT;
	bpp = take(b, MEM_TMP, b->nkeys * sizeof(*bpp));
	if (!bpp)
		return FMT_ENOMEM;
	memset(bpp, 0, b->nkeys * sizeof(*bpp));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = b->key[i];
		b->bytes[i] = b->packets[i] * bpp[k] + (uint64_t)fmt_unzigzag(fmt_cur_varint(&c));
		bpp[k] = b->packets[i] ? b->bytes[i] / b->packets[i] : 0;
	}
	return col_done(&c) ? FMT_OK : (*why = "bad bytes column", FMT_ECORRUPT);
}

/* Carve every column array out of one allocation. */
static int alloc_cols(struct fmt_batch *b)
{
	uint32_t n = b->n ? b->n : 1;
	size_t n64, n32;
	uint64_t *p64;
	uint32_t *p32;

	switch (b->stream) {
	case FMT_STREAM_EXEC:
		n64 = 3, n32 = 11;
		break;
	case FMT_STREAM_PROC:
		n64 = 3, n32 = 7;
		break;
	case FMT_STREAM_EXIT:
		n64 = 2, n32 = 4;
		break;
	case FMT_STREAM_CGROUP:
		n64 = 2, n32 = 2;
		break;
	default:
		n64 = 4, n32 = 1;
	}
	/* one allocation behind all the column arrays */
	p64 = take(b, MEM_COLS, (size_t)n * (n64 * 8 + n32 * 4));
	if (!p64)
		return FMT_ENOMEM;
	p32 = (uint32_t *)(p64 + (size_t)n * n64);
#define TAKE64(f) (b->f = p64, p64 += n)
#define TAKE32(f) (b->f = (void *)p32, p32 += n)
	TAKE64(ts);
	switch (b->stream) {
	case FMT_STREAM_EXEC:
		TAKE32(tid), TAKE32(pcomm), TAKE32(ret), TAKE32(interp);
		__attribute__((fallthrough)); /* and the process columns */
	case FMT_STREAM_PROC:
		TAKE64(cgroup), TAKE64(start);
		TAKE32(pid), TAKE32(ppid), TAKE32(uid), TAKE32(gid);
		TAKE32(flags), TAKE32(cmd), TAKE32(cwd);
		break;
	case FMT_STREAM_EXIT:
		TAKE64(start);
		TAKE32(pid), TAKE32(ppid), TAKE32(code), TAKE32(sig);
		break;
	case FMT_STREAM_CGROUP:
		TAKE64(cgroup);
		TAKE32(kind), TAKE32(path);
		break;
	default:
		TAKE64(interval), TAKE64(packets), TAKE64(bytes);
		TAKE32(key);
	}
#undef TAKE64
#undef TAKE32
	return FMT_OK;
}

/* Records arrive from several CPUs and may be slightly out of order; then
 * keep a stable time-order permutation (bottom-up merge sort of indices). */
static int sort_if_needed(struct fmt_batch *b)
{
	uint32_t i, n = b->n, *order, *tmp;

	for (i = 1; i < n; i++)
		if (b->ts[i] < b->ts[i - 1])
			break;
	if (i >= n)
		return FMT_OK;
	order = take(b, MEM_ORDER, 2 * (size_t)n * sizeof(*order));
	if (!order)
		return FMT_ENOMEM;
	tmp = order + n;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t w = 1; w < n; w *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * w) {
			uint32_t mid = lo + w < n ? lo + w : n;
			uint32_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			uint32_t x = lo, y = mid, k = lo;
			while (x < mid && y < hi)
				tmp[k++] = b->ts[order[y]] < b->ts[order[x]] ? order[y++] : order[x++];
			while (x < mid)
				tmp[k++] = order[x++];
			while (y < hi)
				tmp[k++] = order[y++];
		}
		memcpy(order, tmp, n * sizeof(*order));
	}
	b->order = order;
	return FMT_OK;
}

int chunk_decode(const uint8_t *p, size_t len, int stream, uint32_t records,
		 struct fmt_batch **out, const char **why)
{
	struct section sec[SEC_MAX] = { 0 };
	struct fmt_cursor c = { p, p + len, 0 };
	struct fmt_batch *b = *out;
	uint64_t n, t_base, nsec, body = 0;
	const uint8_t *data;
	int rc = FMT_OK;

	*out = NULL;
	*why = NULL;
	if (b) { /* recycle: keep only the memory */
		struct fmt_batch keep;
		memset(&keep, 0, sizeof(keep));
		memcpy(keep.mem, b->mem, sizeof(keep.mem));
		*b = keep;
	}
	if (len < 5 || memcmp(p, CHUNK_MAGIC, 4))
		FAIL("bad chunk magic");
	c.p += 4;
	if (fmt_cur_u8(&c) != stream)
		FAIL("chunk stream differs from its index row");
	n = fmt_cur_varint(&c);
	t_base = fmt_cur_varint(&c);
	nsec = fmt_cur_varint(&c);
	if (c.bad || n != records)
		FAIL("chunk record count differs from its index row");
	if (n > FMT_MAX_CHUNK_RECORDS) {
		*why = "chunk record count over limit";
		rc = FMT_ELIMIT;
		goto out;
	}
	if (nsec > 64)
		FAIL("too many sections");
	{
		uint64_t ids[64], lens[64];
		for (uint64_t i = 0; i < nsec; i++) {
			ids[i] = fmt_cur_varint(&c);
			lens[i] = fmt_cur_varint(&c);
			if (c.bad || lens[i] > len)
				FAIL("bad section directory");
			body += lens[i];
		}
		if (body != (uint64_t)(c.end - c.p))
			FAIL("sections do not fill the payload");
		data = c.p;
		for (uint64_t i = 0; i < nsec; i++) {
			if (ids[i] < SEC_MAX) {
				if (sec[ids[i]].present)
					FAIL("duplicate section");
				sec[ids[i]] = (struct section){ data, lens[i], 1 };
			} /* unknown ids are skipped: forward compatible */
			data += lens[i];
		}
	}
	/* every record costs at least one byte in the ts column */
	if (!sec[SEC_TS].present || sec[SEC_TS].len < n)
		FAIL("timestamp column shorter than record count");

	if (!b && !(b = calloc(1, sizeof(*b)))) {
		rc = FMT_ENOMEM;
		goto out;
	}
	b->stream = stream;
	b->n = (uint32_t)n;
	if ((rc = alloc_cols(b)))
		goto out;
	if (col_delta64(sec, SEC_TS, b->n, t_base, b->ts))
		FAIL("bad timestamp column");
	if (stream == FMT_STREAM_EXEC)
		rc = decode_exec(b, sec, why);
	else if (stream == FMT_STREAM_EXIT)
		rc = decode_exit(b, sec, why);
	else if (stream == FMT_STREAM_FLOW)
		rc = decode_flow(b, sec, why);
	else if (stream == FMT_STREAM_PROC)
		rc = decode_process(b, sec, why);
	else if (stream == FMT_STREAM_CGROUP)
		rc = decode_cgroup(b, sec, why);
	else
		FAIL("unknown stream");
	if (rc == FMT_OK)
		rc = sort_if_needed(b);
out:
	if (rc) {
		fmt_batch_free(b);
		if (rc == FMT_ENOMEM)
			*why = "out of memory";
		return rc;
	}
	*out = b;
	return FMT_OK;
}

void fmt_batch_free(struct fmt_batch *b)
{
	if (!b)
		return;
	for (int i = 0; i < MEM_N; i++)
		free(b->mem[i].p);
	free(b);
}

enum fmt_stream fmt_batch_stream(const struct fmt_batch *b)
{
	return b->stream;
}

uint32_t fmt_batch_count(const struct fmt_batch *b)
{
	return b->n;
}

uint64_t fmt_batch_ts(const struct fmt_batch *b, uint32_t i)
{
	return b->ts[b->order ? b->order[i] : i];
}

void fmt_batch_get(const struct fmt_batch *b, uint32_t i, struct fmt_event *ev)
{
	fmt_batch_get_at(b, b->order ? b->order[i] : i, ev);
}

/* An optional string column's value: NULL for 0. */
static const char *opt_str(const struct fmt_batch *b, uint32_t v)
{
	return v ? b->str[v - 1] : NULL;
}

void fmt_batch_get_at(const struct fmt_batch *b, uint32_t j, struct fmt_event *ev)
{
	ev->stream = b->stream;
	if (b->stream == FMT_STREAM_EXEC) {
		const struct fmt_cmd *cmd = &b->cmds[b->cmd[j]];
		ev->exec = (struct fmt_exec){
			.ts_ns = b->ts[j],
			.cgroup_id = b->cgroup[j],
			.pid = b->pid[j],
			.tid = b->tid[j],
			.ppid = b->ppid[j],
			.uid = b->uid[j],
			.gid = b->gid[j],
			.ret = b->ret[j],
			.flags = b->flags[j],
			.argc = cmd->argc,
			.comm = cmd->comm,
			.pcomm = b->str[b->pcomm[j]],
			.filename = cmd->filename,
			.argv = cmd->argv,
			.interp = opt_str(b, b->interp[j]),
			.cwd = opt_str(b, b->cwd[j]),
			.start_ns = b->start[j],
		};
	} else if (b->stream == FMT_STREAM_EXIT) {
		ev->exit = (struct fmt_exit){
			.ts_ns = b->ts[j],
			.start_ns = b->start[j],
			.pid = b->pid[j],
			.ppid = b->ppid[j],
			.exit_code = b->code[j],
			.signal = b->sig[j],
		};
	} else if (b->stream == FMT_STREAM_PROC) {
		const struct fmt_cmd *cmd = &b->cmds[b->cmd[j]];
		ev->proc = (struct fmt_proc){
			.ts_ns = b->ts[j],
			.start_ns = b->start[j],
			.cgroup_id = b->cgroup[j],
			.pid = b->pid[j],
			.ppid = b->ppid[j],
			.uid = b->uid[j],
			.gid = b->gid[j],
			.flags = b->flags[j],
			.argc = cmd->argc,
			.comm = cmd->comm,
			.exe = cmd->filename,
			.argv = cmd->argv,
			.cwd = opt_str(b, b->cwd[j]),
		};
	} else if (b->stream == FMT_STREAM_CGROUP) {
		ev->cgroup = (struct fmt_cgroup){
			.ts_ns = b->ts[j],
			.cgroup_id = b->cgroup[j],
			.kind = b->kind[j],
			.path = b->str[b->path[j]],
		};
	} else {
		ev->flow = (struct fmt_flow){
			.ts_ns = b->ts[j],
			.interval_ns = b->interval[j],
			.packets = b->packets[j],
			.bytes = b->bytes[j],
			.key = b->keys[b->key[j]],
		};
		if (b->owners)
			ev->flow.owner = b->owners[b->key[j]];
	}
}

const uint64_t *fmt_batch_ts_column(const struct fmt_batch *b)
{
	return b->ts;
}

const uint32_t *fmt_batch_exec_cmd_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->ncmd;
	return b->cmd;
}

const int32_t *fmt_batch_exec_rets(const struct fmt_batch *b)
{
	return b->ret;
}

void fmt_batch_exec_cmd(const struct fmt_batch *b, uint32_t id, const char **comm,
			const char **filename)
{
	*comm = b->cmds[id].comm;
	*filename = b->cmds[id].filename;
}

const char *const *fmt_batch_exec_cmd_argv(const struct fmt_batch *b, uint32_t id,
					   uint32_t *argc)
{
	*argc = b->cmds[id].argc;
	return b->cmds[id].argv;
}

const uint32_t *fmt_batch_exec_uids(const struct fmt_batch *b)
{
	return b->uid;
}

const uint32_t *fmt_batch_exec_pcomm_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->nstr;
	return b->pcomm;
}

const char *fmt_batch_string(const struct fmt_batch *b, uint32_t id)
{
	return b->str[id];
}

const uint64_t *fmt_batch_flow_intervals(const struct fmt_batch *b)
{
	return b->interval;
}

const uint32_t *fmt_batch_flow_key_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->nkeys;
	return b->key;
}

const uint64_t *fmt_batch_flow_packets(const struct fmt_batch *b)
{
	return b->packets;
}

const uint64_t *fmt_batch_flow_bytes(const struct fmt_batch *b)
{
	return b->bytes;
}

const struct fmt_flow_key *fmt_batch_flow_key(const struct fmt_batch *b, uint32_t id)
{
	return &b->keys[id];
}

const struct fmt_owner *fmt_batch_flow_owner(const struct fmt_batch *b, uint32_t id)
{
	static const struct fmt_owner none;

	return b->owners ? &b->owners[id] : &none;
}
