/* top.c - see top.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgname.h"
#include "fmt_text.h"
#include "out.h"
#include "top.h"
#include "who.h"

static const char *const by_names[] = { "comm",	"path",	    "cmdline",   "uid", "parent",
					"flow",	"src",	    "dst",	 "port", "proto",
					"iface", "process", "unit", "container", "pod" };

int top_parse_by(const char *s, enum top_by *by)
{
	for (unsigned i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (!strcmp(s, by_names[i])) {
			*by = (enum top_by)i;
			return 0;
		}
	return -1;
}

int top_is_flow(enum top_by by)
{
	return by >= BY_FLOW;
}

void top_init(struct top *t, enum top_by by, int metric)
{
	memset(t, 0, sizeof(*t));
	t->by = by;
	t->metric = metric;
}

/* Flow keys carry the file index first: interface numbers are per host. */
struct flowkey {
	uint32_t source;
	struct fmt_flow_key k;
};

/* The owner a flow row is counted under by process, unit, container or
 * pod: the process (file, pid, start) and its cgroup; all zero when none.
 * Units, containers and pods are read off the cgroup's path when printed. */
struct ownerkey {
	uint32_t source, pid;
	uint64_t start_ns, cgroup_id;
};

static int by_owner(enum top_by by)
{
	return by >= BY_PROCESS;
}

/* The (source, key) a flow row is counted under in a table by `by`. */
static struct flowkey flow_group(enum top_by by, unsigned source, const struct fmt_flow_key *k)
{
	struct flowkey fk = { source, *k };

	switch (by) {
	case BY_SRC:
	case BY_DST:
		memset(fk.k.dst, 0, 16), fk.k.sport = fk.k.dport = 0;
		if (by == BY_DST)
			memcpy(fk.k.src, k->dst, 16);
		fk.k.ifindex = 0, fk.k.dir = 0, fk.k.proto = 0, fk.source = 0;
		break;
	case BY_PORT:
		memset(&fk, 0, sizeof(fk));
		fk.k.dport = k->dport;
		fk.k.proto = k->proto;
		break;
	case BY_PROTO:
		memset(&fk, 0, sizeof(fk));
		fk.k.proto = k->proto;
		break;
	case BY_IFACE:
		memset(&fk.k, 0, sizeof(fk.k));
		fk.k.ifindex = k->ifindex;
		break;
	default:
		break;
	}
	return fk;
}

/* The key a flow row is counted under (a flowkey, or an ownerkey by
 * owner), with its hash */
struct group {
	union {
		struct flowkey f;
		struct ownerkey o;
	} k;
	uint64_t hash;
	uint32_t klen;
};

/* owner is read by owner only, k otherwise (a batch has one or the other) */
static void group_of(enum top_by by, unsigned source, const struct fmt_flow_key *k,
		     const struct fmt_owner *owner, struct group *g)
{
	if (by_owner(by)) {
		g->k.o = (struct ownerkey){ owner->pid ? source : 0, owner->pid, owner->start_ns,
					    owner->cgroup_id };
		g->klen = sizeof(g->k.o);
	} else {
		g->k.f = flow_group(by, source, k);
		g->klen = sizeof(g->k.f);
	}
	g->hash = agg_hash(&g->k, g->klen);
}

/* Count a row under key (a struct flowkey or ownerkey) of that hash. */
static int add_flow(struct top *t, const void *key, size_t klen, uint64_t hash, uint64_t rows,
		    uint64_t packets, uint64_t bytes)
{
	struct agg_entry *e = agg_get_hashed(&t->agg, key, klen, hash);

	if (!e)
		return -1;
	e->count += rows;
	e->packets += packets;
	e->bytes += bytes;
	t->total += t->metric == 1 ? packets : t->metric == 2 ? bytes : rows;
	return 0;
}

