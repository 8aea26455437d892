/* event.c - deep copies of records (fmt_records.h): whoever keeps a record
 * past the call that handed it over (the recorder's queue, a flight
 * recorder's window) copies it this way, so that a field added to a record
 * is copied everywhere at once. */
#include <stdint.h>
#include <string.h>

#include "fmt.h"

/* Bytes of a string with its NUL; NULL (not recorded) takes none. */
static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static size_t argv_bytes(uint32_t argc, const char *const *argv)
{
	size_t n = (size_t)argc * sizeof(char *);

	for (uint32_t i = 0; i < argc; i++)
		n += str_bytes(argv[i]);
	return n;
}

size_t fmt_event_extra(const struct fmt_event *ev)
{
	switch (ev->stream) {
	case FMT_STREAM_EXEC: {
		const struct fmt_exec *e = &ev->exec;
		return argv_bytes(e->argc, e->argv) + str_bytes(e->comm) + str_bytes(e->pcomm) +
		       str_bytes(e->filename) + str_bytes(e->interp) + str_bytes(e->cwd);
	}
	case FMT_STREAM_PROC: {
		const struct fmt_proc *p = &ev->proc;
		return argv_bytes(p->argc, p->argv) + str_bytes(p->comm) + str_bytes(p->exe) +
		       str_bytes(p->cwd);
	}
	case FMT_STREAM_CGROUP:
		return str_bytes(ev->cgroup.path);
	default:
		return 0;
	}
}

/* Copy s to *p (advancing it). @return the copy, or NULL for NULL. */
static const char *put_str(char **p, const char *s)
{
	char *at = *p;

	if (!s)
		return NULL;
	*p = stpcpy(at, s) + 1;
	return at;
}

/* argv: the pointer array first (extra is pointer-aligned), then strings. */
static const char *const *put_argv(char **p, uint32_t argc, const char *const *argv)
{
	const char **v = (const char **)*p;

	*p += (size_t)argc * sizeof(char *);
	for (uint32_t i = 0; i < argc; i++)
		v[i] = put_str(p, argv[i]);
	return argc ? v : NULL;
}

void fmt_event_copy(struct fmt_event *dst, const struct fmt_event *ev, void *extra)
{
	char *p = extra;

	*dst = *ev;
	switch (ev->stream) {
	case FMT_STREAM_EXEC: {
		struct fmt_exec *e = &dst->exec;
		e->argv = put_argv(&p, e->argc, e->argv);
		e->comm = put_str(&p, e->comm);
		e->pcomm = put_str(&p, e->pcomm);
		e->filename = put_str(&p, e->filename);
		e->interp = put_str(&p, e->interp);
		e->cwd = put_str(&p, e->cwd);
		break;
	}
	case FMT_STREAM_PROC: {
		struct fmt_proc *r = &dst->proc;
		r->argv = put_argv(&p, r->argc, r->argv);
		r->comm = put_str(&p, r->comm);
		r->exe = put_str(&p, r->exe);
		r->cwd = put_str(&p, r->cwd);
		break;
	}
	case FMT_STREAM_CGROUP:
		dst->cgroup.path = put_str(&p, dst->cgroup.path);
		break;
	default:
		break;
	}
}
