/* report_bench.c - writes the data sets of the report benchmark: a session
 * file of N exec + N flow synthetic records (bench/synth.h) and the same
 * records as plain rows in a SQLite database (the pmacct way), for
 * bench/report_bench.sh to time `ebpfreport --top 10` against sqlite3.
 *
 * usage: report_bench N SESSION.db ROWS.db
 */
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "synth.h"

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "report_bench: %s: %s\n", what, msg ? msg : "failed");
	exit(1);
}

int main(int argc, char **argv)
{
	struct fmt_writer *w;
	struct synth *s;
	sqlite3 *db;
	sqlite3_stmt *ie, *ifl;
	char *err = NULL;
	long n;

	if (argc != 4 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: report_bench N SESSION.db ROWS.db\n");
		return 2;
	}
	if (fmt_writer_create(argv[2], FMT_CREATE_FORCE, NULL, &w, &err))
		die(argv[2], err);
	fmt_writer_set_meta(w, "hostname", "bench");
	unlink(argv[3]);
	if (sqlite3_open(argv[3], &db) ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
			 "CREATE TABLE exec(ts INTEGER, pid INTEGER, ppid INTEGER, uid INTEGER,"
			 " comm TEXT, filename TEXT, argv TEXT, ret INTEGER);"
			 "CREATE TABLE flow(ts INTEGER, ifindex INTEGER, dir INTEGER, proto INTEGER,"
			 " src TEXT, dst TEXT, sport INTEGER, dport INTEGER, packets INTEGER,"
			 " bytes INTEGER);",
			 NULL, NULL, &err) ||
	    sqlite3_prepare_v2(db, "INSERT INTO exec VALUES(?,?,?,?,?,?,?,?)", -1, &ie, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO flow VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &ifl, NULL))
		die(argv[3], err ? err : sqlite3_errmsg(db));
	s = synth_new(7, 5000);
	for (long i = 0; i < n; i++) {
		struct fmt_exec e;
		struct fmt_flow f;
		char args[4096], src[64], dst[64];
		size_t o = 0;

		synth_exec(s, &e);
		synth_flow(s, &f);
		if (fmt_writer_append_exec(w, &e) || fmt_writer_append_flow(w, &f))
			die(argv[2], fmt_writer_errmsg(w));
		for (uint32_t a = 0; a < e.argc; a++)
			o += (size_t)snprintf(args + o, sizeof(args) - o, "%s%s", a ? " " : "", e.argv[a]);
		sqlite3_bind_int64(ie, 1, (sqlite3_int64)e.ts_ns);
		sqlite3_bind_int(ie, 2, (int)e.pid);
		sqlite3_bind_int(ie, 3, (int)e.ppid);
		sqlite3_bind_int(ie, 4, (int)e.uid);
		sqlite3_bind_text(ie, 5, e.comm, -1, SQLITE_STATIC);
		sqlite3_bind_text(ie, 6, e.filename, -1, SQLITE_STATIC);
		sqlite3_bind_text(ie, 7, args, -1, SQLITE_STATIC);
		sqlite3_bind_int(ie, 8, e.ret);
		if (sqlite3_step(ie) != SQLITE_DONE)
			die(argv[3], sqlite3_errmsg(db));
		sqlite3_reset(ie);
		inet_ntop(f.key.family == FMT_FAMILY_IPV6 ? AF_INET6 : AF_INET, f.key.src, src, sizeof(src));
		inet_ntop(f.key.family == FMT_FAMILY_IPV6 ? AF_INET6 : AF_INET, f.key.dst, dst, sizeof(dst));
		sqlite3_bind_int64(ifl, 1, (sqlite3_int64)f.ts_ns);
		sqlite3_bind_int(ifl, 2, (int)f.key.ifindex);
		sqlite3_bind_int(ifl, 3, f.key.dir);
		sqlite3_bind_int(ifl, 4, f.key.proto);
		sqlite3_bind_text(ifl, 5, src, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ifl, 6, dst, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ifl, 7, f.key.sport);
		sqlite3_bind_int(ifl, 8, f.key.dport);
		sqlite3_bind_int64(ifl, 9, (sqlite3_int64)f.packets);
		sqlite3_bind_int64(ifl, 10, (sqlite3_int64)f.bytes);
		if (sqlite3_step(ifl) != SQLITE_DONE)
			die(argv[3], sqlite3_errmsg(db));
		sqlite3_reset(ifl);
	}
	if (fmt_writer_close(w, &err))
		die(argv[2], err);
	sqlite3_finalize(ie);
	sqlite3_finalize(ifl);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &err))
		die(argv[3], err);
	sqlite3_close(db);
	synth_free(s);
	return 0;
}
