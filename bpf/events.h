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

#define COMM_LEN 16
#define FILENAME_LEN 512 /* paths longer than this are cut (flagged) */
#define ARGS_LEN_DEFAULT 65536 /* bytes of argv per exec (--max-argv-bytes) */

#define EXEC_F_ARGS_CUT 0x1 /* argv longer than the bound, or more strings */
#define EXEC_F_FILENAME_CUT 0x2
#define EXEC_F_FAILED 0x4 /* from the exec syscall's exit: ret < 0, argv from the caller */
#define EXEC_F_ARGS_FAULT 0x8 /* an argv page could not be read */

/* Exec: this fixed header, then data[]: filename_len bytes of the path
 * executed (NUL included), interp_len bytes of the interpreter's path for
 * a #! script (0 otherwise), then args_len bytes of NUL-separated
 * arguments. Only what an exec needs is sent: the record is
 * sizeof(struct exec_event) + the three lengths. */
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
	__u32 reserved; /* zero: keeps data[] 8-byte aligned, no hidden padding */
	char comm[COMM_LEN];
	char pcomm[COMM_LEN];
	char data[];
};

/* The per-CPU buffer an exec record is built in: the header, room for two
 * paths and twice the argv bound (the second half absorbs a string read
 * with the whole bound as its size; see exec.bpf.c). */
#define EXEC_SCRATCH_SIZE(args_max) (sizeof(struct exec_event) + 2 * FILENAME_LEN + 2 * (args_max))

struct exit_event {
	__u64 ts_ns;
	__u64 start_ns; /* task start, boot clock */
	__u32 type; /* EVENT_EXIT */
	__u32 pid;
	__u32 ppid;
	__u32 exit_code; /* task->exit_code: (code << 8) | signal */
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
};

struct flow_cache6_entry {
	struct flow_key key;
	__u32 used;
	__u64 packets;
	__u64 bytes;
};

#endif
