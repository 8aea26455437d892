/* format_bench.c - size and speed of the session format against JSONL+zstd.
 *
 * Writes N synthetic exec records and N flow records (bench/synth.h) each
 * into its own session file, reads them back, and prints per stream: bytes
 * per record of the final file (SQLite overhead included), write and decode
 * records/s on one core, and the size of the same records as JSON lines
 * compressed with zstd level 3 (what `zstd -3` produces) for comparison.
 *
 * usage: format_bench [-n RECORDS] [-d DIR] [-l ZSTD_LEVEL] [-c CHUNK_RECORDS] [-k] [-J]
 *   -k keeps the session files (bench-exec.db, bench-flow.db) in DIR;
 *   -J skips the JSON lines comparison (faster, for profiling).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "fmt.h"
#include "synth.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "format_bench: %s: %s\n", what, msg ? msg : "failed");
	exit(1);
}

struct jsonl {
	char *p;
	size_t len, cap;
};

static void jappend(struct jsonl *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void jappend(struct jsonl *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->cap - j->len < 4096) {
		j->cap = j->cap ? j->cap * 2 : 1 << 20;
		j->p = realloc(j->p, j->cap);
		if (!j->p)
			die("jsonl", "out of memory");
	}
	va_start(ap, fmt);
	n = vsnprintf(j->p + j->len, j->cap - j->len, fmt, ap);
	va_end(ap);
	j->len += (size_t)n;
}

static void json_exec(struct jsonl *j, const struct fmt_exec *e)
{
	jappend(j,
		"{\"type\":\"exec\",\"ts_ns\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"ppid\":%u,"
		"\"uid\":%u,\"gid\":%u,\"cgroup_id\":%" PRIu64 ",\"comm\":\"%s\",\"pcomm\":\"%s\","
		"\"filename\":\"%s\",\"argv\":[",
		e->ts_ns, e->pid, e->tid, e->ppid, e->uid, e->gid, e->cgroup_id, e->comm, e->pcomm,
		e->filename);
	for (uint32_t i = 0; i < e->argc; i++)
		jappend(j, "%s\"%s\"", i ? "," : "", e->argv[i]);
	jappend(j, "],\"argv_truncated\":%s,\"ret\":%d}\n",
		e->flags & FMT_EXEC_ARGV_TRUNCATED ? "true" : "false", e->ret);
}

static void addr(char *out, const struct fmt_flow_key *k, const uint8_t *a)
{
	if (k->family == FMT_FAMILY_IPV4)
		sprintf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else
		for (int i = 0; i < 16; i += 2)
			out += sprintf(out, "%s%x", i ? ":" : "", a[i] << 8 | a[i + 1]);
}

static void json_flow(struct jsonl *j, const struct fmt_flow *f)
{
	char src[64], dst[64];

	addr(src, &f->key, f->key.src);
	addr(dst, &f->key, f->key.dst);
	jappend(j,
		"{\"type\":\"flow\",\"ts_ns\":%" PRIu64 ",\"interval_ns\":%" PRIu64
		",\"ifindex\":%u,\"dir\":\"%s\",\"family\":%u,\"proto\":%u,\"src\":\"%s\","
		"\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64,
		f->ts_ns, f->interval_ns, f->key.ifindex, f->key.dir ? "egress" : "ingress",
		f->key.family, f->key.proto, src, dst, f->key.sport, f->key.dport, f->packets,
		f->bytes);
	if (f->owner.pid) /* as the jsonl export writes them */
		jappend(j, ",\"owner_pid\":%u,\"owner_start_ns\":%" PRIu64 ",\"owner_cgroup_id\":%" PRIu64,
			f->owner.pid, f->owner.start_ns, f->owner.cgroup_id);
	jappend(j, "}\n");
}

static size_t zstd3(const struct jsonl *j)
{
	size_t cap = ZSTD_compressBound(j->len), n;
	void *out = malloc(cap);

	if (!out)
		die("zstd", "out of memory");
	n = ZSTD_compress(out, cap, j->p, j->len, 3);
	free(out);
	if (ZSTD_isError(n))
		die("zstd", ZSTD_getErrorName(n));
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? 0 : st.st_size;
}

/* Decode every chunk of a file; @return records seen and a checksum. */
static uint64_t decode_all(const char *path, uint64_t *sum)
{
	struct fmt_reader *r;
	struct fmt_chunk_info *ci;
	char *err;
	uint64_t n = 0;
	int nc;

	if (fmt_reader_open(path, &r, &err))
		die(path, err);
	nc = fmt_reader_chunks(r, &ci);
	if (nc < 0)
		die(path, fmt_reader_errmsg(r));
	struct fmt_batch *b = NULL; /* recycled from chunk to chunk */
	for (int i = 0; i < nc; i++) {
		struct fmt_event ev;
		if (fmt_reader_load_chunk(r, ci[i].id, &b))
			die(path, fmt_reader_errmsg(r));
		for (uint32_t k = 0; k < fmt_batch_count(b); k++) {
			fmt_batch_get(b, k, &ev);
			*sum += fmt_event_ts(&ev) + (ev.stream == FMT_STREAM_EXEC ?
							     ev.exec.pid + ev.exec.argc :
							     ev.flow.packets + ev.flow.key.sport);
		}
		n += fmt_batch_count(b);
	}
	fmt_batch_free(b);
	free(ci);
	fmt_reader_close(r);
	return n;
}

