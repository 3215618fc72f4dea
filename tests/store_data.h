/* What the test programs send as an LPA: the class byte of an ES10
 * command on a logical channel and one STORE DATA block of an ES10
 * request (SGP.22 §5.7.2; GP Card Specification §11.11). Shared by the
 * unit tests, the fuzz targets, the PC/SC client and the benchmark. */
#ifndef TESTS_STORE_DATA_H
#define TESTS_STORE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* CLA of a proprietary (GlobalPlatform) command on channel ch, 0-19
 * (TS 102 221 §10.1.1): 8X for 0-3, CX for 4-19. */
static inline uint8_t t_es10_cla(unsigned ch)
{
	return (uint8_t)(ch < 4 ? 0x80 | ch : 0xC0 | (ch - 4));
}

/* STORE DATA block number `block` (P2) of a request: P1 11 while more
 * follow, 91 on the last; n <= 255 bytes of data. Writes 5 + n bytes to
 * cmd and returns that length. */
static inline size_t t_store_data_block(uint8_t *cmd, uint8_t cla, unsigned block, bool last, const uint8_t *data,
					size_t n)
{
	cmd[0] = cla;
	cmd[1] = 0xE2;
	cmd[2] = last ? 0x91 : 0x11;
	cmd[3] = (uint8_t)block;
	cmd[4] = (uint8_t)n;
	memcpy(cmd + 5, data, n);
	return 5 + n;
}

#endif
