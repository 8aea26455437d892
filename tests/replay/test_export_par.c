/* test_export_par.c - jsonl and csv exports on several threads
 * (export_par.c: chunks rendered in parallel, written in time order) write
 * what one thread writes through report_each, byte for byte. The sessions
 * hold every stream written in time order, so the parallel path is the
 * one taken (checked by calling export_par itself), with many ties in
 * time between streams and across chunk boundaries, strings that need
 * escapes, and streams whose chunks span very different times. Every
 * output form (streams mixed, one stream, a file per stream), windows,
 * filters and damaged chunks are compared; an out-of-order session is
 * left to report_each. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export_par.h"
#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"
#include "out.h"
#include "row_out.h"

/* Every stream in time order: ts steps of 0 (a third of them) to 3 ms,
 * streams drawn unevenly (flows and execs most), chunks of `chunk`
 * records. Disorder 1: now and then a record 3 ms in the past (chunks of
 * a stream overlap); 2: a record just before the one before it in its
 * chunk, not before the chunk's first (the chunk is sorted, the chunks
 * still follow one another); 3: fifteen steps in sixteen are 0, the
 * others 16 times as long (chunks of one time). */
static const char *in_order(const char *name, uint32_t chunk, int disorder)
{
	uint64_t first[FMT_STREAM_MAX + 1] = { 0 }, prev[FMT_STREAM_MAX + 1] = { 0 };
	uint32_t count[FMT_STREAM_MAX + 1] = { 0 };
	const char *path = fixture_path(name);
	struct fmt_writer_opts o = { .chunk_records = chunk };
	struct fmt_writer *w;
	char *err = NULL;
	uint64_t ts = 10 * S, seed = 11;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err), 0, "%s", err);
	fmt_writer_set_meta(w, "hostname", name);
	fmt_writer_set_meta(w, "clock_offset_ns", "1700000000000000000");
	fmt_writer_set_meta(w, "interfaces", "[{\"index\":2,\"name\":\"eth0\"}]");
	for (uint32_t i = 0; i < 5000; i++) {
		static const int pick[16] = { 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 2, 2, 4, 5, 1 };
		const char *argv[] = { hard[i % NHARD], "-c", i % 5 ? "x y.c" : "" };
		struct fmt_event ev;
		uint64_t t;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if (disorder == 3 ? (seed >> 33) % 16 == 0 : (seed >> 33) % 3 != 0)
			ts += (seed >> 40) % (disorder == 3 ? 48000000 : 3000000);
		t = disorder == 1 && (seed >> 60) == 0 ? ts - 3000000 : ts;
		memset(&ev, 0, sizeof(ev));
		ev.stream = pick[(seed >> 20) % 16];
		if (count[ev.stream] % chunk == 0)
			first[ev.stream] = t;
		else if (disorder == 2 && (seed >> 61) == 0 && prev[ev.stream] >= first[ev.stream] + 2)
			t = prev[ev.stream] - 1;
		count[ev.stream]++;
		prev[ev.stream] = t;
		switch (ev.stream) {
		case FMT_STREAM_EXEC:
			ev.exec = (struct fmt_exec){ .ts_ns = t, .pid = 100 + i % 97, .tid = 100 + i % 97,
						     .ppid = 1 + i % 3, .uid = i % 4 ? 1000 : 0,
						     .ret = i % 9 ? 0 : -2, .argc = 3, .argv = argv,
						     .comm = i % 7 ? "sh" : hard[i % NHARD], .pcomm = "make",
						     .filename = i % 2 ? "/usr/bin/x" : "/bin/y",
						     .cwd = i % 3 ? "/src" : NULL };
			break;
		case FMT_STREAM_EXIT:
			ev.exit = (struct fmt_exit){ .ts_ns = t, .start_ns = t - 99, .pid = 100 + i % 97,
						     .ppid = 1, .exit_code = i % 3, .signal = i % 7 ? 0 : 9 };
			break;
		case FMT_STREAM_FLOW:
			ev.flow = (struct fmt_flow){ .ts_ns = t, .interval_ns = S, .packets = 1 + i % 13,
						     .bytes = (1 + i % 13) * 60 + i % 5 };
			fixture_flow_key(i, &ev.flow.key);
			break;
		case FMT_STREAM_PROC:
			ev.proc = (struct fmt_proc){ .ts_ns = t, .start_ns = 5 * S, .pid = i, .ppid = 1,
						     .argc = 2, .argv = argv, .comm = "init",
						     .exe = "/bin/z" };
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

static void *state_new(void *ctx)
{
	(void)ctx;
	return calloc(1, 1);
}

static void state_free(void *ctx, void *state)
{
	(void)ctx;
	free(state);
}

static void row(void *ctx, void *state, const struct fmt_batch *b, uint32_t j, struct obuf *o)
{
	(void)ctx, (void)state, (void)b, (void)j;
	obuf_putc(o, 'r');
}

static int write_nothing(void *ctx, int s, const char *p, size_t n)
{
	(void)ctx, (void)s, (void)p, (void)n;
	return 0;
}

/* export_par itself on path: 0 if it took the file (1 if some chunks
 * were skipped), -1 if it left it */
static int taken(const char *path)
{
	static const struct export_par_ops ops = { state_new, state_free, row, write_nothing };
	struct fmt_reader *rd;
	struct report r = { .nfiles = 1, .threads = 2, .progress = 0 };
	int got;

	cr_assert_eq(fmt_reader_open(path, &rd, NULL), 0);
	r.readers = &rd;
	r.paths = (char **)&path;
	got = export_par(&r, false, &ops, NULL);
	fmt_reader_close(rd);
	return got;
}

/* What the last run wrote: standard output, and the files it made (a file
 * per stream in dir, or file), each read and removed. */
struct written {
	int rc;
	char *out, *err, *f[6];
};

static void run_j(const char *args, int j, const char *dir, const char *file, struct written *w)
{
	static const char *const names[] = { "exec", "exit", "flow", "proc", "cgroup" };
	char path[1200];

	memset(w, 0, sizeof(*w));
	w->rc = report_runf(&w->out, &w->err, "%s -f -j %d", args, j);
	for (int k = 0; dir && k < 5; k++)
		for (int ext = 0; ext < 2; ext++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir, names[k], ext ? "csv" : "jsonl");
			if (!access(path, F_OK))
				w->f[k] = fixture_slurp(path, NULL), unlink(path);
		}
	if (file && !access(file, F_OK))
		w->f[5] = fixture_slurp(file, NULL), unlink(file);
}

static void written_free(struct written *w)
{
	free(w->out), free(w->err);
	for (int k = 0; k < 6; k++)
		free(w->f[k]);
}

/* The same bytes (and exit, and errors) with one thread as with two and
 * four, on standard output and in what it writes to dir or file. */
static void same(const char *args, const char *dir, const char *file)
{
	struct written one, more;

	run_j(args, 1, dir, file, &one);
	for (int j = 2; j <= 4; j += 2) {
		run_j(args, j, dir, file, &more);
		cr_assert_eq(one.rc, more.rc, "'%s': exit %d, %d with %d threads", args, one.rc,
			     more.rc, j);
		cr_assert_str_eq(one.out, more.out, "'%s': output differs with %d threads", args, j);
		cr_assert_str_eq(one.err, more.err, "'%s': errors differ with %d threads", args, j);
		for (int k = 0; k < 6; k++) {
			cr_assert_eq(!one.f[k], !more.f[k], "'%s': file %d", args, k);
			if (one.f[k])
				cr_assert_str_eq(one.f[k], more.f[k], "'%s': file %d differs", args, k);
		}
		written_free(&more);
	}
	if (dir || file) /* something was written */
		cr_assert(one.f[0] || one.f[2] || one.f[5], "'%s' wrote nothing", args);
	else
		cr_assert_gt(strlen(one.out), 0, "'%s' wrote nothing: %s", args, one.err);
	written_free(&one);
}

/* Every form of row export of the session at path. */
static void every_export(const char *path)
{
	static const char *const forms[] = {
		"export %s --format jsonl",
		"export %s --format jsonl --type exec",
		"export %s --format jsonl --type flow,exit",
		"export %s --format jsonl --since +1s --until +4s",
		"export %s --format jsonl --comm sh",
		"export %s --format jsonl --ip 10.0.0.3 --type flow,exec",
		"export %s --format jsonl --port 53",
		"export %s --format csv --type exec",
		"export %s --format csv --type exit",
		"export %s --format csv --type flow --since +2s",
		"export %s --format csv --type proc",
		"export %s --format csv --type cgroup",
		"export %s --format csv --type exec --pid 150",
	};
	char args[1600], file[1200];
	const char *dir = fixture_path("par-out");

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(args, sizeof(args), forms[i], path);
		same(args, NULL, NULL);
	}
	/* to files: one of every stream, and one of all */
	snprintf(args, sizeof(args), "export %s --format jsonl -o %s", path, dir);
	same(args, dir, NULL);
	snprintf(args, sizeof(args), "export %s --format csv -o %s --type exec,flow,cgroup", path,
		 dir);
	same(args, dir, NULL);
	snprintf(file, sizeof(file), "%s.jsonl", dir);
	snprintf(args, sizeof(args), "export %s --format jsonl -o %s", path, file);
	same(args, NULL, file);
}

