/* TUAK, the Keccak based second example set of 3GPP authentication functions
 * f1, f1*, f2, f3, f4, f5, f5* (3GPP TS 35.231), on naa_keccak_f1600().
 *
 * All lengths are in OCTETS and validated; anything outside the sets of
 * TS 35.231 gives -EU_E_PARAM and no output:
 *   K        16 or 32        (128 / 256 bits)
 *   MAC-A/S  8, 16 or 32     (64 / 128 / 256 bits)
 *   RES      4, 8, 16 or 32  (32 / 64 / 128 / 256 bits)
 *   CK, IK   16 or 32        (128 / 256 bits) each
 *   iterations of Keccak-f[1600]: 1..255 (the SAIP numberOfKeccak, UInt8,
 *            DEFAULT 1; TS 35.231 recommends 1)
 * The sizes enter the computation (the INSTANCE octet), so the same K and
 * RAND give different values for different sizes. Intermediate state is
 * wiped. */
#ifndef ISDP_NAA_TUAK_H
#define ISDP_NAA_TUAK_H

#include <stddef.h>
#include <stdint.h>

#define NAA_TUAK_TOP_LEN	32
#define NAA_TUAK_MAX_LEN	32	/* largest K, MAC, RES, CK or IK */

struct naa_tuak {
	const uint8_t *k;	/* k_len octets */
	size_t k_len;
	const uint8_t *topc;	/* 32 octets */
	unsigned iterations;
	size_t mac_len;		/* MAC-A and MAC-S */
	size_t res_len;
	size_t ck_len;
	size_t ik_len;
};

/* 0 if every field of `t` is within TS 35.231 (topc may still be NULL),
 * else -EU_E_PARAM. The functions below check what they use. */
int naa_tuak_check(const struct naa_tuak *t);

/* TOPc from TOP, for profiles that carry TOP (TS 35.231 §6.2). Only k,
 * k_len and iterations of `t` are used. */
int naa_tuak_topc(const struct naa_tuak *t, const uint8_t top[NAA_TUAK_TOP_LEN],
		  uint8_t topc[NAA_TUAK_TOP_LEN]);

/* f1: MAC-A, t->mac_len octets. */
int naa_tuak_f1(const struct naa_tuak *t, const uint8_t rand[16], const uint8_t sqn[6],
		const uint8_t amf[2], uint8_t *mac_a);

/* f1*: MAC-S, t->mac_len octets. */
int naa_tuak_f1star(const struct naa_tuak *t, const uint8_t rand[16], const uint8_t sqn[6],
		    const uint8_t amf[2], uint8_t *mac_s);

/* f2..f5: RES (res_len), CK (ck_len), IK (ik_len), AK (6); any may be NULL. */
int naa_tuak_f2345(const struct naa_tuak *t, const uint8_t rand[16], uint8_t *res, uint8_t *ck,
		   uint8_t *ik, uint8_t ak[6]);

/* f5*: AK for re-synchronisation, 6 octets. */
int naa_tuak_f5star(const struct naa_tuak *t, const uint8_t rand[16], uint8_t ak_s[6]);

#endif
