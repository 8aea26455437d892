/* cmd_html.c - `ebpfreport html FILE... -o report.html`: one self-contained
 * page a maintainer can open from a bug report, made to investigate with:
 * the summary and losses, rate charts with time axes (html_chart.c), the
 * top tables and the process tree with each process's lifetime, programs
 * and traffic (html_tree.c). No network fetch, no external script or font:
 * a Content Security Policy of default-src 'none' makes the browser refuse
 * any that crept in, and every string of the session goes out escaped
 * (html_text.c), so a hostile file can inject no markup and the page is
 * valid UTF-8 whatever bytes its argv holds. Elements carry ids and data-*
 * values so tests (and scripts) can read the numbers back from the DOM. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_interfaces.h"
#include "fmt_meta.h"
#include "fmt_text.h"
#include "html.h"
#include "html_text.h"
#include "options.h"
#include "out.h"
#include "session.h"
#include "who.h"

static int on_event(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct page *p = ctx;
	int64_t wall = (int64_t)fmt_event_ts(ev) + fmt_reader_clock_offset(r->readers[ev->source]);

	if (ev->stream == FMT_STREAM_FLOW) {
		p->nflow++;
		p->npackets += ev->flow.packets;
		p->nbytes += ev->flow.bytes;
		html_chart_flow(p, ev, wall);
	} else {
		series_add_event(&p->events, ev->stream, wall);
		p->nexec += ev->stream == FMT_STREAM_EXEC;
		p->nfailed += ev->stream == FMT_STREAM_EXEC && ev->exec.ret < 0;
		p->nexit += ev->stream == FMT_STREAM_EXIT;
	}
	if (proctree_add(p->tree, ev) || top_add(&p->comms, ev) || top_add(&p->flows, ev) ||
	    (p->owners && top_add(&p->talkers, ev)))
		p->oom = 1;
	return p->oom;
}

/* Whether file rd recorded flows: it hooked an interface (a --no-net
 * recording lists none) or holds flow rows. */
