/* options.c - see options.h. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_enc.h"
#include "ipfix_replay.h"
#include "options.h"
#include "parse.h"
#include "report.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct opt_def {
	const char *name;
	char shortopt; /* or 0 */
	const char *metavar; /* NULL: takes no value */
	const char *help;
};

static const struct opt_def defs[OPT_FILTER0] = {
	[OPT_HELP] = { "help", 'h', NULL, "this help" },
	[OPT_VERSION] = { "version", 0, NULL, "the version" },
	[OPT_TOP] = { "top", 'n', "N", "rows in top tables (default 10)" },
	[OPT_BY] = { "by", 0, "KEY", "execs: comm, path, cmdline, uid, parent; flows: flow, src, "
				     "dst, port, proto, iface; flows by owner: process, unit, "
				     "container, pod" },
	[OPT_SORT] = { "sort", 0, "KEY", "count, packets or bytes" },
	[OPT_JSON] = { "json", 0, NULL, "one JSON document (JSON lines for replay)" },
	[OPT_CSV] = { "csv", 0, NULL, "CSV with a header row" },
	[OPT_UTC] = { "utc", 0, NULL, "times in UTC instead of local time" },
	[OPT_SPEED] = { "speed", 0, "X", "pace as recorded, X times faster (1 = real time)" },
	[OPT_FOLLOW] = { "follow", 0, NULL, "keep reading a session ebpfrec is still writing" },
	[OPT_BUCKET] = { "bucket", 0, "DUR", "bucket width (default 1s)" },
	[OPT_IGNORE_ERRORS] = { "ignore-errors", 0, NULL,
				"exit 0 even if corrupt chunks were skipped" },
	[OPT_PROGRESS] = { "progress", 0, NULL, "show progress on stderr (default: on a terminal)" },
	[OPT_NO_PROGRESS] = { "no-progress", 0, NULL, "never show progress" },
	[OPT_OUTPUT] = { "output", 'o', "PATH", "where to write" },
	[OPT_FORCE] = { "force", 'f', NULL, "replace an existing output" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "no output but errors (verify: only the exit status)" },
	[OPT_STRICT] = { "strict", 0, NULL, "a file not closed cleanly is a problem" },
	[OPT_FORMAT] = { "format", 0, "F", "jsonl, csv, sqlite or perfetto" },
	[OPT_STATS] = { "stats", 0, NULL, "print how many chunks the query decompressed" },
	[OPT_IPS] = { "ips", 0, NULL, "anonymise addresses, prefix-preserving (Crypto-PAn)" },
	[OPT_ARGV] = { "argv", 0, "drop|hash", "drop the arguments, or replace each by a keyed hash" },
	[OPT_ARGV0] = { "argv0", 0, NULL, "... argv[0] too (kept by default)" },
	[OPT_USERS] = { "users", 0, NULL, "uids and gids become keyed pseudonyms" },
	[OPT_CONTAINERS] = { "containers", 0, NULL,
			     "container ids and pod UIDs (in cgroup paths) become keyed pseudonyms" },
	[OPT_HOST] = { "host", 0, NULL, "drop hostname and boot id" },
	[OPT_KEY] = { "key", 0, "KEY", "32 characters or 0x+64 hex digits; the same key, the same "
				      "pseudonyms (default: random)" },
	[OPT_IPFIX] = { "ipfix", 0, "HOST:PORT", "send the flows to an IPFIX collector (UDP; port "
						 "4739 if none)" },
	[OPT_NETFLOW9] = { "netflow9", 0, "HOST:PORT", "the same as NetFlow v9 (port 2055 if none)" },
	[OPT_RATE] = { "rate", 0, "N", "flow records a second at most (default "
				       STR(IPFIX_DEFAULT_RATE) "; 0: no limit)" },
	[OPT_TEMPLATE_REFRESH] = { "template-refresh", 0, "WHEN",
				   "resend the templates every DUR, or every Np messages "
				   "(default " STR(IPFIX_DEFAULT_REFRESH_S) "s)" },
	[OPT_MTU] = { "mtu", 0, "BYTES", "largest IP packet (default: the path MTU, at most "
					 "1500)" },
	[OPT_CLICKHOUSE] = { "clickhouse", 0, "URL", "the ClickHouse HTTP interface, "
						  "http://HOST:8123 (or https://)" },
	[OPT_DATABASE] = { "database", 0, "DB", "the database to load into (default ebpfrec; "
					       "created if missing)" },
	[OPT_USER] = { "user", 0, "U", "ClickHouse user (default: the server's default)" },
	[OPT_PASSWORD_FILE] = { "password-file", 0, "F", "read the user's password from the "
							 "first line of file F" },
	[OPT_BATCH] = { "batch", 0, "N", "rows per INSERT, sent as one block: memory ~200 bytes a row per connection (default 1048576)" },
	[OPT_THREADS] = { "threads", 'j', "N", "decode on N threads (default: every processor; push: N INSERTs at once, at most 4 by default); "
					      "the output is the same" },
};

