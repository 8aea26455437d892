/* main.c - ebpfreport: read session files offline (no root, no BPF).
 *
 *   ebpfreport [COMMAND] FILE... [OPTIONS]
 *
 * Subcommands live one per file (cmd_*.c) and are dispatched from the table
 * below; a unique prefix of a command name is accepted. Without a command,
 * `summary` runs (the header and the top tables).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter_parse.h"
#include "report.h"

static const struct report_cmd *const commands[] = {
	&cmd_summary,
	&cmd_top,
	&cmd_replay,
	&cmd_timeline,
	&cmd_verify,
	&cmd_slice,
	&cmd_merge,
	&cmd_redact,
	&cmd_export,
	&cmd_sql,
	&cmd_html,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void report_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ebpfreport: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ebpfreport [COMMAND] FILE... [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
		"\nWithout a command, 'summary' runs: the session header, then the top commands "
		"and flows.\n"
		"\nOutput:\n"
		"  -n, --top N          rows in top tables (default 10)\n"
		"      --by KEY         top: comm, path, cmdline, uid, parent (execs);\n"
		"                       flow, src, dst, port, proto, iface (flows)\n"
		"      --sort KEY       top: count, packets or bytes\n"
		"      --json           one JSON document (JSON lines for replay)\n"
		"      --csv            CSV with a header row\n"
		"      --utc            times in UTC instead of local time\n"
		"      --speed X        replay: pace as recorded, X times faster (1 = real time)\n"
		"      --follow         replay: keep reading a session ebpfrec is still writing\n"
		"      --bucket DUR     timeline: bucket width (default 1s)\n"
		"      --ignore-errors  exit 0 even if corrupt chunks were skipped\n"
		"  -o, --output PATH    slice, merge, redact, export, html: where to write\n"
		"  -f, --force          replace an existing output\n"
		"  -q, --quiet          verify: no output, only the exit status\n"
		"      --strict         verify: a file not closed cleanly is a problem\n"
		"      --format F       export: jsonl, csv, sqlite or perfetto\n"
		"      --stats          sql: print how many chunks the query decompressed\n"
		"\nRedaction (redact):\n"
		"      --ips            anonymise addresses, prefix-preserving (Crypto-PAn)\n"
		"      --argv drop|hash drop the arguments, or replace each by a keyed hash\n"
		"      --argv0          ... argv[0] too (kept by default)\n"
		"      --users          uids and gids become keyed pseudonyms\n"
		"      --host           drop hostname and boot id\n"
		"      --key KEY        32 characters or 0x+64 hex digits; the same key gives the\n"
		"                       same pseudonyms across files (default: a random key)\n"
		"\nFilters (every command):\n"
		"      --since TIME     absolute ('2026-11-30 14:02:11', ISO 8601, epoch "
		"seconds)\n"
		"      --until TIME     or relative to the session start ('+30s', '+2m')\n"
		"      --pid N, --ppid N, --uid N\n"
		"      --comm GLOB, --path GLOB\n"
		"      --ip ADDR[/LEN]  either side of a flow (IPv4 or IPv6)\n"
		"      --port N, --proto tcp|udp|icmp|icmpv6|N, --iface NAME|INDEX\n"
		"      --dir ingress|egress, --type exec,exit,flow\n"
		"\nExamples:\n"
		"  ebpfreport session.db --top 10\n"
		"  ebpfreport top session.db --by path --comm 'cc*'\n"
		"  ebpfreport session.db --since +30s --until +1m --json\n"
		"  ebpfreport replay a.db b.db --type exec --speed 10\n"
		"  ebpfreport timeline session.db --bucket 100ms\n"
		"  ebpfreport verify *.db\n"
		"  ebpfreport slice session.db --since +1m --until +2m -o cut.db\n"
		"  ebpfreport redact cut.db --ips --argv hash --users --host -o share.db\n"
		"  ebpfreport export session.db --format perfetto -o trace.json\n"
		"  ebpfreport sql session.db \"SELECT comm, count(*) FROM exec GROUP BY 1\"\n"
		"  ebpfreport html session.db -o report.html\n"
		"\nSee ebpfreport(1) and docs/FORMAT.md.\n");
}

enum {
	O_JSON = 1000, O_CSV, O_UTC, O_BY, O_SORT, O_IGNORE, O_BUCKET, O_SPEED, O_FOLLOW,
	O_PROGRESS, O_NO_PROGRESS, O_VERSION, O_STRICT, O_IPS, O_USERS, O_HOST, O_ARGV, O_ARGV0,
	O_KEY, O_FORMAT, O_STATS,
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "top", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "force", no_argument, NULL, 'f' },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "ips", no_argument, NULL, O_IPS },
	{ "users", no_argument, NULL, O_USERS },
	{ "host", no_argument, NULL, O_HOST },
	{ "argv", required_argument, NULL, O_ARGV },
	{ "argv0", no_argument, NULL, O_ARGV0 },
	{ "key", required_argument, NULL, O_KEY },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "stats", no_argument, NULL, O_STATS },
	{ "json", no_argument, NULL, O_JSON },
	{ "csv", no_argument, NULL, O_CSV },
	{ "utc", no_argument, NULL, O_UTC },
	{ "by", required_argument, NULL, O_BY },
	{ "sort", required_argument, NULL, O_SORT },
	{ "bucket", required_argument, NULL, O_BUCKET },
	{ "speed", required_argument, NULL, O_SPEED },
	{ "follow", no_argument, NULL, O_FOLLOW },
	{ "ignore-errors", no_argument, NULL, O_IGNORE },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "since", required_argument, NULL, O_SINCE },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "pid", required_argument, NULL, O_PID },
	{ "ppid", required_argument, NULL, O_PPID },
	{ "uid", required_argument, NULL, O_UID },
	{ "comm", required_argument, NULL, O_COMM },
	{ "path", required_argument, NULL, O_PATH },
	{ "ip", required_argument, NULL, O_IP },
	{ "port", required_argument, NULL, O_PORT },
	{ "proto", required_argument, NULL, O_PROTO },
	{ "iface", required_argument, NULL, O_IFACE },
	{ "dir", required_argument, NULL, O_DIR },
	{ "type", required_argument, NULL, O_TYPE },
	{ 0 },
};

/* @return the command named (or uniquely prefixed) by word, NULL if none;
 * exits with an error if the prefix is ambiguous. */
