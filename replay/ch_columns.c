/* ch_columns.c - push's encoder for the two big streams, exec and flow: a
 * column at a time straight from the batch's arrays, each dictionary
 * entry's strings encoded once (command lines and strings for execs, keys
 * for flows) and then copied per row. It writes the bytes ch_block_add
 * writes for the same rows (tests compare the two); the stream's columns
 * are checked by name against fmt_row.h's so that a schema change falls
 * back to the row path instead of writing the wrong column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_native.h"
#include "fmt_text.h"

static const char *const exec_names[] = {
	"ts_ns", "wall_ns", "time",	 "pid",	  "tid",	    "ppid", "uid",    "gid",
	"cgroup_id", "comm", "pcomm", "filename", "argc", "argv", "argv_truncated", "ret",
	"interp", "cwd", "cwd_truncated", "start_ns",
};
static const char *const flow_names[] = {
	"ts_ns", "wall_ns", "time", "interval_ns", "ifindex", "iface", "dir",
	"family", "proto", "proto_name", "src", "sport", "dst", "dport",
	"packets", "bytes", "owner_pid", "owner_start_ns", "owner_cgroup_id",
};

/* @return 1 if the stream's columns are named as listed */
static int same_columns(enum fmt_stream s, const char *const *names, unsigned n)
{
	unsigned k;
	const struct fmt_column *c = fmt_row_columns(s, &k);

	if (k != n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(c[i].name, names[i]))
			return 0;
	return 1;
}

/* The data and null map of schema column i (0 and 1 are session_id and
 * host). */
#define D(i) (&b->data[(i) + 2])
#define A(i) (&b->aux[(i) + 2])

/* Room for n values of w bytes in o, then a loop that writes them. */
#define FIXED(o, n, w, expr)                                   \
	do {                                                   \
		struct obuf *o_ = (o);                         \
		if (obuf_room(o_, (size_t)(n) * (w) + 8))      \
			return -1;                             \
		char *p_ = o_->buf + o_->len;                  \
		for (uint32_t i = 0; i < (n); i++, p_ += (w)) { \
			uint32_t j = from + i;                 \
			uint64_t v_ = (uint64_t)(expr);        \
			(void)j;                               \
			memcpy(p_, &v_, 8);                    \
		}                                              \
		o_->len += (size_t)(n) * (w);                  \
	} while (0)

static inline uint64_t wall(uint64_t ts, int64_t off)
{
	int64_t w = (int64_t)ts + off;
	return w < 0 ? 0 : (uint64_t)w;
}

static inline uint64_t wall_sec(uint64_t ts, int64_t off)
{
	uint64_t s = wall(ts, off) / 1000000000u;
	return s > UINT32_MAX ? UINT32_MAX : s;
}

/* The three time columns. */
static int times(struct ch_block *b, const uint64_t *ts, uint32_t from, uint32_t n, int64_t off)
{
	FIXED(D(0), n, 8, ts[j]);
	FIXED(D(1), n, 8, wall(ts[j], off));
	FIXED(D(2), n, 4, wall_sec(ts[j], off));
	return 0;
}

/* Append the encoded bytes at b->enc[e] to o. */
static inline int copy_enc(struct ch_block *b, struct obuf *o, const struct ch_enc *e)
{
	if (obuf_room(o, e->len))
		return -1;
	memcpy(o->buf + o->len, b->enc.buf + e->off, e->len);
	o->len += e->len;
	return 0;
}

/* Start the memo for batch bt with `entries` entries (kept while it is the
 * same decode of the same chunk). */
static int memo_for(struct ch_block *b, const struct fmt_batch *bt, size_t entries)
{
	uint64_t serial = fmt_batch_serial(bt);

	if (b->memo && b->memo_serial == serial && b->memo_cap >= entries)
		return 0;
	if (entries > b->memo_cap) {
		struct ch_enc *m = realloc(b->memo, entries * sizeof(*m));
		if (!m)
			return -1;
		b->memo = m;
		b->memo_cap = entries;
	}
	memset(b->memo, 0, b->memo_cap * sizeof(*b->memo));
	b->memo_serial = serial;
	b->enc.len = 0;
	return 0;
}

/* Encode what `put` writes into b->enc, remembered in *e. */
static const struct ch_enc *enc_str(struct ch_block *b, struct ch_enc *e, const char *s)
{
	if (!e->len) {
		e->off = b->enc.len;
		ch_put_str(b, &b->enc, s);
		e->len = b->enc.len - e->off;
	}
	return e;
}

