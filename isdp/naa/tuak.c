/* TUAK, 3GPP TS 35.231. Every function fills the 1600-bit INOUT state of
 * TS 35.231 §6, runs Keccak-f[1600] `iterations` times and reads its output
 * from the start of the state.
 *
 * INOUT is numbered from bit 0 upwards, and TS 35.231 places each value
 * with its least significant bit first: in octets of the Keccak state
 * (keccak.h), a value's last octet goes first. Octet layout:
 *     0..31   TOPc (TOP when computing TOPc)
 *        32   INSTANCE, which says which function and which sizes
 *    33..39   ALGONAME, the ASCII text "TUAK1.0"
 *    40..55   RAND
 *    56..57   AMF
 *    58..63   SQN
 *    64..95   K (a 128-bit K fills 64..79; 80..95 stay zero)
 *        96   0x1F, 135: 0x80 (fixed padding), the rest zero
 * Outputs are read back the same way: MAC or RES from octet 0, CK from 32,
 * IK from 64, AK from 96. */
#include "isdp/naa/tuak.h"

#include "isdp/naa/keccak.h"
#include "sim/err.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <string.h>

/* INSTANCE bits, TS 35.231 §6 */
#define INST_STAR	0x80	/* f1* / f5* */
#define INST_F2345	0x40	/* f2..f5 and f5* */
#define INST_CK256	0x04
#define INST_IK256	0x02
#define INST_K256	0x01

#define OFF_TOPC	0
#define OFF_INSTANCE	32
#define OFF_ALGONAME	33
#define OFF_RAND	40
#define OFF_AMF		56
#define OFF_SQN		58
#define OFF_K		64
#define OFF_CK		32
#define OFF_IK		64
#define OFF_AK		96

static const char algoname[7] = { 'T', 'U', 'A', 'K', '1', '.', '0' };

/* MAC and RES sizes code their octet count in INSTANCE bits 5..3
 * (8 -> 0x08, 16 -> 0x10, 32 -> 0x20); a 4-octet RES is code 0. */
static bool len_code(size_t len, bool allow4, uint8_t *code)
{
	switch (len) {
	case 4:
		*code = 0;
		return allow4;
	case 8:
	case 16:
	case 32:
		*code = (uint8_t)len;
		return true;
	default:
		return false;
	}
}

static int check_key(const struct naa_tuak *t, uint8_t *instance)
{
	if (!t || !t->k || (t->k_len != 16 && t->k_len != 32))
		return -EU_E_PARAM;
	if (t->iterations < 1 || t->iterations > 255)
		return -EU_E_PARAM;
	if (t->k_len == 32)
		*instance |= INST_K256;
	return 0;
}

int naa_tuak_check(const struct naa_tuak *t)
{
	uint8_t instance = 0, code;

	TRY(check_key(t, &instance));
	if (!len_code(t->mac_len, false, &code) || !len_code(t->res_len, true, &code) ||
	    (t->ck_len != 16 && t->ck_len != 32) || (t->ik_len != 16 && t->ik_len != 32))
		return -EU_E_PARAM;
	return 0;
}

/* Copy n octets of `v` into the state at `off`, last octet first. */
static void put(uint8_t *st, size_t off, const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st[off + i] = v ? v[n - 1 - i] : 0;
}

static void get(const uint8_t *st, size_t off, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = st[off + n - 1 - i];
}

/* `top` is TOPc, or TOP when computing TOPc; NULL fields are all-zero. */
static void core(uint8_t st[NAA_KECCAK_STATE_BYTES], const struct naa_tuak *t, const uint8_t *top,
		 uint8_t instance, const uint8_t *rand, const uint8_t *amf, const uint8_t *sqn)
{
	memset(st, 0, NAA_KECCAK_STATE_BYTES);
	put(st, OFF_TOPC, top, NAA_TUAK_TOP_LEN);
	st[OFF_INSTANCE] = instance;
	put(st, OFF_ALGONAME, (const uint8_t *)algoname, sizeof(algoname));
	put(st, OFF_RAND, rand, 16);
	put(st, OFF_AMF, amf, 2);
	put(st, OFF_SQN, sqn, 6);
	put(st, OFF_K, t->k, t->k_len);
	st[96] = 0x1f;
	st[135] = 0x80;
	naa_keccak_f1600(st, t->iterations);
}

int naa_tuak_topc(const struct naa_tuak *t, const uint8_t top[NAA_TUAK_TOP_LEN],
		  uint8_t topc[NAA_TUAK_TOP_LEN])
{
	uint8_t st[NAA_KECCAK_STATE_BYTES], instance = 0;

	TRY(check_key(t, &instance));
	core(st, t, top, instance, NULL, NULL, NULL);
	get(st, 0, topc, NAA_TUAK_TOP_LEN);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

static int f1_any(const struct naa_tuak *t, uint8_t instance, const uint8_t rand[16],
		  const uint8_t sqn[6], const uint8_t amf[2], uint8_t *mac)
{
	uint8_t st[NAA_KECCAK_STATE_BYTES], code;

	TRY(check_key(t, &instance));
	if (!t->topc || !len_code(t->mac_len, false, &code))
		return -EU_E_PARAM;
	core(st, t, t->topc, instance | code, rand, amf, sqn);
	get(st, 0, mac, t->mac_len);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

int naa_tuak_f1(const struct naa_tuak *t, const uint8_t rand[16], const uint8_t sqn[6],
		const uint8_t amf[2], uint8_t *mac_a)
{
	return f1_any(t, 0, rand, sqn, amf, mac_a);
}

int naa_tuak_f1star(const struct naa_tuak *t, const uint8_t rand[16], const uint8_t sqn[6],
		    const uint8_t amf[2], uint8_t *mac_s)
{
	return f1_any(t, INST_STAR, rand, sqn, amf, mac_s);
}

int naa_tuak_f2345(const struct naa_tuak *t, const uint8_t rand[16], uint8_t *res, uint8_t *ck,
		   uint8_t *ik, uint8_t ak[6])
{
	uint8_t st[NAA_KECCAK_STATE_BYTES], instance = INST_F2345, code;

	TRY(check_key(t, &instance));
	if (!t->topc || !len_code(t->res_len, true, &code))
		return -EU_E_PARAM;
	instance |= code;
	if (t->ck_len == 32)
		instance |= INST_CK256;
	else if (t->ck_len != 16)
		return -EU_E_PARAM;
	if (t->ik_len == 32)
		instance |= INST_IK256;
	else if (t->ik_len != 16)
		return -EU_E_PARAM;
	core(st, t, t->topc, instance, rand, NULL, NULL);
	if (res)
		get(st, 0, res, t->res_len);
	if (ck)
		get(st, OFF_CK, ck, t->ck_len);
	if (ik)
		get(st, OFF_IK, ik, t->ik_len);
	if (ak)
		get(st, OFF_AK, ak, 6);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}

int naa_tuak_f5star(const struct naa_tuak *t, const uint8_t rand[16], uint8_t ak_s[6])
{
	uint8_t st[NAA_KECCAK_STATE_BYTES], instance = INST_STAR | INST_F2345;

	TRY(check_key(t, &instance));
	if (!t->topc)
		return -EU_E_PARAM;
	core(st, t, t->topc, instance, rand, NULL, NULL);
	get(st, OFF_AK, ak_s, 6);
	OPENSSL_cleanse(st, sizeof(st));
	return 0;
}
