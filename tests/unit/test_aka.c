/* The NAA authentication algorithms (isdp/naa/): Keccak against OpenSSL's
 * SHA-3, MILENAGE against TS 35.208 and an independent implementation with
 * other constants, TUAK against TS 35.233, MILENAGE and the TS 34.108 XOR
 * algorithm against osmo-auc-gen (tests/vectors/), then the AKA front end
 * and the Annex C sequence number checks. */
#include "isdp/naa/aka.h"
#include "isdp/naa/keccak.h"
#include "isdp/naa/milenage.h"
#include "isdp/naa/sqn.h"
#include "isdp/naa/suci.h"
#include "isdp/naa/tuak.h"
#include "isdp/naa/xor.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "tests/unit/vectors.h"

#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V_MILENAGE	SIM_DATADIR "/tests/vectors/milenage.txt"
#define V_CONSTANTS	SIM_DATADIR "/tests/vectors/milenage-constants.txt"
#define V_TUAK		SIM_DATADIR "/tests/vectors/tuak.txt"
#define V_OSMO		SIM_DATADIR "/tests/vectors/osmo-auc-gen.txt"
#define V_SUCI		SIM_DATADIR "/tests/vectors/suci.txt"
#define TS48_PACKAGE	SIM_DATADIR "/profiles/ts48/TS48V5-SAIP2-3-NOBERTLV-UNIQUE.der"

static struct t_vectors *vec;

static void load_milenage(void) { vec = t_vectors_load(V_MILENAGE); }
static void load_constants(void) { vec = t_vectors_load(V_CONSTANTS); }
static void load_tuak(void) { vec = t_vectors_load(V_TUAK); }
static void load_osmo(void) { vec = t_vectors_load(V_OSMO); }
static void load_suci(void) { vec = t_vectors_load(V_SUCI); }
static void unload(void) { t_vectors_free(vec); vec = NULL; }

static const char *sect(const char *prefix, int n)
{
	static char s[32];

	snprintf(s, sizeof(s), "%s-%d", prefix, n);
	return s;
}

/* A value of any length up to `cap`; returns its length. */
static size_t vget(const char *section, const char *key, uint8_t *out, size_t cap)
{
	size_t n;
	uint8_t *b = t_vec_bytes(vec, section, key, &n);

	ck_assert_msg(n <= cap, "[%s] %s: %zu bytes", section, key, n);
	memcpy(out, b, n);
	free(b);
	return n;
}

#define ck_assert_bytes(got, want, n) \
	ck_assert_msg(!memcmp((got), (want), (n)), "%s differs from %s", #got, #want)

/* ---- Keccak-f[1600] ---------------------------------------------------- */

/* SHA3 sponge (FIPS 202 §4, pad10*1 with the 01 suffix) over our permutation. */
static void sha3(const uint8_t *m, size_t len, size_t rate, uint8_t *out, size_t out_len)
{
	uint8_t st[NAA_KECCAK_STATE_BYTES] = { 0 };

	while (len >= rate) {
		for (size_t i = 0; i < rate; i++)
			st[i] ^= m[i];
		naa_keccak_f1600(st, 1);
		m += rate;
		len -= rate;
	}
	for (size_t i = 0; i < len; i++)
		st[i] ^= m[i];
	st[len] ^= 0x06;
	st[rate - 1] ^= 0x80;
	naa_keccak_f1600(st, 1);
	memcpy(out, st, out_len);
}

START_TEST(keccak_matches_openssl_sha3)
{
	uint8_t msg[400], ours[64], ref[64];
	unsigned n;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 0; len <= sizeof(msg); len += 17) {
		sha3(msg, len, 136, ours, 32);
		ck_assert(EVP_Digest(msg, len, ref, &n, EVP_sha3_256(), NULL) == 1);
		ck_assert_bytes(ours, ref, 32);
		sha3(msg, len, 72, ours, 64);
		ck_assert(EVP_Digest(msg, len, ref, &n, EVP_sha3_512(), NULL) == 1);
		ck_assert_bytes(ours, ref, 64);
	}
}
END_TEST

START_TEST(keccak_iterations)
{
	uint8_t a[NAA_KECCAK_STATE_BYTES], b[NAA_KECCAK_STATE_BYTES];

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)i;
	naa_keccak_f1600(a, 0);
	ck_assert_bytes(a, b, sizeof(a));
	naa_keccak_f1600(a, 3);
	for (int i = 0; i < 3; i++)
		naa_keccak_f1600(b, 1);
	ck_assert_bytes(a, b, sizeof(a));
}
END_TEST

/* ---- MILENAGE ----------------------------------------------------------- */

struct mil_set {
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
	uint8_t f1[8], f1s[8], f2[8], f3[16], f4[16], f5[6], f5s[6];
	uint8_t rot[5], xr[80];
	bool custom;
};

static void mil_load(const char *s, struct mil_set *m)
{
	memset(m, 0, sizeof(*m));
	t_vec_fixed(vec, s, "k", m->k, 16);
	t_vec_fixed(vec, s, "rand", m->rand, 16);
	t_vec_fixed(vec, s, "sqn", m->sqn, 6);
	t_vec_fixed(vec, s, "amf", m->amf, 2);
	t_vec_fixed(vec, s, "opc", m->opc, 16);
	t_vec_fixed(vec, s, "f1", m->f1, 8);
	t_vec_fixed(vec, s, "f1star", m->f1s, 8);
	t_vec_fixed(vec, s, "f2", m->f2, 8);
	t_vec_fixed(vec, s, "f3", m->f3, 16);
	t_vec_fixed(vec, s, "f4", m->f4, 16);
	t_vec_fixed(vec, s, "f5", m->f5, 6);
	t_vec_fixed(vec, s, "f5star", m->f5s, 6);
	m->custom = t_vec_str(vec, s, "rotation") != NULL;
	if (m->custom) {
		t_vec_fixed(vec, s, "rotation", m->rot, 5);
		t_vec_fixed(vec, s, "xoring", m->xr, 80);
	} else {
		t_vec_fixed(vec, s, "op", m->op, 16);
	}
}

