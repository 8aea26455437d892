/* ring.c - see ring.h. Every function here runs on the sink's writer
 * thread. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt_meta.h"
#include "fmt_spool.h"
#include "hostinfo.h"
#include "metacache.h"
#include "notice.h"
#include "options.h"
#include "pattern.h"
#include "ring.h"

#define SEGMENTS 16 /* a window is kept in about this many segments */
#define MIN_SEG_NS 100000000ull
#define MAX_SEG_NS 60000000000ull
#define CHECK_EVERY 256 /* records between checks of the memory bound */

struct seg {
	struct fmt_segment *sg;
	struct fmt_segment_info in;
	struct mc_snapshot base; /* the loss counters when it began */
};

struct lost { /* a segment dropped for the memory bound */
	uint64_t t_first, t_last, records;
};

struct ring {
	struct output base;
	struct fmt_spool *sp;
	uint64_t window, after, limit, seg_ns;
	uint64_t seg_end; /* the open segment is cut when a record or the clock gets here */
	struct mc_snapshot open_base; /* the loss counters when the open segment began */
	struct seg *segs; /* oldest first */
	size_t nsegs, cap;
	uint64_t segs_mem;
	struct lost *lost; /* oldest first, while they can be in a window */
	size_t nlost, lost_cap;
	uint64_t pin; /* keep segments that end at or after it (0: none) */
	unsigned since_check;
	struct metacache meta;
	struct pattern pat;
	unsigned keep, flags;
	uint64_t seq; /* dumps written */
};

static struct ring *ring_of(struct output *out)
{
	return (struct ring *)out;
}

static uint64_t mem(const struct ring *r)
{
	return fmt_spool_mem(r->sp) + r->segs_mem + r->cap * sizeof(*r->segs) +
	       r->lost_cap * sizeof(*r->lost);
}

/* Seal the open segment (if it holds anything) and start the next. */
static int cut(struct ring *r, uint64_t now)
{
	struct fmt_segment *sg;
	struct mc_snapshot snap;
	int rc = fmt_spool_cut(r->sp, &sg);

	if (rc)
		return output_fail(&r->base, rc, "flight recorder: %s", fmt_strerror(rc));
	r->seg_end = (now / r->seg_ns + 1) * r->seg_ns;
	if (metacache_snapshot(&r->meta, &snap)) {
		fmt_segment_free(sg);
		return output_fail(&r->base, FMT_ENOMEM, "out of memory");
	}
	if (!sg) {
		mc_snapshot_free(&r->open_base);
		r->open_base = snap;
		return 0;
	}
	if (r->nsegs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct seg *ns = realloc(r->segs, cap * sizeof(*ns));
		if (!ns) {
			fmt_segment_free(sg);
			mc_snapshot_free(&snap);
			return output_fail(&r->base, FMT_ENOMEM, "out of memory");
		}
		r->segs = ns;
		r->cap = cap;
	}
	r->segs[r->nsegs].sg = sg;
	fmt_segment_info(sg, &r->segs[r->nsegs].in);
	r->segs[r->nsegs].base = r->open_base;
	r->segs_mem += r->segs[r->nsegs].in.mem;
	r->nsegs++;
	r->open_base = snap;
	return 0;
}

#define MAX_LOST 4096 /* drops remembered apart; more are merged with the last */

/* Remember that records were dropped for the memory bound. */
static void remember_lost(struct ring *r, const struct fmt_segment_info *in)
{
	if (r->nlost == r->lost_cap && r->lost_cap < MAX_LOST) {
		size_t cap = r->lost_cap ? r->lost_cap * 2 : 16;
		struct lost *nl = realloc(r->lost, cap * sizeof(*nl));
		if (nl) {
			r->lost = nl;
			r->lost_cap = cap;
		}
	}
	if (r->nlost < r->lost_cap) {
		r->lost[r->nlost++] = (struct lost){ in->t_first, in->t_last, in->records };
	} else if (r->nlost) { /* never forgotten: a wider, merged entry */
		struct lost *l = &r->lost[r->nlost - 1];
		l->t_last = in->t_last > l->t_last ? in->t_last : l->t_last;
		l->records += in->records;
	}
}

/* Free the oldest segment; lost: before its time, for the memory bound. */
static void drop(struct ring *r, int lost)
{
	struct seg *s = &r->segs[0];

	if (lost)
		remember_lost(r, &s->in);
	r->segs_mem -= s->in.mem;
	fmt_segment_free(s->sg);
	mc_snapshot_free(&s->base);
	memmove(r->segs, r->segs + 1, (r->nsegs - 1) * sizeof(*r->segs));
	r->nsegs--;
}

/* Free what is older than the window, and forget drops no window can hold. */
static void expire(struct ring *r, uint64_t now)
{
	size_t k = 0;

	while (r->nsegs && r->segs[0].in.t_last + r->window < now &&
	       !(r->pin && r->segs[0].in.t_last >= r->pin))
		drop(r, 0);
	while (k < r->nlost && r->lost[k].t_last + r->window + r->after < now)
		k++;
	if (k) {
		memmove(r->lost, r->lost + k, (r->nlost - k) * sizeof(*r->lost));
		r->nlost -= k;
	}
}

