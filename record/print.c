/* print.c - live event lines for --print (time pid ppid uid comm argv). */
#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "fmt_text.h"

static void put_time(struct printer *p, uint64_t ts)
{
	int64_t wall = (int64_t)ts + p->clock_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;
	char buf[16];

	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(p->out, "%s.%06lld ", buf, (long long)(wall % 1000000000) / 1000);
}

static void header(struct printer *p)
{
	if (p->header_done)
		return;
	p->header_done = 1;
	fprintf(p->out, "%-15s %-5s %7s %7s %6s %-15s %s\n", "TIME", "EVENT", "PID", "PPID", "UID",
		"COMM", "DETAIL");
}

void print_exec(struct printer *p, const struct fmt_exec *e)
{
	header(p);
	put_time(p, e->ts_ns);
	fprintf(p->out, "%-5s %7u %7u %6u %-15s ", "exec", e->pid, e->ppid, e->uid, e->comm);
	if (e->ret < 0)
		fprintf(p->out, "[%s] ", strerror(-e->ret));
	for (uint32_t i = 0; i < e->argc; i++) {
		if (i)
			fputc(' ', p->out);
		text_put_arg(p->out, e->argv[i]);
	}
	if (e->flags & FMT_EXEC_ARGV_TRUNCATED)
		fputs(" [...]", p->out);
	if (!e->argc)
		text_put_arg(p->out, e->filename);
	fputc('\n', p->out);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}

void print_exit(struct printer *p, const struct fmt_exit *e)
{
	double life = (double)(e->ts_ns - e->start_ns) / 1e9;

	header(p);
	put_time(p, e->ts_ns);
	fprintf(p->out, "%-5s %7u %7u %6s %-15s ", "exit", e->pid, e->ppid, "-", "-");
	if (e->signal)
		fprintf(p->out, "killed by signal %u (%s)", e->signal, strsignal((int)e->signal));
	else
		fprintf(p->out, "code %u", e->exit_code);
	fprintf(p->out, " after %.3fs\n", life);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}

static void put_addr(FILE *f, uint8_t family, const uint8_t *a, uint16_t port, int ports)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family == FMT_FAMILY_IPV6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf));
	if (!ports)
		fputs(buf, f);
	else if (family == FMT_FAMILY_IPV6)
		fprintf(f, "[%s]:%u", buf, port);
	else
		fprintf(f, "%s:%u", buf, port);
}

void print_flow(struct printer *p, const struct fmt_flow *f)
{
	const struct fmt_flow_key *k = &f->key;
	char ifn[IF_NAMESIZE] = "?";
	int ports = k->proto == 6 || k->proto == 17 || k->proto == 132;

	header(p);
	put_time(p, f->ts_ns);
	if (!if_indextoname(k->ifindex, ifn))
		snprintf(ifn, sizeof(ifn), "if%u", k->ifindex);
	fprintf(p->out, "%-5s %-8s %-3s ", "flow", ifn, k->dir ? "out" : "in");
	if (k->family == FMT_FAMILY_OVERFLOW)
		fputs("(flow table full: overflow bucket)", p->out);
	else if (k->family == FMT_FAMILY_OTHER)
		fputs("(non-IP or malformed)", p->out);
	else {
		fprintf(p->out, "proto %u ", k->proto);
		put_addr(p->out, k->family, k->src, k->sport, ports);
		fputs(" -> ", p->out);
		put_addr(p->out, k->family, k->dst, k->dport, ports);
		if (k->proto == 1 || k->proto == 58)
			fprintf(p->out, " type %u code %u", k->sport, k->dport);
	}
	fprintf(p->out, " +%llu pkts +%llu bytes\n", (unsigned long long)f->packets,
		(unsigned long long)f->bytes);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}
