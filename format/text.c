/* text.c - see fmt_text.h. */
#define _GNU_SOURCE /* sigabbrev_np */
#include <arpa/inet.h>
#include <ctype.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "fmt_names.h"
#include "fmt_text.h"

void fmt_text_arg(FILE *f, const char *a)
{
	int plain = *a != 0;

	for (const char *s = a; *s && plain; s++)
		if (!isgraph((unsigned char)*s) || strchr("'\"\\$`!*?;&|<>(){}[]#~", *s))
			plain = 0;
	if (plain) {
		fputs(a, f);
		return;
	}
	fputc('\'', f);
	for (const unsigned char *s = (const unsigned char *)a; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", *s);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

size_t fmt_text_join_ids(char *buf, size_t len, uint32_t argc, const char *const *str,
			 const uint32_t *ids)
{
	size_t n = 0;

	for (uint32_t i = 0; i < argc && n < len - 1; i++) {
		const char *arg = str[ids ? ids[i] : i];
		size_t l = strlen(arg);
		if (i)
			buf[n++] = ' ';
		if (l > len - 1 - n)
			l = n < len - 1 ? len - 1 - n : 0;
		memcpy(buf + n, arg, l);
		n += l;
	}
	if (n >= len)
		n = len - 1;
	buf[n] = 0;
	return n;
}

size_t fmt_text_join(char *buf, size_t len, uint32_t argc, const char *const *argv)
{
	return fmt_text_join_ids(buf, len, argc, argv, NULL);
}

char *fmt_text_join_argv(char *buf, size_t len, uint32_t argc, const char *const *argv)
{
	fmt_text_join(buf, len, argc, argv);
	return buf;
}

char *fmt_text_wall(char *buf, size_t len, int64_t wall_ns, bool utc, bool frac)
{
	time_t s = (time_t)(wall_ns / 1000000000);
	struct tm tm;
	size_t n;

	if (utc)
		gmtime_r(&s, &tm);
	else
		localtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	if (frac && n < len)
		snprintf(buf + n, len - n, ".%06lld", (long long)(wall_ns % 1000000000) / 1000);
	return buf;
}

char *fmt_text_duration(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000;

	if (s >= 3600)
		snprintf(buf, len, "%lluh%02llum%02llus", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (ns >= 1000000000)
		snprintf(buf, len, "%.1fs", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.0fus", ns / 1e3);
	return buf;
}

char *fmt_text_addr(char *buf, size_t len, uint8_t family, const uint8_t *a)
{
	if (family == FMT_FAMILY_IPV4)
		inet_ntop(AF_INET, a, buf, (socklen_t)len);
	else if (family == FMT_FAMILY_IPV6)
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *fmt_text_proto(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, len, "ip%u", proto);
		return buf;
	}
}

char *fmt_text_flow(char *buf, size_t len, const char *iface, const struct fmt_flow_key *k)
{
	char ifn[64], src[64], dst[64], pb[16];
	const char *dir = k->dir == FMT_DIR_EGRESS ? "out" : "in ";

	if (iface)
		snprintf(ifn, sizeof(ifn), "%s", iface);
	else
		snprintf(ifn, sizeof(ifn), "if%u", k->ifindex);
	if (k->family == FMT_FAMILY_OVERFLOW) {
		snprintf(buf, len, "%s %s (flow table full: overflow)", ifn, dir);
		return buf;
	}
	if (k->family == FMT_FAMILY_OTHER) {
		snprintf(buf, len, "%s %s (non-IP or malformed)", ifn, dir);
		return buf;
	}
	fmt_text_addr(src, sizeof(src), k->family, k->src);
	fmt_text_addr(dst, sizeof(dst), k->family, k->dst);
	if (k->proto == 6 || k->proto == 17 || k->proto == 132)
		snprintf(buf, len, k->family == FMT_FAMILY_IPV6 ? "%s %s %s [%s]:%u -> [%s]:%u" :
								"%s %s %s %s:%u -> %s:%u",
			 ifn, dir, fmt_text_proto(k->proto, pb, sizeof(pb)), src, k->sport, dst, k->dport);
	else if (k->proto == 1 || k->proto == 58)
		snprintf(buf, len, "%s %s %s %s -> %s type %u code %u", ifn, dir,
			 fmt_text_proto(k->proto, pb, sizeof(pb)), src, dst, k->sport, k->dport);
	else
		snprintf(buf, len, "%s %s %s %s -> %s", ifn, dir, fmt_text_proto(k->proto, pb, sizeof(pb)),
			 src, dst);
	return buf;
}

/* argv, quoted; for a #! script, the path run and the arguments after it
 * (the kernel put the interpreter, and its argument, before them). */
static void text_argv(FILE *f, const char *filename, const char *interp, uint32_t argc,
		      const char *const *argv)
{
	uint32_t from = 0;

	if (interp && filename)
		for (uint32_t i = 1; i < argc && i < 3; i++)
			if (!strcmp(argv[i], filename)) {
				from = i;
				break;
			}
	for (uint32_t i = from; i < argc; i++) {
		if (i > from)
			fputc(' ', f);
		fmt_text_arg(f, argv[i]);
	}
	if (!argc && filename)
		fmt_text_arg(f, filename);
	if (interp) {
		fputs(" [#! ", f);
		fmt_text_arg(f, interp);
		fputc(']', f);
	}
}

void fmt_text_event(FILE *f, const struct fmt_event *ev, const struct fmt_text_opts *o)
{
	char t[64], fl[256];

	fputs(fmt_text_wall(t, sizeof(t), (int64_t)fmt_event_ts(ev) + o->clock_offset, o->utc, true),
	      f);
	if (o->source)
		fprintf(f, " [%s]", o->source);
	switch (ev->stream) {
	case FMT_STREAM_EXEC: {
		const struct fmt_exec *e = &ev->exec;
		fprintf(f, " exec %7u ppid %-7u uid %-5u %-15s ", e->pid, e->ppid, e->uid, e->comm);
		if (e->ret < 0)
			fprintf(f, "[failed: %s] ", strerror(-e->ret));
		text_argv(f, e->filename, e->interp, e->argc, e->argv);
		if (e->flags & FMT_EXEC_ARGV_TRUNCATED)
			fputs(" [argv truncated]", f);
		break;
	}
	case FMT_STREAM_PROC: {
		const struct fmt_proc *p = &ev->proc;
		fprintf(f, " proc %7u ppid %-7u uid %-5u %-15s ", p->pid, p->ppid, p->uid, p->comm);
		if (p->flags & FMT_PROC_KTHREAD)
			fputs("[kernel thread]", f);
		else
			text_argv(f, p->exe, NULL, p->argc, p->argv);
		if (p->flags & FMT_EXEC_ARGV_TRUNCATED)
			fputs(" [argv truncated]", f);
		break;
	}
	case FMT_STREAM_CGROUP: {
		static const char *const kinds[] = { "present", "created", "removed" };
		fprintf(f, " cgroup %llu %s ", (unsigned long long)ev->cgroup.cgroup_id,
			ev->cgroup.kind < 3 ? kinds[ev->cgroup.kind] : "?");
		fmt_text_arg(f, ev->cgroup.path);
		break;
	}
	case FMT_STREAM_EXIT: {
		const struct fmt_exit *x = &ev->exit;
		fprintf(f, " exit %7u ppid %-7u ", x->pid, x->ppid);
		if (o->owner)
			fprintf(f, "%-15s ", o->owner);
		if (x->signal && sigabbrev_np((int)x->signal))
			fprintf(f, "killed by SIG%s", sigabbrev_np((int)x->signal));
		else if (x->signal)
			fprintf(f, "killed by signal %u", x->signal);
		else
			fprintf(f, "code %u", x->exit_code);
		fprintf(f, " after %s", fmt_text_duration(t, sizeof(t), x->ts_ns - x->start_ns));
		break;
	}
	default:
		fprintf(f, " flow %s +%llu pkts +%llu bytes",
			fmt_text_flow(fl, sizeof(fl), o->iface, &ev->flow.key),
			(unsigned long long)ev->flow.packets, (unsigned long long)ev->flow.bytes);
		if (ev->flow.owner.pid && o->owner)
			fprintf(f, " [by %s %u]", o->owner, ev->flow.owner.pid);
		else if (ev->flow.owner.pid)
			fprintf(f, " [by pid %u]", ev->flow.owner.pid);
		else if (o->owners)
			fputs(" [no local socket]", f);
	}
	fputc('\n', f);
}

void fmt_text_name(struct fmt_text_opts *o, const struct fmt_names *names,
		   const struct fmt_event *ev)
{
	struct fmt_name nm;

	o->owner = NULL;
	if (ev->stream == FMT_STREAM_FLOW &&
	    fmt_names_get(names, ev->source, ev->flow.owner.pid, ev->flow.owner.start_ns,
			  ev->flow.ts_ns, &nm) == 0)
		o->owner = nm.comm;
	else if (ev->stream == FMT_STREAM_EXIT &&
		 fmt_names_get(names, ev->source, ev->exit.pid, ev->exit.start_ns, ev->exit.ts_ns,
			       &nm) == 0)
		o->owner = nm.comm;
}
