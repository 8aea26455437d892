/* test_top.c - aggregation for the top tables: the group-by map and its
 * order (ties by key), and each --by key counted two ways, record by
 * record (top_add, as html does) and by dictionary ids per chunk
 * (top_add_batch, as top and summary do), which must agree. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <pthread.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agg.h"
#include "top.h"

/* Threads adding into one spilled count, each through its writer, count
 * what one table counts, and its top N (ties by key) is the same, added up
 * on one thread or on three. */
struct spill_job {
	struct agg_spill_writer *w;
	int from, to, failed;
};

/* Record i's key: short (up to AGG_SHORT_MAX bytes, counted as a word)
 * or long, by the key; into key (32 bytes). @return its length. */
static size_t spill_key(char *key, int i)
{
	int v = (i * 7919) % 20000;

	return (size_t)snprintf(key, 32, v % 3 ? "k%05d" : "longer-k%05d", v);
}

static void *spill_adder(void *arg)
{
	struct spill_job *j = arg;
	char key[32];

	for (int i = j->from; i < j->to; i++)
		j->failed |= agg_spill_add(j->w, key, spill_key(key, i), 1 + (uint64_t)(i % 3));
	return NULL;
}

Test(agg, spilled_count_counts_what_one_table_counts)
{
	struct agg one = { 0 }, top = { 0 };
	struct agg_spill *s = agg_spill_new();
	struct spill_job job[4];
	pthread_t tid[4];
	struct agg_entry **want, **got;
	size_t nw, ng;
	char key[32];

	cr_assert_not_null(s);
	for (int i = 0; i < 200000; i++) {
		struct agg_entry *e = agg_get(&one, key, spill_key(key, i));
		cr_assert_not_null(e);
		e->count += 1 + (uint64_t)(i % 3);
	}
	for (int t = 0; t < 4; t++) {
		job[t] = (struct spill_job){ agg_spill_writer(s), t * 50000, (t + 1) * 50000, 0 };
		cr_assert_not_null(job[t].w);
		cr_assert_eq(pthread_create(&tid[t], NULL, spill_adder, &job[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(tid[t], NULL);
		cr_assert_eq(job[t].failed, 0);
	}
	for (size_t limit = 1; limit <= 30000; limit = limit * 7 + 3) {
		cr_assert_eq(agg_spill_top(s, limit, limit % 2 ? 1 : 3, &top), 0);
		want = agg_top(&one, 0, limit, &nw);
		got = agg_top(&top, 0, limit, &ng);
		cr_assert_eq(ng, nw, "limit %zu", limit);
		for (size_t i = 0; i < nw; i++) {
			cr_assert_eq(got[i]->klen, want[i]->klen);
			cr_assert_eq(memcmp(got[i]->key, want[i]->key, want[i]->klen), 0,
				     "limit %zu row %zu", limit, i);
			cr_assert_eq(got[i]->count, want[i]->count, "limit %zu row %zu", limit, i);
		}
		free(want);
		free(got);
		agg_free(&top);
	}
	agg_spill_free(s);
	agg_free(&one);
}

/* The heaviest keys all in one partition (the hash's top 10 bits): the
 * top N still comes whole, and keys that share a hash's partition but not
 * their bytes are counted apart. */
Test(agg, spilled_top_when_one_partition_holds_it_all)
{
	struct agg_spill *s = agg_spill_new();
	struct agg_spill_writer *w = agg_spill_writer(s);
	struct agg top = { 0 };
	struct agg_entry **v;
	size_t n;
	char key[16];
	int heavy = 0;

	cr_assert_not_null(w);
	for (int i = 0; heavy < 50; i++) {
		snprintf(key, sizeof(key), "h%d", i);
		if (agg_spill_partition(key, strlen(key))) /* not the first partition */
			continue;
		cr_assert_eq(agg_spill_add(w, key, strlen(key), 1000 + (uint64_t)heavy), 0);
		heavy++;
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "l%d", i);
		cr_assert_eq(agg_spill_add(w, key, strlen(key), 1), 0);
	}
	cr_assert_eq(agg_spill_top(s, 50, 2, &top), 0);
	v = agg_top(&top, 0, 50, &n);
	cr_assert_eq(n, 50);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(v[i]->count, 1049 - i, "row %zu", i);
	free(v);
	agg_free(&top);
	agg_spill_free(s);
}

/* Keys longer than a buffer block, and the empty key, are kept whole. */
Test(agg, spilled_long_and_empty_keys)
{
	struct agg_spill *s = agg_spill_new();
	struct agg_spill_writer *w = agg_spill_writer(s);
	struct agg top = { 0 };
	struct agg_entry **v;
	size_t n, big = 100000;
	char *key = malloc(big);

	cr_assert_not_null(w);
	cr_assert_not_null(key);
	memset(key, 'x', big);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(agg_spill_add(w, key, big, 2), 0);
	cr_assert_eq(agg_spill_add(w, key, big - 1, 1), 0);
	cr_assert_eq(agg_spill_add(w, "", 0, 5), 0);
	cr_assert_eq(agg_spill_top(s, 10, 1, &top), 0);
	v = agg_top(&top, 0, 10, &n);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0]->count, 6);
	cr_assert_eq(v[0]->klen, big);
	cr_assert_eq(v[1]->count, 5);
	cr_assert_eq(v[1]->klen, 0);
	cr_assert_eq(v[2]->count, 1);
	cr_assert_eq(v[2]->klen, big - 1);
	free(v);
	free(key);
	agg_free(&top);
	agg_spill_free(s);
}