static struct fmt_writer_opts wopts;
static int with_json = 1, keep_files;

/* Write n records of one stream (flows with their owners if owners),
 * read them back; print sizes and speeds. @return the decode time. */
static double run(int stream, uint64_t n, const char *dir, int owners)
{
	char path[4096];
	struct fmt_writer *w;
	struct synth *s = synth_new(42, 5000);
	const char *name = stream == FMT_STREAM_EXEC ? "exec" : owners ? "flow+owner" : "flow";
	struct jsonl j = { 0 };
	struct fmt_writer_stats wst;
	char *err;
	double t0, t_write, t_read;
	uint64_t got, sum = 0;
	size_t jz;
	off_t size;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/bench-%s.db", dir, name);
	synth_owners(s, owners);
	/* generate first so that generation is not timed */
	struct fmt_exec *ex = NULL;
	struct fmt_flow *fl = NULL;
	char **strings = NULL;
	if (stream == FMT_STREAM_EXEC) {
		ex = calloc(n, sizeof(*ex));
		strings = calloc(n, sizeof(*strings));
		for (uint64_t i = 0; i < n; i++) {
			struct fmt_exec e;
			synth_exec(s, &e);
			if (with_json)
				json_exec(&j, &e);
			/* keep argv alive: pack argv pointers after the strings */
			const char **argv = malloc(e.argc * sizeof(*argv));
			for (uint32_t a = 0; a < e.argc; a++)
				argv[a] = e.argv[a];
			ex[i] = e;
			ex[i].argv = argv;
			strings[i] = (char *)argv;
		}
	} else {
		fl = calloc(n, sizeof(*fl));
		for (uint64_t i = 0; i < n; i++) {
			synth_flow(s, &fl[i]);
			if (with_json)
				json_flow(&j, &fl[i]);
		}
	}

	t0 = now();
	if (fmt_writer_create(path, FMT_CREATE_FORCE, &wopts, &w, &err))
		die(path, err);
	for (uint64_t i = 0; i < n && !rc; i++)
		rc = stream == FMT_STREAM_EXEC ? fmt_writer_append_exec(w, &ex[i]) :
						 fmt_writer_append_flow(w, &fl[i]);
	if (rc)
		die(path, fmt_writer_errmsg(w));
	fmt_writer_stats(w, &wst);
	if (fmt_writer_close(w, &err))
		die(path, err);
	t_write = now() - t0;
	size = file_size(path);

	t0 = now();
	got = decode_all(path, &sum);
	t_read = now() - t0;
	if (got != n)
		die(path, "record count differs after reading back");
	jz = zstd3(&j);

	printf("%-10s records %" PRIu64 "  file %.2f B/rec  jsonl+zstd-3 %.2f B/rec  ratio %.3f  "
	       "write %.2f M rec/s  decode %.1f M rec/s  (columnar raw %.1f B/rec, jsonl raw %.1f B/rec)\n",
	       name, n, (double)size / n, (double)jz / n,
	       (double)size / jz, n / t_write / 1e6, n / t_read / 1e6, (double)wst.raw_bytes / n, (double)j.len / n);
	fflush(stdout);
	if (strings)
		for (uint64_t i = 0; i < n; i++)
			free(strings[i]);
	free(strings);
	free(ex);
	free(fl);
	free(j.p);
	synth_free(s);
	if (!keep_files)
		unlink(path);
	(void)sum;
	return t_read;
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000;
	const char *dir = ".";
	int opt;

	while ((opt = getopt(argc, argv, "n:d:l:c:kJh")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'l':
			wopts.zstd_level = atoi(optarg);
			break;
		case 'c':
			wopts.chunk_records = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			keep_files = 1;
			break;
		case 'J':
			with_json = 0;
			break;
		default:
			fprintf(stderr, "usage: format_bench [-n RECORDS] [-d DIR] [-l ZSTD_LEVEL] [-c CHUNK_RECORDS] [-k] [-J]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!n) {
		fprintf(stderr, "format_bench: -n must be a positive number\n");
		return 2;
	}
	printf("format_bench: %" PRIu64 " exec + %" PRIu64 " flow records, one core\n", n, n);
	double t = run(FMT_STREAM_EXEC, n, dir, 0);
	t += run(FMT_STREAM_FLOW, n, dir, 0);
	printf("both       decode %.1f M rec/s (exec and flow records together, one core)\n",
	       2.0 * n / t / 1e6);
	/* the same flow rows, owned by the processes of their sockets */
	run(FMT_STREAM_FLOW, n, dir, 1);
	return 0;
}
