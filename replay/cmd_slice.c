/* cmd_slice.c - `ebpfreport slice FILE -o OUT [filters]`: a new session
 * file holding only the records the filters keep (typically a time
 * window), with the source's meta and the slice recorded in meta. */
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "json.h"
#include "rewrite.h"
#include "session.h"
#include "options.h"

static int add(struct report *r, const struct fmt_event *ev, void *ctx)
{
	(void)r;
	return rewrite_add(ctx, ev, 0);
}

static int run(struct report *r)
{
	struct fmt_reader *rd = r->readers[0];
	uint64_t from, to, start = session_start_ns(rd), end = session_end_ns(rd);
	struct rewrite rw;
	struct json j = { 0 };
	char base[4096], *text;
	int rc;

	if (r->nfiles != 1) {
		report_err("slice takes one file (merge combines several)");
		return 2;
	}
	if ((rc = rewrite_begin(r, &rw)))
		return rc;
	report_window(r, 0, &from, &to);
	rewrite_copy_meta(&rw, rd, "");
	rewrite_meta_u64(&rw, FMT_META_START_NS, start > from ? start : from);
	rewrite_meta_u64(&rw, FMT_META_END_NS, end < to ? end : to);
	snprintf(base, sizeof(base), "%s", r->paths[0]);
	json_begin_object(&j);
	json_kv_str(&j, "source", basename(base));
	json_kv_u64(&j, "from_ns", from);
	json_kv_u64(&j, "to_ns", to);
	json_kv_u64(&j, "source_records_exec", session_meta_u64(rd, FMT_META_RECORDS_EXEC));
	json_kv_u64(&j, "source_records_exit", session_meta_u64(rd, FMT_META_RECORDS_EXIT));
	json_kv_u64(&j, "source_records_flow", session_meta_u64(rd, FMT_META_RECORDS_FLOW));
	json_end_object(&j);
	text = json_take(&j);
	rewrite_meta(&rw, FMT_META_SLICE, text ? text : "{}");
	free(text);
	rewrite_meta(&rw, FMT_META_SLICE_FILTERS, r->args);
	rc = report_each(r, add, &rw);
	rc = rewrite_end(&rw, rc);
	if (!rc && !r->quiet)
		fprintf(stderr, "ebpfreport: %s: %" PRIu64 " records\n", r->output, rw.records);
	return rc;
}

const struct report_cmd cmd_slice = {
	.name = "slice",
	.args = "FILE -o OUT",
	.summary = "write a smaller session file with only what the filters keep",
	.opts = OPT(OUTPUT) | OPT(FORCE) | OPT(QUIET) | OPT_READING,
	.run = run,
};
