/* test_faults.c - the recorder when things go wrong around it: the disk
 * fills up, it is SIGKILLed at random moments, it is stopped for seconds
 * under an exec storm, its disk is slower than the events. Real ebpfrec,
 * real BPF, real execs; the full disk is a small tmpfs, the slow disk a
 * FUSE file system (slowfs.c) that sleeps before every write. */
#include <criterion/criterion.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../record/recorder.h"

extern char **environ;

static volatile sig_atomic_t storm_stop_flag;

static void on_term(int sig)
{
	(void)sig;
	storm_stop_flag = 1;
}

struct storm {
	pid_t pid;
	int fd;
};

/* A process that spawns prog (argv: name, tag, sequence number, and with
 * big_args 30 random 100-character arguments) until it has done count or
 * gets SIGTERM, then reports how many it spawned. */
static void storm_start(struct storm *s, const char *prog, const char *tag, long count,
			int big_args)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	s->pid = fork();
	cr_assert_geq(s->pid, 0);
	if (s->pid == 0) {
		static char big[30][101];
		char id[32];
		const char *argv[40] = { strrchr(prog, '/') + 1, tag, id };
		long n = 0;
		unsigned seed = (unsigned)getpid();

		close(fds[0]);
		signal(SIGTERM, on_term);
		for (int a = 0; big_args && a < 30; a++)
			argv[3 + a] = big[a];
		for (; n < count && !storm_stop_flag; n++) {
			pid_t pid;
			for (int a = 0; big_args && a < 30; a++)
				for (int c = 0; c < 100; c++)
					big[a][c] = "0123456789abcdef"[rand_r(&seed) % 16];
			snprintf(id, sizeof(id), "%ld", n);
			if (posix_spawn(&pid, prog, NULL, NULL, (char *const *)argv, environ))
				break;
			waitpid(pid, NULL, 0);
		}
		if (write(fds[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	s->fd = fds[0];
}

/* Stop (if stop) and wait for the storm; @return execs it spawned. */
static long storm_end(struct storm *s, int stop)
{
	long n = -1;

	if (stop)
		kill(s->pid, SIGTERM);
	cr_assert_eq(read(s->fd, &n, sizeof(n)), (ssize_t)sizeof(n));
	waitpid(s->pid, NULL, 0);
	close(s->fd);
	return n;
}

/* A copy of /bin/true named name: its comm is ours alone, so the in-kernel
 * --comm filter and the drop counters see our execs only. */
static const char *prog_named(const char *name)
{
	static char prog[256];
	char cmd[512];

	snprintf(prog, sizeof(prog), "%s", rec_tmp_path(name));
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	cr_assert_eq(system(cmd), 0);
	return prog;
}

/* Sequence numbers of our execs in a capture: @return how many, and
 * whether they are exactly 0..n-1 (*prefix) and the largest (*max). */
static long our_execs(const struct capture *c, const char *comm, const char *tag, int *prefix,
		      long *max)
{
	long n = 0, sum = 0;

	*max = -1;
	for (size_t i = 0; i < c->nexec; i++) {
		const struct fmt_exec *e = &c->execs[i];
		long id;
		if (strcmp(e->comm, comm) || e->argc < 3 || strcmp(e->argv[1], tag))
			continue;
		id = atol(e->argv[2]);
		n++;
		sum += id;
		*max = id > *max ? id : *max;
	}
	/* distinct ids (each exec is recorded once) summing to 0+..+(n-1) */
	*prefix = *max == n - 1 && sum == n * (n - 1) / 2;
	return n;
}

static int verify(const char *path)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), "%s verify --quiet %s", EBPFREPORT_BIN, path);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = 0;
	if (f)
		fclose(f);
	return buf;
}

static void root(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
}

static char full_mnt[256];

/* Unmounted even when an assertion ends the test early. */
static void full_fini(void)
{
	if (full_mnt[0])
		umount2(full_mnt, MNT_DETACH);
}

