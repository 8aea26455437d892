/* cmd_html.c - `ebpfreport html FILE... -o report.html`: one self-contained
 * page a maintainer can open from a bug report. The summary and losses,
 * rate charts (execs/s; packets/s and bytes/s per interface) drawn as
 * inline SVG, the top tables and the process list with exec and exit
 * times (the runs of proctrack.c, as perfetto and the plain export pair
 * them). No network fetch, no external script or font: a Content Security
 * Policy of default-src 'none' makes the browser refuse any that crept in.
 * Elements carry ids and data-* values so tests (and scripts) can read the
 * numbers back from the DOM. */
#define _GNU_SOURCE /* sigabbrev_np */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_text.h"
#include "fmt_meta.h"
#include "html_text.h"
#include "out.h"
#include "proctrack.h"
#include "report.h"
#include "series.h"
#include "session.h"
#include "top.h"
#include "options.h"

#define MAX_BUCKETS 600
#define MAX_IFACES 12 /* chart series; the rest are summed as "other" */
#define MAX_PROCS 5000 /* rows of the process list */

struct iface_series {
	unsigned source;
	uint32_t ifindex;
	char name[64];
	struct series s;
};

/* A row of the process list: one run (proctrack.h) that began with an exec. */
struct proc {
	int64_t exec_wall, end_wall;
	enum proc_end end;
	uint32_t pid, ppid, uid, exit_code, signal;
	int32_t ret;
	char comm[16];
	char *cmdline;
};

struct page {
	FILE *f;
	int64_t t0, bucket_ns;
	size_t nbuckets;
	struct series events; /* execs (and exits) per bucket */
	uint64_t nexec, nfailed, nexit, nflow, npackets, nbytes;
	struct iface_series ifs[MAX_IFACES + 1]; /* the last: "other" */
	size_t nifs;
	struct proc *procs;
	size_t nprocs, procs_dropped;
	struct proctrack *tracker;
	struct report *r;
	struct top comms, flows;
	int oom;
};

static struct series *series_for(struct page *p, unsigned source, uint32_t ifindex,
				 struct report *r)
{
	for (size_t i = 0; i < p->nifs; i++)
		if (p->ifs[i].source == source && p->ifs[i].ifindex == ifindex)
			return &p->ifs[i].s;
	if (p->nifs == MAX_IFACES) {
		snprintf(p->ifs[MAX_IFACES].name, sizeof(p->ifs[0].name), "other");
		return &p->ifs[MAX_IFACES].s;
	}
	struct iface_series *s = &p->ifs[p->nifs++];
	char ifn[48];
	series_init(&s->s, p->t0, p->bucket_ns, p->nbuckets, true);
	s->source = source;
	s->ifindex = ifindex;
	out_iface(r->readers[source], ifindex, ifn, sizeof(ifn));
	if (r->nfiles > 1)
		snprintf(s->name, sizeof(s->name), "%u:%s", source, ifn);
	else
		snprintf(s->name, sizeof(s->name), "%s", ifn);
	return &s->s;
}

static int64_t wall_of(const struct page *p, unsigned source, uint64_t ts)
{
	return (int64_t)ts + fmt_reader_clock_offset(p->r->readers[source]);
}

/* A run that began with an exec: a row of the list (run->user = row + 1). */
static int proc_begin(void *ctx, struct proc_run *run)
{
	struct page *p = ctx;
	const struct fmt_exec *e = run->exec;
	struct proc *pr;
	size_t len = 1;

	if (run->begin != PROC_EXEC)
		return 0;
	if (p->nprocs == MAX_PROCS) {
		p->procs_dropped++;
		return 0;
	}
	pr = &p->procs[p->nprocs];
	*pr = (struct proc){ .exec_wall = wall_of(p, run->source, e->ts_ns), .pid = e->pid,
			     .ppid = e->ppid, .uid = e->uid, .ret = e->ret };
	snprintf(pr->comm, sizeof(pr->comm), "%s", e->comm);
	for (uint32_t i = 0; i < e->argc; i++)
		len += strlen(e->argv[i]) + 1;
	if (!(pr->cmdline = calloc(1, len)))
		return p->oom = 1;
	for (uint32_t i = 0; i < e->argc; i++) {
		if (i)
			strcat(pr->cmdline, " ");
		strcat(pr->cmdline, e->argv[i]);
	}
	run->user = ++p->nprocs;
	return 0;
}