/* ---- exec --------------------------------------------------------------- */

static inline uint32_t cmd_argc(const struct fmt_batch *bt, uint32_t id)
{
	uint32_t argc;

	fmt_batch_exec_cmd_argv(bt, id, &argc);
	return argc;
}

static int exec_batch(struct ch_block *b, const struct fmt_batch *bt, uint32_t from, uint32_t n,
		      int64_t off)
{
	struct fmt_exec_columns c;
	uint32_t ncmd, nstr = fmt_batch_nstrings(bt);
	struct ch_enc *by_str, *by_cmd;

	if (fmt_batch_exec_columns(bt, &c))
		return 1;
	fmt_batch_exec_cmd_ids(bt, &ncmd);
	if (memo_for(b, bt, (size_t)nstr + ncmd))
		return -1;
	by_str = b->memo;
	by_cmd = b->memo + nstr;
	if (times(b, c.ts, from, n, off))
		return -1;
	FIXED(D(3), n, 4, c.pid[j]);
	FIXED(D(4), n, 4, c.tid[j]);
	FIXED(D(5), n, 4, c.ppid[j]);
	FIXED(D(6), n, 4, c.uid[j]);
	FIXED(D(7), n, 4, c.gid[j]);
	FIXED(D(8), n, 8, c.cgroup_id[j]);
	for (uint32_t i = 0; i < n; i++) { /* comm, filename: strings of the command line */
		uint32_t comm, file;
		fmt_batch_exec_cmd_ids_of(bt, c.cmd[from + i], &comm, &file);
		if (copy_enc(b, D(9), enc_str(b, &by_str[comm], fmt_batch_string(bt, comm))) ||
		    copy_enc(b, D(11), enc_str(b, &by_str[file], fmt_batch_string(bt, file))))
			return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = c.pcomm[from + i];
		if (copy_enc(b, D(10), enc_str(b, &by_str[p], fmt_batch_string(bt, p))))
			return -1;
	}
	FIXED(D(12), n, 4, cmd_argc(bt, c.cmd[j]));
	for (uint32_t i = 0; i < n; i++) { /* argv: each command line's strings encoded once */
		uint32_t id = c.cmd[from + i], argc;
		const char *const *argv = fmt_batch_exec_cmd_argv(bt, id, &argc);
		struct ch_enc *e = &by_cmd[id];
		if (!e->len && argc) {
			e->off = b->enc.len;
			for (uint32_t k = 0; k < argc; k++)
				ch_put_str(b, &b->enc, argv[k]);
			e->len = b->enc.len - e->off;
		}
		if (copy_enc(b, D(13), e))
			return -1;
		b->items[13] += argc; /* Array offsets: where each row's strings end */
		obuf_le(A(13), b->items[13], 8);
	}
	FIXED(D(14), n, 1, !!(c.flags[j] & FMT_EXEC_ARGV_TRUNCATED));
	FIXED(D(15), n, 4, (uint32_t)c.ret[j]);
	for (int col = 16; col <= 17; col++) { /* interp, cwd: 0 none, else 1 + string id */
		const uint32_t *ids = col == 16 ? c.interp : c.cwd;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t id = ids ? ids[from + i] : 0;
			obuf_putc(A(col), !id);
			if (!id)
				obuf_putc(D(col), 0); /* "" */
			else if (copy_enc(b, D(col),
					  enc_str(b, &by_str[id - 1], fmt_batch_string(bt, id - 1))))
				return -1;
		}
	}
	FIXED(D(18), n, 1, !!(c.flags[j] & FMT_EXEC_CWD_TRUNCATED));
	FIXED(A(19), n, 1, !c.start_ns || !c.start_ns[j]);
	FIXED(D(19), n, 8, c.start_ns ? c.start_ns[j] : 0);
	return 0;
}

/* ---- flow --------------------------------------------------------------- */

