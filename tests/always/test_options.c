/* test_options.c - the rotation and flight-recorder options on the
 * command line: every bad value and every combination that makes no sense
 * is one clear line and a non-zero exit, nothing left behind; SIGUSR1 to a
 * recorder without --ring is said and ignored. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "always.h"

struct bad {
	const char *args[8];
	int code;
	const char *says;
};

static struct bad bads[] = {
	{ { "--rotate-every", "0", NULL }, 2, "invalid --rotate-every '0'" },
	{ { "--rotate-every", "1.5s", NULL }, 2, "whole seconds" },
	{ { "--rotate-every", "10x", NULL }, 2, "use 30s, 10m, 1h, 1d" },
	{ { "--rotate-every", "8d", NULL }, 2, "between 1s and 7d" },
	{ { "--rotate-size", "1K", NULL }, 2, "invalid --rotate-size '1K'" },
	{ { "--keep", "0", "--rotate-size", "1M", NULL }, 2, "invalid --keep '0'" },
	{ { "--keep", "3", NULL }, 2, "--keep needs --rotate-every, --rotate-size or --ring" },
	{ { "--ring", "5m", "--rotate-every", "10m", NULL }, 2, "exclude each other" },
	{ { "--ring", "0", NULL }, 2, "invalid --ring '0'" },
	{ { "--ring", "1m", "--ring-size", "1K", NULL }, 2, "invalid --ring-size '1K'" },
	{ { "--ring-size", "8M", NULL }, 2, "--ring-size needs --ring" },
	{ { "--after", "2s", NULL }, 2, "--after needs --ring" },
	{ { "--trigger-exec", "sh", NULL }, 2, "--trigger-* needs --ring" },
	{ { "--ring", "1m", "--trigger-exit-nonzero", "", NULL }, 2, "empty pattern" },
	{ { "--ring", "1m", "--after", "2h", NULL }, 2, "between 0 and 1h" },
	{ { "-o", "/tmp/a%Y/x.db", "--rotate-every", "1m", NULL }, 1,
	  "strftime fields belong in the file name" },
	{ { "-o", "/tmp/x%", "--rotate-every", "1m", NULL }, 1, "a lone '%' at the end" },
};

/* Parameters are indexes: a test may run in a process of its own where
 * pointers in copied parameters would not be valid. */
ParameterizedTestParameters(options, bad_ones_are_one_line_and_an_exit)
{
	static int idx[sizeof(bads) / sizeof(bads[0])];

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		idx[i] = (int)i;
	return cr_make_param_array(int, idx, sizeof(idx) / sizeof(idx[0]));
}

ParameterizedTest(int *i, options, bad_ones_are_one_line_and_an_exit, .timeout = 30)
{
	const struct bad *b = &bads[*i];
	const char *argv[16] = { EBPFREC_BIN, "--no-net" };
	int fds[2], st, n = 2;
	char err[4096];
	ssize_t got;
	size_t used = 0;
	pid_t pid;

	for (const char *const *a = b->args; *a; a++)
		argv[n++] = *a;
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(fds[1]);
	while (used < sizeof(err) - 1 && (got = read(fds[0], err + used, sizeof(err) - 1 - used)) > 0)
		used += (size_t)got;
	err[used] = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == b->code, "exit %d (expected %d): %s",
		  WEXITSTATUS(st), b->code, err);
	cr_assert_not_null(strstr(err, b->says), "stderr lacks '%s': %s", b->says, err);
	if (b->code == 1)
		cr_assert_eq(strchr(err, '\n'), strrchr(err, '\n'), "more than one line: %s", err);
}

Test(options, sigusr1_without_a_flight_recorder_is_ignored, .timeout = 60)
{
	const char *dir = test_dir("usr1plain");
	char path[300], log[300], line[512] = "";
	const char *args[] = { "-o", path, "--no-net", "--progress", NULL };
	struct recorder rec;
	FILE *f;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(path, sizeof(path), "%s/plain.db", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	recorder_spawn(&rec, NULL, args, log, recorder_log_ready, log);
	cr_assert_eq(kill(rec.pid, SIGUSR1), 0);
	usleep(300000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	f = fopen(log, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f) && !strstr(line, "SIGUSR1 ignored"))
		;
	fclose(f);
	cr_assert_not_null(strstr(line, "ebpfrec: SIGUSR1 ignored: it asks the flight recorder"),
			   "%s", line);
}
