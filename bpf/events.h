/* events.h - records the BPF programs send to user space: the kernel/user ABI.
 *
 * No includes: the BPF side gets __u32/__u64 from vmlinux.h, user space from
 * <linux/types.h>, included before this file. Fixed-width fields, largest
 * first, no hidden padding; record/ checks the sizes with _Static_assert.
 */
#ifndef EBPFREC_EVENTS_H
#define EBPFREC_EVENTS_H

#define EVENT_EXEC 1
#define EVENT_EXIT 2
#define EVENT_PROC 3 /* proc.bpf.c: one process of the table at start */
#define EVENT_CGROUP 4 /* proc.bpf.c: a cgroup made or removed */

#define COMM_LEN 16
#define FILENAME_LEN 512 /* paths longer than this are cut (flagged) */
#define ARGS_LEN_DEFAULT 65536 /* bytes of argv per exec (--max-argv-bytes) */

#define EXEC_F_ARGS_CUT 0x1 /* argv longer than the bound, or more strings */
#define EXEC_F_FILENAME_CUT 0x2
#define EXEC_F_FAILED 0x4 /* from the exec syscall's exit: ret < 0, argv from the caller */
#define EXEC_F_ARGS_FAULT 0x8 /* an argv page could not be read */
#define EXEC_F_CWD_CUT 0x10 /* the working directory's path was cut */
#define CWD_LEN 4096 /* PATH_LEN of path.bpf.h: the longest working directory kept */

/* Exec: this fixed header, then data[]: filename_len bytes of the path
 * executed (NUL included), interp_len bytes of the interpreter's path for
 * a #! script (0 otherwise), cwd_len bytes of the working directory, then
 * args_len bytes of NUL-separated arguments. Only what an exec needs is
 * sent: the record is sizeof(struct exec_event) + the four lengths. */
struct exec_event {
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;
	__u32 type; /* EVENT_EXEC */
	__u32 pid; /* tgid after exec */
	__u32 tid; /* thread that called exec */
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__s32 ret; /* 0, or negative errno */
	__u32 flags; /* EXEC_F_* */
	__u32 argc; /* kernel's count (successful execs) or strings read */
	__u16 filename_len;
	__u16 interp_len;
	__u32 args_len;
	__u16 cwd_len;
	__u16 reserved; /* zero: no hidden padding */
	__u64 start_ns; /* the process's start (fork), boot clock */
	char comm[COMM_LEN];
	char pcomm[COMM_LEN];
	char data[];
};

/* The per-CPU buffer an exec record is built in: the header, room for two
 * paths, the working directory and twice the argv bound (the second half
 * absorbs a string read with the whole bound as its size; see
 * exec.bpf.c). */
#define EXEC_SCRATCH_SIZE(args_max)                                                      \
	(sizeof(struct exec_event) + 2 * FILENAME_LEN + CWD_LEN + 1 + 2 * (args_max))

struct exit_event {
	__u64 ts_ns;
	__u64 start_ns; /* task start, boot clock */
	__u32 type; /* EVENT_EXIT */
	__u32 pid;
	__u32 ppid;
	__u32 exit_code; /* task->exit_code: (code << 8) | signal */
};

/* A process alive when recording began, as proc.bpf.c's task iterator
 * writes it (its output, not a ring buffer): who it is, exactly. Its
 * executable, working directory and argv are read by user space from
 * /proc, checked against start_ns. */
#define PROC_F_KTHREAD 0x1
struct proc_record {
	__u64 start_ns; /* task start, boot clock: with pid, the process's identity */
	__u64 cgroup_id;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 flags; /* PROC_F_* */
	__u32 pad;
	char comm[COMM_LEN];
};

/* A cgroup of the default (v2) hierarchy made or removed. */
#define CGROUP_PATH_LEN 4096
struct cgroup_record {
	__u64 ts_ns;
	__u64 cgroup_id;
	__u32 type; /* EVENT_CGROUP */
	__u32 removed; /* 0 made, 1 removed */
	__u32 path_len; /* NUL included */
	__u32 pad;
	char path[CGROUP_PATH_LEN];
};

