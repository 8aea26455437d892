/* parse.h - the values people type on the command line: whole numbers,
 * durations and times, checked strictly (a bad value is an error with the
 * reason, never a silently empty report). */
#ifndef PARSE_H
#define PARSE_H

#include <stdint.h>

/* Whole decimal number in [min, max]. @return 0 or -1. */
int parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* A time: "+30s"/"+1m30s"/"+500ms" (relative, *rel set) or absolute wall
 * clock ("2026-11-30 14:02:11[.123]", "2026-11-30T14:02:11Z", "@1764511331",
 * "14:02:11" = today, local time unless Z). @return ns, or -1 on error. */
int64_t parse_time(const char *s, int *rel);
/* A duration: "1s", "500ms", "2m", "1h", "10us", "1m30s"; a bare number is
 * seconds. @return ns or -1. */
int64_t parse_duration(const char *s);

#endif
