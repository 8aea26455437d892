/* test_storm.c - an exec storm: every exec is recorded with the defaults;
 * with a tiny ring buffer and a stalled recorder, recorded + counted drops
 * equals generated, exactly. */
#include <criterion/criterion.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recorder.h"

#define STORM 20000

extern char **environ;

/* posix_spawn /bin/true STORM times, one at a time. If stall is not 0,
 * the recorder is stopped (SIGSTOP) for the middle 2,000 execs, so its ring
 * buffer fills up. */
static void storm(const char *prog, const char *tag, pid_t stall)
{
	const char *argv[] = { "true", tag, NULL };

	for (int i = 0; i < STORM; i++) {
		pid_t pid;
		int st;
		if (stall && i == STORM / 2)
			kill(stall, SIGSTOP);
		if (stall && i == STORM / 2 + 2000)
			kill(stall, SIGCONT);
		cr_assert_eq(posix_spawn(&pid, prog, NULL, NULL, (char *const *)argv, environ), 0);
		cr_assert_eq(waitpid(pid, &st, 0), pid);
	}
}

static size_t count_storm(const struct capture *c, const char *comm, const char *tag)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nexec; i++)
		if (c->execs[i].ppid == (uint32_t)getpid() && c->execs[i].argc == 2 &&
		    !strcmp(c->execs[i].argv[1], tag) && !strcmp(c->execs[i].comm, comm))
			n++;
	return n;
}

Test(storm, every_exec_recorded_with_defaults, .timeout = 600)
{
	struct recorder rec;
	struct capture cap;
	size_t got;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	recorder_start(&rec, rec_tmp_path("storm.db"), NULL);
	storm("/bin/true", "storm-default", 0);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&cap, rec.path);
	got = count_storm(&cap, "true", "storm-default");
	cr_assert_eq(got, STORM, "recorded %zu of %d execs (lost_ringbuf %llu)", got, STORM,
		     (unsigned long long)capture_meta_u64(&cap, "lost_ringbuf"));
	cr_assert_eq(capture_meta_u64(&cap, "lost_ringbuf"), 0);
	capture_free(&cap);
}

Test(storm, tiny_ringbuf_drops_are_counted_exactly, .timeout = 600)
{
	/* only our storm passes the comm filter (a copy of true with a name of
	 * its own), so the exec drop counter counts our execs only; the
	 * recorder is stalled mid-storm */
	static const char *const args[] = { "--ringbuf-size", "8192", "--max-argv-bytes", "4096",
					    "--comm", "tinystorm", NULL };
	char prog[256];
	struct recorder rec;
	struct capture cap;
	uint64_t dropped;
	char cmd[300];
	size_t got;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(prog, sizeof(prog), "%s", rec_tmp_path("tinystorm"));
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	cr_assert_eq(system(cmd), 0);
	recorder_start(&rec, rec_tmp_path("tiny.db"), args);
	storm(prog, "storm-tiny", rec.pid);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&cap, rec.path);
	got = count_storm(&cap, "tinystorm", "storm-tiny");
	dropped = capture_meta_u64(&cap, "lost_ringbuf_exec");
	cr_log_info("tiny ring buffer: %zu recorded + %llu dropped = %d generated", got,
		    (unsigned long long)dropped, STORM);
	cr_assert_gt(dropped, 0, "an 8 KiB ring buffer should overflow in this storm");
	cr_assert_eq(got + dropped, STORM, "recorded %zu + dropped %llu != %d", got,
		     (unsigned long long)dropped, STORM);
	capture_free(&cap);
}
