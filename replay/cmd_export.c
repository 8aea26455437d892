/* cmd_export.c - `ebpfreport export FILE... --format jsonl|csv|sqlite|
 * perfetto [-o OUT]`: the events in other tools' formats.
 *
 *   jsonl     one JSON object per event, "type" first (stdout or -o FILE)
 *   csv       one table per stream: -o DIR gets exec.csv, exit.csv and
 *             flow.csv; to stdout, choose one stream with --type
 *   sqlite    a plain relational database (-o FILE; see docs/FORMAT.md)
 *   perfetto  trace-event JSON for ui.perfetto.dev (stdout or -o FILE)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event_out.h"
#include "json.h"
#include "out.h"
#include "perfetto.h"
#include "proctrack.h"
#include "report.h"
#include "options.h"



struct export {
	FILE *f[FMT_STREAM_MAX + 1]; /* csv: a file per stream; else f[0] */
	struct fmt_plain *plain;
	struct proctrack *procs; /* sqlite: runs for the process table */
	struct report *r;
	struct json j;
};

static int jsonl(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct export *x = ctx;

	event_json(r, ev, &x->j);
	return json_flush(&x->j, x->f[0]) || fputc('\n', x->f[0]) == EOF;
}

static int csv(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct export *x = ctx;

	event_csv_stream(r, ev, &x->j, x->f[ev->stream]);
	return ferror(x->f[ev->stream]) != 0;
}

/* The process table holds the runs that began with an exec. */
static int run_begin(void *ctx, struct proc_run *run)
{
	struct export *x = ctx;
	int64_t row;

	if (run->begin != PROC_EXEC)
		return 0;
	if (fmt_plain_process_begin(x->plain, run->source, run->exec,
				    fmt_reader_clock_offset(x->r->readers[run->source]), &row))
		return 1;
	run->user = (uint64_t)row;
	return 0;
}

static int run_end(void *ctx, const struct proc_run *run)
{
	static const char *const ended[] = { [PROC_RUNNING] = NULL, [PROC_EXITED] = "exit",
					     [PROC_REPLACED] = "exec", [PROC_FAILED] = "failed" };
	struct export *x = ctx;

	if (run->begin != PROC_EXEC)
		return 0;
	return fmt_plain_process_end(x->plain, (int64_t)run->user, ended[run->end], run->begin_ns,
				     run->end_ns,
				     fmt_reader_clock_offset(x->r->readers[run->source]),
				     run->end == PROC_EXITED ? run->exit : NULL) != 0;
}

static int plain(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct export *x = ctx;
	struct fmt_reader *rd = r->readers[ev->source];
	char ifn[64];

	if (fmt_plain_add(x->plain, ev, fmt_reader_clock_offset(rd),
			  ev->stream == FMT_STREAM_FLOW ?
				  out_iface(rd, ev->flow.key.ifindex, ifn, sizeof(ifn)) :
				  NULL) ||
	    proctrack_add(x->procs, ev)) {
		report_err("%s: %s", r->output, fmt_plain_errmsg(x->plain));
		return 1;
	}
	return 0;
}

static int open_csv(struct report *r, struct export *x)
{
	unsigned types = filter_streams(&r->f);
	char path[4096];

	if (!r->output) {
		if (types & (types - 1)) {
			report_err("csv to standard output holds one stream: add --type exec, exit "
				   "or flow, or give -o DIR for one file per stream");
			return 2;
		}
		for (int s = 1; s <= FMT_STREAM_MAX; s++)
			if (types & (1u << s)) {
				x->f[s] = stdout;
				event_csv_stream_header((enum fmt_stream)s, stdout);
			}
		return 0;
	}
	if (mkdir(r->output, 0700) && errno != EEXIST) {
		report_err("cannot create directory '%s': %s", r->output, strerror(errno));
		return 1;
	}
	for (int s = 1; s <= FMT_STREAM_MAX; s++) {
		if (!(types & (1u << s)))
			continue;
		snprintf(path, sizeof(path), "%s/%s.csv", r->output, fmt_stream_name(s));
		if (!(x->f[s] = report_create(r, path)))
			return 1;
		event_csv_stream_header((enum fmt_stream)s, x->f[s]);
	}
	return 0;
}

static const struct proc_ops proc_ops = { run_begin, run_end };

static int export_plain(struct report *r, struct export *x)
{
	char *err = NULL;
	int rc;

	if (!r->output) {
		report_err("--format sqlite writes a database: give -o FILE");
		return 2;
	}
	if (fmt_plain_create(r->output, r->force ? FMT_CREATE_FORCE : 0, &x->plain, &err)) {
		report_err("%s", err ? err : r->output);
		free(err);
		return 1;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		size_t n = fmt_reader_meta_count(r->readers[i]);
		for (size_t k = 0; k < n; k++) {
			const char *key, *val;
			fmt_reader_meta_at(r->readers[i], k, &key, &val);
			fmt_plain_meta(x->plain, i, key, val);
		}
	}
	x->r = r;
	if (!(x->procs = proctrack_new(&proc_ops, x, r->readers, r->nfiles)))
		rc = 1;
	else
		rc = report_each(r, plain, x);
	if (!rc && proctrack_finish(x->procs)) {
		report_err("%s: %s", r->output, fmt_plain_errmsg(x->plain));
		rc = 1;
	}
	proctrack_free(x->procs);
	if (rc) {
		fmt_plain_abandon(x->plain);
		unlink(r->output);
		return rc;
	}
	if (fmt_plain_close(x->plain, &err)) {
		report_err("%s: %s", r->output, err ? err : "cannot finish");
		free(err);
		unlink(r->output);
		return 1;
	}
	return 0;
}

static int close_all(struct export *x, int rc)
{
	for (int s = 0; s <= FMT_STREAM_MAX; s++) {
		if (!x->f[s] || x->f[s] == stdout)
			continue;
		if (fclose(x->f[s]) && !rc) {
			report_err("write error: %s", strerror(errno));
			rc = 1;
		}
	}
	json_free(&x->j);
	return rc;
}

static int run(struct report *r)
{
	struct export x = { 0 };
	const char *fmt = r->format;
	int rc;

	if (!fmt) {
		report_err("export needs --format jsonl, csv, sqlite or perfetto");
		return 2;
	}
	if (!strcmp(fmt, "sqlite"))
		return export_plain(r, &x);
	if (!strcmp(fmt, "csv")) {
		if ((rc = open_csv(r, &x)))
			return close_all(&x, rc);
		return close_all(&x, report_each(r, csv, &x));
	}
	if (strcmp(fmt, "jsonl") && strcmp(fmt, "perfetto")) {
		report_err("invalid --format '%s': use jsonl, csv, sqlite or perfetto", fmt);
		return 2;
	}
	x.f[0] = r->output ? report_create(r, r->output) : stdout;
	if (!x.f[0])
		return 1;
	if (!strcmp(fmt, "jsonl"))
		rc = report_each(r, jsonl, &x);
	else
		rc = perfetto_write(r, x.f[0]);
	return close_all(&x, rc);
}

const struct report_cmd cmd_export = {
	.name = "export",
	.args = "FILE... --format jsonl|csv|sqlite|perfetto",
	.summary = "events as JSON lines, CSV, a plain SQLite database or a Perfetto trace",
	.opts = OPT(FORMAT) | OPT(OUTPUT) | OPT(FORCE) | OPT_READING,
	.run = run,
};
