/* cmd_export.c - `ebpfreport export FILE... --format jsonl|csv|sqlite|
 * perfetto [-o OUT]`: the events in other tools' formats. jsonl, csv and
 * sqlite share one schema (fmt_row.h, docs/FORMAT.md "Exports").
 *
 *   jsonl     one JSON object per event: -o DIR gets a file per stream
 *             (exec.jsonl, exit.jsonl, flow.jsonl, proc.jsonl,
 *             cgroup.jsonl); to stdout or -o FILE.jsonl, all streams
 *             mixed in time order with "type" first
 *   csv       one table per stream: -o DIR gets exec.csv, exit.csv, ...;
 *             to stdout, choose one stream with --type
 *   sqlite    a plain relational database (-o FILE; see docs/FORMAT.md)
 *   perfetto  trace-event JSON for ui.perfetto.dev (stdout or -o FILE)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export_par.h"
#include "fmt_row.h"
#include "obuf.h"
#include "row_out.h"
#include "out.h"
#include "perfetto.h"
#include "proctrack.h"
#include "report.h"
#include "options.h"

struct export {
	FILE *f[FMT_STREAM_MAX + 1]; /* a file per stream (-o DIR); else f[0] */
	struct obuf o[FMT_STREAM_MAX + 1]; /* what is buffered for each */
	char *name[FMT_STREAM_MAX + 1]; /* each file's path (NULL: standard output) */
	int said; /* a write error was said: the one line, whichever thread (atomic) */
	bool csv, per_stream;
	struct fmt_plain *plain;
	struct proctrack *procs; /* sqlite: runs for the process table */
	struct out_ifaces ifc; /* sqlite: flows' interface names */
	struct report *r; /* sqlite, export_par: the report */
	bool failed; /* sqlite: a row could not be added (said) */
};

/* What one thread of a jsonl or csv export writes: some of the streams,
 * each to its own file (or all of them to one). */
struct part {
	struct export *x;
	struct report *r; /* the caller's, or a copy with its own readers */
	struct row_out w;
	struct out_ifaces ifc; /* flows' interface names */
	int rc;
	int failed; /* a write failed (said): report_each stopped, not failed */
};

/* Say that writing output s failed, and why: which file, when there are
 * several. Once: a full disk fails every output, on every thread. */
static void write_failed(struct export *x, int s, const char *why)
{
	if (__atomic_exchange_n(&x->said, 1, __ATOMIC_RELAXED))
		return;
	if (x->name[s]) {
		report_err("%s: write error: %s", x->name[s], why);
		return;
	}
	report_err("write error: %s", why);
	if (x->r)
		x->r->stdout_said = true;
}

/* jsonl and csv: the row of ev into o; b and j (the record's batch and
 * storage position, b NULL if unknown) let the row_out reuse what it
 * rendered for the record's dictionary entry */
static void render(struct part *x, struct obuf *o, const struct fmt_event *ev,
		   const struct fmt_batch *b, uint32_t j)
{
	struct report *r = x->r;
	struct fmt_reader *rd = r->readers[ev->source];
	const char *file = r->nfiles > 1 ? r->paths[ev->source] : NULL;
	const char *iface = NULL;
	struct fmt_row row;

	if (ev->stream == FMT_STREAM_FLOW)
		iface = out_iface_cached(&x->ifc, rd, ev->source, ev->flow.key.ifindex);
	if (fmt_row_fill(ev, fmt_reader_clock_offset(rd), iface, &row))
		return;
	x->w.o = o;
	if (x->x->csv)
		row_csv_at(&x->w, &row, b, j, file);
	else
		row_jsonl_at(&x->w, &row, b, j,
			     x->x->per_stream ? NULL : fmt_stream_name(ev->stream), file);
}

/* report_each's callback: a row into its stream's buffer, written in
 * 1 MiB blocks */
static int rows(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct part *x = ctx;
	int s = x->x->per_stream ? (int)ev->stream : 0;
	struct obuf *o = &x->x->o[s];

	if (__atomic_load_n(&x->x->said, __ATOMIC_RELAXED)) /* the other thread's */
		return x->failed = 1;
	render(x, o, ev, r->at_batch, r->at_pos);
	if (obuf_flush(o, 1u << 20)) {
		write_failed(x->x, s, o->err && errno ? strerror(errno) : "out of memory");
		return x->failed = 1;
	}
	return 0;
}

