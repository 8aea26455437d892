/* report.h - what every ebpfreport subcommand shares: options, filters,
 * the open session files, and the command table entry type. */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt.h"

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

/* Filters, all optional; a record must match every one that is set, and a
 * filter on a field a record does not have (--ip on an exec) excludes it. */
struct filter {
	/* time window, as given; resolved per file against its start */
	bool since_set, until_set;
	bool since_rel, until_rel; /* "+30s": relative to the session start */
	int64_t since, until; /* wall-clock ns, or ns after start if _rel */
	int64_t pid, ppid, uid; /* -1: unset */
	const char *comm, *path; /* globs */
	bool ip_set;
	uint8_t ip_family, ip[16];
	unsigned ip_prefix;
	int32_t port; /* -1: unset */
	int32_t proto; /* -1: unset */
	const char *iface; /* name or index */
	int32_t dir; /* -1, FMT_DIR_INGRESS, FMT_DIR_EGRESS */
	unsigned types; /* stream mask; 0 = all */
};

struct report {
	/* options */
	enum out_format out;
	bool utc;
	unsigned top_n;
	const char *by;
	const char *sort;
	const char *bucket;
	double speed;
	bool follow;
	bool ignore_errors;
	bool quiet;
	int progress; /* -1 auto */
	const char *output; /* -o, for commands that write files */
	bool force; /* -f: replace an existing output */
	bool strict; /* verify: a file not closed cleanly is a problem */
	/* redact */
	bool redact_ips, redact_users, redact_host, redact_argv0;
	const char *redact_argv; /* NULL, "drop" or "hash" */
	const char *key; /* --key, NULL: a random one */
	const char *format; /* export --format */
	bool stats; /* sql: chunks decoded, on stderr */
	const char *query; /* sql */
	struct filter f;
	/* files */
	char **paths;
	unsigned nfiles;
	struct fmt_reader **readers;
	/* state */
	unsigned errors; /* chunks or files skipped */
	const char *cmd_name;
	const char *args; /* the command line after the command, for provenance */
};

struct report_cmd {
	const char *name;
	const char *usage; /* after "ebpfreport NAME " */
	const char *summary; /* one line for the command list */
	int (*run)(struct report *r);
	bool opens_itself; /* run gets the paths unopened (verify) */
	bool takes_query; /* the last argument is not a file (sql) */
};

extern const struct report_cmd cmd_summary, cmd_top, cmd_replay, cmd_timeline, cmd_verify,
	cmd_slice, cmd_merge, cmd_redact, cmd_export, cmd_sql, cmd_html;

/* Open every file in r->paths; a file that cannot be opened is reported and
 * skipped (error count) unless none remain. @return 0 or 1 (exit status). */
int report_open(struct report *r);
void report_close(struct report *r);

/* Iterate every record that passes the filters, in time order.
 * @return 0, or 1 if a chunk was skipped (the message was printed). */
typedef int (*report_cb)(struct report *r, const struct fmt_event *ev, void *ctx);
int report_each(struct report *r, report_cb cb, void *ctx);

/* The boot-clock window [*from, *to] the time filters give for file i. */
void report_window(const struct report *r, unsigned i, uint64_t *from, uint64_t *to);

/* Does ev pass the non-time filters? */
bool filter_match(const struct report *r, const struct fmt_event *ev);

/* Diagnostics: "ebpfreport: ..." on stderr. */
void report_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create an output file: new (or truncated with --force), not through a
 * symlink, mode 0600. @return the stream, or NULL with the error printed. */
FILE *report_create(struct report *r, const char *path);

/* Finish stdout: flush and check for write errors. @return exit status. */
int report_finish_output(struct report *r, int status);

#endif
