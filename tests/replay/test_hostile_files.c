/* test_hostile_files.c - hand-made hostile session files given to every
 * ebpfreport command, each run under a memory limit (RLIMIT_AS; in the
 * sanitizer build, ASan's hard_rss_limit_mb): one clear error line naming
 * the file, a normal exit (never a signal), no sanitizer report, and the
 * peak memory reported. The format tests cover the reader's checks one by
 * one; this is what a user who opens a stranger's file would see. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "crc32.h"
#include "fixture.h"

#define LIMIT_MB 512

static char path[512];

static void copy_alpha(const char *name)
{
	char cmd[1200];

	snprintf(path, sizeof(path), "%s/%d-%s", fixture_dir(), getpid(), name);
	snprintf(cmd, sizeof(cmd), "cp %s %s", fixture_alpha(), path);
	cr_assert_eq(system(cmd), 0);
}

static void sql(const char *stmt)
{
	sqlite3 *db;
	char *err = NULL;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	cr_assert_eq(sqlite3_exec(db, stmt, NULL, NULL, &err), SQLITE_OK, "%s: %s", stmt, err);
	sqlite3_close(db);
}

/* Run one ebpfreport command on path under the memory limit. */
static void run_limited(const char *cmd, int expect_error)
{
	char out[600], errp[600], *err;
	int st;
	pid_t pid;
	struct rusage ru;

	snprintf(out, sizeof(out), "%s.out", path);
	snprintf(errp, sizeof(errp), "%s.err", path);
	pid = fork();
	if (pid == 0) {
		char line[2048];
#ifdef SANITIZED
		setenv("ASAN_OPTIONS", "hard_rss_limit_mb=" "512" ":detect_leaks=1", 1);
#else
		struct rlimit rl = { (rlim_t)LIMIT_MB << 20, (rlim_t)LIMIT_MB << 20 };
		setrlimit(RLIMIT_AS, &rl);
#endif
		snprintf(line, sizeof(line), "exec %s %s >%s 2>%s", EBPFREPORT_BIN, cmd, out, errp);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	err = fixture_slurp(errp, NULL);
	cr_assert(WIFEXITED(st), "'%s' died (signal %d): %s", cmd, WTERMSIG(st), err);
	cr_assert_null(strstr(err, "Sanitizer"), "'%s': %s", cmd, err);
	cr_assert_null(strstr(err, "runtime error"), "'%s': %s", cmd, err);
	cr_assert_lt(ru.ru_maxrss, LIMIT_MB * 1024L, "'%s' used %ld KiB", cmd, ru.ru_maxrss);
	if (expect_error && !strncmp(cmd, "verify", 6)) { /* its verdict is its output */
		char *o = fixture_slurp(out, NULL);
		cr_assert_eq(WEXITSTATUS(st), 1, "'%s' passed a hostile file: %s", cmd, o);
		cr_assert_not_null(strstr(o, ": BAD: "), "'%s': %s", cmd, o);
		free(o);
	} else if (expect_error) {
		cr_assert_neq(WEXITSTATUS(st), 0, "'%s' accepted a hostile file", cmd);
		cr_assert_not_null(strstr(err, path), "'%s': the error does not name the file: %s",
				   cmd, err);
		cr_assert(!strncmp(err, "ebpfreport: ", 12), "'%s': %s", cmd, err);
	}
	cr_log_info("%-40.40s exit %d, peak %ld KiB", cmd, WEXITSTATUS(st), ru.ru_maxrss);
	free(err);
}

/* Every command that reads a file. */
static void all_commands(int expect_error)
{
	char cmd[1600], o[600];

	snprintf(o, sizeof(o), "%s.o", path);
	snprintf(cmd, sizeof(cmd), "%s", path);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "replay --json %s", path);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "verify %s", path);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "sql %s \"SELECT count(*), max(length(argv)) FROM exec\"", path);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "html %s -o %s -f", path, o);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "export %s --format perfetto -o %s -f", path, o);
	run_limited(cmd, expect_error);
	snprintf(cmd, sizeof(cmd), "redact %s --ips --host -o %s -f", path, o);
	run_limited(cmd, expect_error);
}

