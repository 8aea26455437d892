/* cgroupfs.h - where the cgroup v2 hierarchy is mounted on this host. */
#ifndef REC_CGROUPFS_H
#define REC_CGROUPFS_H

#include <stddef.h>

/* Copy the mount point of the cgroup2 file system (from /proc/mounts:
 * /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid
 * one; never assumed) into buf. When none is mounted in our mount
 * namespace, a path to a mount of our own that no one else sees.
 * @return 0, or -1 if there is no cgroup v2 at all. */
int cgroupfs_root(char *buf, size_t len);
/* @return 1 if root (from cgroupfs_root) is our own mount */
int cgroupfs_is_detached(const char *root);

#endif
