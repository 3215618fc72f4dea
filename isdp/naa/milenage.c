/* MILENAGE, 3GPP TS 35.206 §4.1. The kernel E_K is AES-128 (§3 / FIPS 197),
 * taken from OpenSSL. Each OUTi is
 *   OUTi = E_K(rot(X xor OPc, ri) xor ci) xor OPc
 * with X = TEMP (or IN1 for OUT1, which also adds TEMP before E_K) and
 * TEMP = E_K(RAND xor OPc). */
#include "isdp/naa/milenage.h"

#include "sim/err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

const uint8_t naa_milenage_default_rotation[NAA_MILENAGE_ROTATION_LEN] = { 64, 0, 32, 64, 96 };

const uint8_t naa_milenage_default_xoring[NAA_MILENAGE_XORING_LEN] = {
	[16 * 1 + 15] = 0x01,	/* c2 */
	[16 * 2 + 15] = 0x02,	/* c3 */
	[16 * 3 + 15] = 0x04,	/* c4 */
	[16 * 4 + 15] = 0x08,	/* c5 */
};

/* One AES-128 key schedule for the whole computation. */
struct mil {
	EVP_CIPHER_CTX *ctx;
	const uint8_t *opc;
	const uint8_t *rot;
	const uint8_t *xor;
	uint8_t temp[16];
};

static int mil_begin(struct mil *m, const uint8_t k[16], const uint8_t opc[16],
		     const uint8_t *rotation, const uint8_t *xoring)
{
	memset(m, 0, sizeof(*m));
	m->opc = opc;
	m->rot = rotation ? rotation : naa_milenage_default_rotation;
	m->xor = xoring ? xoring : naa_milenage_default_xoring;
	for (unsigned i = 0; i < NAA_MILENAGE_ROTATION_LEN; i++)
		if (m->rot[i] > 127)	/* TS 35.206 §4.1: 0 <= ri <= 127 */
			return -EU_E_PARAM;
	m->ctx = EVP_CIPHER_CTX_new();
	if (!m->ctx || EVP_EncryptInit_ex(m->ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(m->ctx, 0) != 1)
		return -EU_E_CRYPTO;
	return 0;
}

static void mil_end(struct mil *m)
{
	EVP_CIPHER_CTX_free(m->ctx);	/* cleanses the key schedule */
	OPENSSL_cleanse(m->temp, sizeof(m->temp));
	m->ctx = NULL;
}

static int aes(struct mil *m, const uint8_t in[16], uint8_t out[16])
{
	int len = 0;

	if (EVP_EncryptUpdate(m->ctx, out, &len, in, 16) != 1 || len != 16)
		return -EU_E_CRYPTO;
	return 0;
}

/* Cyclic rotation of a 128-bit value by r bit positions towards the most
 * significant end (TS 35.206 §4.1: rot(x, r)[i] = x[i + r mod 128], bit 0
 * being the leftmost). */
static void rot128(const uint8_t in[16], unsigned r, uint8_t out[16])
{
	unsigned bytes = r / 8, bits = r % 8;

	for (unsigned i = 0; i < 16; i++) {
		uint8_t hi = in[(i + bytes) % 16], lo = in[(i + bytes + 1) % 16];

		out[i] = bits ? (uint8_t)(hi << bits | lo >> (8 - bits)) : hi;
	}
}

static int mil_temp(struct mil *m, const uint8_t rand[16])
{
	uint8_t x[16];
	int rc;

	for (unsigned i = 0; i < 16; i++)
		x[i] = rand[i] ^ m->opc[i];
	rc = aes(m, x, m->temp);
	OPENSSL_cleanse(x, sizeof(x));
	return rc;
}

/* OUTn for n = 1..5; `extra` is added to the rotated value before E_K
 * (TEMP for OUT1, NULL otherwise). */
static int mil_out(struct mil *m, unsigned n, const uint8_t x[16], const uint8_t *extra,
		   uint8_t out[16])
{
	const uint8_t *c = m->xor + 16 * (n - 1);
	uint8_t t[16], r[16];
	int rc;

	for (unsigned i = 0; i < 16; i++)
		t[i] = x[i] ^ m->opc[i];
	rot128(t, m->rot[n - 1], r);
	for (unsigned i = 0; i < 16; i++)
		r[i] ^= c[i] ^ (extra ? extra[i] : 0);
	rc = aes(m, r, out);
	for (unsigned i = 0; i < 16; i++)
		out[i] ^= m->opc[i];
	OPENSSL_cleanse(t, sizeof(t));
	OPENSSL_cleanse(r, sizeof(r));
	return rc;
}

int naa_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	struct mil m;
	int rc;

	rc = mil_begin(&m, k, op, NULL, NULL);
	if (!rc)
		rc = aes(&m, op, opc);
	if (!rc)
		for (unsigned i = 0; i < 16; i++)
			opc[i] ^= op[i];
	else
		OPENSSL_cleanse(opc, 16);
	mil_end(&m);
	return rc;
}

