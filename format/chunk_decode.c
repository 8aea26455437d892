/* chunk_decode.c - payload bytes in, validated struct fmt_batch out.
 *
 * The payload comes from disk and is untrusted: every count is checked
 * against the bytes that remain and the reader limits in fmt.h before
 * anything is allocated, every id against its dictionary, and each column
 * must hold exactly n_records values. Allocation is bounded by the record
 * count (capped) and the payload size (capped).
 *
 * The column loops are col_decode.h's. A caller may ask for some columns
 * only (chunk_decode_cols: the SQL tables decode what a query reads); the
 * directory, the timestamps and the presence of every required section
 * are checked whatever is asked, and each column decoded is checked in
 * full. Columns not asked for are NULL in the batch.
 */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "col_decode.h"

struct col_four col_fours[256];
struct col_some col_somes[256];

/* col_decode.h's tables: for each pattern of continuation bits in a word,
 * where its first four values start if each is one or two bytes, and
 * where its first values of one to three bytes start. */
__attribute__((constructor)) static void col_table(void)
{
	for (unsigned m = 0; m < 256; m++) {
		struct col_four f = { 0 };
		unsigned pos = 0, k;

		for (k = 0; k < 4 && pos < 8; k++) {
			unsigned len = !(m >> pos & 1) ? 1 : pos + 1 < 8 && !(m >> (pos + 1) & 1) ? 2 : 0;
			if (!len)
				break;
			f.shift[k] = (uint8_t)(8 * pos);
			f.hi[k] = len == 2 ? 0x3f80 : 0;
			pos += len;
		}
		f.ok = k == 4;
		f.used = (uint8_t)pos;
		col_fours[m] = f;
	}
	for (unsigned m = 0; m < 256; m++) {
		struct col_some f = { 0 };
		unsigned pos = 0, len;

		for (; f.n < 4; f.n++, pos += len) {
			for (len = 1; len <= 3 && pos + len <= 8 && m >> (pos + len - 1) & 1; len++)
				;
			if (len > 3 || pos + len > 8)
				break;
			f.shift[f.n] = (uint8_t)(8 * pos);
			f.hi2[f.n] = len >= 2 ? 0x3f80 : 0;
			f.hi3[f.n] = len == 3 ? 0x1fc000 : 0;
		}
		f.used = (uint8_t)pos;
		col_somes[m] = f;
	}
}

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

#define WANT(b, sec) (((b)->cols >> (sec)) & 1)
#define U32_LIMIT ((uint64_t)UINT32_MAX + 1) /* plain 32-bit columns: values below this */

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

/* Run section id as a column of kind. @return 0, or -1 if it is missing or
 * bad. Each wrapper below passes a constant kind: one loop per kind. */
static inline __attribute__((always_inline)) int
col(const struct section *s, int id, enum col_kind kind, uint32_t n, const struct col_args *a)
{
	if (!s[id].present)
		return -1;
	return col_run(kind, s[id].p, s[id].len, n, a);
}

static int col_delta64(const struct section *s, int id, uint32_t n, uint64_t base, uint64_t *out)
{
	struct col_args a = { .base = base, .out64 = out };
	return col(s, id, COL_DELTA64, n, &a);
}

static int col_delta32(const struct section *s, int id, uint32_t n, uint32_t *out)
{
	struct col_args a = { .out32 = out };
	return col(s, id, COL_DELTA32, n, &a);
}

static int col_plain32(const struct section *s, int id, uint32_t n, uint64_t limit, uint32_t *out)
{
	struct col_args a = { .limit = limit, .out32 = out };
	return col(s, id, COL_PLAIN32, n, &a);
}

static int col_plain64(const struct section *s, int id, uint32_t n, uint64_t *out)
{
	struct col_args a = { .out64 = out };
	return col(s, id, COL_PLAIN64, n, &a);
}

/* ts - zigzag-decoded value (start times) */
static int col_minus(const struct section *s, int id, uint32_t n, const uint64_t *ts, uint64_t *out)
{
	struct col_args a = { .ref64 = ts, .out64 = out };
	return col(s, id, COL_MINUS_ZZ, n, &a);
}

/* Id columns: width byte, then n ids of that width, each below count. */
static int col_ids(const struct section *s, int id, uint32_t n, uint32_t count, uint32_t *out)
{
	const uint8_t *p = s[id].p;
	unsigned width;

	if (!s[id].present || s[id].len < 1)
		return -1;
	width = p[0];
	if (width != fmt_id_width(count) || s[id].len - 1 != (size_t)n * width)
		return -1;
	return col_ids_run(p + 1, width, n, count, out);
}

