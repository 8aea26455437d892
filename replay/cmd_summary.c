/* cmd_summary.c - `ebpfreport FILE...`: the session header (hosts, times,
 * counts, every loss counter; a rotated series as one session, a dump's
 * trigger), then the top commands, the top talkers by process (when the
 * flows have owners) and the top flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileset.h"
#include "fmt_text.h"
#include "fmt_meta.h"
#include "json.h"
#include "out.h"
#include "scan.h"
#include "session.h"
#include "top.h"
#include "options.h"
#include "who.h"

struct totals {
	uint64_t execs, failed, exits, flow_rows, packets, bytes;
	struct top comms, flows, talkers;
	bool owners; /* a file's flows carry owners: show the talkers */
};

/* Each thread counts into totals of its own; they are added up. */
static void *state_new(void *ctx)
{
	struct totals *t = calloc(1, sizeof(*t));

	if (t) {
		top_init(&t->comms, BY_COMM, 0);
		top_init(&t->flows, BY_FLOW, 1);
		top_init(&t->talkers, BY_PROCESS, 1);
		t->owners = ((const struct totals *)ctx)->owners;
	}
	return t;
}

static int merge(void *ctx, void *state)
{
	struct totals *t = ctx, *w = state;

	t->execs += w->execs;
	t->failed += w->failed;
	t->exits += w->exits;
	t->flow_rows += w->flow_rows;
	t->packets += w->packets;
	t->bytes += w->bytes;
	return top_merge(&t->comms, &w->comms) || top_merge(&t->flows, &w->flows) ||
	       top_merge(&t->talkers, &w->talkers);
}

static void state_free(void *ctx, void *state)
{
	struct totals *t = state;

	(void)ctx;
	top_free(&t->comms);
	top_free(&t->flows);
	top_free(&t->talkers);
	free(t);
}

static int count(void *ctx, void *state, const struct report *r, unsigned source,
		 const struct fmt_batch *b, const uint32_t *pos, uint32_t n, void **partial)
{
	struct totals *t = state;

	(void)ctx, (void)r, (void)partial;
	switch (fmt_batch_stream(b)) {
	case FMT_STREAM_EXEC: {
		const int32_t *ret = fmt_batch_exec_rets(b);
		t->execs += n;
		for (uint32_t i = 0; i < n; i++)
			t->failed += ret[pos[i]] < 0;
		break;
	}
	case FMT_STREAM_EXIT:
		t->exits += n;
		break;
	case FMT_STREAM_FLOW: {
		const uint64_t *pk = fmt_batch_flow_packets(b), *by = fmt_batch_flow_bytes(b);
		t->flow_rows += n;
		if (n == fmt_batch_count(b)) /* every record: no indirection */
			for (uint32_t j = 0; j < n; j++) {
				t->packets += pk[j];
				t->bytes += by[j];
			}
		else
			for (uint32_t i = 0; i < n; i++) {
				t->packets += pk[pos[i]];
				t->bytes += by[pos[i]];
			}
		break;
	}
	case FMT_STREAM_PROC:
	case FMT_STREAM_CGROUP:
		break; /* names for the others */
	}
	return top_add_batch(&t->comms, source, b, pos, n) ||
	       top_add_batch(&t->flows, source, b, pos, n) ||
	       (t->owners && top_add_batch(&t->talkers, source, b, pos, n));
}

static const char *meta_or(struct fmt_reader *rd, const char *key, const char *dflt)
{
	const char *v = fmt_reader_meta(rd, key);
	return v && *v ? v : dflt;
}

/* The loss counters of a series' files, summed; whether its last file is
 * still being recorded or was not closed. */
static void series_losses_text(struct report *r, const unsigned *m, unsigned k, char *buf,
			       size_t len)
{
	struct fmt_reader *last = r->readers[m[k - 1]];
	size_t o = 0;

	buf[0] = 0;
	for (size_t l = 0; l < session_nlosses; l++) {
		uint64_t v = 0;
		for (unsigned j = 0; j < k; j++)
			v += session_meta_u64(r->readers[m[j]], session_losses[l].key);
		if (v && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%llu %s", o ? ", " : "",
					      (unsigned long long)v, session_losses[l].what);
	}
	if (!fmt_reader_closed_clean(last) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%sthe last file is %s", o ? ", " : "",
				      fmt_reader_being_written(last) ? "being recorded" :
								       "not closed cleanly");
	if (!o)
		snprintf(buf, len, "none");
}

