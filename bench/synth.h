/* synth.h - synthetic but realistic exec and flow records for benchmarks.
 *
 * Distributions (documented in bench/README.md): ~50 comms over 200 paths
 * chosen Zipf-like, 1-6 arguments from a vocabulary of flags and source
 * file names, exec gaps log-uniform between 10 us and 10 ms, pids rising by
 * small steps, a few dozen sticky parents; 5,000 flows (IPv4/IPv6,
 * TCP/UDP/ICMP) over a few interfaces, about half active each 1 s interval
 * (rows in key order, as the recorder drains them), heavy-tailed rates and
 * per-flow packet sizes; optionally, each flow's owning process.
 */
#ifndef BENCH_SYNTH_H
#define BENCH_SYNTH_H

#include <stdint.h>

#include "fmt_records.h"

struct synth;

struct synth *synth_new(uint64_t seed, unsigned nflows);
void synth_free(struct synth *s);
/* Fill *e with the next exec. Strings stay valid until the next call. */
void synth_exec(struct synth *s, struct fmt_exec *e);
/* Fill *f with the next flow row. */
void synth_flow(struct synth *s, struct fmt_flow *f);
/* From now on, give flow rows their owners (300 processes, Zipf-like; ICMP
 * and a tenth of the rest unowned). The rows are otherwise the same. */
void synth_owners(struct synth *s, int on);

#endif
