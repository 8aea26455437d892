/* chunk_encode.c - the chunk builder: records in, sealed columnar chunks out.
 *
 * Each record is split into its columns as it arrives (deltas against the
 * previous record, strings and command lines and flow keys replaced by ids
 * in per-chunk dictionaries), so sealing is only a concatenation. Layout in
 * chunk_codec.h and docs/FORMAT.md.
 */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "chunk_codec.h"

struct fmt_builder {
	int stream;
	uint32_t n;
	uint64_t t_base, t_min, t_max;
	struct fmt_buf col[SEC_MAX];
	struct fmt_intern strings, cmds, keys;
	uint64_t cmd_args; /* argv entries in the cmds dictionary */
	int has_interp, has_cwd, has_start, has_owner; /* optional sections to write */
	/* previous values for delta coding */
	uint64_t p_ts, p_pid, p_ppid, p_uid, p_gid, p_cgroup, p_interval, p_key;
	uint64_t *bpp; /* flow: bytes per packet of each key's last row */
	uint32_t bpp_cap;
	struct fmt_buf scratch;
	int oom;
};

struct fmt_builder *builder_new(enum fmt_stream stream)
{
	struct fmt_builder *b;

	if (stream < FMT_STREAM_EXEC || stream > FMT_STREAM_MAX)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b)
		b->stream = stream;
	return b;
}

static void builder_reset(struct fmt_builder *b)
{
	for (int i = 0; i < SEC_MAX; i++)
		b->col[i].len = 0;
	fmt_intern_reset(&b->strings);
	fmt_intern_reset(&b->cmds);
	fmt_intern_reset(&b->keys);
	b->n = 0;
	b->cmd_args = 0;
	b->has_interp = b->has_cwd = b->has_start = b->has_owner = 0;
	b->p_ts = b->p_pid = b->p_ppid = b->p_uid = b->p_gid = b->p_cgroup = 0;
	b->p_interval = b->p_key = 0;
}

void builder_free(struct fmt_builder *b)
{
	if (!b)
		return;
	for (int i = 0; i < SEC_MAX; i++)
		fmt_buf_free(&b->col[i]);
	fmt_intern_free(&b->strings);
	fmt_intern_free(&b->cmds);
	fmt_intern_free(&b->keys);
	fmt_buf_free(&b->scratch);
	free(b->bpp);
	free(b);
}

uint32_t builder_count(const struct fmt_builder *b)
{
	return b->n;
}

static size_t intern_mem(const struct fmt_intern *t)
{
	return t->keys.cap + (size_t)t->off_cap * sizeof(*t->off) +
	       (size_t)t->nslots * sizeof(*t->slots);
}

size_t builder_mem(const struct fmt_builder *b)
{
	size_t n = sizeof(*b) + b->scratch.cap + (size_t)b->bpp_cap * sizeof(*b->bpp);

	for (int i = 0; i < SEC_MAX; i++)
		n += b->col[i].cap;
	return n + intern_mem(&b->strings) + intern_mem(&b->cmds) + intern_mem(&b->keys);
}

static uint64_t span_ns(const struct fmt_builder *b)
{
	return b->n ? b->t_max - b->t_min : 0;
}

int builder_due(const struct fmt_builder *b, uint32_t records, uint64_t span)
{
	return b->n >= records || span_ns(b) >= span;
}

/* Raw bytes the chunk would take if sealed now (dictionaries included). */
static size_t builder_raw_size(const struct fmt_builder *b)
{
	size_t sz = b->strings.keys.len + b->cmds.keys.len + b->keys.keys.len;
	for (int i = 0; i < SEC_MAX; i++)
		sz += b->col[i].len;
	return sz;
}

/* Timestamps are stored in SQLite INTEGER (signed 64-bit) columns. */
#define TS_MAX ((uint64_t)INT64_MAX)

static void add_ts(struct fmt_builder *b, uint64_t ts)
{
	if (b->n == 0) {
		b->t_base = b->t_min = b->t_max = b->p_ts = ts;
	}
	if (ts < b->t_min)
		b->t_min = ts;
	if (ts > b->t_max)
		b->t_max = ts;
	fmt_buf_put_delta(&b->col[SEC_TS], ts, b->p_ts);
	b->p_ts = ts;
}