/* One header line for the files of a rotated series, as one session. */
static void series_line(struct report *r, const unsigned *m, unsigned k)
{
	struct fmt_reader *first = r->readers[m[0]], *last = r->readers[m[k - 1]];
	int64_t off = fmt_reader_clock_offset(first);
	uint64_t s = session_start_ns(first), en = session_end_ns(last), s1 = 0, s2 = 0;
	char a[64], b[64], c[64];

	fmt_reader_meta_u64(first, FMT_META_SERIES_SEQ, &s1);
	fmt_reader_meta_u64(last, FMT_META_SERIES_SEQ, &s2);
	printf("%s .. %s (%u files of a series, %llu to %llu)  host %s  kernel %s  %s -> %s (%s)\n",
	       r->paths[m[0]], r->paths[m[k - 1]], k, (unsigned long long)s1,
	       (unsigned long long)s2, meta_or(first, FMT_META_HOSTNAME, "?"),
	       meta_or(first, FMT_META_KERNEL_RELEASE, "?"),
	       fmt_text_wall(a, sizeof(a), (int64_t)s + off, r->utc, false),
	       fmt_text_wall(b, sizeof(b), (int64_t)en + fmt_reader_clock_offset(last), r->utc,
			     false) + 11,
	       fmt_text_duration(c, sizeof(c), en > s ? en - s : 0));
}

static void header_table(struct report *r, struct totals *t)
{
	char a[64], b[64], c[64], d[64], e[64], f[64], lost[512];
	unsigned *m = calloc(r->nfiles, sizeof(*m)), k = 1, groups = 0;

	for (unsigned i = 0; m && i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		int64_t off = fmt_reader_clock_offset(rd);
		uint64_t s = session_start_ns(rd), en = session_end_ns(rd);

		k = series_members(r->readers, r->nfiles, i, m);
		if (k > 1) { /* one line per series, at its first file given */
			unsigned lowest = i;
			for (unsigned j = 0; j < k; j++)
				lowest = m[j] < lowest ? m[j] : lowest;
			if (lowest == i) {
				series_line(r, m, k);
				series_losses_text(r, m, k, lost, sizeof(lost));
				groups++;
				if (r->nfiles > k)
					printf("  lost: %s\n", lost);
			}
			continue;
		}
		groups++;
		printf("%s  host %s  kernel %s  %s -> %s (%s)\n", r->paths[i],
		       meta_or(rd, FMT_META_HOSTNAME, "?"), meta_or(rd, FMT_META_KERNEL_RELEASE, "?"),
		       fmt_text_wall(a, sizeof(a), (int64_t)s + off, r->utc, false),
		       fmt_text_wall(b, sizeof(b), (int64_t)en + off, r->utc, false) + 11,
		       fmt_text_duration(c, sizeof(c), en > s ? en - s : 0));
		if (session_trigger_text(rd, lost, sizeof(lost), r->utc))
			printf("  trigger: %s\n", lost);
		session_losses_text(rd, lost, sizeof(lost));
		if (r->nfiles > 1)
			printf("  lost: %s\n", lost);
	}
	printf("execs %s (%s failed)  exits %s  flows %s  packets %s  bytes %s",
	       out_count(a, sizeof(a), t->execs), out_count(b, sizeof(b), t->failed),
	       out_count(c, sizeof(c), t->exits), out_count(d, sizeof(d), t->flow_rows),
	       out_si(e, sizeof(e), t->packets), out_bytes(f, sizeof(f), t->bytes));
	if (r->nfiles == 1) {
		session_losses_text(r->readers[0], lost, sizeof(lost));
		printf("  lost: %s", lost);
	} else if (groups == 1 && m) { /* one series: its losses, summed */
		series_losses_text(r, m, k, lost, sizeof(lost));
		printf("  lost: %s", lost);
	}
	free(m);
	printf("\n\n");
	top_print(&t->comms, r, "TOP COMMANDS");
	printf("\n");
	if (t->owners) {
		top_print(&t->talkers, r, "TOP PROCESSES (packets)");
		printf("\n");
	}
	top_print(&t->flows, r, "TOP FLOWS (packets)");
}

/* A file's place in a series and the trigger of a dump, if it has them. */
static void meta_json(struct json *j, struct fmt_reader *rd)
{
	const char *v;
	uint64_t n;

	if ((v = fmt_reader_meta(rd, FMT_META_SERIES))) {
		json_key(j, "series");
		json_begin_object(j);
		json_kv_str(j, "id", v);
		if (fmt_reader_meta_u64(rd, FMT_META_SERIES_SEQ, &n) == 0)
			json_kv_u64(j, "seq", n);
		if ((v = fmt_reader_meta(rd, FMT_META_SERIES_PREV)))
			json_kv_str(j, "prev", v);
		json_end_object(j);
	}
	if ((v = fmt_reader_meta(rd, FMT_META_TRIGGER))) {
		json_key(j, "trigger");
		json_begin_object(j);
		json_kv_str(j, "what", v);
		if (fmt_reader_meta_u64(rd, FMT_META_TRIGGER_NS, &n) == 0) {
			json_kv_u64(j, "ts_ns", n);
			json_kv_i64(j, "wall_ns", (int64_t)n + fmt_reader_clock_offset(rd));
		}
		if (fmt_reader_meta_u64(rd, FMT_META_TRIGGER_PID, &n) == 0)
			json_kv_u64(j, "pid", n);
		if ((v = fmt_reader_meta(rd, FMT_META_TRIGGER_COMM)))
			json_kv_str(j, "comm", v);
		if ((v = fmt_reader_meta(rd, FMT_META_TRIGGER_PATTERN)))
			json_kv_str(j, "pattern", v);
		if ((v = fmt_reader_meta(rd, FMT_META_TRIGGER_DETAIL)))
			json_kv_str(j, "detail", v);
		if (fmt_reader_meta_u64(rd, FMT_META_TRIGGERS, &n) == 0)
			json_kv_u64(j, "triggers", n);
		json_end_object(j);
	}
}