static void mil_check_functions(const struct mil_set *m, const uint8_t *rot, const uint8_t *xr)
{
	uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_s[6];

	ck_assert_int_eq(naa_milenage_f1(m->k, m->opc, rot, xr, m->rand, m->sqn, m->amf, mac_a, mac_s), 0);
	ck_assert_bytes(mac_a, m->f1, 8);
	ck_assert_bytes(mac_s, m->f1s, 8);
	ck_assert_int_eq(naa_milenage_f2345(m->k, m->opc, rot, xr, m->rand, res, ck, ik, ak), 0);
	ck_assert_bytes(res, m->f2, 8);
	ck_assert_bytes(ck, m->f3, 16);
	ck_assert_bytes(ik, m->f4, 16);
	ck_assert_bytes(ak, m->f5, 6);
	ck_assert_int_eq(naa_milenage_f5star(m->k, m->opc, rot, xr, m->rand, ak_s), 0);
	ck_assert_bytes(ak_s, m->f5s, 6);
	/* each output on its own */
	memset(res, 0, sizeof(res));
	ck_assert_int_eq(naa_milenage_f2345(m->k, m->opc, rot, xr, m->rand, res, NULL, NULL, NULL), 0);
	ck_assert_bytes(res, m->f2, 8);
	ck_assert_int_eq(naa_milenage_f1(m->k, m->opc, rot, xr, m->rand, m->sqn, m->amf, NULL, mac_s), 0);
	ck_assert_bytes(mac_s, m->f1s, 8);
}

/* Through the front end: AUTN from the vector's SQN, AK, AMF and MAC-A. */
static void mil_check_aka(const struct mil_set *m, const uint8_t *rot, const uint8_t *xr)
{
	struct naa_aka_params p = {
		.algorithm = NAA_ALG_MILENAGE, .k_len = 16, .opc_len = 16, .rotation = rot, .xoring = xr,
	};
	struct naa_aka_result r;
	uint8_t autn[16], auts[NAA_AKA_AUTS_MAX], mac_s[8], sres[4], kc[8];
	static const uint8_t amf0[2];
	size_t auts_len;

	memcpy(p.k, m->k, 16);
	memcpy(p.opc, m->opc, 16);
	for (int i = 0; i < 6; i++)
		autn[i] = m->sqn[i] ^ m->f5[i];
	memcpy(autn + 6, m->amf, 2);
	memcpy(autn + 8, m->f1, 8);
	ck_assert_int_eq(naa_aka_authenticate(&p, m->rand, autn, sizeof(autn), &r), 0);
	ck_assert_bytes(r.sqn, m->sqn, 6);
	ck_assert_bytes(r.amf, m->amf, 2);
	ck_assert_uint_eq(r.res_len, 8);
	ck_assert_bytes(r.res, m->f2, 8);
	ck_assert_uint_eq(r.ck_len, 16);
	ck_assert_bytes(r.ck, m->f3, 16);
	ck_assert_uint_eq(r.ik_len, 16);
	ck_assert_bytes(r.ik, m->f4, 16);
	ck_assert(r.gsm);
	ck_assert_int_eq(naa_aka_gsm(&p, m->rand, sres, kc), 0);
	ck_assert_bytes(sres, r.sres, 4);
	ck_assert_bytes(kc, r.kc, 8);
	naa_aka_wipe(&r);

	/* AUTS for SQN_MS = the vector's SQN: (SQN xor f5*) || f1*(AMF 0000) */
	ck_assert_int_eq(naa_aka_auts(&p, m->rand, m->sqn, auts, sizeof(auts), &auts_len), 0);
	ck_assert_uint_eq(auts_len, 14);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(auts[i], m->sqn[i] ^ m->f5s[i]);
	ck_assert_int_eq(naa_milenage_f1(m->k, m->opc, rot, xr, m->rand, m->sqn, amf0, NULL, mac_s), 0);
	ck_assert_bytes(auts + 6, mac_s, 8);
}

START_TEST(milenage_ts35208)
{
	const char *s = sect("set", _i);
	struct mil_set m;
	uint8_t opc[16];

	mil_load(s, &m);
	ck_assert_int_eq(naa_milenage_opc(m.k, m.op, opc), 0);
	ck_assert_bytes(opc, m.opc, 16);
	mil_check_functions(&m, NULL, NULL);
	/* the SAIP DEFAULTs written out give the same answers */
	mil_check_functions(&m, naa_milenage_default_rotation, naa_milenage_default_xoring);
	mil_check_aka(&m, NULL, NULL);
}
END_TEST

START_TEST(milenage_custom_constants)
{
	struct mil_set m;

	mil_load(sect("custom", _i), &m);
	ck_assert(m.custom);
	mil_check_functions(&m, m.rot, m.xr);
	mil_check_aka(&m, m.rot, m.xr);
}
END_TEST

START_TEST(milenage_saip_defaults)
{
	/* rotationConstants DEFAULT '4000204060'H and the xoringConstants
	 * DEFAULT of profiles/pe.asn, octet for octet */
	static const uint8_t rot[5] = { 0x40, 0x00, 0x20, 0x40, 0x60 };
	uint8_t xr[80] = { 0 };

	xr[31] = 1;
	xr[47] = 2;
	xr[63] = 4;
	xr[79] = 8;
	ck_assert_bytes(naa_milenage_default_rotation, rot, 5);
	ck_assert_bytes(naa_milenage_default_xoring, xr, 80);
}
END_TEST

START_TEST(milenage_rotation_range)
{
	uint8_t k[16] = { 1 }, opc[16] = { 2 }, rand[16] = { 3 }, sqn[6] = { 4 }, amf[2] = { 5 };
	uint8_t rot[5] = { 64, 0, 32, 64, 128 }, mac[8], res[8], ak[6];

	memset(mac, 0xAA, sizeof(mac));
	ck_assert_int_eq(naa_milenage_f1(k, opc, rot, NULL, rand, sqn, amf, mac, NULL), -EU_E_PARAM);
	for (size_t i = 0; i < sizeof(mac); i++)
		ck_assert_uint_eq(mac[i], 0);
	ck_assert_int_eq(naa_milenage_f2345(k, opc, rot, NULL, rand, res, NULL, NULL, NULL), -EU_E_PARAM);
	ck_assert_int_eq(naa_milenage_f5star(k, opc, rot, NULL, rand, ak), -EU_E_PARAM);
	rot[4] = 127;
	ck_assert_int_eq(naa_milenage_f5star(k, opc, rot, NULL, rand, ak), 0);
}
END_TEST

/* ---- TUAK --------------------------------------------------------------- */

struct tuak_set {
	uint8_t k[32], rand[16], sqn[6], amf[2], top[32], topc[32];
	uint8_t f1[32], f1s[32], f2[32], f3[32], f4[32], f5[6], f5s[6];
	size_t k_len, mac_len, res_len, ck_len, ik_len;
	unsigned iterations;
};

