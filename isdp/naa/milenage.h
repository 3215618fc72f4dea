/* MILENAGE, the AES-128 based example set of 3GPP authentication functions
 * f1, f1*, f2, f3, f4, f5, f5* (3GPP TS 35.206 §4), with the operator
 * constants r1..r5 and c1..c5 as a profile may set them.
 *
 * Representations are those of the SAIP AlgoParameter (profiles/saip.h,
 * struct saip_aka):
 *   rotation[5]  rotationConstants: r1..r5, one octet each, the number of
 *                BIT positions of TS 35.206's cyclic rotation (0..127;
 *                larger values are rejected). Default 40 00 20 40 60,
 *                i.e. r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96.
 *   xoring[80]   xoringConstants: c1 || c2 || c3 || c4 || c5, 16 octets
 *                each. Default c1 = 0, c2 = ..01, c3 = ..02, c4 = ..04,
 *                c5 = ..08.
 * NULL for either means the TS 35.206 §4.1 defaults above.
 *
 * Functions return 0, or -EU_E_PARAM for a rotation over 127, or
 * -EU_E_CRYPTO when OpenSSL fails. Every output is written in full or left
 * zeroed. Intermediate values are wiped. */
#ifndef ISDP_NAA_MILENAGE_H
#define ISDP_NAA_MILENAGE_H

#include <stdint.h>

#define NAA_MILENAGE_ROTATION_LEN	5
#define NAA_MILENAGE_XORING_LEN		80

/* The SAIP DEFAULTs, in the same representation. */
extern const uint8_t naa_milenage_default_rotation[NAA_MILENAGE_ROTATION_LEN];
extern const uint8_t naa_milenage_default_xoring[NAA_MILENAGE_XORING_LEN];

/* OPc = OP xor E_K(OP) (TS 35.206 §4.1), for profiles that carry OP. */
int naa_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* f1 (MAC-A) and f1* (MAC-S) share OUT1; either output may be NULL. */
int naa_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
		    const uint8_t *xoring, const uint8_t rand[16], const uint8_t sqn[6],
		    const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK); any output may be NULL. */
int naa_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
		       const uint8_t *xoring, const uint8_t rand[16], uint8_t res[8], uint8_t ck[16],
		       uint8_t ik[16], uint8_t ak[6]);

/* f5* (the anonymity key of re-synchronisation). */
int naa_milenage_f5star(const uint8_t k[16], const uint8_t opc[16], const uint8_t *rotation,
			const uint8_t *xoring, const uint8_t rand[16], uint8_t ak_s[6]);

#endif
