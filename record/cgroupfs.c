/* cgroupfs.c - see cgroupfs.h. */
#define _GNU_SOURCE
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cgroupfs.h"

static int detached = -1; /* our own mount of the hierarchy, once made */

/* A mount of cgroup2 attached nowhere (the new mount API): visible to this
 * process only, through its descriptor, gone when it exits. It is the
 * same hierarchy (that of our cgroup namespace) as any other mount. */
static int mount_detached(void)
{
	int fs, mnt;

	if (detached >= 0)
		return detached;
	fs = fsopen("cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		close(fs);
		return -1;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	close(fs);
	return detached = mnt;
}

int cgroupfs_root(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/mounts", "re");
	struct mntent *m;
	int rc = -1;

	while (f && (m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		snprintf(buf, len, "%s", m->mnt_dir);
		rc = 0;
		break;
	}
	if (f)
		endmntent(f);
	/* none here: `ip netns exec` remounts /sys without it, for one */
	if (rc && mount_detached() >= 0) {
		snprintf(buf, len, "/proc/self/fd/%d/.", detached);
		rc = 0;
	}
	return rc;
}

int cgroupfs_is_detached(const char *root)
{
	return detached >= 0 && !strncmp(root, "/proc/self/fd/", 14);
}