/* An optional column (format 1.1): absent means every value is 0, which
 * the batch says with a NULL array. */
static int col_opt32(const struct section *s, int id, uint32_t n, uint64_t limit, uint32_t **out)
{
	if (!s[id].present) {
		*out = NULL;
		return 0;
	}
	return col_plain32(s, id, n, limit, *out);
}

/* SEC_START: start = ts - zigzag-decoded value (0 where not recorded; the
 * whole column NULL when the section is absent). */
static int col_start(const struct section *s, uint32_t n, const uint64_t *ts, uint64_t **out)
{
	if (!s[SEC_START].present) {
		*out = NULL;
		return 0;
	}
	return col_minus(s, SEC_START, n, ts, *out);
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
	b->arena = take(b, MEM_ARENA, total + count + STR_SLACK);
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
	memset(dst, 0, STR_SLACK);
	return FMT_OK;
}

/* Total argv entries across a chunk's command dictionary. */
#define MAX_ARGV_POOL (4u << 20)

/* What of the argv is decoded: ARGV_STRINGS, ARGV_IDS, both or neither. */
#define ARGV_STRINGS 1
#define ARGV_IDS 2

/* The entries of SEC_CMDS after its header, [p, end), ids of width w (a
 * constant in each caller): count x {comm id, filename id, argc, argc ids}.
 * @return 0 or why not. */
static inline __attribute__((always_inline)) const char *
cmd_entries(struct fmt_batch *b, const uint8_t *p, const uint8_t *end, unsigned w, uint64_t total,
	    int with_argv)
{
	const char *const *str = b->str;
	uint32_t nstr = b->nstr, bad = 0;
	uint64_t pool = 0;

	for (uint32_t i = 0; i < b->ncmd; i++) {
		struct fmt_cmd *cmd = &b->cmds[i];
		uint32_t comm, file;
		uint64_t argc;
		const char **argv = with_argv & ARGV_STRINGS ? &b->argv_pool[pool] : NULL;
		uint32_t *arg_ids = with_argv & ARGV_IDS ? &b->arg_id_pool[pool] : NULL;

		if (end - p >= COL_SLACK) { /* the two ids and argc, unchecked */
			uint64_t vbad = 0;
			comm = fmt_id_at(p, w);
			file = fmt_id_at(p + w, w);
			p += 2 * w;
			argc = col_varint(&p, &vbad);
			if (vbad)
				return "bad command entry";
		} else {
			struct fmt_cursor c = { p, end, 0 };
			comm = fmt_cur_id(&c, w);
			file = fmt_cur_id(&c, w);
			argc = fmt_cur_varint(&c);
			if (c.bad)
				return "bad command entry";
			p = c.p;
		}
		if (comm >= nstr || file >= nstr)
			return "bad command entry";
		if (argc > FMT_MAX_ARGC || argc > total - pool)
			return "argument count exceeds limit";
		if (argc * w > (uint64_t)(end - p))
			return "command dictionary does not match its counts";
		cmd->comm = str[comm];
		cmd->filename = str[file];
		cmd->comm_id = comm;
		cmd->file_id = file;
		cmd->argc = (uint32_t)argc;
		cmd->argv = argv;
		cmd->arg_ids = arg_ids;
		if (with_argv) {
			for (uint32_t a = 0; a < argc; a++, p += w) {
				uint32_t id = fmt_id_at(p, w);
				bad |= id >= nstr;
				id = id < nstr ? id : 0; /* never past the dictionary */
				if (with_argv & ARGV_IDS)
					arg_ids[a] = id;
				if (with_argv & ARGV_STRINGS)
					argv[a] = str[id];
			}
		} else { /* not read, so not checked: verify reads them */
			p += argc * w;
		}
		pool += argc;
	}
	if (bad)
		return "bad argument string id";
	if (p != end || pool != total)
		return "command dictionary does not match its counts";
	return NULL;
}

/* SEC_CMDS: count, total argv entries, id width, then the entries. The
 * declared total lets one pass fill the argv pool. */
