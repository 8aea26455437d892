/* html_tree.c - the page's Processes section: proctree.c's tree as a
 * table, a row per process indented under its parent, with its lifetime,
 * exit status, traffic and the programs it ran. A PATH lookup (failed
 * execs of one name, then maybe the one that ran) is one line, "tried 4
 * paths, ran /usr/bin/wc", the paths tried listed under it. Rows carry the
 * numbers in data-* attributes and name their parent's row (data-parent),
 * for scripts and tests; a click on a process folds its subtree. */
#define _GNU_SOURCE /* sigabbrev_np */
#include <inttypes.h>
#include <string.h>

#include "fmt_text.h"
#include "html.h"
#include "html_text.h"
#include "out.h"

#define MAX_ROWS 5000 /* processes listed; `replay` shows them all */
#define MAX_INDENT 40 /* levels indented (deeper ones line up at this) */

static int64_t wall(const struct page *p, unsigned source, uint64_t ts)
{
	return (int64_t)ts + fmt_reader_clock_offset(p->r->readers[source]);
}

/* A time in a cell: to the millisecond, with the date only if it is not
 * the day the charts begin; the full time as its title. */
static void when(const struct page *p, int64_t t)
{
	char a[64], day[64];

	fmt_text_wall(a, sizeof(a), t, p->r->utc, true);
	fmt_text_wall(day, sizeof(day), p->t0, p->r->utc, false);
	fprintf(p->f, "<time title=\"%s\">", a);
	if (strncmp(a, day, 10))
		a[19] = 0, fputs(a, p->f);
	else
		a[23] = 0, fputs(a + 11, p->f);
	fputs("</time>", p->f);
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "";
}

/* The name a PATH lookup looks for: the executable's last component. */
static bool same_name(const struct pt_prog *a, const struct pt_prog *b)
{
	return !strcmp(base(a->filename), base(b->filename));
}

/* Under a program's arguments: its executable when argv[0] does not name
 * it, its working directory, interpreter and what was cut. */
static void prog_details(FILE *f, const struct pt_prog *pr)
{
	bool exe = pr->filename && (!pr->argc || strcmp(pr->argv[0], pr->filename));

	if (!exe && !pr->cwd && !pr->interp && !(pr->flags & FMT_EXEC_ARGV_TRUNCATED) &&
	    !pr->argv_cut)
		return;
	fputs("<div class=\"meta\">", f);
	if (exe) {
		fputs("<span class=\"exe\" title=\"the executable\">", f);
		html_text(f, pr->filename);
		fputs("</span> ", f);
	}
	if (pr->interp) {
		fputs("<span class=\"interp\">#! ", f);
		html_text(f, pr->interp);
		fputs("</span> ", f);
	}
	if (pr->cwd) {
		fputs("<span class=\"cwd\" title=\"working directory\">in ", f);
		html_text(f, pr->cwd);
		fputs(pr->flags & FMT_EXEC_CWD_TRUNCATED ? "&hellip;</span> " : "</span> ", f);
	}
	if (pr->flags & FMT_EXEC_ARGV_TRUNCATED)
		fputs("<span class=\"bad\">argv truncated by the recorder</span> ", f);
	else if (pr->argv_cut)
		fputs("<span class=\"bad\">argv cut in this page (ebpfreport replay shows it "
		      "all)</span> ",
		      f);
	fputs("</div>", f);
}

static void prog_line(const struct page *p, const struct pt_proc *pc, const struct pt_prog *pr,
		      bool first)
{
	FILE *f = p->f;

	fprintf(f, "<div class=\"prog%s\" data-ts-ns=\"%" PRIu64 "\">", pr->ret ? " failed" : "",
		pr->ts_ns);
	if (!first && !pr->from_table) {
		fputs("<span class=\"when\">then at ", f);
		when(p, wall(p, pc->source, pr->ts_ns));
		fputs("</span> ", f);
	}
	if (pr->ret)
		fprintf(f, "<span class=\"bad\">exec failed (%s):</span> ", strerror(-pr->ret));
	fputs("<span class=\"argv\">", f);
	if (pr->argc)
		html_argv(f, pr->argc, pr->argv);
	else if (pr->filename)
		html_arg(f, pr->filename);
	fputs("</span>", f);
	prog_details(f, pr);
	fputs("</div>", f);
}