static int add_exec_key(struct top *t, const char *key, size_t klen, uint64_t count)
{
	struct agg_entry *e;

	if (t->lines) {
		if (!t->lines_w && !(t->lines_w = cmdlines_writer(t->lines)))
			return -1;
		if (cmdlines_add_text(t->lines_w, key, klen, count))
			return -1;
		t->total += count;
		return 0;
	}
	e = agg_get(&t->agg, key, klen);

	if (!e)
		return -1;
	e->count += count;
	t->total += count;
	return 0;
}

int top_add(struct top *t, const struct fmt_event *ev)
{
	char buf[8192];
	const char *key;

	if (top_is_flow(t->by)) {
		struct group g;
		if (ev->stream != FMT_STREAM_FLOW)
			return 0;
		group_of(t->by, ev->source, &ev->flow.key, &ev->flow.owner, &g);
		return add_flow(t, &g.k, g.klen, g.hash, 1, ev->flow.packets, ev->flow.bytes);
	}
	if (ev->stream != FMT_STREAM_EXEC)
		return 0;
	switch (t->by) {
	case BY_COMM:
		key = ev->exec.comm;
		break;
	case BY_PATH:
		key = ev->exec.filename;
		break;
	case BY_PARENT:
		key = ev->exec.pcomm;
		break;
	case BY_UID:
		snprintf(buf, sizeof(buf), "%u", ev->exec.uid);
		key = buf;
		break;
	default:
		key = fmt_text_join_argv(buf, sizeof(buf), ev->exec.argc, ev->exec.argv);
		break;
	}
	return add_exec_key(t, key, strlen(key), 1);
}

/* *buf with room for bytes (grown, not zeroed), NULL on oom */
static void *room(void **buf, size_t *cap, size_t bytes)
{
	if (bytes > *cap) {
		void *p = realloc(*buf, bytes);
		if (!p)
			return NULL;
		*buf = p;
		*cap = bytes;
	}
	return *buf;
}

/* Counts per dictionary id in t's scratch space (zeroed, n entries). */
static uint64_t *scratch(struct top *t, size_t n, size_t each)
{
	if (!room(&t->scratch, &t->scratch_cap, n * each))
		return NULL;
	if (n)
		memset(t->scratch, 0, n * each);
	return t->scratch;
}

/* t's second scratch space with room for bytes (not zeroed), NULL on oom */
static void *room2(struct top *t, size_t bytes)
{
	return room(&t->scratch2, &t->scratch2_cap, bytes);
}

#define AHEAD 8 /* lookups between a key's fetches and its own */

struct flow_sum {
	uint64_t rows, packets, bytes;
};

static int add_flow_batch(struct top *t, unsigned source, const struct fmt_batch *b,
			  const uint32_t *pos, uint32_t n)
{
	uint32_t ndict;
	const uint32_t *ids = fmt_batch_flow_key_ids(b, &ndict);
	const uint64_t *pk = fmt_batch_flow_packets(b), *by = fmt_batch_flow_bytes(b);
	struct flow_sum *sum = (struct flow_sum *)scratch(t, ndict, sizeof(*sum));
	int owners = by_owner(t->by);
	struct group *g;
	uint32_t m = 0;

	if (!sum && ndict)
		return -1;
	if (n == fmt_batch_count(b)) /* every record (pos rises): no indirection */
		for (uint32_t j = 0; j < n; j++) {
			struct flow_sum *s = &sum[ids[j]];
			s->rows++;
			s->packets += pk[j];
			s->bytes += by[j];
		}
	else
		for (uint32_t i = 0; i < n; i++) {
			struct flow_sum *s = &sum[ids[pos[i]]];
			s->rows++;
			s->packets += pk[pos[i]];
			s->bytes += by[pos[i]];
		}
	if (!(g = room2(t, ndict * sizeof(*g))) && ndict)
		return -1;
	for (uint32_t id = 0; id < ndict; id++) {
		if (!sum[id].rows)
			continue;
		group_of(t->by, source, owners ? NULL : fmt_batch_flow_key(b, id),
			 owners ? fmt_batch_flow_owner(b, id) : NULL, &g[m]);
		sum[m++] = sum[id]; /* m <= id: in step with g */
	}
	/* a table of many keys misses the cache twice a lookup (its slot,
	 * then the key the slot points at): both are fetched ahead */
	for (uint32_t i = 0; i < m; i++) {
		if (i + 2 * AHEAD < m)
			agg_prefetch(&t->agg, g[i + 2 * AHEAD].hash, 0);
		if (i + AHEAD < m)
			agg_prefetch(&t->agg, g[i + AHEAD].hash, 1);
		if (add_flow(t, &g[i].k, g[i].klen, g[i].hash, sum[i].rows, sum[i].packets,
			     sum[i].bytes))
			return -1;
	}
	return 0;
}

