/* chserver.c - see chserver.h. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chserver.h"
#include "clickhouse.h"

/* A port nothing listens on now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Debian 12's package has /usr/sbin/clickhouse-server; current releases
 * ship one `clickhouse` binary. @return argv[0] and whether "server" must
 * follow, or NULL. */
static const char *server_binary(int *sub)
{
	static const char *const paths[] = { "/usr/sbin/clickhouse-server",
					     "/usr/bin/clickhouse-server", "/usr/bin/clickhouse" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0) {
			*sub = i == 2;
			return paths[i];
		}
	return NULL;
}

void chserver_start(struct chserver *s)
{
	char conf[2048], cfg[256];
	const char *bin;
	int sub;
	struct ch *c;
	char err[256];

	bin = server_binary(&sub);
	cr_assert_not_null(bin, "clickhouse-server is not installed (scripts/setup.sh --tests "
				"installs Debian's package)");
	snprintf(s->dir, sizeof(s->dir), "/tmp/ebpfrec-ch-XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir));
	s->http_port = free_port();
	do
		s->tcp_port = free_port();
	while (s->tcp_port == s->http_port);
	snprintf(conf, sizeof(conf),
		 "<?xml version=\"1.0\"?>\n<yandex>\n"
		 "  <logger><level>warning</level><log>%1$s/server.log</log>"
		 "<errorlog>%1$s/error.log</errorlog><console>0</console></logger>\n"
		 "  <listen_host>127.0.0.1</listen_host>\n"
		 "  <http_port>%2$d</http_port>\n  <tcp_port>%3$d</tcp_port>\n"
		 "  <path>%1$s/data/</path>\n  <tmp_path>%1$s/tmp/</tmp_path>\n"
		 "  <user_files_path>%1$s/user_files/</user_files_path>\n"
		 "  <format_schema_path>%1$s/format_schemas/</format_schema_path>\n"
		 "  <users_config>%1$s/users.xml</users_config>\n"
		 "  <default_profile>default</default_profile>\n"
		 "  <default_database>default</default_database>\n"
		 "  <mark_cache_size>67108864</mark_cache_size>\n"
		 "  <max_concurrent_queries>20</max_concurrent_queries>\n"
		 "</yandex>\n",
		 s->dir, s->http_port, s->tcp_port);
	write_file(s->dir, "config.xml", conf);
	write_file(s->dir, "users.xml",
		   "<?xml version=\"1.0\"?>\n<yandex>\n"
		   "  <profiles><default><max_memory_usage>2000000000</max_memory_usage>"
		   "</default></profiles>\n"
		   "  <users>\n"
		   "    <default><password></password><networks><ip>127.0.0.1</ip></networks>"
		   "<profile>default</profile><quota>default</quota></default>\n"
		   "    <pushy><password>s3cret</password><networks><ip>127.0.0.1</ip></networks>"
		   "<profile>default</profile><quota>default</quota></pushy>\n"
		   "  </users>\n"
		   "  <quotas><default><interval><duration>3600</duration><queries>0</queries>"
		   "<errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows>"
		   "<execution_time>0</execution_time></interval></default></quotas>\n"
		   "</yandex>\n");
	snprintf(cfg, sizeof(cfg), "--config-file=%s/config.xml", s->dir);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->http_port);
	s->pid = fork();
	cr_assert_geq(s->pid, 0);
	if (s->pid == 0) {
		char out[256];
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
		snprintf(out, sizeof(out), "%s/stdout.log", s->dir);
		if (!freopen(out, "w", stdout) || !freopen(out, "a", stderr))
			_exit(126);
		if (chdir(s->dir))
			_exit(126);
		if (sub)
			execl(bin, bin, "server", cfg, (char *)NULL);
		else
			execl(bin, bin, cfg, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(ch_open(s->url, NULL, NULL, &c, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < 600; i++) { /* 60 s */
		int st;
		if (ch_query(c, "SELECT 1", NULL) == 0) {
			ch_close(c);
			return;
		}
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			cr_assert_fail("clickhouse-server exited (%d); see %s/stdout.log", st, s->dir);
		}
		usleep(100000);
	}
	ch_close(c);
	cr_assert_fail("clickhouse-server did not answer in 60 s: %s", s->dir);
}

void chserver_stop(struct chserver *s)
{
	char cmd[300];

	if (s->pid > 0) {
		int st;
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 300 && waitpid(s->pid, &st, WNOHANG) == 0; i++)
			usleep(100000);
		if (kill(s->pid, 0) == 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
		}
		s->pid = 0;
	}
	if (s->dir[0] && !strncmp(s->dir, "/tmp/ebpfrec-ch-", 16)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "chserver: could not remove %s\n", s->dir);
		s->dir[0] = 0;
	}
}

char *chserver_query(struct chserver *s, const char *fmt, ...)
{
	char sql[8192], err[256], *ans = NULL;
	struct ch *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	cr_assert_eq(ch_open(s->url, NULL, NULL, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ch_query(c, sql, &ans), 0, "%s: %s", sql, ch_errmsg(c));
	ch_close(c);
	return ans;
}

long long chserver_number(struct chserver *s, const char *fmt, ...)
{
	char sql[8192], *ans;
	long long v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ans = chserver_query(s, "%s", sql);
	v = atoll(ans);
	free(ans);
	return v;
}
