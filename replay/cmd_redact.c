/* cmd_redact.c - `ebpfreport redact FILE -o OUT [--ips] [--argv drop|hash]
 * [--argv0] [--users] [--containers] [--host] [--key KEY]`: a copy of a
 * session that can be shared.
 *
 * What is kept is an allow-list over the privacy classes of fmt_meta.h:
 * every meta key and record field has a class, and each redaction option
 * cleans one class (action_for). Addresses are anonymised
 * prefix-preservingly with Crypto-PAn (subnets stay subnets); arguments are
 * dropped or replaced by keyed hashes; uids and gids become keyed
 * pseudonyms, and so do container ids and pod UIDs in cgroup paths; host
 * identities are dropped. Free text that may hold any of
 * these (the recorder's command line and options) and meta keys this
 * version does not know are dropped by every redaction, so a key added
 * later never leaks into a file meant to be shared. OUT is written fresh by
 * the writer, so no original value survives in it, not even in free pages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <arpa/inet.h>

#include "cryptopan.h"
#include "fmt_interfaces.h"
#include "fmt_meta.h"
#include "json.h"
#include "rewrite.h"
#include "options.h"

#define HASH_ARG_LEN 19 /* "h:" + 16 hex digits + NUL */

/* What a redaction does with the values of one privacy class. */
enum action {
	KEEP, /* copied as it is */
	CLEAN, /* rewritten by the option's method; dropped if there is none */
	DROP,
};

struct redact {
	struct report *r;
	enum action users, args, addrs; /* for the record fields */
	struct rewrite rw;
	struct cryptopan cp;
	const char **argv; /* rewritten argv of the current record */
	char (*hashed)[HASH_ARG_LEN];
	uint32_t cap;
	char path[4096]; /* the current cgroup path, rewritten */
};

static enum action action_for(const struct report *r, enum fmt_privacy c)
{
	switch (c) {
	case FMT_PRIV_SAFE:
	case FMT_PRIV_PROGRAM: /* no option removes what ran */
		return KEEP;
	case FMT_PRIV_ARGS:
		return r->redact_argv ? CLEAN : KEEP;
	case FMT_PRIV_USER:
		return r->redact_users ? CLEAN : KEEP;
	case FMT_PRIV_ADDR:
		return r->redact_ips ? CLEAN : KEEP;
	case FMT_PRIV_HOST:
		return r->redact_host ? DROP : KEEP;
	case FMT_PRIV_MIXED:
	case FMT_PRIV_UNKNOWN:
		break;
	}
	return DROP;
}

static uint32_t pseudonym(const struct redact *d, char kind, uint32_t id)
{
	uint8_t in[5] = { (uint8_t)kind, (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16),
			  (uint8_t)(id >> 24) };

	/* far from real ids (system < 1000, users < 100000) so no one mistakes
	 * a pseudonym for a real account */
	return 100000u + (uint32_t)(cpan_hash(&d->cp, in, sizeof(in)) % 2000000000u);
}

static int grow(struct redact *d, uint32_t argc)
{
	if (argc <= d->cap)
		return 0;
	free(d->argv);
	free(d->hashed);
	d->argv = calloc(argc, sizeof(*d->argv));
	d->hashed = calloc(argc, sizeof(*d->hashed));
	if (!d->argv || !d->hashed)
		return -1;
	d->cap = argc;
	return 0;
}

/* argv (from argv[1], or argv[0] with --argv0) dropped or hashed in place:
 * argc/argv then point into d. @return -1 when out of memory. */
static int redact_args(struct redact *d, uint32_t *argc, const char *const **argv)
{
	struct report *r = d->r;
	uint32_t first = r->redact_argv0 ? 0 : 1; /* arguments from here on */

	if (d->args == KEEP || *argc <= first)
		return 0;
	if (!strcmp(r->redact_argv, "drop")) {
		*argc = first;
		return 0;
	}
	if (grow(d, *argc + 1))
		return -1;
	for (uint32_t i = 0; i < *argc; i++) {
		if (i < first) {
			d->argv[i] = (*argv)[i];
			continue;
		}
		snprintf(d->hashed[i], HASH_ARG_LEN, "h:%016" PRIx64,
			 cpan_hash(&d->cp, (*argv)[i], strlen((*argv)[i])));
		d->argv[i] = d->hashed[i];
	}
	*argv = d->argv;
	return 0;
}

