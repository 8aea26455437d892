/* pcap.c - see pcap.h. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../record/recorder.h"
#include "pcap.h"

void pcap_start(struct pcap_run *c, const char *ns, const char *ifname, const char *filter)
{
	static int n;
	char name[64], cmd[512];

	snprintf(name, sizeof(name), "peer%d.pcap", n);
	snprintf(c->path, sizeof(c->path), "%s", rec_tmp_path(name));
	snprintf(name, sizeof(name), "tcpdump%d.log", n++);
	snprintf(c->log, sizeof(c->log), "%s", rec_tmp_path(name));
	c->pid = fork();
	cr_assert_geq(c->pid, 0);
	if (c->pid == 0) {
		int log = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(log, STDERR_FILENO);
		execlp("ip", "ip", "netns", "exec", ns, "tcpdump", "-n", "-i", ifname, "-s", "128",
		       "-B", "65536", "-U", "-w", c->path, filter, (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd), "grep -q 'listening on' %s", c->log);
	for (int i = 0; i < 100 && system(cmd); i++)
		usleep(100000);
	cr_assert_eq(system(cmd), 0, "tcpdump did not start (%s)", c->log);
	usleep(200000);
}

/* tcpdump's closing statistics: everything received was captured. */
static void captured_all(const char *log)
{
	FILE *f = fopen(log, "r");
	unsigned long long captured = 0, received = 1, dropped = 1, n;
	char line[256];

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu", &n) != 1)
			continue;
		if (strstr(line, " packets captured"))
			captured = n;
		else if (strstr(line, " packets received by filter"))
			received = n;
		else if (strstr(line, " packets dropped by kernel"))
			dropped = n;
	}
	fclose(f);
	cr_assert(captured == received && dropped == 0,
		  "tcpdump captured %llu of %llu packets, %llu dropped (%s)", captured, received,
		  dropped, log);
}

void pcap_stop(struct pcap_run *c)
{
	char cmd[512];
	int st;

	/* tcpdump may still be reading its ring: stop it once the file has
	 * stopped growing */
	for (off_t last = -1, now = 0; now != last; usleep(500000)) {
		struct stat sb;
		last = now;
		now = stat(c->path, &sb) ? 0 : sb.st_size;
	}
	kill(c->pid, SIGINT);
	cr_assert_eq(waitpid(c->pid, &st, 0), c->pid);
	snprintf(cmd, sizeof(cmd), "grep -q 'dropped by kernel' %s", c->log);
	for (int i = 0; i < 50 && system(cmd); i++)
		usleep(100000); /* its statistics, written as it exits */
	captured_all(c->log);
}

static uint16_t be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Addresses and ports of a frame's IP packet (what -s 128 kept of it). */
static void parse(struct pcap_pkt *p, const unsigned char *f, uint32_t n)
{
	const unsigned char *l4 = NULL;
	uint32_t left = 0;

	if (n < 14)
		return;
	if (be16(f + 12) == 0x0800 && n >= 34 && (f[14] >> 4) == 4) {
		uint32_t ihl = (f[14] & 15u) * 4;
		p->family = 4;
		p->proto = f[23];
		memcpy(p->src, f + 26, 4);
		memcpy(p->dst, f + 30, 4);
		if (n >= 14 + ihl)
			l4 = f + 14 + ihl, left = n - 14 - ihl;
	} else if (be16(f + 12) == 0x86dd && n >= 54) {
		p->family = 6;
		p->proto = f[20];
		memcpy(p->src, f + 22, 16);
		memcpy(p->dst, f + 38, 16);
		l4 = f + 54, left = n - 54;
	}
	if (l4 && left >= 4 && (p->proto == 6 || p->proto == 17)) {
		p->sport = be16(l4);
		p->dport = be16(l4 + 2);
	}
}

size_t pcap_load(const char *path, struct pcap_pkt **out)
{
	FILE *f = fopen(path, "rb");
	unsigned char hdr[24], rec[16];
	static unsigned char frame[1 << 16];
	struct pcap_pkt *v = NULL;
	size_t n = 0, cap = 0;

	cr_assert_not_null(f, "no capture %s", path);
	cr_assert_eq(fread(hdr, 1, 24, f), 24, "short pcap header");
	while (fread(rec, 1, 16, f) == 16) {
		uint32_t sec, usec, incl, orig;
		memcpy(&sec, rec, 4);
		memcpy(&usec, rec + 4, 4);
		memcpy(&incl, rec + 8, 4);
		memcpy(&orig, rec + 12, 4);
		cr_assert_leq(incl, sizeof(frame));
		cr_assert_eq(fread(frame, 1, incl, f), incl, "truncated pcap record");
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			cr_assert_not_null(v);
		}
		v[n] = (struct pcap_pkt){ .ts_us = (uint64_t)sec * 1000000 + usec, .len = orig };
		parse(&v[n++], frame, incl);
	}
	fclose(f);
	*out = v;
	return n;
}

void pcap_totals(const char *path, uint64_t *pk, uint64_t *by)
{
	struct pcap_pkt *v;
	size_t n = pcap_load(path, &v);

	*pk = n;
	*by = 0;
	for (size_t i = 0; i < n; i++)
		*by += v[i].len;
	free(v);
}
