/* fixture.h - two small, fixed sessions written through the format
 * library, and a way to run ebpfreport on them. */
#ifndef TEST_REPLAY_FIXTURE_H
#define TEST_REPLAY_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* Paths of host alpha's and host beta's sessions (made once per process). */
const char *fixture_alpha(void);
const char *fixture_beta(void);

/* Building more sessions like the fixtures (asserting each step). */
struct fmt_writer *fixture_writer(const char *path, const char *host, const char *offset,
				  uint64_t start_ns, uint64_t end_ns);
void fixture_exec(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid, uint32_t uid,
		  const char *comm, const char *pcomm, const char *file, int ret,
		  const char *const *argv);
void fixture_flow(struct fmt_writer *w, uint64_t ts, int dir, int fam, int proto,
		  const char *src, int sport, const char *dst, int dport, uint64_t pk,
		  uint64_t by);

/* The flow key of record i of a generated session: TCP or UDP from
 * 10.0.0.(i % 17) to 192.0.0.(i % 5), 443 or 53, on interface 2 or 3. */
void fixture_flow_key(uint32_t i, struct fmt_flow_key *k);

/* A format 1.1 session to investigate (fixture.c says what it holds):
 * a process table, a PATH lookup, hostile argv, flows with owners.
 * @return its path (made once per process). */
const char *fixture_owned(void);
/* The same appends for 1.1 records. */
void fixture_proc(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		  const char *comm, const char *exe, const char *cwd, const char *const *argv);
void fixture_exec_at(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid,
		     uint64_t start, const char *comm, const char *file, int ret, const char *cwd,
		     const char *const *argv);
void fixture_exit(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		  uint32_t code, uint32_t sig);
/* A TCP flow row of one second between 10.0.0.2:lport and 10.0.0.9:rport,
 * owned by (pid, start) (pid 0: no local socket). */
void fixture_owned_flow(struct fmt_writer *w, uint64_t ts, int dir, uint32_t pid, uint64_t start,
			int lport, int rport, uint64_t pk, uint64_t by);

/* A session of varied execs and flows (fixture.c says what it holds)
 * over several chunks, for writers that must render every case alike.
 * @return its path (made once per process). */
const char *fixture_varied(void);

/* The fixtures' directory, for a test's own files. */
const char *fixture_dir(void);
/* A whole file, NUL-terminated (malloc'd); its length in *len if not NULL. */
char *fixture_slurp(const char *path, size_t *len);

/* The output of the last run(), for the test's assertions. */
extern char *out, *err;
extern int rc;
/* Run ebpfreport with printf-style arguments into out, err and rc. */
#define run(...) (rc = report_runf(&out, &err, __VA_ARGS__))
/* Free out and err: a test's .fini. */
void fini(void);

#define S 1000000000ull /* one second in ns */

/* A path for a test's own file in the fixtures' directory (removed if it
 * exists; tests run in parallel processes). Eight stay valid at once. */
const char *fixture_path(const char *name);
/* A session where top tables have 10+ rows and ties (25 commands, 15
 * flows). @return its path. */
const char *fixture_busy(void);

/* Run `ebpfreport ARGS` (a shell-quoted string); @return its exit code,
 * stdout in *out (malloc'd) and stderr in *err (malloc'd). */
int report_run(const char *args, char **out, char **err);

/* The same with a printf-style argument string; frees *out and *err
 * first (pass NULLs the first time). */
int report_runf(char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
