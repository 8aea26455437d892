/* test_roundtrip.c - every record written comes back, field for field. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "fmt_meta.h"
#include "helpers.h"

/* Write n records of one stream with non-decreasing timestamps (about one
 * in eight equal to the previous), read them back in order, compare. */
static void roundtrip(int stream, unsigned n, const struct fmt_writer_opts *opts)
{
	const char *path = tmp_path("rt.db");
	uint64_t rng = 0x1234 + n + stream, rng2, ts = 1000;
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	char *err = NULL;
	unsigned got = 0;
	int rc;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, opts, &w, &err), 0, "%s", err);
	rng2 = rng;
	for (unsigned i = 0; i < n; i++) {
		ts += rnd(&rng) % 8 ? rnd(&rng) % 10000000 : 0;
		if (stream == FMT_STREAM_EXEC) {
			struct fmt_exec e;
			rec_exec_random(&rng, ts, &e);
			rc = fmt_writer_append_exec(w, &e);
			rec_exec_free(&e);
		} else if (stream == FMT_STREAM_EXIT) {
			struct fmt_exit x;
			rec_exit_random(&rng, ts, &x);
			rc = fmt_writer_append_exit(w, &x);
		} else if (stream == FMT_STREAM_PROC) {
			struct fmt_event ev = { .stream = FMT_STREAM_PROC };
			rec_proc_random(&rng, ts, &ev.proc);
			rc = fmt_writer_append(w, &ev);
			rec_proc_free(&ev.proc);
		} else if (stream == FMT_STREAM_CGROUP) {
			struct fmt_event ev = { .stream = FMT_STREAM_CGROUP };
			rec_cgroup_random(&rng, ts, &ev.cgroup);
			rc = fmt_writer_append(w, &ev);
			free((char *)ev.cgroup.path);
		} else {
			struct fmt_flow f;
			rec_flow_random(&rng, ts, &f);
			rc = fmt_writer_append_flow(w, &f);
		}
		cr_assert_eq(rc, 0, "append %u: %s", i, fmt_writer_errmsg(w));
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);

	/* replay the generator to get the expected records */
	rng = rng2;
	ts = 1000;
	r = open_or_fail(path);
	cr_assert(fmt_reader_closed_clean(r));
	{
		const char *key = fmt_meta_records_key(stream);
		uint64_t total;
		cr_assert_eq(fmt_reader_meta_u64(r, key, &total), 0);
		cr_assert_eq(total, n, "meta %s %llu, wrote %u", key, (unsigned long long)total, n);
	}
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) == 1) {
		cr_assert_lt(got, n, "more records than written");
		cr_assert_eq((int)ev.stream, stream);
		ts += rnd(&rng) % 8 ? rnd(&rng) % 10000000 : 0;
		if (stream == FMT_STREAM_EXEC) {
			struct fmt_exec e;
			rec_exec_random(&rng, ts, &e);
			cr_assert(rec_exec_equal(&e, &ev.exec), "exec %u differs", got);
			rec_exec_free(&e);
		} else if (stream == FMT_STREAM_EXIT) {
			struct fmt_exit x;
			rec_exit_random(&rng, ts, &x);
			cr_assert(rec_exit_equal(&x, &ev.exit), "exit %u differs", got);
		} else if (stream == FMT_STREAM_PROC) {
			struct fmt_proc p;
			rec_proc_random(&rng, ts, &p);
			cr_assert(rec_proc_equal(&p, &ev.proc), "proc %u differs", got);
			rec_proc_free(&p);
		} else if (stream == FMT_STREAM_CGROUP) {
			struct fmt_cgroup c;
			rec_cgroup_random(&rng, ts, &c);
			cr_assert(rec_cgroup_equal(&c, &ev.cgroup), "cgroup %u differs", got);
			free((char *)c.path);
		} else {
			struct fmt_flow f;
			rec_flow_random(&rng, ts, &f);
			cr_assert(rec_flow_equal(&f, &ev.flow), "flow %u differs", got);
		}
		got++;
	}
	cr_assert_eq(rc, 0, "iteration failed: %s", fmt_reader_errmsg(r));
	cr_assert_eq(got, n);
	fmt_iter_free(it);
	fmt_reader_close(r);
}

