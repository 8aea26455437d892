/* session.c - opening the session files, walking their records through
 * the filters (time window pushed down to the chunk index), and creating
 * the files commands write. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "sessinfo.h"

int report_open(struct report *r)
{
	unsigned ok = 0;

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
		r->readers[ok] = r->readers[i];
		r->paths[ok] = r->paths[i];
		ok++;
	}
	r->nfiles = ok;
	if (!ok)
		return 1;
	return 0;
}

void report_close(struct report *r)
{
	for (unsigned i = 0; i < r->nfiles && r->readers; i++)
		fmt_reader_close(r->readers[i]);
	free(r->readers);
	r->readers = NULL;
}

static bool ip_match(const struct filter *f, const struct fmt_flow_key *k, const uint8_t *a)
{
	unsigned bits = f->ip_prefix, full = bits / 8, rest = bits % 8;

	if (k->family != f->ip_family)
		return false;
	if (memcmp(a, f->ip, full))
		return false;
	if (rest && ((a[full] ^ f->ip[full]) & (0xff << (8 - rest)) & 0xff))
		return false;
	return true;
}

bool filter_match(const struct report *r, const struct fmt_event *ev)
{
	const struct filter *f = &r->f;

	if (f->types && !(f->types & (1u << ev->stream)))
		return false;
	switch (ev->stream) {
	case FMT_STREAM_EXEC: {
		const struct fmt_exec *e = &ev->exec;
		if (f->ip_set || f->port >= 0 || f->proto >= 0 || f->iface || f->dir >= 0)
			return false;
		if ((f->pid >= 0 && e->pid != f->pid) || (f->ppid >= 0 && e->ppid != f->ppid) ||
		    (f->uid >= 0 && e->uid != f->uid))
			return false;
		if (f->comm && fnmatch(f->comm, e->comm, 0))
			return false;
		if (f->path && fnmatch(f->path, e->filename, 0))
			return false;
		return true;
	}
	case FMT_STREAM_EXIT: {
		const struct fmt_exit *x = &ev->exit;
		if (f->ip_set || f->port >= 0 || f->proto >= 0 || f->iface || f->dir >= 0 ||
		    f->uid >= 0 || f->comm || f->path)
			return false;
		if ((f->pid >= 0 && x->pid != f->pid) || (f->ppid >= 0 && x->ppid != f->ppid))
			return false;
		return true;
	}
	case FMT_STREAM_FLOW: {
		const struct fmt_flow_key *k = &ev->flow.key;
		if (f->pid >= 0 || f->ppid >= 0 || f->uid >= 0 || f->comm || f->path)
			return false;
		if (f->ip_set && !ip_match(f, k, k->src) && !ip_match(f, k, k->dst))
			return false;
		if (f->port >= 0 && k->sport != f->port && k->dport != f->port)
			return false;
		if (f->proto >= 0 && k->proto != f->proto)
			return false;
		if (f->dir >= 0 && k->dir != f->dir)
			return false;
		if (f->iface && !sess_iface_match(r->readers[ev->source], f->iface, k->ifindex))
			return false;
		return true;
	}
	}
	return false;
}

/* The boot-clock window of file i. */
void report_window(const struct report *r, unsigned i, uint64_t *from, uint64_t *to)
{
	struct fmt_reader *rd = r->readers[i];
	int64_t off = fmt_reader_clock_offset(rd), start = (int64_t)sess_start_ns(rd), t;

	*from = 0;
	*to = UINT64_MAX;
	if (r->f.since_set) {
		t = r->f.since_rel ? start + r->f.since : r->f.since - off;
		*from = t < 0 ? 0 : (uint64_t)t;
	}
	if (r->f.until_set) {
		t = r->f.until_rel ? start + r->f.until : r->f.until - off;
		*to = t < 0 ? 0 : (uint64_t)t;
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int report_each(struct report *r, report_cb cb, void *ctx)
{
	uint64_t *from = calloc(r->nfiles, sizeof(*from));
	uint64_t *to = calloc(r->nfiles, sizeof(*to));
	unsigned mask = r->f.types ? r->f.types : FMT_STREAM_MASK_ALL;
	struct fmt_iter *it = NULL;
	struct fmt_event ev;
	uint64_t n = 0;
	double t0 = now_s();
	int progress = r->progress == 1 || (r->progress == -1 && isatty(STDERR_FILENO));
	int rc, shown = 0;

	if (!from || !to) {
		free(from);
		free(to);
		report_err("out of memory");
		return 1;
	}
	for (unsigned i = 0; i < r->nfiles; i++)
		report_window(r, i, &from[i], &to[i]);
	rc = fmt_iter_open_windows(r->readers, r->nfiles, mask, from, to, &it);
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
		if (filter_match(r, &ev) && cb(r, &ev, ctx))
			break;
		if (progress && (++n & 0xffff) == 0 && now_s() - t0 > 1.0) {
			fprintf(stderr, "\rebpfreport: reading %3.0f%%",
				100.0 * (double)fmt_iter_chunks_decoded(it) /
					(double)fmt_iter_chunks_total(it));
			shown = 1;
		}
	}
	if (shown)
		fprintf(stderr, "\r\033[K");
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

int report_finish_output(struct report *r, int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		report_err("write error on standard output");
		return 1;
	}
	if (r->errors && !r->ignore_errors && status == 0)
		status = 1;
	return status;
}