static const struct report_cmd *find_command(const char *word)
{
	const struct report_cmd *found = NULL;
	char names[256] = "";
	int matches = 0;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(commands[i]->name, word))
			return commands[i];
		if (!strncmp(commands[i]->name, word, strlen(word))) {
			found = commands[i];
			matches++;
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 matches > 1 ? ", " : "", commands[i]->name);
		}
	}
	if (matches > 1) {
		report_err("ambiguous command '%s': could be %s", word, names);
		exit(2);
	}
	return found;
}

static int bad_value(const char *opt, const char *val, const char *why)
{
	report_err("invalid %s '%s': %s", opt, val, why);
	return 2;
}

static int parse_args(int argc, char **argv, struct report *r)
{
	const char *why;
	int c;

	while ((c = getopt_long(argc, argv, "hn:o:qf", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("ebpfreport %s (session format %d.%d)\n", EBPFREC_VERSION,
			       FMT_VERSION_MAJOR, FMT_VERSION_MINOR);
			exit(0);
		case 'n': {
			int64_t v;
			if (parse_int(optarg, 1, 1000000, &v))
				return bad_value("--top", optarg, "need a number from 1 to 1000000");
			r->top_n = (unsigned)v;
			break;
		}
		case 'o':
			r->output = optarg;
			break;
		case 'q':
			r->quiet = true;
			break;
		case 'f':
			r->force = true;
			break;
		case O_STRICT:
			r->strict = true;
			break;
		case O_IPS:
			r->redact_ips = true;
			break;
		case O_USERS:
			r->redact_users = true;
			break;
		case O_HOST:
			r->redact_host = true;
			break;
		case O_ARGV:
			if (strcmp(optarg, "drop") && strcmp(optarg, "hash"))
				return bad_value("--argv", optarg, "use drop or hash");
			r->redact_argv = optarg;
			break;
		case O_ARGV0:
			r->redact_argv0 = true;
			break;
		case O_KEY:
			r->key = optarg;
			break;
		case O_FORMAT:
			r->format = optarg;
			break;
		case O_STATS:
			r->stats = true;
			break;
		case O_JSON:
			r->out = OUT_JSON;
			break;
		case O_CSV:
			r->out = OUT_CSV;
			break;
		case O_UTC:
			r->utc = true;
			break;
		case O_BY:
			r->by = optarg;
			break;
		case O_SORT:
			if (strcmp(optarg, "count") && strcmp(optarg, "packets") && strcmp(optarg, "bytes"))
				return bad_value("--sort", optarg, "use count, packets or bytes");
			r->sort = optarg;
			break;
		case O_BUCKET:
			r->bucket = optarg;
			break;
		case O_SPEED: {
			char *end;
			errno = 0;
			r->speed = strtod(optarg, &end);
			if (errno || *end || !(r->speed > 0) || r->speed > 1e6)
				return bad_value("--speed", optarg, "need a positive factor");
			break;
		}
		case O_FOLLOW:
			r->follow = true;
			break;
		case O_IGNORE:
			r->ignore_errors = true;
			break;
		case O_PROGRESS:
			r->progress = 1;
			break;
		case O_NO_PROGRESS:
			r->progress = 0;
			break;
		case '?':
			fprintf(stderr, "Try 'ebpfreport --help'.\n");
			return 2;
		default:
			why = filter_parse_option(&r->f, c, optarg);
			if (why) {
				char name[64] = "option";
				for (const struct option *o = long_opts; o->name; o++)
					if (o->val == c)
						snprintf(name, sizeof(name), "--%s", o->name);
				return bad_value(name, optarg, why);
			}
		}
	}
	return 0;
}

/* argv as one space-separated string, cut at the buffer's size */
static const char *join_args(int argc, char **argv)
{
	static char buf[4096];
	size_t n = 0;

	for (int i = 0; i < argc && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", argv[i]);
	return buf;
}

int main(int argc, char **argv)
{
	struct report r = { .top_n = 10, .progress = -1 };
	const struct report_cmd *cmd = &cmd_summary;
	int rc;

	/* an exact command name wins (use ./top for a file named top); then an
	 * existing file; then a unique command prefix */
	if (argc > 1 && argv[1][0] != '-') {
		const struct report_cmd *c = find_command(argv[1]);
		if (c && (!strcmp(c->name, argv[1]) || access(argv[1], F_OK) != 0)) {
			cmd = c;
			argv++;
			argc--;
		} else if (!c && access(argv[1], F_OK) != 0 && !strchr(argv[1], '.') &&
			   !strchr(argv[1], '/')) {
			report_err("unknown command '%s' (see 'ebpfreport --help')", argv[1]);
			return 2;
		}
	}
	r.cmd_name = cmd->name;
	r.args = join_args(argc - 1, argv + 1);
	filter_init(&r.f);
	rc = parse_args(argc, argv, &r);
	if (rc)
		return rc;
	r.paths = argv + optind;
	r.nfiles = (unsigned)(argc - optind);
	if (cmd->takes_query) {
		if (r.nfiles < 2) {
			report_err("usage: ebpfreport %s %s", cmd->name, cmd->usage);
			return 2;
		}
		r.query = r.paths[--r.nfiles];
	}
	if (!r.nfiles) {
		report_err("no session file given (usage: ebpfreport %s %s)", cmd->name, cmd->usage);
		return 2;
	}
	rc = cmd->opens_itself ? 0 : report_open(&r);
	if (rc == 0)
		rc = cmd->run(&r);
	report_close(&r);
	return rc;
}