Test(agg, counts_and_order)
{
	struct agg a = { 0 };
	struct agg_entry **v;
	size_t n;
	char key[16];

	for (int i = 0; i < 1000; i++) { /* grows past its first table */
		snprintf(key, sizeof(key), "k%03d", i % 300);
		struct agg_entry *e = agg_get(&a, key, strlen(key));
		cr_assert_not_null(e);
		e->count++;
		e->packets += (uint64_t)(i % 300 == 7) * 100;
	}
	cr_assert_eq(a.n, 300);
	v = agg_sorted(&a, 0, &n);
	cr_assert_eq(n, 300);
	/* 1000 = 3 x 300 + 100: keys 0..99 were seen 4 times, ties by key */
	cr_assert_eq(v[0]->count, 4);
	cr_assert_eq(memcmp(v[0]->key, "k000", 4), 0);
	cr_assert_eq(memcmp(v[1]->key, "k001", 4), 0);
	cr_assert_eq(v[100]->count, 3);
	cr_assert_eq(memcmp(v[100]->key, "k100", 4), 0);
	free(v);
	v = agg_sorted(&a, 1, &n); /* by packets */
	cr_assert_eq(memcmp(v[0]->key, "k007", 4), 0);
	cr_assert_eq(v[0]->packets, 400);
	free(v);
	agg_free(&a);
}

#define S 1000000000ull

/* A session with repeated commands, parents, uids and flows over several
 * chunks (chunks of 50 records). @return an open reader. */
static struct fmt_reader *session(void)
{
	static const char *const comms[] = { "cc", "as", "ld", "make", "sh" };
	struct fmt_writer_opts o = { .chunk_records = 50 };
	char path[64], arg[16];
	struct fmt_writer *w;
	struct fmt_reader *r;

