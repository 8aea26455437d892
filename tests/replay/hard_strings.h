/* hard_strings.h - strings that exports must carry without loss (bytes
 * that are not UTF-8, text that looks like the encoding, every byte but
 * NUL), a session that holds them in every string field of every stream,
 * and decoders of what the exports make of them (JSON strings, CSV
 * fields, the lossless encoding). */
#ifndef TEST_HARD_STRINGS_H
#define TEST_HARD_STRINGS_H

#include <stddef.h>

#define NHARD 12
/* hard[i], NUL-terminated (they never hold NUL); hard[NHARD - 1] is every
 * byte from 1 to 255 */
extern const char *const hard[NHARD];

/* A session (host "hard") whose execs, proc, cgroup, exit and flow
 * records carry hard[] in every string field (exec k: comm, pcomm,
 * filename, interp, cwd = hard[k], argv = all of hard[]); plus a non-IP
 * and an overflow flow row and an owned flow. @return its path. */
const char *hard_session(void);

/* Decode the JSON string starting at *p (at its opening quote) into out
 * (room for strlen), advance *p past it. @return the length, -1 if not a
 * valid JSON string. */
long json_unstring(const char **p, char *out);

/* The raw bytes of an exported string (the lossless encoding undone),
 * NUL-terminated into out; @return the length, -1 if invalid. */
long lossless_decode(const char *s, size_t len, char *out);

#endif
