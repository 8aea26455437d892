/* cgroupfs.c - see cgroupfs.h. */
#include <mntent.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

int cgroupfs_root(char *buf, size_t len)
{
	FILE *f = setmntent("/proc/mounts", "re");
	struct mntent *m;
	int rc = -1;

	if (!f)
		return -1;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2"))
			continue;
		snprintf(buf, len, "%s", m->mnt_dir);
		rc = 0;
		break;
	}
	endmntent(f);
	return rc;
}
