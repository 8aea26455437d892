/* cryptopan.c - see cryptopan.h. */
#include <ctype.h>
#include <string.h>

#include "cryptopan.h"

int cpan_parse_key(const char *text, uint8_t key[32])
{
	size_t n = strlen(text);

	if (n == 32) {
		memcpy(key, text, 32);
		return 0;
	}
	if (n != 66 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char ch = text[2 + 2 * i + k];
			if (!isxdigit((unsigned char)ch))
				return -1;
			v = v * 16 + (unsigned)(isdigit((unsigned char)ch) ? ch - '0'
									   : tolower((unsigned char)ch) - 'a' + 10);
		}
		key[i] = (uint8_t)v;
	}
	return 0;
}

void cpan_init(struct cryptopan *c, const uint8_t key[32])
{
	static const uint8_t label[16] = "ebpfrec hash key";
	uint8_t k2[16];

	aes128_init(&c->prf, key);
	aes128_encrypt(&c->prf, key + 16, c->pad);
	aes128_encrypt(&c->prf, label, k2); /* a separate key for hashing */
	aes128_init(&c->mac, k2);
}

/* Bit i of the output flips when the PRF of (the address's first i bits
 * followed by the pad's remaining bits) has its top bit set. */
void cpan_anon(const struct cryptopan *c, uint8_t *addr, size_t len)
{
	uint8_t in[16], out[16], flip[16] = { 0 };
	size_t bits = len * 8;

	for (size_t i = 0; i < bits; i++) {
		size_t full = i / 8, rest = i % 8;
		memcpy(in, c->pad, 16);
		memcpy(in, addr, full);
		if (rest) {
			uint8_t keep = (uint8_t)(0xff << (8 - rest));
			in[full] = (uint8_t)((addr[full] & keep) | (c->pad[full] & ~keep));
		}
		aes128_encrypt(&c->prf, in, out);
		flip[i / 8] |= (uint8_t)((out[0] >> 7) << (7 - i % 8));
	}
	for (size_t i = 0; i < len; i++)
		addr[i] ^= flip[i];
}

uint64_t cpan_hash(const struct cryptopan *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t block[16] = { 0 }, x[16];
	uint64_t h = 0;

	/* the length first makes CBC-MAC safe for inputs of varying length */
	for (int i = 0; i < 8; i++)
		block[i] = (uint8_t)(len >> (8 * i));
	aes128_encrypt(&c->mac, block, x);
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		for (size_t i = 0; i < 16; i++)
			x[i] ^= i < n ? p[off + i] : 0;
		aes128_encrypt(&c->mac, x, x);
	}
	for (int i = 0; i < 8; i++)
		h = h << 8 | x[i];
	return h;
}