static int flow_batch(struct ch_block *b, const struct fmt_batch *bt, uint32_t from, uint32_t n,
		      int64_t off, const char *(*iface)(void *ctx, uint32_t ifindex), void *ctx)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint32_t nkeys;
	const uint32_t *key = fmt_batch_flow_key_ids(bt, &nkeys);
	const uint64_t *ts = fmt_batch_ts_column(bt), *iv = fmt_batch_flow_intervals(bt),
		       *pk = fmt_batch_flow_packets(bt), *by = fmt_batch_flow_bytes(bt);
	struct ch_enc *ifname, *proto;

	if (!key || !ts || !iv || !pk || !by)
		return 1;
	/* per key: its interface's name and its protocol's (2 entries) */
	if (memo_for(b, bt, 2 * (size_t)nkeys))
		return -1;
	ifname = b->memo;
	proto = b->memo + nkeys;
	if (times(b, ts, from, n, off))
		return -1;
	FIXED(D(3), n, 8, iv[j]);
#define K(j) fmt_batch_flow_key(bt, key[j])
#define O(j) fmt_batch_flow_owner(bt, key[j])
	FIXED(D(4), n, 4, K(j)->ifindex);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = key[from + i];
		if (!ifname[id].len) {
			const struct fmt_flow_key *k = fmt_batch_flow_key(bt, id);
			const char *name = iface ? iface(ctx, k->ifindex) : NULL;
			char buf[16];
			if (!name)
				snprintf(buf, sizeof(buf), "if%u", k->ifindex), name = buf;
			enc_str(b, &ifname[id], name);
		}
		if (copy_enc(b, D(5), &ifname[id]))
			return -1;
	}
	FIXED(D(6), n, 1, K(j)->dir == FMT_DIR_EGRESS);
	FIXED(D(7), n, 1, K(j)->family);
	FIXED(D(8), n, 1, K(j)->proto);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = key[from + i];
		if (!proto[id].len) {
			char buf[8];
			enc_str(b, &proto[id],
				fmt_text_proto(fmt_batch_flow_key(bt, id)->proto, buf, sizeof(buf)));
		}
		if (copy_enc(b, D(9), &proto[id]))
			return -1;
	}
	for (int col = 10; col <= 12; col += 2) { /* src, dst: IPv4 mapped into IPv6 */
		struct obuf *d = D(col);
		if (obuf_room(d, (size_t)n * 16) || obuf_room(A(col), n))
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			const struct fmt_flow_key *k = K(from + i);
			const uint8_t *a = col == 10 ? k->src : k->dst;
			char *p = d->buf + d->len;
			int null = k->family != FMT_FAMILY_IPV4 && k->family != FMT_FAMILY_IPV6;
			A(col)->buf[A(col)->len++] = (char)null;
			if (null) {
				memset(p, 0, 16);
			} else if (k->family == FMT_FAMILY_IPV4) {
				memcpy(p, mapped, 12);
				memcpy(p + 12, a, 4);
			} else {
				memcpy(p, a, 16);
			}
			d->len += 16;
		}
	}
	FIXED(D(11), n, 2, K(j)->sport);
	FIXED(D(13), n, 2, K(j)->dport);
	FIXED(D(14), n, 8, pk[j]);
	FIXED(D(15), n, 8, by[j]);
	for (int col = 16; col <= 18; col++)
		FIXED(A(col), n, 1, !O(j)->pid);
	FIXED(D(16), n, 4, O(j)->pid);
	FIXED(D(17), n, 8, O(j)->pid ? O(j)->start_ns : 0);
	FIXED(D(18), n, 8, O(j)->pid ? O(j)->cgroup_id : 0);
#undef K
#undef O
	return 0;
}

int ch_block_add_batch(struct ch_block *b, const struct fmt_batch *bt, uint32_t from, uint32_t n,
		       int64_t clock_offset, const char *(*iface)(void *ctx, uint32_t ifindex),
		       void *ctx)
{
	enum fmt_stream s = fmt_batch_stream(bt);
	int rc;

	if (s != b->stream || from > fmt_batch_count(bt) || n > fmt_batch_count(bt) - from)
		return 1;
	/* the schema is as listed here (checked each call: a few string
	 * compares a chunk, and no state the loaders' threads share) */
	if (s == FMT_STREAM_EXEC &&
	    same_columns(s, exec_names, sizeof(exec_names) / sizeof(exec_names[0])))
		rc = exec_batch(b, bt, from, n, clock_offset);
	else if (s == FMT_STREAM_FLOW &&
		 same_columns(s, flow_names, sizeof(flow_names) / sizeof(flow_names[0])))
		rc = flow_batch(b, bt, from, n, clock_offset, iface, ctx);
	else
		return 1;
	if (rc == 0)
		b->rows += n;
	if (b->enc.err)
		rc = -1;
	return rc;
}
