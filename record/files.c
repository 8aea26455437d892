/* files.c - see files.h. Runs on the sink's writer thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "files.h"
#include "fmt_meta.h"
#include "metacache.h"
#include "options.h"
#include "pattern.h"

struct files {
	struct output base;
	struct fmt_writer *w; /* the current file */
	struct metacache meta;
	int rotating;
	struct pattern pat;
	unsigned flags; /* FMT_CREATE_FORCE */
	unsigned keep;
	char id[33]; /* the series */
	uint64_t seq;
	char cur[4096]; /* the current file's path */
};

static struct files *files_of(struct output *out)
{
	return (struct files *)out;
}

/* A new file: created, given to the sudo user, published. */
static int create(struct files *f, const char *path, struct fmt_writer **w)
{
	char *msg = NULL;
	int rc = fmt_writer_create(path, f->flags, NULL, w, &msg);

	if (rc) {
		output_fail(&f->base, rc, "%s", msg ? msg : "cannot create the file");
		free(msg);
		return rc;
	}
	output_give_to_sudo_user(path);
	return 0;
}

/* The path of the file after the current one, named for wall_s. */
static int next_path(struct files *f, int64_t wall_s, char *path, size_t len)
{
	if (pattern_next(&f->pat, (time_t)wall_s, f->seq + 1, path, len))
		return output_fail(&f->base, FMT_EINVAL, "the file name from -o is too long");
	return 0;
}

/* What a new file of the series holds before any record: the session's
 * meta, its own start, its place in the series. */
static int start_file(struct files *f, uint64_t now_ns, const char *prev)
{
	char seq[32];
	int rc;

	f->seq++;
	metacache_rebase(&f->meta);
	rc = metacache_write(&f->meta, f->w, NULL);
	if (rc == FMT_OK && now_ns) {
		rc = fmt_writer_set_meta_u64(f->w, FMT_META_START_NS, now_ns);
		if (rc == FMT_OK)
			rc = fmt_writer_set_meta_u64(f->w, FMT_META_END_NS, now_ns);
	}
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)f->seq);
	if (rc == FMT_OK)
		rc = fmt_writer_set_meta(f->w, FMT_META_SERIES, f->id);
	if (rc == FMT_OK)
		rc = fmt_writer_set_meta(f->w, FMT_META_SERIES_SEQ, seq);
	if (rc == FMT_OK && prev)
		rc = fmt_writer_set_meta(f->w, FMT_META_SERIES_PREV, pattern_basename(prev));
	if (rc == FMT_OK)
		rc = fmt_writer_flush(f->w);
	if (rc)
		return output_fail(&f->base, rc, "%s", fmt_writer_errmsg(f->w));
	output_set_path(&f->base, f->cur);
	atomic_store(&f->base.bytes, 0);
	pattern_retain(&f->pat, f->cur, f->keep);
	return 0;
}

int files_rotate_call(void *arg)
{
	struct files_rotate *r = arg;
	struct files *f = files_of(r->out);
	struct fmt_writer *nw = NULL;
	char path[4096], prev[4096], *msg = NULL;
	int rc;

	if (!f->w)
		return output_fail(&f->base, FMT_EINVAL, "no file to rotate");
	rc = fmt_writer_set_meta_u64(f->w, FMT_META_END_NS, r->now_ns);
	if (rc)
		return output_fail(&f->base, rc, "%s", fmt_writer_errmsg(f->w));
	if ((rc = next_path(f, r->wall_s, path, sizeof(path))))
		return rc;
	if ((rc = create(f, path, &nw))) {
		/* the file so far stays whole; recording stops with the error */
		fmt_writer_close(f->w, NULL);
		f->w = NULL;
		return rc;
	}
	rc = fmt_writer_close(f->w, &msg);
	atomic_fetch_add(&f->base.files, 1);
	f->w = nw;
	snprintf(prev, sizeof(prev), "%s", f->cur);
	snprintf(f->cur, sizeof(f->cur), "%s", path);
	if (rc) {
		output_fail(&f->base, rc, "closing '%s': %s", prev, msg ? msg : "failed");
		free(msg);
		return rc;
	}
	return start_file(f, r->now_ns, prev);
}