/* A working directory is arguments' kin (it names users and projects):
 * dropped or hashed like them. The hash goes in the slot after argv's. */
static void redact_cwd(struct redact *d, const char **cwd, uint32_t slot)
{
	if (d->args == KEEP || !*cwd)
		return;
	if (!strcmp(d->r->redact_argv, "drop") || grow(d, slot + 1)) {
		*cwd = NULL;
		return;
	}
	snprintf(d->hashed[slot], HASH_ARG_LEN, "h:%016" PRIx64,
		 cpan_hash(&d->cp, *cwd, strlen(*cwd)));
	*cwd = d->hashed[slot];
}

static int redact_exec(struct redact *d, struct fmt_exec *e)
{
	if (d->users != KEEP) {
		e->uid = pseudonym(d, 'u', e->uid);
		e->gid = pseudonym(d, 'g', e->gid);
	}
	if (redact_args(d, &e->argc, &e->argv))
		return -1;
	redact_cwd(d, &e->cwd, e->argc);
	return 0;
}

static int redact_proc(struct redact *d, struct fmt_proc *p)
{
	if (d->users != KEEP) {
		p->uid = pseudonym(d, 'u', p->uid);
		p->gid = pseudonym(d, 'g', p->gid);
	}
	if (redact_args(d, &p->argc, &p->argv))
		return -1;
	redact_cwd(d, &p->cwd, p->argc);
	return 0;
}

/* A uid in a cgroup path (user-1000.slice, user@1000.service) at in:
 * written to out as its pseudonym. @return the bytes read, 0 if none. */
static size_t cgroup_user(struct redact *d, const char *in, char *out, size_t len)
{
	static const char *const marks[] = { "user-", "user@" };

	for (size_t m = 0; m < 2; m++) {
		size_t ml = strlen(marks[m]), digits;
		if (strncmp(in, marks[m], ml))
			continue;
		digits = strspn(in + ml, "0123456789");
		if (!digits || digits > 10)
			continue;
		snprintf(out, len, "%s%u", marks[m],
			 pseudonym(d, 'u', (uint32_t)strtoul(in + ml, NULL, 10)));
		return ml + digits;
	}
	return 0;
}

/* Keyed hex digits standing for the n (at most 64) hex digits at in; the
 * separators of a pod UID, '-' or '_', stay where they are, and the same
 * UID gets the same pseudonym whichever it uses. */
static void hex_pseudonym(struct redact *d, const char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char token[64 + 4] = { 0 }; /* the id, then the position hashed */
	uint64_t h = 0;

	for (size_t i = 0; i < n && i < 64; i++)
		token[i] = in[i] == '_' ? '-' : in[i];
	for (size_t i = 0, used = 16; i < n; i++, used++) {
		if (in[i] == '-' || in[i] == '_') {
			out[i] = in[i];
			continue;
		}
		if (used >= 16) { /* 16 digits per hash */
			token[64] = (char)i;
			h = cpan_hash(&d->cp, token, sizeof(token));
			used = 0;
		}
		out[i] = hex[(h >> (4 * used)) & 15];
	}
}

/* A container id (64 hex digits) or a pod UID (8-4-4-4-12 hex digits with
 * '-' or, in systemd slice names, '_') at in, which starts a token. @return
 * its length, or 0. */
static size_t container_token(const char *in)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };
	static const char digits[] = "0123456789abcdef";
	size_t run = strspn(in, digits), o = 0;

	if (run == 64)
		return 64;
	for (size_t g = 0; g < 5; g++) {
		if (strspn(in + o, digits) != groups[g])
			return 0;
		o += groups[g];
		if (g < 4 && in[o] != '-' && in[o] != '_')
			return 0;
		o += g < 4;
	}
	return o;
}

/* A cgroup path names users (user-1000.slice, user@1000.service): with
 * --users their uids become the same pseudonyms as the records'. It names
 * containers and pods: with --containers their ids become keyed
 * pseudonyms, the same for the same id, so grouping by container still
 * works. The path is rewritten into d->path. */
