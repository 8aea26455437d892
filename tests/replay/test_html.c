/* test_html.c - the HTML report in a real browser: Debian's chromium,
 * headless, loads the page from disk. It must make no network request
 * (checked in chromium's own net log) and log nothing to the console (a
 * script error, or the CSP refusing a fetch, both show there); the DOM must
 * hold the charts and tables with the session's numbers. A screenshot is
 * left in the build directory for people to look at. A negative control
 * (a page that does fetch) proves the checks can fail.
 *
 * Then what the page says of a session, read from the file: the charts'
 * axes and in/out split, and no network charts when flows were not
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
	expect_in_dom(&b, "<table id=\"processes\"");
	expect_in_dom(&b, "cc -c b c.c</td><td class=\"bad\">SIGKILL</td><td>1.0s</td>");
	expect_in_dom(&b, "exec failed: No such file or directory");
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
