/* recorder.h - run the real ebpfrec binary from a test and read what it
 * recorded with the format reader. */
#ifndef TEST_RECORDER_H
#define TEST_RECORDER_H

#include <stdint.h>
#include <sys/types.h>

#include "fmt.h"

struct recorder {
	pid_t pid;
	char path[256];
};

/* Start ebpfrec -o path --no-net [args...] and wait until its probes are
 * attached (meta attached_ns). Fails the test if it does not come up in
 * 20 s. */
void recorder_start(struct recorder *rec, const char *path, const char *const *args);
/* The same with the recorder's stderr going to the file log. */
void recorder_start_logged(struct recorder *rec, const char *path, const char *const *args,
			   const char *log);
/* The same inside network namespace ns (ip netns exec). */
void recorder_start_in(struct recorder *rec, const char *ns, const char *path,
		       const char *const *args);
/* The same inside ns, with stderr going to the file log. */
void recorder_start_in_logged(struct recorder *rec, const char *ns, const char *path,
			      const char *const *args, const char *log);
/* Start ebpfrec with exactly args (no -o, --force, --no-net added), in
 * network namespace ns unless NULL, its stderr into log unless NULL, and
 * wait until ready(ctx) says 1 (polled every 10 ms; the test fails after
 * 20 s or if ebpfrec exits first). rec->path is left empty. */
void recorder_spawn(struct recorder *rec, const char *ns, const char *const *args,
		    const char *log, int (*ready)(void *ctx), void *ctx);
/* A ready() for recorder_spawn: the file (a const char * path) holds the
 * line ebpfrec writes on stderr with --progress once its probes are live. */
int recorder_log_ready(void *log_path);

/* Send sig and wait; @return the wait status. */
int recorder_stop(struct recorder *rec, int sig);

/* Everything in a file, deep-copied. */
struct capture {
	struct fmt_exec *execs;
	size_t nexec;
	struct fmt_exit *exits;
	size_t nexit;
	struct fmt_flow *flows;
	size_t nflow;
	struct fmt_event **ctx; /* process-table and cgroup records */
	size_t nctx;
	int clean;
	struct fmt_reader *r; /* kept open for meta */
};
void capture_load(struct capture *c, const char *path);
void capture_free(struct capture *c);
const struct fmt_exec *capture_exec_by_pid(const struct capture *c, uint32_t pid);
const struct fmt_exit *capture_exit_by_pid(const struct capture *c, uint32_t pid);
const struct fmt_proc *capture_proc_by_pid(const struct capture *c, uint32_t pid);
/* The latest path the file gives cgroup id, or NULL. */
const char *capture_cgroup_path(const struct capture *c, uint64_t id);
uint64_t capture_meta_u64(const struct capture *c, const char *key);

/* A fresh path in a per-process temporary directory. */
const char *rec_tmp_path(const char *name);

/* recorder_start with the recorder's stdout (--print) going to the file out. */
void recorder_start_printing(struct recorder *rec, const char *path, const char *const *args,
			     const char *out);

#endif