/* The builder refuses a record that would push the chunk past the reader's
 * limits; the caller seals and retries (the appender does this). */
static int builder_full(const struct fmt_builder *b, size_t extra)
{
	return b->n >= FMT_MAX_CHUNK_RECORDS ||
	       builder_raw_size(b) + extra > FMT_MAX_CHUNK_RAW / 2;
}

static int64_t intern_str(struct fmt_builder *b, const char *s)
{
	if (!s)
		s = "";
	return fmt_intern_add(&b->strings, s, strlen(s));
}

/* An optional string: 0 for none, else 1 + its id. @return -1 when out of
 * memory. */
static int put_opt_str(struct fmt_builder *b, int sec, const char *s, int *has)
{
	int64_t id = 0;

	if (s) {
		id = intern_str(b, s);
		if (id < 0)
			return -1;
		id++;
		*has = 1;
	}
	fmt_buf_put_varint(&b->col[sec], (uint64_t)id);
	return 0;
}

/* The command line of an exec or proc record, interned. @return its id in
 * the cmds dictionary, or <0. */
static int64_t intern_cmd(struct fmt_builder *b, const char *comm, const char *file,
			  uint32_t argc, const char *const *argv)
{
	struct fmt_buf *key = &b->scratch;
	int64_t c = intern_str(b, comm), f = intern_str(b, file), cmd;
	uint32_t ncmds;

	key->len = 0;
	fmt_buf_put_varint(key, (uint64_t)c);
	fmt_buf_put_varint(key, (uint64_t)f);
	fmt_buf_put_varint(key, argc);
	for (uint32_t i = 0; i < argc; i++) {
		int64_t a = intern_str(b, argv[i]);
		if (a < 0)
			return FMT_ENOMEM;
		fmt_buf_put_varint(key, (uint64_t)a);
	}
	if (c < 0 || f < 0 || key->oom)
		return FMT_ENOMEM;
	ncmds = b->cmds.count;
	cmd = fmt_intern_add(&b->cmds, key->data, key->len);
	if (cmd < 0)
		return FMT_ENOMEM;
	if (b->cmds.count != ncmds) /* a new entry */
		b->cmd_args += argc;
	return cmd;
}

/* Bytes a command line may add to the chunk, at most. */
static size_t cmd_extra(uint32_t argc, const char *const *argv)
{
	size_t extra = 64;

	for (uint32_t i = 0; i < argc; i++)
		extra += strlen(argv[i]) + 10;
	return extra;
}

/* The columns exec and proc records share. */
static void put_process(struct fmt_builder *b, uint64_t ts, uint32_t pid, uint32_t ppid,
			uint32_t uid, uint32_t gid, uint64_t cgroup, uint32_t flags, int64_t cmd,
			uint64_t start)
{
	add_ts(b, ts);
	fmt_buf_put_delta(&b->col[SEC_PID], pid, b->p_pid);
	fmt_buf_put_delta(&b->col[SEC_PPID], ppid, b->p_ppid);
	fmt_buf_put_delta(&b->col[SEC_UID], uid, b->p_uid);
	fmt_buf_put_delta(&b->col[SEC_GID], gid, b->p_gid);
	fmt_buf_put_delta(&b->col[SEC_CGROUP], cgroup, b->p_cgroup);
	fmt_buf_put_varint(&b->col[SEC_FLAGS], flags);
	/* id columns get their final width at seal, when the dictionaries
	 * are complete; until then they hold 4-byte ids */
	fmt_buf_put_id(&b->col[SEC_CMD], (uint32_t)cmd, 4);
	fmt_buf_put_delta(&b->col[SEC_START], ts, start);
	b->has_start |= start != 0;
	b->p_pid = pid;
	b->p_ppid = ppid;
	b->p_uid = uid;
	b->p_gid = gid;
	b->p_cgroup = cgroup;
}

