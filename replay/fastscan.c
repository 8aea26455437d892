/* fastscan.c - see fastscan.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fastscan.h"

bool fastscan_usable(const struct report *r)
{
	const struct filter *f = &r->f;

	return f->pid < 0 && f->ppid < 0 && f->uid < 0 && !f->comm && !f->path && !f->ip_set &&
	       f->port < 0 && f->proto < 0 && !f->iface && f->dir < 0;
}

/* Records of a chunk in [from, to]: all, unless the chunk straddles an end. */
static inline bool in_window(const uint64_t *ts, uint32_t i, uint64_t from, uint64_t to)
{
	return ts[i] >= from && ts[i] <= to;
}

static int scan_exec(struct fmt_batch *b, uint64_t from, uint64_t to, struct scan_totals *t,
		     struct top *execs, uint64_t **counts, size_t *cap)
{
	uint32_t n = fmt_batch_count(b), ndict;
	const uint32_t *ids = fmt_batch_exec_cmd_ids(b, &ndict);
	const int32_t *ret = fmt_batch_exec_rets(b);
	const uint64_t *ts = fmt_batch_ts_column(b);

	if (ndict > *cap) {
		uint64_t *c = realloc(*counts, ndict * sizeof(*c));
		if (!c)
			return -1;
		*counts = c;
		*cap = ndict;
	}
	memset(*counts, 0, ndict * sizeof(**counts));
	for (uint32_t i = 0; i < n; i++) {
		if (!in_window(ts, i, from, to))
			continue;
		(*counts)[ids[i]]++;
		t->execs++;
		t->failed += ret[i] < 0;
	}
	for (uint32_t id = 0; execs && id < ndict; id++) {
		const char *comm, *file;
		if (!(*counts)[id])
			continue;
		fmt_batch_exec_cmd(b, id, &comm, &file);
		if (top_add_exec_key(execs, execs->by == BY_PATH ? file : comm, (*counts)[id]))
			return -1;
	}
	return 0;
}

struct flow_sum {
	uint64_t rows, packets, bytes;
};

static int scan_flow(struct fmt_batch *b, unsigned source, uint64_t from, uint64_t to,
		     struct scan_totals *t, struct top *flows, struct flow_sum **sums, size_t *cap)
{
	uint32_t n = fmt_batch_count(b), ndict;
	const uint32_t *ids = fmt_batch_flow_key_ids(b, &ndict);
	const uint64_t *pk = fmt_batch_flow_packets(b), *by = fmt_batch_flow_bytes(b);
	const uint64_t *ts = fmt_batch_ts_column(b);

	if (ndict > *cap) {
		struct flow_sum *s = realloc(*sums, ndict * sizeof(*s));
		if (!s)
			return -1;
		*sums = s;
		*cap = ndict;
	}
	memset(*sums, 0, ndict * sizeof(**sums));
	for (uint32_t i = 0; i < n; i++) {
		struct flow_sum *s;
		if (!in_window(ts, i, from, to))
			continue;
		s = &(*sums)[ids[i]];
		s->rows++;
		s->packets += pk[i];
		s->bytes += by[i];
		t->flow_rows++;
		t->packets += pk[i];
		t->bytes += by[i];
	}
	for (uint32_t id = 0; flows && id < ndict; id++) {
		const struct flow_sum *s = &(*sums)[id];
		if (s->rows && top_add_flow_key(flows, source, fmt_batch_flow_key(b, id), s->rows,
						s->packets, s->bytes))
			return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int fastscan(struct report *r, struct scan_totals *t, struct top *execs, struct top *flows)
{
	int progress = r->progress == 1 || (r->progress == -1 && isatty(STDERR_FILENO)), shown = 0;
	double t0 = now_s();
	unsigned mask = r->f.types ? r->f.types : FMT_STREAM_MASK_ALL;
	struct fmt_batch *b = NULL;
	uint64_t *counts = NULL;
	struct flow_sum *sums = NULL;
	size_t ccap = 0, scap = 0;
	int rc = 0;

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
			if (s < FMT_STREAM_EXEC || s > FMT_STREAM_MAX || !(mask & (1u << s)) ||
			    ci[i].t_last < from || ci[i].t_first > to || !ci[i].records)
				continue; /* pruned: never decompressed */
			if (progress && now_s() - t0 > 1.0) {
				fprintf(stderr, "\rebpfreport: reading %s %3d%%", r->paths[f],
					100 * i / nc);
				shown = 1;
			}
			if (fmt_reader_load_chunk(r->readers[f], ci[i].id, &b)) {
				report_err("%s (skipped)", fmt_reader_errmsg(r->readers[f]));
				r->errors++;
				continue;
			}
			if (s == FMT_STREAM_EXEC)
				rc = scan_exec(b, from, to, t, execs, &counts, &ccap);
			else if (s == FMT_STREAM_FLOW)
				rc = scan_flow(b, f, from, to, t, flows, &sums, &scap);
			else
				for (uint32_t k = 0; k < fmt_batch_count(b); k++)
					t->exits += in_window(fmt_batch_ts_column(b), k, from, to);
		}
		free(ci);
	}
	if (shown)
		fprintf(stderr, "\r\033[K");
	fmt_batch_free(b);
	free(counts);
	free(sums);
	if (rc < 0)
		return -1;
	return r->errors && !r->ignore_errors ? 1 : 0;
}