static int decode_cmds(struct fmt_batch *b, struct section *s, const char **why)
{
	struct fmt_cursor c;
	uint64_t count, total;
	unsigned width;
	int argv;
	const char *bad;

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
	/* argv: as strings, as ids, both or neither */
	argv = (WANT(b, CHUNK_ARGV_BIT) ? ARGV_STRINGS : 0) |
	       (WANT(b, CHUNK_ARGV_IDS_BIT) ? ARGV_IDS : 0);
	b->argv_pool = argv & ARGV_STRINGS ? take(b, MEM_ARGV, total * sizeof(*b->argv_pool)) :
					     NULL;
	b->arg_id_pool = argv & ARGV_IDS ? take(b, MEM_ARGV_IDS, total * sizeof(*b->arg_id_pool)) :
					   NULL;
	if (!b->cmds || (argv & ARGV_STRINGS && !b->argv_pool) ||
	    (argv & ARGV_IDS && !b->arg_id_pool))
		return FMT_ENOMEM;
	if (count && !b->nstr) /* every id would be out of range */
		return *why = "bad command entry", FMT_ECORRUPT;
	/* one loop per width and argv kind */
#define ENTRIES(w) (argv == 3 ? cmd_entries(b, c.p, c.end, w, total, 3) : \
		    argv == 2 ? cmd_entries(b, c.p, c.end, w, total, 2) : \
		    argv == 1 ? cmd_entries(b, c.p, c.end, w, total, 1) : \
				cmd_entries(b, c.p, c.end, w, total, 0))
	switch (width) {
	case 1:
		bad = ENTRIES(1);
		break;
	case 2:
		bad = ENTRIES(2);
		break;
	case 3:
		bad = ENTRIES(3);
		break;
	default:
		bad = ENTRIES(4);
	}
#undef ENTRIES
	if (bad)
		return *why = bad, FMT_ECORRUPT;
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

/* What exec and proc records share: the dictionaries and the process
 * columns. */
static int decode_process(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if (WANT(b, SEC_STRINGS) && (rc = decode_strings(b, s, why)))
		return rc;
	if (WANT(b, SEC_CMDS) && (rc = decode_cmds(b, s, why)))
		return rc;
	if ((WANT(b, SEC_PID) && col_delta32(s, SEC_PID, n, b->pid)) ||
	    (WANT(b, SEC_PPID) && col_delta32(s, SEC_PPID, n, b->ppid)) ||
	    (WANT(b, SEC_UID) && col_delta32(s, SEC_UID, n, b->uid)) ||
	    (WANT(b, SEC_GID) && col_delta32(s, SEC_GID, n, b->gid)) ||
	    (WANT(b, SEC_CGROUP) && col_delta64(s, SEC_CGROUP, n, 0, b->cgroup)) ||
	    (WANT(b, SEC_FLAGS) && col_plain32(s, SEC_FLAGS, n, U32_LIMIT, b->flags)) ||
	    (WANT(b, SEC_CMD) && col_ids(s, SEC_CMD, n, b->ncmd, b->cmd)) ||
	    (WANT(b, SEC_CWD) && col_opt32(s, SEC_CWD, n, (uint64_t)b->nstr + 1, &b->cwd)) ||
	    (WANT(b, SEC_START) && col_start(s, n, b->ts, &b->start)))
		return *why = "bad process column", FMT_ECORRUPT;
	return FMT_OK;
}

static int decode_exec(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if ((rc = decode_process(b, s, why)))
		return rc;
	if ((WANT(b, SEC_PCOMM) && col_ids(s, SEC_PCOMM, n, b->nstr, b->pcomm)) ||
	    (WANT(b, SEC_INTERP) && col_opt32(s, SEC_INTERP, n, (uint64_t)b->nstr + 1, &b->interp)))
		return *why = "bad exec column", FMT_ECORRUPT;
	if (WANT(b, SEC_TID)) {
		struct col_args a = { .ref32 = b->pid, .out32 = b->tid };
		if (col(s, SEC_TID, COL_PLUS_ZZ32, n, &a))
			return *why = "bad tid or ret column", FMT_ECORRUPT;
	}
	if (WANT(b, SEC_RET)) {
		struct col_args a = { .out32 = (uint32_t *)b->ret };
		if (col(s, SEC_RET, COL_ZZ_I32, n, &a))
			return *why = "bad ret column", FMT_ECORRUPT;
	}
	return FMT_OK;
}

static int decode_cgroup(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if (WANT(b, SEC_STRINGS) && (rc = decode_strings(b, s, why)))
		return rc;
	if ((WANT(b, SEC_CGROUP) && col_delta64(s, SEC_CGROUP, n, 0, b->cgroup)) ||
	    (WANT(b, SEC_CGROUP_KIND) &&
	     col_plain32(s, SEC_CGROUP_KIND, n, FMT_CGROUP_REMOVED + 1, b->kind)) ||
	    (WANT(b, SEC_PATH) && col_ids(s, SEC_PATH, n, b->nstr, b->path)))
		return *why = "bad cgroup column", FMT_ECORRUPT;
	return FMT_OK;
}

