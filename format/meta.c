/* meta.c - the table behind fmt_meta.h: every meta key and record
 * field with its privacy class. docs/FORMAT.md lists the same classes;
 * a key added to one must be added to the other. */
#include <string.h>

#include "fmt_meta.h"

static const struct fmt_meta_key keys[] = {
	{ FMT_META_FORMAT_VERSION, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_CLOSED_CLEAN, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_RECORDS_EXEC, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_RECORDS_EXIT, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_RECORDS_FLOW, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_RECORDS_PROC, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_RECORDS_CGROUP, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_CHUNKS, FMT_PRIV_SAFE, FMT_META_WRITER },
	{ FMT_META_TOOL_VERSION, FMT_PRIV_SAFE, 0 },
	{ FMT_META_SESSION_ID, FMT_PRIV_HOST, FMT_META_UNIQUE }, /* a file's identity */
	{ FMT_META_HOSTNAME, FMT_PRIV_HOST, 0 },
	{ FMT_META_KERNEL_RELEASE, FMT_PRIV_SAFE, 0 },
	{ FMT_META_BOOT_ID, FMT_PRIV_HOST, 0 },
	{ FMT_META_MACHINE, FMT_PRIV_SAFE, 0 },
	{ FMT_META_CLOCK, FMT_PRIV_SAFE, 0 },
	{ FMT_META_CLOCK_OFFSET_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_START_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_END_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_ATTACHED_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_CMDLINE, FMT_PRIV_MIXED, 0 },
	{ FMT_META_OPTIONS, FMT_PRIV_MIXED, 0 },
	{ FMT_META_INTERVAL_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_INTERFACES, FMT_PRIV_ADDR, 0 },
	{ FMT_META_LOST_RINGBUF, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_LOST_RINGBUF_EXEC, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_LOST_RINGBUF_EXIT, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_LOST_QUEUE, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_QUEUE_PEAK_BYTES, FMT_PRIV_SAFE, 0 },
	{ FMT_META_LOST_FLOW_OVERFLOW, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_ARGV_TRUNCATED, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_FAILED_EXECS, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_OWNERS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_LOST_OWNERS, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_SOCKETS_AT_START, FMT_PRIV_SAFE, 0 },
	{ FMT_META_CGROUP_ROOT, FMT_PRIV_SAFE, 0 },
	{ FMT_META_PROCS_UNNAMED, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_LOST_CGROUPS, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_CGROUP_WALK_ERRORS, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_SERIES, FMT_PRIV_HOST, 0 }, /* ties files of one host together */
	{ FMT_META_SERIES_SEQ, FMT_PRIV_SAFE, 0 },
	{ FMT_META_SERIES_PREV, FMT_PRIV_HOST, 0 }, /* a file name */
	{ FMT_META_TRIGGER, FMT_PRIV_SAFE, 0 },
	{ FMT_META_TRIGGER_NS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_TRIGGER_PID, FMT_PRIV_SAFE, 0 },
	{ FMT_META_TRIGGER_COMM, FMT_PRIV_PROGRAM, 0 },
	{ FMT_META_TRIGGER_PATTERN, FMT_PRIV_PROGRAM, 0 },
	{ FMT_META_TRIGGER_DETAIL, FMT_PRIV_SAFE, 0 },
	{ FMT_META_TRIGGERS, FMT_PRIV_SAFE, 0 },
	{ FMT_META_LOST_RING, FMT_PRIV_SAFE, FMT_META_SUMMED },
	{ FMT_META_SLICE, FMT_PRIV_HOST, 0 }, /* names the source file */
	{ FMT_META_SLICE_FILTERS, FMT_PRIV_MIXED, 0 },
	{ FMT_META_MERGE, FMT_PRIV_HOST, 0 }, /* hostnames, boot ids, file names */
	{ FMT_META_MERGE_FILTERS, FMT_PRIV_MIXED, 0 },
	{ FMT_META_REDACTION, FMT_PRIV_SAFE, 0 },
};

