/* test_html.c - the HTML report in a real browser: Debian's chromium,
 * headless, loads the page from disk. It must make no network request
 * (checked in chromium's own net log) and log nothing to the console (a
 * script error, or the CSP refusing a fetch, both show there); the DOM must
 * hold the charts and tables with the session's numbers. A screenshot is
 * left in the build directory for people to look at. A negative control
 * (a page that does fetch) proves the checks can fail.
 *
 * Then what the page says of a session, read from the file: the process
 * tree (parents, lifetimes, traffic per process), a PATH lookup as one
 * line, arguments that would vanish, strings that would break the page
 * (escaped: the page stays valid UTF-8 and holds no markup of theirs), the
 * charts' axes and in/out split, and no network charts when flows were not
 * recorded. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

struct browser_run {
	char *dom, *log, *netlog;
};

static char dir[256];

static void sh(const char *cmd)
{
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed: %s", cmd);
}

/* Load page in a fresh profile; keep the DOM after scripts ran, the
 * console log and the net log. */
static void browse(const char *page, const char *tag, struct browser_run *b)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "rm -rf %s/profile-%s && mkdir -p %s/profile-%s && "
		 "timeout 120 chromium --headless --no-sandbox --disable-gpu "
		 "--disable-background-networking --user-data-dir=%s/profile-%s "
		 /* the browser's own update and sync traffic never leaves either */
		 "--disable-component-update --disable-sync --no-first-run "
		 "--disable-default-apps --disable-extensions "
		 "'--host-resolver-rules=MAP * ~NOTFOUND' "
		 "--enable-logging=stderr --v=0 --log-net-log=%s/net-%s.json "
		 "--dump-dom file://%s >%s/dom-%s.html 2>%s/log-%s.txt",
		 dir, tag, dir, tag, dir, tag, dir, tag, page, dir, tag, dir, tag);
	sh(cmd);
	snprintf(cmd, sizeof(cmd), "%s/dom-%s.html", dir, tag);
	b->dom = fixture_slurp(cmd, NULL);
	snprintf(cmd, sizeof(cmd), "%s/log-%s.txt", dir, tag);
	b->log = fixture_slurp(cmd, NULL);
	snprintf(cmd, sizeof(cmd), "%s/net-%s.json", dir, tag);
	b->netlog = fixture_slurp(cmd, NULL);
	cr_assert_not_null(strstr(b->netlog, "\"constants\""), "no net log from chromium");
}

static void browser_free(struct browser_run *b)
{
	free(b->dom);
	free(b->log);
	free(b->netlog);
}

/* Requests the page made: the browser's own carry the initiator "not an
 * origin"; a file:// page's carry "null" (an opaque origin) or file://. */
static int page_requests(const struct browser_run *b)
{
	int n = 0;
	for (const char *p = b->netlog; (p = strstr(p, "\"initiator\":\"")); p++)
		n += !strncmp(p + 13, "null\"", 5) || !strncmp(p + 13, "file:", 5);
	return n;
}

static int console_lines(const struct browser_run *b)
{
	int n = 0;
	for (const char *p = b->log; (p = strstr(p, ":CONSOLE")); p++)
		n++;
	return n;
}

static void expect_in_dom(const struct browser_run *b, const char *s)
{
	cr_assert_not_null(strstr(b->dom, s), "DOM lacks: %s", s);
}

static void init(void)
{
	snprintf(dir, sizeof(dir), "%s/html-test", BUILD_DIR);
	mkdir(dir, 0755);
}