static int add_exec(struct fmt_builder *b, const struct fmt_exec *r)
{
	int64_t pcomm, cmd;

	if (r->argc > FMT_MAX_ARGC || (r->argc && !r->argv) || r->ts_ns > TS_MAX)
		return FMT_EINVAL;
	if (builder_full(b, cmd_extra(r->argc, r->argv) + 2 * 4096))
		return FMT_ELIMIT;
	pcomm = intern_str(b, r->pcomm);
	cmd = intern_cmd(b, r->comm, r->filename, r->argc, r->argv);
	if (pcomm < 0 || cmd < 0)
		return FMT_ENOMEM;
	if (put_opt_str(b, SEC_INTERP, r->interp, &b->has_interp) ||
	    put_opt_str(b, SEC_CWD, r->cwd, &b->has_cwd))
		return FMT_ENOMEM;
	put_process(b, r->ts_ns, r->pid, r->ppid, r->uid, r->gid, r->cgroup_id, r->flags, cmd,
		    r->start_ns);
	fmt_buf_put_varint(&b->col[SEC_TID], fmt_zigzag((int64_t)r->tid - (int64_t)r->pid));
	fmt_buf_put_varint(&b->col[SEC_RET], fmt_zigzag(r->ret));
	fmt_buf_put_id(&b->col[SEC_PCOMM], (uint32_t)pcomm, 4);
	b->n++;
	return FMT_OK;
}

static int add_proc(struct fmt_builder *b, const struct fmt_proc *r)
{
	int64_t cmd;

	if (r->argc > FMT_MAX_ARGC || (r->argc && !r->argv) || r->ts_ns > TS_MAX)
		return FMT_EINVAL;
	if (builder_full(b, cmd_extra(r->argc, r->argv) + 4096))
		return FMT_ELIMIT;
	cmd = intern_cmd(b, r->comm, r->exe, r->argc, r->argv);
	if (cmd < 0 || put_opt_str(b, SEC_CWD, r->cwd, &b->has_cwd))
		return FMT_ENOMEM;
	put_process(b, r->ts_ns, r->pid, r->ppid, r->uid, r->gid, r->cgroup_id, r->flags, cmd,
		    r->start_ns);
	b->n++;
	return FMT_OK;
}

static int add_cgroup(struct fmt_builder *b, const struct fmt_cgroup *r)
{
	int64_t path;

	if (r->ts_ns > TS_MAX || r->kind > FMT_CGROUP_REMOVED)
		return FMT_EINVAL;
	if (builder_full(b, (r->path ? strlen(r->path) : 0) + 64))
		return FMT_ELIMIT;
	path = intern_str(b, r->path);
	if (path < 0)
		return FMT_ENOMEM;
	add_ts(b, r->ts_ns);
	fmt_buf_put_delta(&b->col[SEC_CGROUP], r->cgroup_id, b->p_cgroup);
	fmt_buf_put_varint(&b->col[SEC_CGROUP_KIND], r->kind);
	fmt_buf_put_id(&b->col[SEC_PATH], (uint32_t)path, 4);
	b->p_cgroup = r->cgroup_id;
	b->n++;
	return FMT_OK;
}

static int add_exit(struct fmt_builder *b, const struct fmt_exit *r)
{
	if (r->ts_ns > TS_MAX)
		return FMT_EINVAL;
	if (builder_full(b, 64))
		return FMT_ELIMIT;
	add_ts(b, r->ts_ns);
	fmt_buf_put_delta(&b->col[SEC_PID], r->pid, b->p_pid);
	fmt_buf_put_delta(&b->col[SEC_PPID], r->ppid, b->p_ppid);
	fmt_buf_put_varint(&b->col[SEC_EXIT_CODE], r->exit_code);
	fmt_buf_put_varint(&b->col[SEC_SIGNAL], r->signal);
	fmt_buf_put_delta(&b->col[SEC_LIFETIME], r->ts_ns, r->start_ns);
	b->p_pid = r->pid;
	b->p_ppid = r->ppid;
	b->n++;
	return FMT_OK;
}

/* Address bytes stored for a family: the rest must be zero. */
static size_t addr_len(uint8_t family)
{
	return family == FMT_FAMILY_IPV4 ? 4 : family == FMT_FAMILY_IPV6 ? 16 : 0;
}

static int valid_key(const struct fmt_flow_key *k)
{
	static const uint8_t zero[16];
	size_t alen = addr_len(k->family);

	if (k->family != FMT_FAMILY_OTHER && k->family != FMT_FAMILY_IPV4 &&
	    k->family != FMT_FAMILY_IPV6 && k->family != FMT_FAMILY_OVERFLOW)
		return 0;
	if (k->dir > FMT_DIR_EGRESS)
		return 0;
	return !memcmp(k->src + alen, zero, 16 - alen) && !memcmp(k->dst + alen, zero, 16 - alen);
}