Test(hostile_files, schema_objects_named_like_ours, .timeout = 120)
{
	copy_alpha("trigger.db");
	sql("CREATE TRIGGER exec AFTER INSERT ON meta BEGIN DELETE FROM chunk; END;");
	all_commands(1);
	copy_alpha("view.db");
	sql("ALTER TABLE chunk RENAME TO c2; CREATE VIEW chunk AS SELECT * FROM c2;");
	all_commands(1);
	copy_alpha("vtab.db");
	sql("PRAGMA writable_schema=ON; INSERT INTO sqlite_schema VALUES('table','flow','flow',0,"
	    "'CREATE VIRTUAL TABLE flow USING fts5(a)');");
	all_commands(1);
}

Test(hostile_files, huge_declared_page_count, .timeout = 120)
{
	unsigned char hdr[100];
	int fd;

	copy_alpha("pages.db");
	fd = open(path, O_RDWR);
	cr_assert_eq(pread(fd, hdr, 100, 0), 100);
	/* 2^31 - 1 pages in the header, made valid for this change counter */
	hdr[28] = 0x7f, hdr[29] = hdr[30] = hdr[31] = 0xff;
	memcpy(hdr + 92, hdr + 24, 4);
	cr_assert_eq(pwrite(fd, hdr, 100, 0), 100);
	close(fd);
	all_commands(1);
}

Test(hostile_files, zstd_bomb_and_billions_of_rows, .timeout = 120)
{
	size_t big = 256u << 20, cap = ZSTD_compressBound(big), n;
	void *zeros = calloc(1, big), *z = malloc(cap);
	char stmt[256];
	sqlite3 *db;
	sqlite3_stmt *st;

	copy_alpha("bomb.db");
	n = ZSTD_compress(z, cap, zeros, big, 1);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "UPDATE chunk SET data=?, checksum=?, raw_size=? "
					    "WHERE id=1",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_blob(st, 1, z, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, fmt_crc32c(0, z, n));
	sqlite3_bind_int64(st, 3, (int64_t)big);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(zeros);
	free(z);
	snprintf(stmt, sizeof(stmt), "UPDATE chunk SET records = 4000000000 WHERE id = 2;");
	sql(stmt);
	all_commands(1);
}

Test(hostile_files, deeply_nested_and_overlong_strings, .timeout = 180)
{
	struct fmt_writer *w;
	char *huge = malloc(20u << 20), *nest = malloc(900000);
	const char *argv[] = { "x", huge, NULL };

	/* meta: 900 KB of '[' where the interface list goes, a 900 KB host */
	copy_alpha("nested.db");
	memset(nest, '[', 899999);
	nest[899999] = 0;
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &(char *){ NULL }), 0);
	fmt_writer_set_meta(w, "interfaces", nest);
	memset(nest, 'h', 899999);
	fmt_writer_set_meta(w, "hostname", nest);
	/* a 20 MB argument: within the reader's limits, so it must be read */
	memset(huge, 'a', (20u << 20) - 1);
	huge[(20u << 20) - 1] = 0;
	fixture_exec(w, 5, 9, 1, 0, "sh", "init", "/bin/sh", 0, argv);
	fixture_flow(w, 6, 0, 4, 6, "10.0.0.1", 1, "10.0.0.2", 2, 1, 60);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	free(huge);
	free(nest);
	all_commands(0); /* not an error: odd but valid */
}

/* A clock offset at either end of int64_t does not open (the sums with
 * timestamps would overflow: the sanitizer build reports it); the largest
 * one that opens replays, paced, without overflowing either. */
Test(hostile_files, extreme_clock_offsets, .timeout = 120)
{
	static const char *const offsets[] = { "9223372036854775807", "-9223372036854775808",
					       "4611686018427387904", "-4611686018427387904" };
	char cmd[1200];

	for (int i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd), "offset-%d.db", i);
		copy_alpha(cmd);
		snprintf(cmd, sizeof(cmd), "UPDATE meta SET value = '%s' WHERE key = 'clock_offset_ns';",
			 offsets[i]);
		sql(cmd);
		snprintf(cmd, sizeof(cmd), "replay --speed 1000000 %s", path);
		run_limited(cmd, i < 2);
		all_commands(i < 2);
	}
}
