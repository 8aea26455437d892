/* cgname.h - what a cgroup path says, offline: the systemd unit, the
 * container id (docker, containerd, cri-o, podman patterns) and the
 * Kubernetes pod UID. Pure functions of the path: nothing is asked of a
 * runtime, so a session read on another machine names the same. */
#ifndef REPLAY_CGNAME_H
#define REPLAY_CGNAME_H

#include <stddef.h>

/* The innermost systemd unit in path ("ssh.service", "session-2.scope",
 * "docker-<id>.scope"), written to buf. @return buf, or NULL if none. */
char *cgname_unit(const char *path, char *buf, size_t len);
/* The container id in path (64 hex digits as the runtime wrote it).
 * @return buf, or NULL if path is not a container's. */
char *cgname_container(const char *path, char *buf, size_t len);
/* The Kubernetes pod UID in path (with dashes, as kubectl shows it).
 * @return buf, or NULL if none. */
char *cgname_pod(const char *path, char *buf, size_t len);

#endif