static void tuak_load(int n, struct tuak_set *t)
{
	const char *s = sect("set", n);

	memset(t, 0, sizeof(*t));
	t->k_len = vget(s, "k", t->k, 32);
	t_vec_fixed(vec, s, "rand", t->rand, 16);
	t_vec_fixed(vec, s, "sqn", t->sqn, 6);
	t_vec_fixed(vec, s, "amf", t->amf, 2);
	t_vec_fixed(vec, s, "top", t->top, 32);
	t_vec_fixed(vec, s, "topc", t->topc, 32);
	t->iterations = (unsigned)atoi(t_vec_str(vec, s, "iterations"));
	t->mac_len = vget(s, "f1", t->f1, 32);
	ck_assert_uint_eq(vget(s, "f1star", t->f1s, 32), t->mac_len);
	t->res_len = vget(s, "f2", t->f2, 32);
	t->ck_len = vget(s, "f3", t->f3, 32);
	t->ik_len = vget(s, "f4", t->f4, 32);
	t_vec_fixed(vec, s, "f5", t->f5, 6);
	t_vec_fixed(vec, s, "f5star", t->f5s, 6);
}

START_TEST(tuak_ts35233)
{
	struct tuak_set v;
	uint8_t topc[32], mac[32], res[32], ck[32], ik[32], ak[6];
	struct naa_tuak t;

	tuak_load(_i, &v);
	t = (struct naa_tuak){
		.k = v.k, .k_len = v.k_len, .iterations = v.iterations, .mac_len = v.mac_len,
		.res_len = v.res_len, .ck_len = v.ck_len, .ik_len = v.ik_len,
	};
	ck_assert_int_eq(naa_tuak_topc(&t, v.top, topc), 0);
	ck_assert_bytes(topc, v.topc, 32);
	t.topc = v.topc;
	ck_assert_int_eq(naa_tuak_check(&t), 0);
	ck_assert_int_eq(naa_tuak_f1(&t, v.rand, v.sqn, v.amf, mac), 0);
	ck_assert_bytes(mac, v.f1, v.mac_len);
	ck_assert_int_eq(naa_tuak_f1star(&t, v.rand, v.sqn, v.amf, mac), 0);
	ck_assert_bytes(mac, v.f1s, v.mac_len);
	ck_assert_int_eq(naa_tuak_f2345(&t, v.rand, res, ck, ik, ak), 0);
	ck_assert_bytes(res, v.f2, v.res_len);
	ck_assert_bytes(ck, v.f3, v.ck_len);
	ck_assert_bytes(ik, v.f4, v.ik_len);
	ck_assert_bytes(ak, v.f5, 6);
	ck_assert_int_eq(naa_tuak_f5star(&t, v.rand, ak), 0);
	ck_assert_bytes(ak, v.f5s, 6);
}
END_TEST

START_TEST(tuak_front_end)
{
	struct naa_aka_params p = { .algorithm = NAA_ALG_TUAK, .opc_len = 32 };
	struct naa_aka_result r;
	uint8_t autn[NAA_AKA_AUTN_MAX], auts[NAA_AKA_AUTS_MAX], sres[4], kc[8];
	size_t autn_len, auts_len;
	struct tuak_set v;
	int rc;

	tuak_load(_i, &v);
	memcpy(p.k, v.k, v.k_len);
	p.k_len = v.k_len;
	memcpy(p.opc, v.topc, 32);
	p.res_len = v.res_len;
	p.mac_len = v.mac_len;
	p.ck_len = v.ck_len;
	p.ik_len = v.ik_len;
	p.keccak_iterations = v.iterations;
	for (int i = 0; i < 6; i++)
		autn[i] = v.sqn[i] ^ v.f5[i];
	memcpy(autn + 6, v.amf, 2);
	memcpy(autn + 8, v.f1, v.mac_len);
	autn_len = 8 + v.mac_len;
	ck_assert_int_eq(naa_aka_authenticate(&p, v.rand, autn, autn_len, &r), 0);
	ck_assert_bytes(r.sqn, v.sqn, 6);
	ck_assert_uint_eq(r.res_len, v.res_len);
	ck_assert_bytes(r.res, v.f2, v.res_len);
	ck_assert_uint_eq(r.ck_len, v.ck_len);
	ck_assert_bytes(r.ck, v.f3, v.ck_len);
	ck_assert_uint_eq(r.ik_len, v.ik_len);
	ck_assert_bytes(r.ik, v.f4, v.ik_len);
	/* c2/c3 exist only for RES <= 128 bits and 128-bit CK and IK */
	ck_assert(r.gsm == (v.res_len <= 16 && v.ck_len == 16 && v.ik_len == 16));
	rc = naa_aka_gsm(&p, v.rand, sres, kc);
	if (r.gsm) {
		ck_assert_int_eq(rc, 0);
		ck_assert_bytes(sres, r.sres, 4);
		ck_assert_bytes(kc, r.kc, 8);
	} else {
		ck_assert_int_eq(rc, -EU_E_PARAM);
	}
	naa_aka_wipe(&r);

	/* a short AUTN for this MAC size is a parameter error */
	ck_assert_int_eq(naa_aka_authenticate(&p, v.rand, autn, autn_len - 1, &r), -EU_E_PARAM);
	/* a flipped MAC bit is a MAC failure */
	autn[autn_len - 1] ^= 1;
	ck_assert_int_eq(naa_aka_authenticate(&p, v.rand, autn, autn_len, &r), NAA_AKA_MAC_FAILURE);
	ck_assert_uint_eq(r.res_len, 0);

	ck_assert_int_eq(naa_aka_auts(&p, v.rand, v.sqn, auts, sizeof(auts), &auts_len), 0);
	ck_assert_uint_eq(auts_len, 6 + v.mac_len);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(auts[i], v.sqn[i] ^ v.f5s[i]);
	ck_assert_int_eq(naa_aka_auts(&p, v.rand, v.sqn, auts, 5 + v.mac_len, &auts_len), -EU_E_PARAM);
	ck_assert_uint_eq(auts_len, 0);
}
END_TEST

