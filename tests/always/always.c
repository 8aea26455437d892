/* always.c - see always.h. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "always.h"

extern char **environ;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void files_load(struct files *f, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[600];
		if (len < 4 || strcmp(de->d_name + len - 3, ".db"))
			continue;
		cr_assert_lt(f->n, 512);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f->path[f->n++] = strdup(path);
	}
	closedir(d);
	qsort(f->path, f->n, sizeof(*f->path), by_name);
	for (size_t i = 0; i < f->n; i++)
		capture_load(&f->cap[i], f->path[i]);
}

void files_free(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		capture_free(&f->cap[i]);
		free(f->path[i]);
	}
	f->n = 0;
}

unsigned files_count_arg(const struct files *f, const char *arg)
{
	unsigned n = 0;

	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < f->cap[i].nexec; k++)
			n += f->cap[i].execs[k].argc > 1 && !strcmp(f->cap[i].execs[k].argv[1], arg);
	return n;
}

const char *test_dir(const char *name)
{
	static char dir[4][256];
	static int k;
	char *d = dir[k++ % 4], cmd[300];

	snprintf(d, 256, "%s", rec_tmp_path(name));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", d, d);
	cr_assert_eq(system(cmd), 0);
	return d;
}

pid_t exec_loop(const char *prog, const char *tag, unsigned n, unsigned period_ms,
		unsigned noise)
{
	uint64_t rng = (uint64_t)getpid() * 2654435761u + 1;
	char *extra = noise ? malloc(noise + 1) : NULL;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid) {
		free(extra);
		return pid;
	}
	for (unsigned i = 0; i < n; i++) {
		char arg[64];
		const char *argv[] = { prog, arg, extra, NULL };
		struct timespec ts = { period_ms / 1000, (long)(period_ms % 1000) * 1000000 };
		pid_t c;
		int st;

		for (unsigned k = 0; extra && k < noise; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			extra[k] = (char)('!' + rng % 94);
		}
		if (extra)
			extra[noise] = 0;
		snprintf(arg, sizeof(arg), "%s-%u", tag, i);
		if (posix_spawn(&c, prog, NULL, NULL, (char *const *)argv, environ) ||
		    waitpid(c, &st, 0) != c)
			_exit(1);
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

void child_wait(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: status %d", pid, st);
}

const char *named_copy(const char *dir, const char *src, const char *name)
{
	static char path[4][300];
	static int k;
	char *p = path[k++ % 4], cmd[700];

	snprintf(p, 300, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "cp %s '%s'", src, p);
	cr_assert_eq(system(cmd), 0);
	return p;
}

uint64_t rss_of(pid_t pid)
{
	char path[64], line[256];
	unsigned long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *cap_meta(const struct capture *c, const char *key)
{
	return fmt_reader_meta(c->r, key);
}