/* Options that exclude each other. */
static const struct {
	enum opt_id a, b;
} conflicts[] = {
	{ OPT_JSON, OPT_CSV },
	{ OPT_PROGRESS, OPT_NO_PROGRESS },
	{ OPT_IPFIX, OPT_NETFLOW9 },
	{ OPT_IPFIX, OPT_JSON },
	{ OPT_IPFIX, OPT_CSV },
	{ OPT_NETFLOW9, OPT_JSON },
	{ OPT_NETFLOW9, OPT_CSV },
};

/* Options that mean something only with one of two others. */
static const struct {
	enum opt_id opt, needs, or_needs;
} needs[] = {
	{ OPT_RATE, OPT_IPFIX, OPT_NETFLOW9 },
	{ OPT_TEMPLATE_REFRESH, OPT_IPFIX, OPT_NETFLOW9 },
	{ OPT_MTU, OPT_IPFIX, OPT_NETFLOW9 },
};

static const char *opt_name(enum opt_id id)
{
	return id >= OPT_FILTER0 ? filter_option((enum filter_id)(id - OPT_FILTER0))->name :
				   defs[id].name;
}

static const char *opt_metavar(enum opt_id id)
{
	return id >= OPT_FILTER0 ? filter_option((enum filter_id)(id - OPT_FILTER0))->metavar :
				   defs[id].metavar;
}

static const char *opt_help(enum opt_id id)
{
	return id >= OPT_FILTER0 ? filter_option((enum filter_id)(id - OPT_FILTER0))->help :
				   defs[id].help;
}

static int bad_value(enum opt_id id, const char *val, const char *why)
{
	report_err("invalid --%s '%s': %s", opt_name(id), val, why);
	return 2;
}

