/* clickhouse.c - see clickhouse.h. One curl handle, reused (keep-alive);
 * statements go in the POST body, INSERT statements in the query string
 * with their data in the body. The server reports errors with an HTTP
 * status other than 200 and a body "Code: N, e.displayText() = ..."
 * (18.16) or "Code: N. DB::Exception: ..." (current releases). */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse.h"

struct ch {
	CURL *curl;
	char *url; /* base, no trailing slash */
	char *user;
	struct curl_slist *headers;
	char err[1024];
	int code; /* the server's error code of the last failure, or 0 */
	/* the answer being received */
	char *body;
	size_t len, cap;
	/* the insert being sent */
	ch_fill_fn fill;
	void *ctx;
	int aborted;
};

static int fail(struct ch *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct ch *c = ctx;
	size_t len = size * n;

	if (c->cap - c->len < len + 1) {
		size_t cap = c->cap ? c->cap : 4096;
		char *b;
		while (cap - c->len < len + 1)
			cap *= 2;
		if (!(b = realloc(c->body, cap)))
			return 0; /* curl reports a write error */
		c->body = b;
		c->cap = cap;
	}
	memcpy(c->body + c->len, p, len);
	c->len += len;
	c->body[c->len] = 0;
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct ch *c = ctx;
	size_t got = c->fill(c->ctx, buf, size * n);

	if (got == (size_t)-1) {
		c->aborted = 1;
		return CURL_READFUNC_ABORT;
	}
	return got;
}

int ch_open(const char *url, const char *user, const char *password, struct ch **out,
	    char *err, size_t errlen)
{
	static int global;
	struct ch *c = calloc(1, sizeof(*c));
	size_t n;

	*out = NULL;
	if (!global) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
			snprintf(err, errlen, "cannot initialise libcurl");
			free(c);
			return -1;
		}
		global = 1;
	}
	if (!c || !(c->curl = curl_easy_init()) || !(c->url = strdup(url))) {
		snprintf(err, errlen, "out of memory");
		ch_close(c);
		return -1;
	}
	n = strlen(c->url);
	while (n && c->url[n - 1] == '/')
		c->url[--n] = 0;
	c->user = strdup(user ? user : "default");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (user || password) {
		/* HTTP basic authentication, which 18.16 and current releases take */
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD, password ? password : "");
	}
	/* no "Expect: 100-continue" round trip before each INSERT body */
	c->headers = curl_slist_append(NULL, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	*out = c;
	return 0;
}

void ch_close(struct ch *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->url);
	free(c->user);
	free(c->body);
	free(c);
}

const char *ch_errmsg(const struct ch *c)
{
	return c->err;
}

int ch_code(const struct ch *c)
{
	return c->code;
}

/* The server's message, first line, without its stack trace. */
static void server_error(struct ch *c, long status)
{
	char *m = c->body ? c->body : "", *e;
	int code = 0;

	while (*m == ' ' || *m == '\n' || *m == '\r')
		m++;
	if ((e = strpbrk(m, "\r\n")))
		*e = 0;
	if (sscanf(m, "Code: %d", &code) != 1)
		code = 0;
	c->code = code;
	if ((e = strstr(m, ", Stack trace")) || (e = strstr(m, " (version ")))
		*e = 0;
	/* 192 unknown user, 193 wrong password, 516 authentication failed */
	if (code == 192 || code == 193 || code == 516 || status == 401 || status == 403)
		fail(c, "ClickHouse at '%s' refused user '%s': wrong user or password (%s)", c->url,
		     c->user, *m ? m : "no message");
	else
		fail(c, "ClickHouse at '%s': %s", c->url, *m ? m : "HTTP error");
}

/* Perform the prepared request. @return 0 or -1. */
static int perform(struct ch *c)
{
	CURLcode rc;
	long status = 0;

	c->len = 0;
	c->code = 0;
	if (c->body)
		c->body[0] = 0;
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		if (c->aborted)
			return fail(c, "insert aborted");
		if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		    rc == CURLE_OPERATION_TIMEDOUT)
			return fail(c, "cannot reach ClickHouse at '%s': %s", c->url,
				    curl_easy_strerror(rc));
		/* the server went away mid-request (curl then says it could
		 * not rewind the body to send it again) */
		if (rc == CURLE_SEND_FAIL_REWIND || rc == CURLE_SEND_ERROR ||
		    rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING)
			return fail(c, "lost the connection to ClickHouse at '%s' (server stopped?)",
				    c->url);
		return fail(c, "ClickHouse at '%s': %s", c->url, curl_easy_strerror(rc));
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		server_error(c, status);
		return -1;
	}
	return 0;
}

int ch_query(struct ch *c, const char *sql, char **answer)
{
	char url[2048];

	if (answer)
		*answer = NULL;
	snprintf(url, sizeof(url), "%s/", c->url);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, sql);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(sql));
	if (perform(c))
		return -1;
	if (answer && !(*answer = strdup(c->body ? c->body : "")))
		return fail(c, "out of memory");
	return 0;
}

int ch_insert(struct ch *c, const char *sql, long long size, ch_fill_fn fill, void *ctx)
{
	char *q = curl_easy_escape(c->curl, sql, 0), *url;
	int rc;

	if (!q || !(url = malloc(strlen(c->url) + strlen(q) + 16))) {
		curl_free(q);
		return fail(c, "out of memory");
	}
	sprintf(url, "%s/?query=%s", c->url, q);
	curl_free(q);
	c->fill = fill;
	c->ctx = ctx;
	c->aborted = 0;
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size); /* -1: chunked */
	curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c->curl, CURLOPT_READDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
	rc = perform(c);
	curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, NULL);
	free(url);
	return rc;
}