/* Keep within --ring-size: a burst is cut into segments early, and the
 * oldest segments go first. */
static int bound(struct ring *r, uint64_t now)
{
	uint64_t m = mem(r);

	if (fmt_spool_mem(r->sp) > r->limit / 4 && fmt_spool_pending(r->sp)) {
		if (cut(r, now))
			return -1;
		m = mem(r);
	}
	while (m > r->limit && r->nsegs) {
		drop(r, 1);
		m = mem(r);
	}
	atomic_store(&r->base.bytes, m);
	return 0;
}

static int tick(struct ring *r)
{
	uint64_t now = host_boot_ns();

	r->since_check = 0;
	if (now >= r->seg_end && cut(r, now))
		return -1;
	expire(r, now);
	return bound(r, now);
}

static int r_append(struct output *out, const struct fmt_event *ev)
{
	struct ring *r = ring_of(out);
	int rc;

	if (fmt_event_ts(ev) >= r->seg_end && cut(r, fmt_event_ts(ev)))
		return -1;
	if ((rc = fmt_spool_append(r->sp, ev)))
		return output_fail(out, rc, "flight recorder: %s", fmt_strerror(rc));
	return ++r->since_check >= CHECK_EVERY ? tick(r) : 0;
}

static int r_append_flows(struct output *out, struct fmt_flow *rows, size_t n)
{
	struct ring *r = ring_of(out);
	int rc;

	if (n && rows[0].ts_ns >= r->seg_end && cut(r, rows[0].ts_ns))
		return -1;
	if ((rc = fmt_spool_append_flows(r->sp, rows, n)))
		return output_fail(out, rc, "flight recorder: %s", fmt_strerror(rc));
	return tick(r);
}

static int r_set_meta(struct output *out, const char *key, const char *value)
{
	if (metacache_set(&ring_of(out)->meta, key, value))
		return output_fail(out, FMT_ENOMEM, "out of memory");
	return 0;
}

static int r_flush(struct output *out)
{
	return tick(ring_of(out));
}

int ring_pin_call(void *arg)
{
	struct ring_pin *p = arg;
	struct ring *r = ring_of(p->out);

	if (!r->pin || p->from < r->pin)
		r->pin = p->from ? p->from : 1;
	return 0;
}