	snprintf(path, sizeof(path), "/tmp/top-%d.db", getpid());
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "interfaces",
					 "[{\"index\":2,\"name\":\"eth0\"},{\"index\":3,\"name\":\"wg0\"}]"),
		     0);
	for (uint32_t i = 0; i < 400; i++) {
		const char *argv[] = { comms[i % 5], arg };
		struct fmt_exec e = { .ts_ns = S + i * 1000, .pid = 100 + i, .ppid = 1,
				      .uid = i % 3 * 1000, .comm = comms[i % 5],
				      .pcomm = comms[(i / 5) % 5], .filename = comms[i % 7 % 5],
				      .argc = 2, .argv = argv };
		struct fmt_flow f = { .ts_ns = S + i * 1000, .interval_ns = S, .packets = i % 11,
				      .bytes = i % 11 * 100 };
		snprintf(arg, sizeof(arg), "-O%u", i % 4);
		cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
		f.key = (struct fmt_flow_key){ .ifindex = 2 + i % 2, .dir = i % 2, .family = 4,
					       .proto = i % 3 ? 6 : 17, .sport = (uint16_t)(1000 + i % 9),
					       .dport = (uint16_t)(i % 4 ? 443 : 53) };
		f.key.src[0] = 10, f.key.src[3] = (uint8_t)(i % 13);
		f.key.dst[0] = 192, f.key.dst[3] = (uint8_t)(i % 5);
		cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0);
	unlink(path);
	return r;
}

struct row {
	char label[128];
	uint64_t count, packets, bytes;
	double share;
};

struct rows {
	struct row v[64];
	size_t n;
};

static void keep(void *ctx, const char *label, const struct agg_entry *e, double share)
{
	struct rows *t = ctx;

	snprintf(t->v[t->n].label, sizeof(t->v[0].label), "%s", label);
	t->v[t->n].count = e->count, t->v[t->n].packets = e->packets, t->v[t->n].bytes = e->bytes;
	t->v[t->n++].share = share;
}

struct by_case {
	char by[16];
	int metric;
	char first[64]; /* the top row's label */
	size_t rows;
};