/* Per-CPU counters, indexes of the `counters` map. */
enum counter {
	CNT_RB_DROP_EXEC = 0, /* ring buffer full (or no scratch buffer): exec lost */
	CNT_RB_DROP_EXIT = 1, /* ring buffer full: exit lost */
	CNT_EXEC_SEEN = 2, /* execs that passed the filters */
	CNT_EXIT_SEEN = 3,
	CNT_MAX = 8,
};

/* ---- flows (flow.bpf.c) ---- */

#define FLOW_DIR_INGRESS 0
#define FLOW_DIR_EGRESS 1
#define FLOW_FAMILY_OTHER 0 /* non-IP, truncated or malformed frames */
#define FLOW_FAMILY_IPV4 4
#define FLOW_FAMILY_IPV6 6
#define MAX_IFSLOTS 256 /* interfaces one recorder can hook */

/* Same layout as struct fmt_flow_key in format/ (asserted in record/). */
struct flow_key {
	__u32 ifindex;
	__u8 dir;
	__u8 family;
	__u8 proto;
	__u8 pad;
	__u8 src[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 dst[16];
	__u16 sport; /* host order; ICMP: type */
	__u16 dport; /* host order; ICMP: code */
};

/* The key of IPv4 and non-IP flows in their own, smaller tables: hashing
 * and comparing 20 bytes instead of 44 is most of the per-packet cost. */
struct flow_key4 {
	__u32 ifindex;
	__u8 dir;
	__u8 family; /* FLOW_FAMILY_IPV4 or FLOW_FAMILY_OTHER */
	__u8 proto;
	__u8 pad;
	__u8 src[4];
	__u8 dst[4];
	__u16 sport;
	__u16 dport;
};

struct flow_val {
	__u64 packets;
	__u64 bytes; /* frame length including the Ethernet header */
	__u64 cookie; /* egress: the sending socket's cookie (owner.bpf.c), 0 if none */
};

/* A small per-CPU, direct-mapped cache of IPv4 flows in front of the flow
 * tables (per table slot): a packet of a cached flow costs an array lookup
 * and a 20-byte compare instead of a hash-table lookup. Drained with the
 * tables. */
#define FLOW_CACHE_SLOTS 1024
struct flow_cache_entry {
	struct flow_key4 key;
	__u32 used;
	__u64 packets;
	__u64 bytes;
	__u64 cookie;
};

struct flow_cache6_entry {
	struct flow_key key;
	__u32 used;
	__u64 packets;
	__u64 bytes;
	__u64 cookie;
};

/* ---- socket owners (owner.bpf.c) ---- */

#define OWNER_F_SEEDED 0x1 /* found by the walk of open files at start */
#define OWNER_F_ACCEPTED 0x2 /* an accepted connection: its listener's owner */
#define OWNER_F_SENT 0x4 /* the owner sent on the socket */

/* The process that owns a socket (key: the socket's cookie): whoever
 * created it, then whoever last bound, connected or sent on it. */
struct sock_owner {
	__u64 start_ns; /* the process's start, boot clock: pid reuse cannot confuse it */
	__u64 cgroup_id;
	__u64 released_ns; /* when the socket was closed; 0 while open */
	__u32 tgid;
	__u32 flags; /* OWNER_F_* */
};

/* A bound local endpoint (listening TCP, UDP): what ingress packets to it
 * belong to, when no packet of the connection went out yet. addr is all
 * zero for a wildcard bind; IPv4 in the first 4 bytes. */
struct endpoint {
	__u8 family; /* FLOW_FAMILY_IPV4 / FLOW_FAMILY_IPV6 */
	__u8 proto;
	__u16 port; /* host order */
	__u8 addr[16];
};

/* Indexes of the `owner_counters` map. */
enum owner_counter {
	OCNT_OWNERS_FULL = 0, /* a socket whose owner did not fit in the table */
	OCNT_ENDPOINTS_FULL = 1,
	OCNT_RELEASED_FULL = 2, /* a closed socket's cookie not queued (found by a sweep) */
	OCNT_MAX = 4,
};

#endif
