/* fmt_records.h - the records a session file holds, as user space sees them.
 *
 * These are the in-memory forms handed to the writer and returned by the
 * reader. They are not the kernel/user ABI (that lives in bpf/) and not the
 * on-disk encoding (see docs/FORMAT.md and chunk_codec.h). No kernel headers.
 */
#ifndef FMT_RECORDS_H
#define FMT_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

/* Stream numbers are stored in chunk.stream; never renumber them. */
enum fmt_stream {
	FMT_STREAM_EXEC = 1,
	FMT_STREAM_EXIT = 2,
	FMT_STREAM_FLOW = 3,
	FMT_STREAM_PROC = 4, /* the process table when recording began (format 1.1) */
	FMT_STREAM_CGROUP = 5, /* cgroup ids and their paths (format 1.1) */
};
#define FMT_STREAM_MAX 5
#define FMT_STREAM_MASK_ALL                                                            \
	((1u << FMT_STREAM_EXEC) | (1u << FMT_STREAM_EXIT) | (1u << FMT_STREAM_FLOW) | \
	 (1u << FMT_STREAM_PROC) | (1u << FMT_STREAM_CGROUP))

/* @return the stream's name ("exec", "exit", "flow", "proc", "cgroup"), as
 * --type, exports and SQL tables spell it, or NULL for a stream this
 * version does not know. */
static inline const char *fmt_stream_name(int stream)
{
	static const char *const names[FMT_STREAM_MAX + 1] = { NULL, "exec", "exit", "flow", "proc",
								"cgroup" };

	return stream >= 0 && stream <= FMT_STREAM_MAX ? names[stream] : NULL;
}

/* exec (and proc) flags */
#define FMT_EXEC_ARGV_TRUNCATED 0x1u /* argv was cut at the recorder's bound */
#define FMT_EXEC_CWD_TRUNCATED 0x2u /* the working directory was cut */
#define FMT_PROC_KTHREAD 0x4u /* proc: a kernel thread (no executable, no argv) */

/* One exec (successful or failed). Strings are NUL-terminated and never
 * contain NUL; the writer copies them, the reader's point into its batch. */
struct fmt_exec {
	uint64_t ts_ns; /* CLOCK_BOOTTIME of the exec */
	uint64_t cgroup_id;
	uint32_t pid; /* tgid */
	uint32_t tid; /* thread that called exec */
	uint32_t ppid;
	uint32_t uid;
	uint32_t gid;
	int32_t ret; /* 0, or the negative errno of a failed exec */
	uint32_t flags; /* FMT_EXEC_* */
	uint32_t argc;
	const char *comm; /* new comm (at most 15 bytes in practice) */
	const char *pcomm; /* parent's comm */
	const char *filename; /* path executed */
	const char *const *argv; /* argc strings; empty strings are kept */
	/* format 1.1; NULL / 0 when not recorded */
	const char *interp; /* a #! script's interpreter (argv[0] is it) */
	const char *cwd; /* the working directory */
	uint64_t start_ns; /* when the process started (fork), same clock as ts_ns */
};

/* One process alive when the recording began (the process table). Strings
 * as in fmt_exec; a kernel thread has no executable and no argv. */
struct fmt_proc {
	uint64_t ts_ns; /* when the table was read */
	uint64_t start_ns; /* when the process started */
	uint64_t cgroup_id;
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	uint32_t gid;
	uint32_t flags; /* FMT_EXEC_ARGV_TRUNCATED, FMT_EXEC_CWD_TRUNCATED, FMT_PROC_KTHREAD */
	uint32_t argc;
	const char *comm;
	const char *exe; /* the executable's path */
	const char *const *argv;
	const char *cwd;
};

/* A cgroup v2 id and its path below the hierarchy's root ("/" for the root,
 * "/system.slice/ssh.service"...): the ids exec, proc and flow owners carry
 * are named by these. */
enum fmt_cgroup_kind {
	FMT_CGROUP_PRESENT = 0, /* there when the recording began */
	FMT_CGROUP_CREATED = 1,
	FMT_CGROUP_REMOVED = 2,
};
struct fmt_cgroup {
	uint64_t ts_ns;
	uint64_t cgroup_id;
	uint32_t kind; /* enum fmt_cgroup_kind */
	const char *path;
};

/* One whole-process exit. */
struct fmt_exit {
	uint64_t ts_ns;
	uint64_t start_ns; /* process start time, same clock */
	uint32_t pid;
	uint32_t ppid;
	uint32_t exit_code; /* valid when signal == 0 */
	uint32_t signal; /* terminating signal, or 0 */
};

enum fmt_dir { FMT_DIR_INGRESS = 0, FMT_DIR_EGRESS = 1 };

/* The identity of a flow. Addresses are in network byte order; IPv4 uses the
 * first 4 bytes of each address (the rest zero). family 0 = not IP (the
 * per-interface "other" bucket), FMT_FAMILY_OVERFLOW = flow-table overflow. */
#define FMT_FAMILY_OTHER 0
#define FMT_FAMILY_IPV4 4
#define FMT_FAMILY_IPV6 6
#define FMT_FAMILY_OVERFLOW 255
struct fmt_flow_key {
	uint32_t ifindex;
	uint8_t dir; /* enum fmt_dir */
	uint8_t family;
	uint8_t proto; /* IPPROTO_* */
	uint8_t pad;
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport; /* host order; ICMP: type */
	uint16_t dport; /* host order; ICMP: code */
};

/* The process a flow belongs to: the owner of its local socket (pid 0:
 * traffic of no local socket, or not attributed). A process is its pid and
 * its start time, so pid reuse cannot confuse it. */
struct fmt_owner {
	uint32_t pid; /* tgid */
	uint64_t start_ns;
	uint64_t cgroup_id;
};

/* Packets and bytes of one flow in one interval. */
struct fmt_flow {
	uint64_t ts_ns; /* end of the interval */
	uint64_t interval_ns;
	uint64_t packets;
	uint64_t bytes;
	struct fmt_flow_key key;
	struct fmt_owner owner; /* format 1.1; zero when unowned */
};

/* One record of any stream, as the merged iterators return it. */
struct fmt_event {
	enum fmt_stream stream;
	unsigned source; /* index of the file among those merged */
	union {
		struct fmt_exec exec;
		struct fmt_exit exit;
		struct fmt_flow flow;
		struct fmt_proc proc;
		struct fmt_cgroup cgroup;
	};
};

static inline uint64_t fmt_event_ts(const struct fmt_event *ev)
{
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return ev->exec.ts_ns;
	case FMT_STREAM_EXIT:
		return ev->exit.ts_ns;
	case FMT_STREAM_PROC:
		return ev->proc.ts_ns;
	case FMT_STREAM_CGROUP:
		return ev->cgroup.ts_ns;
	default:
		return ev->flow.ts_ns;
	}
}

#endif
