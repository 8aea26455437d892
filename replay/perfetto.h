/* perfetto.h - Chrome/Perfetto trace-event JSON (export --format perfetto):
 * one track per process with exec -> exit as a slice (argv, filename, exit
 * status in args) and, when flows carry owners, the process's own traffic
 * as packets/s and bytes/s counters (sent and received); packets/s and
 * bytes/s counter tracks per interface. Opens in ui.perfetto.dev and
 * chrome://tracing. */
#ifndef PERFETTO_H
#define PERFETTO_H

#include <stdio.h>

#include "report.h"

/* Write the trace of r's files (filtered) to f. @return exit status. */
int perfetto_write(struct report *r, FILE *f);

#endif
