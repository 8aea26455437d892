/* tmpdir.c - see tmpdir.h. */
#define _GNU_SOURCE /* nftw's FTW_PHYS */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"

#define MAX_DIRS 8

static char dirs[MAX_DIRS][256];
static int ndirs;
static pid_t owner; /* the process that made them: a forked child that
		     * calls exit() must not remove its parent's files */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_all(void)
{
	const char *keep = getenv("EBPFREC_KEEP_TMP");

	if (getpid() != owner || (keep && *keep && strcmp(keep, "0")))
		return;
	for (int i = 0; i < ndirs; i++)
		nftw(dirs[i], remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tmpdir_make(char *dir, size_t len, const char *prefix)
{
	snprintf(dir, len, "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(dir))
		return NULL;
	if (ndirs < MAX_DIRS && strlen(dir) < sizeof(dirs[0])) {
		if (!ndirs || owner != getpid()) {
			ndirs = 0; /* a child's own list starts afresh */
			owner = getpid();
			atexit(remove_all);
		}
		strcpy(dirs[ndirs++], dir);
	}
	return dir;
}