/* Counts per uid of the records at pos[n], in t's second scratch space
 * (an open-addressing table), each added once under its decimal key. */
static int add_uid_batch(struct top *t, const struct fmt_batch *b, const uint32_t *pos, uint32_t n)
{
	struct uid_count {
		uint32_t uid, used;
		uint64_t count;
	} *tab;
	const uint32_t *uid = fmt_batch_exec_uids(b);
	size_t cap = 64, used = 0;
	char buf[16];

	for (;;) { /* a table with room for the chunk's distinct uids */
		if (!(tab = room2(t, cap * sizeof(*tab))))
			return -1;
		memset(tab, 0, cap * sizeof(*tab));
		used = 0;
		uint32_t i;
		for (i = 0; i < n; i++) {
			uint32_t u = uid[pos[i]];
			size_t h = (u * 0x9E3779B1u) & (cap - 1);
			while (tab[h].used && tab[h].uid != u)
				h = (h + 1) & (cap - 1);
			if (!tab[h].used) {
				if (++used * 2 > cap)
					break; /* too full: again, twice as large */
				tab[h].used = 1;
				tab[h].uid = u;
			}
			tab[h].count++;
		}
		if (i == n)
			break;
		cap *= 2;
	}
	for (size_t h = 0; h < cap; h++) {
		if (!tab[h].used)
			continue;
		snprintf(buf, sizeof(buf), "%u", tab[h].uid);
		if (add_exec_key(t, buf, strlen(buf), tab[h].count))
			return -1;
	}
	return 0;
}

static int add_exec_batch(struct top *t, const struct fmt_batch *b, const uint32_t *pos,
			  uint32_t n)
{
	char buf[CMDLINE_MAX];
	uint32_t ndict, nstr = fmt_batch_nstrings(b);
	const uint32_t *ids;
	uint64_t *count, *by_str;

	if (t->by == BY_UID) /* a column, not a dictionary */
		return add_uid_batch(t, b, pos, n);
	ids = t->by == BY_PARENT ? fmt_batch_exec_pcomm_ids(b, &ndict) :
				   fmt_batch_exec_cmd_ids(b, &ndict);
	if (!(count = scratch(t, ndict, sizeof(*count))) && ndict)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		count[ids[pos[i]]]++;
	if (t->by == BY_COMM || t->by == BY_PATH) {
		/* command lines to the strings they name: one key per string */
		if (!(by_str = room2(t, nstr * sizeof(*by_str))) && nstr)
			return -1;
		if (nstr)
			memset(by_str, 0, nstr * sizeof(*by_str));
		for (uint32_t id = 0; id < ndict; id++) {
			uint32_t comm, file;
			if (!count[id])
				continue;
			fmt_batch_exec_cmd_ids_of(b, id, &comm, &file);
			by_str[t->by == BY_PATH ? file : comm] += count[id];
		}
		count = by_str;
		ndict = nstr;
	}
	if (t->by == BY_CMDLINE && t->lines) {
		if (!t->lines_w && !(t->lines_w = cmdlines_writer(t->lines)))
			return -1;
		t->total += n;
		return cmdlines_add_batch(t->lines_w, b, count, ndict);
	}
	for (uint32_t id = 0; id < ndict; id++) {
		const char *key = buf;
		size_t klen;
		if (!count[id])
			continue;
		if (t->by == BY_CMDLINE) { /* without t->lines: one table */
			klen = fmt_batch_exec_cmd_join(b, id, buf, sizeof(buf));
		} else {
			key = fmt_batch_string(b, id);
			klen = strlen(key);
		}
		if (add_exec_key(t, key, klen, count[id]))
			return -1;
	}
	return 0;
}

