/* sql_ext.c - the SQL tables as a SQLite loadable extension:
 *
 *   $ sqlite3 session.db
 *   sqlite> .load /usr/local/lib/ebpfrec_sql
 *   sqlite> SELECT comm, count(*) FROM exec GROUP BY comm;
 *
 * exec, exit and flow read the session the connection has open as main
 * (validated like any session file; the file's own meta table is there
 * already). */
#include "sql_api.h"

SQLITE_EXTENSION_INIT1

__attribute__((visibility("default"))) int sqlite3_ebpfrecsql_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *api)
{
	int rc;

	SQLITE_EXTENSION_INIT2(api);
	rc = fmt_sql_register(db, NULL, 0);
	if (rc != SQLITE_OK && pzErrMsg)
		*pzErrMsg = sqlite3_mprintf("ebpfrec: cannot register the tables");
	return rc;
}
