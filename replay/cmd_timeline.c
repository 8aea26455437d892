/* cmd_timeline.c - `ebpfreport timeline FILE... [--bucket 1s]`: execs,
 * exits, packets and bytes per time bucket (series.c, as html and perfetto
 * count them), with bars so a spike shows at a glance (JSON and CSV for
 * programs). Read with the columnar scan: buckets need no time order. */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_text.h"
#include "parse.h"
#include "json.h"
#include "out.h"
#include "report.h"
#include "scan.h"
#include "series.h"
#include "session.h"
#include "options.h"

#define MAX_BUCKETS 1000000

static int add(void *ctx, const struct report *r, unsigned source, const struct fmt_batch *b,
	       const uint32_t *pos, uint32_t n)
{
	struct series *t = ctx;
	int64_t off = fmt_reader_clock_offset(r->readers[source]);
	const uint64_t *ts = fmt_batch_ts_column(b);
	enum fmt_stream stream = fmt_batch_stream(b);

	if (stream == FMT_STREAM_FLOW) {
		const uint64_t *pk = fmt_batch_flow_packets(b), *by = fmt_batch_flow_bytes(b);
		const uint64_t *iv = fmt_batch_flow_intervals(b);
		for (uint32_t i = 0; i < n; i++)
			series_add_flow(t, (int64_t)ts[pos[i]] + off, iv[pos[i]], pk[pos[i]],
					by[pos[i]]);
	} else {
		for (uint32_t i = 0; i < n; i++)
			series_add_event(t, stream, (int64_t)ts[pos[i]] + off);
	}
	return t->oom || t->too_many;
}

/* A bar of up to width cells for v out of max ("█" per cell, "▌" for a half). */
static void bar(uint64_t v, uint64_t max, int width)
{
	double cells = max ? (double)v * width / (double)max : 0;
	int full = (int)cells;

	for (int i = 0; i < full; i++)
		fputs("\u2588", stdout);
	if (cells - full >= 0.5)
		fputs("\u258c", stdout), full++;
	else if (v && !full)
		fputs("\u258f", stdout), full++; /* nonzero is never invisible */
	printf("%*s", width - full, "");
}

/* One-line sparkline of a series, at most 80 characters (max per cell). */
static void sparkline(const char *name, const struct series *t, size_t off)
{
	static const char *const ticks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					     "\u2585", "\u2586", "\u2587", "\u2588" };
	size_t cells = t->n < 80 ? t->n : 80;
	uint64_t max = 0, v[80] = { 0 };

	for (size_t i = 0; i < t->n; i++) {
		uint64_t x = *(const uint64_t *)((const char *)&t->b[i] + off);
		size_t c = i * cells / t->n;
		if (x > v[c])
			v[c] = x;
	}
	for (size_t c = 0; c < cells; c++)
		if (v[c] > max)
			max = v[c];
	printf("%-8s ", name);
	for (size_t c = 0; c < cells; c++)
		fputs(max ? ticks[v[c] * 7 / max] : " ", stdout);
	putchar('\n');
}

static int run(struct report *r)
{
	struct series t;
	int64_t w = parse_duration(r->bucket ? r->bucket : "1s"), origin = INT64_MAX;
	uint64_t max_e = 0, max_p = 0;
	char tb[64], c1[32], c2[32], c3[32], c4[32];
	int rc;

	if (w <= 0 || w < 1000000) {
		report_err("invalid --bucket '%s': use a duration of 1ms or more, like 1s, 100ms, 1m",
			   r->bucket);
		return 2;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		int64_t s = (int64_t)session_start_ns(r->readers[i]) +
			    fmt_reader_clock_offset(r->readers[i]);
		if (s < origin)
			origin = s;
	}
	origin -= origin % w; /* buckets on round times */
	series_init(&t, origin, w, MAX_BUCKETS, false);
	rc = scan(r, add, &t);
	series_finish(&t);
	if (t.oom || t.too_many || rc < 0) {
		report_err(t.too_many ? "more than 1,000,000 buckets: use a larger --bucket" :
					"out of memory");
		series_free(&t);
		return 1;
	}
	for (size_t i = 0; i < t.n; i++) {
		if (t.b[i].execs > max_e)
			max_e = t.b[i].execs;
		if (t.b[i].packets > max_p)
			max_p = t.b[i].packets;
	}
	if (r->out == OUT_JSON) {
		struct json j = { 0 };
		json_begin_object(&j);
		json_kv_u64(&j, "bucket_ns", (uint64_t)t.width);
		json_key(&j, "buckets");
		json_begin_array(&j);
		for (size_t i = 0; i < t.n; i++) {
			json_begin_object(&j);
			json_kv_i64(&j, "start_wall_ns", t.origin + (int64_t)i * t.width);
			json_kv_u64(&j, "execs", t.b[i].execs);
			json_kv_u64(&j, "exits", t.b[i].exits);
			json_kv_u64(&j, "packets", t.b[i].packets);
			json_kv_u64(&j, "bytes", t.b[i].bytes);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		json_flush(&j, stdout);
		json_free(&j);
		putchar('\n');
	} else if (r->out == OUT_CSV) {
		printf("start_wall_ns,time,execs,exits,packets,bytes\n");
		for (size_t i = 0; i < t.n; i++)
			printf("%lld,%s,%llu,%llu,%llu,%llu\n",
			       (long long)(t.origin + (int64_t)i * t.width),
			       fmt_text_wall(tb, sizeof(tb), t.origin + (int64_t)i * t.width, r->utc, true),
			       (unsigned long long)t.b[i].execs, (unsigned long long)t.b[i].exits,
			       (unsigned long long)t.b[i].packets, (unsigned long long)t.b[i].bytes);
	} else {
		if (t.n > 1) {
			sparkline("execs", &t, offsetof(struct series_bucket, execs));
			sparkline("packets", &t, offsetof(struct series_bucket, packets));
			putchar('\n');
		}
		printf("%-26s %8s %8s %10s %10s  %-20s %-20s\n", "TIME", "EXECS", "EXITS", "PACKETS",
		       "BYTES", "execs", "packets");
		for (size_t i = 0; i < t.n; i++) {
			printf("%-26s %8s %8s %10s %10s  ",
			       fmt_text_wall(tb, sizeof(tb), t.origin + (int64_t)i * t.width, r->utc,
					t.width < 1000000000),
			       out_count(c1, sizeof(c1), t.b[i].execs), out_count(c2, sizeof(c2), t.b[i].exits),
			       out_count(c3, sizeof(c3), t.b[i].packets), out_bytes(c4, sizeof(c4), t.b[i].bytes));
			bar(t.b[i].execs, max_e, 20);
			putchar(' ');
			bar(t.b[i].packets, max_p, 20);
			putchar('\n');
		}
		if (!t.n)
			printf("(no events)\n");
	}
	series_free(&t);
	return rc;
}

const struct report_cmd cmd_timeline = {
	.name = "timeline",
	.args = "FILE...",
	.summary = "execs, exits, packets and bytes per time bucket, with bars",
	.opts = OPT(BUCKET) | OPT(JSON) | OPT(CSV) | OPT(UTC) | OPT_READING,
	.run = run,
};
