/* row.c - see fmt_row.h: the export schema (one column table per stream),
 * records as rows of values, export times, and the lossless encoding of
 * strings that are not valid UTF-8. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "fmt_row.h"
#include "fmt_text.h"

static const char *const dirs[] = { "ingress", "egress" };
static const char *const kinds[] = { "present", "created", "removed" };

#define COL(n, t) { n, FMT_COL_##t, false, NULL, 0, FMT_BY_RECORD }
#define OPT(n, t) { n, FMT_COL_##t, true, NULL, 0, FMT_BY_RECORD }
#define ENUM(n, v) { n, FMT_COL_ENUM, false, v, sizeof(v) / sizeof(v[0]), FMT_BY_RECORD }
/* the same, for values that follow from a flow key / an exec's command line */
#define KEY(n, t) { n, FMT_COL_##t, false, NULL, 0, FMT_BY_FLOW_KEY }
#define KEY_OPT(n, t) { n, FMT_COL_##t, true, NULL, 0, FMT_BY_FLOW_KEY }
#define KEY_ENUM(n, v) { n, FMT_COL_ENUM, false, v, sizeof(v) / sizeof(v[0]), FMT_BY_FLOW_KEY }
#define CMD(n, t) { n, FMT_COL_##t, false, NULL, 0, FMT_BY_COMMAND }

/* The first three columns of every stream. */
#define TIMES COL("ts_ns", U64), COL("wall_ns", U64), COL("time", TIME)

static const struct fmt_column exec_cols[] = {
	TIMES,		      COL("pid", U32),	    COL("tid", U32),
	COL("ppid", U32),     COL("uid", U32),	    COL("gid", U32),
	COL("cgroup_id", U64), CMD("comm", STR),    COL("pcomm", STR),
	CMD("filename", STR), CMD("argc", U32),	    CMD("argv", STRS),
	COL("argv_truncated", BOOL), COL("ret", I32), OPT("interp", STR),
	OPT("cwd", STR),      COL("cwd_truncated", BOOL), OPT("start_ns", U64),
};

static const struct fmt_column exit_cols[] = {
	TIMES,		     COL("pid", U32),	   COL("ppid", U32), COL("exit_code", U32),
	COL("signal", U32), COL("start_ns", U64), OPT("lifetime_ns", U64),
};

static const struct fmt_column flow_cols[] = {
	TIMES,
	COL("interval_ns", U64),
	KEY("ifindex", U32),
	KEY("iface", STR),
	KEY_ENUM("dir", dirs),
	KEY("family", U8),
	KEY("proto", U8),
	KEY("proto_name", STR),
	KEY_OPT("src", ADDR),
	KEY("sport", U16),
	KEY_OPT("dst", ADDR),
	KEY("dport", U16),
	COL("packets", U64),
	COL("bytes", U64),
	KEY_OPT("owner_pid", U32),
	KEY_OPT("owner_start_ns", U64),
	KEY_OPT("owner_cgroup_id", U64),
};

static const struct fmt_column proc_cols[] = {
	TIMES,		       COL("pid", U32),	    COL("ppid", U32),
	COL("uid", U32),       COL("gid", U32),	    COL("cgroup_id", U64),
	OPT("start_ns", U64),  COL("comm", STR),    COL("exe", STR),
	COL("argc", U32),      COL("argv", STRS),   COL("argv_truncated", BOOL),
	OPT("cwd", STR),       COL("cwd_truncated", BOOL), COL("kthread", BOOL),
};

static const struct fmt_column cgroup_cols[] = {
	TIMES,
	COL("cgroup_id", U64),
	ENUM("kind", kinds),
	COL("path", STR),
};

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))
_Static_assert(N(exec_cols) <= FMT_ROW_MAX_COLUMNS, "exec row");
_Static_assert(N(flow_cols) <= FMT_ROW_MAX_COLUMNS, "flow row");
_Static_assert(N(proc_cols) <= FMT_ROW_MAX_COLUMNS, "proc row");

