/* make_seeds.c - the seed corpora of the fuzz targets, from real small
 * sessions written by the format library:
 *
 *   make_seeds DIR      writes DIR/session/, DIR/chunk/ and DIR/interfaces/
 *
 * session/: whole files (execs with odd argv, exits, IPv4/IPv6 flows, meta
 * as ebpfrec writes it); chunk/: each of their chunk payloads, decompressed
 * and prefixed with stream and record count as fuzz_chunk expects;
 * interfaces/: interface lists. */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "fmt.h"

static const char *const ifaces[] = {
	"[{\"index\":2,\"name\":\"eth0\",\"addresses\":[\"10.0.0.1\",\"fd00::1\"],"
	"\"ingress\":\"xdp-native\",\"egress\":\"tcx\",\"gone\":false}]",
	"[{\"index\":1,\"name\":\"lo\",\"addresses\":[],\"ingress\":\"xdp-generic\","
	"\"egress\":\"tc\",\"gone\":true},{\"index\":7,\"name\":\"we\\\\ird\\\"\",\"addresses\":"
	"[\"::1\"],\"ingress\":\"tcx (xdp busy)\",\"egress\":\"tcx\",\"gone\":false,\"x\":null}]",
	"[]",
};

static int fail(const char *what)
{
	fprintf(stderr, "make_seeds: %s\n", what);
	return 1;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static int session(const char *path, unsigned n, unsigned chunk_records)
{
	struct fmt_writer_opts o = { .chunk_records = chunk_records };
	struct fmt_writer *w;
	char *err = NULL;

	if (fmt_writer_create(path, FMT_CREATE_FORCE, &o, &w, &err))
		return fail(err ? err : path);
	fmt_writer_set_meta(w, "hostname", "seed");
	fmt_writer_set_meta(w, "clock_offset_ns", "1700000000000000000");
	fmt_writer_set_meta(w, "interfaces", ifaces[n % 3]);
	fmt_writer_set_meta_u64(w, "lost_ringbuf", n);
	for (unsigned i = 0; i < n; i++) {
		const char *argv[] = { "cc", i % 3 ? "-c" : "", "a b.c", "--x=\"q\"" };
		struct fmt_exec e = { .ts_ns = 1000 + i * 977ull, .pid = 100 + i % 7, .tid = 100 + i,
				      .ppid = 1, .uid = i % 2 ? 1000 : 0, .gid = 5, .cgroup_id = 9,
				      .ret = i % 5 ? 0 : -2, .flags = i % 11 == 0, .argc = 1 + i % 4,
				      .comm = i % 2 ? "cc" : "make", .pcomm = "sh",
				      .filename = "/usr/bin/cc", .argv = argv,
				      .interp = i % 4 ? NULL : "/bin/sh", .cwd = i % 3 ? NULL : "/src",
				      .start_ns = i % 2 ? 0 : 500 + i * 977ull };
		struct fmt_exit x = { .ts_ns = 2000 + i * 977ull, .start_ns = 900 + i * 977ull,
				      .pid = 100 + i % 7, .ppid = 1, .exit_code = i % 3,
				      .signal = i % 4 == 0 ? 9 : 0 };
		struct fmt_flow f = { .ts_ns = 1500 + i * 977ull, .interval_ns = 1000000000,
				      .packets = 1 + i, .bytes = 60 * (1 + i) };
		f.key.ifindex = 2;
		f.key.dir = i % 2;
		f.key.family = i % 3 ? 4 : 6;
		f.key.proto = i % 2 ? 6 : 17;
		inet_pton(f.key.family == 4 ? AF_INET : AF_INET6, f.key.family == 4 ? "10.0.0.1" : "fd00::1",
			  f.key.src);
		inet_pton(f.key.family == 4 ? AF_INET : AF_INET6, f.key.family == 4 ? "10.0.0.2" : "fd00::2",
			  f.key.dst);
		f.key.sport = (uint16_t)(40000 + i % 5);
		f.key.dport = 443;
		struct fmt_event p = { .stream = FMT_STREAM_PROC }, g = { .stream = FMT_STREAM_CGROUP };
		p.proc = (struct fmt_proc){ .ts_ns = 1000, .start_ns = 10 + i, .cgroup_id = 9,
					    .pid = 2 + i, .ppid = 1, .flags = i % 5 ? 0 : FMT_PROC_KTHREAD,
					    .argc = i % 5 ? 2 : 0, .comm = "bash",
					    .exe = i % 5 ? "/bin/bash" : "", .argv = argv,
					    .cwd = i % 2 ? "/" : NULL };
		g.cgroup = (struct fmt_cgroup){ .ts_ns = 1000 + i, .cgroup_id = 9 + i, .kind = i % 3,
						.path = i % 2 ? "/system.slice/a.service" : "/" };
		if (i % 2) /* owned by the exec's process */
			f.owner = (struct fmt_owner){ .pid = e.pid, .start_ns = 500, .cgroup_id = 9 };
		if (fmt_writer_append_exec(w, &e) || fmt_writer_append_exit(w, &x) ||
		    fmt_writer_append_flow(w, &f) || (i % 3 == 0 && fmt_writer_append(w, &p)) ||
		    (i % 4 == 0 && fmt_writer_append(w, &g)))
			return fail(fmt_writer_errmsg(w));
	}
	return fmt_writer_close(w, &err) ? fail(err ? err : "close") : 0;
}

/* Every chunk of a session, decompressed, as fuzz_chunk input. */
static int chunks_of(const char *session_path, const char *dir, int *k)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char path[8200];

	if (sqlite3_open_v2(session_path, &db, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT stream, records, data FROM chunk", -1, &st, NULL))
		return fail("cannot read the seed session");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 2);
		size_t blen = (size_t)sqlite3_column_bytes(st, 2);
		unsigned long long raw = ZSTD_getFrameContentSize(blob, blen);
		uint32_t records = (uint32_t)sqlite3_column_int64(st, 1);
		unsigned char *buf = malloc(raw + 5);

		if (!buf || ZSTD_decompress(buf + 5, raw, blob, blen) != raw)
			return fail("cannot decompress a seed chunk");
		buf[0] = (unsigned char)(sqlite3_column_int(st, 0) - 1); /* all columns */
		memcpy(buf + 1, &records, 4); /* little endian here */
		snprintf(path, sizeof(path), "%s/chunk-%d", dir, (*k)++);
		if (write_file(path, buf, raw + 5))
			return fail(path);
		free(buf);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[][2] = { { 0, 0 }, { 1, 0 }, { 5, 2 }, { 40, 16 }, { 300, 100 } };
	char dir[3][4096], path[8200];
	int k = 0;

	if (argc != 2)
		return fail("usage: make_seeds DIR");
	mkdir(argv[1], 0755);
	snprintf(dir[0], sizeof(dir[0]), "%s/session", argv[1]);
	snprintf(dir[1], sizeof(dir[1]), "%s/chunk", argv[1]);
	snprintf(dir[2], sizeof(dir[2]), "%s/interfaces", argv[1]);
	for (int i = 0; i < 3; i++)
		mkdir(dir[i], 0755);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(path, sizeof(path), "%s/session-%zu.db", dir[0], i);
		if (session(path, sizes[i][0], sizes[i][1]) || chunks_of(path, dir[1], &k))
			return 1;
	}
	for (size_t i = 0; i < sizeof(ifaces) / sizeof(ifaces[0]); i++) {
		snprintf(path, sizeof(path), "%s/ifaces-%zu", dir[2], i);
		if (write_file(path, ifaces[i], strlen(ifaces[i])))
			return fail(path);
	}
	return 0;
}
