/* fuzz_session.c - libFuzzer target: a whole session file from a stranger.
 * The input is written to a private file and opened with the reader; its
 * meta, chunk index and every record are read, and SQL runs over it, as
 * ebpfreport would. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "fuzz.h"

static int ignore_row(void *ctx, unsigned stmt, int ncol, const char *const *names,
		      const struct fmt_sql_value *v)
{
	(void)ctx, (void)stmt, (void)ncol, (void)names, (void)v;
	return 0;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	static char path[64];
	struct fmt_reader *r;
	struct fmt_chunk_info *ci = NULL;
	struct fmt_iter *it;
	struct fmt_event ev;
	struct fmt_sql *sql;
	char *err = NULL;
	int fd, n;

	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/ebpfrec-fuzz-%d.db", (int)getpid());
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort(); /* the harness itself failed */
	close(fd);
	if (fmt_reader_open(path, &r, &err)) {
		free(err);
		unlink(path);
		return 0;
	}
	for (size_t i = 0; i < fmt_reader_meta_count(r); i++) {
		const char *k, *v;
		fmt_reader_meta_at(r, i, &k, &v);
	}
	n = fmt_reader_chunks(r, &ci);
	free(ci);
	if (n >= 0 && fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it) == 0) {
		while (fmt_iter_next(it, &ev) != 0)
			;
		fmt_iter_free(it);
	}
	if (fmt_sql_open(&r, 1, &sql, &err) == 0) {
		fmt_sql_query(sql,
			      "SELECT count(*), max(length(argv)), sum(ret) FROM exec;"
			      "SELECT sum(packets), min(src) FROM flow WHERE ts_ns > 1000;"
			      "SELECT count(*) FROM exit; SELECT * FROM meta;",
			      ignore_row, NULL, &err);
		fmt_sql_close(sql);
	}
	free(err);
	fmt_reader_close(r);
	unlink(path);
	return 0;
}
