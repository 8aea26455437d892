/* aes128.h - AES-128 block encryption (FIPS-197), the pseudorandom function
 * behind redact's prefix-preserving address anonymisation and keyed hashes.
 * Encryption only: nothing here ever needs to decrypt. */
#ifndef AES128_H
#define AES128_H

#include <stdint.h>

struct aes128 {
	uint8_t rk[176]; /* 11 round keys */
};

void aes128_init(struct aes128 *a, const uint8_t key[16]);
void aes128_encrypt(const struct aes128 *a, const uint8_t in[16], uint8_t out[16]);

#endif
