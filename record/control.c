/* control.c - see control.h. Runs on the event loop's thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "files.h"
#include "options.h"
#include "output.h"
#include "ring.h"
#include "sink.h"
#include "trigger.h"

#define NS 1000000000ll

struct control {
	const struct out_options *oo;
	struct sink *sink;
	struct output *out;
	/* rotation */
	int tfd; /* CLOCK_REALTIME, armed at the next boundary */
	int64_t next_s; /* that boundary, wall-clock seconds */
	int boundary; /* it passed */
	int size_wait; /* a rotation by size is queued: wait for the new file */
	/* flight recorder */
	struct trigger *trig;
	int pending; /* a trigger waits for --after to pass */
	struct ring_dump job; /* its dump */
	uint64_t due;
	int signalled; /* SIGUSR1: a dump at once */
	struct ring_dump now_job;
};

/* The next boundary after now: a multiple of the period in local time
 * (10m: :00, :10, ...; 1d: midnight). */
static int64_t next_boundary(int64_t now, int64_t every)
{
	struct tm tm;
	time_t t = (time_t)now, n;
	int64_t off, next;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	next = ((now + off) / every + 1) * every - off;
	n = (time_t)next;
	localtime_r(&n, &tm); /* a change of UTC offset (DST) on the way */
	if (tm.tm_gmtoff != off && next - (tm.tm_gmtoff - off) > now)
		next -= tm.tm_gmtoff - off;
	return next;
}

static void arm(struct control *c)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct timespec now;

	/* not time(): it reads a coarse clock that may still be before the
	 * boundary that just passed, which would arm the timer in the past */
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec < c->next_s)
		now.tv_sec = (time_t)c->next_s; /* never the same boundary twice */
	c->next_s = next_boundary((int64_t)now.tv_sec, (int64_t)(c->oo->rotate_every_ns / NS));
	its.it_value.tv_sec = (time_t)c->next_s;
	/* a clock set (date, NTP step) cancels the timer: it is armed again */
	timerfd_settime(c->tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

/* The sink's tap: each exec and exit, before it is queued. */
static void tap(void *ctx, const struct fmt_event *ev)
{
	struct control *c = ctx;
	struct trigger_hit hit;
	struct ring_pin *pin;

	if (!trigger_check(c->trig, ev, &hit))
		return;
	if (c->pending) { /* in the window of the dump being waited for */
		c->job.triggers++;
		return;
	}
	c->pending = 1;
	c->due = hit.ts + c->oo->after_ns;
	c->job = (struct ring_dump){ .out = c->out, .hit = hit, .triggers = 1, .unpin = 1 };
	c->job.from = hit.ts > c->oo->ring_ns ? hit.ts - c->oo->ring_ns : 0;
	/* the ring must keep what this dump needs until --after has passed */
	if ((pin = malloc(sizeof(*pin)))) {
		*pin = (struct ring_pin){ .out = c->out, .from = c->job.from };
		sink_call(c->sink, ring_pin_call, pin);
	}
}

struct control *control_new(const struct rec_options *o, struct sink *s, struct output *out,
			    char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->oo = &o->out;
	c->sink = s;
	c->out = out;
	c->tfd = -1;
	if (o->out.rotate_every_ns) {
		c->tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
		if (c->tfd < 0) {
			snprintf(err, errlen, "cannot watch the clock: %s", strerror(errno));
			free(c);
			return NULL;
		}
	}
	if (o->out.ring_ns && (o->out.ntrigger_exit || o->out.ntrigger_exec ||
			       o->out.trigger_failed_exec)) {
		if (!(c->trig = trigger_new(&o->out))) {
			snprintf(err, errlen, "out of memory");
			control_free(c);
			return NULL;
		}
		sink_set_tap(s, tap, c);
	}
	return c;
}

void control_start(struct control *c)
{
	if (c->tfd >= 0)
		arm(c);
}

int control_fd(const struct control *c)
{
	return c->tfd;
}

void control_fd_ready(struct control *c)
{
	uint64_t n;

	if (read(c->tfd, &n, sizeof(n)) == sizeof(n))
		c->boundary = 1;
	else if (errno == ECANCELED) /* the clock was set: find the boundary again */
		arm(c);
}

int control_signal(struct control *c, int signo, uint32_t pid, uint64_t now)
{
	if (!c->oo->ring_ns)
		return -1;
	c->signalled = 1;
	c->now_job = (struct ring_dump){ .out = c->out, .triggers = 1 };
	c->now_job.from = now > c->oo->ring_ns ? now - c->oo->ring_ns : 0;
	trigger_signal_hit(&c->now_job.hit, signo, pid, now);
	return 0;
}

static int size_due(struct control *c)
{
	uint64_t bytes;

	if (!c->oo->rotate_size)
		return 0;
	bytes = output_bytes(c->out);
	if (c->size_wait && bytes < c->oo->rotate_size)
		c->size_wait = 0; /* the new file is there */
	return !c->size_wait && bytes >= c->oo->rotate_size;
}

int control_due(struct control *c, uint64_t now)
{
	return c->boundary || c->signalled || (c->pending && now >= c->due) || size_due(c);
}

/* Queue a copy of job. */
static void dump(struct control *c, const struct ring_dump *job, uint64_t now)
{
	struct ring_dump *d = malloc(sizeof(*d));

	if (!d)
		return;
	*d = *job;
	d->to = now; /* the drain just now: the whole interval up to now is in */
	sink_call(c->sink, ring_dump_call, d);
}

void control_cut(struct control *c, uint64_t now)
{
	int by_size = size_due(c);

	if (c->boundary || by_size) {
		struct files_rotate *r = malloc(sizeof(*r));
		if (r) {
			/* a file begun at a boundary is named for it, not for the
			 * moment the timer was read */
			*r = (struct files_rotate){ .out = c->out, .now_ns = now,
						    .wall_s = c->boundary ? c->next_s : time(NULL) };
			sink_call(c->sink, files_rotate_call, r);
		}
		if (c->boundary)
			arm(c);
		c->boundary = 0;
		if (c->oo->rotate_size)
			c->size_wait = 1; /* until the writer has started the next file */
	}
	if (c->signalled) {
		dump(c, &c->now_job, now);
		c->signalled = 0;
	}
	if (c->pending && now >= c->due) {
		dump(c, &c->job, now);
		c->pending = 0;
	}
}

int control_stop(struct control *c)
{
	c->boundary = 0; /* no new file now */
	c->size_wait = 1;
	if (c->pending)
		c->due = 0;
	return c->pending || c->signalled;
}

void control_free(struct control *c)
{
	if (!c)
		return;
	if (c->tfd >= 0)
		close(c->tfd);
	trigger_free(c->trig);
	free(c);
}
