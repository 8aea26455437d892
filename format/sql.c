/* sql.c - fmt_sql: SQL over session files for `ebpfreport sql` (see fmt.h).
 * The tables are sql_vtab.c's; this file owns the connection. The user's
 * SQL runs against an in-memory database, never against the files, which
 * are only read through the format reader. */
#include <stdlib.h>
#include <string.h>

#include "sql_api.h"

struct fmt_sql {
	sqlite3 *db;
	struct fmt_sql_src src;
};

int fmt_sql_open(struct fmt_reader *const *readers, unsigned n, struct fmt_sql **out,
		 char **errmsg)
{
	struct fmt_sql *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (errmsg)
		*errmsg = NULL;
	if (!s)
		return FMT_ENOMEM;
	s->src.readers = (struct fmt_reader **)readers;
	s->src.n = n;
	rc = sqlite3_open_v2(":memory:", &s->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
		rc = fmt_sql_register(s->db, &s->src, 1);
	}
	if (rc != SQLITE_OK) {
		if (errmsg)
			*errmsg = strdup(s->db ? sqlite3_errmsg(s->db) : "cannot open SQLite");
		fmt_sql_close(s);
		return FMT_EIO;
	}
	*out = s;
	return FMT_OK;
}

static void value(sqlite3_stmt *st, int i, struct fmt_sql_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		v->type = FMT_SQL_INT;
		v->i = sqlite3_column_int64(st, i);
		break;
	case SQLITE_FLOAT:
		v->type = FMT_SQL_REAL;
		v->d = sqlite3_column_double(st, i);
		break;
	case SQLITE_TEXT:
		v->type = FMT_SQL_TEXT;
		v->s = (const char *)sqlite3_column_text(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v->type = FMT_SQL_BLOB;
		v->s = sqlite3_column_blob(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		break;
	default:
		v->type = FMT_SQL_NULL;
	}
}

int fmt_sql_query(struct fmt_sql *s, const char *sql, fmt_sql_row_cb cb, void *ctx,
		  char **errmsg)
{
	const char *tail = sql;
	unsigned n = 0;
	int rc = SQLITE_OK;

	*errmsg = NULL;
	while (rc == SQLITE_OK && tail && *tail) {
		sqlite3_stmt *st = NULL;
		const char **names = NULL;
		struct fmt_sql_value *vals = NULL;
		int ncol, stop = 0;

		rc = sqlite3_prepare_v2(s->db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK || !st) /* an error, or only a comment left */
			break;
		ncol = sqlite3_column_count(st);
		names = calloc((size_t)ncol + 1, sizeof(*names));
		vals = calloc((size_t)ncol + 1, sizeof(*vals));
		if (!names || !vals) {
			rc = SQLITE_NOMEM;
		} else {
			for (int i = 0; i < ncol; i++)
				names[i] = sqlite3_column_name(st, i);
			while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
				for (int i = 0; i < ncol; i++)
					value(st, i, &vals[i]);
				stop = cb(ctx, n, ncol, names, vals);
			}
			if (rc == SQLITE_DONE || stop)
				rc = SQLITE_OK;
		}
		free(names);
		free(vals);
		if (rc != SQLITE_OK)
			*errmsg = strdup(sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		n++;
		if (stop)
			break;
	}
	if (rc != SQLITE_OK && !*errmsg)
		*errmsg = strdup(sqlite3_errmsg(s->db));
	return rc == SQLITE_OK ? FMT_OK : FMT_EINVAL;
}

void fmt_sql_set_threads(struct fmt_sql *s, unsigned threads)
{
	s->src.threads = threads;
}

uint64_t fmt_sql_chunks_decoded(const struct fmt_sql *s)
{
	return s->src.chunks_decoded;
}

void fmt_sql_close(struct fmt_sql *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}
