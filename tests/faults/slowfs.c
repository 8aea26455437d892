/* slowfs.c - a slow disk for the fault tests: a FUSE file system that
 * passes everything through to a backing directory and sleeps before each
 * write and fsync. Real file system semantics (SQLite's locks, mmap of the
 * WAL index, fsync) with the latency of a dying disk.
 *
 *   slowfs BACKING_DIR MOUNTPOINT DELAY_MS       (foreground; umount to stop)
 *
 * On exit it prints how many writes it delayed. */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char backing[4096];
static unsigned delay_us;
static atomic_ulong delayed;

static void real(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s", backing, path);
}

#define REAL(p)                                                                                \
	char p##_real[8192];                                                                   \
	real(p##_real, sizeof(p##_real), p)

static int s_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	REAL(path);
	if (fi)
		return fstat((int)fi->fh, st) ? -errno : 0;
	return lstat(path_real, st) ? -errno : 0;
}

static int s_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *d;
	struct dirent *e;
	REAL(path);

	(void)off, (void)fi, (void)flags;
	if (!(d = opendir(path_real)))
		return -errno;
	while ((e = readdir(d)))
		fill(buf, e->d_name, NULL, 0, 0);
	closedir(d);
	return 0;
}

static int s_open(const char *path, struct fuse_file_info *fi)
{
	REAL(path);
	int fd = open(path_real, fi->flags & ~O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int s_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	REAL(path);
	int fd = open(path_real, fi->flags | O_CREAT, mode);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int s_read(const char *path, char *buf, size_t n, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	ssize_t got = pread((int)fi->fh, buf, n, off);
	return got < 0 ? -errno : (int)got;
}

static int s_write(const char *path, const char *buf, size_t n, off_t off,
		   struct fuse_file_info *fi)
{
	(void)path;
	usleep(delay_us);
	atomic_fetch_add(&delayed, 1);
	ssize_t put = pwrite((int)fi->fh, buf, n, off);
	return put < 0 ? -errno : (int)put;
}

static int s_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	usleep(delay_us);
	return (datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) ? -errno : 0;
}

static int s_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int s_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	REAL(path);
	if (fi)
		return ftruncate((int)fi->fh, size) ? -errno : 0;
	return truncate(path_real, size) ? -errno : 0;
}

static int s_unlink(const char *path)
{
	REAL(path);
	return unlink(path_real) ? -errno : 0;
}

static int s_access(const char *path, int mask)
{
	REAL(path);
	return access(path_real, mask) ? -errno : 0;
}

static int s_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	REAL(path);
	if (fi)
		return fchmod((int)fi->fh, mode) ? -errno : 0;
	return chmod(path_real, mode) ? -errno : 0;
}

static int s_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	REAL(path);
	if (fi)
		return fchown((int)fi->fh, uid, gid) ? -errno : 0;
	return lchown(path_real, uid, gid) ? -errno : 0;
}

static int s_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	REAL(path);
	if (fi)
		return futimens((int)fi->fh, tv) ? -errno : 0;
	return utimensat(AT_FDCWD, path_real, tv, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int s_statfs(const char *path, struct statvfs *st)
{
	REAL(path);
	return statvfs(path_real, st) ? -errno : 0;
}

static int s_mkdir(const char *path, mode_t mode)
{
	REAL(path);
	return mkdir(path_real, mode) ? -errno : 0;
}

static const struct fuse_operations ops = {
	.getattr = s_getattr,
	.readdir = s_readdir,
	.open = s_open,
	.create = s_create,
	.read = s_read,
	.write = s_write,
	.fsync = s_fsync,
	.release = s_release,
	.truncate = s_truncate,
	.unlink = s_unlink,
	.access = s_access,
	.chmod = s_chmod,
	.chown = s_chown,
	.utimens = s_utimens,
	.statfs = s_statfs,
	.mkdir = s_mkdir,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-f", "-s", "-o", "default_permissions", argv[2], NULL };
	int rc;

	if (argc != 4 || !realpath(argv[1], backing)) {
		fprintf(stderr, "usage: slowfs BACKING_DIR MOUNTPOINT DELAY_MS\n");
		return 2;
	}
	delay_us = (unsigned)atoi(argv[3]) * 1000u;
	rc = fuse_main(6, fargv, &ops, NULL);
	printf("slowfs: %lu writes delayed\n", (unsigned long)atomic_load(&delayed));
	return rc;
}
