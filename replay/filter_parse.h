/* filter_parse.h - parsing of filter option values (--since, --ip, ...). */
#ifndef FILTER_PARSE_H
#define FILTER_PARSE_H

#include <stdint.h>

#include "report.h"

/* getopt values of the filter options */
enum {
	O_SINCE = 2000, O_UNTIL, O_PID, O_PPID, O_UID, O_COMM, O_PATH, O_IP, O_PORT, O_PROTO,
	O_IFACE, O_DIR, O_TYPE,
};

void filter_init(struct filter *f);
/* @return NULL, or why the value is invalid */
const char *filter_parse_option(struct filter *f, int opt, const char *val);
/* Whole decimal number in [min, max]. @return 0 or -1. */
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* A time: "+30s"/"+1m30s"/"+500ms" (relative, *rel set) or absolute wall
 * clock ("2026-11-30 14:02:11[.123]", "2026-11-30T14:02:11Z", "@1764511331",
 * "14:02:11" = today, local time unless Z). @return ns, or -1 on error. */
int64_t parse_time(const char *s, int *rel);
/* A duration: "1s", "500ms", "2m", "1h", "10us". @return ns or -1. */
int64_t parse_duration(const char *s);

#endif
