/* array.h - growing an array by doubling, for the tables that grow with a
 * session (processes, programs, owners). */
#ifndef REPLAY_ARRAY_H
#define REPLAY_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

/* Room for element n of v (*cap elements of size bytes): v itself, or v
 * moved to a block twice as large (first 64). @return the array, or NULL
 * when out of memory (v is then left as it was). */
static inline void *array_room(void *v, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;

	if (n < *cap)
		return v;
	if (c > SIZE_MAX / size || !(v = realloc(v, c * size)))
		return NULL;
	*cap = c;
	return v;
}

#endif