/* export_par's: a thread's part, a row, the rows of a stream written */
static void *par_part(void *ctx)
{
	struct part *p = calloc(1, sizeof(*p));
	struct export *x = ctx;

	if (p) {
		p->x = x;
		p->r = x->r;
	}
	return p;
}

static void par_part_free(void *ctx, void *state)
{
	struct part *p = state;

	(void)ctx;
	row_out_free(&p->w);
	free(p);
}

static void par_row(void *ctx, void *state, const struct fmt_batch *b, uint32_t j, struct obuf *o)
{
	struct fmt_event ev;

	(void)ctx;
	fmt_batch_get_at(b, j, &ev);
	ev.source = 0;
	render(state, o, &ev, b, j);
}

static int par_out(void *ctx, int s, const char *p, size_t n)
{
	struct export *x = ctx;

	/* what is buffered first (a csv header) */
	if (obuf_flush(&x->o[s], 0) || fwrite(p, 1, n, x->f[s]) != n) {
		write_failed(x, s, errno ? strerror(errno) : "out of memory");
		return 1;
	}
	return 0;
}

static const struct export_par_ops par_ops = { par_part, par_part_free, par_row, par_out };

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

	if (fmt_plain_add(x->plain, ev, fmt_reader_clock_offset(rd),
			  ev->stream == FMT_STREAM_FLOW ?
				  out_iface_cached(&x->ifc, rd, ev->source, ev->flow.key.ifindex) :
				  NULL) ||
	    proctrack_add(x->procs, ev)) {
		report_err("%s: %s", r->output, fmt_plain_errmsg(x->plain));
		return x->failed = true;
	}
	return 0;
}

/* -o DIR: a file per stream of --type (all by default), NAME.EXT */
static int open_dir(struct report *r, struct export *x, const char *ext)
{
	unsigned types = filter_streams(&r->f);
	char path[4096];

	if (mkdir(r->output, 0700) && errno != EEXIST) {
		report_err("cannot create directory '%s': %s", r->output, strerror(errno));
		return 1;
	}
	x->per_stream = true;
	for (int s = 1; s <= FMT_STREAM_MAX; s++) {
		if (!(types & (1u << s)))
			continue;
		snprintf(path, sizeof(path), "%s/%s.%s", r->output, fmt_stream_name(s), ext);
		if (!(x->f[s] = report_create(r, path)))
			return 1;
		x->name[s] = strdup(path); /* NULL: errors say less */
		x->o[s].f = x->f[s];
		if (x->csv)
			row_csv_header(&x->o[s], (enum fmt_stream)s, r->nfiles > 1);
	}
	return 0;
}

static int open_csv(struct report *r, struct export *x)
{
	unsigned types = filter_streams(&r->f);

	x->csv = true;
	if (r->output)
		return open_dir(r, x, "csv");
	if (types & (types - 1)) {
		report_err("csv to standard output holds one stream: add --type exec, exit, flow, "
			   "proc or cgroup, or give -o DIR for one file per stream");
		return 2;
	}
	for (int s = 1; s <= FMT_STREAM_MAX; s++)
		if (types & (1u << s)) {
			x->per_stream = true;
			x->f[s] = stdout;
			x->o[s].f = stdout;
			row_csv_header(&x->o[s], (enum fmt_stream)s, r->nfiles > 1);
		}
	return 0;
}

/* jsonl: -o NAME.jsonl (or .json) is one file, any other -o a directory */
static int open_jsonl(struct report *r, struct export *x)
{
	const char *dot = r->output ? strrchr(r->output, '.') : NULL;

	if (r->output && !(dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".json"))))
		return open_dir(r, x, "jsonl");
	x->f[0] = r->output ? report_create(r, r->output) : stdout;
	x->o[0].f = x->f[0];
	x->name[0] = r->output && x->f[0] ? strdup(r->output) : NULL;
	return x->f[0] ? 0 : 1;
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
		rc = report_each(r, plain, x) || x->failed;
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

/* Everything buffered is written, also after skipped chunks (rc 1): the
 * rows read are kept. A buffer that failed to write does not try again;
 * a write that fails here is said, unless one was already. */
