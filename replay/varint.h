/* varint.h - unsigned LEB128 varints in memory: ClickHouse's string
 * lengths (obuf.h), the spill's record heads (agg_spill.c) and command
 * lines as word ids (cmdlines.c). */
#ifndef VARINT_H
#define VARINT_H

#include <stdint.h>

/* Write v at p (room for 10 bytes). @return the byte after it. */
static inline unsigned char *varint_put(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Read a varint that varint_put wrote at p into *v (memory this process
 * wrote: not checked). @return the byte after it. */
static inline const unsigned char *varint_get(const unsigned char *p, uint64_t *v)
{
	uint64_t x = 0;
	unsigned shift = 0;

	while (*p & 0x80) {
		x |= (uint64_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	*v = x | (uint64_t)*p++ << shift;
	return p;
}

#endif
