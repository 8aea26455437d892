/* test_session_id.c - the stable id push loads a session under: the
 * recorder's meta session_id, else one derived from the file that stays
 * the same as long as the file does (a copy has it too); derived sessions
 * (slice, redact) do not carry the original's, a merge keeps each
 * source's as sourceN.session_id. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fmt_meta.h"
#include "session.h"

static void ids(const char *path, char *id, char *fp)
{
	struct fmt_reader *r;

	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0, "%s", path);
	session_id(r, id);
	session_fingerprint(r, fp);
	fmt_reader_close(r);
}

static const char *meta_of(const char *path, const char *key, char *buf, size_t len)
{
	struct fmt_reader *r;
	const char *v;

	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0, "%s", path);
	v = fmt_reader_meta(r, key);
	snprintf(buf, len, "%s", v ? v : "(none)");
	fmt_reader_close(r);
	return buf;
}

Test(session_id, derived_for_old_files_and_stable, .fini = fini)
{
	char a1[SESSION_ID_LEN], a2[SESSION_ID_LEN], b[SESSION_ID_LEN], f1[SESSION_ID_LEN],
		f2[SESSION_ID_LEN], fb[SESSION_ID_LEN], cmd[1024];
	const char *copy = fixture_path("copy.db");

	ids(fixture_alpha(), a1, f1);
	ids(fixture_alpha(), a2, f2);
	cr_assert_str_eq(a1, a2);
	cr_assert_str_eq(f1, f2);
	cr_assert_eq(strlen(a1), 32);
	cr_assert_eq(a1[0], 'x', "derived ids are marked: %s", a1);
	snprintf(cmd, sizeof(cmd), "cp %s %s", fixture_alpha(), copy);
	cr_assert_eq(system(cmd), 0);
	ids(copy, a2, f2);
	cr_assert_str_eq(a1, a2, "a copy is the same session");
	cr_assert_str_eq(f1, f2);
	ids(fixture_beta(), b, fb);
	cr_assert_str_neq(a1, b);
	cr_assert_str_neq(f1, fb);
}

Test(session_id, recorded_one_wins_and_derived_sessions_drop_it, .fini = fini)
{
	const char *p = fixture_path("sid.db"), *cut = fixture_path("sid-cut.db");
	const char *red = fixture_path("sid-red.db"), *both = fixture_path("sid-both.db");
	struct fmt_writer *w = fixture_writer(p, "h", "1700000000000000000", 1 * S, 5 * S);
	char id[SESSION_ID_LEN], fp[SESSION_ID_LEN], v[128];

	fmt_writer_set_meta(w, FMT_META_SESSION_ID, "0123456789abcdef0123456789abcdef");
	fixture_exec(w, 2 * S, 10, 1, 0, "ls", "sh", "/bin/ls", 0, (const char *[]){ "ls", NULL });
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	ids(p, id, fp);
	cr_assert_str_eq(id, "0123456789abcdef0123456789abcdef");

	run("slice %s --since +0s -o %s", p, cut);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(meta_of(cut, FMT_META_SESSION_ID, v, sizeof(v)), "(none)");
	ids(cut, id, fp);
	cr_assert_eq(id[0], 'x', "a slice is another session: %s", id);
	run("redact %s --ips -o %s", p, red);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(meta_of(red, FMT_META_SESSION_ID, v, sizeof(v)), "(none)");
	run("merge %s %s -o %s", p, fixture_beta(), both);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(meta_of(both, FMT_META_SESSION_ID, v, sizeof(v)), "(none)");
	cr_assert_str_eq(meta_of(both, "source0.session_id", v, sizeof(v)),
			 "0123456789abcdef0123456789abcdef");
}
