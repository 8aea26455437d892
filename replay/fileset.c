/* fileset.c - see fileset.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileset.h"
#include "fmt_meta.h"
#include "report.h"
#include "session.h"

/* A SQLite file whose header says it is a session (FORMAT.md section 1). */
static int is_session(const char *path)
{
	unsigned char h[72];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) && !memcmp(h, "SQLite format 3", 16) &&
	     ((uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71]) ==
		     FMT_APPLICATION_ID;
	close(fd);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the session files of directory dir to *v. @return 0 or -1 */
static int add_dir(const char *dir, char ***v, unsigned *n, size_t *cap, unsigned *found)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned first = *n;

	*found = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[4200];
		struct stat st;
		size_t len = strlen(dir);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/",
			 de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !is_session(path))
			continue;
		if (*n == *cap) {
			char **nv = realloc(*v, (*cap = *cap * 2 + 16) * sizeof(**v));
			if (!nv)
				break;
			*v = nv;
		}
		if (!((*v)[*n] = strdup(path)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n > first)
		qsort(*v + first, *n - first, sizeof(**v), by_name);
	*found = *n - first;
	return 0;
}

int fileset_expand(char ***paths, unsigned *n)
{
	char **v = NULL;
	unsigned m = 0, found;
	size_t cap = 0;

	for (unsigned i = 0; i < *n; i++) {
		const char *p = (*paths)[i];
		struct stat st;

		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (add_dir(p, &v, &m, &cap, &found)) {
				report_err("cannot read directory '%s': %s", p, strerror(errno));
			} else if (!found) {
				report_err("no session files in '%s'", p);
			} else {
				continue;
			}
			fileset_free(v, m);
			return 2;
		}
		if (m == cap) {
			char **nv = realloc(v, (cap = cap * 2 + 16) * sizeof(*v));
			if (!nv) {
				fileset_free(v, m);
				report_err("out of memory");
				return 2;
			}
			v = nv;
		}
		if (!(v[m] = strdup(p))) {
			fileset_free(v, m);
			report_err("out of memory");
			return 2;
		}
		m++;
	}
	*paths = v;
	*n = m;
	return 0;
}

void fileset_free(char **paths, unsigned n)
{
	for (unsigned i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

void series_file_of(struct fmt_reader *r, const char *path, struct series_file *f)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->id = fmt_reader_meta(r, FMT_META_SERIES);
	if (f->id && fmt_reader_meta_u64(r, FMT_META_SERIES_SEQ, &f->seq))
		f->id = NULL; /* no usable place in a series */
	f->prev = fmt_reader_meta(r, FMT_META_SERIES_PREV);
	f->boot_id = fmt_reader_meta(r, FMT_META_BOOT_ID);
	f->start_ns = session_start_ns(r);
	f->end_ns = session_end_ns(r);
	f->offset = fmt_reader_clock_offset(r);
}

static const struct series_file *sorted_base;

static int by_seq(const void *a, const void *b)
{
	const struct series_file *x = &sorted_base[*(const unsigned *)a];
	const struct series_file *y = &sorted_base[*(const unsigned *)b];

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Check one series: idx[0..k-1] are its files, in sequence order. A file
 * renamed but in its place is not a problem. */
static void check_one(const struct series_file *f, const unsigned *idx, unsigned k,
		      series_problem_fn problem, void *ctx)
{
	char msg[700];

	for (unsigned j = 1; j < k; j++) {
		const struct series_file *a = &f[idx[j - 1]], *b = &f[idx[j]];
		const char *q = b->prev ? "'" : "", *prev = b->prev ? b->prev : "";
		unsigned long long miss = b->seq - a->seq - 1;

		if (b->seq == a->seq)
			snprintf(msg, sizeof(msg), "file %llu of its series is also '%s'",
				 (unsigned long long)b->seq, a->path);
		else if (miss == 1)
			snprintf(msg, sizeof(msg),
				 "the file before it in its series is missing (file %llu%s%s%s%s)",
				 (unsigned long long)(a->seq + 1), b->prev ? ", " : "", q, prev, q);
		else if (miss > 1)
			snprintf(msg, sizeof(msg),
				 "%llu files before it in its series are missing (files %llu to %llu%s%s%s%s)",
				 miss, (unsigned long long)(a->seq + 1), (unsigned long long)(b->seq - 1),
				 b->prev ? ", the last " : "", q, prev, q);
		else if (a->boot_id && b->boot_id && strcmp(a->boot_id, b->boot_id))
			snprintf(msg, sizeof(msg),
				 "out of order: another boot than '%s', the file before it in its series",
				 a->path);
		else if (b->start_ns < a->end_ns)
			snprintf(msg, sizeof(msg),
				 "out of order: it begins %.3fs before '%s', the file before it in its "
				 "series, ends",
				 (double)(a->end_ns - b->start_ns) / 1e9, a->path);
		else if (b->start_ns > a->end_ns)
			snprintf(msg, sizeof(msg),
				 "a gap of %.3fs in its series after '%s', the file before it",
				 (double)(b->start_ns - a->end_ns) / 1e9, a->path);
		else
			continue;
		problem(ctx, idx[j], msg);
	}
}

void series_check(const struct series_file *f, unsigned n, series_problem_fn problem, void *ctx)
{
	unsigned *idx = malloc((n ? n : 1) * sizeof(*idx));
	char *done = calloc(n ? n : 1, 1);

	if (!idx || !done) {
		free(idx);
		free(done);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned k = 0;
		if (done[i] || !f[i].id)
			continue;
		for (unsigned j = i; j < n; j++) {
			if (f[j].id && !strcmp(f[j].id, f[i].id)) {
				idx[k++] = j;
				done[j] = 1;
			}
		}
		sorted_base = f;
		qsort(idx, k, sizeof(*idx), by_seq);
		check_one(f, idx, k, problem, ctx);
	}
	free(idx);
	free(done);
}

uint64_t series_origin_ns(struct fmt_reader *const *readers, unsigned n, unsigned i)
{
	const char *id = fmt_reader_meta(readers[i], FMT_META_SERIES);
	int64_t off = fmt_reader_clock_offset(readers[i]);
	int64_t origin = (int64_t)session_start_ns(readers[i]) + off, t;

	for (unsigned j = 0; id && j < n; j++) {
		const char *other = fmt_reader_meta(readers[j], FMT_META_SERIES);
		if (j == i || !other || strcmp(other, id))
			continue;
		t = (int64_t)session_start_ns(readers[j]) + fmt_reader_clock_offset(readers[j]);
		if (t < origin)
			origin = t;
	}
	return origin - off < 0 ? 0 : (uint64_t)(origin - off);
}

unsigned series_members(struct fmt_reader *const *readers, unsigned n, unsigned i,
			unsigned *members)
{
	const char *id = fmt_reader_meta(readers[i], FMT_META_SERIES);
	unsigned k = 0;

	if (!id) {
		members[0] = i;
		return 1;
	}
	for (unsigned j = 0; j < n; j++) {
		const char *other = fmt_reader_meta(readers[j], FMT_META_SERIES);
		uint64_t s, t;
		unsigned at;
		if (!other || strcmp(other, id))
			continue;
		if (fmt_reader_meta_u64(readers[j], FMT_META_SERIES_SEQ, &s))
			s = 0;
		for (at = k; at > 0; at--) { /* insertion by sequence number */
			if (fmt_reader_meta_u64(readers[members[at - 1]], FMT_META_SERIES_SEQ, &t))
				t = 0;
			if (t <= s)
				break;
			members[at] = members[at - 1];
		}
		members[at] = j;
		k++;
	}
	return k;
}
