/* AKA on the USIM side, TS 33.102 §6.3.3: recover SQN with AK, verify
 * MAC-A over the AMF as received, then produce RES, CK, IK; and the
 * re-synchronisation token AUTS. */
#include "isdp/naa/aka.h"

#include "isdp/naa/milenage.h"
#include "isdp/naa/tuak.h"
#include "isdp/naa/xor.h"
#include "sim/err.h"

#include <openssl/crypto.h>
#include <string.h>

/* The parameters with the defaults filled in and every length checked. */
struct algo {
	const struct naa_aka_params *p;
	size_t res_len, mac_len, ck_len, ik_len;
	struct naa_tuak tuak;
};

static void pick(size_t given, size_t dflt, size_t *out)
{
	*out = given ? given : dflt;
}

static int setup(const struct naa_aka_params *p, struct algo *a)
{
	memset(a, 0, sizeof(*a));
	if (!p)
		return -EU_E_PARAM;
	a->p = p;
	switch (p->algorithm) {
	case NAA_ALG_MILENAGE:
		pick(p->res_len, 8, &a->res_len);
		pick(p->mac_len, 8, &a->mac_len);
		pick(p->ck_len, 16, &a->ck_len);
		pick(p->ik_len, 16, &a->ik_len);
		if (p->k_len != 16 || p->opc_len != 16 || a->res_len != 8 || a->mac_len != 8 ||
		    a->ck_len != 16 || a->ik_len != 16)
			return -EU_E_PARAM;
		return 0;
	case NAA_ALG_TEST_XOR:
		pick(p->res_len, NAA_XOR_RES_MAX, &a->res_len);
		pick(p->mac_len, 8, &a->mac_len);
		pick(p->ck_len, 16, &a->ck_len);
		pick(p->ik_len, 16, &a->ik_len);
		if (p->k_len != 16 || a->res_len < NAA_XOR_RES_MIN || a->res_len > NAA_XOR_RES_MAX ||
		    a->mac_len != 8 || a->ck_len != 16 || a->ik_len != 16)
			return -EU_E_PARAM;
		return 0;
	case NAA_ALG_TUAK:
		pick(p->res_len, 8, &a->res_len);
		pick(p->mac_len, 8, &a->mac_len);
		pick(p->ck_len, 16, &a->ck_len);
		pick(p->ik_len, 16, &a->ik_len);
		if (p->opc_len != NAA_TUAK_TOP_LEN || p->k_len > sizeof(p->k))
			return -EU_E_PARAM;
		a->tuak = (struct naa_tuak){
			.k = p->k,
			.k_len = p->k_len,
			.topc = p->opc,
			.iterations = p->keccak_iterations,
			.mac_len = a->mac_len,
			.res_len = a->res_len,
			.ck_len = a->ck_len,
			.ik_len = a->ik_len,
		};
		return naa_tuak_check(&a->tuak);
	default:
		return -EU_E_PARAM;
	}
}

static int f1(const struct algo *a, const uint8_t rand[16], const uint8_t sqn[6],
	      const uint8_t amf[2], uint8_t *mac)
{
	const struct naa_aka_params *p = a->p;

	switch (p->algorithm) {
	case NAA_ALG_MILENAGE:
		return naa_milenage_f1(p->k, p->opc, p->rotation, p->xoring, rand, sqn, amf, mac, NULL);
	case NAA_ALG_TUAK:
		return naa_tuak_f1(&a->tuak, rand, sqn, amf, mac);
	default:
		return naa_xor_f1(p->k, rand, sqn, amf, mac);
	}
}

static int f1star(const struct algo *a, const uint8_t rand[16], const uint8_t sqn[6],
		  const uint8_t amf[2], uint8_t *mac)
{
	const struct naa_aka_params *p = a->p;

	switch (p->algorithm) {
	case NAA_ALG_MILENAGE:
		return naa_milenage_f1(p->k, p->opc, p->rotation, p->xoring, rand, sqn, amf, NULL, mac);
	case NAA_ALG_TUAK:
		return naa_tuak_f1star(&a->tuak, rand, sqn, amf, mac);
	default:
		return naa_xor_f1(p->k, rand, sqn, amf, mac);	/* TS 34.108 §8.1.2.2 */
	}
}

static int f2345(const struct algo *a, const uint8_t rand[16], uint8_t *res, uint8_t *ck,
		 uint8_t *ik, uint8_t ak[6])
{
	const struct naa_aka_params *p = a->p;

	switch (p->algorithm) {
	case NAA_ALG_MILENAGE:
		return naa_milenage_f2345(p->k, p->opc, p->rotation, p->xoring, rand, res, ck, ik, ak);
	case NAA_ALG_TUAK:
		return naa_tuak_f2345(&a->tuak, rand, res, ck, ik, ak);
	default:
		return naa_xor_f2345(p->k, rand, a->res_len, res, ck, ik, ak);
	}
}

