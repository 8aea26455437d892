/* cmd_top.c - `ebpfreport top FILE... --by KEY`: one top-N table. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "scan.h"
#include "top.h"
#include "options.h"

static int add(void *ctx, const struct report *r, unsigned source, const struct fmt_batch *b,
	       const uint32_t *pos, uint32_t n)
{
	(void)r;
	return top_add_batch(ctx, source, b, pos, n);
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
	rc = scan(r, add, &t);
	if (rc < 0) {
		report_err("out of memory");
		rc = 1;
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
