/* clickhouse.h - a ClickHouse client over its HTTP interface (libcurl):
 * statements with a text answer, and INSERTs whose data a callback
 * streams (the server parses while we encode). Errors are one line,
 * saying what failed in the user's terms (unreachable server, refused
 * user, the server's own message). Works with ClickHouse 18.16 (Debian
 * 12) and current releases. */
#ifndef CLICKHOUSE_H
#define CLICKHOUSE_H

#include <stddef.h>

struct ch;

/* url: "http://host:8123" (a path is kept); user NULL: the server's
 * default user; password NULL: none. @return 0, or -1 with the error in
 * err. */
int ch_open(const char *url, const char *user, const char *password, struct ch **out,
	    char *err, size_t errlen);
void ch_close(struct ch *c);

/* Run one statement (DDL, SELECT ... FORMAT TabSeparated). *answer (if
 * not NULL) gets the body, NUL-terminated, malloc'd. @return 0, or -1
 * (ch_errmsg says why; ch_code gives the server's error code, or 0). */
int ch_query(struct ch *c, const char *sql, char **answer);

/* INSERT with a body: `sql` is "INSERT INTO t FORMAT Native" (or another
 * format); fill(ctx, buf, len) writes up to len bytes and returns the
 * count, 0 at the end, or (size_t)-1 to abort. size is the body's length
 * if known (sent as Content-Length), else -1 (sent in chunks). @return 0
 * or -1. */
typedef size_t (*ch_fill_fn)(void *ctx, char *buf, size_t len);
int ch_insert(struct ch *c, const char *sql, long long size, ch_fill_fn fill, void *ctx);

const char *ch_errmsg(const struct ch *c);
int ch_code(const struct ch *c);

#endif
