/* rewrite.c - see rewrite.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt_meta.h"
#include "rewrite.h"

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int rewrite_begin(struct report *r, struct rewrite *rw)
{
	char *err = NULL;

	memset(rw, 0, sizeof(*rw));
	if (!r->output) {
		report_err("%s needs an output file: -o OUT", r->cmd_name);
		return 2;
	}
	for (unsigned i = 0; i < r->nfiles; i++) {
		if (same_file(r->output, r->paths[i])) {
			report_err("%s: output is also an input", r->output);
			return 2;
		}
	}
	if (fmt_writer_create(r->output, r->force ? FMT_CREATE_FORCE : 0, NULL, &rw->w, &err)) {
		report_err("%s", err ? err : r->output);
		free(err);
		return 1;
	}
	rw->path = r->output;
	return 0;
}

void rewrite_meta(struct rewrite *rw, const char *key, const char *value)
{
	if (fmt_writer_set_meta(rw->w, key, value))
		rw->failed = 1;
}

void rewrite_meta_u64(struct rewrite *rw, const char *key, uint64_t value)
{
	if (fmt_writer_set_meta_u64(rw->w, key, value))
		rw->failed = 1;
}

void rewrite_copy_meta(struct rewrite *rw, struct fmt_reader *rd, const char *prefix)
{
	size_t n = fmt_reader_meta_count(rd);
	char key[512];

	for (size_t i = 0; i < n; i++) {
		const char *k, *v;
		fmt_reader_meta_at(rd, i, &k, &v);
		if (fmt_meta_is_writer_key(k) || (!*prefix && fmt_meta_is_unique_key(k)))
			continue; /* a merge keeps sourceN.session_id, a slice is new */
		snprintf(key, sizeof(key), "%s%s", prefix, k);
		rewrite_meta(rw, key, v);
	}
}

static uint64_t moved(uint64_t ts, int64_t shift)
{
	return (uint64_t)((int64_t)ts + shift);
}

void rewrite_oom(struct rewrite *rw)
{
	report_err("out of memory");
	rw->failed = 1;
	rw->said = true;
}

int rewrite_add(struct rewrite *rw, const struct fmt_event *ev, int64_t shift)
{
	struct fmt_event e = *ev;

	switch (e.stream) {
	case FMT_STREAM_EXEC:
		e.exec.ts_ns = moved(e.exec.ts_ns, shift);
		e.exec.start_ns = e.exec.start_ns ? moved(e.exec.start_ns, shift) : 0;
		break;
	case FMT_STREAM_EXIT:
		e.exit.ts_ns = moved(e.exit.ts_ns, shift);
		e.exit.start_ns = e.exit.start_ns ? moved(e.exit.start_ns, shift) : 0;
		break;
	case FMT_STREAM_FLOW:
		e.flow.ts_ns = moved(e.flow.ts_ns, shift);
		e.flow.owner.start_ns =
			e.flow.owner.start_ns ? moved(e.flow.owner.start_ns, shift) : 0;
		break;
	case FMT_STREAM_PROC:
		e.proc.ts_ns = moved(e.proc.ts_ns, shift);
		e.proc.start_ns = e.proc.start_ns ? moved(e.proc.start_ns, shift) : 0;
		break;
	case FMT_STREAM_CGROUP:
		e.cgroup.ts_ns = moved(e.cgroup.ts_ns, shift);
		break;
	}
	if (fmt_writer_append(rw->w, &e)) {
		report_err("%s: %s", rw->path, fmt_writer_errmsg(rw->w));
		rw->failed = 1;
		rw->said = true;
		return 1;
	}
	rw->records++;
	return 0;
}

int rewrite_end(struct rewrite *rw, int status)
{
	char *err = NULL;

	if (!rw->w)
		return status;
	if (rw->failed && !status) { /* said once: where, or else here */
		if (!rw->said)
			report_err("%s: %s", rw->path, fmt_writer_errmsg(rw->w));
		status = 1;
	}
	if (status) {
		fmt_writer_abandon(rw->w);
	} else if (fmt_writer_close(rw->w, &err)) {
		if (err && strstr(err, rw->path))
			report_err("%s", err);
		else /* say which file: the writer's own words may not */
			report_err("%s: %s", rw->path, err ? err : "cannot finish");
		free(err);
		status = 1;
	}
	rw->w = NULL;
	if (status) {
		fmt_remove_file(rw->path);
		fprintf(stderr, "ebpfreport: %s removed (incomplete)\n", rw->path);
	}
	return status;
}