static int f5star(const struct algo *a, const uint8_t rand[16], uint8_t ak_s[6])
{
	const struct naa_aka_params *p = a->p;

	switch (p->algorithm) {
	case NAA_ALG_MILENAGE:
		return naa_milenage_f5star(p->k, p->opc, p->rotation, p->xoring, rand, ak_s);
	case NAA_ALG_TUAK:
		return naa_tuak_f5star(&a->tuak, rand, ak_s);
	default:
		return naa_xor_f2345(p->k, rand, 0, NULL, NULL, NULL, ak_s);	/* f5* = f5 */
	}
}

int naa_aka_c2(const uint8_t *res, size_t res_len, uint8_t sres[4])
{
	uint8_t x[16] = { 0 };

	/* XRES* = XRES padded with zeros to 16 octets, SRES = XOR of its four words */
	if (!res || res_len < 4 || res_len > 16)
		return -EU_E_PARAM;
	memcpy(x, res, res_len);
	for (unsigned i = 0; i < 4; i++)
		sres[i] = x[i] ^ x[i + 4] ^ x[i + 8] ^ x[i + 12];
	OPENSSL_cleanse(x, sizeof(x));
	return 0;
}

void naa_aka_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8])
{
	for (unsigned i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}

void naa_aka_wipe(struct naa_aka_result *r)
{
	if (r)
		OPENSSL_cleanse(r, sizeof(*r));
}

int naa_aka_authenticate(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
			 const uint8_t *autn, size_t autn_len, struct naa_aka_result *out)
{
	uint8_t ak[6], xmac[NAA_AKA_MAX_LEN];
	struct algo a;
	int rc;

	if (!out)
		return -EU_E_PARAM;
	naa_aka_wipe(out);
	rc = setup(p, &a);
	if (rc)
		goto out;
	if (!rand || !autn || autn_len != 8 + a.mac_len) {
		rc = -EU_E_PARAM;
		goto out;
	}
	rc = f2345(&a, rand, out->res, out->ck, out->ik, ak);
	if (rc)
		goto out;
	for (unsigned i = 0; i < 6; i++)
		out->sqn[i] = autn[i] ^ ak[i];
	memcpy(out->amf, autn + 6, 2);
	rc = f1(&a, rand, out->sqn, out->amf, xmac);
	if (rc)
		goto out;
	if (CRYPTO_memcmp(xmac, autn + 8, a.mac_len)) {
		rc = NAA_AKA_MAC_FAILURE;
		goto out;
	}
	out->res_len = a.res_len;
	out->ck_len = a.ck_len;
	out->ik_len = a.ik_len;
	if (a.res_len <= 16 && a.ck_len == 16 && a.ik_len == 16) {
		naa_aka_c2(out->res, out->res_len, out->sres);
		naa_aka_c3(out->ck, out->ik, out->kc);
		out->gsm = true;
	}
out:
	if (rc)
		naa_aka_wipe(out);
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(xmac, sizeof(xmac));
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}

int naa_aka_auts(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
		 const uint8_t sqn_ms[6], uint8_t *auts, size_t auts_size, size_t *auts_len)
{
	static const uint8_t amf_resync[2] = { 0x00, 0x00 };	/* TS 33.102 §6.3.3 */
	uint8_t ak_s[6];
	struct algo a;
	int rc;

	if (auts_len)
		*auts_len = 0;
	rc = setup(p, &a);
	if (!rc && (!rand || !sqn_ms || !auts || !auts_len || auts_size < 6 + a.mac_len))
		rc = -EU_E_PARAM;
	if (!rc)
		rc = f5star(&a, rand, ak_s);
	if (!rc)
		rc = f1star(&a, rand, sqn_ms, amf_resync, auts + 6);
	if (!rc) {
		for (unsigned i = 0; i < 6; i++)
			auts[i] = sqn_ms[i] ^ ak_s[i];
		*auts_len = 6 + a.mac_len;
	} else if (auts) {
		OPENSSL_cleanse(auts, auts_size);
	}
	OPENSSL_cleanse(ak_s, sizeof(ak_s));
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}

int naa_aka_gsm(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
		uint8_t sres[4], uint8_t kc[8])
{
	uint8_t res[NAA_AKA_MAX_LEN], ck[NAA_AKA_MAX_LEN], ik[NAA_AKA_MAX_LEN];
	struct algo a;
	int rc;

	rc = setup(p, &a);
	if (!rc && (!rand || !sres || !kc || a.res_len > 16 || a.ck_len != 16 || a.ik_len != 16))
		rc = -EU_E_PARAM;
	if (!rc)
		rc = f2345(&a, rand, res, ck, ik, NULL);
	if (!rc)
		rc = naa_aka_c2(res, a.res_len, sres);
	if (!rc)
		naa_aka_c3(ck, ik, kc);
	if (rc) {
		if (sres)
			OPENSSL_cleanse(sres, 4);
		if (kc)
			OPENSSL_cleanse(kc, 8);
	}
	OPENSSL_cleanse(res, sizeof(res));
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(ik, sizeof(ik));
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}
