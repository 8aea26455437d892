/* crc32.h - CRC-32C (Castagnoli) of chunk blobs. */
#ifndef FMT_CRC32_H
#define FMT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* @return the CRC-32C of n bytes at p, continuing from crc (start with 0).
 * The same function as iSCSI, ext4 and Python's/Go's crc32c. */
uint32_t fmt_crc32c(uint32_t crc, const void *p, size_t n);

#endif
