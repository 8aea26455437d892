/* test_html.c - the HTML report in a real browser: Debian's chromium,
 * headless, loads the page from disk. It must make no network request
 * (checked in chromium's own net log) and log nothing to the console (a
 * script error, or the CSP refusing a fetch, both show there); the DOM must
 * hold the charts and tables with the session's numbers. A screenshot is
 * left in the build directory for people to look at. A negative control
 * (a page that does fetch) proves the checks can fail. */
#include <criterion/criterion.h>
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
	expect_in_dom(&b, "data-series=\"eth0\" data-sum=\"18\"");
	expect_in_dom(&b, "data-series=\"eth0\" data-sum=\"1740\"");
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