/* n failed execs from id on, then ran (0: none ran), as one line. */
static void tried_line(const struct page *p, uint32_t id, uint32_t n, uint32_t ran)
{
	const struct pt_prog *pr = proctree_prog(p->tree, id);
	FILE *f = p->f;

	fprintf(f, "<details class=\"prog tried\" data-tried=\"%u\" data-ran=\"", n + !!ran);
	html_attr(f, ran ? proctree_prog(p->tree, ran)->filename ?: "" : "");
	fprintf(f, "\"><summary>tried %u paths, ", n + !!ran);
	if (ran) {
		fputs("ran <code>", f);
		html_text(f, proctree_prog(p->tree, ran)->filename ?: "?");
		fputs("</code>", f);
	} else {
		fputs("<span class=\"bad\">none ran</span>: <code>", f);
		html_text(f, base(pr->filename));
		fputs("</code>", f);
	}
	fputs("</summary><ol>", f);
	for (uint32_t i = 0; i < n; i++, id = pr->next) {
		pr = proctree_prog(p->tree, id);
		fputs("<li>", f);
		html_text(f, pr->filename ?: "?");
		fprintf(f, ": %s</li>", strerror(-pr->ret));
	}
	fputs("</ol></details>", f);
}

static void programs(const struct page *p, const struct pt_proc *pc)
{
	bool first = true;

	for (uint32_t id = pc->first_prog; id;) {
		const struct pt_prog *pr = proctree_prog(p->tree, id);
		uint32_t n = 0, j = id, ran = 0;
		if (!pr->ret) {
			prog_line(p, pc, pr, first);
			first = false;
			id = pr->next;
			continue;
		}
		while (j && proctree_prog(p->tree, j)->ret && same_name(proctree_prog(p->tree, j), pr))
			j = proctree_prog(p->tree, j)->next, n++;
		if (j && !proctree_prog(p->tree, j)->ret && same_name(proctree_prog(p->tree, j), pr))
			ran = j;
		if (n == 1 && !ran) {
			prog_line(p, pc, pr, first);
		} else {
			tried_line(p, id, n, ran);
			if (ran)
				prog_line(p, pc, proctree_prog(p->tree, ran), first);
		}
		first = false;
		id = ran ? proctree_prog(p->tree, ran)->next : j;
	}
	if (!pc->first_prog && !pc->placeholder)
		fputs(pc->origin == PT_DURING ? "<span class=\"none\">(forked, no exec seen)</span>" :
						"<span class=\"none\">(no exec seen)</span>",
		      p->f);
}

static void traffic(FILE *f, const struct pt_traffic *own, const struct pt_traffic *tree)
{
	char a[32], b[32], c[32];

	fprintf(f, "<td class=\"num\" data-packets=\"%" PRIu64 "\" data-bytes=\"%" PRIu64 "\"",
		own->packets, own->bytes);
	if (tree->packets != own->packets || tree->bytes != own->bytes)
		fprintf(f, " title=\"with its descendants: %s, %s packets\"",
			out_bytes(a, sizeof(a), tree->bytes), out_count(c, sizeof(c), tree->packets));
	fputc('>', f);
	if (own->packets || own->bytes)
		fprintf(f, "%s<br><small>%s pkt</small>", out_bytes(a, sizeof(a), own->bytes),
			out_si(b, sizeof(b), own->packets));
	fputs("</td>", f);
}

/* The lifetime cells: started, ran, exit. */
static void lifetime(const struct page *p, const struct pt_proc *pc)
{
	uint64_t begin = pc->start_ns ? pc->start_ns : pc->seen_ns;
	FILE *f = p->f;
	char a[64];

	if (pc->placeholder)
		fputs("<td></td>", f);
	else if (pc->origin == PT_BEFORE)
		fputs("<td class=\"before\" title=\"started before the recording\">", f),
			when(p, wall(p, pc->source, begin)), fputs("</td>", f);
	else
		fputs("<td>", f), when(p, wall(p, pc->source, begin)), fputs("</td>", f);
	if (pc->exited && begin && pc->end_ns >= begin)
		fprintf(f, "<td class=\"num\">%s</td>",
			fmt_text_duration(a, sizeof(a), pc->end_ns - begin));
	else
		fputs("<td></td>", f);
	if (pc->placeholder)
		fputs("<td></td>", f);
	else if (!pc->exited)
		fputs("<td class=\"run\" title=\"no exit recorded: still running when the recording "
		      "ended\">running</td>",
		      f);
	else if (pc->signal)
		fprintf(f, "<td class=\"bad\">SIG%s</td>", sigabbrev_np((int)pc->signal) ?: "?");
	else
		fprintf(f, "<td class=\"%s\">%u</td>", pc->exit_code ? "bad" : "", pc->exit_code);
}