static int add_flow(struct fmt_builder *b, const struct fmt_flow *r)
{
	const struct fmt_flow_key *k = &r->key;
	struct fmt_buf *key = &b->scratch;
	size_t alen = addr_len(k->family);
	int64_t id;
	uint32_t nkeys;
	uint64_t pred;

	if (!valid_key(k) || r->ts_ns > TS_MAX)
		return FMT_EINVAL;
	if (builder_full(b, 128))
		return FMT_ELIMIT;
	/* the key as stored in SEC_FLOWKEYS, then its owner: the intern key */
	key->len = 0;
	fmt_buf_put_varint(key, k->ifindex);
	fmt_buf_put_u8(key, k->dir);
	fmt_buf_put_u8(key, k->family);
	fmt_buf_put_u8(key, k->proto);
	fmt_buf_put(key, k->src, alen);
	fmt_buf_put(key, k->dst, alen);
	fmt_buf_put_varint(key, k->sport);
	fmt_buf_put_varint(key, k->dport);
	/* the owner follows: a flow of two owners is two dictionary entries;
	 * SEC_FLOWKEYS gets the key part, SEC_FLOWOWNERS the rest, at seal */
	fmt_buf_put_varint(key, r->owner.pid);
	fmt_buf_put_varint(key, r->owner.start_ns);
	fmt_buf_put_varint(key, r->owner.cgroup_id);
	b->has_owner |= r->owner.pid || r->owner.start_ns || r->owner.cgroup_id;
	if (key->oom)
		return FMT_ENOMEM;
	nkeys = b->keys.count;
	id = fmt_intern_add(&b->keys, key->data, key->len);
	if (id < 0)
		return FMT_ENOMEM;
	if ((uint32_t)id >= b->bpp_cap) {
		uint32_t cap = b->bpp_cap ? b->bpp_cap * 2 : 1024;
		uint64_t *bpp = realloc(b->bpp, cap * sizeof(*bpp));
		if (!bpp)
			return FMT_ENOMEM;
		b->bpp = bpp;
		b->bpp_cap = cap;
	}
	if ((uint32_t)id == nkeys)
		b->bpp[id] = 0; /* first row of this key in the chunk */

	add_ts(b, r->ts_ns);
	fmt_buf_put_delta(&b->col[SEC_INTERVAL], r->interval_ns, b->p_interval);
	fmt_buf_put_delta(&b->col[SEC_FLOWKEY], (uint64_t)id, b->p_key);
	fmt_buf_put_varint(&b->col[SEC_PACKETS], r->packets);
	/* bytes are nearly packets x a per-flow packet size: store the miss */
	pred = r->packets * b->bpp[id];
	fmt_buf_put_delta(&b->col[SEC_BYTES], r->bytes, pred);
	b->bpp[id] = r->packets ? r->bytes / r->packets : 0;
	b->p_interval = r->interval_ns;
	b->p_key = (uint64_t)id;
	b->n++;
	return FMT_OK;
}

int builder_add(struct fmt_builder *b, const struct fmt_event *ev)
{
	if ((int)ev->stream != b->stream)
		return FMT_EINVAL;
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return add_exec(b, &ev->exec);
	case FMT_STREAM_EXIT:
		return add_exit(b, &ev->exit);
	case FMT_STREAM_FLOW:
		return add_flow(b, &ev->flow);
	case FMT_STREAM_PROC:
		return add_proc(b, &ev->proc);
	case FMT_STREAM_CGROUP:
		return add_cgroup(b, &ev->cgroup);
	}
	return FMT_EINVAL;
}

static void put_section(struct fmt_buf *dir, struct fmt_buf *body, int id, const void *p,
			size_t len)
{
	fmt_buf_put_varint(dir, (uint64_t)id);
	fmt_buf_put_varint(dir, len);
	fmt_buf_put(body, p, len);
}

/* SEC_STRINGS: count, all lengths, then all bytes (compresses better than
 * interleaving lengths and bytes). */
