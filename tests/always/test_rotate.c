/* test_rotate.c - rotation (--rotate-every, --rotate-size, --keep) with
 * the real recorder: a steady exec loop and traffic between two network
 * namespaces while files rotate; every exec of the loop and every packet
 * is in exactly one file, each file verifies on its own, a file ends
 * where the next begins, and the series reads as one session. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../net/flowsum.h"
#include "../net/netns.h"
#include "../replay/json_path.h"
#include "always.h"

static struct netpair np;

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	netpair_up(&np);
}

static void teardown(void)
{
	netpair_down(&np);
}

/* A ready() for recorder_spawn: a file of dir has its probes live. */
static int dir_attached(void *dir)
{
	char cmd[600], line[600];
	int found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/*.db 2>/dev/null", (const char *)dir);
	p = popen(cmd, "r");
	while (p && !found && fgets(line, sizeof(line), p)) {
		struct fmt_reader *r;
		uint64_t v;
		line[strcspn(line, "\n")] = 0;
		if (fmt_reader_open(line, &r, NULL) == 0) {
			found = fmt_reader_meta_u64(r, "attached_ns", &v) == 0;
			fmt_reader_close(r);
		}
	}
	if (p)
		pclose(p);
	return found;
}

/* Run a shell command, its stdout into out. @return its exit status */
static int sh_out(char *out, size_t len, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	size_t n = 0;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint64_t meta_u64(const struct capture *c, const char *key)
{
	const char *v = cap_meta(c, key);

	cr_assert_not_null(v, "meta %s missing", key);
	return strtoull(v, NULL, 10);
}

#define ROUNDS 40
#define FLOWS 10
#define PER 3
#define LOOP 180 /* execs, one per 50 ms: 9 s */

Test(rotate, every_2s_partition_exactly, .init = setup, .fini = teardown, .timeout = 180)
{
	const char *dir = test_dir("rot2s");
	char pattern[300], tag[32], arg[64], out[65536], v[64];
	const char *args[] = { "-o", pattern, "--rotate-every", "2s", "--netns", np.ns_a,
			       "--netns", np.ns_b, "--interval", "200ms", "--no-progress", NULL };
	uint32_t ifa = 1u << 24 | ns_ifindex(np.ns_a, np.if_a);
	uint32_t ifb = 2u << 24 | ns_ifindex(np.ns_b, np.if_b);
	uint64_t sent = (uint64_t)ROUNDS * FLOWS * PER, out_a = 0, in_b = 0, max_gap = 0;
	uint64_t execs = 0, outside = 0;
	struct recorder rec;
	struct files f;
	pid_t loop, traffic;
	char cmd[600];
	int st;

	snprintf(pattern, sizeof(pattern), "%s/rot-%%Y%%m%%d-%%H%%M%%S.db", dir);
	snprintf(tag, sizeof(tag), "rot%d", getpid());
	recorder_spawn(&rec, NULL, args, NULL, dir_attached, (void *)dir);
	loop = exec_loop("/bin/true", tag, LOOP, 50, 0);
	snprintf(cmd, sizeof(cmd),
		 "ip netns exec %s sh -c 'for i in $(seq %d); do %s udp 10.99.0.2 47000 %d %d; "
		 "sleep 0.2; done'",
		 np.ns_a, ROUNDS, NETGEN_BIN, FLOWS, PER);
	traffic = fork();
	cr_assert_geq(traffic, 0);
	if (!traffic)
		_exit(system(cmd) == 0 ? 0 : 1);
	child_wait(loop);
	child_wait(traffic);
	usleep(500000); /* the last interval drained */
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);

	files_load(&f, dir);
	cr_log_info("%zu files over 9 s", f.n);
	cr_assert_geq(f.n, 4, "rotating every 2 s over 9 s made %zu files", f.n);
	for (size_t i = 0; i < f.n; i++) {
		const struct capture *c = &f.cap[i];
		uint64_t start = meta_u64(c, "start_ns"), end = meta_u64(c, "end_ns");
		int64_t off = strtoll(cap_meta(c, "clock_offset_ns"), NULL, 10);
		cr_assert(c->clean, "%s not closed cleanly", f.path[i]);
		cr_assert_eq(meta_u64(c, "series_seq"), i + 1, "%s", f.path[i]);
		cr_assert_str_eq(cap_meta(c, "series"), cap_meta(&f.cap[0], "series"));
		if (i) {
			const char *prev = strrchr(f.path[i - 1], '/') + 1;
			uint64_t prev_end = meta_u64(&f.cap[i - 1], "end_ns");
			uint64_t gap = start > prev_end ? start - prev_end : prev_end - start;
			int64_t into = ((int64_t)start + off) % 2000000000ll;
			cr_assert_str_eq(cap_meta(c, "series_prev"), prev);
			max_gap = gap > max_gap ? gap : max_gap;
			/* begun on a wall-clock boundary (an even second here) */
			cr_assert_lt(into, 200000000, "%s begins %lld ms after an even second "
				     "(%llu ns after the last one ends)",
				     f.path[i], (long long)(into / 1000000), (unsigned long long)(start - prev_end));
		}
		/* a flow row is the interval that ends at its time: inside the file */
		for (size_t k = 0; k < c->nflow; k++)
			outside += c->flows[k].ts_ns > end ||
				   c->flows[k].ts_ns - c->flows[k].interval_ns < start;
		execs += c->nexec;
		/* loss counters per file: failed execs are counted where recorded */
		{
			uint64_t failed = 0;
			for (size_t k = 0; k < c->nexec; k++)
				failed += c->execs[k].ret < 0;
			cr_assert_eq(meta_u64(c, "failed_execs"), failed, "%s", f.path[i]);
		}
		out_a += flows_sum(c, ifa, FMT_DIR_EGRESS, 17, "10.99.0.2", 47000, 47000 + FLOWS - 1, NULL);
		in_b += flows_sum(c, ifb, FMT_DIR_INGRESS, 17, "10.99.0.2", 47000, 47000 + FLOWS - 1, NULL);
	}
	cr_log_info("rotation gap: end_ns of one file to start_ns of the next, at most %llu ns; "
		    "flow rows outside their file's span: %llu",
		    (unsigned long long)max_gap, (unsigned long long)outside);
	cr_assert_eq(max_gap, 0, "a file does not begin where the one before ends");
	cr_assert_eq(outside, 0, "flow intervals spill over a file's span");
	for (unsigned i = 0; i < LOOP; i++) {
		snprintf(arg, sizeof(arg), "%s-%u", tag, i);
		cr_assert_eq(files_count_arg(&f, arg), 1, "exec %s is in %u files", arg,
			     files_count_arg(&f, arg));
	}
	cr_assert_eq(out_a, sent, "egress on A: %llu packets in the files, %llu sent",
		     (unsigned long long)out_a, (unsigned long long)sent);
	cr_assert_eq(in_b, sent, "ingress on B: %llu packets in the files, %llu sent",
		     (unsigned long long)in_b, (unsigned long long)sent);

	/* each file on its own, and the series as one */
	cr_assert_eq(sh_out(out, sizeof(out), "%s verify --strict %s", EBPFREPORT_BIN, dir), 0,
		     "%s", out);
	cr_assert_eq(sh_out(out, sizeof(out), "%s %s --json", EBPFREPORT_BIN, dir), 0, "%s", out);
	cr_assert_eq(json_path(out, "counts.execs", v, sizeof(v)), 1, "%s", out);
	cr_assert_eq(strtoull(v, NULL, 10), execs, "%s", out);
	cr_assert_eq(sh_out(out, sizeof(out), "%s %s", EBPFREPORT_BIN, dir), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "(%zu files of a series, 1 to %zu)", f.n, f.n);
	cr_assert_not_null(strstr(out, cmd), "%s", out);
	/* relative times count from the series' start: the first 2 s are the
	 * first file's */
	cr_assert_eq(sh_out(out, sizeof(out), "%s %s --until +1.9s --json", EBPFREPORT_BIN, dir),
		     0, "%s", out);
	cr_assert_eq(json_path(out, "counts.execs", v, sizeof(v)), 1, "%s", out);
	cr_assert_leq(strtoull(v, NULL, 10), f.cap[0].nexec + f.cap[1].nexec);
	files_free(&f);
}

Test(rotate, keep_2_leaves_two_files, .timeout = 120)
{
	const char *dir = test_dir("keep2");
	char pattern[300], out[8192];
	const char *args[] = { "-o", pattern, "--rotate-every", "1s", "--keep", "2", "--no-net",
			       "--no-progress", NULL };
	struct recorder rec;
	struct files f;
	pid_t loop;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(pattern, sizeof(pattern), "%s/keep.db", dir); /* no field: a sequence number */
	recorder_spawn(&rec, NULL, args, NULL, dir_attached, (void *)dir);
	loop = exec_loop("/bin/true", "keep", 90, 50, 0);
	child_wait(loop);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	files_load(&f, dir);
	cr_assert_eq(f.n, 2, "--keep 2 left %zu files", f.n);
	cr_assert_eq(meta_u64(&f.cap[1], "series_seq"), meta_u64(&f.cap[0], "series_seq") + 1);
	cr_assert_geq(meta_u64(&f.cap[0], "series_seq"), 4, "fewer rotations than expected");
	cr_assert_not_null(strstr(f.path[0], "/keep-0000"), "%s", f.path[0]);
	/* each file names the processes it may mention: this test, running
	 * since before the recording, is in each file's process table */
	for (size_t i = 0; i < f.n; i++)
		cr_assert_not_null(capture_proc_by_pid(&f.cap[i], (uint32_t)getpid()),
				   "%s has no process table entry for the test (pid %d)", f.path[i],
				   getpid());
	/* the files deleted are not "missing": only gaps between files are */
	cr_assert_eq(sh_out(out, sizeof(out), "%s verify %s", EBPFREPORT_BIN, dir), 0, "%s", out);
	files_free(&f);
}

Test(rotate, by_size_and_a_missing_file, .timeout = 120)
{
	const char *dir = test_dir("bysize");
	char pattern[300], out[16384], arg[64], missing[300], want[400];
	const char *args[] = { "-o", pattern, "--rotate-size", "64K", "--no-net", "--no-progress",
			       NULL };
	struct recorder rec;
	struct files f;
	pid_t loop;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(pattern, sizeof(pattern), "%s/size-%%H%%M%%S.db", dir);
	recorder_spawn(&rec, NULL, args, NULL, dir_attached, (void *)dir);
	/* 2 KB of random text an exec: about 1.6 KB each once compressed */
	loop = exec_loop("/bin/true", "size", 400, 10, 2048);
	child_wait(loop);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	files_load(&f, dir);
	cr_log_info("--rotate-size 64K: %zu files", f.n);
	cr_assert_geq(f.n, 3, "%zu files", f.n);
	for (size_t i = 0; i + 1 < f.n; i++) {
		struct stat sb;
		cr_assert_eq(stat(f.path[i], &sb), 0);
		cr_assert_geq(sb.st_size, 64 << 10, "%s: %lld bytes, rotated before 64K", f.path[i],
			      (long long)sb.st_size);
	}
	for (unsigned i = 0; i < 400; i++) {
		snprintf(arg, sizeof(arg), "size-%u", i);
		cr_assert_eq(files_count_arg(&f, arg), 1, "exec %s is in %u files", arg,
			     files_count_arg(&f, arg));
	}
	cr_assert_eq(sh_out(out, sizeof(out), "%s verify --strict %s", EBPFREPORT_BIN, dir), 0,
		     "%s", out);

	/* a file missing in the middle of the series: verify says which */
	for (size_t i = 0; i < f.n; i++) {
		uint64_t seq = meta_u64(&f.cap[i], "series_seq");
		if (seq == 2) {
			snprintf(missing, sizeof(missing), "%s", strrchr(f.path[i], '/') + 1);
			cr_assert_eq(unlink(f.path[i]), 0);
		} else if (seq == 3) {
			snprintf(want, sizeof(want), "%s: BAD: the file before it in its series is "
				 "missing (file 2, '", strrchr(f.path[i], '/') + 1);
		}
	}
	cr_assert_eq(sh_out(out, sizeof(out), "%s verify %s", EBPFREPORT_BIN, dir), 1, "%s", out);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_not_null(strstr(out, missing), "%s", out);
	files_free(&f);
}
