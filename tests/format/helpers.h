/* helpers.h - random records, owned copies and comparisons for the format
 * tests. Records made here own their strings (free with rec_*_free). */
#ifndef TEST_FORMAT_HELPERS_H
#define TEST_FORMAT_HELPERS_H

#include <stdint.h>

#include "fmt.h"

uint64_t rnd(uint64_t *state);

/* A random exec: strings of random printable bytes (spaces and empty
 * strings included), 0-12 arguments. */
void rec_exec_random(uint64_t *rng, uint64_t ts, struct fmt_exec *e);
void rec_exec_free(struct fmt_exec *e);
void rec_exit_random(uint64_t *rng, uint64_t ts, struct fmt_exit *x);
void rec_flow_random(uint64_t *rng, uint64_t ts, struct fmt_flow *f);
void rec_proc_random(uint64_t *rng, uint64_t ts, struct fmt_proc *p);
void rec_proc_free(struct fmt_proc *p);
void rec_cgroup_random(uint64_t *rng, uint64_t ts, struct fmt_cgroup *c);

/* A random record of a random stream at ts (free with rec_event_free). */
void rec_event_random(uint64_t *rng, uint64_t ts, struct fmt_event *ev);
void rec_event_free(struct fmt_event *ev);

/* Field-by-field equality (strings by content). */
int rec_exec_equal(const struct fmt_exec *a, const struct fmt_exec *b);
int rec_exit_equal(const struct fmt_exit *a, const struct fmt_exit *b);
int rec_flow_equal(const struct fmt_flow *a, const struct fmt_flow *b);
int rec_proc_equal(const struct fmt_proc *a, const struct fmt_proc *b);
int rec_cgroup_equal(const struct fmt_cgroup *a, const struct fmt_cgroup *b);

/* A fresh path in a per-test temporary directory (removed at exit). */
const char *tmp_path(const char *name);

/* Open, failing the test with the reader's message. */
struct fmt_reader *open_or_fail(const char *path);

/* Count records of the streams in mask in [from, to]; <0 on the first error. */
long count_records(const char *path, unsigned mask, uint64_t from, uint64_t to);

#endif