Test(export_par, same_bytes_as_one_thread_on_sessions_in_order, .fini = fini, .timeout = 300)
{
	const char *a = in_order("par-a.db", 41, 0), *b = in_order("par-b.db", 1000, 0);
	const char *c = in_order("par-e.db", 41, 2), *d = in_order("par-f.db", 3, 0);

	cr_assert_eq(taken(a), 0, "a session in time order takes the parallel path");
	cr_assert_eq(taken(b), 0);
	cr_assert_eq(taken(c), 0, "chunks sorted inside, in order between them");
	every_export(a);
	every_export(b);
	every_export(c);
	cr_assert_eq(taken(d), 0, "chunks of 3: a tie at many a chunk's start");
	every_export(d);
	d = in_order("par-h.db", 5, 3);
	cr_assert_eq(taken(d), 0, "chunks of one time each");
	every_export(d);
}

/* A write that fails is said once, and the exit is 1, with one thread or
 * two. */
Test(export_par, a_full_disk_is_one_error, .fini = fini, .timeout = 60)
{
	const char *a = in_order("par-i.db", 41, 0), *e = fixture_path("par-err");
	char cmd[1600];

	for (int j = 1; j <= 2; j++) {
		snprintf(cmd, sizeof(cmd), "%s export %s --format jsonl -j %d >/dev/full 2>%s",
			 EBPFREPORT_BIN, a, j, e);
		int st = system(cmd);
		char *msg = fixture_slurp(e, NULL);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "-j %d: status %d", j, st);
		const char *first = strstr(msg, "write error: No space left on device");
		cr_assert(first, "-j %d: %s", j, msg);
		cr_assert_null(strstr(first + 1, "write error: No space"), "-j %d said twice: %s", j,
			       msg);
		free(msg);
	}
}

