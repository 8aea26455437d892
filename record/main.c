/* main.c - ebpfrec: record execs, exits (and flows) into a session file.
 *
 * One thread runs the event loop (epoll over the ring buffer, a timer and
 * signals); compression and SQLite writes happen on the sink's writer
 * thread. Every second the growing chunks are flushed, so a SIGKILL loses
 * at most about a second of events.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "context_source.h"
#include "control.h"
#include "exec_source.h"
#include "flow_source.h"
#include "ifaces.h"
#include "fmt.h"
#include "fmt_meta.h"
#include "hostinfo.h"
#include "notice.h"
#include "options.h"
#include "owner_source.h"
#include "output.h"
#include "print.h"
#include "privs.h"
#include "sink.h"
#include "status.h"

#define TICK_MS 50 /* ring buffer drain period */
#define FLUSH_TICKS (1000 / TICK_MS)
#define STATUS_TICKS (250 / TICK_MS)

static int verbose;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ebpfrec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (!verbose)
		return 0; /* errors are reported by us, in one line */
	return vfprintf(stderr, fmt, ap);
}

static void check_system(const struct rec_options *o)
{
	char msg[256];

	if (privs_check(!o->no_net, msg, sizeof(msg)))
		die("%s", msg);
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		die("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); ebpfrec needs "
		    "a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

static void set_meta_counters(struct sink *s, struct exec_source *x, struct flow_source *fl,
			      struct owner_source *ow, struct context_source *cx, uint64_t end_ns)
{
	struct exec_counts c = { 0 };
	struct flow_counts fc = { 0 };
	struct owner_counts oc = { 0 };
	struct context_counts cc = { 0 };
	struct sink_stats st;

	if (cx) {
		context_source_counts(cx, &cc);
		sink_meta_u64(s, FMT_META_PROCS_UNNAMED, cc.unnamed);
		sink_meta_u64(s, FMT_META_LOST_CGROUPS, cc.lost_cgroups);
		sink_meta_u64(s, FMT_META_CGROUP_WALK_ERRORS, cc.walk_errors);
	}
	if (x)
		exec_source_counts(x, &c);
	if (fl) {
		flow_source_counts(fl, &fc);
		sink_meta_u64(s, FMT_META_LOST_FLOW_OVERFLOW, fc.overflow_packets);
	}
	if (ow) {
		owner_source_counts(ow, &oc);
		sink_meta_u64(s, FMT_META_LOST_OWNERS, oc.owners_full + oc.endpoints_full);
	}
	sink_stats(s, &st);
	sink_meta_u64(s, FMT_META_LOST_RINGBUF, c.lost_ringbuf);
	sink_meta_u64(s, FMT_META_LOST_RINGBUF_EXEC, c.lost_ringbuf_exec);
	sink_meta_u64(s, FMT_META_LOST_RINGBUF_EXIT, c.lost_ringbuf_exit);
	sink_meta_u64(s, FMT_META_LOST_QUEUE, st.lost_queue);
	sink_meta_u64(s, FMT_META_QUEUE_PEAK_BYTES, st.queue_peak_bytes);
	sink_meta_u64(s, FMT_META_ARGV_TRUNCATED, c.argv_truncated);
	sink_meta_u64(s, FMT_META_FAILED_EXECS, c.failed);
	sink_meta_u64(s, FMT_META_END_NS, end_ns);
}

/* The recorder's sources, for what a cut does with them. */
struct sources {
	struct exec_source *x;
	struct flow_source *fl;
	struct owner_source *ow;
	struct context_source *cx;
};

/* Before a file ends or a dump is cut at now: end the flow interval, take
 * in the ring buffer, write the counters, so all of it comes before. */
static void take_in(struct sink *s, const struct sources *src, uint64_t now,
		    uint64_t *last_drain_ns)
{
	struct exec_source *x = src->x;
	struct flow_source *fl = src->fl;
	char err[512];

	if (fl) {
		if (flow_source_drain(fl, now, err, sizeof(err)))
			die("%s", err);
		*last_drain_ns = now;
	}
	if (x && exec_source_consume(x) < 0)
		die("reading the ring buffer failed");
	set_meta_counters(s, x, fl, src->ow, src->cx, now);
}

/* End a file or cut a dump at now. Each file and each dump names the
 * processes and cgroups it mentions: a dump holds a table taken as it is
 * cut (its window rarely reaches back to the first), the next file of a
 * series one taken as it begins. */
static void cut(struct sink *s, const struct sources *src, struct control *ctl,
		const struct rec_options *o, uint64_t *last_drain_ns)
{
	uint64_t now = host_boot_ns();

	take_in(s, src, now, last_drain_ns);
	if (src->cx && o->out.ring_ns && context_source_snapshot(src->cx))
		rec_notice("cannot read the process table again: %s", strerror(errno));
	control_cut(ctl, now);
	if (src->cx && !o->out.ring_ns && context_source_snapshot(src->cx))
		rec_notice("cannot read the process table again: %s", strerror(errno));
}

/* Nothing recorded: leave no empty session behind. */
static void discard(struct sink *sink, struct output *out)
{
	char path[4096], *errmsg = NULL;

	output_path(out, path, sizeof(path));
	sink_close(sink, &errmsg);
	free(errmsg);
	if (*path)
		fmt_remove_file(path);
}

int main(int argc, char **argv)
{
	struct rec_options o;
	struct output *out;
	struct control *ctl;
	struct sink *sink;
	struct exec_source *x = NULL;
	struct flow_source *fl = NULL;
	struct owner_source *ow = NULL;
	struct context_source *cx = NULL;
	static struct iface_list ifs;
	uint64_t last_drain_ns = 0;
	struct flow_counts fc = { 0 };
	struct printer pr = { 0 };
	struct status status;
	struct epoll_event ev;
	struct itimerspec its = { { 0, TICK_MS * 1000000 }, { 0, TICK_MS * 1000000 } };
	sigset_t mask;
	char err[512], path[4096], *errmsg = NULL, *text;
	uint64_t start_ns, ticks = 0;
	int epfd, tfd, sfd, rc, interrupted = 0, failed = 0;

	rec_options_parse(argc, argv, &o);
	verbose = o.verbose;
	libbpf_set_print(libbpf_print);
	check_system(&o);

	/* signals are read from a signalfd in the loop */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1); /* the flight recorder's "dump now" */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!(out = output_open(&o, &errmsg)))
		die("%s", errmsg);
	sink = sink_new(out, o.queue_size);
	if (!sink)
		die("out of memory");
	start_ns = host_boot_ns();
	pr.clock_offset_ns = host_clock_offset_ns(); /* --print lines match replay's */
	host_meta(sink, pr.clock_offset_ns);
	text = host_cmdline(argc, argv);
	sink_meta(sink, FMT_META_CMDLINE, text);
	free(text);
	text = rec_options_json(&o);
	sink_meta(sink, FMT_META_OPTIONS, text);
	free(text);
	sink_meta_u64(sink, FMT_META_START_NS, start_ns);
	sink_meta_u64(sink, FMT_META_INTERVAL_NS, o.interval_ns);

	if (!(ctl = control_new(&o, sink, out, err, sizeof(err)))) {
		discard(sink, out);
		die("%s", err);
	}

	pr.out = stdout;
	if (!o.no_exec) {
		x = exec_source_open(&o, sink, o.print ? &pr : NULL, err, sizeof(err));
		if (!x) {
			discard(sink, out);
			die("%s", err);
		}
	}
	/* the processes and cgroups the records will name, read once the exec
	 * hooks are live so that no process escapes both */
	if (!o.no_exec || (!o.no_net && !o.no_owners)) {
		cx = context_source_open(&o, sink, o.print ? &pr : NULL, err, sizeof(err));
		if (!cx) {
			exec_source_close(x);
			discard(sink, out);
			die("%s", err);
		}
	}
	if (!o.no_net) {
		if (ifaces_select(&ifs, o.ifaces, o.nifaces, o.netns, o.nnetns, err, sizeof(err)) == 0 &&
		    !ifs.n)
			snprintf(err, sizeof(err), "no interface is up (use -i IFACE or --no-net)");
		if (ifs.n && !o.no_owners) {
			char oerr[512];
			ow = owner_source_open(&o, &ifs, oerr, sizeof(oerr));
			if (!ow) /* flows are still counted, without owners */
				rec_notice("flows are not attributed to processes: %s", oerr);
		}
		sink_meta(sink, FMT_META_OWNERS, ow ? "sockets" : "off");
		pr.owners = ow != NULL;
		if (ifs.n)
			fl = flow_source_open(&o, &ifs, sink, o.print ? &pr : NULL, ow, err,
					      sizeof(err));
		if (!fl) {
			exec_source_close(x);
			context_source_close(cx);
			owner_source_close(ow);
			discard(sink, out);
			die("%s", err);
		}
		if (ow) {
			struct owner_counts oc;
			owner_source_counts(ow, &oc);
			sink_meta_u64(sink, FMT_META_SOCKETS_AT_START, oc.seeded);
			if (o.verbose)
				fprintf(stderr, "ebpfrec: %llu sockets open at start, found in %.1f ms\n",
					(unsigned long long)oc.seeded, (double)oc.seed_ns / 1e6);
		}
		text = ifaces_json(&ifs);
		sink_meta(sink, FMT_META_INTERFACES, text);
		free(text);
		last_drain_ns = host_boot_ns();
		flow_source_start(fl, last_drain_ns);
	}
	/* tells readers (and tests) that the probes are live */
	sink_meta_u64(sink, FMT_META_ATTACHED_NS, host_boot_ns());
	sink_flush(sink);

	epfd = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (epfd < 0 || tfd < 0 || sfd < 0 || timerfd_settime(tfd, 0, &its, NULL))
		die("cannot set up the event loop: %s", strerror(errno));
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = tfd };
	epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = sink_error_fd(sink);
	epoll_ctl(epfd, EPOLL_CTL_ADD, sink_error_fd(sink), &ev);
	if (control_fd(ctl) >= 0) {
		ev.data.fd = control_fd(ctl);
		epoll_ctl(epfd, EPOLL_CTL_ADD, control_fd(ctl), &ev);
	}
	if (x) {
		ev.data.fd = exec_source_fd(x);
		epoll_ctl(epfd, EPOLL_CTL_ADD, exec_source_fd(x), &ev);
	}
	if (cx) {
		ev.data.fd = context_source_fd(cx);
		epoll_ctl(epfd, EPOLL_CTL_ADD, context_source_fd(cx), &ev);
	}

	status_init(&status, out, o.progress, start_ns);
	status_start(&status, &o);
	control_start(ctl);
	while (!interrupted && !failed) {
		struct epoll_event evs[4];
		int n = epoll_wait(epfd, evs, 4, -1);

		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo != SIGUSR1)
					interrupted = 1;
				else if (control_signal(ctl, SIGUSR1, si.ssi_pid, host_boot_ns()))
					rec_notice("SIGUSR1 ignored: it asks the flight recorder (--ring) "
						   "for a dump");
			} else if (fd == tfd) {
				uint64_t expirations;
				if (read(tfd, &expirations, sizeof(expirations)) < 0)
					continue;
				ticks++;
				if (fl && host_boot_ns() - last_drain_ns >= o.interval_ns) {
					last_drain_ns = host_boot_ns();
					if (flow_source_drain(fl, last_drain_ns, err, sizeof(err)))
						die("%s", err);
					if (ow)
						owner_source_expire(ow, last_drain_ns);
				}
				if (ticks % FLUSH_TICKS == 0) {
					if (fl && flow_source_check_ifaces(fl)) {
						text = ifaces_json(&ifs);
						sink_meta(sink, FMT_META_INTERFACES, text);
						free(text);
					}
					set_meta_counters(sink, x, fl, ow, cx, host_boot_ns());
					sink_flush(sink);
				}
				if (ticks % STATUS_TICKS == 0)
					status_update(&status, x, sink);
				if (o.duration > 0 &&
				    host_boot_ns() - start_ns >= (uint64_t)(o.duration * 1e9))
					interrupted = 1;
			} else if (fd == sink_error_fd(sink)) {
				failed = 1;
			} else if (fd == control_fd(ctl)) {
				control_fd_ready(ctl);
			}
		}
		/* drain on every wakeup: the timer bounds the latency */
		if ((x && exec_source_consume(x) < 0) || (cx && context_source_consume(cx) < 0))
			die("reading the ring buffer failed");
		if (!failed && control_due(ctl, host_boot_ns())) /* rotate, dump */
			cut(sink, &(struct sources){ x, fl, ow, cx }, ctl, &o, &last_drain_ns);
		if (pr.write_error)
			die("write error on standard output");
	}

	/* a triggered dump still waiting for --after is written with what is there */
	if (!failed && control_stop(ctl))
		cut(sink, &(struct sources){ x, fl, ow, cx }, ctl, &o, &last_drain_ns);
	/* a second Ctrl-C while closing exits at once; the file stays readable */
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	control_free(ctl);
	if (x)
		exec_source_consume(x);
	if (fl) { /* detach, then count what the last partial interval saw */
		flow_source_close(fl, host_boot_ns(), &fc);
		ifaces_release(&ifs);
		if (ow) {
			struct owner_counts oc;
			owner_source_counts(ow, &oc);
			sink_meta_u64(sink, FMT_META_LOST_OWNERS, oc.owners_full + oc.endpoints_full);
			owner_source_close(ow);
			ow = NULL;
		}
		fl = NULL;
		sink_meta_u64(sink, FMT_META_LOST_FLOW_OVERFLOW, fc.overflow_packets);
	}
	if (cx)
		context_source_consume(cx);
	set_meta_counters(sink, x, NULL, NULL, cx, host_boot_ns());
	context_source_close(cx);
	status_finish_line(&status);
	{
		struct exec_counts c = { 0 };
		struct sink_stats st;
		if (x)
			exec_source_counts(x, &c);
		sink_stats(sink, &st);
		exec_source_close(x);
		output_path(out, path, sizeof(path));
		status_output(&status);
		rc = sink_close(sink, &errmsg);
		if (rc || failed) {
			if (*path)
				fprintf(stderr, "ebpfrec: %s; '%s' holds everything recorded before this\n",
					errmsg ? errmsg : "writing the session failed", path);
			else
				fprintf(stderr, "ebpfrec: %s\n", errmsg ? errmsg : "recording failed");
			free(errmsg);
			return 1;
		}
		status_summary(&status, &c, &fc, &st);
	}
	print_free(&pr);
	return 0;
}
