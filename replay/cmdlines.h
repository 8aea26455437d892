/* cmdlines.h - top --by cmdline's count: command lines counted as the ids
 * of their words in a table of words the threads share, exactly as if
 * their joined texts were compared (see cmdlines.c). */
#ifndef CMDLINES_H
#define CMDLINES_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "fmt.h"

/* The longest line counted whole; longer ones are cut to CMDLINE_MAX - 1
 * bytes, as fmt_text_join cuts them into a buffer of this size. */
#define CMDLINE_MAX 8192

struct cmdlines;
struct cmdlines_writer;

struct cmdlines *cmdlines_new(void);
/* A writer for one thread, freed with c. @return NULL on oom. */
struct cmdlines_writer *cmdlines_writer(struct cmdlines *c);
/* Count command line `id` of batch b count[id] times, for every id of its
 * dictionary (ndict of them); b has its argv as ids (FMT_COL_ARGV_IDS), or
 * its lines are counted as text. @return 0, or -1 on oom. */
int cmdlines_add_batch(struct cmdlines_writer *w, const struct fmt_batch *b,
		       const uint64_t *count, uint32_t ndict);
/* Count a joined command line (len bytes) `count` times. @return 0 or -1. */
int cmdlines_add_text(struct cmdlines_writer *w, const char *line, size_t len, uint64_t count);
/* Add into dst, keyed by their text, the first `limit` command lines by
 * count then text, and more: dst's first `limit` are the whole count's.
 * No writer may add meanwhile. @return 0, or -1 on oom. */
int cmdlines_top(struct cmdlines *c, size_t limit, unsigned threads, struct agg *dst);
void cmdlines_free(struct cmdlines *c);
/* Words past which lines are counted as text (cmdlines.c; tests lower it). */
extern size_t cmdlines_words_max;

#endif
