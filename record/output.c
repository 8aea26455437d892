/* output.c - see output.h: the calls every output shares, and the choice
 * of one from the options. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "options.h"
#include "output.h"
#include "ring.h"

struct output *output_open(const struct rec_options *o, char **errmsg)
{
	return o->out.ring_ns ? ring_open(o, errmsg) : files_open(o, errmsg);
}

int output_append(struct output *out, const struct fmt_event *ev)
{
	return out->ops->append(out, ev);
}

int output_append_flows(struct output *out, struct fmt_flow *rows, size_t n)
{
	return out->ops->append_flows(out, rows, n);
}

int output_set_meta(struct output *out, const char *key, const char *value)
{
	return out->ops->set_meta(out, key, value);
}

int output_flush(struct output *out)
{
	return out->ops->flush(out);
}

int output_close(struct output *out, char **errmsg)
{
	return out->ops->close(out, errmsg);
}

void output_abandon(struct output *out)
{
	if (out)
		out->ops->abandon(out);
}

void output_init(struct output *out, const struct output_ops *ops)
{
	out->ops = ops;
	out->err[0] = 0;
	atomic_store(&out->bytes, 0);
	atomic_store(&out->files, 0);
	pthread_mutex_init(&out->mu, NULL);
	out->path[0] = 0;
}

void output_destroy(struct output *out)
{
	pthread_mutex_destroy(&out->mu);
}

void output_set_path(struct output *out, const char *path)
{
	pthread_mutex_lock(&out->mu);
	snprintf(out->path, sizeof(out->path), "%s", path);
	pthread_mutex_unlock(&out->mu);
}

void output_path(struct output *out, char *buf, size_t len)
{
	pthread_mutex_lock(&out->mu);
	snprintf(buf, len, "%s", out->path);
	pthread_mutex_unlock(&out->mu);
}

uint64_t output_bytes(struct output *out)
{
	return atomic_load(&out->bytes);
}

int output_fail(struct output *out, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->err, sizeof(out->err), fmt, ap);
	va_end(ap);
	return rc;
}

void output_give_to_sudo_user(const char *path)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char side[4096];

	if (!u || !g || geteuid() != 0)
		return;
	uid_t uid = (uid_t)strtoul(u, NULL, 10);
	gid_t gid = (gid_t)strtoul(g, NULL, 10);
	if (lchown(path, uid, gid))
		fprintf(stderr, "ebpfrec: cannot give '%s' to uid %u: %s\n", path, uid,
			strerror(errno));
	snprintf(side, sizeof(side), "%s-wal", path);
	lchown(side, uid, gid);
	snprintf(side, sizeof(side), "%s-shm", path);
	lchown(side, uid, gid);
}