static uint64_t meta_u64(const struct ring *r, const char *key)
{
	const char *v = metacache_get(&r->meta, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* The dump's own meta: its window, its trigger, what its window lost. */
static int dump_meta(struct ring *r, struct fmt_writer *w, const struct ring_dump *d,
		     uint64_t from)
{
	uint64_t lost = 0;
	char n[32];
	int rc;

	for (size_t i = 0; i < r->nlost; i++)
		if (r->lost[i].t_last >= d->from && r->lost[i].t_first <= d->to)
			lost += r->lost[i].records;
	rc = fmt_writer_set_meta_u64(w, FMT_META_START_NS, from);
	if (!rc)
		rc = fmt_writer_set_meta_u64(w, FMT_META_END_NS, d->to);
	if (!rc)
		rc = fmt_writer_set_meta_u64(w, FMT_META_LOST_RING, lost);
	if (!rc)
		rc = fmt_writer_set_meta(w, FMT_META_TRIGGER, d->hit.what);
	if (!rc)
		rc = fmt_writer_set_meta_u64(w, FMT_META_TRIGGER_NS, d->hit.ts);
	snprintf(n, sizeof(n), "%u", d->hit.pid);
	if (!rc && d->hit.pid)
		rc = fmt_writer_set_meta(w, FMT_META_TRIGGER_PID, n);
	if (!rc && d->hit.comm[0])
		rc = fmt_writer_set_meta(w, FMT_META_TRIGGER_COMM, d->hit.comm);
	if (!rc && d->hit.pattern[0])
		rc = fmt_writer_set_meta(w, FMT_META_TRIGGER_PATTERN, d->hit.pattern);
	if (!rc && d->hit.detail[0])
		rc = fmt_writer_set_meta(w, FMT_META_TRIGGER_DETAIL, d->hit.detail);
	if (!rc)
		rc = fmt_writer_set_meta_u64(w, FMT_META_TRIGGERS, d->triggers);
	return rc;
}

/* Write the dump to path. @return 0, or <0 with the reason in err */
static int write_dump(struct ring *r, const struct ring_dump *d, const char *path,
		      uint64_t *records, char *err, size_t errlen)
{
	uint64_t from = d->from, start = meta_u64(r, FMT_META_START_NS), n;
	const struct mc_snapshot *base = &r->open_base;
	struct fmt_writer *w;
	char *msg = NULL;
	int rc;

	*records = 0;
	if (start > from)
		from = start; /* recording began inside the window */
	rc = fmt_writer_create(path, r->flags, NULL, &w, &msg);
	if (rc) {
		snprintf(err, errlen, "%s", msg ? msg : "cannot create it");
		free(msg);
		return rc;
	}
	output_give_to_sudo_user(path);
	for (size_t i = 0; i < r->nsegs; i++) {
		if (r->segs[i].in.t_last >= d->from && r->segs[i].in.t_first <= d->to) {
			base = &r->segs[i].base; /* the first segment of the window */
			break;
		}
	}
	rc = metacache_write(&r->meta, w, base);
	if (!rc)
		rc = dump_meta(r, w, d, from);
	for (size_t i = 0; !rc && i < r->nsegs; i++) {
		if (r->segs[i].in.t_last < d->from || r->segs[i].in.t_first > d->to)
			continue;
		rc = fmt_writer_put_segment(w, r->segs[i].sg, d->from, d->to, &n);
		*records += n;
	}
	if (rc) {
		snprintf(err, errlen, "%s", fmt_writer_errmsg(w));
		fmt_writer_abandon(w);
		return rc;
	}
	if ((rc = fmt_writer_close(w, &msg))) {
		snprintf(err, errlen, "%s", msg ? msg : "cannot close it");
		free(msg);
	}
	return rc;
}

/* "exit-nonzero of 'false' (pid 42, exit code 1)" */
static void describe(const struct ring_dump *d, char *buf, size_t len)
{
	const struct trigger_hit *h = &d->hit;

	snprintf(buf, len, "%s%s%s%s (pid %u%s%s)%s", h->what, h->comm[0] ? " of '" : "", h->comm,
		 h->comm[0] ? "'" : "", h->pid, h->detail[0] ? ", " : "", h->detail,
		 d->triggers > 1 ? " and later triggers" : "");
}

int ring_dump_call(void *arg)
{
	struct ring_dump *d = arg;
	struct ring *r = ring_of(d->out);
	const char *off = metacache_get(&r->meta, FMT_META_CLOCK_OFFSET_NS);
	int64_t wall_ns = (int64_t)d->hit.ts + (off ? strtoll(off, NULL, 10) : 0);
	uint64_t now = host_boot_ns(), records = 0, from = d->from;
	uint64_t start = meta_u64(r, FMT_META_START_NS);
	char path[4096], err[512] = "", what[256];
	time_t wall = off ? (time_t)(wall_ns / 1000000000) : time(NULL);

	if (cut(r, now))
		return -1;
	describe(d, what, sizeof(what));
	if (pattern_next(&r->pat, wall, r->seq + 1, path, sizeof(path))) {
		rec_notice("flight recorder: the file name from -o is too long; no dump");
	} else if (write_dump(r, d, path, &records, err, sizeof(err))) {
		rec_notice("flight recorder: cannot write '%s': %s; recording goes on", path, err);
		fmt_remove_file(path);
	} else {
		r->seq++;
		atomic_fetch_add(&r->base.files, 1);
		output_set_path(&r->base, path);
		pattern_retain(&r->pat, path, r->keep);
		rec_notice("flight recorder: wrote '%s': %s; %.1fs before it, %.1fs after, "
			   "%" PRIu64 " records",
			   path, what, (double)(d->hit.ts - (start > from ? start : from)) / 1e9,
			   (double)(d->to - d->hit.ts) / 1e9, records);
	}
	if (d->unpin)
		r->pin = 0;
	expire(r, now);
	return bound(r, now);
}

static void r_free(struct ring *r)
{
	while (r->nsegs)
		drop(r, 0);
	free(r->segs);
	free(r->lost);
	mc_snapshot_free(&r->open_base);
	fmt_spool_free(r->sp);
	metacache_free(&r->meta);
	output_destroy(&r->base);
	free(r);
}

static int r_close(struct output *out, char **errmsg)
{
	*errmsg = NULL;
	r_free(ring_of(out));
	return 0;
}

static void r_abandon(struct output *out)
{
	r_free(ring_of(out));
}

static const struct output_ops ring_ops = {
	.append = r_append,
	.append_flows = r_append_flows,
	.set_meta = r_set_meta,
	.flush = r_flush,
	.close = r_close,
	.abandon = r_abandon,
};

struct output *ring_open(const struct rec_options *o, char **errmsg)
{
	struct ring *r = calloc(1, sizeof(*r));
	char err[512];

	*errmsg = NULL;
	if (!r || fmt_spool_new(NULL, &r->sp)) {
		free(r);
		*errmsg = strdup("out of memory");
		return NULL;
	}
	output_init(&r->base, &ring_ops);
	r->window = o->out.ring_ns;
	r->after = o->out.after_ns;
	r->limit = o->out.ring_size;
	r->seg_ns = r->window / SEGMENTS;
	if (r->seg_ns < MIN_SEG_NS)
		r->seg_ns = MIN_SEG_NS;
	if (r->seg_ns > MAX_SEG_NS)
		r->seg_ns = MAX_SEG_NS;
	r->seg_end = (host_boot_ns() / r->seg_ns + 1) * r->seg_ns;
	r->keep = o->out.keep;
	r->flags = o->force ? FMT_CREATE_FORCE : 0;
	if (pattern_init(&r->pat, o->output, err, sizeof(err))) {
		*errmsg = strdup(err);
		r_free(r);
		return NULL;
	}
	return &r->base;
}
