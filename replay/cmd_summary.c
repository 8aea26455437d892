/* cmd_summary.c - `ebpfreport FILE...`: the session header (hosts, times,
 * counts, every loss counter), then the top commands and top flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_text.h"
#include "fmt_meta.h"
#include "json.h"
#include "out.h"
#include "scan.h"
#include "session.h"
#include "top.h"
#include "options.h"

struct totals {
	uint64_t execs, failed, exits, flow_rows, packets, bytes;
	struct top comms, flows;
};

/* Each thread counts into totals of its own; they are added up. */
static void *state_new(void *ctx)
{
	struct totals *t = calloc(1, sizeof(*t));

	(void)ctx;
	if (t) {
		top_init(&t->comms, BY_COMM, 0);
		top_init(&t->flows, BY_FLOW, 1);
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
	return top_merge(&t->comms, &w->comms) || top_merge(&t->flows, &w->flows);
}

static void state_free(void *ctx, void *state)
{
	struct totals *t = state;

	(void)ctx;
	top_free(&t->comms);
	top_free(&t->flows);
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
	       top_add_batch(&t->flows, source, b, pos, n);
}

static const char *meta_or(struct fmt_reader *rd, const char *key, const char *dflt)
{
	const char *v = fmt_reader_meta(rd, key);
	return v && *v ? v : dflt;
}

static void header_table(struct report *r, struct totals *t)
{
	char a[64], b[64], c[64], d[64], e[64], f[64], lost[512];

	for (unsigned i = 0; i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		int64_t off = fmt_reader_clock_offset(rd);
		uint64_t s = session_start_ns(rd), en = session_end_ns(rd);

		printf("%s  host %s  kernel %s  %s -> %s (%s)\n", r->paths[i],
		       meta_or(rd, FMT_META_HOSTNAME, "?"), meta_or(rd, FMT_META_KERNEL_RELEASE, "?"),
		       fmt_text_wall(a, sizeof(a), (int64_t)s + off, r->utc, false),
		       fmt_text_wall(b, sizeof(b), (int64_t)en + off, r->utc, false) + 11,
		       fmt_text_duration(c, sizeof(c), en > s ? en - s : 0));
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
	}
	printf("\n\n");
	top_print(&t->comms, r, "TOP COMMANDS");
	printf("\n");
	top_print(&t->flows, r, "TOP FLOWS (packets)");
}

static void header_json(struct report *r, struct totals *t)
{
	struct json j = { 0 };
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
	{
		const struct scan_ops ops = {
			.cols = FMT_COL_RET | top_cols(BY_COMM) | top_cols(BY_FLOW),
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
		top_print(&t.flows, r, NULL);
	} else
		header_table(r, &t);
	top_free(&t.comms);
	top_free(&t.flows);
	return rc;
}

const struct report_cmd cmd_summary = {
	.name = "summary",
	.args = "FILE...",
	.summary = "session header, loss counters, top commands and flows (default)",
	.opts = OPT(TOP) | OPT(JSON) | OPT(CSV) | OPT(UTC) | OPT_READING,
	.run = run,
};
