/* cmd_merge.c - `ebpfreport merge FILE... -o OUT`: one session file from
 * several (hosts or runs), in wall-clock order.
 *
 * The output's clock is the earliest source's: each source's timestamps
 * are moved by the difference of the clock offsets, so wall-clock times are
 * unchanged. Each source's meta is kept under "sourceN."; loss counters are
 * also summed at the top level so the report shows them. With several
 * sources, interfaces are given new indexes (1, 2, ... in the order the
 * sources list them; meta sourceN's ifindex_map says which) and are named
 * "host:name", since two hosts both have an ifindex 2 (and a recorder's
 * --netns ids already use the high bits). */
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "fmt_interfaces.h"
#include "json.h"
#include "rewrite.h"
#include "session.h"
#include "options.h"

/* One source's interface index and the one it has in the output. */
struct ifmap {
	uint32_t from, to;
};

struct merge {
	struct rewrite rw;
	int64_t *shift;
	int renumber;
	struct ifmap **map; /* per source, sorted by from */
	size_t *nmap, *capmap;
	uint32_t next_index; /* the next new index */
};

static int ifmap_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ifmap *)a)->from, y = ((const struct ifmap *)b)->from;
	return x < y ? -1 : x > y;
}

/* The output index of source s's interface `from`; one the source's list
 * does not name gets the next new index. @return 0 when out of memory. */
static uint32_t new_index(struct merge *m, unsigned s, uint32_t from)
{
	struct ifmap key = { from, 0 }, *hit;

	/* bsearch's array must not be NULL, even when empty */
	hit = m->nmap[s] ? bsearch(&key, m->map[s], m->nmap[s], sizeof(key), ifmap_cmp) : NULL;
	if (hit)
		return hit->to;
	if (m->nmap[s] == m->capmap[s]) {
		size_t cap = m->capmap[s] ? m->capmap[s] * 2 : 16;
		struct ifmap *v = realloc(m->map[s], cap * sizeof(*v));
		if (!v)
			return 0;
		m->map[s] = v;
		m->capmap[s] = cap;
	}
	key.to = m->next_index++;
	m->map[s][m->nmap[s]++] = key;
	qsort(m->map[s], m->nmap[s], sizeof(key), ifmap_cmp);
	return key.to;
}

static int add(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct merge *m = ctx;
	struct fmt_event e = *ev;

	(void)r;
	if (e.stream == FMT_STREAM_FLOW && m->renumber &&
	    !(e.flow.key.ifindex = new_index(m, ev->source, ev->flow.key.ifindex))) {
		rewrite_oom(&m->rw);
		return -1;
	}
	return rewrite_add(&m->rw, &e, m->shift[ev->source]);
}

/* interfaces of every source; with several, renumbered and renamed
 * "HOST:NAME" (a source whose list cannot be parsed keeps it only under
 * sourceN.interfaces) */
static void merge_interfaces(struct report *r, struct merge *m)
{
	struct fmt_iface *all = NULL;
	char (*names)[64] = NULL;
	size_t n = 0, total = 0;
	char *text;

	for (unsigned i = 0; i < r->nfiles; i++)
		if (fmt_reader_ifaces(r->readers[i]))
			total += fmt_ifaces_count(fmt_reader_ifaces(r->readers[i]));
	if (total && (!(all = calloc(total, sizeof(*all))) || !(names = calloc(total, sizeof(*names))))) {
		free(all);
		rewrite_oom(&m->rw);
		return;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		const struct fmt_ifaces *l = fmt_reader_ifaces(r->readers[i]);
		const char *host = fmt_reader_meta(r->readers[i], FMT_META_HOSTNAME);
		for (size_t k = 0; l && k < fmt_ifaces_count(l); k++, n++) {
			all[n] = *fmt_ifaces_at(l, k);
			if (!m->renumber)
				continue;
			all[n].index = new_index(m, i, all[n].index);
			snprintf(names[n], sizeof(names[n]), "%.30s:%.30s", host ? host : "?",
				 all[n].name);
			all[n].name = names[n];
		}
	}
	text = fmt_ifaces_format(all, n);
	rewrite_meta(&m->rw, FMT_META_INTERFACES, text ? text : "[]");
	free(text);
	free(all);
	free(names);
}

