/* report.c - see report.h: opening the session files, walking their
 * records through the filters in time order (the window pushed down to the
 * chunk index), creating the files commands write, and diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileset.h"
#include "report.h"
#include "who.h"
#include "session.h"

void report_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ebpfreport: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The filters' view of the processes and cgroups (filter.h). */
static const char *filter_cgroup(void *ctx, unsigned source, uint64_t id)
{
	return who_cgroup(ctx, source, id);
}

static int filter_process(void *ctx, unsigned source, const struct fmt_owner *o, uint64_t ts,
			  struct fmt_name *out)
{
	const struct fmt_names *n = who_names(ctx);

	return n ? fmt_names_get(n, source, o->pid, o->start_ns, ts, out) : -1;
}

int report_open(struct report *r)
{
	unsigned ok = 0;
	char *p;

	r->readers = calloc(r->nfiles, sizeof(*r->readers));
	if (!r->readers) {
		report_err("out of memory");
		return 1;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		char *err = NULL;
		if (fmt_reader_open(r->paths[i], &r->readers[i], &err)) {
			report_err("%s", err ? err : r->paths[i]);
			free(err);
			r->errors++;
			continue;
		}
		/* the paths are swapped, not copied over: each is freed once,
		 * by whoever owns the array (fileset_free) */
		r->readers[ok] = r->readers[i];
		p = r->paths[ok];
		r->paths[ok] = r->paths[i];
		r->paths[i] = p;
		ok++;
	}
	r->nfiles = ok;
	if (!ok)
		return 1;
	r->f.cgroup_path = filter_cgroup;
	r->f.process = filter_process;
	r->f.ctx = r;
	/* Built now rather than on a first match, which may come from a
	 * scanning thread. */
	if (filter_has(&r->f, FILTER_UID) || filter_has(&r->f, FILTER_COMM) ||
	    filter_has(&r->f, FILTER_UNIT) || filter_has(&r->f, FILTER_CONTAINER))
		who_names(r);
	for (unsigned i = 0; filter_has(&r->f, FILTER_SINCE) && filter_has(&r->f, FILTER_UNTIL) &&
			     i < r->nfiles; i++) {
		uint64_t from, to;
		report_window(r, i, &from, &to);
		if (from > to) {
			report_err("--since '%s' is later than --until '%s'%s%s", r->f.since_arg,
				   r->f.until_arg, r->nfiles > 1 ? " in " : "",
				   r->nfiles > 1 ? r->paths[i] : "");
			return 2;
		}
	}
	return 0;
}

void report_close(struct report *r)
{
	who_free(r);
	for (unsigned i = 0; i < r->nfiles && r->readers; i++)
		fmt_reader_close(r->readers[i]);
	free(r->readers);
	r->readers = NULL;
}

/* The boot-clock window of file i. */
void report_window(const struct report *r, unsigned i, uint64_t *from, uint64_t *to)
{
	struct fmt_reader *rd = r->readers[i];
	/* relative to the start of the session: of its series if it is in one */
	int64_t off = fmt_reader_clock_offset(rd), t, start = 0;

	/* the series' origin costs a look at every file of it: only for
	 * relative times */
	if ((filter_has(&r->f, FILTER_SINCE) && r->f.since_rel) ||
	    (filter_has(&r->f, FILTER_UNTIL) && r->f.until_rel))
		start = (int64_t)series_origin_ns(r->readers, r->nfiles, i);

	*from = 0;
	*to = UINT64_MAX;
	if (filter_has(&r->f, FILTER_SINCE)) {
		t = r->f.since_rel ? start + r->f.since : r->f.since - off;
		*from = t < 0 ? 0 : (uint64_t)t;
	}
	if (filter_has(&r->f, FILTER_UNTIL)) {
		t = r->f.until_rel ? start + r->f.until : r->f.until - off;
		*to = t < 0 ? 0 : (uint64_t)t;
	}
}

double report_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void report_progress_start(struct report_progress *p, const struct report *r)
{
	p->on = r->progress == 1 || (r->progress == -1 && isatty(STDERR_FILENO));
	p->shown = false;
	p->t0 = report_clock();
}

void report_progress_show(struct report_progress *p, const char *what, double done)
{
	if (!p->on || report_clock() - p->t0 <= 1.0)
		return;
	fprintf(stderr, "\rebpfreport: reading %s%s%3.0f%%", what, *what ? " " : "", 100 * done);
	p->shown = true;
}

void report_progress_end(struct report_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
}

int report_each(struct report *r, report_cb cb, void *ctx)
{
	uint64_t *from = calloc(r->nfiles, sizeof(*from));
	uint64_t *to = calloc(r->nfiles, sizeof(*to));
	unsigned mask = filter_streams(&r->f);
	struct fmt_iter *it = NULL;
	struct fmt_event ev;
	uint64_t n = 0;
	int by_record = filter_by_record(&r->f), rc;
	struct report_progress pg;

	if (!from || !to) {
		free(from);
		free(to);
		report_err("out of memory");
		return 1;
	}
	for (unsigned i = 0; i < r->nfiles; i++)
		report_window(r, i, &from[i], &to[i]);
	report_progress_start(&pg, r);
	rc = fmt_iter_open_threads(r->readers, r->nfiles, mask, from, to, r->threads, &it);
	free(from);
	free(to);
	if (rc) {
		report_err("%s", fmt_reader_errmsg(r->readers[0]));
		return 1;
	}
	while ((rc = fmt_iter_next(it, &ev)) != 0) {
		if (rc < 0) {
			report_err("%s (skipped)", fmt_reader_errmsg(r->readers[ev.source]));
			r->errors++;
			continue;
		}
		fmt_iter_where(it, &r->at_batch, &r->at_pos);
		if ((!by_record || filter_match(&r->f, r->readers[ev.source], &ev)) && cb(r, &ev, ctx))
			break;
		if ((++n & 0xffff) == 0)
			report_progress_show(&pg, "", (double)fmt_iter_chunks_decoded(it) /
						       (double)fmt_iter_chunks_total(it));
	}
	report_progress_end(&pg);
	r->at_batch = NULL;
	fmt_iter_free(it);
	return r->errors && !r->ignore_errors ? 1 : 0;
}

/* Open an output file the way the session writer does (fmt_create_file). */
FILE *report_create(struct report *r, const char *path)
{
	char err[512];
	int fd;
	FILE *f;

	if (fmt_create_file(path, r->force ? FMT_CREATE_FORCE : 0, &fd, err, sizeof(err))) {
		report_err("%s", err);
		return NULL;
	}
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		report_err("cannot create '%s': %s", path, strerror(errno));
	}
	return f;
}