struct rt_param {
	int stream;
	unsigned n;
	uint32_t chunk_records;
};

ParameterizedTestParameters(roundtrip, counts)
{
	static struct rt_param p[] = {
		{ FMT_STREAM_EXEC, 0, 0 },	{ FMT_STREAM_EXEC, 1, 0 },
		{ FMT_STREAM_EXEC, 999, 1000 }, { FMT_STREAM_EXEC, 1000, 1000 },
		{ FMT_STREAM_EXEC, 1001, 1000 }, { FMT_STREAM_EXEC, 70000, 0 },
		{ FMT_STREAM_EXIT, 0, 0 },	{ FMT_STREAM_EXIT, 1, 0 },
		{ FMT_STREAM_EXIT, 1000, 1000 }, { FMT_STREAM_EXIT, 65537, 0 },
		{ FMT_STREAM_FLOW, 0, 0 },	{ FMT_STREAM_FLOW, 1, 0 },
		{ FMT_STREAM_FLOW, 1001, 1000 }, { FMT_STREAM_FLOW, 65536, 0 },
		{ FMT_STREAM_FLOW, 65537, 0 },
		{ FMT_STREAM_PROC, 0, 0 },	{ FMT_STREAM_PROC, 1, 0 },
		{ FMT_STREAM_PROC, 1001, 1000 }, { FMT_STREAM_PROC, 20000, 0 },
		{ FMT_STREAM_CGROUP, 0, 0 },	{ FMT_STREAM_CGROUP, 1, 0 },
		{ FMT_STREAM_CGROUP, 1001, 1000 }, { FMT_STREAM_CGROUP, 20000, 0 },
	};
	return cr_make_param_array(struct rt_param, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct rt_param *p, roundtrip, counts, .timeout = 120)
{
	struct fmt_writer_opts o = { .chunk_records = p->chunk_records };
	roundtrip(p->stream, p->n, &o);
}

Test(roundtrip, million_records_each_stream, .timeout = 600)
{
	roundtrip(FMT_STREAM_EXEC, 1000000, NULL);
	roundtrip(FMT_STREAM_EXIT, 1000000, NULL);
	roundtrip(FMT_STREAM_FLOW, 1000000, NULL);
}

Test(roundtrip, edge_values)
{
	const char *path = tmp_path("edge.db");
	static const char *argv_empty[] = { "", "a b", "", "" }; /* empty last argument */
	static char longarg[17]; /* a million of them: the chunk stays under its raw limit */
	const char **argv_long = calloc(FMT_MAX_ARGC, sizeof(*argv_long));
	struct fmt_exec e[3] = { 0 };
	struct fmt_flow f = { 0 };
	struct fmt_exit x = { 0 };
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	char *err;
	int n = 0;

	cr_assert_not_null(argv_long);
	memset(longarg, 'x', sizeof(longarg) - 1);
	for (uint32_t i = 0; i < FMT_MAX_ARGC; i++)
		argv_long[i] = i % 2 ? longarg : "";
	e[0] = (struct fmt_exec){ .ts_ns = 5, .comm = "", .pcomm = "", .filename = "",
				  .argc = 4, .argv = argv_empty, .ret = -2 };
	e[1] = (struct fmt_exec){ .ts_ns = 5, .comm = "c", .pcomm = "p", .filename = "/f",
				  .argc = FMT_MAX_ARGC, .argv = argv_long,
				  .flags = FMT_EXEC_ARGV_TRUNCATED, .pid = UINT32_MAX,
				  .tid = 0, .ppid = UINT32_MAX, .uid = UINT32_MAX,
				  .gid = UINT32_MAX, .cgroup_id = UINT64_MAX, .ret = INT32_MIN };
	e[2] = (struct fmt_exec){ .ts_ns = 5, .comm = "c", .filename = "/f" }; /* NULL pcomm */
	f.ts_ns = 5;
	f.interval_ns = UINT64_MAX;
	f.key.family = FMT_FAMILY_IPV6;
	f.key.dir = FMT_DIR_EGRESS;
	memset(f.key.src, 0xff, 16);
	f.key.sport = f.key.dport = 65535;
	f.key.ifindex = UINT32_MAX;
	f.packets = f.bytes = UINT64_MAX;
	x = (struct fmt_exit){ .ts_ns = 5, .start_ns = 0, .exit_code = UINT32_MAX,
			       .signal = UINT32_MAX };

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0, "%s", err);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fmt_writer_append_exec(w, &e[i]), 0, "%s", fmt_writer_errmsg(w));
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);

	e[2].pcomm = ""; /* NULL is stored as the empty string */
	r = open_or_fail(path);
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) == 1) {
		/* equal timestamps: exec stream first, then exit, then flow */
		if (n < 3) {
			cr_assert_eq(ev.stream, FMT_STREAM_EXEC);
			cr_assert(rec_exec_equal(&e[n], &ev.exec), "exec %d", n);
		} else if (n == 3) {
			cr_assert_eq(ev.stream, FMT_STREAM_EXIT);
			cr_assert(rec_exit_equal(&x, &ev.exit));
		} else {
			cr_assert_eq(ev.stream, FMT_STREAM_FLOW);
			cr_assert(rec_flow_equal(&f, &ev.flow));
		}
		n++;
	}
	cr_assert_eq(n, 5);
	fmt_iter_free(it);
	fmt_reader_close(r);
	free(argv_long);
}

