/* test_par.c - decoding on threads: the iterator reading ahead gives the
 * records, errors included, of the one-thread iterator in the same order;
 * fmt_par_run runs each chunk once and commits in chunk order; both also
 * with a payload budget smaller than any chunk (every decoder waiting for
 * room, one chunk always let through), where a deadlock would show as a
 * timeout. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "par.h"

#define SEC 1000000000ull

/* Two files of every stream in small chunks that overlap in time. */
static void make_files(const char **a, const char **b)
{
	static char paths[2][512]; /* tmp_path's buffer is reused */
	uint64_t rng = 3;

	snprintf(paths[0], sizeof(paths[0]), "%s", tmp_path("par-a.db"));
	snprintf(paths[1], sizeof(paths[1]), "%s", tmp_path("par-b.db"));
	for (int f = 0; f < 2; f++) {
		struct fmt_writer_opts o = { .chunk_records = 37 };
		struct fmt_writer *w;
		char *err = NULL;
		uint64_t ts = SEC;

		cr_assert_eq(fmt_writer_create(paths[f], FMT_CREATE_FORCE, &o, &w, &err), 0, "%s",
			     err);
		fmt_writer_set_meta(w, "clock_offset_ns", f ? "500" : "0");
		for (int i = 0; i < 3000; i++) {
			struct fmt_event ev;
			ts += rnd(&rng) % 3 ? rnd(&rng) % 1000000 : 0;
			/* execs late: chunks overlap */
			rec_event_random(&rng, ts, &ev);
			if (ev.stream == FMT_STREAM_EXEC)
				ev.exec.ts_ns -= rnd(&rng) % 5000000 % ev.exec.ts_ns;
			cr_assert_eq(fmt_writer_append(w, &ev), 0, "%s", fmt_writer_errmsg(w));
			rec_event_free(&ev);
		}
		cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
	}
	*a = paths[0];
	*b = paths[1];
}

/* Break the checksum of every 7th chunk of path. */
static void damage(const char *path)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE chunk SET checksum = checksum + 1 WHERE id % 7 = 3",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
}

/* A line per record (stream, source, time, a field or two) or error. */
static char *iterate(struct fmt_reader **r, unsigned threads, size_t *n)
{
	uint64_t from[2] = { 0, 0 }, to[2] = { UINT64_MAX, UINT64_MAX };
	struct fmt_iter *it;
	struct fmt_event ev;
	size_t len = 0, cap = 1 << 20;
	char *out = malloc(cap);
	int rc;

	*n = 0;
	cr_assert_eq(fmt_iter_open_threads(r, 2, FMT_STREAM_MASK_ALL, from, to, threads, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) != 0) {
		if (len + 512 > cap)
			out = realloc(out, cap *= 2);
		if (rc < 0) {
			len += (size_t)snprintf(out + len, cap - len, "error %u: %s\n", ev.source,
						fmt_reader_errmsg(r[ev.source]));
			continue;
		}
		len += (size_t)snprintf(out + len, cap - len, "%d %u %llu %s\n", ev.stream, ev.source,
					(unsigned long long)fmt_event_ts(&ev),
					ev.stream == FMT_STREAM_EXEC ? ev.exec.comm :
					ev.stream == FMT_STREAM_CGROUP ? ev.cgroup.path : "");
		(*n)++;
	}
	fmt_iter_free(it);
	return out;
}

static void iterate_the_same(int damaged)
{
	const char *a, *b;
	struct fmt_reader *r[2];
	size_t n1, n4;
	char *one, *four;

	make_files(&a, &b);
	if (damaged)
		damage(b);
	r[0] = open_or_fail(a);
	r[1] = open_or_fail(b);
	one = iterate(r, 1, &n1);
	four = iterate(r, 4, &n4);
	cr_assert_gt(n1, 1000);
	cr_assert_eq(n1, n4);
	cr_assert_str_eq(one, four);
	cr_assert_eq(!!strstr(one, "error 1: "), damaged);
	free(one);
	free(four);
	fmt_reader_close(r[0]);
	fmt_reader_close(r[1]);
}

Test(par, read_ahead_iterates_the_same, .timeout = 60)
{
	iterate_the_same(0);
	iterate_the_same(1);
}

Test(par, read_ahead_with_no_room_iterates_the_same, .timeout = 60)
{
	par_budget_limit = 1; /* every chunk is over it */
	iterate_the_same(0);
	iterate_the_same(1);
}

struct seen {
	pthread_mutex_t mu;
	int *each; /* times each chunk was given to each */
	size_t next_commit;
	int out_of_order, bad;
};

static int each(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial)
{
	struct seen *s = ctx;

	(void)worker;
	pthread_mutex_lock(&s->mu);
	s->each[i]++;
	pthread_mutex_unlock(&s->mu);
	*partial = (void *)(uintptr_t)(fmt_batch_count(b) + 1);
	return 0;
}

static int commit(void *ctx, size_t i, void *partial, int rc, const char *errmsg)
{
	struct seen *s = ctx;

	s->out_of_order |= i != s->next_commit++;
	if (rc < 0)
		s->bad += errmsg && strstr(errmsg, "checksum") ? 1 : 1000;
	else if (!partial)
		s->out_of_order = 1;
	return 0;
}

static void run_each_once(unsigned threads)
{
	const char *a, *b;
	struct fmt_reader *r[2];
	struct fmt_chunk_info *ci;
	struct fmt_par_chunk *c = calloc(4000, sizeof(*c));
	struct seen s = { .mu = PTHREAD_MUTEX_INITIALIZER };
	size_t n = 0;
	int bad = 0;

	make_files(&a, &b);
	damage(b);
	r[0] = open_or_fail(a);
	r[1] = open_or_fail(b);
	for (unsigned f = 0; f < 2; f++) {
		int nc = fmt_reader_chunks(r[f], &ci);
		for (int i = 0; i < nc; i++) {
			c[n++] = (struct fmt_par_chunk){ f, ci[i].id, ci[i].raw_size };
			bad += f == 1 && ci[i].id % 7 == 3;
		}
		free(ci);
	}
	s.each = calloc(n, sizeof(*s.each));
	{
		struct fmt_par p = { .readers = r, .chunks = c, .n = n, .cols = FMT_COL_ALL,
				     .threads = threads, .each = each, .commit = commit, .ctx = &s };
		cr_assert_eq(fmt_par_run(&p), 0);
	}
	cr_assert_eq(s.next_commit, n, "every chunk committed");
	cr_assert_not(s.out_of_order, "commits in chunk order, each with its partial");
	cr_assert_eq(s.bad, bad, "the damaged chunks, said as such: %d, not %d", s.bad, bad);
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(s.each[i], 1, "chunk %zu decoded %d times", i, s.each[i]);
	free(s.each);
	free(c);
	fmt_reader_close(r[0]);
	fmt_reader_close(r[1]);
}

Test(par, each_chunk_once_and_commits_in_order, .timeout = 60)
{
	run_each_once(1);
	run_each_once(3);
}

Test(par, each_chunk_once_with_no_room, .timeout = 60)
{
	par_budget_limit = 1;
	run_each_once(3);
}
