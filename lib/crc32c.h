/*
 * crc32c.h - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the
 * checksum of stream headers and tables.  Check value: the CRC of the
 * nine bytes "123456789" is 0xE3069283.
 */
#ifndef RS_CRC32C_H
#define RS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Extends crc (start with 0) over len bytes of buf and returns the new
 * value, so a checksum can be computed piece by piece.
 */
uint32_t rs_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * The CRC of A B from crc1 = the CRC of A (from any start) and crc2 =
 * rs_crc32c(0, B, len2): so that two threads can check the halves of a
 * large table at once.
 */
uint32_t rs_crc32c_combine(uint32_t crc1, uint32_t crc2, size_t len2);

/*
 * The same value from the table-driven code alone, whatever the
 * processor: for tests, which check that both paths agree.
 */
uint32_t rs_crc32c_portable(uint32_t crc, const void *buf, size_t len);

#endif