static int proc_end(void *ctx, const struct proc_run *run)
{
	struct page *p = ctx;
	struct proc *pr;

	if (!run->user)
		return 0; /* not listed */
	pr = &p->procs[run->user - 1];
	pr->end = run->end;
	pr->end_wall = run->end_ns ? wall_of(p, run->source, run->end_ns) : 0;
	if (run->end == PROC_EXITED) {
		pr->exit_code = run->exit->exit_code;
		pr->signal = run->exit->signal;
	}
	return 0;
}

static const struct proc_ops proc_ops = { proc_begin, proc_end };

static int on_event(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct page *p = ctx;
	int64_t wall = (int64_t)fmt_event_ts(ev) + fmt_reader_clock_offset(r->readers[ev->source]);

	if (ev->stream == FMT_STREAM_FLOW) {
		struct series *s = series_for(p, ev->source, ev->flow.key.ifindex, r);
		p->nflow++;
		p->npackets += ev->flow.packets;
		p->nbytes += ev->flow.bytes;
		series_add_flow(s, wall, ev->flow.interval_ns, ev->flow.packets, ev->flow.bytes);
	} else {
		series_add_event(&p->events, ev->stream, wall);
		p->nexec += ev->stream == FMT_STREAM_EXEC;
		p->nfailed += ev->stream == FMT_STREAM_EXEC && ev->exec.ret < 0;
		p->nexit += ev->stream == FMT_STREAM_EXIT;
		if (proctrack_add(p->tracker, ev))
			p->oom = 1;
	}
	if (top_add(&p->comms, ev) || top_add(&p->flows, ev))
		p->oom = 1;
	return p->oom;
}

/* The session range over all files, and a bucket width giving at most
 * MAX_BUCKETS points. */
static void plan_buckets(struct report *r, struct page *p)
{
	static const int64_t widths[] = { 100000000ll, 1000000000ll, 10000000000ll, 60000000000ll,
					  600000000000ll, 3600000000000ll, 86400000000000ll };
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
		if ((hi - lo) / widths[i] < MAX_BUCKETS) {
			p->bucket_ns = widths[i];
			break;
		}
	}
	p->t0 = lo - lo % p->bucket_ns;
	p->nbuckets = (size_t)((hi - p->t0) / p->bucket_ns) + 1;
	if (p->nbuckets > MAX_BUCKETS)
		p->nbuckets = MAX_BUCKETS;
	series_init(&p->events, p->t0, p->bucket_ns, p->nbuckets, true);
}

static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
				      "#393b79", "#637939", "#843c39" };

/* One chart: series k has values v(k, i) (counts per bucket), drawn as a
 * rate per second. */
static void chart(struct page *p, struct report *r, const char *id, const char *title,
		  size_t nseries, const char *(*name)(struct page *, size_t),
		  uint64_t (*value)(struct page *, size_t k, size_t i))
{
	const double W = 900, H = 170, L = 70, R = 10, T = 10, B = 30;
	double secs = (double)p->bucket_ns / 1e9, max = 0;
	char a[64], b[64];
	FILE *f = p->f;

	for (size_t k = 0; k < nseries; k++)
		for (size_t i = 0; i < p->nbuckets; i++)
			if ((double)value(p, k, i) / secs > max)
				max = (double)value(p, k, i) / secs;
	fprintf(f, "<figure><figcaption>%s <small>(per %s)</small></figcaption>\n", title,
		fmt_text_duration(a, sizeof(a), (uint64_t)p->bucket_ns));
	fprintf(f,
		"<svg id=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" data-buckets=\"%zu\" "
		"data-bucket-ns=\"%" PRId64 "\" data-max=\"%.6g\">\n",
		id, W, H, p->nbuckets, p->bucket_ns, max);
	fprintf(f, "<rect class=\"plot\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>\n",
		L, T, W - L - R, H - T - B);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", L - 4, T + 10,
		out_si(a, sizeof(a), (uint64_t)(max + 0.5)));
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n", L - 4, H - B);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", L, H - 8,
		fmt_text_wall(a, sizeof(a), p->t0, r->utc, false));
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", W - R, H - 8,
		fmt_text_wall(b, sizeof(b), p->t0 + (int64_t)p->nbuckets * p->bucket_ns, r->utc, false));
	for (size_t k = 0; k < nseries; k++) {
		uint64_t sum = 0;
		for (size_t i = 0; i < p->nbuckets; i++)
			sum += value(p, k, i);
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" data-series=\"",
			colors[k % (sizeof(colors) / sizeof(colors[0]))]);
		html_attr(f, name(p, k));
		fprintf(f, "\" data-sum=\"%" PRIu64 "\" data-values=\"", sum);
		for (size_t i = 0; i < p->nbuckets; i++) /* counts per bucket, for scripts */
			fprintf(f, "%s%" PRIu64, i ? "," : "", value(p, k, i));
		fprintf(f, "\" points=\"");
		for (size_t i = 0; i < p->nbuckets; i++) {
			double x = L + (W - L - R) * ((double)i + 0.5) / (double)p->nbuckets;
			double y = H - B - (max > 0 ? (H - T - B) * ((double)value(p, k, i) / secs) / max : 0);
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "</svg>\n<ul class=\"legend\">");
	for (size_t k = 0; k < nseries; k++) {
		fprintf(f, "<li><span style=\"background:%s\"></span>",
			colors[k % (sizeof(colors) / sizeof(colors[0]))]);
		html_text(f, name(p, k));
		fprintf(f, "</li>");
	}
	fprintf(f, "</ul></figure>\n");
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
	return p->ifs[k].name;
}
static uint64_t if_packets(struct page *p, size_t k, size_t i)
{
	return series_at(&p->ifs[k].s, i).packets;
}
static uint64_t if_bytes(struct page *p, size_t k, size_t i)
{
	return series_at(&p->ifs[k].s, i).bytes;
}

