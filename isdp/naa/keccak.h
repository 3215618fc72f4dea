/* Keccak-p[1600, 24] (FIPS 202 §3.3, Keccak-f[1600]): the permutation TUAK
 * is built on (3GPP TS 35.231 §6). Only the permutation, no sponge: TUAK
 * lays out its own 1600-bit state.
 *
 * The state is 200 bytes in the FIPS 202 §3.1.2 / B.1 order: lane (x, y) is
 * bytes 8*(x + 5*y) .. +7, least significant byte first, so the result is the
 * same on any host byte order. */
#ifndef ISDP_NAA_KECCAK_H
#define ISDP_NAA_KECCAK_H

#include <stdint.h>

#define NAA_KECCAK_STATE_BYTES 200

/* Apply Keccak-f[1600] `times` times in place (0 leaves the state as is). */
void naa_keccak_f1600(uint8_t state[NAA_KECCAK_STATE_BYTES], unsigned times);

#endif
