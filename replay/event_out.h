/* event_out.h - one event as a line for people (fmt_text_event, the line
 * ebpfrec --print writes too), a JSON object (the export schema,
 * fmt_row.h) or a row of replay's one mixed CSV table; used by replay and
 * export. */
#ifndef EVENT_OUT_H
#define EVENT_OUT_H

#include <stdio.h>

#include "fmt_row.h"
#include "json.h"
#include "report.h"

void event_line(struct report *r, const struct fmt_event *ev, FILE *f);
/* ev as a row of the export schema, a flow's interface named as in its
 * file's meta (else "ifN") in ifn, which the row points to.
 * @return 0 or FMT_EINVAL. */
#define EVENT_IFNAME 256
int event_row(struct report *r, const struct fmt_event *ev, struct fmt_row *row,
	      char ifn[EVENT_IFNAME]);
/* ev as the JSON object `export --format jsonl` writes ("type" first). */
void event_json(struct report *r, const struct fmt_event *ev, struct json *j);
void event_csv_header(FILE *f);
void event_csv(struct report *r, const struct fmt_event *ev, FILE *f);

#endif