Test(html, opens_offline_with_the_numbers, .init = init, .timeout = 300)
{
	char page[512], cmd[2048], *out, *err, shot[512];
	struct browser_run b;
	struct stat st;
	int rc;

	snprintf(page, sizeof(page), "%s/report.html", dir);
	unlink(page);
	snprintf(cmd, sizeof(cmd), "html %s --utc -o %s", fixture_alpha(), page);
	rc = report_run(cmd, &out, &err);
	cr_assert_eq(rc, 0, "%s", err);
	free(out);
	free(err);

	browse(page, "report", &b);
	cr_assert_eq(page_requests(&b), 0, "the page made network requests");
	cr_assert_eq(console_lines(&b), 0, "console output:\n%s", b.log);
	expect_in_dom(&b, "data-ready=\"1\""); /* the inline script ran */
	expect_in_dom(&b, "id=\"n-execs\" data-value=\"4\"");
	expect_in_dom(&b, "id=\"n-failed\" data-value=\"1\"");
	expect_in_dom(&b, "id=\"n-exits\" data-value=\"2\"");
	expect_in_dom(&b, "id=\"n-packets\" data-value=\"18\"");
	expect_in_dom(&b, "id=\"n-bytes\" data-value=\"1740\"");
	expect_in_dom(&b, "<svg id=\"chart-execs\"");
	expect_in_dom(&b, "data-series=\"execs\" data-sum=\"4\"");
	expect_in_dom(&b, "<svg id=\"chart-packets\"");
	expect_in_dom(&b, "data-series=\"eth0\" data-dir=\"received\" data-sum=\"16\"");
	expect_in_dom(&b, "data-series=\"eth0\" data-dir=\"sent\" data-sum=\"140\"");
	expect_in_dom(&b, "<table id=\"top-commands\"");
	expect_in_dom(&b, "<td>cc</td><td class=\"num\" data-value=\"2\">2</td>");
	expect_in_dom(&b, "eth0 in  tcp 10.0.0.1:443 -&gt; 10.0.0.2:5000</td><td class=\"num\" "
			  "data-value=\"15\">");
	expect_in_dom(&b, "<table id=\"process-tree\"");
	expect_in_dom(&b, "<td class=\"num\">1.0s</td><td class=\"bad\">SIGKILL</td><td class=\"cmd\">"
			  "<div class=\"prog\" data-ts-ns=\"11000000000\"><span class=\"argv\">cc -c "
			  "'b c.c'</span>");
	expect_in_dom(&b, "exec failed (No such file or directory):");
	expect_in_dom(&b, "2023-11-14 22:13:20 → 2023-11-14 22:13:23 (3.0s)");
	expect_in_dom(&b, "class=\"good\">none</td>"); /* losses */
	browser_free(&b);

	/* a picture for people */
	snprintf(shot, sizeof(shot), "%s/report.png", dir);
	unlink(shot);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && timeout 120 chromium --headless --no-sandbox --disable-gpu "
		 "--disable-background-networking --user-data-dir=%s/profile-shot "
		 "--disable-component-update --no-first-run '--host-resolver-rules=MAP * ~NOTFOUND' "
		 "--hide-scrollbars --window-size=1100,1600 --screenshot=%s file://%s >/dev/null 2>&1",
		 dir, dir, shot, page);
	sh(cmd);
	cr_assert_eq(stat(shot, &st), 0, "no screenshot");
	cr_assert_gt(st.st_size, 10000);
	fprintf(stderr, "html: screenshot in %s\n", shot);
}

Test(html, checks_catch_a_page_that_fetches, .init = init, .timeout = 300)
{
	char page[512];
	struct browser_run b;
	FILE *f;

	snprintf(page, sizeof(page), "%s/fetches.html", dir);
	f = fopen(page, "w");
	cr_assert_not_null(f);
	fputs("<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/x.png\">"
	      "<script>console.error('oops')</script></body></html>\n",
	      f);
	fclose(f);
	browse(page, "fetches", &b);
	cr_assert_geq(page_requests(&b), 1, "a fetch went unnoticed");
	cr_assert_geq(console_lines(&b), 1, "a console error went unnoticed");
	browser_free(&b);
}

/* ---- the page's content, read from the file ebpfreport wrote -------------- */