static void header_json(struct report *r, struct totals *t)
{
	struct json j = { .lossless = 1 }; /* keys as the exports write them */
	char lost[512];

	json_begin_object(&j);
	json_key(&j, "files");
	json_begin_array(&j);
	for (unsigned i = 0; i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		int64_t off = fmt_reader_clock_offset(rd);
		uint64_t s = session_start_ns(rd), en = session_end_ns(rd);
		json_begin_object(&j);
		json_kv_str(&j, "path", r->paths[i]);
		json_kv_str(&j, "hostname", meta_or(rd, FMT_META_HOSTNAME, ""));
		json_kv_str(&j, "kernel_release", meta_or(rd, FMT_META_KERNEL_RELEASE, ""));
		json_kv_i64(&j, "start_wall_ns", (int64_t)s + off);
		json_kv_i64(&j, "end_wall_ns", (int64_t)en + off);
		json_kv_double(&j, "duration_s", en > s ? (double)(en - s) / 1e9 : 0);
		json_kv_bool(&j, "closed_clean", fmt_reader_closed_clean(rd));
		json_kv_bool(&j, "being_recorded", fmt_reader_being_written(rd));
		json_key(&j, "lost");
		json_begin_object(&j);
		for (size_t k = 0; k < session_nlosses; k++)
			json_kv_u64(&j, session_losses[k].key,
				    session_meta_u64(rd, session_losses[k].key));
		json_end_object(&j);
		session_losses_text(rd, lost, sizeof(lost));
		json_kv_str(&j, "lost_text", lost);
		meta_json(&j, rd);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "counts");
	json_begin_object(&j);
	json_kv_u64(&j, "execs", t->execs);
	json_kv_u64(&j, "failed_execs", t->failed);
	json_kv_u64(&j, "exits", t->exits);
	json_kv_u64(&j, "flow_rows", t->flow_rows);
	json_kv_u64(&j, "packets", t->packets);
	json_kv_u64(&j, "bytes", t->bytes);
	json_end_object(&j);
	top_json(&t->comms, r, &j, "top_commands");
	if (t->owners)
		top_json(&t->talkers, r, &j, "top_processes");
	top_json(&t->flows, r, &j, "top_flows");
	json_kv_u64(&j, "chunks_skipped", r->errors);
	json_end_object(&j);
	json_flush(&j, stdout);
	json_free(&j);
	putchar('\n');
}

static int run(struct report *r)
{
	struct totals t = { 0 };
	int rc;

	top_init(&t.comms, BY_COMM, 0);
	top_init(&t.flows, BY_FLOW, 1);
	top_init(&t.talkers, BY_PROCESS, 1);
	for (unsigned i = 0; i < r->nfiles; i++)
		t.owners |= who_owners_recorded(r, i);
	{
		const struct scan_ops ops = {
			.cols = FMT_COL_RET | top_cols(BY_COMM) | top_cols(BY_FLOW) | FMT_COL_NO_TS,
			.state_new = state_new,
			.merge = merge,
			.state_free = state_free,
			.chunk = count,
		};
		rc = scan(r, &ops, &t);
	}
	if (rc < 0) {
		report_err("out of memory");
		rc = 1;
	}
	if (r->out == OUT_JSON)
		header_json(r, &t);
	else if (r->out == OUT_CSV) {
		top_print(&t.comms, r, NULL);
		printf("\n");
		if (t.owners) {
			top_print(&t.talkers, r, NULL);
			printf("\n");
		}
		top_print(&t.flows, r, NULL);
	} else
		header_table(r, &t);
	top_free(&t.comms);
	top_free(&t.flows);
	top_free(&t.talkers);
	return rc;
}

const struct report_cmd cmd_summary = {
	.name = "summary",
	.args = "FILE...",
	.summary = "session header, loss counters, top commands, processes and flows (default)",
	.opts = OPT(TOP) | OPT(JSON) | OPT(CSV) | OPT(UTC) | OPT_READING,
	.run = run,
};