static int decode_exit(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;

	if ((WANT(b, SEC_PID) && col_delta32(s, SEC_PID, n, b->pid)) ||
	    (WANT(b, SEC_PPID) && col_delta32(s, SEC_PPID, n, b->ppid)) ||
	    (WANT(b, SEC_EXIT_CODE) &&
	     col_plain32(s, SEC_EXIT_CODE, n, U32_LIMIT, b->code)) ||
	    (WANT(b, SEC_SIGNAL) && col_plain32(s, SEC_SIGNAL, n, U32_LIMIT, b->sig)))
		return *why = "bad exit column", FMT_ECORRUPT;
	if (WANT(b, SEC_LIFETIME) && col_minus(s, SEC_LIFETIME, n, b->ts, b->start))
		return *why = "bad lifetime column", FMT_ECORRUPT;
	return FMT_OK;
}

/* Flow bytes from their residuals, in place (FORMAT.md): bytes = packets
 * x bpp[key] + residual (wrapping), then bpp[key] = bytes / packets. The
 * quotient is taken for every record: where it cannot have changed (no
 * wrap, 0 <= residual < packets) it is the old one anyway, and on these
 * records a branch on that is taken about half the time, unpredictably,
 * which costs more than the division. A loop of its own after the
 * varints': the two in one ran out of registers. */
static void flow_bytes(uint32_t n, const uint32_t *key, const uint64_t *packets, uint64_t *bpp,
		       uint64_t *bytes)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = key[i];
		uint64_t pk = packets[i], by = pk * bpp[k] + (uint64_t)fmt_unzigzag(bytes[i]);

		bytes[i] = by;
		bpp[k] = pk ? by / pk : 0;
	}
}

static int decode_flow(struct fmt_batch *b, struct section *s, const char **why)
{
	uint32_t n = b->n;
	int rc;

	if (WANT(b, SEC_FLOWKEYS) && (rc = decode_flowkeys(b, s, why)))
		return rc;
	if ((WANT(b, SEC_INTERVAL) && col_delta64(s, SEC_INTERVAL, n, 0, b->interval)) ||
	    (WANT(b, SEC_PACKETS) && col_plain64(s, SEC_PACKETS, n, b->packets)))
		return *why = "bad flow column", FMT_ECORRUPT;
	if (WANT(b, SEC_FLOWKEY)) {
		struct col_args a = { .limit = b->nkeys, .out32 = b->key };
		if (col(s, SEC_FLOWKEY, COL_KEYDELTA, n, &a))
			return *why = "bad flow key column", FMT_ECORRUPT;
	}
	if (WANT(b, SEC_BYTES)) {
		uint64_t *bpp = take(b, MEM_TMP, (b->nkeys ? b->nkeys : 1) * sizeof(*bpp));
		if (!bpp)
			return FMT_ENOMEM;
		memset(bpp, 0, b->nkeys * sizeof(*bpp));
		if (col_plain64(s, SEC_BYTES, n, b->bytes))
			return *why = "bad bytes column", FMT_ECORRUPT;
		flow_bytes(n, b->key, b->packets, bpp, b->bytes);
	}
	return FMT_OK;
}

/* The sections each stream must have (FORMAT.md section 3), and the
 * columns it can decode. */
#define S(x) (1ull << SEC_##x)
static const uint64_t required[FMT_STREAM_MAX + 1] = {
	[FMT_STREAM_EXEC] = S(STRINGS) | S(TS) | S(PID) | S(TID) | S(PPID) | S(UID) | S(GID) |
			    S(CGROUP) | S(RET) | S(FLAGS) | S(CMD) | S(PCOMM) | S(CMDS),
	[FMT_STREAM_EXIT] = S(TS) | S(PID) | S(PPID) | S(EXIT_CODE) | S(SIGNAL) | S(LIFETIME),
	[FMT_STREAM_FLOW] = S(TS) | S(INTERVAL) | S(FLOWKEY) | S(PACKETS) | S(BYTES) | S(FLOWKEYS),
	[FMT_STREAM_PROC] = S(STRINGS) | S(TS) | S(PID) | S(PPID) | S(UID) | S(GID) | S(CGROUP) |
			    S(FLAGS) | S(CMD) | S(CMDS),
	[FMT_STREAM_CGROUP] = S(STRINGS) | S(TS) | S(CGROUP) | S(CGROUP_KIND) | S(PATH),
};
static const uint64_t optional[FMT_STREAM_MAX + 1] = {
	[FMT_STREAM_EXEC] = S(INTERP) | S(CWD) | S(START) | CHUNK_ARGV | CHUNK_ARGV_IDS,
	[FMT_STREAM_FLOW] = S(FLOWOWNERS),
	[FMT_STREAM_PROC] = S(CWD) | S(START) | CHUNK_ARGV | CHUNK_ARGV_IDS,
};