static void row_attrs(const struct page *p, const struct pt_proc *pc, uint32_t id)
{
	FILE *f = p->f;

	fprintf(f, "<tr id=\"p%u\" data-pid=\"%u\" data-ppid=\"%u\" data-depth=\"%u\" data-source=\"%u\"",
		id, pc->pid, pc->ppid, pc->depth, pc->source);
	if (pc->parent)
		fprintf(f, " data-parent=\"p%u\"", pc->parent);
	if (pc->start_ns)
		fprintf(f, " data-start-ns=\"%" PRIu64 "\"", pc->start_ns);
	if (pc->exited)
		fprintf(f, " data-end-ns=\"%" PRIu64 "\" data-exit-code=\"%u\" data-signal=\"%u\"",
			pc->end_ns, pc->exit_code, pc->signal);
	fprintf(f,
		" data-sent-packets=\"%" PRIu64 "\" data-sent-bytes=\"%" PRIu64 "\""
		" data-received-packets=\"%" PRIu64 "\" data-received-bytes=\"%" PRIu64 "\"",
		pc->sent.packets, pc->sent.bytes, pc->recv.packets, pc->recv.bytes);
	fprintf(f, "%s>", pc->placeholder ? " class=\"placeholder\"" : "");
}

static void row(const struct page *p, uint32_t id, bool with_traffic)
{
	const struct pt_proc *pc = proctree_proc(p->tree, id);
	FILE *f = p->f;

	row_attrs(p, pc, id);
	fprintf(f, "<td class=\"name\" style=\"padding-left:%.1fem\">",
		0.3 + 1.2 * (pc->depth < MAX_INDENT ? pc->depth : MAX_INDENT));
	fputs(pc->first_child ? "<span class=\"tog\"></span>" : "<span class=\"leaf\"></span>", f);
	if (pc->placeholder)
		fputs("<span title=\"not in the session: known as the parent of the processes "
		      "below\">",
		      f);
	html_text(f, pc->comm[0] ? pc->comm : "?");
	fputs(pc->placeholder ? "</span>" : "", f);
	fputs("</td><td class=\"num\">", f);
	if (p->r->nfiles > 1) /* which file: pids are per host */
		fprintf(f, "<small>%u:</small>", pc->source);
	fprintf(f, "%u</td><td class=\"num\">", pc->pid);
	if (pc->has_uid)
		fprintf(f, "%u", pc->uid);
	fputs("</td>", f);
	lifetime(p, pc);
	if (with_traffic) {
		traffic(f, &pc->sent, &pc->tree_sent);
		traffic(f, &pc->recv, &pc->tree_recv);
	}
	fputs("<td class=\"cmd\">", f);
	programs(p, pc);
	fputs("</td></tr>\n", f);
}

/* What the traffic columns rest on, said above the table. */
static void traffic_note(const struct page *p, bool with_traffic)
{
	struct pt_traffic s = proctree_unowned(p->tree, true), r = proctree_unowned(p->tree, false);
	char a[32], b[32], c[32], d[32];

	if (!p->net)
		return;
	if (!with_traffic) {
		fputs("<p id=\"no-owners\">The flows of this session carry no owners (recorded "
		      "before format 1.1 or with <code>ebpfrec --no-owners</code>): traffic per "
		      "process is not known.</p>\n",
		      p->f);
		return;
	}
	fprintf(p->f,
		"<p id=\"unowned\" data-sent-packets=\"%" PRIu64 "\" data-sent-bytes=\"%" PRIu64 "\" "
		"data-received-packets=\"%" PRIu64 "\" data-received-bytes=\"%" PRIu64 "\">"
		"Sent and received count the packets of the sockets each process owned. Traffic of "
		"no local socket (forwarded, bridged, the kernel's own replies): sent %s in %s "
		"packet%s, received %s in %s packet%s.</p>\n",
		s.packets, s.bytes, r.packets, r.bytes, out_bytes(a, sizeof(a), s.bytes),
		out_count(b, sizeof(b), s.packets), s.packets == 1 ? "" : "s",
		out_bytes(c, sizeof(c), r.bytes), out_count(d, sizeof(d), r.packets),
		r.packets == 1 ? "" : "s");
}

void html_tree(struct page *p)
{
	bool with_traffic = p->net && p->owners;
	uint32_t n, shown;
	const uint32_t *order = proctree_order(p->tree, &n);
	FILE *f = p->f;

	fprintf(f, "<section><h2>Processes</h2>\n");
	traffic_note(p, with_traffic);
	fprintf(f, "<table id=\"process-tree\" class=\"tree\"><thead><tr><th>process</th>"
		   "<th>pid</th><th>uid</th><th>started</th><th>ran</th><th>exit</th>");
	if (with_traffic)
		fprintf(f, "<th>sent</th><th>received</th>");
	fprintf(f, "<th>command line</th></tr></thead><tbody>\n");
	shown = n < MAX_ROWS ? n : MAX_ROWS;
	for (uint32_t i = 0; i < shown; i++)
		row(p, order[i], with_traffic);
	fprintf(f, "</tbody></table>\n");
	if (n > shown)
		fprintf(f, "<p id=\"procs-more\">%u more processes not listed (ebpfreport replay "
			   "shows all).</p>\n",
			n - shown);
	fprintf(f, "</section>\n");
}
