/* test_slice.c - `ebpfreport slice`: a new session file with exactly the
 * records of a window, its provenance in meta, outputs that are never inputs. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

Test(slice, keeps_exactly_the_window, .fini = fini)
{
	const char *cut = fixture_path("cut.db");
	char *want;

	run("replay --json %s --since +1s --until +2s", fixture_alpha());
	cr_assert_eq(rc, 0);
	want = strdup(out);
	cr_assert_gt(strlen(want), 0);
	run("slice %s --since +1s --until +2s -o %s", fixture_alpha(), cut);
	cr_assert_eq(rc, 0, "%s", err);
	run("verify %s", cut);
	cr_assert_eq(rc, 0, "%s", out);
	run("replay --json %s", cut);
	cr_assert_str_eq(out, want);
	free(want);
	run("sql %s --csv \"SELECT value FROM meta WHERE key = 'slice'\"", cut);
	cr_assert_not_null(strstr(out, "\"\"source\"\":\"\"alpha.db\"\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"\"from_ns\"\":11000000000"), "%s", out);
	run("sql %s --csv \"SELECT value FROM meta WHERE key = 'hostname'\"", cut);
	cr_assert_str_eq(out, "value\nalpha\n");

	/* an existing output is kept unless --force; an input is never an output */
	run("slice %s --since +1s -o %s", fixture_alpha(), cut);
	cr_assert_neq(rc, 0);
	cr_assert_not_null(strstr(err, "--force"), "%s", err);
	run("slice %s --since +1s -o %s --force", fixture_alpha(), cut);
	cr_assert_eq(rc, 0, "%s", err);
	run("slice %s -o %s --force", fixture_alpha(), fixture_alpha());
	cr_assert_eq(rc, 2);
	cr_assert_not_null(strstr(err, "also an input"), "%s", err);
	run("slice %s", fixture_alpha());
	cr_assert_eq(rc, 2);
}
