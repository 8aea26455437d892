/* always.h - what the rotation and flight-recorder tests share: a
 * directory of files a recorder made, loaded; steady exec loops and
 * traffic running in the background while it records; memory samples. */
#ifndef TEST_ALWAYS_H
#define TEST_ALWAYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../record/recorder.h"

/* The session files of a directory, in name order, each loaded. */
struct files {
	char dir[256];
	char *path[512];
	struct capture cap[512];
	size_t n;
};
/* Load every session file of dir (none is an error only if want_some). */
void files_load(struct files *f, const char *dir);
void files_free(struct files *f);
/* How many loaded files hold an exec whose argv[1] is arg, in all. */
unsigned files_count_arg(const struct files *f, const char *arg);

/* A fresh, empty directory for a test (under the recorder tests' tmp). */
const char *test_dir(const char *name);

/* In a child process: n execs of prog with argv[1] = "TAG-i" (i = 0..n-1)
 * and, if noise is not 0, argv[2] = that many random printable bytes (new
 * for each exec: they do not compress away), one every period_ms.
 * @return its pid. */
pid_t exec_loop(const char *prog, const char *tag, unsigned n, unsigned period_ms,
		unsigned noise);
/* Wait for a child; fails the test unless it exited 0. */
void child_wait(pid_t pid);

/* A copy of /bin/true or /bin/false under a name of its own (the comm of
 * what it runs), in dir. @return its path (static, 4 in rotation). */
const char *named_copy(const char *dir, const char *src, const char *name);

/* VmRSS of pid, in bytes (0 if it is gone). */
uint64_t rss_of(pid_t pid);
/* CLOCK_BOOTTIME now, ns: the clock of every recorded timestamp. */
uint64_t boot_ns(void);

/* A meta value of a loaded capture, or NULL. */
const char *cap_meta(const struct capture *c, const char *key);

#endif
