/* fmt_meta.h - the meta keys of a session file (docs/FORMAT.md, "Meta
 * keys"), what each may reveal about the people and machines recorded (its
 * privacy class), and the record fields' classes. Every key a tool of this
 * project writes is named here; code never spells a key as a literal.
 */
#ifndef FMT_META_H
#define FMT_META_H

#include <stddef.h>

#include "fmt_records.h"

/* written by the format library */
#define FMT_META_FORMAT_VERSION "format_version"
#define FMT_META_CLOSED_CLEAN "closed_clean"
#define FMT_META_RECORDS_EXEC "records_exec"
#define FMT_META_RECORDS_EXIT "records_exit"
#define FMT_META_RECORDS_FLOW "records_flow"
#define FMT_META_RECORDS_PROC "records_proc" /* format 1.1 */
#define FMT_META_RECORDS_CGROUP "records_cgroup" /* format 1.1 */
#define FMT_META_CHUNKS "chunks"
/* written by the recorder */
#define FMT_META_TOOL_VERSION "tool_version"
#define FMT_META_SESSION_ID "session_id" /* format 1.1: 32 hex digits, random */
#define FMT_META_HOSTNAME "hostname"
#define FMT_META_KERNEL_RELEASE "kernel_release"
#define FMT_META_BOOT_ID "boot_id"
#define FMT_META_MACHINE "machine"
#define FMT_META_CLOCK "clock"
#define FMT_META_CLOCK_OFFSET_NS "clock_offset_ns"
#define FMT_META_START_NS "start_ns"
#define FMT_META_END_NS "end_ns"
#define FMT_META_ATTACHED_NS "attached_ns"
#define FMT_META_CMDLINE "cmdline"
#define FMT_META_OPTIONS "options"
#define FMT_META_INTERVAL_NS "interval_ns"
#define FMT_META_INTERFACES "interfaces"
#define FMT_META_LOST_RINGBUF "lost_ringbuf"
#define FMT_META_LOST_RINGBUF_EXEC "lost_ringbuf_exec"
#define FMT_META_LOST_RINGBUF_EXIT "lost_ringbuf_exit"
#define FMT_META_LOST_QUEUE "lost_queue"
#define FMT_META_QUEUE_PEAK_BYTES "queue_peak_bytes"
#define FMT_META_LOST_FLOW_OVERFLOW "lost_flow_overflow"
#define FMT_META_ARGV_TRUNCATED "argv_truncated"
#define FMT_META_FAILED_EXECS "failed_execs"
#define FMT_META_OWNERS "owners" /* 1.1: "sockets" when flows carry owners, else "off" */
#define FMT_META_LOST_OWNERS "lost_owners" /* sockets whose owner did not fit */
#define FMT_META_SOCKETS_AT_START "sockets_at_start" /* sockets open when recording began */
#define FMT_META_CGROUP_ROOT "cgroup_root" /* where cgroup2 was mounted */
#define FMT_META_PROCS_UNNAMED "procs_unnamed" /* table entries that exited before /proc named them */
#define FMT_META_LOST_CGROUPS "lost_cgroups" /* cgroup records not recorded */
#define FMT_META_CGROUP_WALK_ERRORS "cgroup_walk_errors" /* cgroup listings that failed part-way */
/* written by the recorder in each file of a rotated recording */
#define FMT_META_SERIES "series" /* random id shared by the files of one recording */
#define FMT_META_SERIES_SEQ "series_seq" /* 1, 2, ... */
#define FMT_META_SERIES_PREV "series_prev" /* file name of the one before */
/* written by the flight recorder in each file it dumps */
#define FMT_META_TRIGGER "trigger" /* what: signal, exit-nonzero, exec, failed-exec */
#define FMT_META_TRIGGER_NS "trigger_ns"
#define FMT_META_TRIGGER_PID "trigger_pid"
#define FMT_META_TRIGGER_COMM "trigger_comm"
#define FMT_META_TRIGGER_PATTERN "trigger_pattern" /* the GLOB that matched */
#define FMT_META_TRIGGER_DETAIL "trigger_detail" /* exit code, signal, errno */
#define FMT_META_TRIGGERS "triggers" /* triggers the dump covers, the first included */
#define FMT_META_LOST_RING "lost_ring" /* records of the window dropped for --ring-size */
/* written by ebpfreport when it derives a session from others */
#define FMT_META_SLICE "slice"
#define FMT_META_SLICE_FILTERS "slice_filters"
#define FMT_META_MERGE "merge"
#define FMT_META_MERGE_FILTERS "merge_filters"
#define FMT_META_REDACTION "redaction"
/* merge keeps source N's key K as "sourceN.K" */
#define FMT_META_SOURCE_PREFIX "source"

/* What a value may reveal. Redaction keeps a value only if its class is
 * safe or the redaction asked for leaves that class alone; anything of a
 * class it removes is rewritten (when there is a way to clean it) or
 * dropped, and keys of no known class are dropped. */
enum fmt_privacy {
	FMT_PRIV_UNKNOWN = 0, /* a key this version does not know */
	FMT_PRIV_SAFE, /* counters, times, versions, format facts */
	FMT_PRIV_PROGRAM, /* what ran: comm, parent comm, executable path */
	FMT_PRIV_ARGS, /* program arguments */
	FMT_PRIV_USER, /* user identity: uids, gids */
	FMT_PRIV_ADDR, /* network addresses */
	FMT_PRIV_HOST, /* the machine's or a file's identity: hostname, boot id */
	FMT_PRIV_MIXED, /* free text that may hold any of the above (the
			 * recorder's command line and options) */
};
/* @return a static name for the class ("safe", "host", ...) */
const char *fmt_privacy_name(enum fmt_privacy c);

#define FMT_META_WRITER 0x1 /* maintained by the writer: copies never carry it */
#define FMT_META_SUMMED 0x2 /* a count that adds up when sessions are merged */
#define FMT_META_UNIQUE 0x4 /* names this file's recording: a slice, merge or
			     * redaction is another session and does not carry
			     * it (a merge keeps it as "sourceN.KEY") */

struct fmt_meta_key {
	const char *name;
	enum fmt_privacy privacy;
	unsigned flags; /* FMT_META_* */
};

/* @return the table of every known key (*n entries), in FORMAT.md order */
const struct fmt_meta_key *fmt_meta_keys(size_t *n);
/* @return the entry for key, with a merge's "sourceN." prefix taken off,
 * or NULL for a key this version does not know */
const struct fmt_meta_key *fmt_meta_key(const char *key);
/* @return the class of key: FMT_PRIV_UNKNOWN if it is not known */
enum fmt_privacy fmt_meta_privacy(const char *key);
/* @return 1 for the keys the writer itself maintains (format version,
 * clean-close marker, record totals), which copies must not carry over */
int fmt_meta_is_writer_key(const char *key);
/* @return 1 for a key that names this file's recording alone (the session
 * id): a derived session (slice, merge, redaction) does not carry it */
int fmt_meta_is_unique_key(const char *key);

/* @return the meta key of stream's record total ("records_exec", ...), or
 * NULL for a stream this version does not know */
const char *fmt_meta_records_key(enum fmt_stream stream);

/* @return the class of a record field, named as in FORMAT.md section 2
 * ("argv", "src", ...); FMT_PRIV_UNKNOWN for a field the stream lacks */
enum fmt_privacy fmt_field_privacy(enum fmt_stream stream, const char *field);

#endif
