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

/* What one chunk adds to the series, made on a worker thread and added in
 * chunk order (so that the series sees what one thread would show it):
 * runs of events in one bucket, and flow rows summed by (end, interval) in
 * the order they first appear. */
struct part {
	struct ev_run {
		int64_t wall; /* of the run's first event */
		uint64_t count;
		enum fmt_stream stream;
	} *ev;
	struct fl_sum {
		int64_t wall;
		uint64_t interval, packets, bytes;
	} *fl;
	size_t nev, nfl;
};

struct tl {
	struct series s;
	int64_t origin, width; /* the series', for the workers */
};

struct worker {
	size_t *slot; /* (wall, interval) -> 1 + index in part.fl, by hash */
	size_t cap;
};

static void *state_new(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(struct worker));
}

static void state_free(void *ctx, void *state)
{
	struct worker *w = state;

	(void)ctx;
	free(w->slot);
	free(w);
}

static void part_free(struct part *p)
{
	if (p) {
		free(p->ev);
		free(p->fl);
		free(p);
	}
}

static size_t fl_hash(int64_t wall, uint64_t interval)
{
	uint64_t h = (uint64_t)wall * 0x9E3779B97F4A7C15ull ^ interval * 0xC2B2AE3D27D4EB4Full;
	return (size_t)(h ^ (h >> 31));
}

/* Flow rows of a chunk summed by (end, interval). @return 0 or -1. */
static int sum_flows(struct worker *w, struct part *p, int64_t off, const struct fmt_batch *b,
		     const uint32_t *pos, uint32_t n)
{
	const uint64_t *ts = fmt_batch_ts_column(b), *pk = fmt_batch_flow_packets(b),
		       *by = fmt_batch_flow_bytes(b), *iv = fmt_batch_flow_intervals(b);
	size_t cap = 16;

	while (cap < 2 * (size_t)n)
		cap *= 2;
	if (cap > w->cap) {
		free(w->slot);
		if (!(w->slot = malloc(cap * sizeof(*w->slot))))
			return w->cap = 0, -1;
		w->cap = cap;
	}
	cap = w->cap;
	memset(w->slot, 0, cap * sizeof(*w->slot));
	if (!(p->fl = malloc((n ? n : 1) * sizeof(*p->fl))))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		int64_t wall = (int64_t)ts[pos[i]] + off;
		uint64_t interval = iv[pos[i]];
		size_t h = fl_hash(wall, interval) & (cap - 1);
		struct fl_sum *f;
		while (w->slot[h] && (p->fl[w->slot[h] - 1].wall != wall ||
				      p->fl[w->slot[h] - 1].interval != interval))
			h = (h + 1) & (cap - 1);
		if (!w->slot[h]) {
			p->fl[p->nfl] = (struct fl_sum){ .wall = wall, .interval = interval };
			w->slot[h] = ++p->nfl;
		}
		f = &p->fl[w->slot[h] - 1];
		f->packets += pk[pos[i]];
		f->bytes += by[pos[i]];
	}
	return 0;
}

static int add(void *ctx, void *state, const struct report *r, unsigned source,
	       const struct fmt_batch *b, const uint32_t *pos, uint32_t n, void **partial)
{
	struct tl *t = ctx;
	int64_t off = fmt_reader_clock_offset(r->readers[source]);
	const uint64_t *ts = fmt_batch_ts_column(b);
	enum fmt_stream stream = fmt_batch_stream(b);
	struct part *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	*partial = p;
	if (stream == FMT_STREAM_FLOW)
		return sum_flows(state, p, off, b, pos, n);
	/* other streams count nothing but make their buckets exist, as
	 * series_add_event does */
	if (!(p->ev = malloc((n ? n : 1) * sizeof(*p->ev))))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		int64_t wall = (int64_t)ts[pos[i]] + off;
		uint64_t idx = series_index(t->origin, t->width, wall);
		if (p->nev && series_index(t->origin, t->width, p->ev[p->nev - 1].wall) == idx)
			p->ev[p->nev - 1].count++;
		else
			p->ev[p->nev++] = (struct ev_run){ wall, 1, stream };
	}
	return 0;
}

