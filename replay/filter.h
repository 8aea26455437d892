/* filter.h - the record filters of the reading commands: which exist (one
 * table in filter.c: option name, help, the streams whose records have the
 * field), their values parsed strictly, and the match. Both ways of reading
 * a session use filter_match: the time-ordered iterator (report_each) and
 * the columnar scan (scan.c), so a filter added here works in both. */
#ifndef FILTER_H
#define FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"

enum filter_id {
	FILTER_SINCE, FILTER_UNTIL, /* the time window (pushed down to chunks) */
	FILTER_PID, FILTER_PPID, FILTER_UID, FILTER_COMM, FILTER_PATH,
	FILTER_IP, FILTER_PORT, FILTER_PROTO, FILTER_IFACE, FILTER_DIR,
	FILTER_TYPE, /* streams (chunks of the others are never read) */
	FILTER_UNIT, FILTER_CONTAINER, /* by cgroup: a process's, a flow owner's */
	FILTER_N
};

struct fmt_name;

/* Filters, all optional; a record must match every one that is set, and a
 * filter on a field a record does not have (--ip on an exec) excludes it. */
struct filter {
	unsigned set; /* bit 1 << enum filter_id for each filter given */
	/* time window, as given; resolved per file against its start */
	bool since_rel, until_rel; /* "+30s": relative to the session start */
	int64_t since, until; /* wall-clock ns, or ns after start if _rel */
	const char *since_arg, *until_arg; /* as typed, for messages */
	uint32_t pid, ppid, uid;
	const char *comm, *path; /* globs */
	uint8_t ip_family, ip[16];
	unsigned ip_prefix;
	uint16_t port;
	uint8_t proto;
	const char *iface; /* name or index */
	uint8_t dir; /* FMT_DIR_* */
	unsigned types; /* stream mask; 0 = all */
	const char *unit; /* glob on the systemd unit */
	const char *container; /* container id, or its first characters */
	/* What the files say of processes and cgroups, for the filters that
	 * look at a flow's owner or at a cgroup's path (set by the report). */
	const char *(*cgroup_path)(void *ctx, unsigned source, uint64_t id);
	int (*process)(void *ctx, unsigned source, const struct fmt_owner *o, uint64_t ts,
		       struct fmt_name *out);
	void *ctx;
};

/* The option of a filter: "--NAME METAVAR", and a line of help. */
struct filter_option {
	const char *name, *metavar, *help;
};
const struct filter_option *filter_option(enum filter_id id);

void filter_init(struct filter *f);
/* Set filter id from its option's value. @return NULL, or why the value is
 * invalid (f unchanged). */
const char *filter_set(struct filter *f, enum filter_id id, const char *val);
static inline bool filter_has(const struct filter *f, enum filter_id id)
{
	return f->set & (1u << id);
}
/* @return the streams to read: --type, or all */
unsigned filter_streams(const struct filter *f);
/* @return true if a filter other than the time window and --type is set
 * (then each record must go through filter_match) */
bool filter_by_record(const struct filter *f);
/* Does ev pass the filters other than the time window? rd is the file it
 * came from (its interface names, for --iface). */
bool filter_match(const struct filter *f, const struct fmt_reader *rd, const struct fmt_event *ev);

#endif
