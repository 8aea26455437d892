/* html_chart.c - the page's rate charts, as inline SVG: one time grid for
 * all (series.c counts per bucket, as timeline and perfetto do), a time
 * axis with ticks at round times and a value axis at round rates. Network
 * charts split each interface's traffic: sent (egress) above the zero line,
 * received (ingress) below, on one scale. Each line keeps its counts per
 * bucket in data-values, for scripts and tests. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "fmt_text.h"
#include "html.h"
#include "html_text.h"
#include "out.h"
#include "session.h"

#define MS 1000000ll
#define SEC 1000000000ll
#define MAX_TICKS 8

/* A chart: n lines, line k's count in bucket i is value(k, i). Mirrored:
 * line k is interface k / 2's traffic, received (even k) drawn below the
 * axis, sent (odd k) above. */
struct chart {
	const char *id, *title;
	size_t n;
	bool mirrored, bytes;
	const char *(*name)(struct page *, size_t k);
	uint64_t (*value)(struct page *, size_t k, size_t i);
};

static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
				      "#393b79", "#637939", "#843c39" };
#define NCOLORS (sizeof(colors) / sizeof(colors[0]))

void html_plan_buckets(struct page *p)
{
	static const int64_t widths[] = { 100 * MS,   SEC,	 10 * SEC,	  60 * SEC,
					  600 * SEC, 3600 * SEC, 86400 * SEC };
	struct report *r = p->r;
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (unsigned i = 0; i < r->nfiles; i++) {
		int64_t off = fmt_reader_clock_offset(r->readers[i]);
		uint64_t from, to;
		int64_t s = (int64_t)session_start_ns(r->readers[i]) + off;
		int64_t e = (int64_t)session_end_ns(r->readers[i]) + off;
		report_window(r, i, &from, &to);
		if (from && (int64_t)from + off > s)
			s = (int64_t)from + off;
		if (to != UINT64_MAX && (int64_t)to + off < e)
			e = (int64_t)to + off;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	if (hi < lo)
		hi = lo;
	p->bucket_ns = widths[sizeof(widths) / sizeof(widths[0]) - 1];
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		if ((hi - lo) / widths[i] < HTML_MAX_BUCKETS) {
			p->bucket_ns = widths[i];
			break;
		}
	}
	p->t0 = lo - lo % p->bucket_ns;
	p->nbuckets = (size_t)((hi - p->t0) / p->bucket_ns) + 1;
	if (p->nbuckets > HTML_MAX_BUCKETS)
		p->nbuckets = HTML_MAX_BUCKETS;
	series_init(&p->events, p->t0, p->bucket_ns, p->nbuckets, true);
	for (int d = 0; d < 2; d++)
		series_init(&p->ifs[HTML_MAX_IFACES].dir[d], p->t0, p->bucket_ns, p->nbuckets, true);
	snprintf(p->ifs[HTML_MAX_IFACES].name, sizeof(p->ifs[0].name), "other");
}

static struct html_iface *iface_for(struct page *p, unsigned source, uint32_t ifindex)
{
	struct report *r = p->r;
	struct html_iface *s;
	char ifn[48];

	for (size_t i = 0; i < p->nifs; i++)
		if (p->ifs[i].source == source && p->ifs[i].ifindex == ifindex)
			return &p->ifs[i];
	if (p->nifs == HTML_MAX_IFACES)
		return &p->ifs[HTML_MAX_IFACES];
	s = &p->ifs[p->nifs++];
	for (int d = 0; d < 2; d++)
		series_init(&s->dir[d], p->t0, p->bucket_ns, p->nbuckets, true);
	s->source = source;
	s->ifindex = ifindex;
	out_iface(r->readers[source], ifindex, ifn, sizeof(ifn));
	if (r->nfiles > 1)
		snprintf(s->name, sizeof(s->name), "%u:%s", source, ifn);
	else
		snprintf(s->name, sizeof(s->name), "%s", ifn);
	return s;
}

void html_chart_flow(struct page *p, const struct fmt_event *ev, int64_t wall)
{
	struct html_iface *s = iface_for(p, ev->source, ev->flow.key.ifindex);
	int d = ev->flow.key.dir == FMT_DIR_EGRESS;

	series_add_flow(&s->dir[d], wall, ev->flow.interval_ns, ev->flow.packets, ev->flow.bytes);
}

void html_charts_finish(struct page *p)
{
	series_finish(&p->events);
	for (size_t i = 0; i <= HTML_MAX_IFACES; i++)
		for (int d = 0; d < 2; d++) {
			series_finish(&p->ifs[i].dir[d]);
			p->oom |= p->ifs[i].dir[d].oom;
		}
}

void html_charts_free(struct page *p)
{
	series_free(&p->events);
	for (size_t i = 0; i <= HTML_MAX_IFACES; i++)
		for (int d = 0; d < 2; d++)
			series_free(&p->ifs[i].dir[d]);
}

/* ---- axes ---------------------------------------------------------------- */

/* The smallest round step of 1, 2 or 5 times a power of ten that cuts
 * max in at most 4. */