/* The sections a set of wanted ones needs decoded too: the timestamps
 * unless told not to (start times and lifetimes are stored relative to
 * them). */
static uint64_t with_dependencies(uint64_t want)
{
	if (!(want & FMT_COL_NO_TS) || (want & (S(START) | S(LIFETIME))))
		want |= S(TS);
	if (want & S(BYTES))
		want |= S(FLOWKEY) | S(PACKETS);
	if (want & (S(FLOWKEY) | S(FLOWOWNERS)))
		want |= S(FLOWKEYS);
	if (want & S(FLOWKEYS))
		want |= S(FLOWOWNERS);
	if (want & S(TID))
		want |= S(PID);
	if (want & (S(CMD) | CHUNK_ARGV | CHUNK_ARGV_IDS))
		want |= S(CMDS);
	if (want & (S(CMDS) | S(PCOMM) | S(INTERP) | S(CWD) | S(PATH)))
		want |= S(STRINGS);
	return want;
}
#undef S

/* Carve the arrays of the wanted columns out of one allocation; the
 * others stay NULL. */
static int alloc_cols(struct fmt_batch *b)
{
	static const struct {
		int sec;
		size_t off; /* of the array pointer in struct fmt_batch */
		unsigned size;
	} arrays[] = {
#define A(sec, f) { SEC_##sec, offsetof(struct fmt_batch, f), sizeof(*((struct fmt_batch *)0)->f) }
		A(TS, ts), A(CGROUP, cgroup), A(START, start), A(LIFETIME, start),
		A(INTERVAL, interval), A(PACKETS, packets), A(BYTES, bytes),
		A(PID, pid), A(PPID, ppid), A(UID, uid), A(GID, gid), A(FLAGS, flags),
		A(CMD, cmd), A(CWD, cwd), A(TID, tid), A(PCOMM, pcomm), A(INTERP, interp),
		A(RET, ret), A(EXIT_CODE, code), A(SIGNAL, sig), A(CGROUP_KIND, kind),
		A(PATH, path), A(FLOWKEY, key),
#undef A
	};
	uint64_t cols = b->cols & (required[b->stream] | optional[b->stream]);
	size_t n = b->n ? b->n : 1, bytes = 0;
	char *p;

	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (cols >> arrays[i].sec & 1)
			bytes += n * arrays[i].size;
	/* 64-bit arrays come first in the table: every array stays aligned */
	if (!(p = take(b, MEM_COLS, bytes)))
		return FMT_ENOMEM;
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
		if (!(cols >> arrays[i].sec & 1))
			continue;
		memcpy((char *)b + arrays[i].off, &p, sizeof(p));
		p += n * arrays[i].size;
	}
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

static uint64_t decodes; /* for fmt_batch.serial */

int chunk_decode_cols(const uint8_t *p, size_t len, int stream, uint32_t records, uint64_t want,
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
	if (stream < FMT_STREAM_EXEC || stream > FMT_STREAM_MAX)
		FAIL("unknown stream");
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
	b->serial = __atomic_add_fetch(&decodes, 1, __ATOMIC_RELAXED);
	b->cols = with_dependencies(want) & (required[stream] | optional[stream]);
	/* the columns decoded say so themselves, with what is wrong */
	for (int id = 0; id < SEC_MAX; id++)
		if (((required[stream] & ~b->cols) >> id & 1) && !sec[id].present)
			FAIL("a required section is missing");
	if ((rc = alloc_cols(b)))
		goto out;
	if (WANT(b, SEC_TS) && col_delta64(sec, SEC_TS, b->n, t_base, b->ts))
		FAIL("bad timestamp column");
	if (stream == FMT_STREAM_EXEC)
		rc = decode_exec(b, sec, why);
	else if (stream == FMT_STREAM_EXIT)
		rc = decode_exit(b, sec, why);
	else if (stream == FMT_STREAM_FLOW)
		rc = decode_flow(b, sec, why);
	else if (stream == FMT_STREAM_PROC)
		rc = decode_process(b, sec, why);
	else
		rc = decode_cgroup(b, sec, why);
	if (rc == FMT_OK && WANT(b, SEC_TS))
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

int chunk_decode(const uint8_t *p, size_t len, int stream, uint32_t records,
		 struct fmt_batch **out, const char **why)
{
	return chunk_decode_cols(p, len, stream, records, CHUNK_ALL, out, why);
}
