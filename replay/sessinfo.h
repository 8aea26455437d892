/* sessinfo.h - facts about one session file derived from its meta. */
#ifndef SESSINFO_H
#define SESSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

/* Boot-clock start and end of the recording (meta start_ns/end_ns, else
 * the chunk index). */
uint64_t sess_start_ns(struct fmt_reader *r);
uint64_t sess_end_ns(struct fmt_reader *r);
/* Does spec (a name or an index) name ifindex in this file? */
bool sess_iface_match(struct fmt_reader *r, const char *spec, uint32_t ifindex);
/* A meta number, 0 if absent or bad. */
uint64_t sess_meta_u64(struct fmt_reader *r, const char *key);

/* The loss counters of one file, as "3 ring buffer drops, 2 ..." or
 * "none", and whether it was closed cleanly. */
void sess_losses(struct fmt_reader *r, char *buf, size_t len);

#endif
