/* chserver.h - a private ClickHouse server for a test: Debian's
 * clickhouse-server (18.16 on Debian 12; `clickhouse server` of current
 * releases too) started on 127.0.0.1, on free ports, from a configuration
 * and a data directory the test creates, no system service. Users:
 * "default" (no password) and "pushy" (password "s3cret"). */
#ifndef TEST_CHSERVER_H
#define TEST_CHSERVER_H

#include <sys/types.h>

struct chserver {
	char dir[128]; /* config, data, logs; removed by chserver_stop */
	char url[64]; /* http://127.0.0.1:PORT */
	int http_port, tcp_port;
	pid_t pid;
};

/* Start and wait until it answers (fails the test after 60 s). */
void chserver_start(struct chserver *s);
/* Stop it (SIGTERM, then SIGKILL) and remove its directory. */
void chserver_stop(struct chserver *s);
/* Run one statement; @return the answer (malloc'd), failing the test on an
 * error. */
char *chserver_query(struct chserver *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first number of an answer. */
long long chserver_number(struct chserver *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
