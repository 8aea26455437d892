/* fmt_spool.h - chunks kept in memory instead of a file, for ebpfrec's
 * flight recorder.
 *
 * Records of any stream go into a spool through the same builders a session
 * file uses, and come out as compressed, checksummed chunks, exactly as a
 * file would store them (about 12 bytes per exec, 5 per flow row). A cut
 * seals what was added since the last cut into a segment: an immutable run
 * of chunks that can be freed, oldest first, to keep a time window within
 * a memory bound, and copied into a session file later without encoding it
 * again. Conventions as in fmt.h.
 */
#ifndef FMT_SPOOL_H
#define FMT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

struct fmt_spool; /* the encoder: a builder per stream and a zstd context */
struct fmt_segment; /* sealed chunks */

/* opts as for fmt_writer_create (NULL: the defaults). @return 0 or
 * FMT_ENOMEM. */
int fmt_spool_new(const struct fmt_writer_opts *opts, struct fmt_spool **out);
void fmt_spool_free(struct fmt_spool *sp);

/* Append one record of any stream, or one interval's flow rows (reordered
 * in place as fmt_writer_append_flows does). @return 0 or a FMT_E* code. */
int fmt_spool_append(struct fmt_spool *sp, const struct fmt_event *ev);
int fmt_spool_append_flows(struct fmt_spool *sp, struct fmt_flow *rows, size_t n);

/* Seal everything appended since the last cut into a new segment (*out; the
 * caller frees it). *out is NULL when nothing was appended. @return 0 or a
 * FMT_E* code (out of memory: what was appended stays for the next cut). */
int fmt_spool_cut(struct fmt_spool *sp, struct fmt_segment **out);

/* Heap memory the spool holds: its builders (which keep their capacity)
 * and the chunks sealed since the last cut. */
size_t fmt_spool_mem(const struct fmt_spool *sp);
/* Records appended since the last cut. */
uint64_t fmt_spool_pending(const struct fmt_spool *sp);

struct fmt_segment_info {
	uint64_t t_first, t_last; /* smallest and largest record time */
	uint64_t records;
	uint64_t mem; /* heap bytes it holds */
	uint32_t chunks;
};
void fmt_segment_info(const struct fmt_segment *sg, struct fmt_segment_info *info);
void fmt_segment_free(struct fmt_segment *sg);

/* Store the records of sg with from <= ts_ns <= to in w: chunks inside the
 * window as they are, chunks across a bound decoded and only their records
 * inside it appended. *stored (if not NULL) counts the records stored.
 * @return 0 or a FMT_E* code (fmt_writer_errmsg says why). */
int fmt_writer_put_segment(struct fmt_writer *w, const struct fmt_segment *sg, uint64_t from,
			   uint64_t to, uint64_t *stored);

#endif
