/* test_cryptopan.c - redact's primitives against published vectors: AES-128
 * (FIPS-197 appendix C.1) and Crypto-PAn with the sample key of its
 * reference distribution (the IPv4 pairs of sample_trace_sanitized.dat; the
 * IPv6 pairs other implementations publish for the same key). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "aes128.h"
#include "cryptopan.h"

static const uint8_t sample_key[32] = { 21,  34,  23,  141, 51,  164, 207, 128, 19,  10,  91,
					22,  73,  144, 125, 16,  216, 152, 143, 131, 121, 121,
					101, 39,  98,  87,  76,  45,  42,  132, 34,  2 };

Test(cryptopan, aes128_fips197)
{
	uint8_t key[16], in[16], out[16];
	static const uint8_t want[16] = { 0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
					  0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a };
	struct aes128 a;

	for (int i = 0; i < 16; i++) {
		key[i] = (uint8_t)i;
		in[i] = (uint8_t)(i * 0x11);
	}
	aes128_init(&a, key);
	aes128_encrypt(&a, in, out);
	cr_assert_arr_eq(out, want, 16);
}

static void expect(const struct cryptopan *c, int af, const char *in, const char *want)
{
	uint8_t a[16];
	char got[64];

	cr_assert_eq(inet_pton(af, in, a), 1);
	cpan_anon(c, a, af == AF_INET ? 4 : 16);
	inet_ntop(af, a, got, sizeof(got));
	cr_assert_str_eq(got, want, "%s", in);
}

Test(cryptopan, reference_vectors)
{
	static const char *const v4[][2] = {
		{ "128.11.68.132", "135.242.180.132" }, { "129.118.74.4", "134.136.186.123" },
		{ "130.132.252.244", "133.68.164.234" }, { "141.223.7.43", "141.167.8.160" },
		{ "141.233.145.108", "141.129.237.235" }, { "152.163.225.39", "151.140.114.167" },
		{ "192.102.249.13", "252.138.62.131" }, { "24.0.250.221", "100.15.198.226" },
		{ "64.14.118.196", "0.255.183.58" }, { "10.185.25.118", "117.161.29.118" },
	};
	static const char *const v6[][2] = {
		{ "::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed" },
		{ "::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef" },
		{ "2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e" },
	};
	struct cryptopan c;

	cpan_init(&c, sample_key);
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expect(&c, AF_INET, v4[i][0], v4[i][1]);
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		expect(&c, AF_INET6, v6[i][0], v6[i][1]);
}

Test(cryptopan, keys_and_hashes)
{
	uint8_t k1[32], k2[32];
	struct cryptopan a, b;

	cr_assert_eq(cpan_parse_key("0123456789abcdef0123456789abcdef", k1), 0);
	cr_assert_eq(cpan_parse_key("0x3031323334353637383961626364656630313233343536373839616263"
				    "646566",
				    k2),
		     0);
	cr_assert_arr_eq(k1, k2, 32); /* the same key in both notations */
	cr_assert_neq(cpan_parse_key("short", k1), 0);
	cr_assert_neq(cpan_parse_key("0xzz23456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
				     "cdef",
				     k1),
		      0);
	cpan_init(&a, k1);
	cpan_init(&b, sample_key);
	cr_assert_eq(cpan_hash(&a, "secret", 6), cpan_hash(&a, "secret", 6));
	cr_assert_neq(cpan_hash(&a, "secret", 6), cpan_hash(&a, "secret", 5));
	cr_assert_neq(cpan_hash(&a, "secret", 6), cpan_hash(&b, "secret", 6));
	/* inputs that differ only past 16 bytes, or in length with zero padding */
	cr_assert_neq(cpan_hash(&a, "0123456789abcdefX", 17), cpan_hash(&a, "0123456789abcdefY", 17));
	cr_assert_neq(cpan_hash(&a, "ab\0", 3), cpan_hash(&a, "ab", 2));
}
