/* hostinfo.h - facts about this host and its clocks, for the session meta. */
#ifndef REC_HOSTINFO_H
#define REC_HOSTINFO_H

#include <stdint.h>

struct sink;

/* CLOCK_BOOTTIME now, in ns: the clock of every timestamp we record. */
uint64_t host_boot_ns(void);
/* Wall-clock ns minus boot-clock ns, measured tightly. */
int64_t host_clock_offset_ns(void);
/* Queue hostname, kernel_release, machine, boot_id, clock, clock_offset_ns
 * (as given: the one --print uses too) and tool_version into the sink's
 * meta. */
void host_meta(struct sink *s, int64_t clock_offset_ns);
/* 128 random bits as 32 hex digits into buf (33 bytes): a session id
 * (meta session_id, which ebpfreport push loads once). Every file the
 * recorder writes gets its own: the first at start, each later file of a
 * rotated series and each flight-recorder dump a new one. @return buf */
const char *host_random_id(char *buf);
/* The command line as one shell-quoted string (malloc'd). */
char *host_cmdline(int argc, char **argv);

#endif