static void merge_meta(struct report *r, struct merge *m, int64_t min_off)
{
	size_t nkeys;
	const struct fmt_meta_key *keys = fmt_meta_keys(&nkeys);
	uint64_t start = UINT64_MAX, end = 0, *sums = calloc(nkeys, sizeof(*sums));
	char hosts[1024] = "", key[64], base[4096], *text;
	const char *kernel = NULL;
	int mixed = 0;
	struct json j = { 0 };

	merge_interfaces(r, m); /* first: it gives the listed interfaces their indexes */
	json_begin_array(&j);
	for (unsigned i = 0; i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		const char *host = fmt_reader_meta(rd, FMT_META_HOSTNAME) ?: "";
		const char *kr = fmt_reader_meta(rd, FMT_META_KERNEL_RELEASE);
		uint64_t s = session_start_ns(rd) + (uint64_t)m->shift[i];
		uint64_t e = session_end_ns(rd) + (uint64_t)m->shift[i];

		snprintf(key, sizeof(key), "source%u.", i);
		rewrite_copy_meta(&m->rw, rd, key);
		start = s < start ? s : start;
		end = e > end ? e : end;
		if (!strstr(hosts, host) && strlen(hosts) + strlen(host) + 2 < sizeof(hosts))
			snprintf(hosts + strlen(hosts), sizeof(hosts) - strlen(hosts), "%s%s",
				 hosts[0] ? "," : "", host);
		if (kr && kernel && strcmp(kr, kernel))
			mixed = 1;
		kernel = kernel ? kernel : kr;
		for (size_t k = 0; sums && k < nkeys; k++)
			if (keys[k].flags & FMT_META_SUMMED)
				sums[k] += session_meta_u64(rd, keys[k].name);

		snprintf(base, sizeof(base), "%s", r->paths[i]);
		json_begin_object(&j);
		json_kv_str(&j, "file", basename(base));
		json_kv_str(&j, "hostname", host);
		json_kv_str(&j, "boot_id", fmt_reader_meta(rd, FMT_META_BOOT_ID) ?: "");
		json_kv_i64(&j, "clock_offset_ns", fmt_reader_clock_offset(rd));
		json_kv_i64(&j, "shift_ns", m->shift[i]);
		if (m->renumber) { /* [index in the source, index here] pairs */
			json_key(&j, "ifindex_map");
			json_begin_array(&j);
			for (size_t k = 0; k < m->nmap[i]; k++) {
				json_begin_array(&j);
				json_u64(&j, m->map[i][k].from);
				json_u64(&j, m->map[i][k].to);
				json_end_array(&j);
			}
			json_end_array(&j);
		}
		json_kv_bool(&j, "closed_clean", fmt_reader_closed_clean(rd));
		json_end_object(&j);
	}
	json_end_array(&j);
	text = json_take(&j);
	rewrite_meta(&m->rw, FMT_META_MERGE, text ? text : "[]");
	free(text);
	rewrite_meta(&m->rw, FMT_META_HOSTNAME, hosts);
	rewrite_meta(&m->rw, FMT_META_KERNEL_RELEASE, mixed ? "mixed" : kernel ? kernel : "");
	rewrite_meta(&m->rw, FMT_META_CLOCK, fmt_reader_meta(r->readers[0], FMT_META_CLOCK) ?: "boottime");
	snprintf(key, sizeof(key), "%" PRId64, min_off);
	rewrite_meta(&m->rw, FMT_META_CLOCK_OFFSET_NS, key);
	rewrite_meta_u64(&m->rw, FMT_META_START_NS, start);
	rewrite_meta_u64(&m->rw, FMT_META_END_NS, end);
	if (fmt_reader_meta(r->readers[0], FMT_META_INTERVAL_NS))
		rewrite_meta(&m->rw, FMT_META_INTERVAL_NS, fmt_reader_meta(r->readers[0], FMT_META_INTERVAL_NS));
	rewrite_meta(&m->rw, FMT_META_TOOL_VERSION, "ebpfreport " EBPFREC_VERSION);
	for (size_t k = 0; sums && k < nkeys; k++) /* the loss counters add up */
		if (keys[k].flags & FMT_META_SUMMED)
			rewrite_meta_u64(&m->rw, keys[k].name, sums[k]);
	if (!sums)
		rewrite_oom(&m->rw);
	free(sums);
	rewrite_meta(&m->rw, FMT_META_MERGE_FILTERS, r->args);
}

static int run(struct report *r)
{
	struct merge m = { .renumber = r->nfiles > 1, .next_index = 1 };
	int64_t min_off = INT64_MAX;
	int rc;

	if (r->nfiles > 255) {
		report_err("merge takes at most 255 files");
		return 2;
	}
	m.shift = calloc(r->nfiles, sizeof(*m.shift));
	m.map = calloc(r->nfiles, sizeof(*m.map));
	m.nmap = calloc(r->nfiles, sizeof(*m.nmap));
	m.capmap = calloc(r->nfiles, sizeof(*m.capmap));
	if (!m.shift || !m.map || !m.nmap || !m.capmap) {
		report_err("out of memory");
		rc = 1;
		goto out;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		int64_t off = fmt_reader_clock_offset(r->readers[i]);
		min_off = off < min_off ? off : min_off;
	}
	for (unsigned i = 0; i < r->nfiles; i++)
		m.shift[i] = fmt_reader_clock_offset(r->readers[i]) - min_off;
	if ((rc = rewrite_begin(r, &m.rw)))
		goto out;
	merge_meta(r, &m, min_off);
	rc = report_each(r, add, &m);
	rc = rewrite_end(&m.rw, rc);
	if (!rc && !r->quiet)
		fprintf(stderr, "ebpfreport: %s: %" PRIu64 " records from %u files\n", r->output,
			m.rw.records, r->nfiles);
out:
	for (unsigned i = 0; m.map && i < r->nfiles; i++)
		free(m.map[i]);
	free(m.map);
	free(m.nmap);
	free(m.capmap);
	free(m.shift);
	return rc;
}

const struct report_cmd cmd_merge = {
	.name = "merge",
	.args = "FILE... -o OUT",
	.summary = "combine session files (hosts or runs) into one, in time order",
	.opts = OPT(OUTPUT) | OPT(FORCE) | OPT(QUIET) | OPT_READING,
	.run = run,
};
