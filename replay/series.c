/* series.c - see series.h. */
#include <stdlib.h>
#include <string.h>

#include "series.h"

#define MAX_PENDING (1u << 20) /* distinct (ts, interval) kept before spreading */
#define SPREAD_BUDGET (64u << 20) /* bucket updates per finish; then no spreading */

struct series_row {
	int64_t end;
	uint64_t interval; /* 0: a free slot if packets and bytes are 0 too */
	uint64_t packets, bytes;
	bool used;
};

void series_init(struct series *s, int64_t origin, int64_t width, size_t max, bool clamp)
{
	memset(s, 0, sizeof(*s));
	s->origin = origin;
	s->width = width > 0 ? width : 1;
	s->max = max ? max : 1;
	s->clamp = clamp;
}

/* The bucket of wall time t (unbounded above, 0 below the origin). */
static __int128 index_of(const struct series *s, __int128 t)
{
	return t < s->origin ? 0 : (t - s->origin) / s->width;
}

/* Make buckets 0..i exist. @return the bucket or NULL (oom, too many). */
static struct series_bucket *bucket(struct series *s, size_t i)
{
	if (i >= s->n) {
		if (i >= s->cap) {
			size_t cap = s->cap ? s->cap : 64;
			struct series_bucket *b;
			while (cap <= i)
				cap *= 2;
			if (cap > s->max)
				cap = s->max;
			b = realloc(s->b, cap * sizeof(*b));
			if (!b) {
				s->oom = true;
				return NULL;
			}
			memset(b + s->cap, 0, (cap - s->cap) * sizeof(*b));
			s->b = b;
			s->cap = cap;
		}
		s->n = i + 1;
	}
	return &s->b[i];
}

/* The bucket of t, clamped or flagged past the last. */
static struct series_bucket *bucket_at(struct series *s, __int128 t)
{
	__int128 i = index_of(s, t);

	if (i >= (__int128)s->max) {
		if (!s->clamp) {
			s->too_many = true;
			return NULL;
		}
		i = (__int128)s->max - 1;
	}
	return bucket(s, (size_t)i);
}

void series_add_events(struct series *s, enum fmt_stream stream, int64_t wall, uint64_t n)
{
	struct series_bucket *b = bucket_at(s, wall);

	if (b && stream == FMT_STREAM_EXEC)
		b->execs += n;
	else if (b && stream == FMT_STREAM_EXIT)
		b->exits += n;
}

void series_add_event(struct series *s, enum fmt_stream stream, int64_t wall)
{
	series_add_events(s, stream, wall, 1);
}

uint64_t series_index(int64_t origin, int64_t width, int64_t wall)
{
	struct series s = { .origin = origin, .width = width > 0 ? width : 1 };

	return (uint64_t)index_of(&s, wall);
}

/* Spread packets and bytes over [end - interval, end). @return the bucket
 * updates it took. */
static uint64_t spread(struct series *s, const struct series_row *r, size_t max_span)
{
	__int128 end = r->end, lo = end - (__int128)r->interval, first, last;
	unsigned __int128 done_p = 0, done_b = 0;

	if (!r->interval) {
		struct series_bucket *b = bucket_at(s, end);
		if (b)
			b->packets += r->packets, b->bytes += r->bytes;
		return 1;
	}
	first = index_of(s, lo);
	last = index_of(s, end - 1);
	if (last >= (__int128)s->max) {
		if (!s->clamp) {
			s->too_many = true;
			return 1;
		}
		last = (__int128)s->max - 1;
		if (first > last)
			first = last; /* all of it past the last bucket: clamped */
	}
	if (last - first + 1 > (__int128)max_span)
		first = last - (__int128)max_span + 1; /* the earlier part counts in `first` */
	if (!bucket(s, (size_t)last))
		return 1;
	for (__int128 k = first; k <= last; k++) {
		struct series_bucket *b = &s->b[(size_t)k];
		/* the row's time covered up to the end of bucket k */
		__int128 be = k == last ? end : s->origin + (k + 1) * s->width;
		unsigned __int128 c = (unsigned __int128)(be - lo);
		unsigned __int128 p = k == last ? r->packets : r->packets * c / r->interval;
		unsigned __int128 by = k == last ? r->bytes : r->bytes * c / r->interval;
		b->packets += (uint64_t)(p - done_p);
		b->bytes += (uint64_t)(by - done_b);
		done_p = p;
		done_b = by;
	}
	return (uint64_t)(last - first + 1);
}

static int row_cmp(const void *x, const void *y)
{
	const struct series_row *a = x, *b = y;

	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return a->interval < b->interval ? -1 : a->interval > b->interval;
}

void series_finish(struct series *s)
{
	uint64_t work = 0;
	size_t n = 0;

	if (!s->nrows)
		return;
	/* in (ts, interval) order, so that what the budget leaves unspread
	 * does not depend on the order the rows came in */
	for (size_t i = 0; i < s->rows_cap; i++)
		if (s->rows[i].used)
			s->rows[n++] = s->rows[i];
	qsort(s->rows, n, sizeof(*s->rows), row_cmp);
	for (size_t i = 0; i < n; i++)
		work += spread(s, &s->rows[i], work < SPREAD_BUDGET ? SERIES_MAX_SPREAD : 1);
	memset(s->rows, 0, s->rows_cap * sizeof(*s->rows));
	s->nrows = 0;
}

static uint64_t row_hash(int64_t end, uint64_t interval)
{
	uint64_t h = (uint64_t)end * 0x9E3779B97F4A7C15ull ^ interval * 0xC2B2AE3D27D4EB4Full;
	return h ^ (h >> 31);
}

static int grow_rows(struct series *s)
{
	size_t cap = s->rows_cap ? s->rows_cap * 2 : 256;
	struct series_row *old = s->rows, *v = calloc(cap, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < s->rows_cap; i++) {
		size_t j;
		if (!old[i].used)
			continue;
		j = row_hash(old[i].end, old[i].interval) & (cap - 1);
		while (v[j].used)
			j = (j + 1) & (cap - 1);
		v[j] = old[i];
	}
	free(old);
	s->rows = v;
	s->rows_cap = cap;
	return 0;
}

void series_add_flow(struct series *s, int64_t wall, uint64_t interval_ns, uint64_t packets,
		     uint64_t bytes)
{
	size_t i;

	s->packets += packets;
	s->bytes += bytes;
	if (s->nrows >= MAX_PENDING)
		series_finish(s);
	if ((s->nrows + 1) * 2 > s->rows_cap && grow_rows(s)) {
		s->oom = true;
		return;
	}
	for (i = row_hash(wall, interval_ns) & (s->rows_cap - 1); s->rows[i].used;
	     i = (i + 1) & (s->rows_cap - 1))
		if (s->rows[i].end == wall && s->rows[i].interval == interval_ns)
			break;
	if (!s->rows[i].used) {
		s->rows[i] = (struct series_row){ .end = wall, .interval = interval_ns, .used = true };
		s->nrows++;
	}
	s->rows[i].packets += packets;
	s->rows[i].bytes += bytes;
}

struct series_bucket series_at(const struct series *s, size_t i)
{
	return i < s->n ? s->b[i] : (struct series_bucket){ 0 };
}

void series_free(struct series *s)
{
	free(s->b);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