START_TEST(tuak_sizes_validated)
{
	static const uint8_t k[32], topc[32], rand[16], sqn[6], amf[2];
	const struct naa_tuak good = {
		.k = k, .k_len = 16, .topc = topc, .iterations = 1,
		.mac_len = 8, .res_len = 8, .ck_len = 16, .ik_len = 16,
	};
	uint8_t out[64], ak[6];
	struct naa_tuak t;

	ck_assert_int_eq(naa_tuak_check(&good), 0);
#define BAD(field, value) do { \
		t = good; \
		t.field = value; \
		ck_assert_msg(naa_tuak_check(&t) == -EU_E_PARAM, #field " = " #value); \
	} while (0)
	BAD(k_len, 0); BAD(k_len, 8); BAD(k_len, 24); BAD(k_len, 33); BAD(k, NULL);
	BAD(iterations, 0); BAD(iterations, 256);
	BAD(mac_len, 0); BAD(mac_len, 4); BAD(mac_len, 12); BAD(mac_len, 64);
	BAD(res_len, 0); BAD(res_len, 2); BAD(res_len, 12); BAD(res_len, 64);
	BAD(ck_len, 8); BAD(ck_len, 24); BAD(ik_len, 0); BAD(ik_len, 48);
#undef BAD
	/* each function refuses what it uses */
	t = good;
	t.mac_len = 4;
	ck_assert_int_eq(naa_tuak_f1(&t, rand, sqn, amf, out), -EU_E_PARAM);
	ck_assert_int_eq(naa_tuak_f1star(&t, rand, sqn, amf, out), -EU_E_PARAM);
	ck_assert_int_eq(naa_tuak_f2345(&t, rand, out, NULL, NULL, ak), 0);	/* MAC unused */
	t = good;
	t.res_len = 12;
	ck_assert_int_eq(naa_tuak_f2345(&t, rand, out, NULL, NULL, ak), -EU_E_PARAM);
	t = good;
	t.topc = NULL;
	ck_assert_int_eq(naa_tuak_f5star(&t, rand, ak), -EU_E_PARAM);
	t = good;
	t.iterations = 0;
	ck_assert_int_eq(naa_tuak_topc(&t, topc, out), -EU_E_PARAM);
	t.iterations = 255;
	ck_assert_int_eq(naa_tuak_topc(&t, topc, out), 0);
}
END_TEST

/* ---- osmo-auc-gen: MILENAGE and XOR -------------------------------------- */

static void osmo_params(const char *s, unsigned alg, struct naa_aka_params *p)
{
	memset(p, 0, sizeof(*p));
	p->algorithm = alg;
	t_vec_fixed(vec, s, "k", p->k, 16);
	p->k_len = 16;
	if (alg == NAA_ALG_MILENAGE) {
		t_vec_fixed(vec, s, "opc", p->opc, 16);
		p->opc_len = 16;
	}
}

static void osmo_check(const char *s, unsigned alg)
{
	uint8_t rand[16], autn[16], want[16], sres[4], kc[8];
	struct naa_aka_params p;
	struct naa_aka_result r;
	size_t n;

	osmo_params(s, alg, &p);
	t_vec_fixed(vec, s, "rand", rand, 16);
	t_vec_fixed(vec, s, "autn", autn, 16);
	ck_assert_int_eq(naa_aka_authenticate(&p, rand, autn, sizeof(autn), &r), 0);
	t_vec_fixed(vec, s, "sqn", want, 6);
	ck_assert_bytes(r.sqn, want, 6);
	t_vec_fixed(vec, s, "amf", want, 2);
	ck_assert_bytes(r.amf, want, 2);
	n = vget(s, "res", want, 16);
	ck_assert_uint_eq(r.res_len, n);
	ck_assert_bytes(r.res, want, n);
	t_vec_fixed(vec, s, "ck", want, 16);
	ck_assert_bytes(r.ck, want, 16);
	t_vec_fixed(vec, s, "ik", want, 16);
	ck_assert_bytes(r.ik, want, 16);
	ck_assert(r.gsm);
	t_vec_fixed(vec, s, "sres", want, 4);
	ck_assert_bytes(r.sres, want, 4);
	t_vec_fixed(vec, s, "kc", want, 8);
	ck_assert_bytes(r.kc, want, 8);
	naa_aka_wipe(&r);
	/* the GSM context gives the same SRES and Kc from RAND alone */
	ck_assert_int_eq(naa_aka_gsm(&p, rand, sres, kc), 0);
	t_vec_fixed(vec, s, "sres", want, 4);
	ck_assert_bytes(sres, want, 4);
	t_vec_fixed(vec, s, "kc", want, 8);
	ck_assert_bytes(kc, want, 8);

	/* wrong K: MAC failure, nothing returned (octet 0: the XOR algorithm's
	 * MAC only depends on K[0..7]) */
	p.k[0] ^= 0x01;
	ck_assert_int_eq(naa_aka_authenticate(&p, rand, autn, sizeof(autn), &r), NAA_AKA_MAC_FAILURE);
	ck_assert_uint_eq(r.res_len, 0);
	ck_assert(!r.gsm);
	p.k[0] ^= 0x01;
	/* any flipped AUTN bit (SQN xor AK, AMF or MAC) is a MAC failure: the AMF
	 * is covered by MAC-A as received */
	for (size_t i = 0; i < sizeof(autn); i++) {
		autn[i] ^= 0x80;
		ck_assert_int_eq(naa_aka_authenticate(&p, rand, autn, sizeof(autn), &r),
				 NAA_AKA_MAC_FAILURE);
		autn[i] ^= 0x80;
	}
}

START_TEST(osmo_milenage)
{
	osmo_check(sect("milenage", _i), NAA_ALG_MILENAGE);
}
END_TEST

START_TEST(osmo_xor)
{
	osmo_check(sect("xor", _i), NAA_ALG_TEST_XOR);
}
END_TEST

static void osmo_auts(const char *s, unsigned alg)
{
	uint8_t rand[16], sqn_ms[6], want[14], auts[NAA_AKA_AUTS_MAX];
	struct naa_aka_params p;
	size_t n;

	osmo_params(s, alg, &p);
	t_vec_fixed(vec, s, "rand", rand, 16);
	t_vec_fixed(vec, s, "sqn_ms", sqn_ms, 6);
	t_vec_fixed(vec, s, "auts", want, 14);
	ck_assert_int_eq(naa_aka_auts(&p, rand, sqn_ms, auts, sizeof(auts), &n), 0);
	ck_assert_uint_eq(n, 14);
	ck_assert_bytes(auts, want, 14);
}

START_TEST(osmo_auts_milenage)
{
	osmo_auts(sect("auts-milenage", _i), NAA_ALG_MILENAGE);
}
END_TEST

START_TEST(osmo_auts_xor)
{
	osmo_auts(sect("auts-xor", _i), NAA_ALG_TEST_XOR);
}
END_TEST