uint64_t top_cols(enum top_by by)
{
	switch (by) {
	case BY_COMM:
	case BY_PATH:
		return FMT_COL_CMD;
	case BY_CMDLINE:
		return FMT_COL_CMD | FMT_COL_ARGV_IDS; /* joined from the ids when need be */
	case BY_UID:
		return FMT_COL_UID;
	case BY_PARENT:
		return FMT_COL_PCOMM;
	default:
		return FMT_COL_FLOW_KEY | FMT_COL_PACKETS | FMT_COL_BYTES;
	}
}

int top_merge(struct top *dst, struct top *src)
{
	dst->total += src->total;
	return agg_merge(&dst->agg, &src->agg);
}

int top_add_batch(struct top *t, unsigned source, const struct fmt_batch *b, const uint32_t *pos,
		  uint32_t n)
{
	enum fmt_stream s = fmt_batch_stream(b);

	if (top_is_flow(t->by))
		return s == FMT_STREAM_FLOW ? add_flow_batch(t, source, b, pos, n) : 0;
	return s == FMT_STREAM_EXEC ? add_exec_batch(t, b, pos, n) : 0;
}

/* "curl 4242 curl -s https://..." for a process; a unit, container id or
 * pod UID read off its cgroup's path; the owner-less row says why. */
static void owner_label(enum top_by by, struct report *r, const struct ownerkey *ok, char *buf,
			size_t len)
{
	const char *path;
	char part[256];

	if (!ok->pid) {
		snprintf(buf, len, "(no local socket)");
		return;
	}
	if (by == BY_PROCESS) {
		struct fmt_name nm;
		const struct fmt_names *names = who_names(r);
		if (names && fmt_names_get(names, ok->source, ok->pid, ok->start_ns, UINT64_MAX, &nm) == 0)
			snprintf(buf, len, "%s %u %s", nm.comm, ok->pid, nm.cmdline);
		else
			snprintf(buf, len, "pid %u", ok->pid);
		return;
	}
	path = who_cgroup(r, ok->source, ok->cgroup_id);
	if (!path) {
		snprintf(buf, len, "(cgroup %llu)", (unsigned long long)ok->cgroup_id);
		return;
	}
	if ((by == BY_UNIT && cgname_unit(path, part, sizeof(part))) ||
	    (by == BY_CONTAINER && cgname_container(path, part, sizeof(part))) ||
	    (by == BY_POD && cgname_pod(path, part, sizeof(part))))
		snprintf(buf, len, "%s", part);
	else
		snprintf(buf, len, by == BY_UNIT ? "(no unit: %s)" : by == BY_CONTAINER ?
						   "(no container: %s)" : "(no pod: %s)", path);
}

/* By unit, container or pod, several owners share a name: once, before
 * the table is sorted, their rows are merged under it (keys become the
 * names). @return 0 or -1 on oom. */
static int regroup(struct top *t, struct report *r)
{
	struct agg named = { 0 };
	char lab[512];

	if (t->regrouped || t->by == BY_PROCESS || !by_owner(t->by))
		return 0;
	for (size_t i = 0; i < t->agg.nslots; i++) {
		const struct agg_entry *e = &t->agg.slots[i];
		struct agg_entry *n;
		struct ownerkey ok;
		if (!e->key)
			continue;
		memcpy(&ok, e->key, sizeof(ok));
		owner_label(t->by, r, &ok, lab, sizeof(lab));
		if (!(n = agg_get(&named, lab, strlen(lab)))) {
			agg_free(&named);
			return -1;
		}
		n->count += e->count;
		n->packets += e->packets;
		n->bytes += e->bytes;
	}
	agg_free(&t->agg);
	t->agg = named;
	t->regrouped = 1;
	return 0;
}

