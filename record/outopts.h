/* outopts.h - ebpfrec's options for where a long recording goes: rotation
 * into a series of files, and the flight recorder (--ring) with its
 * triggers. A child parser of options.c's; the values land in
 * rec_options.out. */
#ifndef REC_OUTOPTS_H
#define REC_OUTOPTS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#define OUT_MAX_TRIGGERS 16 /* GLOBs per --trigger-* option */

struct out_options {
	uint64_t rotate_every_ns; /* 0: no rotation by time */
	uint64_t rotate_size; /* bytes of chunk data; 0: no rotation by size */
	unsigned keep; /* files to keep (rotation, dumps); 0: all */
	uint64_t ring_ns; /* the flight recorder's window; 0: record to files */
	uint64_t ring_size; /* its memory bound, bytes */
	uint64_t after_ns; /* what a triggered dump holds after its trigger */
	const char *trigger_exit[OUT_MAX_TRIGGERS]; /* --trigger-exit-nonzero GLOB */
	unsigned ntrigger_exit;
	const char *trigger_exec[OUT_MAX_TRIGGERS]; /* --trigger-exec GLOB */
	unsigned ntrigger_exec;
	bool trigger_failed_exec;
};

/* The child parser; its input is a struct out_options. */
extern const struct argp outopts_argp;

/* Parse a duration: a number with ms, s (the default), m, h or d.
 * @return 0 and *ns, or -1 */
int outopts_duration(const char *s, uint64_t *ns);

struct json;
/* Add the options that are set to a JSON object being written. */
void outopts_json(struct json *j, const struct out_options *o);

#endif