static bool flows_recorded(struct fmt_reader *rd)
{
	const struct fmt_ifaces *l = fmt_reader_ifaces(rd);

	return (l && fmt_ifaces_count(l)) || session_meta_u64(rd, FMT_META_RECORDS_FLOW);
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

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1400px;color:#222;"
	"padding:0 1em}"
	"h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}"
	"table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}"
	"table.sortable th{cursor:pointer}th{background:#f3f3f3}tbody tr:nth-child(odd){background:#fafafa}"
	".num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00}.good{color:#070}"
	".counts td{padding-right:2em}.counts b{font-size:1.3em}"
	".cmd{font-family:monospace;overflow-wrap:anywhere;white-space:pre-wrap}"
	".esc{color:#a0a;background:#f6e8f6;border-radius:2px}"
	".arg.empty,.arg.blank{background:#fff3bf;outline:1px dotted #b80;border-radius:2px}"
	".meta{color:#666;font-size:.9em}.meta span{margin-right:.8em}.when{color:#666}"
	".tried summary{cursor:pointer;color:#555}.tried ol{margin:.2em 0 .2em 1.5em;padding:0;color:#666}"
	".tree td.name{white-space:nowrap;font-weight:600}.tree tr.placeholder td.name{font-style:italic;"
	"font-weight:400;color:#777}.tree .tog,.tree .leaf{display:inline-block;width:1.1em;color:#888}"
	".tree .tog{cursor:pointer}.tree .tog::before{content:'\\25BE'}.tree tr.closed .tog::before"
	"{content:'\\25B8'}.before{color:#555;font-style:italic}.run{color:#357}.none{color:#888}"
	"svg{width:100%;height:auto;font-size:11px}svg .plot{fill:#fcfcfc;stroke:#ccc}"
	"svg .grid{stroke:#eee}svg .zero{stroke:#999}svg .tick{fill:#555}svg .dir{fill:#888}"
	"figure{margin:1em 0}figcaption{font-weight:600}figcaption small{font-weight:400}"
	".legend{list-style:none;padding:0;margin:0}.legend li{display:inline-block;margin-right:1.2em}"
	".legend span{display:inline-block;width:10px;height:10px;margin-right:4px}";

/* Click a header to sort its table; click a process to fold its subtree
 * (rows are in tree order with their depth); marks the page ready for
 * tests. */
static const char script[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){"
	"t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){"
	"var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.dataset.asc!=='1';"
	"th.dataset.asc=asc?'1':'0';rows.sort(function(x,y){var p=x.cells[i].textContent,"
	"q=y.cells[i].textContent,m=parseFloat(p),n=parseFloat(q);"
	"var c=(!isNaN(m)&&!isNaN(n))?m-n:p.localeCompare(q);return asc?c:-c;});"
	"rows.forEach(function(r){b.appendChild(r);});});});});"
	"document.querySelectorAll('table.tree').forEach(function(t){"
	"t.addEventListener('click',function(e){var r=e.target.closest('td.name');"
	"if(!r||!r.querySelector('.tog'))return;r.parentNode.classList.toggle('closed');"
	"var cut=1/0;Array.prototype.forEach.call(t.tBodies[0].rows,function(x){"
	"var d=+x.dataset.depth;if(d<=cut)cut=1/0;x.hidden=d>cut;"
	"if(!x.hidden&&x.classList.contains('closed'))cut=d;});});});"
	"document.documentElement.dataset.ready='1';";

static void top_table(struct page *p, struct top *t, const char *id, const char *title,
		      const char *what, int flow)
{
	struct rows rows = { p->f, flow };

	fprintf(p->f, "<section><h2>%s</h2>\n<table id=\"%s\" class=\"sortable\"><thead><tr>"
		      "<th>%s</th>%s<th>share</th></tr></thead><tbody>\n",
		title, id, what, flow ? "<th>packets</th><th>bytes</th>" : "<th>execs</th>");
	top_each(t, p->r, top_row, &rows);
	fprintf(p->f, "</tbody></table></section>\n");
}

static void write_page(struct report *r, struct page *p)
{
	FILE *f = p->f;
	const char *host = fmt_reader_meta(r->readers[0], FMT_META_HOSTNAME) ?: r->paths[0];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		   "<meta name=\"generator\" content=\"ebpfreport " EBPFREC_VERSION "\">\n"
		   "<title>ebpfrec session ");
	html_attr(f, host);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n<h1>ebpfrec session ", style);
	html_text(f, host);
	fprintf(f, "</h1>\n");
	summary(r, p);
	html_charts(p);
	top_table(p, &p->comms, "top-commands", "Top commands", "command", 0);
	if (p->net) {
		top_table(p, &p->flows, "top-flows", "Top flows", "flow", 1);
		if (p->owners)
			top_table(p, &p->talkers, "top-processes", "Top processes by traffic",
				  "process", 1);
	}
	html_tree(p);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
}

static int write_output(struct report *r, struct page *p)
{
	p->f = r->output ? report_create(r, r->output) : stdout;
	if (!p->f)
		return 1;
	write_page(r, p);
	if (p->f == stdout) /* main's to finish */
		return 0;
	/* a full disk shows at an earlier write, or at the last flush */
	int bad = ferror(p->f);
	if (fclose(p->f) || bad) {
		report_err("%s: write error: %s", r->output, errno ? strerror(errno) : "unknown");
		return 1;
	}
	return 0;
}

static void page_free(struct page *p)
{
	proctree_free(p->tree);
	html_charts_free(p);
	top_free(&p->comms);
	top_free(&p->flows);
	top_free(&p->talkers);
	free(p);
}

static int run(struct report *r)
{
	struct page *p = calloc(1, sizeof(*p));
	int rc;

	if (!p || !(p->tree = proctree_new(r->readers, r->nfiles))) {
		free(p);
		report_err("out of memory");
		return 1;
	}
	p->r = r;
	for (unsigned i = 0; i < r->nfiles; i++) {
		p->net |= flows_recorded(r->readers[i]);
		p->owners |= who_owners_recorded(r, i);
	}
	top_init(&p->comms, BY_COMM, 0);
	top_init(&p->flows, BY_FLOW, 1);
	top_init(&p->talkers, BY_PROCESS, 1);
	html_plan_buckets(p);
	rc = report_each(r, on_event, p);
	p->net |= p->nflow > 0;
	html_charts_finish(p);
	if (proctree_finish(p->tree))
		p->oom = 1;
	if (p->oom) {
		report_err("out of memory");
		rc = 1;
	}
	if ((!rc || r->ignore_errors) && write_output(r, p))
		rc = 1;
	page_free(p);
	return rc;
}

const struct report_cmd cmd_html = {
	.name = "html",
	.args = "FILE...",
	.summary = "a self-contained HTML report: summary, losses, charts, top tables, process tree",
	.opts = OPT(OUTPUT) | OPT(FORCE) | OPT(UTC) | OPT(TOP) | OPT_READING,
	.run = run,
};
