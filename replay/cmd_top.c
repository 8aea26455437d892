/* cmd_top.c - `ebpfreport top FILE... --by KEY`: one top-N table. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "top.h"

static int add(struct report *r, const struct fmt_event *ev, void *ctx)
{
	(void)r;
	return top_add(ctx, ev) ? 1 : 0;
}

static int run(struct report *r)
{
	enum top_by by = BY_COMM;
	struct top t;
	int metric, rc;

	if (r->by && top_parse_by(r->by, &by)) {
		report_err("invalid --by '%s': use comm, path, cmdline, uid, parent, flow, src, dst, "
			   "port, proto or iface",
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
	rc = report_each(r, add, &t);
	if (t.agg.oom) {
		report_err("out of memory");
		rc = 1;
	}
	if (r->out == OUT_JSON) {
		struct json j = { 0 };
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
	return report_finish_output(r, rc);
}

const struct report_cmd cmd_top = {
	.name = "top",
	.usage = "FILE... [--by KEY] [--sort count|packets|bytes] [-n N] [filters]",
	.summary = "the top N by command, path, command line, uid, parent, flow, address, port...",
	.run = run,
};
