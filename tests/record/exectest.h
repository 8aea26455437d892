/* exectest.h - what the exec tests share: one recorder per test, started
 * with options, stopped and its file loaded; programs run to completion. */
#ifndef TEST_EXECTEST_H
#define TEST_EXECTEST_H

#include <sys/types.h>

#include "recorder.h"

/* The test's recorder and, after finish(), what it recorded. */
extern struct exectest {
	struct recorder rec;
	struct capture cap;
} xt;

/* Start ebpfrec --no-net [args] (root only). */
void start_with(const char *const *args);
void start(void);
/* Stop with SIGINT (exit 0 expected) and load the file into xt.cap. */
void finish(void);
void teardown(void);
/* fork + execv, wait; @return the child's pid, *status its wait status */
pid_t run(const char *path, const char *const argv[], int *status);
/* e's argv is exactly want[0..n-1]. */
void assert_argv(const struct fmt_exec *e, const char *const *want, uint32_t n);
/* This process's comm. */
void my_comm(char *buf, size_t len);

#endif
