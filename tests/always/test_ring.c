/* test_ring.c - the flight recorder (--ring) with the real recorder: a
 * dump holds the window before its trigger and --after after it, nothing
 * older; SIGUSR1 dumps at once; two triggers make two files; memory stays
 * within --ring-size (RSS sampled) during a 20,000-exec storm with
 * traffic, and what the bound dropped is counted. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../net/netns.h"
#include "always.h"

#define S 1000000000ull

extern char **environ;

/* Run prog with argv[1] = arg; @return its pid, the boot time before it
 * was spawned in *at. */
static pid_t run(const char *prog, const char *arg, uint64_t *at)
{
	const char *argv[] = { prog, arg, NULL };
	pid_t pid;
	int st;

	if (at)
		*at = boot_ns();
	cr_assert_eq(posix_spawn(&pid, prog, NULL, NULL, (char *const *)argv, environ), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return pid;
}

/* Wait until dir holds n closed session files (15 s at most). @return the
 * boot time when the n-th was there. */
static uint64_t wait_dumps(const char *dir, unsigned n)
{
	for (int i = 0; i < 1500; i++) {
		DIR *d = opendir(dir);
		struct dirent *de;
		unsigned closed = 0;

		while (d && (de = readdir(d))) {
			char path[600];
			struct fmt_reader *r;
			size_t len = strlen(de->d_name);
			if (len < 4 || strcmp(de->d_name + len - 3, ".db"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (fmt_reader_open(path, &r, NULL) == 0) {
				closed += fmt_reader_closed_clean(r);
				fmt_reader_close(r);
			}
		}
		if (d)
			closedir(d);
		if (closed >= n)
			return boot_ns();
		usleep(10000);
	}
	cr_assert_fail("no %u dumps in %s after 15 s", n, dir);
	return 0;
}

static const struct fmt_exec *exec_with(const struct capture *c, const char *arg)
{
	for (size_t i = 0; i < c->nexec; i++)
		if (c->execs[i].argc > 1 && !strcmp(c->execs[i].argv[1], arg))
			return &c->execs[i];
	return NULL;
}

static uint64_t meta_u64(const struct capture *c, const char *key)
{
	const char *v = cap_meta(c, key);

	cr_assert_not_null(v, "meta %s missing", key);
	return strtoull(v, NULL, 10);
}

static void start_ring(struct recorder *rec, const char *dir, const char *const *opts)
{
	static char pattern[300], log[300];
	const char *args[32] = { "-o", pattern, "--progress" };
	int n = 3;

	snprintf(pattern, sizeof(pattern), "%s/dump-%%H%%M%%S.db", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	for (; *opts && n < 31; opts++)
		args[n++] = *opts;
	args[n] = NULL;
	recorder_spawn(rec, NULL, args, log, recorder_log_ready, log);
}

Test(ring, dump_holds_the_window_around_a_trigger, .timeout = 120)
{
	const char *dir = test_dir("ring");
	char name[16], early[32], marker[32], after[32], out[8192], cmd[700];
	const char *opts[] = { "--ring", "3s", "--after", "1s", "--trigger-exit-nonzero", name,
			       "--no-net", NULL };
	uint64_t t_early, t_marker, trig, done;
	const struct fmt_exec *e;
	struct recorder rec;
	struct files f;
	const char *failing;
	pid_t fail_pid;
	FILE *p;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(name, sizeof(name), "rfail%d", getpid() % 100000);
	snprintf(early, sizeof(early), "early-%d", getpid());
	snprintf(marker, sizeof(marker), "marker-%d", getpid());
	snprintf(after, sizeof(after), "after-%d", getpid());
	failing = named_copy(dir, "/bin/false", name);
	start_ring(&rec, dir, opts);

	run("/bin/true", early, &t_early);
	usleep(3500000); /* the marker at t: early is 3.5 s before it */
	run("/bin/true", marker, &t_marker);
	usleep(2000000);
	fail_pid = run(failing, "x", NULL); /* the trigger, at t + 2 s */
	usleep(300000);
	run("/bin/true", after, NULL); /* inside --after */
	done = wait_dumps(dir, 1);
	recorder_stop(&rec, SIGINT);

	files_load(&f, dir);
	cr_assert_eq(f.n, 1, "%zu dumps", f.n);
	trig = meta_u64(&f.cap[0], "trigger_ns");
	cr_log_info("trigger to a complete file: %.3f s (--after 1s)", (double)(done - trig) / 1e9);
	cr_assert_str_eq(cap_meta(&f.cap[0], "trigger"), "exit-nonzero");
	cr_assert_str_eq(cap_meta(&f.cap[0], "trigger_comm"), name);
	cr_assert_str_eq(cap_meta(&f.cap[0], "trigger_pattern"), name);
	cr_assert_str_eq(cap_meta(&f.cap[0], "trigger_detail"), "exit code 1");
	cr_assert_eq(meta_u64(&f.cap[0], "trigger_pid"), (uint64_t)fail_pid);
	cr_assert_eq(meta_u64(&f.cap[0], "triggers"), 1);
	cr_assert_eq(meta_u64(&f.cap[0], "start_ns"), trig - 3 * S);
	cr_assert_geq(meta_u64(&f.cap[0], "end_ns"), trig + S);

	cr_assert_not_null(exec_with(&f.cap[0], marker), "the marker is not in the dump");
	cr_assert_not_null((e = exec_with(&f.cap[0], "x")), "the failing exec is not in the dump");
	cr_assert_eq(e->pid, (uint32_t)fail_pid);
	cr_assert_not_null(capture_exit_by_pid(&f.cap[0], (uint32_t)fail_pid));
	cr_assert_eq(capture_exit_by_pid(&f.cap[0], (uint32_t)fail_pid)->exit_code, 1);
	cr_assert_not_null(exec_with(&f.cap[0], after), "what came in --after is not in the dump");
	cr_assert_null(exec_with(&f.cap[0], early), "the dump holds an exec 3.5 s before the marker");
	cr_assert_lt(t_early + 3 * S, t_marker);
	for (size_t i = 0; i < f.cap[0].nexec; i++)
		cr_assert_geq(f.cap[0].execs[i].ts_ns, trig - 3 * S, "an exec before the window");
	for (size_t i = 0; i < f.cap[0].nexit; i++)
		cr_assert_geq(f.cap[0].exits[i].ts_ns, trig - 3 * S, "an exit before the window");

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", EBPFREPORT_BIN, f.path[0]);
	p = popen(cmd, "r");
	out[fread(out, 1, sizeof(out) - 1, p)] = 0;
	pclose(p);
	snprintf(cmd, sizeof(cmd), "trigger: exit-nonzero of '%s' (pid %d, exit code 1, matched",
		 name, fail_pid);
	cr_assert_not_null(strstr(out, cmd), "%s", out);
	snprintf(cmd, sizeof(cmd), "%s verify --strict %s >/dev/null", EBPFREPORT_BIN, f.path[0]);
	cr_assert_eq(system(cmd), 0);
	files_free(&f);
}

Test(ring, sigusr1_dumps_on_demand_and_recording_goes_on, .timeout = 60)
{
	const char *dir = test_dir("usr1");
	const char *opts[] = { "--ring", "5s", "--no-net", NULL };
	char m1[32], m2[32];
	struct recorder rec;
	struct files f;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(m1, sizeof(m1), "first-%d", getpid());
	snprintf(m2, sizeof(m2), "second-%d", getpid());
	start_ring(&rec, dir, opts);
	run("/bin/true", m1, NULL);
	usleep(200000);
	cr_assert_eq(kill(rec.pid, SIGUSR1), 0);
	wait_dumps(dir, 1);
	usleep(1100000); /* the next dump has another name (%S) */
	run("/bin/true", m2, NULL);
	usleep(200000);
	cr_assert_eq(kill(rec.pid, SIGUSR1), 0);
	wait_dumps(dir, 2);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);

	files_load(&f, dir);
	cr_assert_eq(f.n, 2, "%zu dumps", f.n);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_str_eq(cap_meta(&f.cap[i], "trigger"), "signal");
		cr_assert_str_eq(cap_meta(&f.cap[i], "trigger_detail"), "SIGUSR1");
		cr_assert_eq(meta_u64(&f.cap[i], "trigger_pid"), (uint64_t)getpid());
	}
	cr_assert_not_null(exec_with(&f.cap[0], m1));
	cr_assert_null(exec_with(&f.cap[0], m2));
	cr_assert_not_null(exec_with(&f.cap[1], m2));
	files_free(&f);
}

Test(ring, two_triggers_give_two_files, .timeout = 60)
{
	const char *dir = test_dir("two");
	char name[16];
	const char *opts[] = { "--ring", "2s", "--after", "500ms", "--trigger-exec", name,
			       "--keep", "2", "--no-net", NULL };
	struct recorder rec;
	struct files f;
	const char *prog;
	pid_t a, b, c;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(name, sizeof(name), "rtrig%d", getpid() % 100000);
	prog = named_copy(dir, "/bin/true", name);
	start_ring(&rec, dir, opts);
	a = run(prog, "one", NULL);
	usleep(2500000);
	b = run(prog, "two", NULL);
	wait_dumps(dir, 2);
	files_load(&f, dir);
	cr_assert_eq(f.n, 2, "%zu dumps", f.n);
	cr_assert_str_eq(cap_meta(&f.cap[0], "trigger"), "exec");
	cr_assert_eq(meta_u64(&f.cap[0], "trigger_pid"), (uint64_t)a);
	cr_assert_eq(meta_u64(&f.cap[1], "trigger_pid"), (uint64_t)b);
	cr_assert_not_null(exec_with(&f.cap[0], "one"));
	cr_assert_not_null(exec_with(&f.cap[1], "two"));
	cr_assert_null(exec_with(&f.cap[1], "one"), "the second dump reaches back past --ring");
	files_free(&f);

	/* two triggers within --after: one more dump that counts both, and
	 * --keep 2 deletes the oldest */
	usleep(1100000);
	c = run(prog, "three", NULL);
	usleep(100000);
	run(prog, "four", NULL);
	usleep(1500000);
	recorder_stop(&rec, SIGINT);
	files_load(&f, dir);
	cr_assert_eq(f.n, 2, "--keep 2 left %zu dumps", f.n);
	cr_assert_eq(meta_u64(&f.cap[0], "trigger_pid"), (uint64_t)b);
	cr_assert_eq(meta_u64(&f.cap[1], "trigger_pid"), (uint64_t)c);
	cr_assert_eq(meta_u64(&f.cap[1], "triggers"), 2);
	cr_assert_not_null(exec_with(&f.cap[1], "four"));
	files_free(&f);
}

#ifdef SANITIZED
#define STORM 4000 /* the bound is not checked there (see above): the rest is */
#else
#define STORM 20000
#endif
#define ARG 8192 /* random bytes an exec: what compression cannot shrink much */

Test(ring, memory_bounded_in_a_storm_with_flows, .timeout = 600)
{
	static struct netpair np;
	const char *dir = test_dir("storm");
	const char *opts[] = { "--ring", "60s", "--ring-size", "4M", "--queue-size", "16M",
			       "--netns", np.ns_a, "--netns", np.ns_b, "--interval", "200ms",
			       NULL };
	uint64_t rng = (uint64_t)getpid(), base, peak = 0, bound, t0, t1, sig, done;
	char *arg = malloc(ARG + 1), last[64], tag[32], cmd[900], stop[300];
	struct recorder rec;
	struct files f;
	pid_t traffic;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	netpair_up(&np);
	start_ring(&rec, dir, opts);
	usleep(500000);
	base = rss_of(rec.pid);
	/* traffic until the storm is over */
	snprintf(stop, sizeof(stop), "%s/stop", dir);
	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s sh -c 'while [ ! -e %s ]; do %s udp 10.99.0.2 45000 100 2; "
		 "sleep 0.1; done'",
		 np.ns_a, stop, NETGEN_BIN);
	traffic = fork();
	cr_assert_geq(traffic, 0);
	if (!traffic)
		_exit(system(cmd) == 0 ? 0 : 1);

	snprintf(tag, sizeof(tag), "storm%d", getpid());
	t0 = boot_ns();
	for (int i = 0; i < STORM; i++) {
		const char *argv[] = { "true", last, arg, NULL };
		pid_t pid;
		int st;
		for (int k = 0; k < ARG; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			arg[k] = (char)('!' + rng % 94);
		}
		arg[ARG] = 0;
		snprintf(last, sizeof(last), "%s-%d", tag, i);
		cr_assert_eq(posix_spawn(&pid, "/bin/true", NULL, NULL, (char *const *)argv, environ),
			     0);
		cr_assert_eq(waitpid(pid, &st, 0), pid);
		if (i % 100 == 0) {
			uint64_t r = rss_of(rec.pid);
			peak = r > peak ? r : peak;
		}
	}
	usleep(500000); /* a few intervals of traffic alone */
	t1 = boot_ns();
	fclose(fopen(stop, "w"));
	child_wait(traffic);
	peak = rss_of(rec.pid) > peak ? rss_of(rec.pid) : peak;
	sig = boot_ns();
	cr_assert_eq(kill(rec.pid, SIGUSR1), 0);
	done = wait_dumps(dir, 1);
	recorder_stop(&rec, SIGINT);
	netpair_down(&np);

	/* the ring buffer's pages, the ring, the queue and some slack */
	bound = base + (8u << 20) + (4u << 20) + (16u << 20) + (24u << 20);
	cr_log_info("storm: %d execs of %d random bytes in %.1f s with traffic; recorder RSS "
		    "%.1f MiB idle, %.1f MiB at most (bound %.1f MiB); SIGUSR1 to a complete "
		    "dump: %.3f s",
		    STORM, ARG, (double)(t1 - t0) / 1e9, base / 1048576.0, peak / 1048576.0,
		    bound / 1048576.0, (double)(done - sig) / 1e9);
#ifdef SANITIZED
	cr_log_info("a sanitized recorder: its RSS is not checked against the bound");
#else
	cr_assert_leq(peak, bound, "RSS %llu > %llu", (unsigned long long)peak,
		      (unsigned long long)bound);
#endif

	files_load(&f, dir);
	cr_assert_eq(f.n, 1);
	cr_log_info("the dump: %zu execs, %zu flow rows, lost_ring %llu, lost_ringbuf %llu, "
		    "lost_queue %llu",
		    f.cap[0].nexec, f.cap[0].nflow,
		    (unsigned long long)meta_u64(&f.cap[0], "lost_ring"),
		    (unsigned long long)meta_u64(&f.cap[0], "lost_ringbuf"),
		    (unsigned long long)meta_u64(&f.cap[0], "lost_queue"));
	/* 160 MB of arguments cannot fit in 4 MiB: the oldest went, counted */
	cr_assert_gt(meta_u64(&f.cap[0], "lost_ring"), 0);
	cr_assert_not_null(exec_with(&f.cap[0], last), "the storm's last exec is not in the dump");
	cr_assert_gt(f.cap[0].nflow, 0, "no flow rows in the dump");
	snprintf(cmd, sizeof(cmd), "%s verify --strict %s >/dev/null", EBPFREPORT_BIN, f.path[0]);
	cr_assert_eq(system(cmd), 0);
	files_free(&f);
	free(arg);
}
