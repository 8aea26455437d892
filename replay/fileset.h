/* fileset.h - the files ebpfreport was given, taken as a whole: a
 * directory stands for the session files in it, and the files of one
 * rotated recording (meta series) are one session: times relative to the
 * start count from the series' start, summary shows the series as one,
 * and verify checks that no file of it is missing or out of order. */
#ifndef FILESET_H
#define FILESET_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* Replace each directory among the n paths by the session files in it
 * (SQLite files with the session application_id; in name order). *paths
 * and its strings are then malloc'd: free with fileset_free(*paths, *n).
 * @return 0, or 2 with the error said (a directory without sessions). */
int fileset_expand(char ***paths, unsigned *n);
void fileset_free(char **paths, unsigned n);

/* What a file says about its place in a rotated series. */
struct series_file {
	const char *path;
	const char *id; /* meta series, NULL if the file is not in one */
	uint64_t seq;
	const char *prev; /* file name of the one before, or NULL */
	const char *boot_id;
	uint64_t start_ns, end_ns; /* boot clock */
	int64_t offset; /* wall = boot + offset */
};
/* Fill f from an open reader (pointers into its meta). */
void series_file_of(struct fmt_reader *r, const char *path, struct series_file *f);

/* Check the files of each series among f[0..n-1]: a sequence number
 * missing between two files given, a number given twice, a file that
 * begins before the one before it ends or after a gap. Each problem is
 * said once, about the later file: problem(ctx, index, text). */
typedef void (*series_problem_fn)(void *ctx, unsigned i, const char *what);
void series_check(const struct series_file *f, unsigned n, series_problem_fn problem, void *ctx);

/* The boot-clock time (in reader i's clock) where its series began: the
 * earliest start of the files given of its series, or its own start. */
uint64_t series_origin_ns(struct fmt_reader *const *readers, unsigned n, unsigned i);

/* Of the files given, the indexes of i's series in sequence order, i's
 * own series id in *id: @return how many (1 when i is alone). */
unsigned series_members(struct fmt_reader *const *readers, unsigned n, unsigned i,
			unsigned *members);

#endif
