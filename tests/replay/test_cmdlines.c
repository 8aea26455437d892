/* test_cmdlines.c - top --by cmdline's count (cmdlines.c) keys most lines
 * by the ids of their words and the others by their text; it must count
 * exactly what a table of joined texts counts. The reference here joins
 * each exec's argv itself (spaces between, cut at CMDLINE_MAX - 1 bytes)
 * and counts the texts in one agg table; lines are written to a real
 * session (chunks of 37) and counted through top_add_batch, as top does,
 * and through top_add, record by record. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "cmdlines.h"
#include "top.h"

#define MAXARGS 4200

/* Lines whose words and texts are easy to confuse: spaces inside
 * arguments, empty arguments, leading, trailing and double spaces, no
 * arguments, and lines near and past the cut. */
struct line {
	uint32_t argc;
	char *argv[MAXARGS];
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

static void line_set(struct line *l, uint32_t argc, const char *const *argv)
{
	l->argc = argc;
	for (uint32_t i = 0; i < argc; i++)
		l->argv[i] = strdup(argv[i]);
}

/* argc arguments, each `each` times the letter c. */
static void line_fill(struct line *l, uint32_t argc, size_t each, char c)
{
	l->argc = argc;
	for (uint32_t i = 0; i < argc; i++) {
		l->argv[i] = malloc(each + 1);
		memset(l->argv[i], c + (char)(i % 3), each);
		l->argv[i][each] = 0;
	}
}

static size_t hard_lines(struct line *v)
{
	static const char *const set[][5] = {
		{ "a b" },	 { "a", "b" },	   { "a", "", "b" }, { "a", " b" }, { "a ", "b" },
		{ " a" },	 { "a " },	   { "" },	     { "", "" },    { "a  b" },
		{ "a", "b c" },	 { "a b", "c" },   { "\xff\xfe", "z" }, { "a\tb" }, { "cc", "-O2" },
		{ "cc", "-O2 " }, { "cc ", "-O2" }, { "sh", "-c", "make all" },
		{ "sh", "-c", "make", "all" },
	};
	static const int argc[] = { 1, 2, 3, 2, 2, 1, 1, 1, 2, 1, 2, 2, 2, 1, 2, 2, 2, 3, 4 };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(argc) / sizeof(argc[0]); i++)
		line_set(&v[n++], (uint32_t)argc[i], set[i]);
	v[n++].argc = 0; /* no arguments: "" like [""] */
	/* around the cut: joined lengths 8189 to 8193 in two words */
	for (size_t len = 8189; len <= 8193; len++) {
		line_fill(&v[n], 2, (len - 1) / 2, 'x');
		if ((len - 1) % 2) { /* one more byte in the second word */
			char *s = realloc(v[n].argv[1], (len - 1) / 2 + 2);
			strcat(s, "q");
			v[n].argv[1] = s;
		}
		n++;
	}
	line_fill(&v[n++], 4095, 1, 'a'); /* 8189 bytes: words */
	line_fill(&v[n++], 4096, 1, 'a'); /* 8191: cut */
	line_fill(&v[n++], 4100, 1, 'a'); /* past the cut */
	line_fill(&v[n++], 2, 9000, 'm'); /* a word longer than any line */
	return n;
}

/* The session: the hard lines and random lines of a small vocabulary
 * (some of its words with spaces), each repeated 1-4 times so that counts
 * tie, in random order. @return its path. */
static const char *session(struct line *lines, size_t nl, uint64_t seed, size_t records)
{
	static char path[64];
	struct fmt_writer_opts o = { .chunk_records = 37 };
	struct fmt_writer *w;
	uint64_t rng = seed;

	snprintf(path, sizeof(path), "/tmp/cmdlines-%d.db", getpid());
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &(char *){ NULL }), 0);
	for (size_t i = 0; i < records; i++) {
		const struct line *l = &lines[rnd(&rng) % nl];
		struct fmt_exec e = { .ts_ns = 1000000000ull + i * 1000, .pid = 100 + (uint32_t)i,
				      .comm = "c", .pcomm = "p", .filename = "/f",
				      .argc = l->argc, .argv = (const char *const *)l->argv };
		cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return path;
}