Test(faults, disk_full_stops_with_one_error_and_keeps_the_committed, .init = root,
     .fini = full_fini, .timeout = 180)
{
	static const char *const args[] = { "--comm", "fullstorm", "--max-args", "64", "--no-exit",
					    NULL };
	char *mnt = full_mnt, db[300], log[300], *err;
	const char *prog = prog_named("fullstorm");
	struct recorder rec;
	struct capture cap;
	struct storm s;
	int st = 0, prefix, lines = 0;
	long n, max, got;

	snprintf(full_mnt, sizeof(full_mnt), "%s", rec_tmp_path("small"));
	snprintf(log, sizeof(log), "%s", rec_tmp_path("full.log"));
	mkdir(mnt, 0700);
	cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0, "cannot mount a tmpfs");
	snprintf(db, sizeof(db), "%s/full.db", mnt);
	recorder_start_logged(&rec, db, args, log);
	/* 3 KiB of random arguments an exec: the 1 MiB fills in a few hundred */
	storm_start(&s, prog, "full", 20000, 1);
	for (int i = 0; i < 1200 && waitpid(rec.pid, &st, WNOHANG) == 0; i++)
		usleep(50000);
	n = storm_end(&s, 1);
	cr_assert(WIFEXITED(st), "ebpfrec did not stop by itself on a full disk");
	cr_assert_eq(WEXITSTATUS(st), 1);
	err = slurp(log);
	for (char *p = err; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 1, "one error line expected:\n%s", err);
	cr_assert_not_null(strstr(err, "disk full"), "%s", err);
	cr_assert_not_null(strstr(err, db), "%s", err);

	capture_load(&cap, db);
	got = our_execs(&cap, "fullstorm", "full", &prefix, &max);
	fprintf(stderr, "disk full: %ld of %ld execs committed before the disk filled\n", got, n);
	cr_assert_gt(got, 10);
	cr_assert(prefix, "the file should hold execs 0..%ld, no gaps (max %ld)", got - 1, max);
	cr_assert_eq(cap.clean, 0);
	capture_free(&cap);
	cr_assert_eq(verify(db), 0, "the file does not verify");
}

Test(faults, sigkill_at_random_moments_20_times, .init = root, .timeout = 300)
{
	const char *prog = prog_named("killstorm");
	struct storm s;
	long total = 0;
	unsigned seed = (unsigned)time(NULL);

	storm_start(&s, prog, "kill", 1000000, 0);
	for (int round = 0; round < 20; round++) {
		struct recorder rec;
		struct capture cap;
		char name[32];
		int st, prefix;
		long max;
		unsigned ms = 100 + rand_r(&seed) % 1900;

		snprintf(name, sizeof(name), "kill%d.db", round);
		recorder_start(&rec, rec_tmp_path(name), NULL);
		usleep(ms * 1000);
		st = recorder_stop(&rec, SIGKILL);
		cr_assert(WIFSIGNALED(st));
		cr_assert_eq(verify(rec.path), 0, "round %d (killed after %u ms): does not verify",
			     round, ms);
		capture_load(&cap, rec.path);
		total += our_execs(&cap, "killstorm", "kill", &prefix, &max);
		cr_assert_eq(cap.clean, 0);
		capture_free(&cap);
	}
	storm_end(&s, 1);
	fprintf(stderr, "sigkill: 20 of 20 files open and verify, %ld storm execs in them\n", total);
	cr_assert_gt(total, 0);
}