ParameterizedTestParameters(top, batch_and_record_by_record_agree)
{
	/* 400 execs and flows, every 7th of a chunk's records left out: the
	 * commands come round robin (cc, as, ld, make, sh), the paths cycle in
	 * sevens (cc and as twice as often), 4 arguments, 3 uids; flows on 2
	 * interfaces, 13 sources, 5 destinations, tcp or udp to 443 or 53 */
	static struct by_case cases[] = {
		{ "comm", 0, "cc", 5 },
		{ "path", 0, "cc", 5 },
		{ "cmdline", 0, "cc -O0", 20 },
		{ "uid", 0, "0", 3 },
		{ "parent", 0, "as", 5 },
		{ "flow", 1, "eth0 in  tcp 10.0.0.0:1001 -> 192.0.0.3:53", 64 },
		{ "src", 1, "10.0.0.7", 13 },
		{ "dst", 2, "192.0.0.0", 5 },
		{ "port", 1, "tcp/443", 4 },
		{ "proto", 0, "tcp", 2 },
		{ "iface", 1, "wg0", 2 },
	};
	return cr_make_param_array(struct by_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct by_case *c, top, batch_and_record_by_record_agree)
{
	struct fmt_reader *r = session();
	struct report rep = { .readers = &r, .nfiles = 1, .top_n = 64 };
	struct rows a = { .n = 0 }, b = { .n = 0 };
	struct fmt_chunk_info *ci;
	struct fmt_batch *batch = NULL;
	struct fmt_event ev;
	struct top ta, tb;
	enum top_by by;
	uint32_t pos[64];
	int n;

	cr_assert_eq(top_parse_by(c->by, &by), 0);
	top_init(&ta, by, c->metric);
	top_init(&tb, by, c->metric);
	n = fmt_reader_chunks(r, &ci);
	cr_assert_gt(n, 8, "the session should span several chunks");
	for (int i = 0; i < n; i++) {
		uint32_t k = 0;
		cr_assert_eq(fmt_reader_load_chunk(r, ci[i].id, &batch), 0);
		/* a selection, as the window and filters make one */
		for (uint32_t j = 0; j < fmt_batch_count(batch); j += 1 + (j % 7 == 3)) {
			pos[k++] = j;
			fmt_batch_get_at(batch, j, &ev);
			ev.source = 0;
			cr_assert_eq(top_add(&ta, &ev), 0);
		}
		cr_assert_eq(top_add_batch(&tb, 0, batch, pos, k), 0);
	}
	free(ci);
	fmt_batch_free(batch);
	cr_assert_eq(ta.total, tb.total);
	top_each(&ta, &rep, keep, &a);
	top_each(&tb, &rep, keep, &b);
	cr_assert_eq(a.n, b.n, "--by %s: %zu rows vs %zu", c->by, a.n, b.n);
	cr_assert_eq(a.n, c->rows, "--by %s: %zu rows", c->by, a.n);
	cr_assert_str_eq(a.v[0].label, c->first, "--by %s", c->by);
	for (size_t i = 0; i < a.n; i++) {
		cr_assert_str_eq(a.v[i].label, b.v[i].label, "--by %s row %zu", c->by, i);
		cr_assert_eq(a.v[i].count, b.v[i].count, "--by %s row %zu", c->by, i);
		cr_assert_eq(a.v[i].packets, b.v[i].packets);
		cr_assert_eq(a.v[i].bytes, b.v[i].bytes);
	}
	top_free(&ta);
	top_free(&tb);
	fmt_reader_close(r);
}

/* The same keys added over and over (a long session's repeated command
 * lines) are added up in place: the records held stay a few per key, and
 * the counts are those of one table. */
Test(agg, spilled_count_folds_repeated_keys)
{
	size_t keep = agg_spill_fold_min;
	struct agg_spill *s;
	struct agg_spill_writer *w;
	struct agg top = { 0 };
	struct agg_entry **v;
	size_t n, most = 0;
	char key[32];

	agg_spill_fold_min = 64u << 10; /* fold at 64 KiB */
	s = agg_spill_new();
	w = agg_spill_writer(s);
	cr_assert_not_null(w);
	for (int i = 0; i < 300000; i++) {
		/* long keys and short ones (counted as words), folded alike */
		snprintf(key, sizeof(key), i / 500 % 2 ? "sh -c job-%03d" : "j%03d", i % 500);
		cr_assert_eq(agg_spill_add(w, key, strlen(key), 1 + (uint64_t)(i % 500 == 7)), 0);
		if (agg_spill_bytes(s) > most)
			most = agg_spill_bytes(s);
	}
	/* 300,000 records of 12 to ~33 bytes would be ~6 MB */
	cr_assert_lt(most, 512u << 10, "held %zu bytes", most);
	cr_assert_eq(agg_spill_top(s, 3, 2, &top), 0);
	v = agg_top(&top, 0, 3, &n);
	cr_assert_eq(n, 3);
	/* job 7 is counted twice as often, as its short key and its long one */
	cr_assert_eq(v[0]->klen, strlen("j007"));
	cr_assert_eq(memcmp(v[0]->key, "j007", v[0]->klen), 0);
	cr_assert_eq(v[0]->count, 600);
	cr_assert_eq(v[1]->klen, strlen("sh -c job-007"));
	cr_assert_eq(memcmp(v[1]->key, "sh -c job-007", v[1]->klen), 0);
	cr_assert_eq(v[1]->count, 600);
	cr_assert_eq(v[2]->count, 300);
	free(v);
	agg_free(&top);
	agg_spill_free(s);
	agg_spill_fold_min = keep;
}

/* Counts past 32 bits (a short key's record holds 32), added and folded,
 * for short keys of every length and for a long one. */
Test(agg, spilled_counts_past_32_bits)
{
	size_t keep = agg_spill_fold_min;
	const char *keys[] = { "", "a", "ab", "abcdefg", "abcdefgh" };
	struct agg_spill *s;
	struct agg_spill_writer *w;
	struct agg top = { 0 };
	struct agg_entry **v;
	size_t n;

	agg_spill_fold_min = 1; /* fold after every add */
	s = agg_spill_new();
	w = agg_spill_writer(s);
	cr_assert_not_null(w);
	for (int round = 0; round < 3; round++)
		for (size_t k = 0; k < 5; k++)
			cr_assert_eq(agg_spill_add(w, keys[k], strlen(keys[k]),
						   (3ull << 32) + 7 * k + (uint64_t)round), 0);
	cr_assert_eq(agg_spill_top(s, 5, 2, &top), 0);
	v = agg_top(&top, 0, 5, &n);
	cr_assert_eq(n, 5);
	for (size_t i = 0; i < n; i++) { /* the last key's counts are the largest */
		size_t k = 4 - i;
		cr_assert_eq(v[i]->klen, strlen(keys[k]));
		cr_assert_eq(memcmp(v[i]->key, keys[k], v[i]->klen), 0, "row %zu", i);
		cr_assert_eq(v[i]->count, (9ull << 32) + 21 * k + 3, "row %zu", i);
	}
	free(v);
	agg_free(&top);
	agg_spill_free(s);
	agg_spill_fold_min = keep;
}

/* One thread, partitions in turn: once the first has raised the floor, a
 * later partition's table grows after its heaviest key has reached it,
 * and that key still comes out (the slots it was found in moved). */
Test(agg, spilled_top_when_a_later_partition_grows)
{
	struct agg_spill *s = agg_spill_new();
	struct agg_spill_writer *w = agg_spill_writer(s);
	struct agg top = { 0 };
	struct agg_entry **v;
	char key[16], heaviest[16] = "";
	size_t n, first = 0, last = 0;

	cr_assert_not_null(w);
	for (int i = 0; first < 100 || last < 3000; i++) {
		unsigned p;
		snprintf(key, sizeof(key), "%x", i); /* short keys */
		p = agg_spill_partition(key, strlen(key));
		if (p == 0 && first < 100) {
			cr_assert_eq(agg_spill_add(w, key, strlen(key), 1000 + first++), 0);
		} else if (p == agg_spill_partition("ff", 2) && last < 3000) {
			if (!last++) { /* the first of its partition: before it grows */
				strcpy(heaviest, key);
				cr_assert_eq(agg_spill_add(w, key, strlen(key), 5000), 0);
			} else {
				cr_assert_eq(agg_spill_add(w, key, strlen(key), 1), 0);
			}
		}
	}
	cr_assert_neq(agg_spill_partition("ff", 2), 0);
	cr_assert_eq(agg_spill_top(s, 1, 1, &top), 0);
	v = agg_top(&top, 0, 1, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0]->klen, strlen(heaviest));
	cr_assert_eq(memcmp(v[0]->key, heaviest, v[0]->klen), 0);
	cr_assert_eq(v[0]->count, 5000);
	free(v);
	agg_free(&top);
	agg_spill_free(s);
}

