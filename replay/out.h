/* out.h - formatting shared by the subcommands: numbers, times, flow keys,
 * CSV quoting. Buffers are the caller's; each function returns it. */
#ifndef OUT_H
#define OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt.h"

char *out_count(char *buf, size_t len, uint64_t v); /* 4,812 */
char *out_si(char *buf, size_t len, uint64_t v); /* 2.24M */
char *out_bytes(char *buf, size_t len, uint64_t v); /* 1.9 GB */
char *out_wall(char *buf, size_t len, int64_t wall_ns, bool utc, bool frac); /* 2026-11-30 14:02:11 */
char *out_duration(char *buf, size_t len, uint64_t ns); /* 1m12s */
char *out_addr(char *buf, size_t len, uint8_t family, const uint8_t *a);
const char *out_proto(uint8_t proto, char *buf, size_t len);
/* "eth0 in  tcp 10.1.2.3:443 -> 10.1.9.9:51022" */
char *out_flow(char *buf, size_t len, struct fmt_reader *r, const struct fmt_flow_key *k);
const char *out_iface(struct fmt_reader *r, uint32_t ifindex, char *buf, size_t len);
/* Quote a CSV field if needed (RFC 4180). */
void out_csv_field(FILE *f, const char *s);

#endif
