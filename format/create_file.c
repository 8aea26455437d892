/* create_file.c - see create_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "create_file.h"
#include "fmt.h"

/* May we replace the file st that another user owns in path's directory?
 * Not in a world-writable directory (/tmp): a file planted there by
 * someone else is the classic way to make a privileged tool clobber or
 * expose data. The user sudo runs us for may replace their own files. */
static int foreign_in_shared_dir(const char *path, const struct stat *st)
{
	char dir[4096], *slash;
	const char *sudo_uid = getenv("SUDO_UID");
	struct stat ds;

	if (st->st_uid == geteuid() ||
	    (sudo_uid && geteuid() == 0 && strtoul(sudo_uid, NULL, 10) == st->st_uid))
		return 0;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	return stat(dir, &ds) == 0 && (ds.st_mode & (S_IWOTH | S_ISVTX));
}

int fmt_remove_file(const char *path)
{
	static const char *const sides[] = { "-wal", "-shm", "-journal" };
	char side[4096];
	int rc = unlink(path), e = errno;

	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", path, sides[i]);
		unlink(side);
	}
	errno = e;
	return rc;
}

/* Create the file ourselves so that it is new (or replaced when forced),
 * not a symlink, and 0600 from the first byte: argv can hold secrets. */
int fmt_create_file(const char *path, unsigned flags, int *fd_out, char *err, size_t errlen)
{
	int fd;

	if (flags & FMT_CREATE_FORCE) {
		struct stat st;
		int exists = lstat(path, &st) == 0;

		if (exists && !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "'%s' exists and is not a regular file", path);
			return FMT_EEXIST;
		}
		if (exists && foreign_in_shared_dir(path, &st)) {
			snprintf(err, errlen,
				 "'%s' belongs to uid %u in a world-writable directory: not replacing "
				 "it (remove it yourself if it is yours)",
				 path, (unsigned)st.st_uid);
			return FMT_EEXIST;
		}
		if (fmt_remove_file(path) && errno != ENOENT) {
			snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
			return FMT_EIO;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create '%s': %s%s", path, strerror(e),
			 e == EEXIST ? " (use --force to overwrite)" : "");
		return e == EEXIST ? FMT_EEXIST : e == ENOSPC ? FMT_EFULL : FMT_EIO;
	}
	fchmod(fd, 0600); /* whatever the umask */
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return FMT_OK;
}

