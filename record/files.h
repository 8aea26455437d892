/* files.h - the output that writes session files: the one file -o names,
 * or, with --rotate-every/--rotate-size, a series of files named by -o
 * PATTERN, each a complete session that verifies on its own.
 *
 * A rotation ends one file and starts the next at one point of the queue:
 * everything queued before it is in the old file, everything after it in
 * the new one, so the files partition the recording exactly. The new file
 * gets the whole session meta (metacache.h) with its own start, its own
 * loss counters, and the series keys: the series id, its sequence number
 * and the name of the file before it. */
#ifndef REC_FILES_H
#define REC_FILES_H

#include <stdint.h>

#include "output.h"

struct rec_options;

/* @return the output, with its first file created, or NULL with a
 * one-line message in *errmsg (malloc'd). */
struct output *files_open(const struct rec_options *o, char **errmsg);

/* What the event loop queues (sink_call) to end the current file at now_ns
 * (boot clock) and start the next, named for wall_s. files_rotate_call
 * takes a malloc'd struct files_rotate. */
struct files_rotate {
	struct output *out;
	uint64_t now_ns;
	int64_t wall_s;
};
int files_rotate_call(void *arg);

#endif
