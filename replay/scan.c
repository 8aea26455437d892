/* scan.c - see scan.h. */
#include <stdio.h>
#include <stdlib.h>

#include "scan.h"

/* Positions of the records of b in [from, to] that pass the filters. */
static uint32_t select_records(const struct report *r, unsigned source, const struct fmt_batch *b,
			       uint64_t from, uint64_t to, uint32_t *pos)
{
	const uint64_t *ts = fmt_batch_ts_column(b);
	uint32_t n = fmt_batch_count(b), k = 0;
	int by_record = filter_by_record(&r->f);

	for (uint32_t j = 0; j < n; j++) {
		struct fmt_event ev;
		if (ts[j] < from || ts[j] > to)
			continue;
		if (by_record) {
			fmt_batch_get_at(b, j, &ev);
			ev.source = source;
			if (!filter_match(&r->f, r->readers[source], &ev))
				continue;
		}
		pos[k++] = j;
	}
	return k;
}

int scan(struct report *r, scan_fn fn, void *ctx)
{
	struct report_progress pg;
	int rc = 0;
	unsigned mask = filter_streams(&r->f);
	struct fmt_batch *b = NULL;
	uint32_t *pos = NULL;
	size_t cap = 0;

	report_progress_start(&pg, r);
	for (unsigned f = 0; f < r->nfiles && rc >= 0; f++) {
		struct fmt_chunk_info *ci;
		uint64_t from, to;
		int nc = fmt_reader_chunks(r->readers[f], &ci);

		if (nc < 0) {
			report_err("%s", fmt_reader_errmsg(r->readers[f]));
			r->errors++;
			continue;
		}
		report_window(r, f, &from, &to);
		for (int i = 0; i < nc && rc >= 0; i++) {
			int s = ci[i].stream;
			uint32_t n;
			if (s < FMT_STREAM_EXEC || s > FMT_STREAM_MAX || !(mask & (1u << s)) ||
			    ci[i].t_last < from || ci[i].t_first > to || !ci[i].records)
				continue; /* pruned: never decompressed */
			report_progress_show(&pg, r->paths[f], (double)i / nc);
			if (fmt_reader_load_chunk(r->readers[f], ci[i].id, &b)) {
				report_err("%s (skipped)", fmt_reader_errmsg(r->readers[f]));
				r->errors++;
				continue;
			}
			if (fmt_batch_count(b) > cap) {
				uint32_t *p = realloc(pos, fmt_batch_count(b) * sizeof(*p));
				if (!p) {
					rc = -1;
					break;
				}
				pos = p;
				cap = fmt_batch_count(b);
			}
			n = select_records(r, f, b, from, to, pos);
			if (fn(ctx, r, f, b, pos, n))
				rc = -1;
		}
		free(ci);
	}
	report_progress_end(&pg);
	fmt_batch_free(b);
	free(pos);
	if (rc < 0)
		return -1;
	return r->errors && !r->ignore_errors ? 1 : 0;
}
