/* TS 34.108 §8.1.2.1 (authentication) and §8.1.2.2 (re-synchronisation). */
#include "isdp/naa/xor.h"

#include "sim/err.h"

#include <openssl/crypto.h>
#include <string.h>

static void xdout(const uint8_t k[16], const uint8_t rand[16], uint8_t out[16])
{
	for (unsigned i = 0; i < 16; i++)
		out[i] = k[i] ^ rand[i];
}

int naa_xor_f2345(const uint8_t k[16], const uint8_t rand[16], size_t res_len, uint8_t *res,
		  uint8_t ck[16], uint8_t ik[16], uint8_t ak[6])
{
	uint8_t x[16];

	if (res && (res_len < NAA_XOR_RES_MIN || res_len > NAA_XOR_RES_MAX))
		return -EU_E_PARAM;
	xdout(k, rand, x);
	if (res)
		memcpy(res, x, res_len);
	for (unsigned i = 0; i < 16; i++) {
		if (ck)
			ck[i] = x[(i + 1) % 16];	/* XDOUT[8..127, 0..7] */
		if (ik)
			ik[i] = x[(i + 2) % 16];	/* XDOUT[16..127, 0..15] */
	}
	if (ak)
		memcpy(ak, x + 3, 6);			/* XDOUT[24..71] */
	OPENSSL_cleanse(x, sizeof(x));
	return 0;
}

int naa_xor_f1(const uint8_t k[16], const uint8_t rand[16], const uint8_t sqn[6],
	       const uint8_t amf[2], uint8_t mac[8])
{
	uint8_t x[16];

	xdout(k, rand, x);
	/* CDOUT = SQN || AMF; XMAC = XDOUT[0..63] xor CDOUT */
	for (unsigned i = 0; i < 6; i++)
		mac[i] = x[i] ^ sqn[i];
	mac[6] = x[6] ^ amf[0];
	mac[7] = x[7] ^ amf[1];
	OPENSSL_cleanse(x, sizeof(x));
	return 0;
}