static double round_step(double max)
{
	double step = 1;

	while (step * 10 <= max / 4)
		step *= 10;
	while (step > max / 4 && step > 1e-9)
		step /= 10;
	if (max / step > 20)
		step *= 5;
	else if (max / step > 8)
		step *= 2;
	return step;
}

/* A rate as an axis label: "0.5", "12", "1.5k"; bytes: "1.5 kB". */
static char *rate_label(char *buf, size_t len, double v, bool bytes)
{
	if (v >= 1000 || (v >= 1 && v == (double)(uint64_t)v))
		return bytes ? out_bytes(buf, len, (uint64_t)v) : out_si(buf, len, (uint64_t)v);
	snprintf(buf, len, "%.3g%s", v, bytes ? " B" : "");
	return buf;
}

/* The time axis: a step of round length giving at most MAX_TICKS ticks,
 * ticks at round times of the clock shown (local or UTC), each labelled
 * with as much of the time as its step needs. */
static void time_axis(struct page *p, double L, double R, double T, double B, double W, double H)
{
	static const int64_t steps[] = { 100 * MS,   200 * MS,	 500 * MS,    SEC,	   2 * SEC,
					 5 * SEC,    10 * SEC,	 15 * SEC,    30 * SEC,	   60 * SEC,
					 120 * SEC,  300 * SEC,	 600 * SEC,   900 * SEC,   1800 * SEC,
					 3600 * SEC, 7200 * SEC, 10800 * SEC, 21600 * SEC, 43200 * SEC,
					 86400 * SEC };
	int64_t span = (int64_t)p->nbuckets * p->bucket_ns, step = 0, off = 0, t;
	time_t secs = (time_t)(p->t0 / SEC);
	struct tm tm;
	char a[64];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !step; i++)
		if (span / steps[i] <= MAX_TICKS)
			step = steps[i];
	if (!step)
		step = (span / MAX_TICKS / (86400 * SEC) + 1) * 86400 * SEC;
	if (!p->r->utc && localtime_r(&secs, &tm))
		off = (int64_t)tm.tm_gmtoff * SEC; /* round times of the local clock */
	fprintf(p->f, "<g class=\"x-axis\" data-step-ns=\"%" PRId64 "\">", step);
	for (t = p->t0 + off + ((step - (p->t0 + off) % step) % step) - off; t <= p->t0 + span;
	     t += step) {
		double x = L + (W - L - R) * (double)(t - p->t0) / (double)span;
		size_t from = step >= 86400 * SEC ? 5 : 11;
		size_t len = step >= 86400 * SEC ? 5 : step >= 60 * SEC ? 5 : step >= SEC ? 8 : 10;
		fmt_text_wall(a, sizeof(a), t, p->r->utc, true);
		a[from + len] = 0;
		fprintf(p->f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" "
			"data-wall-ns=\"%" PRId64 "\">%s</text>",
			x, T, x, H - B + 4, x, H - B + 16, t, a + from);
	}
	fprintf(p->f, "</g>\n");
}

/* The value axis from 0 to top (both ways when mirrored), zero at y0. */
static void value_axis(struct page *p, const struct chart *c, double top, double step, double L,
		       double W, double R, double y0, double half)
{
	char a[64];

	fprintf(p->f, "<g class=\"y-axis\" data-top=\"%.6g\">", top);
	for (int sign = 1; sign >= (c->mirrored ? -1 : 1); sign -= 2)
		for (double v = sign > 0 ? 0 : step; v <= top * (1 + 1e-9); v += step) {
			double y = y0 - sign * half * v / top;
			fprintf(p->f,
				"<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
				"<text class=\"tick\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
				L, y, W - R, y, L - 4, y + 4, rate_label(a, sizeof(a), v, c->bytes));
		}
	if (c->mirrored)
		fprintf(p->f,
			"<text class=\"dir\" x=\"%.0f\" y=\"%.1f\">&#8593; sent</text>"
			"<text class=\"dir\" x=\"%.0f\" y=\"%.1f\">&#8595; received</text>",
			L + 6, y0 - half + 12, L + 6, y0 + half - 4);
	fprintf(p->f, "</g>\n");
}

/* ---- charts -------------------------------------------------------------- */