static void redact_cgroup(struct redact *d, struct fmt_cgroup *c)
{
	const char *in = c->path;
	size_t o = 0, n;
	int token = 1; /* in starts a token: after a separator */

	if (d->users == KEEP && !d->r->redact_containers)
		return;
	while (*in && o < sizeof(d->path) - 81) {
		if (d->users != KEEP && (n = cgroup_user(d, in, d->path + o, sizeof(d->path) - o))) {
			o += strlen(d->path + o);
			in += n;
		} else if (d->r->redact_containers && token && (n = container_token(in))) {
			hex_pseudonym(d, in, n, d->path + o);
			o += n;
			in += n;
		} else {
			d->path[o++] = *in++;
		}
		/* an id starts after a separator, or after "pod" */
		token = !((in[-1] >= '0' && in[-1] <= '9') || (in[-1] >= 'a' && in[-1] <= 'f')) ||
			(in - c->path >= 3 && !strncmp(in - 3, "pod", 3));
	}
	d->path[o] = 0;
	c->path = d->path;
}

static void redact_flow(struct redact *d, struct fmt_flow_key *k)
{
	size_t len = k->family == FMT_FAMILY_IPV4 ? 4 : k->family == FMT_FAMILY_IPV6 ? 16 : 0;

	if (d->addrs == KEEP || !len)
		return;
	cpan_anon(&d->cp, k->src, len);
	cpan_anon(&d->cp, k->dst, len);
}

static int add(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct redact *d = ctx;
	struct fmt_event e = *ev;

	(void)r;
	if ((e.stream == FMT_STREAM_EXEC && redact_exec(d, &e.exec)) ||
	    (e.stream == FMT_STREAM_PROC && redact_proc(d, &e.proc))) {
		rewrite_oom(&d->rw);
		return 1;
	}
	if (e.stream == FMT_STREAM_FLOW)
		redact_flow(d, &e.flow.key);
	if (e.stream == FMT_STREAM_CGROUP)
		redact_cgroup(d, &e.cgroup);
	return rewrite_add(&d->rw, &e, 0);
}

/* An interface list (an `interfaces` value, or a merge source's copy)
 * with every address anonymised; NULL if it does not parse (the caller then
 * drops the key rather than copy what it cannot clean) or on out of memory. */
static char *redact_interfaces(struct redact *d, const char *value)
{
	struct fmt_ifaces *l;
	size_t n, naddr = 0, k = 0;
	struct fmt_iface *v;
	const char **addr;
	char (*text)[INET6_ADDRSTRLEN], *out = NULL;

	if (fmt_ifaces_parse(value, &l))
		return NULL;
	n = fmt_ifaces_count(l);
	for (size_t i = 0; i < n; i++)
		naddr += fmt_ifaces_at(l, i)->naddr;
	v = calloc(n ? n : 1, sizeof(*v));
	addr = calloc(naddr ? naddr : 1, sizeof(*addr));
	text = calloc(naddr ? naddr : 1, sizeof(*text));
	for (size_t i = 0; v && addr && text && i < n; i++) {
		v[i] = *fmt_ifaces_at(l, i);
		for (unsigned a = 0; a < v[i].naddr; a++, k++) {
			uint8_t bin[16];
			int af = strchr(v[i].addr[a], ':') ? AF_INET6 : AF_INET;
			if (inet_pton(af, v[i].addr[a], bin) == 1) {
				cpan_anon(&d->cp, bin, af == AF_INET ? 4 : 16);
				inet_ntop(af, bin, text[k], sizeof(text[k]));
			} else {
				snprintf(text[k], sizeof(text[k]), "redacted");
			}
			addr[k] = text[k];
		}
		v[i].addr = addr + k - v[i].naddr;
	}
	if (v && addr && text)
		out = fmt_ifaces_format(v, n);
	free(v);
	free(addr);
	free(text);
	fmt_ifaces_free(l);
	return out;
}

/* Copy the meta keys this redaction allows: by class, cleaned where the
 * class asks for it and a cleaner exists (the interface list), else not at
 * all. The writer's own keys and an earlier redaction record are not
 * copied (this run writes its own). */
