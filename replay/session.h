/* session.h - facts about one session file that its meta gives (or, for a
 * killed recorder that never wrote them, its chunk index): the recording's
 * start and end, meta numbers, and the loss counters shown to people. */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* Boot-clock start and end of the recording (meta start_ns/end_ns, else
 * the chunk index). */
uint64_t session_start_ns(struct fmt_reader *r);
uint64_t session_end_ns(struct fmt_reader *r);
/* A meta number, 0 if absent or bad. */
uint64_t session_meta_u64(struct fmt_reader *r, const char *key);

/* The loss counters a report shows, in order: meta key and what it counts. */
struct session_loss {
	const char *key, *what;
};
extern const struct session_loss session_losses[];
extern const size_t session_nlosses;

/* The loss counters of one file as text ("3 ring buffer drops, 2 ..." or
 * "none"), and whether it is still being recorded or was not closed. */
void session_losses_text(struct fmt_reader *r, char *buf, size_t len);

/* What set off a flight-recorder dump, as one line ("exit-nonzero of
 * 'false' (pid 42, exit code 1, matched 'false') at TIME, 3.0s into the
 * file"). @return 0 (buf untouched) if the file is not a dump, else 1. */
int session_trigger_text(struct fmt_reader *r, char *buf, size_t len, bool utc);

#endif