const struct fmt_column *fmt_row_columns(enum fmt_stream stream, unsigned *n)
{
	switch (stream) {
	case FMT_STREAM_EXEC:
		*n = N(exec_cols);
		return exec_cols;
	case FMT_STREAM_EXIT:
		*n = N(exit_cols);
		return exit_cols;
	case FMT_STREAM_FLOW:
		*n = N(flow_cols);
		return flow_cols;
	case FMT_STREAM_PROC:
		*n = N(proc_cols);
		return proc_cols;
	case FMT_STREAM_CGROUP:
		*n = N(cgroup_cols);
		return cgroup_cols;
	}
	*n = 0;
	return NULL;
}

/* Appending values in column order. */
static inline void u(struct fmt_row *r, uint64_t v)
{
	struct fmt_value *x = &r->v[r->n++];
	x->null = false;
	x->u = v;
}

/* 0 means "not recorded": null */
static inline void opt_u(struct fmt_row *r, uint64_t v)
{
	struct fmt_value *x = &r->v[r->n++];
	x->null = v == 0;
	x->u = v;
}

static inline void s(struct fmt_row *r, const char *v)
{
	struct fmt_value *x = &r->v[r->n++];
	x->null = v == NULL;
	x->s = v ? v : "";
}

static inline void strs(struct fmt_row *r, const char *const *v, uint32_t n)
{
	struct fmt_value *x = &r->v[r->n++];
	x->null = false;
	x->strs.v = v;
	x->strs.n = n;
}

static inline void addr(struct fmt_row *r, const struct fmt_flow_key *k, const uint8_t *a)
{
	struct fmt_value *x = &r->v[r->n++];
	x->null = k->family != FMT_FAMILY_IPV4 && k->family != FMT_FAMILY_IPV6;
	x->addr.bytes = a;
	x->addr.family = k->family;
}

static void times(struct fmt_row *r, uint64_t ts, int64_t off)
{
	int64_t w = (int64_t)ts + off;

	u(r, ts);
	u(r, w < 0 ? 0 : (uint64_t)w);
	u(r, w < 0 ? 0 : (uint64_t)w);
}

int fmt_row_fill(const struct fmt_event *ev, int64_t off, const char *iface, struct fmt_row *r)
{
	r->stream = ev->stream;
	r->n = 0;
	switch (ev->stream) {
	case FMT_STREAM_EXEC: {
		const struct fmt_exec *e = &ev->exec;
		times(r, e->ts_ns, off);
		u(r, e->pid), u(r, e->tid), u(r, e->ppid), u(r, e->uid), u(r, e->gid);
		u(r, e->cgroup_id);
		s(r, e->comm);
		s(r, e->pcomm ? e->pcomm : "");
		s(r, e->filename);
		u(r, e->argc);
		strs(r, e->argv, e->argc);
		u(r, !!(e->flags & FMT_EXEC_ARGV_TRUNCATED));
		r->v[r->n].null = false;
		r->v[r->n++].i = e->ret;
		s(r, e->interp);
		s(r, e->cwd);
		u(r, !!(e->flags & FMT_EXEC_CWD_TRUNCATED));
		opt_u(r, e->start_ns);
		return 0;
	}
	case FMT_STREAM_EXIT: {
		const struct fmt_exit *x = &ev->exit;
		times(r, x->ts_ns, off);
		u(r, x->pid), u(r, x->ppid), u(r, x->exit_code), u(r, x->signal);
		u(r, x->start_ns);
		u(r, x->ts_ns - x->start_ns);
		r->v[r->n - 1].null = !x->start_ns || x->start_ns > x->ts_ns;
		return 0;
	}
	case FMT_STREAM_FLOW: {
		const struct fmt_flow *f = &ev->flow;
		const struct fmt_flow_key *k = &f->key;
		times(r, f->ts_ns, off);
		u(r, f->interval_ns);
		u(r, k->ifindex);
		if (!iface) {
			char *o = r->iface + sizeof(r->iface);
			uint32_t v = k->ifindex;
			*--o = 0;
			do
				*--o = (char)('0' + v % 10);
			while (v /= 10);
			*--o = 'f', *--o = 'i';
			iface = o;
		}
		s(r, iface);
		u(r, k->dir == FMT_DIR_EGRESS);
		u(r, k->family), u(r, k->proto);
		s(r, fmt_text_proto(k->proto, r->proto, sizeof(r->proto)));
		addr(r, k, k->src);
		u(r, k->sport);
		addr(r, k, k->dst);
		u(r, k->dport);
		u(r, f->packets), u(r, f->bytes);
		opt_u(r, f->owner.pid);
		u(r, f->owner.start_ns);
		r->v[r->n - 1].null = !f->owner.pid;
		u(r, f->owner.cgroup_id);
		r->v[r->n - 1].null = !f->owner.pid;
		return 0;
	}
	case FMT_STREAM_PROC: {
		const struct fmt_proc *p = &ev->proc;
		times(r, p->ts_ns, off);
		u(r, p->pid), u(r, p->ppid), u(r, p->uid), u(r, p->gid), u(r, p->cgroup_id);
		opt_u(r, p->start_ns);
		s(r, p->comm);
		s(r, p->exe ? p->exe : "");
		u(r, p->argc);
		strs(r, p->argv, p->argc);
		u(r, !!(p->flags & FMT_EXEC_ARGV_TRUNCATED));
		s(r, p->cwd);
		u(r, !!(p->flags & FMT_EXEC_CWD_TRUNCATED));
		u(r, !!(p->flags & FMT_PROC_KTHREAD));
		return 0;
	}
	case FMT_STREAM_CGROUP: {
		const struct fmt_cgroup *c = &ev->cgroup;
		times(r, c->ts_ns, off);
		u(r, c->cgroup_id);
		u(r, c->kind < 3 ? c->kind : 0);
		s(r, c->path);
		return 0;
	}
	}
	return FMT_EINVAL;
}

