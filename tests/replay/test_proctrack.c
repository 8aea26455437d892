/* test_proctrack.c - the pairing of execs with what ends them, which
 * html, perfetto and the plain export share: a story of processes fed in
 * time order, and the runs the tracker reports, as a log. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt_meta.h"
#include "proctrack.h"

struct log {
	char text[4096];
	size_t n;
	uint64_t next_user;
};

static const char *const begins[] = { "exec", "forked", "before" };
static const char *const ends[] = { "running", "exited", "replaced", "failed" };

static int on_begin(void *ctx, struct proc_run *run)
{
	struct log *l = ctx;

	run->user = ++l->next_user;
	l->n += (size_t)snprintf(l->text + l->n, sizeof(l->text) - l->n, "begin %u %s %s %llu\n",
				 run->pid, begins[run->begin], run->comm ? run->comm : "?",
				 (unsigned long long)run->begin_ns);
	return 0;
}

static int on_end(void *ctx, const struct proc_run *run)
{
	struct log *l = ctx;

	l->n += (size_t)snprintf(l->text + l->n, sizeof(l->text) - l->n,
				 "end %u %s %s %llu #%llu%s\n", run->pid, ends[run->end],
				 run->comm ? run->comm : "?", (unsigned long long)run->end_ns,
				 (unsigned long long)run->user,
				 run->end == PROC_EXITED && run->exit->signal ? " killed" : "");
	return 0;
}

/* An empty session whose recording started at start_ns (boot clock). */
static struct fmt_reader *session_starting_at(uint64_t start_ns)
{
	static int k;
	char path[64];
	struct fmt_writer *w;
	struct fmt_reader *r;

	snprintf(path, sizeof(path), "/tmp/proctrack-%d-%d.db", getpid(), k++);
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_writer_set_meta_u64(w, FMT_META_START_NS, start_ns), 0);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0);
	unlink(path); /* the reader keeps it open */
	return r;
}

static struct fmt_event exec_ev(uint64_t ts, uint32_t pid, uint32_t ppid, const char *comm,
				int ret)
{
	return (struct fmt_event){ .stream = FMT_STREAM_EXEC,
				   .exec = { .ts_ns = ts, .pid = pid, .ppid = ppid, .comm = comm,
					     .filename = comm, .ret = ret } };
}

static struct fmt_event exit_ev(uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
				uint32_t sig)
{
	return (struct fmt_event){ .stream = FMT_STREAM_EXIT,
				   .exit = { .ts_ns = ts, .pid = pid, .ppid = ppid, .start_ns = start,
					     .signal = sig } };
}

Test(proctrack, execs_exits_forks_and_failures)
{
	static const struct proc_ops ops = { on_begin, on_end };
	struct fmt_event evs[] = {
		exec_ev(110, 10, 1, "sh", 0),
		exec_ev(120, 10, 1, "ls", 0), /* the same process runs another program */
		exec_ev(125, 11, 10, "cc", -2), /* a failed exec: the child goes on as cc */
		exit_ev(130, 11, 10, 124, 0), /* ... and exits: named by its failed exec */
		exit_ev(131, 12, 10, 126, 0), /* a subshell: its parent's comm */
		exit_ev(132, 13, 1, 50, 9), /* older than the recording */
		exit_ev(140, 10, 1, 105, 0),
		exec_ev(150, 14, 1, "top", 0), /* still running at the end */
		exit_ev(160, 15, 1, 0, 0), /* no start time known */
		{ .stream = FMT_STREAM_FLOW }, /* ignored */
	};
	struct log l = { .n = 0 };
	struct fmt_reader *rd = session_starting_at(100);
	struct proctrack *t = proctrack_new(&ops, &l, &rd, 1);

	cr_assert_not_null(t);
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		cr_assert_eq(proctrack_add(t, &evs[i]), 0, "event %zu", i);
	cr_assert_eq(proctrack_finish(t), 0);
	proctrack_free(t);
	fmt_reader_close(rd);
	cr_assert_str_eq(l.text, "begin 10 exec sh 110\n"
				 "end 10 replaced sh 120 #1\n"
				 "begin 10 exec ls 120\n"
				 "begin 11 exec cc 125\n"
				 "end 11 failed cc 125 #3\n"
				 "begin 11 forked cc 124\n"
				 "end 11 exited cc 130 #4\n"
				 "begin 12 forked ls 126\n"
				 "end 12 exited ls 131 #5\n"
				 "begin 13 before ? 50\n"
				 "end 13 exited ? 132 #6 killed\n"
				 "end 10 exited ls 140 #2\n"
				 "begin 14 exec top 150\n"
				 "begin 15 before ? 0\n"
				 "end 15 exited ? 160 #8\n"
				 "end 14 running top 0 #7\n");
}

/* Processes of two files never meet, even with the same pid. */
Test(proctrack, files_apart)
{
	static const struct proc_ops ops = { on_begin, on_end };
	struct fmt_event a = exec_ev(10, 7, 1, "a", 0), b = exec_ev(11, 7, 1, "b", 0);
	struct fmt_event xa = exit_ev(12, 7, 1, 5, 0);
	struct log l = { .n = 0 };
	struct fmt_reader *rd[2] = { session_starting_at(1), session_starting_at(1) };
	struct proctrack *t = proctrack_new(&ops, &l, rd, 2);

	b.source = 1;
	xa.source = 0;
	cr_assert_eq(proctrack_add(t, &a), 0);
	cr_assert_eq(proctrack_add(t, &b), 0);
	cr_assert_eq(proctrack_add(t, &xa), 0);
	cr_assert_eq(proctrack_finish(t), 0);
	proctrack_free(t);
	fmt_reader_close(rd[0]);
	fmt_reader_close(rd[1]);
	cr_assert_str_eq(l.text, "begin 7 exec a 10\nbegin 7 exec b 11\nend 7 exited a 12 #1\n"
				 "end 7 running b 0 #2\n");
}
