/* make_session.c - a small session with every stream and every kind of
 * value the exports must carry (strings that are not UTF-8, nulls, owned
 * and unowned flows, IPv4, IPv6, non-IP and overflow rows), for the tests
 * of other tools reading the exports (tools_test.sh: DuckDB, sqlite3,
 * pandas).
 *
 * usage: make_session OUT.db HOST N   (N execs, N exits, 2N flow rows)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"
#include "fmt_meta.h"

#define S 1000000000ull

static void check(int rc, struct fmt_writer *w)
{
	if (rc) {
		fprintf(stderr, "make_session: %s\n", fmt_writer_errmsg(w));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const char *const comms[] = { "make", "cc", "caf\xe9", "ld", "sh" };
	struct fmt_writer *w;
	char *err = NULL, arg[32];
	long n;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: make_session OUT.db HOST N\n");
		return 2;
	}
	if (fmt_writer_create(argv[1], FMT_CREATE_FORCE, NULL, &w, &err)) {
		fprintf(stderr, "make_session: %s\n", err);
		return 1;
	}
	fmt_writer_set_meta(w, FMT_META_HOSTNAME, argv[2]);
	fmt_writer_set_meta(w, FMT_META_CLOCK_OFFSET_NS, "1700000000000000000");
	fmt_writer_set_meta_u64(w, FMT_META_START_NS, S);
	fmt_writer_set_meta_u64(w, FMT_META_END_NS, (uint64_t)(n + 10) * S);
	fmt_writer_set_meta(w, FMT_META_INTERFACES,
			    "[{\"index\":2,\"name\":\"eth0\",\"addresses\":[],\"ingress\":\"xdp-native\","
			    "\"egress\":\"tcx\",\"gone\":false}]");
	for (int k = 0; k < 3; k++) {
		struct fmt_proc p = { .ts_ns = S, .pid = 1 + (uint32_t)k, .ppid = 0, .start_ns = S / 2,
				      .comm = k ? "sshd" : "systemd", .exe = k ? "/usr/sbin/sshd" : "",
				      .argv = (const char *const[]){ "sshd", "-D" },
				      .argc = k ? 2 : 0, .cwd = k ? "/" : NULL,
				      .flags = k ? 0 : FMT_PROC_KTHREAD };
		check(fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_PROC, .proc = p }),
		      w);
		struct fmt_cgroup c = { .ts_ns = S, .cgroup_id = 10 + (uint64_t)k, .kind = (uint32_t)k,
					.path = k == 2 ? "/user.slice/caf\xe9" : "/system.slice" };
		check(fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_CGROUP,
								.cgroup = c }),
		      w);
	}
	for (long i = 0; i < n; i++) {
		uint64_t ts = S + (uint64_t)i * (S / 10);
		const char *comm = comms[i % 5];
		snprintf(arg, sizeof(arg), "file%ld.c", i);
		struct fmt_exec e = { .ts_ns = ts, .pid = 100 + (uint32_t)i, .tid = 100 + (uint32_t)i,
				      .ppid = 1, .uid = 1000, .gid = 1000, .cgroup_id = 11,
				      .ret = i % 7 ? 0 : -2, .comm = comm, .pcomm = "bash",
				      .filename = "/usr/bin/x",
				      .argv = (const char *const[]){ comm, "-c", arg, "a\xffz" },
				      .argc = 4, .interp = i % 3 ? NULL : "/bin/sh",
				      .cwd = i % 2 ? "/home/u" : NULL, .start_ns = i % 4 ? ts - 1000 : 0,
				      .flags = i % 9 ? 0 : FMT_EXEC_ARGV_TRUNCATED };
		check(fmt_writer_append_exec(w, &e), w);
		check(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = ts + S / 20,
								    .start_ns = ts - 1000,
								    .pid = 100 + (uint32_t)i, .ppid = 1,
								    .exit_code = (uint32_t)(i % 3),
								    .signal = i % 11 ? 0 : 9 }),
		      w);
		struct fmt_flow f = { .ts_ns = ts + S / 10, .interval_ns = S / 10,
				      .packets = 1 + (uint64_t)i % 50, .bytes = 60 + (uint64_t)i * 7 };
		f.key.ifindex = 2;
		f.key.dir = (uint8_t)(i % 2);
		f.key.family = i % 10 == 9 ? FMT_FAMILY_OVERFLOW : i % 10 == 8 ? 0 : i % 3 ? 4 : 6;
		if (f.key.family == 4 || f.key.family == 6) {
			f.key.proto = i % 2 ? 6 : 17;
			inet_pton(f.key.family == 4 ? AF_INET : AF_INET6,
				  f.key.family == 4 ? "10.0.0.1" : "fd00::1", f.key.src);
			inet_pton(f.key.family == 4 ? AF_INET : AF_INET6,
				  f.key.family == 4 ? "10.0.0.2" : "fd00::2", f.key.dst);
			f.key.sport = 40000 + (uint16_t)(i % 100);
			f.key.dport = 443;
		}
		if (i % 4 == 1)
			f.owner = (struct fmt_owner){ .pid = 100, .start_ns = S, .cgroup_id = 11 };
		check(fmt_writer_append_flow(w, &f), w);
		f.key.dir ^= 1;
		check(fmt_writer_append_flow(w, &f), w);
	}
	if (fmt_writer_close(w, &err)) {
		fprintf(stderr, "make_session: %s\n", err);
		return 1;
	}
	return 0;
}
