/* create_file.c - see create_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create_file.h"
#include "fmt.h"

/* Create the file ourselves so that it is new (or replaced when forced),
 * not a symlink, and 0600 from the first byte: argv can hold secrets. */
int fmt_create_file(const char *path, unsigned flags, char *err, size_t errlen)
{
	int fd;

	if (flags & FMT_CREATE_FORCE) {
		struct stat st;
		char side[4096];

		if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "'%s' exists and is not a regular file", path);
			return FMT_EEXIST;
		}
		if (unlink(path) && errno != ENOENT) {
			snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
			return FMT_EIO;
		}
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-journal", path);
		unlink(side);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create '%s': %s%s", path, strerror(e),
			 e == EEXIST ? " (use --force to overwrite)" : "");
		return e == EEXIST ? FMT_EEXIST : e == ENOSPC ? FMT_EFULL : FMT_EIO;
	}
	fchmod(fd, 0600); /* whatever the umask */
	close(fd);
	return FMT_OK;
}

