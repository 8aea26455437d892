/* cgroupfs.h - where the cgroup v2 hierarchy is mounted on this host. */
#ifndef REC_CGROUPFS_H
#define REC_CGROUPFS_H

#include <stddef.h>

/* Copy the mount point of the cgroup2 file system (from /proc/mounts:
 * /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid
 * one; never assumed) into buf. @return 0, or -1 if none is mounted. */
int cgroupfs_root(char *buf, size_t len);

#endif