static int f_append(struct output *out, const struct fmt_event *ev)
{
	struct files *f = files_of(out);
	int rc = fmt_writer_append(f->w, ev);

	return rc ? output_fail(out, rc, "%s", fmt_writer_errmsg(f->w)) : 0;
}

static int f_append_flows(struct output *out, struct fmt_flow *rows, size_t n)
{
	struct files *f = files_of(out);
	int rc = fmt_writer_append_flows(f->w, rows, n);

	return rc ? output_fail(out, rc, "%s", fmt_writer_errmsg(f->w)) : 0;
}

static int f_set_meta(struct output *out, const char *key, const char *value)
{
	struct files *f = files_of(out);
	char buf[32];
	int rc;

	if (metacache_set(&f->meta, key, value))
		return output_fail(out, FMT_ENOMEM, "out of memory");
	rc = fmt_writer_set_meta(f->w, key, metacache_file_value(&f->meta, key, buf, sizeof(buf)));
	return rc ? output_fail(out, rc, "%s", fmt_writer_errmsg(f->w)) : 0;
}

static int f_flush(struct output *out)
{
	struct files *f = files_of(out);
	struct fmt_writer_stats st;
	int rc = fmt_writer_flush(f->w);

	if (rc)
		return output_fail(out, rc, "%s", fmt_writer_errmsg(f->w));
	fmt_writer_stats(f->w, &st);
	atomic_store(&out->bytes, st.data_bytes);
	return 0;
}

static void f_free(struct files *f)
{
	metacache_free(&f->meta);
	output_destroy(&f->base);
	free(f);
}

static int f_close(struct output *out, char **errmsg)
{
	struct files *f = files_of(out);
	int rc = f->w ? fmt_writer_close(f->w, errmsg) : 0;

	f_free(f);
	return rc;
}

static void f_abandon(struct output *out)
{
	struct files *f = files_of(out);

	fmt_writer_abandon(f->w);
	f_free(f);
}

static const struct output_ops files_ops = {
	.append = f_append,
	.append_flows = f_append_flows,
	.set_meta = f_set_meta,
	.flush = f_flush,
	.close = f_close,
	.abandon = f_abandon,
};

struct output *files_open(const struct rec_options *o, char **errmsg)
{
	struct files *f = calloc(1, sizeof(*f));
	uint8_t rnd[16];
	int rc = 0;

	*errmsg = NULL;
	if (!f) {
		*errmsg = strdup("out of memory");
		return NULL;
	}
	output_init(&f->base, &files_ops);
	f->flags = o->force ? FMT_CREATE_FORCE : 0;
	f->keep = o->out.keep;
	f->rotating = o->out.rotate_every_ns || o->out.rotate_size;
	if (!f->rotating) {
		snprintf(f->cur, sizeof(f->cur), "%s", o->output);
		rc = create(f, f->cur, &f->w);
		if (rc == 0)
			output_set_path(&f->base, f->cur);
	} else if (pattern_init(&f->pat, o->output, f->base.err, sizeof(f->base.err))) {
		rc = -1;
	} else if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		rc = output_fail(&f->base, -1, "cannot make a series id: no random bytes");
	} else {
		for (int i = 0; i < 16; i++)
			snprintf(f->id + 2 * i, 3, "%02x", rnd[i]);
		rc = next_path(f, (int64_t)time(NULL), f->cur, sizeof(f->cur));
		if (rc == 0)
			rc = create(f, f->cur, &f->w);
		/* the recorder sets start_ns itself right after */
		if (rc == 0)
			rc = start_file(f, 0, NULL);
	}
	if (rc) {
		*errmsg = strdup(f->base.err[0] ? f->base.err : "cannot create the file");
		f_abandon(&f->base);
		return NULL;
	}
	return &f->base;
}
