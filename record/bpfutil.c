/* bpfutil.c - see bpfutil.h. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfutil.h"

uint64_t percpu_sum(const struct bpf_map *m, uint32_t idx, int ncpu)
{
	uint64_t vals[ncpu > 0 ? ncpu : 1], sum = 0;

	if (bpf_map__lookup_elem(m, &idx, sizeof(idx), vals, sizeof(vals), 0))
		return 0;
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

int iter_open(struct bpf_program *prog, struct bpf_link **link)
{
	int fd;

	if (!(*link = bpf_program__attach_iter(prog, NULL)))
		return -1;
	fd = bpf_iter_create(bpf_link__fd(*link));
	if (fd < 0) {
		bpf_link__destroy(*link);
		*link = NULL;
	}
	return fd;
}
