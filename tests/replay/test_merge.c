/* test_merge.c - `ebpfreport merge`: two hosts' sessions in one file, in
 * wall-clock order, their meta kept per source and their losses summed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "json_path.h"

static void host_session(const char *p, const char *host, const char *offset, uint32_t pid0,
			 uint64_t lost)
{
	struct fmt_writer *w = fixture_writer(p, host, offset, 1 * S, 4 * S);

	fmt_writer_set_meta_u64(w, "lost_ringbuf", lost);
	for (uint32_t i = 0; i < 30; i++)
		fixture_exec(w, 1 * S + i * (S / 10), pid0 + i, 1, 0, "job", "sh", "/bin/job", 0,
			     (const char *[]){ "job", host, NULL });
	fixture_flow(w, 2 * S, 0, 4, 6, "192.0.2.1", 80, "192.0.2.2", 4000, 7, 700);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
}

/* (wall_ns, pid) of every exec in a JSON lines text, in order */
static size_t walls(const char *text, int64_t *wall, long *pid, size_t max)
{
	size_t n = 0;
	char *copy = strdup(text), *save, *line, v[64];

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(json_path(line, "type", v, sizeof(v)), 1, "%s", line);
		if (strcmp(v, "exec") || n == max)
			continue;
		json_path(line, "wall_ns", v, sizeof(v));
		wall[n] = atoll(v);
		json_path(line, "pid", v, sizeof(v));
		pid[n++] = atol(v);
	}
	free(copy);
	return n;
}

Test(merge, two_hosts_in_wall_clock_order, .fini = fini)
{
	const char *a = fixture_path("gamma.db"), *b = fixture_path("delta.db"), *m = fixture_path("merged.db");
	int64_t wa[64], wb[64], wm[128];
	long pa[64], pb[64], pm[128];
	size_t na, nb, nm, ia = 0, ib = 0;
	char v[256];

	/* delta's clock is 150 ms ahead of gamma's: their execs interleave */
	host_session(a, "gamma", "1700000000000000000", 1000, 3);
	host_session(b, "delta", "1700000000150000000", 5000, 4);
	run("export --format jsonl %s", a);
	na = walls(out, wa, pa, 64);
	run("export --format jsonl %s", b);
	nb = walls(out, wb, pb, 64);
	run("merge %s %s -o %s", a, b, m);
	cr_assert_eq(rc, 0, "%s", err);
	run("verify %s", m);
	cr_assert_eq(rc, 0, "%s", out);
	run("export --format jsonl %s", m);
	nm = walls(out, wm, pm, 128);
	cr_assert_eq(nm, na + nb);
	/* the merge of two sorted lists, wall-clock times unchanged */
	for (size_t i = 0; i < nm; i++) {
		int from_a = ib == nb || (ia < na && wa[ia] <= wb[ib]);
		cr_assert_eq(wm[i], from_a ? wa[ia] : wb[ib], "record %zu", i);
		cr_assert_eq(pm[i], from_a ? pa[ia] : pb[ib], "record %zu", i);
		from_a ? ia++ : ib++;
	}
	run("sql %s --json \"SELECT (SELECT value FROM meta WHERE key='lost_ringbuf') AS total,"
	    " (SELECT value FROM meta WHERE key='source0.lost_ringbuf') AS a,"
	    " (SELECT value FROM meta WHERE key='source1.hostname') AS b,"
	    " (SELECT value FROM meta WHERE key='hostname') AS h\"",
	    m);
	cr_assert_eq(json_path(out, "0.total", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "7");
	json_path(out, "0.a", v, sizeof(v));
	cr_assert_str_eq(v, "3");
	json_path(out, "0.b", v, sizeof(v));
	cr_assert_str_eq(v, "delta");
	json_path(out, "0.h", v, sizeof(v));
	cr_assert_str_eq(v, "gamma,delta");
	/* interfaces of both hosts stay apart */
	run("top %s --by iface --json", m);
	cr_assert_not_null(strstr(out, "gamma:eth0"), "%s", out);
	cr_assert_not_null(strstr(out, "delta:eth0"), "%s", out);
	run("%s --utc", m);
	cr_assert_not_null(strstr(out, "7 ring buffer drops"), "%s", out);
}
