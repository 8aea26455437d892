/* test_units.c - the parts of rotation that need no recorder: how PATTERN
 * names files (fields, sequence numbers, names taken twice, directories)
 * and which names it made, and how each file gets the session's meta with
 * loss counters of its own. */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "metacache.h"
#include "pattern.h"

static const char *name(const char *pat, uint64_t seq, unsigned n)
{
	static char out[4200];
	struct pattern p;
	char err[256];

	cr_assert_eq(pattern_init(&p, pat, err, sizeof(err)), 0, "%s", err);
	/* 2026-01-02 03:04:05 UTC */
	cr_assert_eq(pattern_path(&p, 1767323045, seq, n, out, sizeof(out)), 0);
	cr_assert_eq(fnmatch(p.glob, pattern_basename(out), FNM_PERIOD), 0,
		     "'%s' does not match its own glob '%s'", out, p.glob);
	return out;
}

Test(pattern, names)
{
	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_str_eq(name("s.db", 1, 1), "s-000001.db");
	cr_assert_str_eq(name("s.db", 123456, 1), "s-123456.db");
	cr_assert_str_eq(name("s", 7, 1), "s-000007");
	cr_assert_str_eq(name("a.b.db", 2, 1), "a.b-000002.db");
	cr_assert_str_eq(name(".hidden", 2, 1), ".hidden-000002");
	cr_assert_str_eq(name("100%%.db", 3, 1), "100%-000003.db");
	cr_assert_str_eq(name("/var/x/s.db", 1, 3), "/var/x/s-000001_3.db");
	cr_assert_str_eq(name("./s.db", 1, 1), "s-000001.db");
	cr_assert_str_eq(name("/s.db", 1, 1), "/s-000001.db");
	cr_assert_str_eq(name("h-%Y%m%d-%H%M%S.db", 9, 1), "h-20260102-030405.db");
	cr_assert_str_eq(name("d/h-%H.db", 9, 2), "d/h-03_2.db");
	cr_assert_str_eq(name("%Y", 1, 1), "2026");
}

Test(pattern, next_counts_names_given_twice)
{
	struct pattern p;
	char err[256], out[4200];

	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_eq(pattern_init(&p, "x-%H.db", err, sizeof(err)), 0);
	cr_assert_eq(pattern_next(&p, 1767323045, 1, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "x-03.db");
	cr_assert_eq(pattern_next(&p, 1767323046, 2, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "x-03_2.db");
	cr_assert_eq(pattern_next(&p, 1767323047, 3, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "x-03_3.db");
	cr_assert_eq(pattern_next(&p, 1767326645, 4, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "x-04.db");
}

Test(pattern, globs_match_only_what_it_makes)
{
	struct pattern p;
	char err[256];

	cr_assert_eq(pattern_init(&p, "/d/host-%Y%m%d.db", err, sizeof(err)), 0);
	cr_assert_str_eq(p.dir, "/d");
	cr_assert_eq(fnmatch(p.glob, "host-20260101.db", FNM_PERIOD), 0);
	cr_assert_eq(fnmatch(p.glob, "host-20260101_2.db", FNM_PERIOD), 0);
	cr_assert_neq(fnmatch(p.glob, "other-20260101.db", FNM_PERIOD), 0);
	cr_assert_neq(fnmatch(p.glob, "host-20260101.db-wal", FNM_PERIOD), 0);
	cr_assert_eq(pattern_init(&p, "cap[1]*.db", err, sizeof(err)), 0); /* no field */
	cr_assert_eq(fnmatch(p.glob, "cap[1]*-000004.db", FNM_PERIOD), 0);
	cr_assert_neq(fnmatch(p.glob, "cap1x-000004.db", FNM_PERIOD), 0, "%s", p.glob);
	cr_assert_eq(pattern_init(&p, "a%/b.db", err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "not the directory"), "%s", err);
	cr_assert_eq(pattern_init(&p, "dir/", err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "no file name"), "%s", err);
}

Test(metacache, each_file_counts_its_own_losses)
{
	struct metacache m = { 0 };
	struct mc_snapshot snap;
	char buf[32];

	cr_assert_eq(metacache_set(&m, "hostname", "alpha"), 0);
	cr_assert_eq(metacache_set(&m, "lost_ringbuf", "5"), 0);
	cr_assert_eq(metacache_set(&m, "queue_peak_bytes", "100"), 0); /* not a sum */
	cr_assert_str_eq(metacache_file_value(&m, "lost_ringbuf", buf, sizeof(buf)), "5");
	metacache_rebase(&m); /* a new file */
	cr_assert_str_eq(metacache_file_value(&m, "lost_ringbuf", buf, sizeof(buf)), "0");
	cr_assert_eq(metacache_set(&m, "lost_ringbuf", "8"), 0);
	cr_assert_str_eq(metacache_file_value(&m, "lost_ringbuf", buf, sizeof(buf)), "3");
	cr_assert_str_eq(metacache_file_value(&m, "queue_peak_bytes", buf, sizeof(buf)), "100");
	cr_assert_str_eq(metacache_file_value(&m, "hostname", buf, sizeof(buf)), "alpha");
	cr_assert_null(metacache_file_value(&m, "nope", buf, sizeof(buf)));
	cr_assert_eq(metacache_snapshot(&m, &snap), 0);
	cr_assert_eq(metacache_set(&m, "lost_ringbuf", "20"), 0);
	cr_assert_eq(metacache_set(&m, "lost_queue", "4"), 0); /* new after the snapshot */
	cr_assert_str_eq(metacache_get(&m, "lost_ringbuf"), "20");
	{
		/* a dump since the snapshot: 20 - 8 and 4 */
		struct fmt_writer *w;
		struct fmt_reader *r;
		char *e = NULL;
		const char *path = "/tmp/ebpfrec-metacache-test.db";
		uint64_t v;
		cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &e), 0, "%s", e);
		cr_assert_eq(metacache_write(&m, w, &snap), 0);
		cr_assert_eq(fmt_writer_close(w, &e), 0, "%s", e);
		cr_assert_eq(fmt_reader_open(path, &r, &e), 0, "%s", e);
		cr_assert_eq(fmt_reader_meta_u64(r, "lost_ringbuf", &v), 0);
		cr_assert_eq(v, 12);
		cr_assert_eq(fmt_reader_meta_u64(r, "lost_queue", &v), 0);
		cr_assert_eq(v, 4);
		cr_assert_str_eq(fmt_reader_meta(r, "hostname"), "alpha");
		fmt_reader_close(r);
		fmt_remove_file(path);
	}
	mc_snapshot_free(&snap);
	metacache_free(&m);
}
