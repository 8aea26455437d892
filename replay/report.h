/* report.h - what every ebpfreport subcommand shares: options, filters,
 * the open session files, the command table entry type, and the helpers of
 * report.c (opening, reading in time order, creating outputs, errors). */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "filter.h"
#include "fmt.h"

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

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
	bool redact_ips, redact_users, redact_containers, redact_host, redact_argv0;
	const char *redact_argv; /* NULL, "drop" or "hash" */
	const char *key; /* --key, NULL: a random one */
	const char *format; /* export --format */
	bool stats; /* sql: chunks decoded, on stderr */
	const char *query; /* sql */
	unsigned threads; /* --threads; 0: every processor */
	/* replay --ipfix / --netflow9 (ipfix_replay.h) */
	const char *collector; /* HOST:PORT; NULL: print the events */
	int collector_proto; /* enum ipfix_proto: 10 IPFIX, 9 NetFlow v9 */
	double rate; /* records a second at most, 0: no limit, <0: the default */
	bool refresh_set; /* --template-refresh given: */
	uint64_t refresh_ms; /* ... every this many ms, */
	uint32_t refresh_messages; /* ... or every this many messages */
	unsigned mtu; /* largest IP packet, 0: the path MTU (at most 1500) */
	/* push */
	const char *ch_url, *ch_database, *ch_user, *ch_password_file;
	uint64_t batch; /* rows per INSERT, 0: default */
	struct filter f;
	/* files */
	char **paths;
	unsigned nfiles;
	struct fmt_reader **readers;
	/* state */
	struct who *who; /* processes and cgroups of the files, when asked for (who.h) */
	unsigned errors; /* chunks or files skipped */
	bool stdout_said; /* a write error on standard output was said (main: not again) */
	/* during report_each's callback: the batch and storage position of
	 * its event (fmt_iter_where), for writers that render per dictionary
	 * entry */
	const struct fmt_batch *at_batch;
	uint32_t at_pos;
	const char *cmd_name;
	const char *args; /* the command line after the command, for provenance */
};

struct report_cmd {
	const char *name;
	const char *args; /* after "ebpfreport NAME ", before the options */
	const char *summary; /* one line for the command list and its usage */
	uint64_t opts; /* the options it takes: OPT(x) bits of options.h */
	int (*run)(struct report *r); /* @return the exit status */
	bool opens_itself; /* run gets the paths unopened (verify) */
	bool takes_query; /* the last argument is not a file (sql) */
};

extern const struct report_cmd cmd_summary, cmd_top, cmd_replay, cmd_timeline, cmd_verify,
	cmd_slice, cmd_merge, cmd_redact, cmd_export, cmd_sql, cmd_html, cmd_push;

/* Open every file in r->paths; a file that cannot be opened is reported and
 * skipped (error count) unless none remain. A time window that is empty
 * for a file (--since after --until) is an error. @return 0 or an exit
 * status. */
int report_open(struct report *r);
void report_close(struct report *r);

/* Iterate every record that passes the filters, in time order.
 * @return 0, or 1 if a chunk was skipped (the message was printed). */
typedef int (*report_cb)(struct report *r, const struct fmt_event *ev, void *ctx);
int report_each(struct report *r, report_cb cb, void *ctx);

/* The boot-clock window [*from, *to] the time filters give for file i. */
void report_window(const struct report *r, unsigned i, uint64_t *from, uint64_t *to);

/* Monotonic seconds, for pacing and progress. */
double report_clock(void);

/* A progress line on stderr, redrawn after the first second, only with
 * --progress or when stderr is a terminal; erased at the end. */
struct report_progress {
	bool on, shown;
	double t0;
};
void report_progress_start(struct report_progress *p, const struct report *r);
/* "ebpfreport: reading WHAT 42%" (done: 0 to 1) */
void report_progress_show(struct report_progress *p, const char *what, double done);
void report_progress_end(struct report_progress *p);

/* Diagnostics: "ebpfreport: ..." on stderr. */
void report_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create an output file: new (or truncated with --force), not through a
 * symlink, mode 0600. @return the stream, or NULL with the error printed. */
FILE *report_create(struct report *r, const char *path);

#endif