/* Write the page of session (html --utc) and return it (malloc'd). */
static char *page_of(const char *session, const char *name)
{
	char path[512], cmd[1024], *out, *err, *doc;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	snprintf(cmd, sizeof(cmd), "html %s --utc -o %s", session, path);
	rc = report_run(cmd, &out, &err);
	cr_assert_eq(rc, 0, "%s", err);
	free(out);
	free(err);
	doc = fixture_slurp(path, NULL);
	return doc;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
 * U+10FFFF. @return the offset of the first bad byte, or -1. */
static long utf8_bad(const char *doc)
{
	const unsigned char *s = (const unsigned char *)doc;

	for (size_t i = 0; s[i];) {
		unsigned char c = s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
			   c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (!n)
			return (long)i;
		for (size_t k = 1; k < n; k++)
			if (s[i + k] < (k == 1 ? lo : 0x80) || s[i + k] > (k == 1 ? hi : 0xbf))
				return (long)i;
		i += n;
	}
	return -1;
}

/* The row of the process tree of pid (its <tr ...> ... </tr>, malloc'd). */
static char *row_of(const char *doc, unsigned pid)
{
	char key[64];
	const char *p, *end;

	snprintf(key, sizeof(key), "data-pid=\"%u\"", pid);
	for (p = doc; (p = strstr(p, "<tr id=\"p")); p++) {
		const char *close = strchr(p, '>'), *k = strstr(p, key);
		if (k && k < close)
			break;
	}
	cr_assert_not_null(p, "no row for pid %u", pid);
	end = strstr(p, "</tr>");
	cr_assert_not_null(end);
	return strndup(p, (size_t)(end - p));
}

/* The value of attribute name in the tag that starts s ("" if absent). */
static const char *attr(const char *s, const char *name)
{
	static char v[256];
	char key[96];
	const char *p, *close = strchr(s, '>');

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(s, key);
	v[0] = 0;
	if (p && p < close) {
		p += strlen(key);
		snprintf(v, sizeof(v), "%.*s", (int)(strchr(p, '"') - p), p);
	}
	return v;
}

static unsigned long long num(const char *row, const char *name)
{
	return strtoull(attr(row, name), NULL, 10);
}

/* The traffic numbers an element (a row, the unowned note) carries. */
static void expect_traffic(const char *tag, unsigned long long sent_packets,
			   unsigned long long sent_bytes, unsigned long long received_packets,
			   unsigned long long received_bytes)
{
	cr_assert_eq(num(tag, "data-sent-packets"), sent_packets, "%.300s", tag);
	cr_assert_eq(num(tag, "data-sent-bytes"), sent_bytes, "%.300s", tag);
	cr_assert_eq(num(tag, "data-received-packets"), received_packets, "%.300s", tag);
	cr_assert_eq(num(tag, "data-received-bytes"), received_bytes, "%.300s", tag);
}

/* The row id of pid's parent is that of the row of ppid. */
static void expect_parent(const char *doc, unsigned pid, unsigned ppid)
{
	char *child = row_of(doc, pid), *parent = row_of(doc, ppid), want[64];

	snprintf(want, sizeof(want), "%s", attr(parent, "id"));
	cr_assert_str_eq(attr(child, "data-parent"), want, "parent of %u", pid);
	free(child);
	free(parent);
}

Test(html, process_tree_with_parents_and_traffic, .init = init)
{
	char *doc = page_of(fixture_owned(), "tree.html"), *r;

	cr_assert_str_eq(attr(row_of(doc, 1), "data-parent"), "", "systemd is a root");
	expect_parent(doc, 500, 1);
	expect_parent(doc, 600, 1);
	expect_parent(doc, 700, 500);
	expect_parent(doc, 701, 500);
	expect_parent(doc, 702, 701); /* forked, never exec'd: known by its exit and flows */
	expect_parent(doc, 703, 500);
	/* tree order: a child right after its parent when it has no older sibling */
	cr_assert_lt(strstr(doc, "data-pid=\"701\""), strstr(doc, "data-pid=\"702\""));
	cr_assert_lt(strstr(doc, "data-pid=\"702\""), strstr(doc, "data-pid=\"703\""));
	cr_assert_eq(num(row_of(doc, 702), "data-depth"), 3);

	/* traffic of the sockets each process owned: egress sent, ingress received */
	r = row_of(doc, 701);
	expect_traffic(r, 3, 180, 7, 7000);
	cr_assert_not_null(strstr(r, "<td class=\"bad\">SIGTERM</td>"), "%s", r);
	cr_assert_not_null(strstr(r, "in /tmp"), "cwd: %s", r);
	free(r);
	r = row_of(doc, 702);
	expect_traffic(r, 2, 120, 0, 0);
	cr_assert_not_null(strstr(r, ">curl</td>"), "a fork keeps its parent's name: %s", r);
	free(r);
	r = row_of(doc, 600);
	expect_traffic(r, 4, 400, 4, 300);
	cr_assert_not_null(strstr(r, "class=\"before\""), "started before the recording: %s", r);
	cr_assert_not_null(strstr(r, "sshd: u [priv]"), "%s", r);
	free(r);
	r = strstr(doc, "<p id=\"unowned\"");
	cr_assert_not_null(r);
	expect_traffic(r, 0, 0, 1, 60);
	/* lifetimes: 700 from its start (1.9 s) to its exit (2.8 s) */
	r = row_of(doc, 700);
	cr_assert_not_null(strstr(r, "<time title=\"2023-11-14 22:13:21.900000\">22:13:21.900</time>"),
			   "%s", r);
	cr_assert_not_null(strstr(r, "<td class=\"num\">900.0ms</td><td class=\"\">0</td>"), "%s", r);
	free(r);
	cr_assert_eq(num(row_of(doc, 703), "data-exit-code"), 127);
	free(doc);
}

Test(html, path_lookup_is_one_line, .init = init)
{
	char *doc = page_of(fixture_owned(), "path.html"), *r;

	cr_assert_not_null(strstr(doc, "tried 4 paths, ran <code>/usr/bin/wc</code>"));
	r = row_of(doc, 700);
	cr_assert_not_null(strstr(r, "data-tried=\"4\" data-ran=\"/usr/bin/wc\""), "%s", r);
	cr_assert_not_null(strstr(r, "<summary>tried 4 paths, ran <code>/usr/bin/wc</code></summary>"),
			   "%s", r);
	cr_assert_null(strstr(r, "exec failed"), "the failures are not lines of their own: %s", r);
	cr_assert_not_null(strstr(r, "<li>/usr/sbin/wc: Permission denied</li>"), "%s", r);
	free(r);
	r = row_of(doc, 703);
	cr_assert_not_null(strstr(r, "data-tried=\"2\""), "%s", r);
	cr_assert_not_null(strstr(r, "tried 2 paths, <span class=\"bad\">none ran</span>: "
				     "<code>nope</code>"),
			   "%s", r);
	free(r);
	free(doc);
}

Test(html, blank_and_empty_arguments_are_visible, .init = init)
{
	char *doc = page_of(fixture_owned(), "blank.html"), *r;

	cr_assert_not_null(strstr(doc, "<span class=\"arg empty\""), "an empty argument vanished");
	cr_assert_not_null(strstr(doc, "<span class=\"arg blank\""), "a blank argument vanished");
	r = row_of(doc, 700);
	cr_assert_not_null(strstr(r, "<span class=\"argv\">wc -l <span class=\"arg empty\" "
				     "title=\"empty argument\">''</span> <span class=\"arg blank\" "
				     "title=\"blank argument (2 characters)\">'  '</span></span>"),
			   "%s", r);
	free(r);
	free(doc);
}

Test(html, hostile_strings_are_escaped_and_the_page_is_utf8, .init = init)
{
	char *doc = page_of(fixture_owned(), "hostile.html"), *r, *p;
	const char *db = fixture_path("hostname.db");
	struct fmt_writer *w;
	int scripts = 0;

	cr_assert_eq(utf8_bad(doc), -1, "not UTF-8 at byte %ld", utf8_bad(doc));
	for (p = doc; (p = strstr(p, "<script")); p++)
		scripts++;
	cr_assert_eq(scripts, 1, "only the page's own script");
	r = row_of(doc, 701);
	cr_assert_not_null(strstr(r, "'&lt;script&gt;alert(1)&lt;/script&gt;'"), "%s", r);
	cr_assert_not_null(strstr(r, "'<span class=\"esc\">\\xff</span><span class=\"esc\">\\xfe"
				     "</span>ok'"),
			   "%s", r);
	cr_assert_not_null(strstr(r, "'a<span class=\"esc\">\\n</span>b<span class=\"esc\">\\x1b"
				     "</span>[31m'"),
			   "%s", r);
	cr_assert_not_null(strstr(r, "'<span class=\"esc\">\\u{202e}</span>evil'"), "%s", r);
	cr_assert_not_null(strstr(r, "'it&#39;\\&#39;&#39;s'"), "%s", r);
	free(r);
	free(doc);

	/* the host name goes into the title, where no markup can be */
	w = fixture_writer(db, "</title><script>alert(2)</script>\xff", "1700000000000000000", S,
			   2 * S);
	fixture_exec(w, S, 9, 1, 0, "x\xc0\xaf", "sh", "/x", 0, (const char *[]){ "x", NULL });
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	doc = page_of(db, "title.html");
	cr_assert_eq(utf8_bad(doc), -1, "not UTF-8 at byte %ld", utf8_bad(doc));
	cr_assert_not_null(strstr(doc, "<title>ebpfrec session &lt;/title&gt;&lt;script&gt;alert(2)"
				       "&lt;/script&gt;\\xff</title>"),
			   "%.600s", doc);
	cr_assert_not_null(strstr(doc, "<td>x<span class=\"esc\">\\xc0</span><span class=\"esc\">"
				       "\\xaf</span></td>"),
			   "an overlong form is not UTF-8");
	free(doc);
}

/* A session recorded with --no-net: no interface hooked, no flow. */
static const char *no_net_session(bool interfaces)
{
	const char *p = fixture_path(interfaces ? "quiet.db" : "nonet.db");
	struct fmt_writer *w;

	cr_assert_eq(fmt_writer_create(p, FMT_CREATE_FORCE, NULL, &w, NULL), 0);
	fmt_writer_set_meta(w, "hostname", "n");
	fmt_writer_set_meta(w, "clock_offset_ns", "1700000000000000000");
	fmt_writer_set_meta_u64(w, "start_ns", S);
	fmt_writer_set_meta_u64(w, "end_ns", 3 * S);
	fmt_writer_set_meta(w, "options", interfaces ? "{\"net\":true}" : "{\"net\":false}");
	if (interfaces)
		fmt_writer_set_meta(w, "interfaces", "[{\"index\":2,\"name\":\"eth0\"}]");
	fixture_exec(w, 2 * S, 9, 1, 0, "ls", "sh", "/bin/ls", 0, (const char *[]){ "ls", NULL });
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

Test(html, no_network_charts_when_flows_were_not_recorded, .init = init)
{
	char *doc = page_of(no_net_session(false), "nonet.html");

	cr_assert_not_null(strstr(doc, "<svg id=\"chart-execs\""));
	cr_assert_null(strstr(doc, "id=\"chart-packets\""), "an empty network chart");
	cr_assert_null(strstr(doc, "id=\"chart-bytes\""), "an empty network chart");
	cr_assert_null(strstr(doc, "id=\"top-flows\""), "an empty flow table");
	cr_assert_not_null(strstr(doc, "<p id=\"no-net\">"));
	cr_assert_null(strstr(doc, "<th>sent</th>"), "traffic columns without traffic");
	free(doc);

	/* flows recorded, none seen: the charts say so by being flat */
	doc = page_of(no_net_session(true), "quiet.html");
	cr_assert_not_null(strstr(doc, "<svg id=\"chart-packets\""));
	cr_assert_null(strstr(doc, "id=\"no-net\""));
	free(doc);
}

Test(html, charts_have_time_axes_and_split_in_and_out, .init = init)
{
	char *doc = page_of(fixture_owned(), "charts.html"), *c, *end, *p;
	int ticks = 0;

	/* 5 s recorded: ticks every second, labelled with the time of day */
	c = strstr(doc, "<svg id=\"chart-execs\"");
	cr_assert_not_null(c);
	end = strstr(c, "</svg>");
	p = strstr(c, "<g class=\"x-axis\" data-step-ns=\"1000000000\">");
	cr_assert(p && p < end, "no time axis");
	for (; (p = strstr(p, "<text class=\"tick\"")) && p < strstr(c, "<g class=\"y-axis\""); p++)
		ticks++;
	cr_assert_geq(ticks, 5);
	cr_assert_not_null(strstr(c, "data-wall-ns=\"1700000002000000000\">22:13:22</text>"));
	cr_assert_not_null(strstr(c, "<g class=\"y-axis\""));
	cr_assert_not_null(strstr(doc, "time axis 2023-11-14, UTC"));

	/* network charts: sent above the axis, received below, per interface */
	c = strstr(doc, "<svg id=\"chart-packets\"");
	cr_assert_not_null(c);
	cr_assert_not_null(strstr(c, "data-series=\"eth0\" data-dir=\"sent\" data-sum=\"9\""));
	cr_assert_not_null(strstr(c, "data-series=\"eth0\" data-dir=\"received\" data-sum=\"12\""));
	c = strstr(doc, "<svg id=\"chart-bytes\"");
	cr_assert_not_null(strstr(c, "data-series=\"eth0\" data-dir=\"sent\" data-sum=\"700\""));
	cr_assert_not_null(strstr(c, "data-series=\"eth0\" data-dir=\"received\" data-sum=\"7360\""));
	free(doc);
}

Test(html, hostile_page_runs_only_its_own_script, .init = init, .timeout = 300)
{
	char *doc = page_of(fixture_owned(), "browse.html"), page[512];
	struct browser_run b;

	free(doc);
	snprintf(page, sizeof(page), "%s/browse.html", dir);
	browse(page, "hostile", &b);
	cr_assert_eq(page_requests(&b), 0, "the page made network requests");
	cr_assert_eq(console_lines(&b), 0, "console output:\n%s", b.log);
	expect_in_dom(&b, "data-ready=\"1\"");
	/* a browser reads bytes that are not UTF-8 as U+FFFD */
	cr_assert_null(strstr(b.dom, "\xef\xbf\xbd"), "the page was not valid UTF-8");
	expect_in_dom(&b, "&lt;script&gt;alert(1)&lt;/script&gt;");
	cr_assert_null(strstr(b.dom, "<script>alert"), "markup of the session in the DOM");
	expect_in_dom(&b, "<table id=\"process-tree\"");
	browser_free(&b);
}

Test(html, processes_of_several_files_are_told_apart, .init = init)
{
	char both[1024], *doc, *r;

	snprintf(both, sizeof(both), "%s %s", fixture_alpha(), fixture_beta());
	doc = page_of(both, "both.html");
	r = row_of(doc, 200);
	cr_assert_str_eq(attr(r, "data-source"), "1");
	cr_assert_not_null(strstr(r, "<td class=\"num\"><small>1:</small>200</td>"), "%s", r);
	free(r);
	r = row_of(doc, 101);
	cr_assert_str_eq(attr(r, "data-source"), "0");
	free(r);
	free(doc);
}