char *fmt_row_time(char buf[32], uint64_t wall_ns, struct fmt_time_cache *c)
{
	int64_t sec = (int64_t)(wall_ns / 1000000000u);
	unsigned ms = (unsigned)(wall_ns % 1000000000u / 1000000u);

	if (!c->valid || c->sec != sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(c->text, sizeof(c->text), "%Y-%m-%dT%H:%M:%S", &tm);
		c->sec = sec;
		c->valid = 1;
	}
	memcpy(buf, c->text, 19);
	buf[19] = '.';
	buf[20] = (char)('0' + ms / 100);
	buf[21] = (char)('0' + ms / 10 % 10);
	buf[22] = (char)('0' + ms % 10);
	buf[23] = 'Z';
	buf[24] = 0;
	return buf;
}

/* ---- lossless strings -------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1-4; n bytes remain), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0; /* overlong, surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0; /* overlong, above U+10FFFF */
		return 4;
	}
	return 0;
}

int fmt_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		/* ASCII runs eight bytes at a time */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_seq(s + i, len - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/* The encoding of bytes that are not valid UTF-8, mark included. */
static size_t encode_invalid(const char *str, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0, i = 0;

	while (i < len) {
		size_t k = utf8_seq(s + i, len - i);
		if (k == 1 && s[i] == '\\') {
			out[o++] = '\\', out[o++] = '\\';
		} else if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		} else {
			out[o++] = '\\', out[o++] = 'x';
			out[o++] = hex[s[i] >> 4], out[o++] = hex[s[i] & 15];
		}
		i++;
	}
	out[o++] = 0; /* the mark */
	return o;
}

size_t fmt_str_encode(const char *str, size_t len, char *out)
{
	if (fmt_utf8_valid(str, len)) {
		memcpy(out, str, len);
		return len;
	}
	return encode_invalid(str, len, out);
}

const char *fmt_str_export(const char *s, size_t *len, char **buf, size_t *cap)
{
	if (fmt_utf8_valid(s, *len))
		return s;
	if (FMT_STR_ENCODED_MAX(*len) > *cap) {
		char *p = realloc(*buf, FMT_STR_ENCODED_MAX(*len));
		if (!p)
			return NULL;
		*buf = p;
		*cap = FMT_STR_ENCODED_MAX(*len);
	}
	*len = encode_invalid(s, *len, *buf);
	return *buf;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t fmt_str_decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	if (!len || s[len - 1] != 0) {
		memcpy(out, s, len);
		return len;
	}
	len--;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == 0)
			return (size_t)-1;
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (i + 1 < len && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (i + 3 < len && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 &&
			   hexval(s[i + 3]) >= 0) {
			out[o++] = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else {
			return (size_t)-1;
		}
	}
	return o;
}
