/* event_out.h - one event as a line for people (fmt_text_event, the line
 * ebpfrec --print writes too), a JSON object or a CSV row (field names as in
 * docs/FORMAT.md), used by replay and export. */
#ifndef EVENT_OUT_H
#define EVENT_OUT_H

#include <stdio.h>

#include "json.h"
#include "report.h"

void event_line(struct report *r, const struct fmt_event *ev, FILE *f);
void event_json(struct report *r, const struct fmt_event *ev, struct json *j);
void event_csv_header(FILE *f);
void event_csv(struct report *r, const struct fmt_event *ev, FILE *f);
/* One table per stream with every field (export --format csv); j is
 * scratch space for the argv column. */
void event_csv_stream_header(enum fmt_stream s, FILE *f);
void event_csv_stream(struct report *r, const struct fmt_event *ev, struct json *j, FILE *f);

#endif