static int commit(void *ctx, void *partial)
{
	struct tl *t = ctx;
	struct part *p = partial;

	for (size_t i = 0; p && i < p->nev; i++)
		series_add_events(&t->s, p->ev[i].stream, p->ev[i].wall, p->ev[i].count);
	for (size_t i = 0; p && i < p->nfl; i++)
		series_add_flow(&t->s, p->fl[i].wall, p->fl[i].interval, p->fl[i].packets,
				p->fl[i].bytes);
	part_free(p);
	return t->s.oom || t->s.too_many;
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
	struct tl tl;
	struct series *tp = &tl.s;
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
	series_init(tp, origin, w, MAX_BUCKETS, false);
	tl.origin = tp->origin;
	tl.width = tp->width;
	{
		const struct scan_ops ops = {
			.cols = FMT_COL_FLOW_KEY | FMT_COL_PACKETS | FMT_COL_BYTES | FMT_COL_INTERVAL,
			.state_new = state_new,
			.state_free = state_free,
			.chunk = add,
			.commit = commit,
		};
		rc = scan(r, &ops, &tl);
	}
	series_finish(tp);
	if (tp->oom || tp->too_many || rc < 0) {
		report_err(tp->too_many ? "more than 1,000,000 buckets: use a larger --bucket" :
					"out of memory");
		series_free(tp);
		return 1;
	}
	for (size_t i = 0; i < tp->n; i++) {
		if (tp->b[i].execs > max_e)
			max_e = tp->b[i].execs;
		if (tp->b[i].packets > max_p)
			max_p = tp->b[i].packets;
	}
	if (r->out == OUT_JSON) {
		struct json j = { 0 };
		json_begin_object(&j);
		json_kv_u64(&j, "bucket_ns", (uint64_t)tp->width);
		json_key(&j, "buckets");
		json_begin_array(&j);
		for (size_t i = 0; i < tp->n; i++) {
			json_begin_object(&j);
			json_kv_i64(&j, "start_wall_ns", tp->origin + (int64_t)i * tp->width);
			json_kv_u64(&j, "execs", tp->b[i].execs);
			json_kv_u64(&j, "exits", tp->b[i].exits);
			json_kv_u64(&j, "packets", tp->b[i].packets);
			json_kv_u64(&j, "bytes", tp->b[i].bytes);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		json_flush(&j, stdout);
		json_free(&j);
		putchar('\n');
	} else if (r->out == OUT_CSV) {
		printf("start_wall_ns,time,execs,exits,packets,bytes\n");
		for (size_t i = 0; i < tp->n; i++)
			printf("%lld,%s,%llu,%llu,%llu,%llu\n",
			       (long long)(tp->origin + (int64_t)i * tp->width),
			       fmt_text_wall(tb, sizeof(tb), tp->origin + (int64_t)i * tp->width, r->utc, true),
			       (unsigned long long)tp->b[i].execs, (unsigned long long)tp->b[i].exits,
			       (unsigned long long)tp->b[i].packets, (unsigned long long)tp->b[i].bytes);
	} else {
		if (tp->n > 1) {
			sparkline("execs", tp, offsetof(struct series_bucket, execs));
			sparkline("packets", tp, offsetof(struct series_bucket, packets));
			putchar('\n');
		}
		printf("%-26s %8s %8s %10s %10s  %-20s %-20s\n", "TIME", "EXECS", "EXITS", "PACKETS",
		       "BYTES", "execs", "packets");
		for (size_t i = 0; i < tp->n; i++) {
			printf("%-26s %8s %8s %10s %10s  ",
			       fmt_text_wall(tb, sizeof(tb), tp->origin + (int64_t)i * tp->width, r->utc,
					tp->width < 1000000000),
			       out_count(c1, sizeof(c1), tp->b[i].execs), out_count(c2, sizeof(c2), tp->b[i].exits),
			       out_count(c3, sizeof(c3), tp->b[i].packets), out_bytes(c4, sizeof(c4), tp->b[i].bytes));
			bar(tp->b[i].execs, max_e, 20);
			putchar(' ');
			bar(tp->b[i].packets, max_p, 20);
			putchar('\n');
		}
		if (!tp->n)
			printf("(no events)\n");
	}
	series_free(tp);
	return rc;
}

const struct report_cmd cmd_timeline = {
	.name = "timeline",
	.args = "FILE...",
	.summary = "execs, exits, packets and bytes per time bucket, with bars",
	.opts = OPT(BUCKET) | OPT(JSON) | OPT(CSV) | OPT(UTC) | OPT_READING,
	.run = run,
};
