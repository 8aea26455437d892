/* pattern.h - the names of the files of a rotated recording or of the
 * flight recorder's dumps, from -o PATTERN: strftime fields in local time
 * (host-%Y%m%d-%H%M%S.db), or, in a pattern without fields, a sequence
 * number before the extension (s.db: s-000001.db, s-000002.db); and which
 * files of a directory a PATTERN made, for --keep. */
#ifndef REC_PATTERN_H
#define REC_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pattern {
	char dir[4096]; /* the directory part ("." if none) */
	char name[512]; /* the file name part, as given */
	int fields; /* it has strftime fields (else: a sequence number) */
	char glob[1024]; /* fnmatch pattern of the names it makes */
	char last[4096]; /* the last path pattern_next gave (before any "_n") */
	unsigned taken; /* and how often */
};

/* @return 0, or -1 with a one-line message in err (a field in the
 * directory part, an empty name) */
int pattern_init(struct pattern *p, const char *pattern, char *err, size_t errlen);
/* The path of file seq (1, 2, ...) whose time is t; n > 1 adds "_n" before
 * the extension (a name taken already). @return 0 or -1 (too long) */
int pattern_path(const struct pattern *p, time_t t, uint64_t seq, unsigned n, char *out,
		 size_t len);
/* The path of the next file (sequence seq, time t): pattern_path, with
 * "_2", "_3", ... when the pattern gives the same name again (fields
 * coarser than the rotation). @return 0 or -1 (too long) */
int pattern_next(struct pattern *p, time_t t, uint64_t seq, char *out, size_t len);
/* @return the file name part of path */
const char *pattern_basename(const char *path);

/* Keep the newest `keep` session files the pattern made in its directory
 * (current, the file being written, counts as one of them and is never
 * touched); delete the others: files whose name matches, that hold a
 * rotated series' or a dump's meta and that no recorder is writing.
 * Newest by the wall-clock start in their meta. @return the number of
 * files deleted. */
unsigned pattern_retain(const struct pattern *p, const char *current, unsigned keep);

#endif
