/* cmd_top.c - `ebpfreport top FILE... --by KEY`: one top-N table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "scan.h"
#include "top.h"
#include "options.h"

/* Each thread counts into a table of its own; they are added up. Command
 * lines, which can be as many as the execs, are counted in one count the
 * threads share instead (cmdlines.h), each through a writer of its own, and
 * added up at the end. */
static void *state_new(void *ctx)
{
	const struct top *t = ctx;
	struct top *w = malloc(sizeof(*w));

	if (w) {
		top_init(w, t->by, t->metric);
		w->lines = t->lines;
	}
	return w;
}

static int merge(void *ctx, void *state)
{
	return top_merge(ctx, state);
}

static void state_free(void *ctx, void *state)
{
	struct top *w = state;

	(void)ctx;
	w->lines = NULL; /* the caller's, and so is the writer */
	w->lines_w = NULL;
	top_free(w);
	free(w);
}

static int add(void *ctx, void *state, const struct report *r, unsigned source,
	       const struct fmt_batch *b, const uint32_t *pos, uint32_t n, void **partial)
{
	(void)ctx, (void)r, (void)partial;
	return top_add_batch(state, source, b, pos, n);
}

static int run(struct report *r)
{
	enum top_by by = BY_COMM;
	struct top t;
	int metric, rc;

	if (r->by && top_parse_by(r->by, &by)) {
		report_err("invalid --by '%s': use comm, path, cmdline, uid, parent, flow, src, dst, "
			   "port, proto, iface, process, unit, container or pod",
			   r->by);
		return 2;
	}
	metric = !r->sort ? (top_is_flow(by) ? 1 : 0) :
		 !strcmp(r->sort, "packets") ? 1 : !strcmp(r->sort, "bytes") ? 2 : 0;
	if (!top_is_flow(by) && metric) {
		report_err("invalid --sort '%s': exec tables count execs", r->sort);
		return 2;
	}
	top_init(&t, by, metric);
	if (by == BY_CMDLINE && top_lines_start(&t)) {
		report_err("out of memory");
		return 1;
	}
	{
		const struct scan_ops ops = { .cols = top_cols(by) | FMT_COL_NO_TS, .state_new = state_new,
					      .merge = merge, .state_free = state_free,
					      .chunk = add };
		rc = scan(r, &ops, &t);
	}
	if (t.lines && top_lines_done(&t, r->top_n, fmt_threads(r->threads)) && rc >= 0)
		rc = -1;
	if (rc < 0) { /* no table: it would miss what memory could not hold */
		report_err("out of memory");
		top_free(&t);
		return 1;
	}
	if (r->out == OUT_JSON) {
		struct json j = { .lossless = 1 }; /* keys as the exports write them */
		json_begin_object(&j);
		top_json(&t, r, &j, "top");
		json_end_object(&j);
		json_flush(&j, stdout);
		json_free(&j);
		putchar('\n');
	} else {
		const char *by_name = r->by ? r->by : "comm";
		char title[64];
		int n = snprintf(title, sizeof(title), "TOP ");
		for (const char *p = by_name; *p && n < 40; p++)
			title[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		snprintf(title + n, sizeof(title) - (size_t)n, "%s",
			 !top_is_flow(by) ? "" : metric == 2 ? " (bytes)" : metric == 1 ? " (packets)" : " (rows)");
		top_print(&t, r, title);
	}
	top_free(&t);
	return rc;
}

const struct report_cmd cmd_top = {
	.name = "top",
	.args = "FILE...",
	.summary = "the top N by command, path, uid, flow, address, port, process, unit, container...",
	.opts = OPT(TOP) | OPT(BY) | OPT(SORT) | OPT(JSON) | OPT(CSV) | OPT_READING,
	.run = run,
};