static void put_strings(struct fmt_buf *dir, struct fmt_buf *body, const struct fmt_intern *t,
			struct fmt_buf *tmp)
{
	tmp->len = 0;
	fmt_buf_put_varint(tmp, t->count);
	for (uint32_t i = 0; i < t->count; i++)
		fmt_buf_put_varint(tmp, t->off[i + 1] - t->off[i]);
	fmt_buf_put(tmp, t->keys.data, t->keys.len);
	put_section(dir, body, SEC_STRINGS, tmp->data, tmp->len);
}

/* An id column: width byte, then the ids at that width. */
static void put_ids(struct fmt_buf *dir, struct fmt_buf *body, int id, const struct fmt_buf *col,
		    uint32_t count, struct fmt_buf *tmp)
{
	unsigned width = fmt_id_width(count);

	tmp->len = 0;
	fmt_buf_put_u8(tmp, (uint8_t)width);
	for (size_t i = 0; i + 4 <= col->len; i += 4) {
		uint32_t v;
		memcpy(&v, col->data + i, 4); /* written little-endian on x86/arm LE */
		fmt_buf_put_id(tmp, v, width);
	}
	put_section(dir, body, id, tmp->data, tmp->len);
}

/* SEC_FLOWKEYS (and SEC_FLOWOWNERS when any key has an owner) from the
 * interned (key, owner) entries: each entry is the stored key, then three
 * varints of owner. */
static void put_flowkeys(struct fmt_buf *dir, struct fmt_buf *body, const struct fmt_builder *b,
			 struct fmt_buf *tmp, uint64_t *nsec)
{
	const struct fmt_intern *t = &b->keys;
	struct fmt_buf owners = { 0 };

	tmp->len = 0;
	fmt_buf_put_varint(tmp, t->count);
	fmt_buf_put_varint(&owners, t->count);
	for (uint32_t i = 0; i < t->count; i++) {
		const uint8_t *e = t->keys.data + t->off[i], *end = t->keys.data + t->off[i + 1];
		struct fmt_cursor c = { e, end, 0 };
		uint8_t family;
		fmt_cur_varint(&c); /* ifindex */
		fmt_cur_u8(&c); /* dir */
		family = fmt_cur_u8(&c);
		fmt_cur_u8(&c); /* proto */
		c.p += 2 * addr_len(family);
		fmt_cur_varint(&c); /* ports */
		fmt_cur_varint(&c);
		fmt_buf_put(tmp, e, (size_t)(c.p - e));
		fmt_buf_put(&owners, c.p, (size_t)(end - c.p));
	}
	put_section(dir, body, SEC_FLOWKEYS, tmp->data, tmp->len);
	++*nsec;
	if (b->has_owner) {
		put_section(dir, body, SEC_FLOWOWNERS, owners.data, owners.len);
		++*nsec;
	}
	if (owners.oom)
		tmp->oom = 1;
	fmt_buf_free(&owners);
}

/* SEC_CMDS: count, total argc, string id width, then per command: comm and
 * filename ids, argc (varint), argc argument ids. The interned keys hold
 * varint ids; rewrite them at the final width. */
static void put_cmds(struct fmt_buf *dir, struct fmt_buf *body, const struct fmt_builder *b,
		     struct fmt_buf *tmp)
{
	unsigned width = fmt_id_width(b->strings.count);
	struct fmt_cursor c = { b->cmds.keys.data, b->cmds.keys.data + b->cmds.keys.len, 0 };

	tmp->len = 0;
	fmt_buf_put_varint(tmp, b->cmds.count);
	fmt_buf_put_varint(tmp, b->cmd_args);
	fmt_buf_put_u8(tmp, (uint8_t)width);
	for (uint32_t i = 0; i < b->cmds.count; i++) {
		uint64_t argc;
		fmt_buf_put_id(tmp, (uint32_t)fmt_cur_varint(&c), width);
		fmt_buf_put_id(tmp, (uint32_t)fmt_cur_varint(&c), width);
		argc = fmt_cur_varint(&c);
		fmt_buf_put_varint(tmp, argc);
		while (argc--)
			fmt_buf_put_id(tmp, (uint32_t)fmt_cur_varint(&c), width);
	}
	put_section(dir, body, SEC_CMDS, tmp->data, tmp->len);
}

static const int exec_cols[] = { SEC_TS,     SEC_PID, SEC_TID,   SEC_PPID, SEC_UID,
				 SEC_GID,    SEC_CGROUP, SEC_RET, SEC_FLAGS, 0 };
