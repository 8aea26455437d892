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
#include "exec_source.h"
#include "flow_source.h"
#include "ifaces.h"
#include "fmt.h"
#include "fmt_meta.h"
#include "hostinfo.h"
#include "notice.h"
#include "options.h"
#include "owner_source.h"
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

/* Under sudo the file belongs to the user who asked for it. */
static void give_to_sudo_user(const char *path)
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

int main(int argc, char **argv)
{
	struct rec_options o;
	struct fmt_writer *w = NULL;
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
	char err[512], *errmsg = NULL, *text;
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
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = fmt_writer_create(o.output, o.force ? FMT_CREATE_FORCE : 0, NULL, &w, &errmsg);
	if (rc)
		die("%s", errmsg);
	give_to_sudo_user(o.output);
	sink = sink_new(w, o.queue_size);
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

	pr.out = stdout;
	if (!o.no_exec) {
		x = exec_source_open(&o, sink, o.print ? &pr : NULL, err, sizeof(err));
		if (!x) {
			sink_close(sink, &errmsg);
			unlink(o.output); /* nothing recorded: leave no empty session behind */
			die("%s", err);
		}
	}
	/* the processes and cgroups the records will name, read once the exec
	 * hooks are live so that no process escapes both */
	if (!o.no_exec || (!o.no_net && !o.no_owners)) {
		cx = context_source_open(&o, sink, o.print ? &pr : NULL, err, sizeof(err));
		if (!cx) {
			exec_source_close(x);
			sink_close(sink, &errmsg);
			unlink(o.output);
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
			sink_close(sink, &errmsg);
			unlink(o.output);
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
	if (x) {
		ev.data.fd = exec_source_fd(x);
		epoll_ctl(epfd, EPOLL_CTL_ADD, exec_source_fd(x), &ev);
	}
	if (cx) {
		ev.data.fd = context_source_fd(cx);
		epoll_ctl(epfd, EPOLL_CTL_ADD, context_source_fd(cx), &ev);
	}

	status_init(&status, o.output, o.progress, start_ns);
	status_start(&status, &o);
	while (!interrupted && !failed) {
		struct epoll_event evs[4];
		int n = epoll_wait(epfd, evs, 4, -1);

		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == sizeof(si))
					interrupted = 1;
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
			}
		}
		/* drain on every wakeup: the timer bounds the latency */
		if ((x && exec_source_consume(x) < 0) || (cx && context_source_consume(cx) < 0))
			die("reading the ring buffer failed");
		if (pr.write_error)
			die("write error on standard output");
	}

	/* a second Ctrl-C while closing exits at once; the file stays readable */
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
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
		rc = sink_close(sink, &errmsg);
		if (rc || failed) {
			fprintf(stderr, "ebpfrec: %s; '%s' holds everything recorded before this\n",
				errmsg ? errmsg : "writing the session failed", o.output);
			free(errmsg);
			return 1;
		}
		status_summary(&status, &c, &fc, &st);
	}
	print_free(&pr);
	return 0;
}
