/* print.h - --print: one line per event on stdout, as it is recorded, the
 * same line `ebpfreport replay` writes for it. */
#ifndef REC_PRINT_H
#define REC_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt_records.h"

struct fmt_names;

struct printer {
	FILE *out;
	int64_t clock_offset_ns; /* boot clock -> wall clock */
	bool owners; /* flows are attributed: say so of unowned ones */
	struct fmt_names *names; /* owners' names, learnt as events are printed */
	int write_error;
};

/* A line for any record. */
void print_event(struct printer *p, const struct fmt_event *ev);
void print_exec(struct printer *p, const struct fmt_exec *e);
void print_exit(struct printer *p, const struct fmt_exit *e);
void print_flow(struct printer *p, const struct fmt_flow *f);
void print_free(struct printer *p);

#endif