int naa_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
		    const uint8_t *xoring, const uint8_t rand[16], const uint8_t sqn[6],
		    const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
	uint8_t in1[16], out1[16] = { 0 };
	struct mil m;
	int rc;

	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	rc = mil_begin(&m, k, opc, rotation, xoring);
	if (!rc)
		rc = mil_temp(&m, rand);
	if (!rc)
		rc = mil_out(&m, 1, in1, m.temp, out1);
	if (mac_a) {
		memcpy(mac_a, out1, 8);		/* OUT1[0..63] */
		if (rc)
			OPENSSL_cleanse(mac_a, 8);
	}
	if (mac_s) {
		memcpy(mac_s, out1 + 8, 8);	/* OUT1[64..127] */
		if (rc)
			OPENSSL_cleanse(mac_s, 8);
	}
	mil_end(&m);
	OPENSSL_cleanse(in1, sizeof(in1));
	OPENSSL_cleanse(out1, sizeof(out1));
	return rc;
}

int naa_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
		       const uint8_t *xoring, const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
		       uint8_t ik[16], uint8_t ak[6])
{
	uint8_t out2[16] = { 0 }, out3[16] = { 0 }, out4[16] = { 0 };
	struct mil m;
	int rc;

	rc = mil_begin(&m, k, opc, rotation, xoring);
	if (!rc)
		rc = mil_temp(&m, rand);
	if (!rc)
		rc = mil_out(&m, 2, m.temp, NULL, out2);
	if (!rc && ck)
		rc = mil_out(&m, 3, m.temp, NULL, out3);
	if (!rc && ik)
		rc = mil_out(&m, 4, m.temp, NULL, out4);
	if (rc) {
		OPENSSL_cleanse(out2, sizeof(out2));
		OPENSSL_cleanse(out3, sizeof(out3));
		OPENSSL_cleanse(out4, sizeof(out4));
	}
	if (res)
		memcpy(res, out2 + 8, 8);	/* f2 = OUT2[64..127] */
	if (ak)
		memcpy(ak, out2, 6);		/* f5 = OUT2[0..47] */
	if (ck)
		memcpy(ck, out3, 16);
	if (ik)
		memcpy(ik, out4, 16);
	mil_end(&m);
	OPENSSL_cleanse(out2, sizeof(out2));
	OPENSSL_cleanse(out3, sizeof(out3));
	OPENSSL_cleanse(out4, sizeof(out4));
	return rc;
}

int naa_milenage_f5star(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
			const uint8_t *xoring, const uint8_t rand[16], uint8_t ak_s[6])
{
	uint8_t out5[16] = { 0 };
	struct mil m;
	int rc;

	rc = mil_begin(&m, k, opc, rotation, xoring);
	if (!rc)
		rc = mil_temp(&m, rand);
	if (!rc)
		rc = mil_out(&m, 5, m.temp, NULL, out5);
	if (rc)
		OPENSSL_cleanse(out5, sizeof(out5));
	memcpy(ak_s, out5, 6);			/* f5* = OUT5[0..47] */
	mil_end(&m);
	OPENSSL_cleanse(out5, sizeof(out5));
	return rc;
}
