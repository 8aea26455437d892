/* fixture.h - two small, fixed sessions written through the format
 * library, and a way to run ebpfreport on them. */
#ifndef TEST_REPLAY_FIXTURE_H
#define TEST_REPLAY_FIXTURE_H

/* Paths of host alpha's and host beta's sessions (made once per process). */
const char *fixture_alpha(void);
const char *fixture_beta(void);

/* Run `ebpfreport ARGS` (a shell-quoted string); @return its exit code,
 * stdout in *out (malloc'd) and stderr in *err (malloc'd). */
int report_run(const char *args, char **out, char **err);

#endif