static size_t random_lines(struct line *v, size_t n, uint64_t *rng)
{
	static const char *const vocab[] = { "ls", "-la", "a b", "", " ", "x", "cc", "-O2",
					     "make all", "--", "y " };
	for (size_t i = 0; i < n; i++) {
		const char *argv[7];
		char own[24];
		uint32_t argc = (uint32_t)(rnd(rng) % 6);
		for (uint32_t a = 0; a < argc; a++)
			argv[a] = vocab[rnd(rng) % (sizeof(vocab) / sizeof(vocab[0]))];
		if (i % 3 == 0) { /* a word of its own: new words all along */
			snprintf(own, sizeof(own), "n%zu", i);
			argv[argc++] = own;
		}
		line_set(&v[i], argc, argv);
	}
	return n;
}

struct rows {
	char **label;
	size_t *len;
	uint64_t *count;
	size_t n, cap;
};

static void keep(void *ctx, const char *label, const struct agg_entry *e, double share)
{
	struct rows *r = ctx;

	(void)share, (void)label; /* the key, not the label, which escapes bytes */
	cr_assert_lt(r->n, r->cap);
	r->label[r->n] = malloc(e->klen + 1);
	memcpy(r->label[r->n], e->key, e->klen);
	r->label[r->n][e->klen] = 0;
	r->len[r->n] = e->klen;
	r->count[r->n++] = e->count;
}

/* Count the session's execs with t->lines, by batch (by_batch 1: loaded
 * with the argument ids, as top loads them; 2: without) or record by record,
 * on two tops sharing the count through writers of their own (as two
 * threads would; the threads test runs top --by cmdline on threads), and
 * compare the first `limit` rows with the reference's. */
static void check(const char *path, int by_batch, size_t limit, unsigned threads,
		  struct agg *want_all)
{
	struct fmt_reader *r;
	struct fmt_chunk_info *ci;
	struct fmt_batch *batch = NULL;
	struct top t, other;
	struct report rep = { .top_n = (unsigned)limit };
	struct rows got = { .cap = limit };
	struct agg_entry **want;
	size_t nw;
	int n;

	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0);
	rep.readers = &r, rep.nfiles = 1;
	top_init(&t, BY_CMDLINE, 0);
	top_init(&other, BY_CMDLINE, 0);
	cr_assert_eq(top_lines_start(&t), 0);
	other.lines = t.lines;
	n = fmt_reader_chunks(r, &ci);
	cr_assert_gt(n, 20);
	for (int i = 0; i < n; i++) {
		struct top *into = i % 2 ? &other : &t;
		uint32_t pos[64], k = 0;
		/* what top loads (the argument ids alone: lines that are not
		 * words are joined from them); without the ids, lines are
		 * joined from the strings */
		uint64_t cols = by_batch == 1 ? top_cols(BY_CMDLINE) : FMT_COL_ALL;
		cr_assert_eq(fmt_reader_load_cols(r, ci[i].id, cols, &batch), 0);
		for (uint32_t j = 0; j < fmt_batch_count(batch); j++) {
			struct fmt_event ev;
			pos[k++] = j;
			if (!by_batch) {
				fmt_batch_get_at(batch, j, &ev);
				cr_assert_eq(top_add(into, &ev), 0);
			}
		}
		if (by_batch)
			cr_assert_eq(top_add_batch(into, 0, batch, pos, k), 0);
	}
	free(ci);
	fmt_batch_free(batch);
	cr_assert_eq(top_merge(&t, &other), 0);
	other.lines = NULL, other.lines_w = NULL;
	top_free(&other);
	cr_assert_eq(top_lines_done(&t, limit, threads), 0);
	got.label = calloc(limit + 1, sizeof(*got.label));
	got.count = calloc(limit + 1, sizeof(*got.count));
	got.len = calloc(limit + 1, sizeof(*got.len));
	top_each(&t, &rep, keep, &got);
	want = agg_top(want_all, 0, limit, &nw);
	cr_assert_eq(got.n, nw, "limit %zu: %zu rows, want %zu", limit, got.n, nw);
	for (size_t i = 0; i < nw; i++) {
		cr_assert_eq(got.len[i], want[i]->klen, "limit %zu row %zu (batch %d): %zu bytes '%.30s' (%llu), want %u '%.30s' (%llu)", limit, i, by_batch, got.len[i], got.label[i], (unsigned long long)got.count[i], want[i]->klen, (const char *)want[i]->key, (unsigned long long)want[i]->count);
		cr_assert_eq(memcmp(got.label[i], want[i]->key, want[i]->klen), 0,
			     "limit %zu row %zu: '%.40s'", limit, i, got.label[i]);
		cr_assert_eq(got.count[i], want[i]->count, "limit %zu row %zu batch %d: %llu want %llu", limit, i, by_batch, (unsigned long long)got.count[i], (unsigned long long)want[i]->count);
		free(got.label[i]);
	}
	free(want);
	free(got.label);
	free(got.count);
	free(got.len);
	top_free(&t);
	fmt_reader_close(r);
}

