/* tracefs.h - tracepoint ids without touching the host's mounts. */
#ifndef REC_TRACEFS_H
#define REC_TRACEFS_H

/* The id of tracepoint category:event (e.g. "syscalls", "sys_exit_execve"),
 * read from tracefs. Where tracefs is not mounted, a short-lived child
 * mounts it in a private mount namespace of its own and reads the id
 * there: the host's mounts stay as they were. @return the id (> 0), or -1
 * with errno (ENOENT: no such tracepoint). */
int tracepoint_id(const char *category, const char *event);

#endif