static const int exit_cols[] = { SEC_TS, SEC_PID, SEC_PPID, SEC_EXIT_CODE, SEC_SIGNAL,
				 SEC_LIFETIME, 0 };
static const int flow_cols[] = { SEC_TS, SEC_INTERVAL, SEC_FLOWKEY, SEC_PACKETS, SEC_BYTES, 0 };
static const int proc_cols[] = { SEC_TS, SEC_PID, SEC_PPID, SEC_UID, SEC_GID, SEC_CGROUP,
				 SEC_FLAGS, 0 };
static const int cgroup_cols[] = { SEC_TS, SEC_CGROUP, SEC_CGROUP_KIND, 0 };

/* The optional columns a chunk has, after the required ones. */
static void put_optional(struct fmt_buf *dir, struct fmt_buf *body, const struct fmt_builder *b,
			 uint64_t *nsec)
{
	const struct {
		int sec, has;
	} opt[] = { { SEC_INTERP, b->has_interp }, { SEC_CWD, b->has_cwd }, { SEC_START, b->has_start } };

	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (opt[i].has) {
			put_section(dir, body, opt[i].sec, b->col[opt[i].sec].data,
				    b->col[opt[i].sec].len);
			++*nsec;
		}
}

struct fmt_chunk *builder_seal(struct fmt_builder *b, int64_t chunk_id, int reset)
{
	struct fmt_chunk *c = calloc(1, sizeof(*c));
	struct fmt_buf dir = { 0 }, body = { 0 }, tmp = { 0 };
	const int *cols = b->stream == FMT_STREAM_EXEC	  ? exec_cols :
			  b->stream == FMT_STREAM_EXIT	  ? exit_cols :
			  b->stream == FMT_STREAM_PROC	  ? proc_cols :
			  b->stream == FMT_STREAM_CGROUP ? cgroup_cols :
							   flow_cols;
	uint64_t nsec = 0;

	if (!c)
		return NULL;
	c->id = chunk_id;
	c->stream = b->stream;
	c->records = b->n;
	c->t_first = b->n ? b->t_min : 0;
	c->t_last = b->n ? b->t_max : 0;

	if (b->stream == FMT_STREAM_EXEC || b->stream == FMT_STREAM_PROC) {
		put_strings(&dir, &body, &b->strings, &tmp);
		put_cmds(&dir, &body, b, &tmp);
		put_ids(&dir, &body, SEC_CMD, &b->col[SEC_CMD], b->cmds.count, &tmp);
		nsec += 3;
		if (b->stream == FMT_STREAM_EXEC) {
			put_ids(&dir, &body, SEC_PCOMM, &b->col[SEC_PCOMM], b->strings.count, &tmp);
			nsec++;
		}
		put_optional(&dir, &body, b, &nsec);
	} else if (b->stream == FMT_STREAM_CGROUP) {
		put_strings(&dir, &body, &b->strings, &tmp);
		put_ids(&dir, &body, SEC_PATH, &b->col[SEC_PATH], b->strings.count, &tmp);
		nsec += 2;
	} else if (b->stream == FMT_STREAM_FLOW) {
		put_flowkeys(&dir, &body, b, &tmp, &nsec);
	}
	for (const int *s = cols; *s; s++, nsec++)
		put_section(&dir, &body, *s, b->col[*s].data, b->col[*s].len);

	fmt_buf_put(&c->payload, CHUNK_MAGIC, 4);
	fmt_buf_put_u8(&c->payload, (uint8_t)b->stream);
	fmt_buf_put_varint(&c->payload, b->n);
	fmt_buf_put_varint(&c->payload, b->n ? b->t_base : 0);
	fmt_buf_put_varint(&c->payload, nsec);
	fmt_buf_put(&c->payload, dir.data, dir.len);
	fmt_buf_put(&c->payload, body.data, body.len);
	if (dir.oom || body.oom || tmp.oom || c->payload.oom) {
		chunk_free(c);
		c = NULL;
	}
	fmt_buf_free(&dir);
	fmt_buf_free(&body);
	fmt_buf_free(&tmp);
	if (c && reset)
		builder_reset(b);
	return c;
}

void chunk_free(struct fmt_chunk *c)
{
	if (!c)
		return;
	fmt_buf_free(&c->payload);
	free(c);
}