struct rows {
	FILE *f;
	int flow;
};

static void top_row(void *ctx, const char *label, const struct agg_entry *e, double share)
{
	struct rows *t = ctx;
	char a[32], b[32];

	fprintf(t->f, "<tr><td>");
	html_text(t->f, label);
	if (t->flow)
		fprintf(t->f,
			"</td><td class=\"num\" data-value=\"%" PRIu64 "\">%s</td><td class=\"num\" "
			"data-value=\"%" PRIu64 "\">%s</td>",
			e->packets, out_count(a, sizeof(a), e->packets), e->bytes,
			out_bytes(b, sizeof(b), e->bytes));
	else
		fprintf(t->f, "</td><td class=\"num\" data-value=\"%" PRIu64 "\">%s</td>", e->count,
			out_count(a, sizeof(a), e->count));
	fprintf(t->f, "<td class=\"num\">%.1f%%</td></tr>\n", 100 * share);
}

static void summary(struct report *r, struct page *p)
{
	FILE *f = p->f;
	char a[64], b[64], c[64], lost[512];

	fprintf(f, "<section id=\"summary\"><h2>Session</h2><table class=\"kv\">\n");
	for (unsigned i = 0; i < r->nfiles; i++) {
		struct fmt_reader *rd = r->readers[i];
		int64_t off = fmt_reader_clock_offset(rd);
		uint64_t s = session_start_ns(rd), e = session_end_ns(rd);
		fprintf(f, "<tr><th>file</th><td>");
		html_text(f, r->paths[i]);
		fprintf(f, "</td></tr>\n<tr><th>host</th><td>");
		html_text(f, fmt_reader_meta(rd, FMT_META_HOSTNAME) ?: "?");
		fprintf(f, "</td></tr>\n<tr><th>kernel</th><td>");
		html_text(f, fmt_reader_meta(rd, FMT_META_KERNEL_RELEASE) ?: "?");
		fprintf(f, "</td></tr>\n<tr><th>recorded</th><td>%s &rarr; %s (%s)</td></tr>\n",
			fmt_text_wall(a, sizeof(a), (int64_t)s + off, r->utc, false),
			fmt_text_wall(b, sizeof(b), (int64_t)e + off, r->utc, false),
			fmt_text_duration(c, sizeof(c), e > s ? e - s : 0));
		session_losses_text(rd, lost, sizeof(lost));
		fprintf(f, "<tr><th>lost</th><td id=\"lost-%u\" class=\"%s\">", i,
			strcmp(lost, "none") ? "bad" : "good");
		html_text(f, lost);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n<table class=\"counts\"><tr>");
	fprintf(f, "<td><b id=\"n-execs\" data-value=\"%" PRIu64 "\">%s</b> execs</td>", p->nexec,
		out_count(a, sizeof(a), p->nexec));
	fprintf(f, "<td><b id=\"n-failed\" data-value=\"%" PRIu64 "\">%s</b> failed</td>",
		p->nfailed, out_count(a, sizeof(a), p->nfailed));
	fprintf(f, "<td><b id=\"n-exits\" data-value=\"%" PRIu64 "\">%s</b> exits</td>", p->nexit,
		out_count(a, sizeof(a), p->nexit));
	fprintf(f, "<td><b id=\"n-flows\" data-value=\"%" PRIu64 "\">%s</b> flow rows</td>",
		p->nflow, out_count(a, sizeof(a), p->nflow));
	fprintf(f, "<td><b id=\"n-packets\" data-value=\"%" PRIu64 "\">%s</b> packets</td>",
		p->npackets, out_si(a, sizeof(a), p->npackets));
	fprintf(f, "<td><b id=\"n-bytes\" data-value=\"%" PRIu64 "\">%s</b></td>", p->nbytes,
		out_bytes(a, sizeof(a), p->nbytes));
	fprintf(f, "</tr></table></section>\n");
}

