/* sql_api.h - the SQLite API as the virtual tables see it: linked directly
 * inside ebpfreport, or through the host's function table when built as a
 * loadable extension (EBPFREC_SQLITE_EXTENSION), so the extension works in
 * any program that loads it, whatever SQLite that program carries. */
#ifndef FMT_SQL_API_H
#define FMT_SQL_API_H

#ifdef EBPFREC_SQLITE_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

#include "fmt.h"

/* The files behind the tables, shared by the tables of one connection. */
struct fmt_sql_src {
	struct fmt_reader **readers;
	unsigned n;
	int own; /* close the readers when the last table goes */
	unsigned refs;
	unsigned threads; /* decoding threads, 0: every processor */
	uint64_t chunks_decoded;
	uint64_t records[FMT_STREAM_MAX + 1]; /* per stream, from the chunk index */
	int counted; /* records is filled */
};

/* Register the eponymous tables exec, exit and flow (and meta, unless the
 * database has its own) over src; src == NULL: each table opens the
 * connection's main database file as a session. @return a SQLite code. */
int fmt_sql_register(sqlite3 *db, struct fmt_sql_src *src, int with_meta);

#endif