START_TEST(xor_definition)
{
	/* TS 34.108 §8.1.2.1 on a pattern that shows every octet's origin */
	uint8_t k[16] = { 0 }, rand[16], res[16], ck[16], ik[16], ak[6], mac[8];
	static const uint8_t sqn[6] = { 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5 }, amf[2] = { 0xB0, 0xB1 };

	for (int i = 0; i < 16; i++)
		rand[i] = (uint8_t)i;	/* XDOUT = 00 01 .. 0F */
	ck_assert_int_eq(naa_xor_f2345(k, rand, 16, res, ck, ik, ak), 0);
	for (int i = 0; i < 16; i++) {
		ck_assert_uint_eq(res[i], i);
		ck_assert_uint_eq(ck[i], (i + 1) % 16);
		ck_assert_uint_eq(ik[i], (i + 2) % 16);
	}
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(ak[i], i + 3);
	ck_assert_int_eq(naa_xor_f1(k, rand, sqn, amf, mac), 0);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(mac[i], i ^ sqn[i]);
	ck_assert_uint_eq(mac[6], 6 ^ 0xB0);
	ck_assert_uint_eq(mac[7], 7 ^ 0xB1);
	ck_assert_int_eq(naa_xor_f2345(k, rand, 3, res, NULL, NULL, NULL), -EU_E_PARAM);
	ck_assert_int_eq(naa_xor_f2345(k, rand, 17, res, NULL, NULL, NULL), -EU_E_PARAM);
	ck_assert_int_eq(naa_xor_f2345(k, rand, 4, res, NULL, NULL, NULL), 0);
}
END_TEST

/* ---- the front end: parameters, c2/c3 ----------------------------------- */

START_TEST(aka_params_validated)
{
	static const uint8_t rand[16], autn[NAA_AKA_AUTN_MAX], sqn[6];
	struct naa_aka_params mil = { .algorithm = NAA_ALG_MILENAGE, .k_len = 16, .opc_len = 16 };
	struct naa_aka_params x = { .algorithm = NAA_ALG_TEST_XOR, .k = { 1 }, .k_len = 16 };
	struct naa_aka_params tu = {
		.algorithm = NAA_ALG_TUAK, .k_len = 16, .opc_len = 32, .keccak_iterations = 1,
	};
	uint8_t auts[NAA_AKA_AUTS_MAX], sres[4], kc[8];
	struct naa_aka_params p;
	struct naa_aka_result r;
	size_t n;

#define REFUSED(params, len) do { \
		memset(&r, 0x5A, sizeof(r)); \
		ck_assert_int_eq(naa_aka_authenticate(&(params), rand, autn, (len), &r), -EU_E_PARAM); \
		ck_assert_uint_eq(r.res_len, 0); \
		ck_assert_int_eq(naa_aka_auts(&(params), rand, sqn, auts, sizeof(auts), &n), -EU_E_PARAM); \
		ck_assert_int_eq(naa_aka_gsm(&(params), rand, sres, kc), -EU_E_PARAM); \
	} while (0)
	/* the baselines are accepted (a zero AUTN is just a MAC failure; for XOR
	 * only with a K that is not zero, as XOR maps zero to zero) */
	ck_assert_int_eq(naa_aka_authenticate(&mil, rand, autn, 16, &r), NAA_AKA_MAC_FAILURE);
	ck_assert_int_eq(naa_aka_authenticate(&x, rand, autn, 16, &r), NAA_AKA_MAC_FAILURE);
	ck_assert_int_eq(naa_aka_authenticate(&tu, rand, autn, 16, &r), NAA_AKA_MAC_FAILURE);

	p = mil; p.algorithm = 0; REFUSED(p, 16);
	p = mil; p.algorithm = 4; REFUSED(p, 16);
	p = mil; p.k_len = 32; REFUSED(p, 16);
	p = mil; p.opc_len = 32; REFUSED(p, 16);
	p = mil; p.res_len = 4; REFUSED(p, 16);
	p = mil; p.res_len = 16; REFUSED(p, 16);
	p = mil; p.mac_len = 16; REFUSED(p, 24);
	p = mil; p.ck_len = 32; REFUSED(p, 16);
	p = mil; p.ik_len = 8; REFUSED(p, 16);
	p = x; p.k_len = 32; REFUSED(p, 16);
	p = x; p.res_len = 3; REFUSED(p, 16);
	p = x; p.res_len = 17; REFUSED(p, 16);
	p = x; p.mac_len = 16; REFUSED(p, 24);
	p = tu; p.keccak_iterations = 0; REFUSED(p, 16);
	p = tu; p.keccak_iterations = 256; REFUSED(p, 16);
	p = tu; p.opc_len = 16; REFUSED(p, 16);
	p = tu; p.k_len = 24; REFUSED(p, 16);
	p = tu; p.res_len = 12; REFUSED(p, 16);
	p = tu; p.mac_len = 4; REFUSED(p, 12);
	p = tu; p.ck_len = 24; REFUSED(p, 16);
	p = tu; p.ik_len = 64; REFUSED(p, 16);
#undef REFUSED
	/* AUTN length must match the MAC size */
	ck_assert_int_eq(naa_aka_authenticate(&mil, rand, autn, 15, &r), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_authenticate(&mil, rand, autn, 17, &r), -EU_E_PARAM);
	p = tu;
	p.mac_len = 32;
	ck_assert_int_eq(naa_aka_authenticate(&p, rand, autn, 16, &r), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_authenticate(&p, rand, autn, 40, &r), NAA_AKA_MAC_FAILURE);
	/* NULLs */
	ck_assert_int_eq(naa_aka_authenticate(NULL, rand, autn, 16, &r), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_authenticate(&mil, NULL, autn, 16, &r), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_authenticate(&mil, rand, NULL, 16, &r), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_authenticate(&mil, rand, autn, 16, NULL), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_auts(&mil, rand, sqn, auts, 13, &n), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_auts(&mil, rand, sqn, auts, 14, &n), 0);
	ck_assert_uint_eq(n, 14);
	/* a bad MILENAGE rotation surfaces from the front end too */
	p = mil;
	p.rotation = (const uint8_t[5]){ 0, 0, 0, 0, 200 };
	ck_assert_int_eq(naa_aka_auts(&p, rand, sqn, auts, sizeof(auts), &n), -EU_E_PARAM);
}
END_TEST

START_TEST(aka_c2_c3)
{
	uint8_t res[16], sres[4], ck[16], ik[16], kc[8];

	for (int i = 0; i < 16; i++) {
		res[i] = (uint8_t)(0x11 * (i + 1));
		ck[i] = (uint8_t)(i * 7);
		ik[i] = (uint8_t)(0xF0 ^ i);
	}
	/* TS 33.102 §6.8.1.2: RES padded with zeros to 128 bits, four words XORed */
	for (size_t len = 4; len <= 16; len++) {
		uint8_t want[4] = { 0 };

		for (size_t i = 0; i < len; i++)
			want[i % 4] ^= res[i];
		ck_assert_int_eq(naa_aka_c2(res, len, sres), 0);
		ck_assert_bytes(sres, want, 4);
	}
	ck_assert_int_eq(naa_aka_c2(res, 3, sres), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_c2(res, 17, sres), -EU_E_PARAM);
	ck_assert_int_eq(naa_aka_c2(NULL, 8, sres), -EU_E_PARAM);
	naa_aka_c3(ck, ik, kc);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(kc[i], ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8]);
}
END_TEST

