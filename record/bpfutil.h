/* bpfutil.h - small libbpf steps the probes share: the sum of a per-CPU
 * counter and the output of a BPF iterator. */
#ifndef REC_BPFUTIL_H
#define REC_BPFUTIL_H

#include <stdint.h>

struct bpf_map;
struct bpf_program;
struct bpf_link;

/* The sum over ncpu CPUs of entry idx of per-CPU array m of u64 (0 if it
 * cannot be read). */
uint64_t percpu_sum(const struct bpf_map *m, uint32_t idx, int ncpu);
/* Attach iterator prog and open its output. @return the fd to read (and
 * close), with *link to destroy after, or -1. */
int iter_open(struct bpf_program *prog, struct bpf_link **link);

#endif
