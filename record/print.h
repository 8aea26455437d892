/* print.h - --print: one line per event on stdout, as it is recorded, the
 * same line `ebpfreport replay` writes for it. */
#ifndef REC_PRINT_H
#define REC_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "fmt_records.h"

struct printer {
	FILE *out;
	int64_t clock_offset_ns; /* boot clock -> wall clock */
	int write_error;
};

void print_exec(struct printer *p, const struct fmt_exec *e);
void print_exit(struct printer *p, const struct fmt_exit *e);
void print_flow(struct printer *p, const struct fmt_flow *f);

#endif
