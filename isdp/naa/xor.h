/* The test algorithm for 3G authentication of 3GPP TS 34.108 §8.1.2 (the
 * "XOR" algorithm), SAIP algorithmID 3 (usim-test-algorithm), as used by
 * the GSMA TS.48 test profiles. 128-bit K only. No secrecy: it exists so
 * test equipment can predict every output. */
#ifndef ISDP_NAA_XOR_H
#define ISDP_NAA_XOR_H

#include <stddef.h>
#include <stdint.h>

#define NAA_XOR_RES_MIN	4	/* TS 34.108 §8.1.2.1: RES of 32..128 bits */
#define NAA_XOR_RES_MAX	16

/* f2..f5: XDOUT = K xor RAND; RES = XDOUT[0 .. 8*res_len-1] (res_len 4..16
 * octets, else -EU_E_PARAM), CK = XDOUT rotated left by 8 bits, IK by 16
 * bits, AK = XDOUT[24..71]. Any output may be NULL. */
int naa_xor_f2345(const uint8_t k[16], const uint8_t rand[16], size_t res_len, uint8_t *res,
		  uint8_t ck[16], uint8_t ik[16], uint8_t ak[6]);

/* f1 = XDOUT[0..63] xor (SQN || AMF). TS 34.108 uses the same function
 * for MAC-S (with the AMF of re-synchronisation, 0000) and the same AK for
 * AUTS, so f1* = f1 and f5* = f5 here. */
int naa_xor_f1(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
	       const uint8_t amf[2], uint8_t mac[8]);

#endif
