/* synth.c - the generators behind synth.h. Deterministic for a seed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

#define NCOMM 50
#define NPATH 200
#define NPARENT 30
#define NVOCAB 3000
#define NOWNER 300 /* processes owning the flows' sockets */

struct flowdef {
	struct fmt_flow_key key;
	double rate; /* mean packets per interval */
	unsigned size; /* typical packet size */
	int exact; /* every packet the same size (bulk TCP, fixed-size UDP) */
	struct fmt_owner owner; /* its socket's process; pid 0: none */
};

struct synth {
	uint64_t rng;
	int owners; /* flow rows carry their owners */
	char comm[NCOMM][16];
	char path[NPATH][64];
	int path_comm[NPATH];
	char vocab[NVOCAB][40];
	uint32_t parent_pid[NPARENT];
	int parent_comm[NPARENT];
	uint64_t ts;
	uint32_t pid;
	int parent;
	const char *argv[8];
	/* flows */
	struct flowdef *flows;
	unsigned nflows, next_flow;
	uint64_t flow_ts;
};

static uint64_t rnd(struct synth *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1Dull;
}

static double unif(struct synth *s)
{
	return (rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Zipf-like index in [0, n): heavier at 0. */
static unsigned zipf(struct synth *s, unsigned n)
{
	double u = unif(s);
	unsigned i = (unsigned)(pow((double)n + 1, u)) - 1;
	return i < n ? i : n - 1;
}

static const char *const names[] = {
	"bash", "sh", "make", "cc", "gcc", "cc1", "as", "ld", "collect2", "git", "ls", "cat",
	"grep", "sed", "awk", "find", "xargs", "python3", "perl", "node", "npm", "curl", "wget",
	"tar", "gzip", "zstd", "cp", "mv", "rm", "mkdir", "chmod", "chown", "systemctl",
	"journalctl", "sshd", "sudo", "env", "date", "uname", "id", "ps", "top", "ip", "ss",
	"docker", "containerd-shim", "runc", "cron", "logrotate", "apt-get",
};
static const char *const dirs[] = { "/usr/bin/", "/bin/", "/usr/local/bin/", "/usr/lib/gcc/" };
static const char *const flags[] = {
	"-c", "-o", "-O2", "-g", "-Wall", "-I.", "-DNDEBUG", "--color=auto", "-la", "-rf", "-p",
	"-e", "-n", "-v", "--quiet", "-x", "status", "log", "diff", "--", "-fPIC", "-MD", "-MF",
};

struct synth *synth_new(uint64_t seed, unsigned nflows)
{
	struct synth *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	for (int i = 0; i < NCOMM; i++)
		snprintf(s->comm[i], sizeof(s->comm[i]), "%.15s", names[i]);
	for (int i = 0; i < NPATH; i++) {
		s->path_comm[i] = i % NCOMM;
		snprintf(s->path[i], sizeof(s->path[i]), "%s%s", dirs[i / NCOMM], names[i % NCOMM]);
	}
	for (int i = 0; i < NVOCAB; i++) {
		if (i < (int)(sizeof(flags) / sizeof(flags[0])))
			snprintf(s->vocab[i], sizeof(s->vocab[i]), "%s", flags[i]);
		else
			snprintf(s->vocab[i], sizeof(s->vocab[i]), "src/mod%02d/file%04d.%s",
				 (int)(rnd(s) % 40), i, i % 3 ? "c" : "o");
	}
	s->pid = 1000;
	for (int i = 0; i < NPARENT; i++) {
		s->parent_pid[i] = 300 + (uint32_t)(rnd(s) % 5000);
		s->parent_comm[i] = (int)(rnd(s) % 4); /* bash, sh, make, cc */
	}
	s->ts = 5000000000ull;
	s->flow_ts = 5000000000ull;

	s->nflows = nflows;
	s->flows = calloc(nflows ? nflows : 1, sizeof(*s->flows));
	for (unsigned i = 0; i < nflows; i++) {
		struct flowdef *f = &s->flows[i];
		unsigned owner;
		int v6 = unif(s) < 0.2;
		double p = unif(s);
		f->key.ifindex = 2 + (unif(s) < 0.2);
		f->key.dir = unif(s) < 0.5 ? FMT_DIR_INGRESS : FMT_DIR_EGRESS;
		f->key.family = v6 ? FMT_FAMILY_IPV6 : FMT_FAMILY_IPV4;
		f->key.proto = p < 0.6 ? 6 : p < 0.95 ? 17 : (v6 ? 58 : 1);
		for (int b = 0; b < (v6 ? 16 : 4); b++) {
			f->key.src[b] = (uint8_t)rnd(s);
			f->key.dst[b] = (uint8_t)rnd(s);
		}
		if (!v6) { /* local side in a /24 */
			uint8_t *local = f->key.dir == FMT_DIR_INGRESS ? f->key.dst : f->key.src;
			local[0] = 10, local[1] = 1, local[2] = 2;
		}
		if (f->key.proto == 1 || f->key.proto == 58) {
			f->key.sport = 8, f->key.dport = 0;
		} else {
			static const uint16_t svc[] = { 443, 80, 53, 22, 8080, 5432, 6379, 123 };
			uint16_t server = svc[zipf(s, 8)];
			uint16_t eph = (uint16_t)(32768 + rnd(s) % 28232);
			f->key.sport = f->key.dir == FMT_DIR_INGRESS ? server : eph;
			f->key.dport = f->key.dir == FMT_DIR_INGRESS ? eph : server;
		}
		f->rate = exp(unif(s) * 7.0); /* 1 .. ~1100 packets per interval */
		f->size = f->key.proto == 6 ? (unif(s) < 0.5 ? 1514 : 66) : 60 + (unsigned)(rnd(s) % 1400);
		f->exact = unif(s) < 0.5;
		/* owned by one of NOWNER processes (a few busy ones), except ICMP
		 * and a tenth of the rest (forwarded, the kernel's replies) */
		owner = (unsigned)zipf(s, NOWNER);
		if (f->key.proto != 1 && f->key.proto != 58 && unif(s) >= 0.1)
			f->owner = (struct fmt_owner){ .pid = 2000 + owner * 7,
						       .start_ns = 1000000000ull + owner * 123456789ull,
						       .cgroup_id = 4000 + owner % 20 };
	}
	return s;
}

void synth_owners(struct synth *s, int on)
{
	s->owners = on;
}

void synth_free(struct synth *s)
{
	if (!s)
		return;
	free(s->flows);
	free(s);
}

void synth_exec(struct synth *s, struct fmt_exec *e)
{
	unsigned path = zipf(s, NPATH);
	unsigned nargs = 1 + (unsigned)(rnd(s) % 6);

	/* log-uniform gap between 10 us and 10 ms */
	s->ts += (uint64_t)(1e4 * pow(1000.0, unif(s)));
	s->pid += 1 + (uint32_t)(unif(s) < 0.3 ? rnd(s) % 8 : 0);
	if (unif(s) < 0.3)
		s->parent = (int)zipf(s, NPARENT);
	memset(e, 0, sizeof(*e));
	e->ts_ns = s->ts;
	e->pid = s->pid;
	e->tid = unif(s) < 0.01 ? s->pid + 1 : s->pid;
	e->ppid = s->parent_pid[s->parent];
	e->uid = e->gid = unif(s) < 0.9 ? 1000 : 0;
	e->cgroup_id = 4000 + (s->parent % 5);
	e->ret = unif(s) < 0.01 ? -2 : 0;
	e->comm = s->comm[s->path_comm[path]];
	e->pcomm = s->comm[s->parent_comm[s->parent]];
	e->filename = s->path[path];
	s->argv[0] = e->comm;
	for (unsigned i = 1; i < nargs; i++)
		s->argv[i] = s->vocab[i == nargs - 1 ? zipf(s, NVOCAB) : zipf(s, 23)];
	e->argc = nargs;
	e->argv = s->argv;
}

void synth_flow(struct synth *s, struct fmt_flow *f)
{
	struct flowdef *d;

	/* walk the flows in key order; about half change in each interval */
	do {
		if (s->next_flow == s->nflows) {
			s->next_flow = 0;
			s->flow_ts += 1000000000ull + rnd(s) % 200000; /* timer jitter */
		}
		d = &s->flows[s->next_flow++];
	} while (unif(s) < 0.5);
	memset(f, 0, sizeof(*f));
	f->key = d->key;
	f->ts_ns = s->flow_ts;
	f->interval_ns = 1000000000ull;
	if (s->owners)
		f->owner = d->owner;
	f->packets = 1 + (uint64_t)(d->rate * (0.5 + unif(s)));
	if (d->exact)
		f->bytes = f->packets * d->size;
	else
		f->bytes = f->packets * d->size + rnd(s) % (f->packets * 64 + 1);
}
