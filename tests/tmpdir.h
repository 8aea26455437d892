/* tmpdir.h - a test's scratch directory under /tmp, removed when the test
 * process that made it exits (Criterion runs each test in its own
 * process), so runs do not pile up directories. EBPFREC_KEEP_TMP=1 keeps
 * them, to look at what a failed test wrote. */
#ifndef TESTS_TMPDIR_H
#define TESTS_TMPDIR_H

#include <stddef.h>

/* Make a directory /tmp/PREFIX-XXXXXX into dir (len bytes), to be removed
 * at the exit of this process (not of children it forks).
 * @return dir, or NULL if it could not be made */
char *tmpdir_make(char *dir, size_t len, const char *prefix);

#endif