static void label(struct top *t, struct report *r, const struct agg_entry *e, char *buf,
		  size_t len)
{
	if (t->regrouped) {
		snprintf(buf, len, "%.*s", (int)e->klen, (const char *)e->key);
		return;
	}
	if (by_owner(t->by)) {
		struct ownerkey ok;
		memcpy(&ok, e->key, sizeof(ok));
		owner_label(t->by, r, &ok, buf, len);
		return;
	}
	if (top_is_flow(t->by)) {
		struct flowkey fk;
		char a[64], pb[16];
		memcpy(&fk, e->key, sizeof(fk));
		switch (t->by) {
		case BY_SRC:
		case BY_DST:
			snprintf(buf, len, "%s", fmt_text_addr(a, sizeof(a), fk.k.family, fk.k.src));
			break;
		case BY_PORT:
			snprintf(buf, len, "%s/%u", fmt_text_proto(fk.k.proto, pb, sizeof(pb)), fk.k.dport);
			break;
		case BY_PROTO:
			snprintf(buf, len, "%s", fmt_text_proto(fk.k.proto, pb, sizeof(pb)));
			break;
		case BY_IFACE:
			out_iface(r->readers[fk.source], fk.k.ifindex, buf, len);
			break;
		default:
			out_flow(buf, len, r->readers[fk.source], &fk.k);
		}
		return;
	}
	snprintf(buf, len, "%.*s", (int)e->klen, (const char *)e->key);
}

static uint64_t metric_of(const struct top *t, const struct agg_entry *e)
{
	return t->metric == 1 ? e->packets : t->metric == 2 ? e->bytes : e->count;
}

void top_print(struct top *t, struct report *r, const char *title)
{
	size_t n = 0;
	struct agg_entry **v = regroup(t, r) ? NULL : agg_top(&t->agg, t->metric, r->top_n, &n);
	char lab[8192], c1[32], c2[32];
	int flow = top_is_flow(t->by);

	if (!v)
		return;
	if (n > r->top_n)
		n = r->top_n;
	if (r->out == OUT_CSV) {
		printf(flow ? "%s,packets,bytes,rows,share\n" : "%s,execs,share\n", by_names[t->by]);
		for (size_t i = 0; i < n; i++) {
			label(t, r, v[i], lab, sizeof(lab));
			out_csv_field(stdout, lab);
			if (flow)
				printf(",%llu,%llu,%llu", (unsigned long long)v[i]->packets,
				       (unsigned long long)v[i]->bytes, (unsigned long long)v[i]->count);
			else
				printf(",%llu", (unsigned long long)v[i]->count);
			printf(",%.4f\n", t->total ? (double)metric_of(t, v[i]) / (double)t->total : 0);
		}
		free(v);
		return;
	}
	/* as wide as the longest label shown (command lines are long), within
	 * reason: longer ones are cut, with "..." (JSON and CSV have them whole) */
	int w = 52;
	for (size_t i = 0; i < n; i++) {
		label(t, r, v[i], lab, sizeof(lab));
		w = strlen(lab) > (size_t)w ? (int)(strlen(lab) < 120 ? strlen(lab) : 120) : w;
	}
	if (flow)
		printf("%-*s %12s %10s %7s\n", w, title, "PACKETS", "BYTES", "SHARE");
	else
		printf("%-*s %12s %7s\n", w, title, "EXECS", "SHARE");
	for (size_t i = 0; i < n; i++) {
		double share = t->total ? 100.0 * (double)metric_of(t, v[i]) / (double)t->total : 0;
		label(t, r, v[i], lab, sizeof(lab));
		if (strlen(lab) > (size_t)w)
			strcpy(lab + w - 3, "...");
		if (flow)
			printf("%-*s %12s %10s %6.1f%%\n", w, lab,
			       out_count(c1, sizeof(c1), v[i]->packets),
			       out_bytes(c2, sizeof(c2), v[i]->bytes), share);
		else
			printf("%-*s %12s %6.1f%%\n", w, lab, out_count(c1, sizeof(c1), v[i]->count),
			       share);
	}
	if (!n)
		printf("(none)\n");
	free(v);
}

