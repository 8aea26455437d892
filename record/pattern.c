/* pattern.c - see pattern.h. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt.h"
#include "fmt_meta.h"
#include "pattern.h"

const char *pattern_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Where the extension of a file name starts (its last dot, not a leading
 * one), or its end. */
static size_t ext_at(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name ? (size_t)(dot - name) : strlen(name);
}

/* Append c to the glob, escaped for fnmatch. @return 0 or -1 (full) */
static int glob_put(char *g, size_t len, size_t *n, char c, int literal)
{
	if (literal && strchr("*?[]\\", c)) {
		if (*n + 1 >= len)
			return -1;
		g[(*n)++] = '\\';
	}
	if (*n + 1 >= len)
		return -1;
	if (!(c == '*' && !literal && *n && g[*n - 1] == '*'))
		g[(*n)++] = c;
	g[*n] = 0;
	return 0;
}

/* The glob of the names: every field (and the sequence number, and the
 * "_n" of a name taken already) a '*'. */
static int make_glob(struct pattern *p)
{
	size_t n = 0, ext = ext_at(p->name);
	int rc = 0;

	p->glob[0] = 0;
	for (size_t i = 0; p->name[i] && !rc; i++) {
		if (i == ext && !p->fields)
			rc = glob_put(p->glob, sizeof(p->glob), &n, '-', 1) ||
			     glob_put(p->glob, sizeof(p->glob), &n, '*', 0);
		if (p->name[i] == '%' && p->name[i + 1] == '%')
			rc = rc || glob_put(p->glob, sizeof(p->glob), &n, p->name[++i], 1);
		else if (p->name[i] == '%' && p->name[i + 1])
			rc = rc || glob_put(p->glob, sizeof(p->glob), &n, '*', 0), i++;
		else
			rc = rc || glob_put(p->glob, sizeof(p->glob), &n, p->name[i], 1);
	}
	if (!rc && ext == strlen(p->name) && !p->fields)
		rc = glob_put(p->glob, sizeof(p->glob), &n, '-', 1) ||
		     glob_put(p->glob, sizeof(p->glob), &n, '*', 0);
	return rc;
}

int pattern_init(struct pattern *p, const char *pattern, char *err, size_t errlen)
{
	const char *name = pattern_basename(pattern);
	size_t dirlen = (size_t)(name - pattern);

	memset(p, 0, sizeof(*p));
	if (!*name) {
		snprintf(err, errlen, "invalid -o '%s': no file name", pattern);
		return -1;
	}
	if (dirlen >= sizeof(p->dir) || strlen(name) >= sizeof(p->name) - 16) {
		snprintf(err, errlen, "invalid -o '%s': too long", pattern);
		return -1;
	}
	if (memchr(pattern, '%', dirlen)) {
		snprintf(err, errlen,
			 "invalid -o '%s': strftime fields belong in the file name, not the directory",
			 pattern);
		return -1;
	}
	if (dirlen)
		snprintf(p->dir, sizeof(p->dir), "%.*s", (int)(dirlen > 1 ? dirlen - 1 : 1), pattern);
	else
		snprintf(p->dir, sizeof(p->dir), ".");
	snprintf(p->name, sizeof(p->name), "%s", name);
	for (const char *c = name; *c; c++) {
		if (*c != '%')
			continue;
		if (!c[1]) {
			snprintf(err, errlen, "invalid -o '%s': a lone '%%' at the end (write %%%%)",
				 pattern);
			return -1;
		}
		if (c[1] != '%')
			p->fields = 1;
		c++;
	}
	if (make_glob(p)) {
		snprintf(err, errlen, "invalid -o '%s': too long", pattern);
		return -1;
	}
	return 0;
}

/* name with the sequence number and "_n" inserted before the extension */
static int insert(char *out, size_t len, const char *name, const char *what)
{
	size_t ext = ext_at(name);
	int n = snprintf(out, len, "%.*s%s%s", (int)ext, name, what, name + ext);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int pattern_path(const struct pattern *p, time_t t, uint64_t seq, unsigned n, char *out,
		 size_t len)
{
	char name[1024], with[1100], what[48] = "";
	struct tm tm;
	size_t w;
	int k = 0;

	if (!localtime_r(&t, &tm))
		return -1;
	/* strftime also turns %% into %, in a pattern without fields too */
	w = strftime(name, sizeof(name), p->name, &tm);
	if (!w || w >= sizeof(name) - 1)
		return -1;
	if (!p->fields)
		k += snprintf(what + k, sizeof(what) - (size_t)k, "-%06llu", (unsigned long long)seq);
	if (n > 1)
		snprintf(what + k, sizeof(what) - (size_t)k, "_%u", n);
	if (insert(with, sizeof(with), name, what))
		return -1;
	k = !strcmp(p->dir, ".") ? snprintf(out, len, "%s", with) :
	    !strcmp(p->dir, "/") ? snprintf(out, len, "/%s", with) :
				   snprintf(out, len, "%s/%s", p->dir, with);
	return k < 0 || (size_t)k >= len ? -1 : 0;
}

int pattern_next(struct pattern *p, time_t t, uint64_t seq, char *out, size_t len)
{
	char first[4096];

	if (pattern_path(p, t, seq, 1, first, sizeof(first)))
		return -1;
	p->taken = strcmp(first, p->last) ? 1 : p->taken + 1;
	snprintf(p->last, sizeof(p->last), "%s", first);
	if (p->taken == 1) {
		snprintf(out, len, "%s", first);
		return strlen(first) < len ? 0 : -1;
	}
	return pattern_path(p, t, seq, p->taken, out, len);
}

struct candidate {
	char *path;
	int64_t start; /* wall-clock start, ns */
};

static int newest_first(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? 1 : -1;
	return strcmp(y->path, x->path);
}

/* A file of a series or a dump that no recorder is writing: @return 1 and
 * its wall-clock start. */
static int ours(const char *path, int64_t *start)
{
	struct fmt_reader *r;
	uint64_t s = 0;
	int ok;

	if (fmt_reader_open(path, &r, NULL))
		return 0;
	ok = !fmt_reader_being_written(r) &&
	     (fmt_reader_meta(r, FMT_META_SERIES) || fmt_reader_meta(r, FMT_META_TRIGGER));
	fmt_reader_meta_u64(r, FMT_META_START_NS, &s);
	*start = (int64_t)s + fmt_reader_clock_offset(r);
	fmt_reader_close(r);
	return ok;
}

unsigned pattern_retain(const struct pattern *p, const char *current, unsigned keep)
{
	struct candidate *c = NULL;
	size_t n = 0, cap = 0;
	unsigned deleted = 0;
	struct dirent *de;
	DIR *d;

	if (!keep || !(d = opendir(p->dir)))
		return 0;
	while ((de = readdir(d))) {
		char path[4600];
		struct stat st;
		int64_t start;

		if (fnmatch(p->glob, de->d_name, FNM_PERIOD) ||
		    !strcmp(de->d_name, pattern_basename(current)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", p->dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode) || !ours(path, &start))
			continue;
		if (n == cap) {
			struct candidate *nc = realloc(c, (cap = cap ? cap * 2 : 64) * sizeof(*c));
			if (!nc)
				break;
			c = nc;
		}
		if (!(c[n].path = strdup(path)))
			break;
		c[n++].start = start;
	}
	closedir(d);
	if (n > 1)
		qsort(c, n, sizeof(*c), newest_first);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 >= keep && fmt_remove_file(c[i].path) == 0)
			deleted++;
		free(c[i].path);
	}
	free(c);
	return deleted;
}
