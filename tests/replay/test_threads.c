/* test_threads.c - every command gives the same bytes whatever --threads
 * says: each is run with -j 1 and with -j 4 (more threads than this
 * machine's cores) on the same files, and its exit status, standard output,
 * standard error and any file it writes are compared. The files: the
 * golden fixtures, and a session of every stream in chunks of 61 records
 * (out of time order now and then, overlapping, two clocks), also with
 * some chunks damaged so that skipped chunks are reported. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* A session of every stream, many small chunks. @return its path. */
static const char *many_chunks(const char *name, int64_t offset)
{
	const char *path = fixture_path(name);
	struct fmt_writer_opts o = { .chunk_records = 61 };
	static const char *const comms[] = { "sh", "cc", "ld", "make", "git", "a b" };
	struct fmt_writer *w;
	char *err = NULL, off[32];
	uint64_t ts = 10 * S, seed = 7;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0, "%s", err);
	snprintf(off, sizeof(off), "%lld", (long long)offset);
	fmt_writer_set_meta(w, "hostname", name);
	fmt_writer_set_meta(w, "clock_offset_ns", off);
	fmt_writer_set_meta(w, "start_ns", "10000000000");
	fmt_writer_set_meta(w, "end_ns", "40000000000");
	fmt_writer_set_meta(w, "interfaces", "[{\"index\":2,\"name\":\"eth0\"},"
					     "{\"index\":3,\"name\":\"wg0\"}]");
	for (uint32_t i = 0; i < 4000; i++) {
		struct fmt_event ev = { .stream = 1 + i % FMT_STREAM_MAX };
		const char *argv[] = { comms[i % 6], "-c", i % 5 ? "x.c" : "" };
		uint64_t t;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		ts += (seed >> 40) % 4000000;
		t = seed >> 60 ? ts : ts - 3000000; /* a little out of order */
		switch (ev.stream) {
		case FMT_STREAM_EXEC:
			ev.exec = (struct fmt_exec){ .ts_ns = t, .pid = 100 + i % 97, .tid = 100 + i % 97,
						     .ppid = 1 + i % 3, .uid = i % 4 ? 1000 : 0,
						     .ret = i % 9 ? 0 : -2, .argc = 3, .argv = argv,
						     .comm = comms[i % 6], .pcomm = comms[i % 4],
						     .filename = i % 2 ? "/usr/bin/x" : "/bin/y",
						     .cwd = i % 3 ? "/src" : NULL,
						     .start_ns = i % 2 ? t - 5 : 0 };
			break;
		case FMT_STREAM_EXIT:
			ev.exit = (struct fmt_exit){ .ts_ns = t, .start_ns = t - 99, .pid = 100 + i % 97,
						     .ppid = 1, .exit_code = i % 3, .signal = i % 7 ? 0 : 9 };
			break;
		case FMT_STREAM_FLOW:
			ev.flow = (struct fmt_flow){ .ts_ns = t - t % S, .interval_ns = S,
						     .packets = 1 + i % 13, .bytes = (1 + i % 13) * 60 };
			fixture_flow_key(i, &ev.flow.key);
			if (i % 2)
				ev.flow.owner = (struct fmt_owner){ 100 + i % 97, t - 5, 9 };
			break;
		case FMT_STREAM_PROC:
			ev.proc = (struct fmt_proc){ .ts_ns = 10 * S, .start_ns = 5 * S, .pid = i,
						     .ppid = 1, .argc = 2, .argv = argv,
						     .comm = comms[i % 6], .exe = "/bin/z" };
			break;
		default:
			ev.cgroup = (struct fmt_cgroup){ .ts_ns = t, .cgroup_id = 9 + i % 5,
							 .kind = i % 3, .path = i % 2 ? "/a" : "/" };
		}
		cr_assert_eq(fmt_writer_append(w, &ev), 0, "%s", fmt_writer_errmsg(w));
	}
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
	return path;
}

/* A copy of path with the checksums of a few chunks broken. */
static const char *damaged(const char *path)
{
	const char *copy = fixture_path("damaged.db");
	char cmd[1600];

	snprintf(cmd, sizeof(cmd),
		 "cp %s %s && sqlite3 %s \"UPDATE chunk SET checksum = checksum + 1 WHERE id %% 9 = 4\"",
		 path, copy, copy);
	cr_assert_eq(system(cmd), 0);
	return copy;
}

struct result {
	int rc;
	char *out, *err, *file;
	size_t file_len;
};

/* Run `ebpfreport ARGS -j threads`; what it wrote to `written`, if any. */
static void run_with(const char *args, int threads, const char *written, struct result *res)
{
	char *o = NULL, *e = NULL;

	if (written)
		unlink(written);
	res->rc = report_runf(&o, &e, "%s -j %d", args, threads);
	res->out = o;
	res->err = e;
	res->file = written && access(written, F_OK) == 0 ? fixture_slurp(written, &res->file_len)
							    : NULL;
}