/* The reference: every exec's text, joined here, counted in want. */
static void reference(const char *path, struct agg *want)
{
	static char text[CMDLINE_MAX];
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;

	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_iter_open(&r, 1, 1u << FMT_STREAM_EXEC, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) == 1) {
		size_t n = 0;
		struct agg_entry *e;
		for (uint32_t i = 0; i < ev.exec.argc && n < sizeof(text) - 1; i++) {
			size_t l = strlen(ev.exec.argv[i]);
			if (i)
				text[n++] = ' ';
			if (l > sizeof(text) - 1 - n)
				l = n < sizeof(text) - 1 ? sizeof(text) - 1 - n : 0;
			memcpy(text + n, ev.exec.argv[i], l);
			n += l;
		}
		if (n >= sizeof(text))
			n = sizeof(text) - 1;
		cr_assert_not_null(e = agg_get(want, text, n));
		e->count++;
	}
	fmt_iter_free(it);
	fmt_reader_close(r);
}

/* The hard lines and random ones, counted with at most words_max words
 * before lines are counted as text. */
static void hard_and_random(size_t words_max)
{
	static struct line lines[400];
	uint64_t rng = 99;
	size_t nl = hard_lines(lines), records = 6000, keep = cmdlines_words_max;
	const char *path;
	struct agg want = { 0 };

	cmdlines_words_max = words_max;
	nl += random_lines(lines + nl, 300, &rng);
	path = session(lines, nl, 7, records);
	reference(path, &want);
	cr_assert_gt(want.n, 100, "%zu distinct lines", want.n);
	for (int by_batch = 0; by_batch < 3; by_batch++)
		for (size_t limit = 1; limit <= want.n + 5; limit = limit * 3 + 1)
			check(path, by_batch, limit, 1 + (unsigned)(limit % 3), &want);
	check(path, 1, want.n, 2, &want); /* every line */
	agg_free(&want);
	unlink(path);
	for (size_t i = 0; i < nl; i++)
		for (uint32_t a = 0; a < lines[i].argc; a++)
			free(lines[i].argv[a]);
	cmdlines_words_max = keep;
}

Test(cmdlines, counted_as_their_joined_texts, .timeout = 120)
{
	hard_and_random(cmdlines_words_max);
}

/* Past the words' limit (here well into the session: a third of the
 * random lines bring a word of their own), lines are counted as text
 * and those counted by ids before are added to them: the same counts. */
Test(cmdlines, counted_as_text_past_the_words_limit, .timeout = 120)
{
	hard_and_random(60);
}

/* 40,000 words: ids of one, two and three bytes in the keys. */
Test(cmdlines, ids_of_every_width, .timeout = 120)
{
	static struct line lines[40000];
	char word[16];
	const char *path;
	struct agg want = { 0 };

	for (size_t i = 0; i < 40000; i++) {
		const char *argv[] = { "cc", word, i % 3 ? "-c" : "a b" };
		snprintf(word, sizeof(word), "w%zu", i);
		line_set(&lines[i], 2 + (i % 5 == 0), argv);
	}
	path = session(lines, 40000, 3, 60000);
	reference(path, &want);
	cr_assert_gt(want.n, 20000, "%zu distinct lines", want.n);
	for (size_t limit = 1; limit <= want.n; limit *= 40)
		check(path, 1, limit, 2, &want);
	check(path, 1, want.n, 2, &want);
	agg_free(&want);
	unlink(path);
	for (size_t i = 0; i < 40000; i++)
		for (uint32_t a = 0; a < lines[i].argc; a++)
			free(lines[i].argv[a]);
}