Test(export_par, damaged_chunks_are_skipped_and_said_alike, .fini = fini, .timeout = 300)
{
	const char *a = in_order("par-c.db", 41, 0);
	char cmd[1600];

	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"UPDATE chunk SET checksum = checksum + 1 WHERE id %% 7 = 3\"", a);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(taken(a), 1);
	every_export(a);
	/* every record of the good chunks is written, up to the last: with
	 * one thread the rows buffered after a skipped chunk were dropped */
	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"SELECT sum(records) FROM chunk WHERE id %% 7 != 3\"",
		 a);
	FILE *p = popen(cmd, "r");
	long want = -1, lines = 0;
	cr_assert(p && fscanf(p, "%ld", &want) == 1);
	pclose(p);
	for (int j = 1; j <= 2; j++) {
		run("export %s --format jsonl -j %d", a, j);
		cr_assert_eq(rc, 1);
		cr_assert(strstr(err, "(skipped)"), "%s", err);
		lines = 0;
		for (const char *c = out; *c; c++)
			lines += *c == '\n';
		cr_assert_eq(lines, want, "-j %d: %ld rows of %ld", j, lines, want);
	}
}

Test(export_par, sessions_out_of_order_are_left_to_report_each, .fini = fini, .timeout = 300)
{
	const char *a = in_order("par-d.db", 41, 1);

	cr_assert_eq(taken(a), -1);
	every_export(a);
}