/* Short keys' records keep counts of 1 to 15 inside the key's word and
 * others beside it: every count from 0 to 40, added twice (two records in
 * one partition, one after the other), comes back doubled, also when
 * added up in place (folded) after each record. */
Test(agg, spilled_short_counts_of_every_size)
{
	size_t keep = agg_spill_fold_min;

	for (int folded = 0; folded < 2; folded++) {
		struct agg_spill *s;
		struct agg_spill_writer *w;
		struct agg top = { 0 };
		char key[16];

		agg_spill_fold_min = folded ? 1 : keep;
		s = agg_spill_new();
		w = agg_spill_writer(s);
		cr_assert_not_null(w);
		for (int c = 0; c <= 40; c++) {
			snprintf(key, sizeof(key), "c%d", c);
			cr_assert_eq(agg_spill_add(w, key, strlen(key), (uint64_t)c), 0);
			cr_assert_eq(agg_spill_add(w, key, strlen(key), (uint64_t)c), 0);
		}
		cr_assert_eq(agg_spill_top(s, 100, 2, &top), 0);
		cr_assert_eq(top.n, 41);
		for (int c = 0; c <= 40; c++) {
			struct agg_entry *e;
			snprintf(key, sizeof(key), "c%d", c);
			e = agg_get(&top, key, strlen(key));
			cr_assert_eq(e->count, 2 * (uint64_t)c, "%s folded %d: %llu", key, folded,
				     (unsigned long long)e->count);
		}
		agg_free(&top);
		agg_spill_free(s);
	}
	agg_spill_fold_min = keep;
}
