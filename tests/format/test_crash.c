/* test_crash.c - a writer killed with SIGKILL leaves a readable file that
 * holds every flushed record and says it was not closed cleanly. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* In a child: write `flushed` records with flushes in between (so open
 * chunks are rewritten in place), then 100 more, then die by SIGKILL. */
static void child_writes_and_dies(const char *path, int flushed)
{
	struct fmt_writer *w;
	char *err;
	uint64_t rng = 7;

	if (fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &err))
		_exit(2);
	for (int i = 0; i < flushed + 100; i++) {
		struct fmt_exec e;
		struct fmt_flow f;
		rec_exec_random(&rng, 1000 + (uint64_t)i, &e);
		rec_flow_random(&rng, 1000 + (uint64_t)i, &f);
		if (fmt_writer_append_exec(w, &e) || fmt_writer_append_flow(w, &f))
			_exit(3);
		rec_exec_free(&e);
		if (i == flushed / 3 || i == flushed - 1)
			if (fmt_writer_flush(w))
				_exit(4);
	}
	kill(getpid(), SIGKILL);
	_exit(5);
}

static void crash_and_check(int flushed)
{
	const char *path = tmp_path("crash.db");
	struct fmt_reader *r;
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		child_writes_and_dies(path, flushed);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);

	r = open_or_fail(path);
	cr_assert_not(fmt_reader_closed_clean(r), "a killed session must not look clean");
	fmt_reader_close(r);
	cr_assert_eq(count_records(path, 1u << FMT_STREAM_EXEC, 0, UINT64_MAX), flushed);
	cr_assert_eq(count_records(path, 1u << FMT_STREAM_FLOW, 0, UINT64_MAX), flushed);
}

Test(crash, sigkill_keeps_flushed_records_in_open_chunk, .timeout = 60)
{
	crash_and_check(5000); /* within the first chunk */
}

Test(crash, sigkill_keeps_flushed_records_across_chunks, .timeout = 120)
{
	crash_and_check(150000); /* several closed chunks and an open one */
}

Test(crash, abandoned_writer_is_not_clean)
{
	const char *path = tmp_path("abandon.db");
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_exit x = { .ts_ns = 1 };
	char *err;

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
	cr_assert_eq(fmt_writer_flush(w), 0);
	fmt_writer_abandon(w);
	r = open_or_fail(path);
	cr_assert_not(fmt_reader_closed_clean(r));
	fmt_reader_close(r);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, UINT64_MAX), 1);
}
