/* The USIM/ISIM side of AKA (3GPP TS 33.102 §6.3.3), over MILENAGE, TUAK or
 * the TS 34.108 test algorithm, as chosen by a SAIP AlgoParameter.
 *
 * A 3G/EPS AUTHENTICATE goes:
 *   1. naa_aka_authenticate(): MAC-A check, SQN recovery, RES/CK/IK (and the
 *      GSM context values when they are defined);
 *   2. naa_sqn_check() (sqn.h) on result.sqn;
 *   3. on a synchronisation failure, naa_aka_auts() with the SQN_MS it gave.
 * A GSM-context AUTHENTICATE (RAND only) is naa_aka_gsm().
 *
 * Returns: 0 success; NAA_AKA_MAC_FAILURE (positive: a spec outcome, not an
 * error); -EU_E_PARAM for any parameter outside what the algorithm defines
 * (outputs then zeroed, never a partial answer); -EU_E_CRYPTO if OpenSSL
 * fails. Intermediate values are wiped; the caller owns and should wipe
 * struct naa_aka_params and struct naa_aka_result (naa_aka_wipe()). */
#ifndef ISDP_NAA_AKA_H
#define ISDP_NAA_AKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SAIP AlgoParameter.algorithmID */
enum naa_algorithm {
	NAA_ALG_MILENAGE = 1,
	NAA_ALG_TUAK = 2,
	NAA_ALG_TEST_XOR = 3,	/* usim-test-algorithm, TS 34.108 §8.1.2 */
};

#define NAA_AKA_MAC_FAILURE	1

#define NAA_AKA_RAND_LEN	16
#define NAA_AKA_MAX_LEN		32	/* largest RES, CK, IK or MAC (TUAK) */
#define NAA_AKA_AUTN_MAX	(6 + 2 + NAA_AKA_MAX_LEN)
#define NAA_AKA_AUTS_MAX	(6 + NAA_AKA_MAX_LEN)

/* Lengths are in octets; 0 means the algorithm's default. Allowed:
 *   MILENAGE  K 16, OPc 16; RES 8, MAC 8, CK 16, IK 16 (defaults = only values)
 *   TUAK      K 16/32, TOPc 32; RES 4/8/16/32, MAC 8/16/32, CK 16/32,
 *             IK 16/32 (defaults 8, 8, 16, 16); keccak_iterations 1..255,
 *             no default (numberOfKeccak after its DEFAULT 1 is applied)
 *   TEST_XOR  K 16, opc unused; RES 4..16 (default 16), MAC 8, CK 16, IK 16
 * Fields an algorithm does not use are ignored. */
struct naa_aka_params {
	unsigned algorithm;		/* enum naa_algorithm */
	uint8_t k[32];
	size_t k_len;
	uint8_t opc[32];		/* OPc (MILENAGE) or TOPc (TUAK), as the profile gives it;
					 * naa_milenage_opc() / naa_tuak_topc() derive it from OP/TOP */
	size_t opc_len;
	const uint8_t *rotation;	/* MILENAGE r1..r5 in bits, or NULL: milenage.h */
	const uint8_t *xoring;		/* MILENAGE c1..c5, or NULL */
	size_t res_len, mac_len, ck_len, ik_len;
	unsigned keccak_iterations;	/* TUAK numberOfKeccak */
};

struct naa_aka_result {
	uint8_t sqn[6];			/* SQN = (SQN xor AK) xor AK, for naa_sqn_check() */
	uint8_t amf[2];			/* as received; no AMF bit is interpreted here */
	uint8_t res[NAA_AKA_MAX_LEN];
	size_t res_len;
	uint8_t ck[NAA_AKA_MAX_LEN];
	size_t ck_len;
	uint8_t ik[NAA_AKA_MAX_LEN];
	size_t ik_len;
	bool gsm;			/* kc and sres are defined (RES <= 16, CK and IK 16 octets) */
	uint8_t kc[8];			/* c3, TS 33.102 §6.8.1.2 */
	uint8_t sres[4];		/* c2, TS 33.102 §6.8.1.2 */
};

/* AUTN = (SQN xor AK) || AMF || MAC-A: 8 + mac_len octets, autn_len must
 * match. On NAA_AKA_MAC_FAILURE the result is zeroed. */
int naa_aka_authenticate(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
			 const uint8_t *autn, size_t autn_len, struct naa_aka_result *out);

/* AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF 0000),
 * AK* = f5*(RAND) (TS 33.102 §6.3.3). Writes 6 + mac_len octets to auts
 * (room for auts_size) and sets *auts_len. */
int naa_aka_auts(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
		 const uint8_t sqn_ms[6], uint8_t *auts, size_t auts_size, size_t *auts_len);

/* GSM security context from RAND alone (TS 31.102 §7.1.2, with TS 33.102
 * §6.8.1.2): SRES = c2(RES), Kc = c3(CK, IK). -EU_E_PARAM where those are
 * undefined (RES over 16 octets, CK or IK of 32). */
int naa_aka_gsm(const struct naa_aka_params *p, const uint8_t rand[NAA_AKA_RAND_LEN],
		uint8_t sres[4], uint8_t kc[8]);

/* c2 and c3 of TS 33.102 §6.8.1.2 on their own. c2 takes RES of 4..16
 * octets (-EU_E_PARAM otherwise). */
int naa_aka_c2(const uint8_t *res, size_t res_len, uint8_t sres[4]);
void naa_aka_c3(const uint8_t ck[16], const uint8_t ik[16], uint8_t kc[8]);

void naa_aka_wipe(struct naa_aka_result *r);

#endif