/* cmd_export's jsonl rows, rendered here: export_par run in this process
 * with its text limit lowered */
struct here {
	struct fmt_reader *rd;
	bool per_stream;
	struct obuf got[FMT_STREAM_MAX + 1];
};

static void *w_new(void *ctx)
{
	(void)ctx;
	return calloc(1, sizeof(struct row_out));
}

static void w_free(void *ctx, void *state)
{
	(void)ctx;
	row_out_free(state);
	free(state);
}

static void w_row(void *ctx, void *state, const struct fmt_batch *b, uint32_t j, struct obuf *o)
{
	struct here *x = ctx;
	struct row_out *w = state;
	struct fmt_event ev;
	struct fmt_row row;
	char name[64];
	const char *iface = NULL;

	fmt_batch_get_at(b, j, &ev);
	ev.source = 0;
	if (ev.stream == FMT_STREAM_FLOW)
		iface = out_iface(x->rd, ev.flow.key.ifindex, name, sizeof(name));
	cr_assert_eq(fmt_row_fill(&ev, fmt_reader_clock_offset(x->rd), iface, &row), 0);
	w->o = o;
	row_jsonl_at(w, &row, b, j, x->per_stream ? NULL : fmt_stream_name(ev.stream), NULL);
}

static int w_out(void *ctx, int s, const char *p, size_t n)
{
	struct here *x = ctx;

	obuf_put(&x->got[s], p, n);
	return 0;
}

/* A chunk whose text passes the limit is rendered by the calling thread
 * as its rows are written, merged with the others' as ever: at limits
 * where every chunk, some chunks (part way through) or none are, the
 * rows are report_each's (ebpfreport -j 1). */
Test(export_par, chunks_of_too_much_text_are_rendered_as_written, .fini = fini, .timeout = 120)
{
	static const struct export_par_ops ops = { w_new, w_free, w_row, w_out };
	static const char *const names[] = { "exec", "exit", "flow", "proc", "cgroup" };
	static const size_t limits[] = { 0, 300, 5000, 1u << 20 };
	const char *path = in_order("par-g.db", 41, 2), *dir = fixture_path("par-lazy");
	struct report r = { .nfiles = 1, .threads = 2, .progress = 0 };
	char file[1200];

	run("export %s --format jsonl -j 1", path);
	cr_assert_eq(rc, 0, "%s", err);
	char *mixed = strdup(out);
	run("export %s --format jsonl -j 1 -o %s", path, dir);
	cr_assert_eq(rc, 0, "%s", err);
	for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++)
		for (int per_stream = 0; per_stream <= 1; per_stream++) {
			struct here x = { .per_stream = per_stream };
			cr_assert_eq(fmt_reader_open(path, &x.rd, NULL), 0);
			r.readers = &x.rd;
			r.paths = (char **)&path;
			export_par_text_max = limits[l];
			cr_assert_eq(export_par(&r, per_stream, &ops, &x), 0);
			for (int s = 0; s <= FMT_STREAM_MAX; s++) {
				char *want = mixed;
				if (per_stream && !s)
					continue;
				if (per_stream) {
					snprintf(file, sizeof(file), "%s/%s.jsonl", dir, names[s - 1]);
					want = fixture_slurp(file, NULL);
				}
				obuf_putc(&x.got[s], 0);
				cr_assert_str_eq(x.got[s].buf, want, "limit %zu, %s", limits[l],
						 per_stream ? names[s - 1] : "mixed");
				if (per_stream)
					free(want);
				obuf_free(&x.got[s]);
				if (!per_stream)
					break;
			}
			fmt_reader_close(x.rd);
		}
	export_par_text_max = 64u << 20;
	free(mixed);
}
