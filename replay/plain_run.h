/* plain_run.h - how long a NUL-terminated string runs before its first
 * byte that JSON or CSV must treat specially: exports copy that run at
 * once. Sixteen bytes at a time where SSE2 is there (every x86-64), a
 * byte at a time elsewhere. */
#ifndef PLAIN_RUN_H
#define PLAIN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The special bytes: for JSON the escapes (controls, quote, backslash),
 * for CSV what needs quotes (comma, quote, line breaks); for both NUL and
 * anything not ASCII (checked as UTF-8, encoded if not). */
#ifdef __SSE2__
/* Aligned loads of 16 bytes never cross into another page, so the bytes
 * they read past the NUL are always there; AddressSanitizer cannot know
 * that the string's block is being read as a whole (glibc's strlen does
 * the same), hence no_sanitize_address here and in plain_run. */
#define PLAIN_RUN_WHOLE_BLOCKS __attribute__((no_sanitize_address))

/* The special bytes of the 16 at p, one bit each */
PLAIN_RUN_WHOLE_BLOCKS static inline unsigned special16(const char *p, bool csv)
{
	__m128i x = _mm_load_si128((const __m128i *)p);
	__m128i m;

	if (csv)
		m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, _mm_setzero_si128()),
				     _mm_cmpeq_epi8(x, _mm_set1_epi8(','))),
			_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
				     _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
						  _mm_cmpeq_epi8(x, _mm_set1_epi8('\r')))));
	else /* as signed bytes, below 0x20 is a control or 0x80..0xff */
		m = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
				 _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					      _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
	return (unsigned)_mm_movemask_epi8(m) | (csv ? (unsigned)_mm_movemask_epi8(x) : 0);
}

/* The length of the run before s's first special byte */
PLAIN_RUN_WHOLE_BLOCKS static inline size_t plain_run(const char *s, bool csv)
{
	const char *p = (const char *)((uintptr_t)s & ~(uintptr_t)15);
	unsigned bits = special16(p, csv) >> (s - p);

	if (bits)
		return (size_t)__builtin_ctz(bits);
	for (;;) {
		p += 16;
		if ((bits = special16(p, csv)))
			return (size_t)(p - s) + (size_t)__builtin_ctz(bits);
	}
}
#else
static inline size_t plain_run(const char *s, bool csv)
{
	static const bool json_special[256] = {
		[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
	};
	static const bool csv_special[256] = {
		[0] = 1, [','] = 1, ['"'] = 1, ['\n'] = 1, ['\r'] = 1, [0x80 ... 0xff] = 1,
	};
	const bool *t = csv ? csv_special : json_special;
	const unsigned char *p = (const unsigned char *)s;

	while (!t[*p])
		p++;
	return (size_t)(p - (const unsigned char *)s);
}
#endif

#endif
