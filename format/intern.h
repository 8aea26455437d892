/* intern.h - assigns dense ids (0, 1, 2, ...) to distinct byte strings.
 *
 * The chunk builder's dictionaries (strings, command lines, flow keys) are
 * intern tables: the id of a value is the order of its first appearance in
 * the chunk, and the keys are kept, in id order, for serialising.
 */
#ifndef FMT_INTERN_H
#define FMT_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

struct fmt_intern {
	struct fmt_buf keys; /* all keys back to back */
	uint32_t *off; /* off[id] = start of key id in keys; off[count] = end */
	uint32_t count, off_cap;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	uint32_t nslots; /* power of two */
};

/* @return the id of key (adding it if new), or -1 on allocation failure. */
int64_t fmt_intern_add(struct fmt_intern *t, const void *key, size_t len);
void fmt_intern_reset(struct fmt_intern *t);
void fmt_intern_free(struct fmt_intern *t);

static inline const uint8_t *fmt_intern_key(const struct fmt_intern *t, uint32_t id, size_t *len)
{
	*len = t->off[id + 1] - t->off[id];
	return t->keys.data + t->off[id];
}

#endif
