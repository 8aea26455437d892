/* cmd_summary.c - `ebpfreport FILE...`: the session header (hosts, times,
 * counts, every loss counter), then the top commands and top flows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "fastscan.h"
#include "json.h"
#include "out.h"
#include "sessinfo.h"
#include "top.h"

struct totals {
	uint64_t execs, failed, exits, flow_rows, packets, bytes;
	struct top comms, flows;
	int oom;
};

static int count(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct totals *t = ctx;

	(void)r;
	if (ev->stream == FMT_STREAM_EXEC) {
		t->execs++;
		t->failed += ev->exec.ret < 0;
	} else if (ev->stream == FMT_STREAM_EXIT) {
		t->exits++;
	} else {
		t->flow_rows++;
		t->packets += ev->flow.packets;
		t->bytes += ev->flow.bytes;
	}
	if (top_add(&t->comms, ev) || top_add(&t->flows, ev)) {
		t->oom = 1;
		return 1;
	}
	return 0;
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
		uint64_t s = sess_start_ns(rd), en = sess_end_ns(rd);

		printf("%s  host %s  kernel %s  %s -> %s (%s)\n", r->paths[i],
		       meta_or(rd, FMT_META_HOSTNAME, "?"), meta_or(rd, FMT_META_KERNEL_RELEASE, "?"),
		       out_wall(a, sizeof(a), (int64_t)s + off, r->utc, false),
		       out_wall(b, sizeof(b), (int64_t)en + off, r->utc, false) + 11,
		       out_duration(c, sizeof(c), en > s ? en - s : 0));
		sess_losses(rd, lost, sizeof(lost));
		if (r->nfiles > 1)
			printf("  lost: %s\n", lost);
	}
	printf("execs %s (%s failed)  exits %s  flows %s  packets %s  bytes %s",
	       out_count(a, sizeof(a), t->execs), out_count(b, sizeof(b), t->failed),
	       out_count(c, sizeof(c), t->exits), out_count(d, sizeof(d), t->flow_rows),
	       out_si(e, sizeof(e), t->packets), out_bytes(f, sizeof(f), t->bytes));
	if (r->nfiles == 1) {
		sess_losses(r->readers[0], lost, sizeof(lost));
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
	static const char *const loss_keys[] = { "lost_ringbuf", "lost_queue", "lost_flow_overflow",
						 "argv_truncated" };

	json_begin_object(&j);
	json_key(&j, "files");
	json_begin_array(&j);
	for (unsigned i = 0; i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		int64_t off = fmt_reader_clock_offset(rd);
		uint64_t s = sess_start_ns(rd), en = sess_end_ns(rd);
		json_begin_object(&j);
		json_kv_str(&j, "path", r->paths[i]);
		json_kv_str(&j, "hostname", meta_or(rd, FMT_META_HOSTNAME, ""));
		json_kv_str(&j, "kernel_release", meta_or(rd, FMT_META_KERNEL_RELEASE, ""));
		json_kv_i64(&j, "start_wall_ns", (int64_t)s + off);
		json_kv_i64(&j, "end_wall_ns", (int64_t)en + off);
		json_kv_double(&j, "duration_s", en > s ? (double)(en - s) / 1e9 : 0);
		json_kv_bool(&j, "closed_clean", fmt_reader_closed_clean(rd));
		json_key(&j, "lost");
		json_begin_object(&j);
		for (size_t k = 0; k < sizeof(loss_keys) / sizeof(loss_keys[0]); k++)
			json_kv_u64(&j, loss_keys[k], sess_meta_u64(rd, loss_keys[k]));
		json_end_object(&j);
		sess_losses(rd, lost, sizeof(lost));
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
	if (fastscan_usable(r)) {
		struct scan_totals st = { 0 };
		rc = fastscan(r, &st, &t.comms, &t.flows);
		if (rc < 0)
			t.oom = 1, rc = 1;
		t.execs = st.execs, t.failed = st.failed, t.exits = st.exits;
		t.flow_rows = st.flow_rows, t.packets = st.packets, t.bytes = st.bytes;
	} else {
		rc = report_each(r, count, &t);
	}
	if (t.oom) {
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
	return report_finish_output(r, rc);
}

const struct report_cmd cmd_summary = {
	.name = "summary",
	.usage = "FILE... [--top N] [filters]",
	.summary = "session header, loss counters, top commands and flows (default)",
	.run = run,
};
