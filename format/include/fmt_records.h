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
};
#define FMT_STREAM_MAX 3
#define FMT_STREAM_MASK_ALL ((1u << FMT_STREAM_EXEC) | (1u << FMT_STREAM_EXIT) | (1u << FMT_STREAM_FLOW))

/* exec flags */
#define FMT_EXEC_ARGV_TRUNCATED 0x1u /* argv was cut at the recorder's bound */

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

/* Packets and bytes of one flow in one interval. */
struct fmt_flow {
	uint64_t ts_ns; /* end of the interval */
	uint64_t interval_ns;
	uint64_t packets;
	uint64_t bytes;
	struct fmt_flow_key key;
};

/* One record of any stream, as the merged iterators return it. */
struct fmt_event {
	enum fmt_stream stream;
	unsigned source; /* index of the file among those merged */
	union {
		struct fmt_exec exec;
		struct fmt_exit exit;
		struct fmt_flow flow;
	};
};

static inline uint64_t fmt_event_ts(const struct fmt_event *ev)
{
	switch (ev->stream) {
	case FMT_STREAM_EXEC:
		return ev->exec.ts_ns;
	case FMT_STREAM_EXIT:
		return ev->exit.ts_ns;
	default:
		return ev->flow.ts_ns;
	}
}

#endif