static void line(struct page *p, const struct chart *c, size_t k, double top, double L,
		 double W, double R, double y0, double half)
{
	double secs = (double)p->bucket_ns / 1e9;
	int sign = c->mirrored && k % 2 == 0 ? -1 : 1;
	uint64_t sum = 0;

	for (size_t i = 0; i < p->nbuckets; i++)
		sum += c->value(p, k, i);
	fprintf(p->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" data-series=\"",
		colors[(c->mirrored ? k / 2 : k) % NCOLORS]);
	html_attr(p->f, c->name(p, k));
	if (c->mirrored)
		fprintf(p->f, "\" data-dir=\"%s", sign > 0 ? "sent" : "received");
	fprintf(p->f, "\" data-sum=\"%" PRIu64 "\" data-values=\"", sum);
	for (size_t i = 0; i < p->nbuckets; i++)
		fprintf(p->f, "%s%" PRIu64, i ? "," : "", c->value(p, k, i));
	fprintf(p->f, "\" points=\"");
	for (size_t i = 0; i < p->nbuckets; i++) {
		double x = L + (W - L - R) * ((double)i + 0.5) / (double)p->nbuckets;
		double y = y0 - sign * half * ((double)c->value(p, k, i) / secs) / top;
		fprintf(p->f, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	fprintf(p->f, "\"/>\n");
}

static void legend(struct page *p, const struct chart *c)
{
	fprintf(p->f, "<ul class=\"legend\">");
	for (size_t k = 0; k < c->n; k += c->mirrored ? 2 : 1) {
		fprintf(p->f, "<li><span style=\"background:%s\"></span>",
			colors[(c->mirrored ? k / 2 : k) % NCOLORS]);
		html_text(p->f, c->name(p, k));
		fprintf(p->f, "</li>");
	}
	fprintf(p->f, "</ul>");
}

static void chart(struct page *p, const struct chart *c)
{
	const double W = 900, L = 70, R = 10, T = 10, B = 30, H = c->mirrored ? 260 : 170;
	double secs = (double)p->bucket_ns / 1e9, max = 0, top, step, half, y0;
	char a[64], d[64];

	for (size_t k = 0; k < c->n; k++)
		for (size_t i = 0; i < p->nbuckets; i++)
			if ((double)c->value(p, k, i) / secs > max)
				max = (double)c->value(p, k, i) / secs;
	step = round_step(max > 0 ? max : 1);
	top = step * (double)(uint64_t)((max > 0 ? max : 1) / step);
	if (top < max || top <= 0)
		top += step;
	half = c->mirrored ? (H - T - B) / 2 : H - T - B;
	y0 = T + half;
	fmt_text_wall(d, sizeof(d), p->t0, p->r->utc, false);
	d[10] = 0;
	fprintf(p->f, "<figure><figcaption>%s <small>(per %s; time axis %s, %s)</small></figcaption>\n",
		c->title, fmt_text_duration(a, sizeof(a), (uint64_t)p->bucket_ns), d,
		p->r->utc ? "UTC" : "local time");
	fprintf(p->f,
		"<svg id=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" data-buckets=\"%zu\" "
		"data-bucket-ns=\"%" PRId64 "\" data-t0-ns=\"%" PRId64 "\" data-max=\"%.6g\">\n",
		c->id, W, H, p->nbuckets, p->bucket_ns, p->t0, max);
	fprintf(p->f, "<rect class=\"plot\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>\n",
		L, T, W - L - R, H - T - B);
	time_axis(p, L, R, T, B, W, H);
	value_axis(p, c, top, step, L, W, R, y0, half);
	if (c->mirrored)
		fprintf(p->f, "<line class=\"zero\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>\n",
			L, y0, W - R, y0);
	for (size_t k = 0; k < c->n; k++)
		line(p, c, k, top, L, W, R, y0, half);
	fprintf(p->f, "</svg>\n");
	legend(p, c);
	fprintf(p->f, "</figure>\n");
}

static const char *execs_name(struct page *p, size_t k)
{
	(void)p, (void)k;
	return "execs";
}
static uint64_t execs_value(struct page *p, size_t k, size_t i)
{
	(void)k;
	return series_at(&p->events, i).execs;
}
static const char *if_name(struct page *p, size_t k)
{
	return p->ifs[k / 2 < p->nifs ? k / 2 : HTML_MAX_IFACES].name;
}
static struct series_bucket if_bucket(struct page *p, size_t k, size_t i)
{
	return series_at(&p->ifs[k / 2 < p->nifs ? k / 2 : HTML_MAX_IFACES].dir[k % 2], i);
}
static uint64_t if_packets(struct page *p, size_t k, size_t i)
{
	return if_bucket(p, k, i).packets;
}
static uint64_t if_bytes(struct page *p, size_t k, size_t i)
{
	return if_bucket(p, k, i).bytes;
}

void html_charts(struct page *p)
{
	/* "other" only when some interface did not get a line of its own */
	size_t nifs = p->nifs + (p->ifs[HTML_MAX_IFACES].dir[0].packets ||
				 p->ifs[HTML_MAX_IFACES].dir[1].packets);
	struct chart c = { "chart-execs", "execs/s", 1, false, false, execs_name, execs_value };

	fprintf(p->f, "<section id=\"charts\"><h2>Timeline</h2>\n");
	chart(p, &c);
	if (!p->net) {
		fprintf(p->f, "<p id=\"no-net\">Network flows were not recorded in this session "
			      "(<code>ebpfrec --no-net</code>).</p>\n");
	} else {
		c = (struct chart){ "chart-packets", "packets/s per interface", 2 * nifs, true, false,
				    if_name, if_packets };
		chart(p, &c);
		c = (struct chart){ "chart-bytes", "bytes/s per interface", 2 * nifs, true, true,
				    if_name, if_bytes };
		chart(p, &c);
	}
	fprintf(p->f, "</section>\n");
}