static void same_with_any_threads(const char *args, const char *written, int good)
{
	struct result a, b;

	run_with(args, 1, written, &a);
	run_with(args, 4, written, &b);
	if (good) /* a good file reads without a complaint */
		cr_assert_eq(a.rc, 0, "'%s': %s", args, a.err);
	cr_assert_eq(a.rc, b.rc, "'%s': exit %d with one thread, %d with four", args, a.rc, b.rc);
	cr_assert_str_eq(a.out, b.out, "'%s': output differs", args);
	cr_assert_str_eq(a.err, b.err, "'%s': errors differ", args);
	cr_assert_eq(!a.file, !b.file, "'%s'", args);
	if (a.file) {
		cr_assert_eq(a.file_len, b.file_len, "'%s': %s differs in size", args, written);
		cr_assert_eq(memcmp(a.file, b.file, a.file_len), 0, "'%s': %s differs", args,
			     written);
	}
	free(a.out), free(a.err), free(a.file);
	free(b.out), free(b.err), free(b.file);
}

/* Every reading command on the files in `files` (a string of paths),
 * good ones or not. */
static void every_command(const char *files, int good)
{
	static const char *const plain[] = {
		"summary %s", "summary %s --json", "summary %s --csv -n 3",
		"top %s --by comm", "top %s --by path --json", "top %s --by cmdline -n 50",
		"top %s --by cmdline -n 2 --json",
		"top %s --by uid --csv", "top %s --by parent", "top %s --by flow -n 100",
		"top %s --by src --sort bytes", "top %s --by dst --sort count", "top %s --by port",
		"top %s --by proto --json", "top %s --by iface",
		"timeline %s", "timeline %s --bucket 1ms --csv", "timeline %s --bucket 1m --json",
		"replay %s", "replay %s --json", "replay %s --csv --type exec,flow",
		"export %s --format jsonl", "export %s --format csv --type exec",
		"export %s --format csv --type flow",
		"verify %s", "verify %s --json",
		"%s --comm c* --utc", "top %s --by comm --pid 150", "timeline %s --ip 10.0.0.0/8 --csv",
		"replay %s --since +2s --until +20s", "%s --type flow,exit --json",
		"top %s --by flow --dir out --port 443",
		"sql %s \"SELECT comm, count(*) n FROM exec GROUP BY comm ORDER BY n DESC\"",
		"sql %s \"SELECT DISTINCT comm, uid FROM exec\"",
		"sql %s \"SELECT comm, filename FROM exec ORDER BY comm DESC, filename\"",
		"sql %s \"SELECT * FROM exec WHERE uid = 0 AND comm = 'sh'\" --csv",
		"sql %s \"SELECT * FROM flow WHERE src = '10.0.0.3' LIMIT 30\" --json",
		"sql %s \"SELECT count(*), sum(packets), sum(bytes), count(owner_pid) FROM flow\"",
		"sql %s \"SELECT src, dport, sum(packets) p FROM flow GROUP BY 1, 2 ORDER BY p DESC\"",
		"sql %s \"SELECT * FROM exit\" --csv",
		"sql %s \"SELECT * FROM proc\" --csv",
		"sql %s \"SELECT kind, path, count(*) FROM cgroup GROUP BY 1, 2\"",
		"sql %s \"SELECT * FROM exec WHERE wall_ns BETWEEN 1700000020000000000 AND "
		"1700000030000000000\" --stats",
		"sql %s \"SELECT source, count(*) FROM exec WHERE source = 0 GROUP BY 1\"",
	};
	char args[2048];

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(args, sizeof(args), plain[i], files);
		same_with_any_threads(args, NULL, good);
	}
	{ /* and what the writing commands write */
		const char *o = fixture_path("threads-out");
		static const char *const writing[] = {
			"export %s --format sqlite -o %s -f", "export %s --format perfetto -o %s -f",
			"html %s -o %s -f", "slice %s --since +1s -o %s -f", "merge %s -o %s -f",
			"redact %s --ips --users --argv hash --key 0123456789abcdef0123456789abcdef "
			"-o %s -f",
		};
		for (size_t i = 0; i < sizeof(writing) / sizeof(writing[0]); i++) {
			if (strchr(files, ' ') && (!strncmp(writing[i], "slice", 5) ||
						   !strncmp(writing[i], "redact", 6)))
				continue; /* they take one file */
			snprintf(args, sizeof(args), writing[i], files, o);
			same_with_any_threads(args, o, good);
		}
	}
}

Test(threads, same_output_on_the_fixtures, .fini = fini, .timeout = 300)
{
	char files[1024];

	snprintf(files, sizeof(files), "%s %s", fixture_alpha(), fixture_beta());
	every_command(files, 1);
	every_command(fixture_busy(), 1);
}

Test(threads, same_output_on_many_chunks, .fini = fini, .timeout = 300)
{
	char files[1024];
	const char *a = many_chunks("many-a.db", 1700000000000000000), *b;

	every_command(a, 1);
	b = many_chunks("many-b.db", 1700000000000500000);
	snprintf(files, sizeof(files), "%s %s", a, b);
	every_command(files, 1);
}

Test(threads, same_output_with_damaged_chunks, .fini = fini, .timeout = 300)
{
	const char *bad = damaged(many_chunks("many-c.db", 1700000000000000000));

	every_command(bad, 0);
	/* the damage is seen, and said in chunk order */
	run("%s -j 4", bad);
	cr_assert_eq(rc, 1);
	cr_assert_gt(strlen(err), 0);
}
