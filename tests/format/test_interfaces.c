/* test_interfaces.c - the `interfaces` meta codec: strict parsing, key
 * order that does not matter, the round trip, and the reader parsing it
 * once at open. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_interfaces.h"
#include "fmt_meta.h"
#include "helpers.h"

Test(interfaces, keys_in_any_order)
{
	static const char *const texts[] = {
		"[{\"index\":7,\"name\":\"eth0\",\"addresses\":[\"10.0.0.1\",\"fd00::1\"],"
		"\"ingress\":\"xdp-native\",\"egress\":\"tcx\",\"gone\":true}]",
		"[{\"gone\":true,\"egress\":\"tcx\",\"addresses\":[\"10.0.0.1\",\"fd00::1\"],"
		"\"name\":\"eth0\",\"ingress\":\"xdp-native\",\"index\":7}]",
		" [ { \"name\" : \"eth0\" , \"future\" : null , \"index\" : 7 , \"gone\" : true ,"
		" \"ingress\" : \"xdp-native\" , \"egress\" : \"tcx\" , \"addresses\" : [ \"10.0.0.1\" ,"
		" \"fd00::1\" ] } ] ",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct fmt_ifaces *l;
		const struct fmt_iface *f;
		cr_assert_eq(fmt_ifaces_parse(texts[i], &l), 0, "%s", texts[i]);
		cr_assert_eq(fmt_ifaces_count(l), 1);
		f = fmt_ifaces_find(l, 7);
		cr_assert_not_null(f);
		cr_assert_str_eq(f->name, "eth0");
		cr_assert_eq(f->naddr, 2);
		cr_assert_str_eq(f->addr[1], "fd00::1");
		cr_assert_str_eq(f->ingress, "xdp-native");
		cr_assert_str_eq(f->egress, "tcx");
		cr_assert(f->gone);
		cr_assert_null(fmt_ifaces_find(l, 2));
		fmt_ifaces_free(l);
	}
}

/* no pointers: Criterion hands parameters to the test's own process */
struct bad_case {
	char text[64];
};

ParameterizedTestParameters(interfaces, refuses_what_it_does_not_write)
{
	static struct bad_case cases[] = {
		{ "" },
		{ "{}" },
		{ "[{\"index\":-1}]" },
		{ "[{\"index\":4294967296}]" },
		{ "[{\"name\":\"a\\nb\"}]" }, /* an escape json.c never writes */
		{ "[{\"name\":\"\\u0000\"}]" }, /* strings never hold NUL */
		{ "[{\"name\":\"x\"}] trailing" },
		{ "[{\"name\":\"x\",}]" },
		{ "[{\"addresses\":[1]}]" },
		{ "[{\"gone\":\"yes\"}]" },
		{ "[{\"nested\":{\"a\":1}}]" },
		{ "[{\"name\":\"unterminated}]" },
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, interfaces, refuses_what_it_does_not_write)
{
	struct fmt_ifaces *l = (void *)1;

	cr_assert_eq(fmt_ifaces_parse(c->text, &l), FMT_ECORRUPT, "%s", c->text);
	cr_assert_null(l);
}

Test(interfaces, round_trip_with_escapes_and_repeated_keys)
{
	const char *const addrs[] = { "192.0.2.1" };
	struct fmt_iface in[2] = {
		{ .index = 1, .name = "we\"ird\\", .addr = addrs, .naddr = 1, .ingress = "tcx",
		  .egress = "tc" },
		{ .index = 2 | 1u << 24, .name = "\xff\x01", .gone = true, .netns = "ns-b",
		  .ifindex = 2 },
	};
	struct fmt_ifaces *l;
	char *text = fmt_ifaces_format(in, 2);

	cr_assert_not_null(text);
	cr_assert_eq(fmt_ifaces_parse(text, &l), 0, "%s", text);
	cr_assert_str_eq(fmt_ifaces_at(l, 0)->name, "we\"ird\\");
	cr_assert_str_eq(fmt_ifaces_at(l, 0)->addr[0], "192.0.2.1");
	cr_assert_str_eq(fmt_ifaces_at(l, 1)->name, "\xff\x01");
	cr_assert_str_eq(fmt_ifaces_at(l, 1)->ingress, "");
	cr_assert(fmt_ifaces_at(l, 1)->gone);
	cr_assert_null(fmt_ifaces_at(l, 0)->netns);
	cr_assert_str_eq(fmt_ifaces_at(l, 1)->netns, "ns-b"); /* another namespace's */
	cr_assert_eq(fmt_ifaces_at(l, 1)->ifindex, 2);
	fmt_ifaces_free(l);
	free(text);
	/* the last value of a repeated key wins, addresses included */
	cr_assert_eq(fmt_ifaces_parse("[{\"name\":\"a\",\"addresses\":[\"1.1.1.1\"],\"name\":\"b\","
				      "\"addresses\":[\"2.2.2.2\"]}]",
				      &l),
		     0);
	cr_assert_str_eq(fmt_ifaces_at(l, 0)->name, "b");
	cr_assert_eq(fmt_ifaces_at(l, 0)->naddr, 1);
	cr_assert_str_eq(fmt_ifaces_at(l, 0)->addr[0], "2.2.2.2");
	fmt_ifaces_free(l);
}

Test(interfaces, reader_parses_once_at_open)
{
	char path[512], bad[512];
	struct fmt_writer *w;
	struct fmt_reader *r;
	char *err;

	snprintf(path, sizeof(path), "%s", tmp_path("ifaces.db"));
	snprintf(bad, sizeof(bad), "%s", tmp_path("badifaces.db"));
	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, &err), 0);
	/* "name" before "index": key order is not part of the format */
	cr_assert_eq(fmt_writer_set_meta(w, FMT_META_INTERFACES,
					 "[{\"name\":\"wlan0\",\"index\":3},{\"index\":4,\"name\":\"lo\"}]"),
		     0);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
	r = open_or_fail(path);
	cr_assert_str_eq(fmt_reader_iface_name(r, 3), "wlan0");
	cr_assert_str_eq(fmt_reader_iface_name(r, 4), "lo");
	cr_assert_null(fmt_reader_iface_name(r, 5));
	cr_assert_eq(fmt_ifaces_count(fmt_reader_ifaces(r)), 2);
	fmt_reader_close(r);

	/* a list that does not parse: the file still opens, without names */
	cr_assert_eq(fmt_writer_create(bad, 0, NULL, &w, &err), 0);
	cr_assert_eq(fmt_writer_set_meta(w, FMT_META_INTERFACES, "[{\"index\":3,"), 0);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
	r = open_or_fail(bad);
	cr_assert_null(fmt_reader_ifaces(r));
	cr_assert_null(fmt_reader_iface_name(r, 3));
	fmt_reader_close(r);
}
