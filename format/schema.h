/* schema.h - the SQL schema of a session file, shared by writer and reader.
 *
 * docs/FORMAT.md is the normative description; keep the two in step. The
 * reader checks a file against these names instead of trusting its schema.
 */
#ifndef FMT_SCHEMA_H
#define FMT_SCHEMA_H

#define SCHEMA_SQL                                                        \
	"CREATE TABLE meta("                                              \
	" key TEXT PRIMARY KEY NOT NULL,"                                 \
	" value TEXT NOT NULL) WITHOUT ROWID;"                            \
	"CREATE TABLE chunk("                                             \
	" id INTEGER PRIMARY KEY,"                                        \
	" stream INTEGER NOT NULL,"                                       \
	" t_first INTEGER NOT NULL,"                                      \
	" t_last INTEGER NOT NULL,"                                       \
	" records INTEGER NOT NULL,"                                      \
	" raw_size INTEGER NOT NULL,"                                     \
	" encoding INTEGER NOT NULL,"                                     \
	" checksum INTEGER NOT NULL,"                                     \
	" data BLOB NOT NULL);"                                           \
	"CREATE INDEX chunk_by_time ON chunk(stream, t_first);"

/* chunk.encoding: 1 = zstd frame holding the columnar payload v1 */
#define CHUNK_ENCODING_ZSTD_V1 1

#endif
