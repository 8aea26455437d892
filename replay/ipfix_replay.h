/* ipfix_replay.h - `ebpfreport replay --ipfix HOST:PORT` (or --netflow9):
 * the flow rows that pass the filters go to a collector as IPFIX or
 * NetFlow v9 data records instead of being printed (docs/ipfix.md).
 * cmd_replay.c paces the rows (--speed) and hands each one here; the
 * encoder (ipfix_enc.c) and the socket (ipfix_udp.c) do the rest. Rows
 * without IP addresses (non-IP traffic, the flow-table overflow bucket)
 * are left out and counted, and the summary line says so. */
#ifndef IPFIX_REPLAY_H
#define IPFIX_REPLAY_H

#include <stdint.h>

#include "report.h"

/* The records a second replay sends at most unless --rate says otherwise:
 * what nfcapd on this kind of machine takes without loss, with a margin
 * (bench/ipfix_bench.sh measures it; docs/ipfix.md). */
#define IPFIX_DEFAULT_RATE 20000
/* Templates are sent again this often unless --template-refresh says
 * otherwise, so that a collector started late learns them. */
#define IPFIX_DEFAULT_REFRESH_S 10

struct ipfix_replay;

/* Parse --template-refresh: a duration ("30s", "1m"; a bare number is
 * seconds) or a number of messages ("100p"). @return NULL and the policy
 * in r, or why the value is not valid. */
const char *ipfix_parse_refresh(struct report *r, const char *val);

/* Connect to r->collector and read only the flow stream. @return 0 and
 * *out, or an exit status with the error printed (2: a bad address or
 * option, 1: the collector cannot be reached). */
int ipfix_replay_open(struct report *r, struct ipfix_replay **out);
/* Send ev if it is a flow row with IP addresses, else count it.
 * @return 0, or 1 when sending failed (the error printed: stop). */
int ipfix_replay_event(struct ipfix_replay *x, struct report *r, const struct fmt_event *ev);
/* Send what is waiting in open messages (before pacing sleeps, and while
 * following a file). @return 0 or 1 as above. */
int ipfix_replay_flush(struct ipfix_replay *x);
/* Flush, check the collector did not refuse the last messages, print the
 * summary on stderr and free x. status is the replay's so far; signalled:
 * the replay was stopped by a signal. @return the exit status. */
int ipfix_replay_close(struct ipfix_replay *x, int status, int signalled);

#endif
