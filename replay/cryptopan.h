/* cryptopan.h - keyed, deterministic pseudonyms for redact: Crypto-PAn
 * prefix-preserving address anonymisation (Xu, Fan, Ammar, Moon 2002; the
 * scheme of nfdump's nfanon, bit-compatible with its reference vectors),
 * and a keyed hash for strings and ids. Same key, same input -> same output,
 * across files; without the key the mapping cannot be reversed. */
#ifndef CRYPTOPAN_H
#define CRYPTOPAN_H

#include <stddef.h>
#include <stdint.h>

#include "aes128.h"

struct cryptopan {
	struct aes128 prf; /* first half of the key */
	uint8_t pad[16]; /* AES of the second half */
	struct aes128 mac; /* derived key for cpan_hash */
};

/* Parse a key given as 32 characters (nfanon's form) or as 0x and 64 hex
 * digits. @return 0 or -1 if it is neither. */
int cpan_parse_key(const char *text, uint8_t key[32]);
void cpan_init(struct cryptopan *c, const uint8_t key[32]);

/* Anonymise an address of len bytes (4 or 16) in place: two addresses
 * sharing a k-bit prefix map to two sharing exactly a k-bit prefix. */
void cpan_anon(const struct cryptopan *c, uint8_t *addr, size_t len);

/* A keyed 64-bit hash of len bytes (length-prefixed CBC-MAC). */
uint64_t cpan_hash(const struct cryptopan *c, const void *data, size_t len);

#endif
