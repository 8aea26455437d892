/* pidmap.h - a map from (file, pid) to a number, for the commands that pair
 * an exit with the exec before it (html's process list, perfetto's
 * slices). Open addressing; memory grows with live processes only. */
#ifndef PIDMAP_H
#define PIDMAP_H

#include <stddef.h>
#include <stdint.h>

struct pidmap {
	struct pidmap_slot {
		uint64_t key; /* source << 32 | pid, + 1 so that 0 means empty */
		uint64_t val;
	} *slots;
	size_t cap, n;
};

/* @return 1 and *val if present, else 0 */
int pidmap_get(const struct pidmap *m, unsigned source, uint32_t pid, uint64_t *val);
/* @return 0, or -1 on out of memory */
int pidmap_put(struct pidmap *m, unsigned source, uint32_t pid, uint64_t val);
void pidmap_del(struct pidmap *m, unsigned source, uint32_t pid);
void pidmap_free(struct pidmap *m);

#endif
