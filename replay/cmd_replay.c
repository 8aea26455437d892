/* cmd_replay.c - `ebpfreport replay FILE...`: every event of every file in
 * time order, one line each (JSON lines with --json, CSV with --csv),
 * optionally paced as recorded (--speed) or following a live session
 * (--follow); with --ipfix or --netflow9 the flow rows go to a collector
 * instead (ipfix_replay.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_out.h"
#include "ipfix_replay.h"
#include "json.h"
#include "report.h"
#include "options.h"

struct replay {
	struct json j;
	double first_wall; /* pacing origin: first event's wall clock (ns) */
	double start_mono; /* and when we printed it */
	uint64_t last_ts; /* --follow: where to resume (boot clock, file 0) */
	uint64_t seen_at_last; /* events already printed with ts == last_ts */
	uint64_t skip; /* on resume: events at last_ts to skip */
	int broken; /* stdout failed */
	struct ipfix_replay *exp; /* --ipfix / --netflow9, else NULL */
	int failed; /* sending to the collector failed (said) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int print(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct replay *p = ctx;
	uint64_t ts = fmt_event_ts(ev);

	if (stop)
		return 1;
	if (p->skip && ts == p->last_ts) { /* printed before the reopen */
		p->skip--;
		return 0;
	}
	p->skip = 0;
	if (r->speed > 0) {
		/* in double: a hostile file's times and clock offset may be
		 * anything, and no sum of them may overflow */
		double w = (double)ts + (double)fmt_reader_clock_offset(r->readers[ev->source]);
		double due, left;
		if (!p->start_mono) {
			p->first_wall = w;
			p->start_mono = report_clock();
		}
		due = p->start_mono + (w - p->first_wall) / 1e9 / r->speed;
		if (due > report_clock()) {
			fflush(stdout);
			if (p->exp && (p->failed = ipfix_replay_flush(p->exp)))
				return 1;
		}
		/* a second at a time: a long gap can be interrupted */
		while (!stop && (left = due - report_clock()) > 0)
			usleep(left > 1 ? 1000000 : (useconds_t)(left * 1e6));
		if (stop)
			return 1;
	}
	if (p->exp) {
		if ((p->failed = ipfix_replay_event(p->exp, r, ev)))
			return 1;
	} else if (r->out == OUT_JSON) {
		event_json(r, ev, &p->j);
		if (json_flush(&p->j, stdout) || putchar('\n') == EOF)
			p->broken = 1;
	} else if (r->out == OUT_CSV) {
		event_csv(r, ev, stdout);
	} else {
		event_line(r, ev, stdout);
	}
	if (ferror(stdout))
		p->broken = 1;
	if (ts == p->last_ts) {
		p->seen_at_last++;
	} else {
		p->last_ts = ts;
		p->seen_at_last = 1;
	}
	return p->broken;
}

/* --follow: reopen the (single) file until its recorder closes it, or is
 * gone without closing it (killed: nothing holds the writer's lock). The
 * recorder rewrites its growing chunks, so each round reads from the last
 * printed timestamp and skips what was already printed at it. */
static int follow(struct report *r, struct replay *p)
{
	int rc = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop && !p->broken && !p->failed) {
		int clean = fmt_reader_closed_clean(r->readers[0]);
		char *err = NULL;

		fflush(stdout);
		if (p->exp && (p->failed = ipfix_replay_flush(p->exp)))
			break;
		if (clean)
			break;
		if (!fmt_reader_being_written(r->readers[0])) {
			report_err("%s: not being recorded any more, and not closed cleanly "
				   "(recorder killed?); stopped following",
				   r->paths[0]);
			break;
		}
		/* closed while we wait, so the recorder can finish its file */
		fmt_reader_close(r->readers[0]);
		r->readers[0] = NULL;
		sleep(1);
		if (fmt_reader_open(r->paths[0], &r->readers[0], &err)) {
			report_err("%s", err ? err : r->paths[0]);
			free(err);
			r->readers[0] = NULL;
			r->nfiles = 0;
			return 1;
		}
		r->f.set |= 1u << FILTER_SINCE;
		r->f.since_rel = false;
		r->f.since = (int64_t)p->last_ts + fmt_reader_clock_offset(r->readers[0]);
		p->skip = p->seen_at_last;
		rc = report_each(r, print, p);
	}
	return rc;
}

static int run(struct report *r)
{
	struct replay p = { 0 };
	int rc;

	if (r->follow && r->nfiles != 1) {
		report_err("--follow reads one file");
		return 2;
	}
	if (r->collector) {
		if ((rc = ipfix_replay_open(r, &p.exp)))
			return rc;
		/* stopped, the summary still says what was sent */
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	} else if (r->out == OUT_CSV) {
		event_csv_header(stdout);
	}
	rc = report_each(r, print, &p);
	if (r->follow && !p.broken && !p.failed)
		rc = follow(r, &p);
	json_free(&p.j);
	if (p.exp) /* a signal ends --follow; it interrupts a replay (128 + SIGINT) */
		return ipfix_replay_close(p.exp, stop && !r->follow ? 130 : rc, stop);
	return p.broken ? 1 : rc; /* main says "write error" */
}

const struct report_cmd cmd_replay = {
	.name = "replay",
	.args = "FILE...",
	.summary = "every event in time order (--speed, --follow), or the flows to an IPFIX "
		   "collector",
	.opts = OPT(SPEED) | OPT(FOLLOW) | OPT(JSON) | OPT(CSV) | OPT(UTC) | OPT(IPFIX) |
		OPT(NETFLOW9) | OPT(RATE) | OPT(TEMPLATE_REFRESH) | OPT(MTU) | OPT_READING,
	.run = run,
};
