/* main.c - ebpfreport: read session files offline (no root, no BPF).
 *
 *   ebpfreport [COMMAND] FILE... [OPTIONS]
 *   ebpfreport help [COMMAND]
 *
 * Subcommands live one per file (cmd_*.c) and are dispatched from the table
 * below; a unique prefix of a command name is accepted. Without a command,
 * `summary` runs (the header and the top tables). Each command declares its
 * options (options.c checks them); after it ran, the output is flushed and
 * checked here, once for all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileset.h"
#include "options.h"
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
	&cmd_push,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ebpfreport [COMMAND] FILE... [OPTIONS]\n"
		   "       ebpfreport help COMMAND    (or COMMAND --help): its options\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
		"\nWithout a command, 'summary' runs: the session header, then the top commands "
		"and flows.\n"
		"\nExamples:\n"
		"  ebpfreport session.db --top 10\n"
		"  ebpfreport top session.db --by path --comm 'cc*'\n"
		"  ebpfreport session.db --since +30s --until +1m --json\n"
		"  ebpfreport replay a.db b.db --type exec --speed 10\n"
		"  ebpfreport replay session.db --ipfix 127.0.0.1:4739\n"
		"  ebpfreport timeline session.db --bucket 100ms\n"
		"  ebpfreport verify *.db\n"
		"  ebpfreport /var/lib/ebpfrec/ --top 10  # a directory: a rotated series as one\n"
		"  ebpfreport slice session.db --since +1m --until +2m -o cut.db\n"
		"  ebpfreport redact cut.db --ips --argv hash --users --host -o share.db\n"
		"  ebpfreport export session.db --format perfetto -o trace.json\n"
		"  ebpfreport sql session.db \"SELECT comm, count(*) FROM exec GROUP BY 1\"\n"
		"  ebpfreport html session.db -o report.html\n"
		"  ebpfreport push /var/lib/ebpfrec/ --clickhouse http://db1:8123\n"
		"\nSee ebpfreport(1) and docs/FORMAT.md.\n");
}

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

/* `ebpfreport help [COMMAND]` */
static int help(int argc, char **argv)
{
	const struct report_cmd *c;

	if (argc < 3) {
		usage(stdout);
		return 0;
	}
	if (!(c = find_command(argv[2]))) {
		report_err("unknown command '%s' (see 'ebpfreport help')", argv[2]);
		return 2;
	}
	options_usage(stdout, c);
	return 0;
}

/* argv as one space-separated string, cut at the buffer's size, without
 * -j/--threads: how many threads read the files is no part of what was
 * asked, and outputs that record the command line stay the same whatever
 * the count */
static const char *join_args(int argc, char **argv)
{
	static char buf[4096];
	size_t n = 0;
	int k = 0;

	for (int i = 0; i < argc && n < sizeof(buf); i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-j") || !strcmp(a, "--threads")) {
			i++; /* and its value */
			continue;
		}
		if ((!strncmp(a, "-j", 2) && a[2] >= '0' && a[2] <= '9') ||
		    !strncmp(a, "--threads=", 10))
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", k++ ? " " : "", a);
	}
	return buf;
}

/* Finish stdout for every command: a full disk or a closed pipe must not
 * pass silently; a skipped chunk makes the status 1 unless ignored. */
static int finish(const struct report *r, int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		if (!r->stdout_said)
			report_err("write error on standard output");
		return 1;
	}
	if (r->errors && !r->ignore_errors && status == 0)
		status = 1;
	return status;
}

int main(int argc, char **argv)
{
	struct report r = { .top_n = 10, .progress = -1, .rate = -1 };
	const struct report_cmd *cmd = &cmd_summary;
	char **paths;
	unsigned npaths;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "help"))
		return finish(&r, help(argc, argv));
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return finish(&r, 0);
	}
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
	rc = options_parse(argc, argv, cmd, &r);
	if (rc)
		return rc < 0 ? finish(&r, 0) : rc;
	r.paths = argv + optind;
	r.nfiles = (unsigned)(argc - optind);
	if (cmd->takes_query) {
		if (r.nfiles < 2) {
			report_err("usage: ebpfreport %s %s", cmd->name, cmd->args);
			return 2;
		}
		r.query = r.paths[--r.nfiles];
	}
	if (!r.nfiles) {
		report_err("no session file given (usage: ebpfreport %s %s)", cmd->name, cmd->args);
		return 2;
	}
	if ((rc = fileset_expand(&r.paths, &r.nfiles))) /* a directory: its sessions */
		return rc;
	paths = r.paths;
	npaths = r.nfiles;
	rc = cmd->opens_itself ? 0 : report_open(&r);
	if (rc == 0)
		rc = finish(&r, cmd->run(&r));
	report_close(&r);
	fileset_free(paths, npaths);
	return rc;
}
