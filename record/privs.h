/* privs.h - checks that we may load BPF programs, before trying. */
#ifndef REC_PRIVS_H
#define REC_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/* @return 0 if the process has what loading needs (root, or CAP_BPF and
 * CAP_PERFMON, plus CAP_NET_ADMIN when need_net); otherwise -1 with a
 * message naming the missing capabilities in msg. */
int privs_check(bool need_net, char *msg, size_t len);

#endif