void top_json(struct top *t, struct report *r, struct json *j, const char *name)
{
	size_t n = 0;
	struct agg_entry **v = regroup(t, r) ? NULL : agg_top(&t->agg, t->metric, r->top_n, &n);
	char lab[8192], a[64], pb[16];
	int flow = top_is_flow(t->by);

	if (n > r->top_n)
		n = r->top_n;
	json_key(j, name);
	json_begin_object(j);
	json_kv_str(j, "by", by_names[t->by]);
	json_kv_str(j, "sort", t->metric == 1 ? "packets" : t->metric == 2 ? "bytes" : "count");
	json_kv_u64(j, "total", t->total);
	json_key(j, "rows");
	json_begin_array(j);
	for (size_t i = 0; v && i < n; i++) {
		label(t, r, v[i], lab, sizeof(lab));
		json_begin_object(j);
		json_kv_str(j, "key", lab);
		if (flow) {
			struct flowkey fk;
			if (t->by == BY_FLOW) {
				/* only a flow's key is a flowkey: owners' are shorter */
				memcpy(&fk, v[i]->key, sizeof(fk));
				json_kv_str(j, "iface", out_iface(r->readers[fk.source], fk.k.ifindex, a,
								  sizeof(a)));
				json_kv_str(j, "dir", fk.k.dir == FMT_DIR_EGRESS ? "egress" : "ingress");
				json_kv_str(j, "proto", fmt_text_proto(fk.k.proto, pb, sizeof(pb)));
				json_kv_str(j, "src", fmt_text_addr(a, sizeof(a), fk.k.family, fk.k.src));
				json_kv_u64(j, "sport", fk.k.sport);
				json_kv_str(j, "dst", fmt_text_addr(a, sizeof(a), fk.k.family, fk.k.dst));
				json_kv_u64(j, "dport", fk.k.dport);
			}
			json_kv_u64(j, "packets", v[i]->packets);
			json_kv_u64(j, "bytes", v[i]->bytes);
			json_kv_u64(j, "rows", v[i]->count);
		} else {
			json_kv_u64(j, "execs", v[i]->count);
		}
		json_kv_double(j, "share",
			       t->total ? (double)metric_of(t, v[i]) / (double)t->total : 0);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	free(v);
}

int top_each(struct top *t, struct report *r, top_row_cb cb, void *ctx)
{
	size_t n = 0;
	struct agg_entry **v = regroup(t, r) ? NULL : agg_top(&t->agg, t->metric, r->top_n, &n);
	char lab[8192];

	if (!v && n)
		return -1;
	if (n > r->top_n)
		n = r->top_n;
	for (size_t i = 0; i < n; i++) {
		label(t, r, v[i], lab, sizeof(lab));
		cb(ctx, lab, v[i], t->total ? (double)metric_of(t, v[i]) / (double)t->total : 0);
	}
	free(v);
	return 0;
}

int top_lines_start(struct top *t)
{
	return (t->lines = cmdlines_new()) ? 0 : -1;
}

int top_lines_done(struct top *t, size_t limit, unsigned threads)
{
	int rc = cmdlines_top(t->lines, limit, threads, &t->agg);

	cmdlines_free(t->lines);
	t->lines = NULL;
	t->lines_w = NULL;
	return rc;
}

void top_free(struct top *t)
{
	cmdlines_free(t->lines);
	t->lines = NULL;
	t->lines_w = NULL;
	agg_free(&t->agg);
	free(t->scratch);
	free(t->scratch2);
	t->scratch = t->scratch2 = NULL;
	t->scratch_cap = t->scratch2_cap = 0;
}