/* The packets and bytes of flow n of a test that repeats three keys: hard
 * pairs first (no packets, products past 2^64, bytes per packet falling,
 * steady, rising by less and by more than a packet's worth), then random
 * ones near a bytes-per-packet rate that moves. */
static void shared_key_counts(unsigned n, uint64_t *rng, uint64_t *rate, struct fmt_flow *f)
{
	static const uint64_t hard[][2] = {
		{ 0, 100 },	    { 3, 5 },		 { 0, 0 },	      { 1, UINT64_MAX },
		{ 2, UINT64_MAX },  { UINT64_MAX, UINT64_MAX }, { UINT64_MAX, 1 }, { 7, 700 },
		{ 7, 699 },	    { 7, 700 },		 { 7, 706 },	      { 7, 707 },
		{ 7, 714 },	    { 5, 0 },		 { 1, 1ull << 63 },   { 3, UINT64_MAX - 1 },
		{ 0, UINT64_MAX },  { 1u << 31, UINT64_MAX / 3 }, { 4, 4 }, { 4, 3 },
	};
	uint64_t r = rnd(rng);

	if (n < sizeof(hard) / sizeof(hard[0])) {
		f->packets = hard[n][0];
		f->bytes = hard[n][1];
		return;
	}
	if (r % 16 == 0)
		*rate = rnd(rng) % 1500;
	f->packets = r % 64 == 1 ? 0 : r % 64 == 2 ? rnd(rng) : r >> 8 & 7;
	f->bytes = f->packets * *rate + (rnd(rng) % 5) - 2; /* wrapping */
	if (r % 64 == 3)
		f->bytes = rnd(rng);
}

/* Flows of a key are stored as residuals from the key's last bytes per
 * packet (FORMAT.md): every relation between one record and the next
 * comes back exactly. */
