/* ch_schema.h - the ClickHouse schema `push` loads into (docs/fleet.md):
 * a table per stream with the export schema's columns (fmt_row.h) after
 * session_id and host, a sessions table (one row per loaded session, the
 * commit mark of its load) and a schema_version table. Types that ClickHouse
 * 18.16 (Debian 12) and current releases both accept: no DateTime64, no
 * IPv6, no LowCardinality. */
#ifndef CH_SCHEMA_H
#define CH_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "fmt_row.h"
#include "obuf.h"

/* Bumped when a table changes: push refuses a database of another
 * version. */
#define CH_SCHEMA_VERSION 2

/* A session id's length (session.h: 32 characters, always): the tables
 * hold it as FixedString(32), stored and compared as a block of bytes,
 * not as a string per row. */
#define CH_SESSION_ID_LEN 32

/* The statements that create the schema in database db, one after
 * another: *n of them, each malloc'd (free with ch_schema_free). */
char **ch_schema_ddl(const char *db, size_t *n);
void ch_schema_free(char **v, size_t n);

/* "INSERT INTO db.STREAM FORMAT Native" (ch_native.h) into buf.
 * @return buf */
char *ch_schema_insert(char *buf, size_t len, const char *db, enum fmt_stream s);
/* The ClickHouse type of a column ("UInt32", "Nullable(String)", ...)
 * into buf. @return its length */
size_t ch_schema_type(char *buf, size_t len, const struct fmt_column *c);

/* The columns of the sessions table, in order, and its INSERT. */
struct ch_session {
	const char *session_id, *host, *file, *fingerprint, *boot_id, *kernel_release,
		*tool_version, *format_version;
	uint64_t start_ns, end_ns;
	int64_t clock_offset_ns;
	int closed_clean;
	uint64_t records[6]; /* by stream number */
	uint64_t lost_ringbuf, lost_queue, lost_flow_overflow, argv_truncated, failed_execs;
	uint64_t lost_ring; /* a flight-recorder dump's records dropped for its memory bound */
	uint64_t lost_owners, lost_cgroups, cgroup_walk_errors, procs_unnamed;
	uint64_t pushed_s; /* wall-clock seconds of the push */
};
char *ch_schema_insert_session(char *buf, size_t len, const char *db);
/* The sessions row in RowBinary */
void ch_session_row(struct obuf *o, const struct ch_session *s);

#endif
