/* test_meta.c - meta round trip, required keys, clean-close marker, the
 * table of known keys and their privacy classes. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "fmt_meta.h"
#include "helpers.h"

Test(meta, roundtrip_and_order)
{
	const char *path = tmp_path("meta.db");
	struct fmt_writer *w;
	struct fmt_reader *r;
	const char *k, *v, *prev = "";
	uint64_t u;
	char *err;

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "hostname", "build-07"), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "cmdline", "ebpfrec -o 'a b.db' --duration 5"), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "empty", ""), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "hostname", "build-08"), 0); /* replaces */
	cr_assert_eq(fmt_writer_set_meta_u64(w, "lost_ringbuf", UINT64_MAX), 0);
	cr_assert_eq(fmt_writer_set_meta(w, "clock_offset_ns", "-42"), 0);
	cr_assert_eq(fmt_writer_close(w, &err), 0);

	r = open_or_fail(path);
	cr_assert_str_eq(fmt_reader_meta(r, "hostname"), "build-08");
	cr_assert_str_eq(fmt_reader_meta(r, "cmdline"), "ebpfrec -o 'a b.db' --duration 5");
	cr_assert_str_eq(fmt_reader_meta(r, "empty"), "");
	cr_assert_str_eq(fmt_reader_meta(r, "format_version"), "1.1");
	cr_assert_str_eq(fmt_reader_meta(r, "records_exec"), "0");
	cr_assert_str_eq(fmt_reader_meta(r, "chunks"), "0");
	cr_assert_null(fmt_reader_meta(r, "nope"));
	cr_assert_eq(fmt_reader_meta_u64(r, "lost_ringbuf", &u), 0);
	cr_assert_eq(u, UINT64_MAX);
	cr_assert_eq(fmt_reader_meta_u64(r, "hostname", &u), FMT_ECORRUPT);
	cr_assert_eq(fmt_reader_meta_u64(r, "nope", &u), FMT_ENOENT);
	cr_assert_eq(fmt_reader_clock_offset(r), -42);
	cr_assert(fmt_reader_closed_clean(r));
	for (size_t i = 0; i < fmt_reader_meta_count(r); i++) {
		fmt_reader_meta_at(r, i, &k, &v);
		cr_assert_gt(strcmp(k, prev), 0, "meta not in key order");
		prev = k;
	}
	fmt_reader_close(r);
}

Test(meta, file_is_private_and_not_overwritten)
{
	const char *path = tmp_path("priv.db");
	struct fmt_writer *w;
	struct stat st;
	char *err = NULL;

	umask(0);
	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), FMT_EEXIST);
	cr_assert_null(w);
	cr_assert_not_null(strstr(err, "--force"), "%s", err);
	free(err);
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &err), 0);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
}

Test(meta, refuses_symlink)
{
	const char *target = strdup(tmp_path("target"));
	const char *link = tmp_path("link.db");
	struct fmt_writer *w;
	char *err = NULL;

	cr_assert_eq(symlink(target, link), 0);
	cr_assert_neq(fmt_writer_create(link, 0, NULL, &w, &err), 0);
	free(err);
	cr_assert_neq(fmt_writer_create(link, FMT_CREATE_FORCE, NULL, &w, &err), 0);
	cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
	free(err);
	free((void *)target);
}

Test(meta, error_codes_have_text)
{
	for (int e = 0; e >= FMT_ESTREAM; e--)
		cr_assert_str_neq(fmt_strerror(e), "unknown error", "code %d", e);
}

Test(meta, close_while_a_reader_has_the_file_open)
{
	const char *path = tmp_path("busy.db");
	struct fmt_writer *w;
	struct fmt_reader *r;
	struct fmt_exit x = { .ts_ns = 5 };
	char *err = NULL;

	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
	cr_assert_eq(fmt_writer_flush(w), 0);
	r = open_or_fail(path); /* like ebpfreport replay --follow */
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err ? err : "");
	fmt_reader_close(r);
	r = open_or_fail(path);
	cr_assert(fmt_reader_closed_clean(r));
	fmt_reader_close(r);
	cr_assert_eq(count_records(path, FMT_STREAM_MASK_ALL, 0, UINT64_MAX), 1);
}

Test(meta, every_key_has_a_class_and_unknown_ones_have_none)
{
	size_t n;
	const struct fmt_meta_key *k = fmt_meta_keys(&n);

	cr_assert_gt(n, 30);
	for (size_t i = 0; i < n; i++) {
		cr_assert_neq(k[i].privacy, FMT_PRIV_UNKNOWN, "%s", k[i].name);
		cr_assert_eq(fmt_meta_key(k[i].name), &k[i]);
	}
	cr_assert_eq(fmt_meta_privacy(FMT_META_HOSTNAME), FMT_PRIV_HOST);
	cr_assert_eq(fmt_meta_privacy("source3.hostname"), FMT_PRIV_HOST);
	cr_assert_eq(fmt_meta_privacy("source0.source12.boot_id"), FMT_PRIV_HOST);
	cr_assert_eq(fmt_meta_privacy(FMT_META_CMDLINE), FMT_PRIV_MIXED);
	cr_assert_eq(fmt_meta_privacy(FMT_META_LOST_QUEUE), FMT_PRIV_SAFE);
	cr_assert_eq(fmt_meta_privacy("cwd"), FMT_PRIV_UNKNOWN);
	cr_assert_eq(fmt_meta_privacy("sourcex.hostname"), FMT_PRIV_UNKNOWN);
	cr_assert_eq(fmt_meta_privacy("source.hostname"), FMT_PRIV_UNKNOWN);
	cr_assert(fmt_meta_is_writer_key(FMT_META_CLOSED_CLEAN));
	cr_assert(!fmt_meta_is_writer_key(FMT_META_HOSTNAME));
	cr_assert(!fmt_meta_is_writer_key("source0.closed_clean"));
	cr_assert_eq(fmt_field_privacy(FMT_STREAM_EXEC, "argv"), FMT_PRIV_ARGS);
	cr_assert_eq(fmt_field_privacy(FMT_STREAM_EXEC, "uid"), FMT_PRIV_USER);
	cr_assert_eq(fmt_field_privacy(FMT_STREAM_FLOW, "dst"), FMT_PRIV_ADDR);
	cr_assert_eq(fmt_field_privacy(FMT_STREAM_EXIT, "exit_code"), FMT_PRIV_SAFE);
	cr_assert_eq(fmt_field_privacy(FMT_STREAM_EXIT, "argv"), FMT_PRIV_UNKNOWN);
	cr_assert_str_eq(fmt_privacy_name(FMT_PRIV_ADDR), "addr");
}