static void copy_meta(struct redact *d, struct fmt_reader *rd)
{
	size_t n = fmt_reader_meta_count(rd);

	for (size_t i = 0; i < n; i++) {
		const struct fmt_meta_key *known;
		const char *k, *v;
		enum action act;
		char *clean;

		fmt_reader_meta_at(rd, i, &k, &v);
		known = fmt_meta_key(k);
		if (fmt_meta_is_writer_key(k) || fmt_meta_is_unique_key(k) ||
		    !strcmp(k, FMT_META_REDACTION))
			continue;
		act = action_for(d->r, known ? known->privacy : FMT_PRIV_UNKNOWN);
		if (act == KEEP) {
			rewrite_meta(&d->rw, k, v);
		} else if (act == CLEAN && !strcmp(known->name, FMT_META_INTERFACES)) {
			if ((clean = redact_interfaces(d, v)))
				rewrite_meta(&d->rw, k, clean);
			free(clean);
		}
	}
}

static void record_redaction(struct redact *d)
{
	struct report *r = d->r;
	struct json j = { 0 };
	char *text;

	json_begin_object(&j);
	json_kv_str(&j, "ips", r->redact_ips ? "crypto-pan" : "kept");
	json_kv_str(&j, "argv", r->redact_argv ? r->redact_argv : "kept");
	json_kv_str(&j, "argv0", r->redact_argv && r->redact_argv0 ? r->redact_argv : "kept");
	json_kv_str(&j, "users", r->redact_users ? "keyed pseudonyms" : "kept");
	json_kv_str(&j, "containers", r->redact_containers ? "keyed pseudonyms" : "kept");
	json_kv_str(&j, "host", r->redact_host ? "dropped" : "kept");
	json_kv_str(&j, "recorder_cmdline", "dropped");
	json_kv_str(&j, "unknown_meta", "dropped");
	json_kv_str(&j, "key", r->key ? "given" : "random, not stored");
	json_end_object(&j);
	text = json_take(&j);
	rewrite_meta(&d->rw, FMT_META_REDACTION, text ? text : "{}");
	free(text);
}

static int run(struct report *r)
{
	struct redact d = { .r = r };
	uint8_t key[32];
	int rc;

	if (r->nfiles != 1) {
		report_err("redact takes one file");
		return 2;
	}
	if (!r->redact_ips && !r->redact_argv && !r->redact_users && !r->redact_containers &&
	    !r->redact_host) {
		report_err("nothing to redact: give --ips, --argv drop|hash, --users, --containers "
			   "or --host");
		return 2;
	}
	if (r->key ? cpan_parse_key(r->key, key) : getrandom(key, sizeof(key), 0) != sizeof(key)) {
		report_err(r->key ? "invalid --key: need 32 characters or 0x and 64 hex digits"
				  : "cannot get random bytes for a key");
		return 2;
	}
	cpan_init(&d.cp, key);
	d.users = action_for(r, fmt_field_privacy(FMT_STREAM_EXEC, "uid"));
	d.args = action_for(r, fmt_field_privacy(FMT_STREAM_EXEC, "argv"));
	d.addrs = action_for(r, fmt_field_privacy(FMT_STREAM_FLOW, "src"));
	if ((rc = rewrite_begin(r, &d.rw)))
		return rc;
	copy_meta(&d, r->readers[0]);
	record_redaction(&d);
	rc = report_each(r, add, &d);
	rc = rewrite_end(&d.rw, rc);
	if (!rc && !r->quiet)
		fprintf(stderr, "ebpfreport: %s: %" PRIu64 " records redacted\n", r->output,
			d.rw.records);
	free(d.argv);
	free(d.hashed);
	return rc;
}

const struct report_cmd cmd_redact = {
	.name = "redact",
	.args = "FILE -o OUT",
	.summary = "write a copy safe to share: anonymised addresses, arguments, users, host",
	.opts = OPT(OUTPUT) | OPT(FORCE) | OPT(QUIET) | OPT(IPS) | OPT(ARGV) | OPT(ARGV0) |
		OPT(USERS) | OPT(CONTAINERS) | OPT(HOST) | OPT(KEY) | OPT_READING,
	.run = run,
};