static void processes(struct report *r, struct page *p)
{
	FILE *f = p->f;
	char a[64], c[64];

	fprintf(f, "<section><h2>Processes</h2>\n<table id=\"processes\" class=\"sortable\">"
		   "<thead><tr><th>exec</th><th>pid</th><th>ppid</th><th>uid</th><th>comm</th>"
		   "<th>command line</th><th>exit</th><th>ran</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < p->nprocs; i++) {
		struct proc *pr = &p->procs[i];
		fprintf(f, "<tr><td>%s</td><td class=\"num\">%u</td><td class=\"num\">%u</td>"
			   "<td class=\"num\">%u</td><td>",
			fmt_text_wall(a, sizeof(a), pr->exec_wall, r->utc, true), pr->pid, pr->ppid,
			pr->uid);
		html_text(f, pr->comm);
		fprintf(f, "</td><td class=\"cmd\">");
		html_text(f, pr->cmdline ? pr->cmdline : "");
		fmt_text_duration(c, sizeof(c), (uint64_t)(pr->end_wall - pr->exec_wall));
		if (pr->end == PROC_FAILED)
			fprintf(f, "</td><td class=\"bad\">exec failed: %s</td><td></td></tr>\n",
				strerror(-pr->ret));
		else if (pr->end == PROC_RUNNING)
			fprintf(f, "</td><td>-</td><td></td></tr>\n");
		else if (pr->end == PROC_REPLACED)
			fprintf(f, "</td><td>exec'd again</td><td>%s</td></tr>\n", c);
		else if (pr->signal)
			fprintf(f, "</td><td class=\"bad\">SIG%s</td><td>%s</td></tr>\n",
				sigabbrev_np((int)pr->signal) ?: "?", c);
		else
			fprintf(f, "</td><td class=\"%s\">%u</td><td>%s</td></tr>\n",
				pr->exit_code ? "bad" : "", pr->exit_code, c);
	}
	fprintf(f, "</tbody></table>\n");
	if (p->procs_dropped)
		fprintf(f, "<p id=\"procs-more\">%zu more execs not listed (ebpfreport replay shows "
			   "all).</p>\n",
			p->procs_dropped);
	fprintf(f, "</section>\n");
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1000px;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
	"table.sortable th{cursor:pointer;background:#f3f3f3}tbody tr:nth-child(odd){background:#fafafa}"
	".num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00}.good{color:#070}"
	".counts td{padding-right:2em}.counts b{font-size:1.3em}"
	".cmd{font-family:monospace;max-width:420px;overflow-wrap:anywhere}"
	"svg{width:100%;height:auto;font-size:11px}svg .plot{fill:#fcfcfc;stroke:#ccc}"
	"figure{margin:1em 0}figcaption{font-weight:600}"
	".legend{list-style:none;padding:0;margin:0}.legend li{display:inline-block;margin-right:1.2em}"
	".legend span{display:inline-block;width:10px;height:10px;margin-right:4px}";

/* Click a header to sort its table; marks the page ready for tests. */
static const char script[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){"
	"t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){"
	"var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.dataset.asc!=='1';"
	"th.dataset.asc=asc?'1':'0';rows.sort(function(x,y){var p=x.cells[i].textContent,"
	"q=y.cells[i].textContent,m=parseFloat(p),n=parseFloat(q);"
	"var c=(!isNaN(m)&&!isNaN(n))?m-n:p.localeCompare(q);return asc?c:-c;});"
	"rows.forEach(function(r){b.appendChild(r);});});});});"
	"document.documentElement.dataset.ready='1';";

static void write_page(struct report *r, struct page *p)
{
	FILE *f = p->f;
	struct rows rows = { f, 0 };

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		   "<meta name=\"generator\" content=\"ebpfreport " EBPFREC_VERSION "\">\n"
		   "<title>ebpfrec session ");
	html_attr(f, fmt_reader_meta(r->readers[0], FMT_META_HOSTNAME) ?: r->paths[0]);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>ebpfrec session ", style);
	html_text(f, fmt_reader_meta(r->readers[0], FMT_META_HOSTNAME) ?: r->paths[0]);
	fprintf(f, "</h1>\n");
	summary(r, p);
	fprintf(f, "<section id=\"charts\"><h2>Timeline</h2>\n");
	chart(p, r, "chart-execs", "execs/s", 1, execs_name, execs_value);
	size_t nser = p->nifs + (p->ifs[MAX_IFACES].s.packets ? 1 : 0);
	chart(p, r, "chart-packets", "packets/s per interface", nser, if_name, if_packets);
	chart(p, r, "chart-bytes", "bytes/s per interface", nser, if_name, if_bytes);
	fprintf(f, "</section>\n<section><h2>Top commands</h2>\n<table id=\"top-commands\" "
		   "class=\"sortable\"><thead><tr><th>command</th><th>execs</th><th>share</th>"
		   "</tr></thead><tbody>\n");
	top_each(&p->comms, r, top_row, &rows);
	fprintf(f, "</tbody></table></section>\n<section><h2>Top flows</h2>\n<table "
		   "id=\"top-flows\" class=\"sortable\"><thead><tr><th>flow</th><th>packets</th>"
		   "<th>bytes</th><th>share</th></tr></thead><tbody>\n");
	rows.flow = 1;
	top_each(&p->flows, r, top_row, &rows);
	fprintf(f, "</tbody></table></section>\n");
	processes(r, p);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
}

static int run(struct report *r)
{
	struct page *p = calloc(1, sizeof(*p));
	int rc;

	if (!p || !(p->procs = calloc(MAX_PROCS, sizeof(*p->procs)))) {
		free(p);
		report_err("out of memory");
		return 1;
	}
	top_init(&p->comms, BY_COMM, 0);
	top_init(&p->flows, BY_FLOW, 1);
	plan_buckets(r, p);
	series_init(&p->ifs[MAX_IFACES].s, p->t0, p->bucket_ns, p->nbuckets, true);
	p->r = r;
	if (!(p->tracker = proctrack_new(&proc_ops, p, r->readers, r->nfiles))) {
		top_free(&p->comms);
		top_free(&p->flows);
		free(p->procs);
		free(p);
		report_err("out of memory");
		return 1;
	}
	rc = report_each(r, on_event, p);
	if (proctrack_finish(p->tracker))
		p->oom = 1;
	series_finish(&p->events);
	for (size_t i = 0; i <= MAX_IFACES; i++) {
		series_finish(&p->ifs[i].s);
		p->oom |= p->ifs[i].s.oom;
	}
	if (p->oom) {
		report_err("out of memory");
		rc = 1;
	}
	if (!rc || r->ignore_errors) {
		p->f = r->output ? report_create(r, r->output) : stdout;
		if (!p->f) {
			rc = 1;
		} else {
			write_page(r, p);
			if (p->f != stdout && fclose(p->f)) {
				report_err("%s: write error", r->output);
				rc = 1;
			}
		}
	}
	for (size_t i = 0; i < p->nprocs; i++)
		free(p->procs[i].cmdline);
	free(p->procs);
	proctrack_free(p->tracker);
	series_free(&p->events);
	for (size_t i = 0; i <= MAX_IFACES; i++)
		series_free(&p->ifs[i].s);
	top_free(&p->comms);
	top_free(&p->flows);
	free(p);
	return rc;
}

const struct report_cmd cmd_html = {
	.name = "html",
	.args = "FILE...",
	.summary = "a self-contained HTML report: summary, losses, charts, top tables, processes",
	.opts = OPT(OUTPUT) | OPT(FORCE) | OPT(UTC) | OPT(TOP) | OPT_READING,
	.run = run,
};
