/* ifmeta.h - the `interfaces` meta value (a JSON array ebpfrec writes, see
 * docs/FORMAT.md) parsed into structs and written back, for the commands
 * that must change it: merge renames and renumbers, redact anonymises the
 * addresses. The parser is strict and bounded: input comes from strangers. */
#ifndef IFMETA_H
#define IFMETA_H

#include <stddef.h>
#include <stdint.h>

#define IFMETA_MAX 1024
#define IFMETA_ADDRS 32

struct ifmeta {
	uint32_t index;
	char name[64];
	char addr[IFMETA_ADDRS][64];
	unsigned naddr;
	char ingress[32], egress[32];
	int gone;
};

/* @return the number of interfaces parsed into v[max], or -1 if s is not
 * such an array (unknown keys are skipped; overlong values refused). */
int ifmeta_parse(const char *s, struct ifmeta *v, size_t max);
/* @return the JSON text (malloc'd) or NULL on out of memory */
char *ifmeta_format(const struct ifmeta *v, size_t n);

#endif
