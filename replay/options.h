/* options.h - ebpfreport's options: one table (name, value, help) that
 * the parser, the per-command check and every usage text come from. Each
 * command declares the options it takes (struct report_cmd.opts); any
 * other is an error, as are options that exclude each other. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "filter.h"

enum opt_id {
	OPT_HELP, OPT_VERSION, /* every command */
	OPT_TOP, OPT_BY, OPT_SORT, OPT_JSON, OPT_CSV, OPT_UTC, OPT_SPEED, OPT_FOLLOW,
	OPT_BUCKET, OPT_IGNORE_ERRORS, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_OUTPUT, OPT_FORCE,
	OPT_QUIET, OPT_STRICT, OPT_FORMAT, OPT_STATS, OPT_IPS, OPT_ARGV, OPT_ARGV0, OPT_USERS, OPT_CONTAINERS,
	OPT_HOST, OPT_KEY, OPT_IPFIX, OPT_NETFLOW9, OPT_RATE, OPT_TEMPLATE_REFRESH, OPT_MTU,
	OPT_CLICKHOUSE, OPT_DATABASE, OPT_USER, OPT_PASSWORD_FILE, OPT_BATCH, OPT_THREADS,
	OPT_FILTER0, /* the filters, in enum filter_id order */
	OPT_N = OPT_FILTER0 + FILTER_N
};
_Static_assert(OPT_N <= 64, "options are a 64-bit mask");

#define OPT(x) (UINT64_C(1) << OPT_##x)
#define OPT_FILTERS (((UINT64_C(1) << FILTER_N) - 1) << OPT_FILTER0)
/* what every command that reads records through the filters takes */
#define OPT_READING (OPT_FILTERS | OPT(IGNORE_ERRORS) | OPT(PROGRESS) | OPT(NO_PROGRESS))

struct report;
struct report_cmd;

/* Parse the options of argv for cmd into r (optind is left at the first
 * argument that is not an option). @return 0; -1 when --help or --version
 * was answered on stdout (exit 0); or 2 for a usage error, said in one line
 * on stderr. */
int options_parse(int argc, char **argv, const struct report_cmd *cmd, struct report *r);
/* Print cmd's usage: its arguments, what it does, and each option it takes. */
void options_usage(FILE *f, const struct report_cmd *cmd);

#endif