/* Store the value of option id. @return 0 or 2 (the error printed). */
static int apply(struct report *r, enum opt_id id, const char *val)
{
	const char *why;
	int64_t v;

	switch (id) {
	case OPT_TOP:
		if (parse_int(val, 1, 1000000, &v))
			return bad_value(id, val, "need a number from 1 to 1000000");
		r->top_n = (unsigned)v;
		break;
	case OPT_BY:
		r->by = val;
		break;
	case OPT_SORT:
		if (strcmp(val, "count") && strcmp(val, "packets") && strcmp(val, "bytes"))
			return bad_value(id, val, "use count, packets or bytes");
		r->sort = val;
		break;
	case OPT_JSON:
		r->out = OUT_JSON;
		break;
	case OPT_CSV:
		r->out = OUT_CSV;
		break;
	case OPT_UTC:
		r->utc = true;
		break;
	case OPT_SPEED: {
		char *end;
		errno = 0;
		r->speed = strtod(val, &end);
		if (errno || *end || !(r->speed > 0) || r->speed > 1e6)
			return bad_value(id, val, "need a positive factor");
		break;
	}
	case OPT_FOLLOW:
		r->follow = true;
		break;
	case OPT_BUCKET:
		r->bucket = val;
		break;
	case OPT_IGNORE_ERRORS:
		r->ignore_errors = true;
		break;
	case OPT_PROGRESS:
		r->progress = 1;
		break;
	case OPT_NO_PROGRESS:
		r->progress = 0;
		break;
	case OPT_OUTPUT:
		r->output = val;
		break;
	case OPT_FORCE:
		r->force = true;
		break;
	case OPT_QUIET:
		r->quiet = true;
		break;
	case OPT_STRICT:
		r->strict = true;
		break;
	case OPT_FORMAT:
		r->format = val;
		break;
	case OPT_STATS:
		r->stats = true;
		break;
	case OPT_IPS:
		r->redact_ips = true;
		break;
	case OPT_ARGV:
		if (strcmp(val, "drop") && strcmp(val, "hash"))
			return bad_value(id, val, "use drop or hash");
		r->redact_argv = val;
		break;
	case OPT_ARGV0:
		r->redact_argv0 = true;
		break;
	case OPT_USERS:
		r->redact_users = true;
		break;
	case OPT_CONTAINERS:
		r->redact_containers = true;
		break;
	case OPT_HOST:
		r->redact_host = true;
		break;
	case OPT_KEY:
		r->key = val;
		break;
	case OPT_THREADS:
		if (parse_int(val, 1, 256, &v))
			return bad_value(id, val, "need a number from 1 to 256");
		r->threads = (unsigned)v;
		break;
	case OPT_IPFIX:
	case OPT_NETFLOW9:
		if (!*val)
			return bad_value(id, val, "need HOST:PORT");
		r->collector = val;
		r->collector_proto = id == OPT_IPFIX ? IPFIX_PROTO_IPFIX : IPFIX_PROTO_NF9;
		break;
	case OPT_RATE:
		if (parse_int(val, 0, 100000000, &v))
			return bad_value(id, val, "need records a second, 0 to 100000000 (0: no limit)");
		r->rate = (double)v;
		break;
	case OPT_TEMPLATE_REFRESH:
		if ((why = ipfix_parse_refresh(r, val)))
			return bad_value(id, val, why);
		break;
	case OPT_MTU:
		if (parse_int(val, 576, 65535, &v))
			return bad_value(id, val, "need a packet size from 576 to 65535 bytes");
		r->mtu = (unsigned)v;
		break;
	case OPT_CLICKHOUSE:
		if (strncmp(val, "http://", 7) && strncmp(val, "https://", 8))
			return bad_value(id, val, "need an http:// or https:// URL");
		r->ch_url = val;
		break;
	case OPT_DATABASE:
		if (!*val || strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789_") != strlen(val) || (*val >= '0' && *val <= '9'))
			return bad_value(id, val, "use letters, digits and _");
		r->ch_database = val;
		break;
	case OPT_USER:
		r->ch_user = val;
		break;
	case OPT_PASSWORD_FILE:
		r->ch_password_file = val;
		break;
	case OPT_BATCH:
		if (parse_int(val, 1, 100000000, &v))
			return bad_value(id, val, "need a number from 1 to 100000000");
		r->batch = (uint64_t)v;
		break;
	default:
		why = filter_set(&r->f, (enum filter_id)(id - OPT_FILTER0), val);
		if (why)
			return bad_value(id, val, why);
	}
	return 0;
}

void options_usage(FILE *f, const struct report_cmd *cmd)
{
	fprintf(f, "usage: ebpfreport %s %s [OPTIONS]\n\n  %s\n\nOptions:\n", cmd->name,
		cmd->args, cmd->summary);
	int filters = 0;

	for (int id = OPT_TOP; id < OPT_N; id++) {
		const struct opt_def *d = id < OPT_FILTER0 ? &defs[id] : NULL;
		char names[64];
		int n;

		if (!(cmd->opts & (UINT64_C(1) << id)))
			continue;
		if (id >= OPT_FILTER0 && !filters++)
			fprintf(f, "\nFilters (a record must pass each one given):\n");
		if (d && d->shortopt)
			n = snprintf(names, sizeof(names), "-%c, --%s", d->shortopt, opt_name(id));
		else
			n = snprintf(names, sizeof(names), "    --%s", opt_name(id));
		if (opt_metavar(id))
			snprintf(names + n, sizeof(names) - (size_t)n, " %s", opt_metavar(id));
		fprintf(f, "  %-24s %s\n", names, opt_help(id));
	}
	fprintf(f, "\n  %-24s %s\n", "-j, --threads N", opt_help(OPT_THREADS));
	fprintf(f, "  %-24s %s\n", "-h, --help", "this help");
}

int options_parse(int argc, char **argv, const struct report_cmd *cmd, struct report *r)
{
	struct option longopts[OPT_N + 1];
	char shortopts[32] = ":"; /* ':' first: a missing value is told apart */
	uint64_t given = 0;
	int c, rc;

	for (int id = 0; id < OPT_N; id++) {
		const struct opt_def *d = id < OPT_FILTER0 ? &defs[id] : NULL;
		longopts[id] = (struct option){ opt_name(id), opt_metavar(id) ? required_argument
									      : no_argument,
						NULL, 1000 + id };
		if (d && d->shortopt) {
			size_t n = strlen(shortopts);
			shortopts[n] = d->shortopt;
			strcpy(shortopts + n + 1, d->metavar ? ":" : "");
		}
	}
	longopts[OPT_N] = (struct option){ 0 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		enum opt_id id = OPT_N;
		if (c >= 1000) {
			id = (enum opt_id)(c - 1000);
		} else if (c != '?' && c != ':') {
			for (int k = 0; k < OPT_FILTER0; k++)
				if (defs[k].shortopt == c)
					id = (enum opt_id)k;
		}
		if (id == OPT_N) {
			report_err("%s '%s' (see 'ebpfreport help %s')",
				   c == ':' ? "missing value for option" : "unknown option",
				   optopt && c == '?' ? (char[]){ '-', (char)optopt, 0 } : argv[optind - 1],
				   cmd->name);
			return 2;
		}
		if (id == OPT_HELP) {
			options_usage(stdout, cmd);
			return -1;
		}
		if (id == OPT_VERSION) {
			printf("ebpfreport %s (session format %d.%d)\n", EBPFREC_VERSION,
			       FMT_VERSION_MAJOR, FMT_VERSION_MINOR);
			return -1;
		}
		if (!(cmd->opts & (UINT64_C(1) << id)) && id != OPT_THREADS) {
			report_err("%s does not take --%s (see 'ebpfreport help %s')", cmd->name,
				   opt_name(id), cmd->name);
			return 2;
		}
		given |= UINT64_C(1) << id;
		if ((rc = apply(r, id, optarg)))
			return rc;
	}
	for (size_t k = 0; k < sizeof(conflicts) / sizeof(conflicts[0]); k++) {
		if ((given >> conflicts[k].a & 1) && (given >> conflicts[k].b & 1)) {
			report_err("--%s and --%s cannot be used together", opt_name(conflicts[k].a),
				   opt_name(conflicts[k].b));
			return 2;
		}
	}
	for (size_t k = 0; k < sizeof(needs) / sizeof(needs[0]); k++) {
		if ((given >> needs[k].opt & 1) && !(given >> needs[k].needs & 1) &&
		    !(given >> needs[k].or_needs & 1)) {
			report_err("--%s needs --%s or --%s", opt_name(needs[k].opt),
				   opt_name(needs[k].needs), opt_name(needs[k].or_needs));
			return 2;
		}
	}
	if (filter_has(&r->f, FILTER_SINCE) && filter_has(&r->f, FILTER_UNTIL) &&
	    r->f.since_rel == r->f.until_rel && r->f.since > r->f.until) {
		report_err("--since '%s' is later than --until '%s'", r->f.since_arg, r->f.until_arg);
		return 2;
	}
	return 0;
}