static int close_all(struct export *x, int rc)
{
	for (int s = 0; s <= FMT_STREAM_MAX; s++) {
		FILE *f = x->f[s];
		if (obuf_flush(&x->o[s], 0)) {
			write_failed(x, s, x->o[s].err && errno ? strerror(errno) : "out of memory");
			rc = 1;
		}
		obuf_free(&x->o[s]);
		if (f && f != stdout) { /* stdout is main's to finish */
			int bad = ferror(f); /* perfetto writes to f itself */
			if (fclose(f) || bad) {
				write_failed(x, s, errno ? strerror(errno) : "unknown");
				rc = 1;
			}
		}
		free(x->name[s]);
	}
	return rc;
}

static void *part_run(void *arg)
{
	struct part *p = arg;

	p->rc = report_each(p->r, rows, p) || p->failed;
	return NULL;
}

/* Every stream on this thread. */
static int one_thread(struct report *r, struct export *x)
{
	struct part a = { .x = x, .r = r };

	part_run(&a);
	row_out_free(&a.w);
	return a.rc;
}

/* One file read in order: its chunks rendered on every thread
 * (export_par). Else streams that go to separate files are written by two
 * threads when --threads allows: exec, proc and cgroup by one, flow and
 * exit by the other, which reads the files through readers of its own.
 * Each file is written by one thread, in time order, as with one thread. */
#define SECOND_PART ((1u << FMT_STREAM_FLOW) | (1u << FMT_STREAM_EXIT))

static int export_rows(struct report *r, struct export *x)
{
	unsigned types = filter_streams(&r->f);
	struct report ra = *r, rb = *r;
	struct part a = { .x = x, .r = &ra }, b = { .x = x, .r = &rb };
	pthread_t t;
	unsigned opened = 0;
	int rc;

	x->r = r;
	if ((rc = export_par(r, x->per_stream, &par_ops, x)) >= 0)
		return rc; /* -1: not a file it can read in order */
	if (!x->per_stream || !(types & SECOND_PART) || !(types & ~SECOND_PART) ||
	    fmt_threads(r->threads) < 2 || !(rb.readers = calloc(r->nfiles, sizeof(*rb.readers))))
		return one_thread(r, x);
	for (; opened < r->nfiles; opened++)
		if (fmt_reader_open(r->paths[opened], &rb.readers[opened], NULL))
			break;
	ra.f.types = types & ~SECOND_PART;
	rb.f.types = types & SECOND_PART;
	rb.progress = 0; /* one progress line */
	rb.errors = 0;
	if (opened < r->nfiles || pthread_create(&t, NULL, part_run, &b)) {
		/* no second thread after all: one, with every stream */
		for (unsigned i = 0; i < opened; i++)
			fmt_reader_close(rb.readers[i]);
		free(rb.readers);
		return one_thread(r, x);
	}
	part_run(&a);
	pthread_join(t, NULL);
	r->errors = ra.errors + rb.errors;
	for (unsigned i = 0; i < opened; i++)
		fmt_reader_close(rb.readers[i]);
	free(rb.readers);
	row_out_free(&a.w);
	row_out_free(&b.w);
	return a.rc || b.rc;
}

static int run(struct report *r)
{
	struct export x = { .r = r };
	const char *fmt = r->format;
	int rc;

	if (!fmt) {
		report_err("export needs --format jsonl, csv, sqlite or perfetto");
		return 2;
	}
	if (!strcmp(fmt, "sqlite"))
		return export_plain(r, &x);
	if (!strcmp(fmt, "csv") || !strcmp(fmt, "jsonl")) {
		rc = fmt[0] == 'c' ? open_csv(r, &x) : open_jsonl(r, &x);
		if (rc)
			return close_all(&x, rc);
		return close_all(&x, export_rows(r, &x));
	}
	if (strcmp(fmt, "perfetto")) {
		report_err("invalid --format '%s': use jsonl, csv, sqlite or perfetto", fmt);
		return 2;
	}
	x.f[0] = r->output ? report_create(r, r->output) : stdout;
	if (!x.f[0])
		return 1;
	x.name[0] = r->output ? strdup(r->output) : NULL;
	return close_all(&x, perfetto_write(r, x.f[0]));
}

const struct report_cmd cmd_export = {
	.name = "export",
	.args = "FILE... --format jsonl|csv|sqlite|perfetto",
	.summary = "events as JSON lines, CSV, a plain SQLite database or a Perfetto trace",
	.opts = OPT(FORMAT) | OPT(OUTPUT) | OPT(FORCE) | OPT_READING,
	.run = run,
};