Test(faults, sigstop_for_5s_drops_are_counted_exactly, .init = root, .timeout = 180)
{
	static const char *const args[] = { "--comm", "stopstorm", "--ringbuf-size", "65536",
					    "--max-argv-bytes", "4096", NULL };
	const char *prog = prog_named("stopstorm");
	struct recorder rec;
	struct capture cap;
	struct storm s;
	int st, prefix;
	long n, got, max;
	uint64_t dropped;

	recorder_start(&rec, rec_tmp_path("stop.db"), args);
	storm_start(&s, prog, "stop", 1000000, 0);
	usleep(1500000);
	kill(rec.pid, SIGSTOP);
	sleep(5);
	kill(rec.pid, SIGCONT);
	usleep(1500000);
	n = storm_end(&s, 1);
	usleep(300000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	capture_load(&cap, rec.path);
	got = our_execs(&cap, "stopstorm", "stop", &prefix, &max);
	dropped = capture_meta_u64(&cap, "lost_ringbuf_exec");
	fprintf(stderr, "sigstop 5 s: %ld recorded + %llu dropped = %ld generated\n", got,
		(unsigned long long)dropped, n);
	cr_assert_gt(dropped, 0, "a 64 KiB ring buffer should overflow in 5 s of storm");
	cr_assert_eq(got + (long)dropped, n);
	cr_assert_eq(max, n - 1, "recording did not continue after SIGCONT");
	capture_free(&cap);
}

static char slow_mnt[256];
static pid_t slow_fs;

/* Unmounted and stopped even when an assertion ends the test early. */
static void slow_fini(void)
{
	if (slow_mnt[0])
		umount2(slow_mnt, MNT_DETACH);
	if (slow_fs > 0)
		waitpid(slow_fs, NULL, 0);
}

Test(faults, slow_disk_fills_the_queue_loss_counted_loop_never_blocks, .init = root,
     .fini = slow_fini, .timeout = 300)
{
	static const char *const args[] = { "--comm", "slowstorm", "--no-exit", "--queue-size",
					    "65536", "--ringbuf-size", "16384", "--max-argv-bytes",
					    "4096", NULL };
	const char *prog = prog_named("slowstorm");
	char back[256], *mnt = slow_mnt, db[300], cmd[1024];
	struct recorder rec;
	struct capture cap;
	struct storm s;
	int st, prefix, mounted = 0;
	long n, got, max;
	uint64_t lost_q, lost_rb, peak;

	snprintf(back, sizeof(back), "%s", rec_tmp_path("slow-back"));
	snprintf(slow_mnt, sizeof(slow_mnt), "%s", rec_tmp_path("slow"));
	mkdir(back, 0700);
	mkdir(mnt, 0700);
	/* 300 ms a write: SQLite commits take seconds; the storm does not wait */
	slow_fs = fork();
	if (slow_fs == 0) {
		execl(SLOWFS_BIN, "slowfs", back, mnt, "300", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && !mounted; i++) {
		snprintf(cmd, sizeof(cmd), "grep -q ' %s fuse' /proc/mounts", mnt);
		mounted = system(cmd) == 0;
		usleep(50000);
	}
	cr_assert(mounted, "slowfs did not mount");
	snprintf(db, sizeof(db), "%s/slow.db", mnt);
	recorder_start(&rec, db, args);
	/* 8 s of storm, whatever the machine's (or the sanitizer's) pace */
	storm_start(&s, prog, "slow", 1000000, 0);
	sleep(8);
	n = storm_end(&s, 1);
	usleep(300000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	capture_load(&cap, db);
	got = our_execs(&cap, "slowstorm", "slow", &prefix, &max);
	lost_q = capture_meta_u64(&cap, "lost_queue");
	lost_rb = capture_meta_u64(&cap, "lost_ringbuf_exec");
	peak = capture_meta_u64(&cap, "queue_peak_bytes");
	fprintf(stderr,
		"slow disk: %ld recorded + %llu dropped at the full queue = %ld generated; ring "
		"buffer drops %llu; queue peak %llu bytes\n",
		got, (unsigned long long)lost_q, n, (unsigned long long)lost_rb,
		(unsigned long long)peak);
	/* the event loop kept draining a 16 KiB ring buffer while the writer
	 * waited on the disk */
	cr_assert_eq(lost_rb, 0);
	cr_assert_eq(got + (long)lost_q, n);
	cr_assert_gt(lost_q, 0, "the queue never filled: the disk was not slow enough");
	capture_free(&cap);
	snprintf(cmd, sizeof(cmd), "%s %s --utc", EBPFREPORT_BIN, db);
	FILE *p = popen(cmd, "r");
	char buf[4096] = "";
	cr_assert_eq(fread(buf, 1, sizeof(buf) - 1, p) > 0, 1);
	pclose(p);
	cr_assert_not_null(strstr(buf, "writer queue drops"), "%s", buf);
}