static const struct {
	enum fmt_stream stream;
	const char *field;
	enum fmt_privacy privacy;
} fields[] = {
	{ FMT_STREAM_EXEC, "ts_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "pid", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "tid", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "ppid", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "uid", FMT_PRIV_USER },
	{ FMT_STREAM_EXEC, "gid", FMT_PRIV_USER },
	{ FMT_STREAM_EXEC, "cgroup_id", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "comm", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_EXEC, "pcomm", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_EXEC, "filename", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_EXEC, "argv", FMT_PRIV_ARGS },
	{ FMT_STREAM_EXEC, "argv_truncated", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "ret", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXEC, "interp", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_EXEC, "cwd", FMT_PRIV_ARGS }, /* paths name users and projects */
	{ FMT_STREAM_EXEC, "start_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "ts_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "start_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "pid", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "ppid", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "uid", FMT_PRIV_USER },
	{ FMT_STREAM_PROC, "gid", FMT_PRIV_USER },
	{ FMT_STREAM_PROC, "cgroup_id", FMT_PRIV_SAFE },
	{ FMT_STREAM_PROC, "comm", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_PROC, "exe", FMT_PRIV_PROGRAM },
	{ FMT_STREAM_PROC, "argv", FMT_PRIV_ARGS },
	{ FMT_STREAM_PROC, "cwd", FMT_PRIV_ARGS },
	{ FMT_STREAM_PROC, "flags", FMT_PRIV_SAFE },
	{ FMT_STREAM_CGROUP, "ts_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_CGROUP, "cgroup_id", FMT_PRIV_SAFE },
	{ FMT_STREAM_CGROUP, "kind", FMT_PRIV_SAFE },
	/* user-1000.slice names a user; container ids and pod UIDs name
	 * workloads: redact rewrites the parts it was asked to */
	{ FMT_STREAM_CGROUP, "path", FMT_PRIV_MIXED },
	{ FMT_STREAM_EXIT, "ts_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXIT, "pid", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXIT, "ppid", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXIT, "exit_code", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXIT, "signal", FMT_PRIV_SAFE },
	{ FMT_STREAM_EXIT, "start_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "ts_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "interval_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "ifindex", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "dir", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "family", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "proto", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "src", FMT_PRIV_ADDR },
	{ FMT_STREAM_FLOW, "dst", FMT_PRIV_ADDR },
	{ FMT_STREAM_FLOW, "sport", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "dport", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "packets", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "bytes", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "owner_pid", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "owner_start_ns", FMT_PRIV_SAFE },
	{ FMT_STREAM_FLOW, "owner_cgroup_id", FMT_PRIV_SAFE },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *fmt_privacy_name(enum fmt_privacy c)
{
	static const char *const names[] = { "unknown", "safe", "program", "args",
					     "user",    "addr", "host",    "mixed" };

	return (unsigned)c < N(names) ? names[c] : "unknown";
}

const struct fmt_meta_key *fmt_meta_keys(size_t *n)
{
	*n = N(keys);
	return keys;
}

/* key without merges' "sourceN." prefixes (N decimal digits; a merge of
 * merged files has several) */
static const char *base_key(const char *key)
{
	size_t plen = strlen(FMT_META_SOURCE_PREFIX), digits;

	while (!strncmp(key, FMT_META_SOURCE_PREFIX, plen)) {
		digits = strspn(key + plen, "0123456789");
		if (!digits || key[plen + digits] != '.')
			break;
		key += plen + digits + 1;
	}
	return key;
}

const struct fmt_meta_key *fmt_meta_key(const char *key)
{
	const char *b = base_key(key);

	for (size_t i = 0; i < N(keys); i++)
		if (!strcmp(b, keys[i].name))
			return &keys[i];
	return NULL;
}

enum fmt_privacy fmt_meta_privacy(const char *key)
{
	const struct fmt_meta_key *k = fmt_meta_key(key);

	return k ? k->privacy : FMT_PRIV_UNKNOWN;
}

int fmt_meta_is_writer_key(const char *key)
{
	for (size_t i = 0; i < N(keys); i++)
		if (!strcmp(key, keys[i].name))
			return (keys[i].flags & FMT_META_WRITER) != 0;
	return 0;
}

int fmt_meta_is_unique_key(const char *key)
{
	for (size_t i = 0; i < N(keys); i++)
		if (!strcmp(key, keys[i].name))
			return (keys[i].flags & FMT_META_UNIQUE) != 0;
	return 0;
}

const char *fmt_meta_records_key(enum fmt_stream stream)
{
	static const char *const names[FMT_STREAM_MAX + 1] = {
		[FMT_STREAM_EXEC] = FMT_META_RECORDS_EXEC,
		[FMT_STREAM_EXIT] = FMT_META_RECORDS_EXIT,
		[FMT_STREAM_FLOW] = FMT_META_RECORDS_FLOW,
		[FMT_STREAM_PROC] = FMT_META_RECORDS_PROC,
		[FMT_STREAM_CGROUP] = FMT_META_RECORDS_CGROUP,
	};

	return (unsigned)stream <= FMT_STREAM_MAX ? names[stream] : NULL;
}

enum fmt_privacy fmt_field_privacy(enum fmt_stream stream, const char *field)
{
	for (size_t i = 0; i < N(fields); i++)
		if (fields[i].stream == stream && !strcmp(fields[i].field, field))
			return fields[i].privacy;
	return FMT_PRIV_UNKNOWN;
}