Test(roundtrip, bytes_of_flows_that_share_a_key, .timeout = 60)
{
	const char *path = tmp_path("shared.db");
	const unsigned n = 30000;
	uint64_t rng = 77, rate = 100;
	struct fmt_writer_opts o = { .chunk_records = 7000 };
	struct fmt_flow *want = calloc(n, sizeof(*want));
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	char *err = NULL;
	unsigned got = 0;
	int rc;

	cr_assert_not_null(want);
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0, "%s", err);
	for (unsigned i = 0; i < n; i++) {
		struct fmt_flow *f = &want[i];
		unsigned k = i < 40 ? i / 20 : (unsigned)(rnd(&rng) % 3); /* 20 hard pairs per key */
		f->ts_ns = 1000 + i;
		f->interval_ns = 1000000000;
		f->key.family = FMT_FAMILY_IPV4;
		f->key.proto = 6;
		f->key.src[3] = (uint8_t)(k + 1);
		f->key.dport = 443;
		shared_key_counts(i < 40 ? i % 20 : n, &rng, &rate, f);
		cr_assert_eq(fmt_writer_append_flow(w, f), 0, "%s", fmt_writer_errmsg(w));
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
	r = open_or_fail(path);
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) == 1) {
		cr_assert_lt(got, n);
		cr_assert(rec_flow_equal(&want[got], &ev.flow),
			  "flow %u: %llu packets %llu bytes, read %llu %llu", got,
			  (unsigned long long)want[got].packets, (unsigned long long)want[got].bytes,
			  (unsigned long long)ev.flow.packets, (unsigned long long)ev.flow.bytes);
		got++;
	}
	cr_assert_eq(rc, 0, "%s", fmt_reader_errmsg(r));
	cr_assert_eq(got, n);
	fmt_iter_free(it);
	fmt_reader_close(r);
	free(want);
}

Test(roundtrip, rejects_invalid_records)
{
	struct fmt_writer *w;
	struct fmt_flow f = { .ts_ns = 1 };
	struct fmt_exec e = { .ts_ns = 1, .argc = FMT_MAX_ARGC + 1 };
	char *err;

	cr_assert_eq(fmt_writer_create(tmp_path("inv.db"), 0, NULL, &w, &err), 0);
	f.key.family = 7; /* not a family */
	cr_assert_eq(fmt_writer_append_flow(w, &f), FMT_EINVAL);
	f.key.family = FMT_FAMILY_IPV4;
	f.key.src[4] = 1; /* bytes beyond an IPv4 address must be zero */
	cr_assert_eq(fmt_writer_append_flow(w, &f), FMT_EINVAL);
	cr_assert_eq(fmt_writer_append_exec(w, &e), FMT_EINVAL);
	e.argc = 0;
	e.ts_ns = (uint64_t)INT64_MAX + 1;
	cr_assert_eq(fmt_writer_append_exec(w, &e), FMT_EINVAL);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
}

Test(roundtrip, out_of_order_input_comes_back_sorted)
{
	const char *path = tmp_path("ooo.db");
	struct fmt_writer *w;
	struct fmt_exit x = { 0 };
	struct fmt_iter *it;
	struct fmt_reader *r;
	struct fmt_event ev;
	uint64_t prev = 0;
	char *err;
	int n = 0;

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	/* ring buffers from several CPUs deliver slightly out of order */
	for (int i = 0; i < 1000; i++) {
		x.ts_ns = 1000000 + (uint64_t)i * 100 - (i % 3) * 250;
		x.pid = (uint32_t)i;
		cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0);
	r = open_or_fail(path);
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) == 1) {
		cr_assert_geq(ev.exit.ts_ns, prev, "record %d out of order", n);
		prev = ev.exit.ts_ns;
		n++;
	}
	cr_assert_eq(n, 1000);
	fmt_iter_free(it);
	fmt_reader_close(r);
}

/* FORMAT.md: a chunk may hold 0 records, with every required section
 * present and empty; readers accept it. */
Test(roundtrip, zero_record_chunks_decode)
{
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++) {
		struct fmt_builder *b = builder_new(s);
		struct fmt_chunk *c;
		struct fmt_batch *batch = NULL;
		const char *why = NULL;

		cr_assert_not_null(b);
		c = builder_seal(b, 1, 1);
		cr_assert_not_null(c);
		cr_assert_eq(chunk_decode(c->payload.data, c->payload.len, s, 0, &batch, &why), 0,
			     "stream %d: %s", s, why ? why : "");
		cr_assert_eq(fmt_batch_count(batch), 0);
		fmt_batch_free(batch);
		chunk_free(c);
		builder_free(b);
	}
}