/* ---- sequence numbers (TS 33.102 Annex C.2) ------------------------------ */

static void sqn_make(uint64_t seq, unsigned ind, uint8_t sqn[6])
{
	uint64_t v = seq << NAA_SQN_IND_BITS | ind;

	for (int i = 5; i >= 0; i--, v >>= 8)
		sqn[i] = (uint8_t)v;
}

static uint64_t sqn_value(const uint8_t sqn[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | sqn[i];
	return v;
}

static void set48(uint8_t b[6], uint64_t v)
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* Check one SQN; on acceptance the state moves on. Returns the result. */
static int sqn_try(struct naa_sqn_state *st, const struct naa_sqn_params *p, uint64_t seq,
		   unsigned ind, uint8_t sqn_ms[6])
{
	struct naa_sqn_state next;
	uint8_t sqn[6];
	int rc;

	sqn_make(seq, ind, sqn);
	rc = naa_sqn_check(st, p, sqn, &next, sqn_ms);
	if (rc == 0) {
		ck_assert_uint_eq(next.seq[ind], seq);
		for (unsigned i = 0; i < NAA_SQN_ENTRIES; i++)
			if (i != ind)
				ck_assert_uint_eq(next.seq[i], st->seq[i]);
	} else {
		ck_assert(!memcmp(&next, st, sizeof(next)));
	}
	*st = next;
	return rc;
}

START_TEST(sqn_fresh_replay_and_ind)
{
	struct naa_sqn_params p;
	struct naa_sqn_state st;
	uint8_t ms[6];

	naa_sqn_default_params(&p);
	ck_assert_uint_eq(p.options, 0x02);
	ck_assert_int_eq(naa_sqn_state_init(&st, NULL), 0);
	/* fresh */
	ck_assert_int_eq(sqn_try(&st, &p, 1, 0, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, 5, 3, ms), 0);
	/* replay of the same SQN */
	ck_assert_int_eq(sqn_try(&st, &p, 5, 3, ms), NAA_SQN_SYNC_FAILURE);
	/* SQN_MS = highest SEQ (5) with its IND (3) */
	ck_assert_uint_eq(sqn_value(ms), 5 << 5 | 3);
	/* same IND, lower SEQ */
	ck_assert_int_eq(sqn_try(&st, &p, 4, 3, ms), NAA_SQN_SYNC_FAILURE);
	/* another IND, lower SEQ than the highest but above its own entry */
	ck_assert_int_eq(sqn_try(&st, &p, 2, 7, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, 1, 0, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_int_eq(sqn_try(&st, &p, 2, 0, ms), 0);
	/* next may alias st */
	sqn_make(6, 3, ms);
	ck_assert_int_eq(naa_sqn_check(&st, &p, ms, &st, NULL), 0);
	ck_assert_uint_eq(st.seq[3], 6);
	ck_assert_int_eq(naa_sqn_check(&st, &p, ms, &st, NULL), NAA_SQN_SYNC_FAILURE);
	naa_sqn_ms(&st, ms);
	ck_assert_uint_eq(sqn_value(ms), 6 << 5 | 3);
}
END_TEST

START_TEST(sqn_delta)
{
	struct naa_sqn_params p;
	struct naa_sqn_state st;
	uint8_t ms[6];

	naa_sqn_default_params(&p);
	set48(p.delta, 1000);
	naa_sqn_state_init(&st, NULL);
	ck_assert_int_eq(sqn_try(&st, &p, 100, 1, ms), 0);
	/* delta is measured from the highest SEQ anywhere in the array */
	ck_assert_int_eq(sqn_try(&st, &p, 100 + 1001, 2, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_uint_eq(sqn_value(ms), 100 << 5 | 1);
	ck_assert_int_eq(sqn_try(&st, &p, 100 + 1000, 2, ms), 0);
	/* option bit off: no delta check */
	p.options = 0;
	ck_assert_int_eq(sqn_try(&st, &p, 1100 + 5000, 2, ms), 0);
}
END_TEST

START_TEST(sqn_age_limit)
{
	struct naa_sqn_params p;
	struct naa_sqn_state st;
	uint8_t ms[6];

	naa_sqn_default_params(&p);
	p.options = NAA_SQN_OPT_AGE;
	set48(p.age_limit, 50);
	naa_sqn_state_init(&st, NULL);
	ck_assert_int_eq(sqn_try(&st, &p, 200, 0, ms), 0);
	/* fresh for IND 1 but older than SEQ_MS - L */
	ck_assert_int_eq(sqn_try(&st, &p, 149, 1, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_uint_eq(sqn_value(ms), 200 << 5);
	ck_assert_int_eq(sqn_try(&st, &p, 150, 1, ms), 0);
	/* without the option the old one would pass */
	p.options = NAA_SQN_OPTIONS_DEFAULT;
	ck_assert_int_eq(sqn_try(&st, &p, 10, 2, ms), 0);
	/* both checks together */
	p.options = NAA_SQN_OPT_AGE | NAA_SQN_OPT_WRAP;
	ck_assert_int_eq(sqn_try(&st, &p, 100, 3, ms), NAA_SQN_SYNC_FAILURE);
}
END_TEST

START_TEST(sqn_wrap_around)
{
	struct naa_sqn_params p;
	struct naa_sqn_state st;
	uint8_t ms[6];

	/* with the default options (wrap-around protection, delta 2^28), a jump
	 * to the top of the counter is refused ... */
	naa_sqn_default_params(&p);
	naa_sqn_state_init(&st, NULL);
	ck_assert_int_eq(sqn_try(&st, &p, 1ULL << 28, 0, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, NAA_SQN_SEQ_MAX, 1, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_uint_eq(sqn_value(ms), (1ULL << 28) << 5);
	/* ... without it, it is accepted, and the counter cannot go on: SEQ does
	 * not wrap, every later SQN of that IND is a sync failure whose SQN_MS
	 * tells the network the maximum */
	p.options = 0;
	ck_assert_int_eq(sqn_try(&st, &p, NAA_SQN_SEQ_MAX, 1, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, 0, 1, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_int_eq(sqn_try(&st, &p, NAA_SQN_SEQ_MAX, 1, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_uint_eq(sqn_value(ms), NAA_SQN_SEQ_MAX << 5 | 1);
	ck_assert_uint_eq(sqn_value(ms), 0xFFFFFFFFFFE1ULL);
}
END_TEST

START_TEST(sqn_init_and_params)
{
	uint8_t init[NAA_SQN_ENTRIES][6] = { { 0 } }, sqn[6];
	struct naa_sqn_params p;
	struct naa_sqn_state st, next;

	for (unsigned i = 0; i < NAA_SQN_ENTRIES; i++)
		set48(init[i], 1000 + i);
	ck_assert_int_eq(naa_sqn_state_init(&st, (const uint8_t (*)[6])init), 0);
	for (unsigned i = 0; i < NAA_SQN_ENTRIES; i++)
		ck_assert_uint_eq(st.seq[i], 1000 + i);
	naa_sqn_default_params(&p);
	sqn_make(1000 + 4, 4, sqn);
	ck_assert_int_eq(naa_sqn_check(&st, &p, sqn, &next, NULL), NAA_SQN_SYNC_FAILURE);
	sqn_make(1000 + 5, 4, sqn);
	ck_assert_int_eq(naa_sqn_check(&st, &p, sqn, &next, NULL), 0);
	/* sqnInit values above 07FFFFFFFFFF */
	set48(init[31], NAA_SQN_SEQ_MAX + 1);
	ck_assert_int_eq(naa_sqn_state_init(&st, (const uint8_t (*)[6])init), -EU_E_PARAM);
	/* delta and age limit above 07FFFFFFFFFF */
	naa_sqn_state_init(&st, NULL);
	set48(p.delta, NAA_SQN_SEQ_MAX + 1);
	ck_assert_int_eq(naa_sqn_check(&st, &p, sqn, &next, NULL), -EU_E_PARAM);
	naa_sqn_default_params(&p);
	set48(p.age_limit, 0xFFFFFFFFFFFFULL);
	ck_assert_int_eq(naa_sqn_check(&st, &p, sqn, &next, NULL), -EU_E_PARAM);
	/* a corrupt state entry */
	naa_sqn_default_params(&p);
	st.seq[9] = NAA_SQN_SEQ_MAX + 1;
	ck_assert_int_eq(naa_sqn_check(&st, &p, sqn, &next, NULL), -EU_E_PARAM);
}
END_TEST

/* SQN_MS from a sync failure goes into AUTS, which the network (here: the
 * MILENAGE functions, and osmo-auc-gen in osmo_auts_*) opens again. */
START_TEST(sqn_auts_carries_sqn_ms)
{
	struct naa_aka_params a = { .algorithm = NAA_ALG_MILENAGE, .k_len = 16, .opc_len = 16 };
	static const uint8_t rand[16] = { 9, 8, 7 }, amf0[2];
	uint8_t ms[6], auts[NAA_AKA_AUTS_MAX], ak_s[6], mac_s[8], opened[6];
	struct naa_sqn_params p;
	struct naa_sqn_state st;
	size_t n;

	memset(a.k, 0x4B, 16);
	memset(a.opc, 0x0C, 16);
	naa_sqn_default_params(&p);
	naa_sqn_state_init(&st, NULL);
	ck_assert_int_eq(sqn_try(&st, &p, 77, 12, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, 70, 30, ms), 0);
	ck_assert_int_eq(sqn_try(&st, &p, 60, 30, ms), NAA_SQN_SYNC_FAILURE);
	ck_assert_uint_eq(sqn_value(ms), 77 << 5 | 12);
	ck_assert_int_eq(naa_aka_auts(&a, rand, ms, auts, sizeof(auts), &n), 0);
	ck_assert_int_eq(naa_milenage_f5star(a.k, a.opc, NULL, NULL, rand, ak_s), 0);
	for (int i = 0; i < 6; i++)
		opened[i] = auts[i] ^ ak_s[i];
	ck_assert_bytes(opened, ms, 6);
	ck_assert_int_eq(naa_milenage_f1(a.k, a.opc, NULL, NULL, rand, opened, amf0, NULL, mac_s), 0);
	ck_assert_bytes(auts + 6, mac_s, 8);
}
END_TEST

/* ---- a TS.48 profile's parameters, as decoded, drive the whole flow ------- */

START_TEST(ts48_profile_end_to_end)
{
	struct naa_aka_params ap = { 0 };
	struct saip_profile *pr = NULL;
	const struct saip_aka *sa;
	struct naa_sqn_params sp;
	struct naa_sqn_state st;
	struct naa_aka_result r;
	uint8_t rand[16], autn[16], want[16], *der;
	FILE *f = fopen(TS48_PACKAGE, "rb");
	long len;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_gt(len, 0);
	rewind(f);
	der = malloc((size_t)len);
	ck_assert_ptr_nonnull(der);
	ck_assert_uint_eq(fread(der, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_int_eq(saip_decode(der, (size_t)len, &pr), 0);
	free(der);
	ck_assert_uint_ge(pr->n_aka, 1);
	sa = &pr->aka[0];
	ck_assert(!sa->mapped);
	ck_assert_uint_eq(sa->algorithm_id, NAA_ALG_TEST_XOR);

	/* the decoder's representation goes in as it is */
	ap.algorithm = sa->algorithm_id;
	memcpy(ap.k, sa->k, sa->k_len);
	ap.k_len = sa->k_len;
	memcpy(ap.opc, sa->opc, sa->opc_len);
	ap.opc_len = sa->opc_len;
	ap.rotation = sa->rotation;
	ap.xoring = sa->xoring;
	ap.keccak_iterations = sa->number_of_keccak;
	sp.options = sa->sqn_options;
	memcpy(sp.delta, sa->sqn_delta, 6);
	memcpy(sp.age_limit, sa->sqn_age_limit, 6);
	ck_assert_int_eq(naa_sqn_state_init(&st, (const uint8_t (*)[6])sa->sqn_init), 0);

	vec = t_vectors_load(V_OSMO);
	t_vec_fixed(vec, "ts48-xor", "k", want, 16);
	ck_assert_bytes(ap.k, want, 16);
	t_vec_fixed(vec, "ts48-xor", "rand", rand, 16);
	t_vec_fixed(vec, "ts48-xor", "autn", autn, 16);
	ck_assert_int_eq(naa_aka_authenticate(&ap, rand, autn, sizeof(autn), &r), 0);
	t_vec_fixed(vec, "ts48-xor", "res", want, 16);
	ck_assert_bytes(r.res, want, 16);
	t_vec_fixed(vec, "ts48-xor", "sres", want, 4);
	ck_assert_bytes(r.sres, want, 4);
	t_vec_fixed(vec, "ts48-xor", "kc", want, 8);
	ck_assert_bytes(r.kc, want, 8);
	ck_assert_int_eq(naa_sqn_check(&st, &sp, r.sqn, &st, NULL), 0);
	ck_assert_int_eq(naa_sqn_check(&st, &sp, r.sqn, &st, NULL), NAA_SQN_SYNC_FAILURE);
	naa_aka_wipe(&r);
	t_vectors_free(vec);
	vec = NULL;
	saip_profile_free(pr);
}
END_TEST

/* ---- SUCI (TS 33.501 Annex C.4) ---------------------------------------------- */

static const char *const suci_sections[] = { "null", "profile-a", "profile-b" };

START_TEST(suci_ts33501_c4)
{
	const char *sec = suci_sections[_i];
	const char *msin = t_vec_str(vec, sec, "msin");
	uint8_t digits[16], input[NAA_SUCI_INPUT_MAX], out[64], *want, *pub = NULL, *eph = NULL;
	size_t n = strlen(msin), in_len, want_len, pub_len = 0, eph_len = 0, out_len;

	for (size_t i = 0; i < n; i++)
		digits[i] = (uint8_t)(msin[i] - '0');
	in_len = naa_suci_msin_input(digits, n, input);
	want = t_vec_bytes(vec, sec, "input", &want_len);
	ck_assert_uint_eq(in_len, want_len);
	ck_assert_bytes(input, want, in_len);
	free(want);
	if (_i > 0) {
		pub = t_vec_bytes(vec, sec, "hn_pub", &pub_len);
		eph = t_vec_bytes(vec, sec, "eph_priv", &eph_len);
	}
	ck_assert_int_eq(naa_suci_scheme_output((unsigned)_i, pub, pub_len, eph, input, in_len, out, &out_len), 0);
	want = t_vec_bytes(vec, sec, "output", &want_len);
	ck_assert_uint_eq(out_len, want_len);
	ck_assert_bytes(out, want, out_len);
	if (_i == NAA_SUCI_PROFILE_B) {
		/* the home network key compressed gives the same */
		free(pub);
		pub = t_vec_bytes(vec, sec, "hn_pub_c", &pub_len);
		ck_assert_int_eq(naa_suci_scheme_output(NAA_SUCI_PROFILE_B, pub, pub_len, eph, input, in_len, out,
							&out_len), 0);
		ck_assert_bytes(out, want, want_len);
	}
	free(want);
	free(pub);
	free(eph);
}
END_TEST

START_TEST(suci_keys_refused)
{
	static const uint8_t in[5] = { 0 };
	uint8_t out[64], bad[65] = { 0x04 };
	size_t n;

	/* a point not on the curve, a key of the wrong size, an unknown scheme */
	ck_assert_int_eq(naa_suci_scheme_output(NAA_SUCI_PROFILE_B, bad, sizeof(bad), NULL, in, sizeof(in), out, &n),
			 -EU_E_PARAM);
	ck_assert_int_eq(naa_suci_scheme_output(NAA_SUCI_PROFILE_A, bad, 31, NULL, in, sizeof(in), out, &n),
			 -EU_E_PARAM);
	ck_assert_int_eq(naa_suci_scheme_output(3, bad, 32, NULL, in, sizeof(in), out, &n), -EU_E_PARAM);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Fresh ephemeral keys: every output different, each the right length
 * and the right form. */
START_TEST(suci_fresh_keys)
{
	uint8_t out1[64], out2[64], in[5] = { 0x00, 0x01, 0x20, 0x80, 0xF6 }, *pub;
	size_t n1, n2, pub_len;
	const char *sec = suci_sections[_i];

	pub = t_vec_bytes(vec, sec, "hn_pub", &pub_len);
	ck_assert_int_eq(naa_suci_scheme_output((unsigned)_i, pub, pub_len, NULL, in, sizeof(in), out1, &n1), 0);
	ck_assert_int_eq(naa_suci_scheme_output((unsigned)_i, pub, pub_len, NULL, in, sizeof(in), out2, &n2), 0);
	ck_assert_uint_eq(n1, (_i == NAA_SUCI_PROFILE_A ? 32 : 33) + sizeof(in) + NAA_SUCI_MAC_LEN);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(out1, out2, n1) != 0);
	if (_i == NAA_SUCI_PROFILE_B)
		ck_assert(out1[0] == 0x02 || out1[0] == 0x03);
	free(pub);
}
END_TEST

Suite *aka_suite(void)
{
	Suite *s = suite_create("aka");
	TCase *tc;

	tc = tcase_create("suci");
	tcase_add_checked_fixture(tc, load_suci, unload);
	tcase_add_loop_test(tc, suci_ts33501_c4, 0, 3);
	tcase_add_test(tc, suci_keys_refused);
	tcase_add_loop_test(tc, suci_fresh_keys, 1, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("keccak");
	tcase_add_test(tc, keccak_matches_openssl_sha3);
	tcase_add_test(tc, keccak_iterations);
	suite_add_tcase(s, tc);

	tc = tcase_create("milenage");
	tcase_add_checked_fixture(tc, load_milenage, unload);
	tcase_add_loop_test(tc, milenage_ts35208, 1, 21);
	tcase_add_test(tc, milenage_saip_defaults);
	tcase_add_test(tc, milenage_rotation_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("milenage-constants");
	tcase_add_checked_fixture(tc, load_constants, unload);
	tcase_add_loop_test(tc, milenage_custom_constants, 1, 6);
	suite_add_tcase(s, tc);

	tc = tcase_create("tuak");
	tcase_add_checked_fixture(tc, load_tuak, unload);
	tcase_add_loop_test(tc, tuak_ts35233, 1, 7);
	tcase_add_loop_test(tc, tuak_front_end, 1, 7);
	tcase_add_test(tc, tuak_sizes_validated);
	suite_add_tcase(s, tc);

	tc = tcase_create("osmo-auc-gen");
	tcase_add_checked_fixture(tc, load_osmo, unload);
	tcase_add_loop_test(tc, osmo_milenage, 1, 7);
	tcase_add_loop_test(tc, osmo_xor, 1, 7);
	tcase_add_loop_test(tc, osmo_auts_milenage, 1, 4);
	tcase_add_loop_test(tc, osmo_auts_xor, 1, 4);
	tcase_add_test(tc, xor_definition);
	suite_add_tcase(s, tc);

	tc = tcase_create("front-end");
	tcase_add_test(tc, aka_params_validated);
	tcase_add_test(tc, aka_c2_c3);
	tcase_add_test(tc, ts48_profile_end_to_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("sqn");
	tcase_add_test(tc, sqn_fresh_replay_and_ind);
	tcase_add_test(tc, sqn_delta);
	tcase_add_test(tc, sqn_age_limit);
	tcase_add_test(tc, sqn_wrap_around);
	tcase_add_test(tc, sqn_init_and_params);
	tcase_add_test(tc, sqn_auts_carries_sqn_ms);
	suite_add_tcase(s, tc);
	return s;
}
