/* Download crypto below the BSP: ECKA-DH and the X9.63 KDF, against the
 * vectors in tests/vectors/bsp.txt (Osmocom pySim, partly from traces of an
 * independent SM-DP+) and against OpenSSL's own X963KDF. */
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"
#include "ecasd/ecka.h"
#include "ecasd/kdf.h"
#include "sim/err.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

static struct t_vectors *vec;

static void setup(void)
{
	vec = t_vectors_load(T_VECTORS_BSP);
}

static void teardown(void)
{
	t_vectors_free(vec);
	vec = NULL;
}

static const uint8_t zero32[32];

/* [ecka-nist-p256]: the SM-DP+ one-time private key imported as a scalar
 * gives the recorded otPK.DP.ECKA, and ECDH with the recorded
 * otPK.EUICC.ECKA gives the recorded ShS. */
START_TEST(ecka_nist_p256_kat)
{
	uint8_t d[32], smdp_pub[65], euicc_pub[65], expect[32], pub[65], z[32];
	struct ecasd_ecka *k = NULL;

	t_vec_fixed(vec, "ecka-nist-p256", "smdp_otsk_bytes", d, sizeof(d));
	t_vec_fixed(vec, "ecka-nist-p256", "smdp_otpk_der", smdp_pub, sizeof(smdp_pub));
	t_vec_fixed(vec, "ecka-nist-p256", "euicc_otpk_der", euicc_pub, sizeof(euicc_pub));
	t_vec_fixed(vec, "ecka-nist-p256", "expected_shared_secret", expect, sizeof(expect));

	ck_assert_int_eq(ecasd_ecka_import(NID_X9_62_prime256v1, d, sizeof(d), &k, pub), 0);
	ck_assert_int_eq(ecasd_ecka_nid(k), NID_X9_62_prime256v1);
	ck_assert_mem_eq(pub, smdp_pub, sizeof(pub));
	/* The eUICC point's X starts with a 00 byte: no length shortcuts. */
	ck_assert_int_eq(euicc_pub[1], 0x00);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, euicc_pub, sizeof(euicc_pub), z), 0);
	ck_assert_mem_eq(z, expect, sizeof(z));
	ecasd_ecka_free(k);
}
END_TEST

static void kdf_kat(const char *section)
{
	uint8_t z[32], eid[16], host_id[8], kt, kl;
	uint8_t enc[16], mac[16], mcv[16], x_enc[16], x_mac[16], x_mcv[16];

	t_vec_fixed(vec, section, "shared_secret", z, sizeof(z));
	t_vec_fixed(vec, section, "eid", eid, sizeof(eid));
	t_vec_fixed(vec, section, "host_id", host_id, sizeof(host_id));
	t_vec_fixed(vec, section, "key_type", &kt, 1);
	t_vec_fixed(vec, section, "key_length", &kl, 1);
	t_vec_fixed(vec, section, "s_enc", x_enc, 16);
	t_vec_fixed(vec, section, "s_mac", x_mac, 16);
	t_vec_fixed(vec, section, "initial_mac_chaining_value", x_mcv, 16);

	ck_assert_int_eq(ecasd_derive_session_keys(z, sizeof(z), kt, kl, host_id, sizeof(host_id),
						   eid, mcv, enc, mac), 0);
	ck_assert_mem_eq(enc, x_enc, 16);
	ck_assert_mem_eq(mac, x_mac, 16);
	ck_assert_mem_eq(mcv, x_mcv, 16);
}

/* [kdf-1], [kdf-2]: SharedInfo layout and the MCV | S-ENC | S-MAC split. */
START_TEST(kdf_1)
{
	kdf_kat("kdf-1");
}
END_TEST

START_TEST(kdf_2)
{
	kdf_kat("kdf-2");
}
END_TEST

/* The vectors chain: ECKA's ShS is [kdf-2]'s input, and [kdf-2]'s keys are
 * the ones [bsp-session-keys] protects with. So one trace of an
 * independent SM-DP+ is checked from the scalar to the session keys. */
START_TEST(ecka_kdf_chain)
{
	uint8_t d[32], euicc_pub[65], z[32], kz[32], eid[16], host_id[8];
	uint8_t enc[16], mac[16], mcv[16], x[16];
	struct ecasd_ecka *k = NULL;

	t_vec_fixed(vec, "ecka-nist-p256", "smdp_otsk_bytes", d, sizeof(d));
	t_vec_fixed(vec, "ecka-nist-p256", "euicc_otpk_der", euicc_pub, sizeof(euicc_pub));
	t_vec_fixed(vec, "kdf-2", "shared_secret", kz, sizeof(kz));
	t_vec_fixed(vec, "kdf-2", "eid", eid, sizeof(eid));
	t_vec_fixed(vec, "kdf-2", "host_id", host_id, sizeof(host_id));
	/* the SGP.26 test EID, as in the eUICC certificates */
	ck_assert_mem_eq(eid, ((const uint8_t[]){ 0x89, 0x04, 0x90, 0x32, 0x12, 0x34, 0x51, 0x23,
						  0x45, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x35 }), 16);

	ck_assert_int_eq(ecasd_ecka_import(NID_X9_62_prime256v1, d, sizeof(d), &k, NULL), 0);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, euicc_pub, sizeof(euicc_pub), z), 0);
	ecasd_ecka_free(k);
	ck_assert_mem_eq(z, kz, sizeof(z));
	ck_assert_int_eq(ecasd_derive_session_keys(z, sizeof(z), ECASD_KDF_KEY_TYPE_AES,
						   ECASD_KDF_KEY_LEN, host_id, sizeof(host_id),
						   eid, mcv, enc, mac), 0);
	t_vec_fixed(vec, "bsp-session-keys", "s_enc", x, 16);
	ck_assert_mem_eq(enc, x, 16);
	t_vec_fixed(vec, "bsp-session-keys", "s_mac", x, 16);
	ck_assert_mem_eq(mac, x, 16);
	t_vec_fixed(vec, "bsp-session-keys", "initial_mac_chaining_value", x, 16);
	ck_assert_mem_eq(mcv, x, 16);
}
END_TEST

/* Our X9.63 KDF against OpenSSL's X963KDF at lengths around the 32-byte
 * block boundary, with and without SharedInfo. */
START_TEST(kdf_x963_matches_openssl)
{
	static const size_t lens[] = { 1, 16, 31, 32, 33, 48, 63, 64, 65, 100, 1024 };
	uint8_t z[32], si[42], ours[1024], ref[1024];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);

	ck_assert_ptr_nonnull(kdf);
	for (size_t i = 0; i < sizeof(z); i++)
		z[i] = (uint8_t)(0xA5 ^ i);
	for (size_t i = 0; i < sizeof(si); i++)
		si[i] = (uint8_t)(3 * i);
	for (int with_si = 0; with_si < 2; with_si++) {
		for (size_t j = 0; j < ARRAY_SIZE(lens); j++) {
			EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
			OSSL_PARAM p[4], *q = p;

			*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
			*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, sizeof(z));
			if (with_si)
				*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, si, sizeof(si));
			*q = OSSL_PARAM_construct_end();
			ck_assert_ptr_nonnull(ctx);
			ck_assert_int_eq(EVP_KDF_derive(ctx, ref, lens[j], p), 1);
			EVP_KDF_CTX_free(ctx);
			memset(ours, 0, sizeof(ours));
			ck_assert_int_eq(ecasd_kdf_x963(z, sizeof(z), with_si ? si : NULL,
							with_si ? sizeof(si) : 0, ours, lens[j]), 0);
			ck_assert_mem_eq(ours, ref, lens[j]);
		}
	}
	EVP_KDF_free(kdf);
}
END_TEST

START_TEST(kdf_parameters_checked)
{
	uint8_t z[32] = { 1 }, eid[16] = { 0x89 }, host[17] = { 0x80 }, out[48];
	uint8_t enc[16], mac[16], mcv[16];

	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x80, 16, host, 8, eid, mcv, enc, mac),
			 -EU_E_UNSUPPORTED);
	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x88, 32, host, 8, eid, mcv, enc, mac),
			 -EU_E_UNSUPPORTED);
	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x88, 16, host, 0, eid, mcv, enc, mac),
			 -EU_E_PARAM);
	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x88, 16, host, 17, eid, mcv, enc, mac),
			 -EU_E_PARAM);
	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x88, 16, host, 16, eid, mcv, enc, mac), 0);
	ck_assert_int_eq(ecasd_derive_session_keys(z, 32, 0x88, 16, host, 1, eid, mcv, enc, mac), 0);
	ck_assert_int_eq(ecasd_kdf_x963(z, 32, NULL, 0, out, 0), -EU_E_PARAM);
	ck_assert_int_eq(ecasd_kdf_x963(z, 0, NULL, 0, out, 16), -EU_E_PARAM);
	ck_assert_int_eq(ecasd_kdf_x963(z, 32, NULL, 5, out, 16), -EU_E_PARAM);
}
END_TEST

/* A point that is not on the key's curve never yields a secret. */
START_TEST(ecka_invalid_points_rejected)
{
	uint8_t euicc_pub[65], bad[65], pub[65], brp_pub[65], z[32], z2[32];
	struct ecasd_ecka *k = NULL, *brp = NULL;

	t_vec_fixed(vec, "ecka-nist-p256", "euicc_otpk_der", euicc_pub, sizeof(euicc_pub));
	ck_assert_int_eq(ecasd_ecka_generate(NID_X9_62_prime256v1, &k, pub), 0);

	/* Y changed by one bit: off the curve. */
	memcpy(bad, euicc_pub, sizeof(bad));
	bad[64] ^= 0x01;
	memset(z, 0xEE, sizeof(z));
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, sizeof(bad), z), -EU_E_CRYPTO);
	ck_assert_mem_eq(z, zero32, sizeof(z));
	/* X changed: off the curve as well. */
	memcpy(bad, euicc_pub, sizeof(bad));
	bad[10] ^= 0x80;
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, sizeof(bad), z), -EU_E_CRYPTO);
	/* (0, 0), and coordinates not below p. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x04;
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, sizeof(bad), z), -EU_E_CRYPTO);
	memset(bad, 0xFF, sizeof(bad));
	bad[0] = 0x04;
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, sizeof(bad), z), -EU_E_CRYPTO);
	/* Other encodings: compressed, hybrid, infinity, truncated, too long. */
	memcpy(bad, euicc_pub, sizeof(bad));
	bad[0] = 0x02 | (euicc_pub[64] & 1);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, 33, z), -EU_E_CRYPTO);
	bad[0] = 0x06 | (euicc_pub[64] & 1);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, bad, sizeof(bad), z), -EU_E_CRYPTO);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, (const uint8_t[]){ 0x00 }, 1, z), -EU_E_CRYPTO);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, euicc_pub, 64, z), -EU_E_CRYPTO);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, euicc_pub, 0, z), -EU_E_CRYPTO);
	/* A valid brainpoolP256r1 point is not a P-256 point. */
	ck_assert_int_eq(ecasd_ecka_generate(NID_brainpoolP256r1, &brp, brp_pub), 0);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, brp_pub, sizeof(brp_pub), z), -EU_E_CRYPTO);
	ck_assert_int_eq(ecasd_ecka_shared_secret(brp, euicc_pub, sizeof(euicc_pub), z),
			 -EU_E_CRYPTO);

	/* The refusals did not harm the keys. */
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, euicc_pub, sizeof(euicc_pub), z), 0);
	ck_assert_mem_ne(z, zero32, sizeof(z));
	ck_assert_int_eq(ecasd_ecka_shared_secret(brp, pub, sizeof(pub), z), -EU_E_CRYPTO);
	ck_assert_int_eq(ecasd_ecka_shared_secret(k, pub, sizeof(pub), z2), 0);
	ecasd_ecka_free(k);
	ecasd_ecka_free(brp);
}
END_TEST

static void round_trip(int nid)
{
	uint8_t pa[65], pb[65], za[32], zb[32];
	struct ecasd_ecka *a = NULL, *b = NULL;

	ck_assert_int_eq(ecasd_ecka_generate(nid, &a, pa), 0);
	ck_assert_int_eq(ecasd_ecka_generate(nid, &b, pb), 0);
	ck_assert_int_eq(pa[0], 0x04);
	ck_assert_int_eq(pb[0], 0x04);
	ck_assert_mem_ne(pa, pb, sizeof(pa));
	ck_assert_int_eq(ecasd_ecka_shared_secret(a, pb, sizeof(pb), za), 0);
	ck_assert_int_eq(ecasd_ecka_shared_secret(b, pa, sizeof(pa), zb), 0);
	ck_assert_mem_eq(za, zb, sizeof(za));
	ck_assert_mem_ne(za, zero32, sizeof(za));
	ecasd_ecka_free(a);
	ecasd_ecka_free(b);
}

/* Two fresh key pairs agree, on both SGP.22 curves. */
START_TEST(ecka_brainpool_round_trip)
{
	round_trip(NID_brainpoolP256r1);
}
END_TEST

START_TEST(ecka_nist_round_trip)
{
	round_trip(NID_X9_62_prime256v1);
}
END_TEST

/* An imported scalar and a generated key agree too, and the import checks
 * the scalar range and the curve. */
START_TEST(ecka_import_checked)
{
	/* Order n of brainpoolP256r1 (RFC 5639 §3.4). */
	static const uint8_t brp_n[32] = {
		0xA9, 0xFB, 0x57, 0xDB, 0xA1, 0xEE, 0xA9, 0xBC, 0x3E, 0x66, 0x0A, 0x90,
		0x9D, 0x83, 0x8D, 0x71, 0x8C, 0x39, 0x7A, 0xA3, 0xB5, 0x61, 0xA6, 0xF7,
		0x90, 0x1E, 0x0E, 0x82, 0x97, 0x48, 0x56, 0xA7,
	};
	uint8_t d[33] = { 0 }, pi[65], pg[65], zi[32], zg[32];
	struct ecasd_ecka *i = NULL, *g = NULL;

	ck_assert_int_eq(ecasd_ecka_import(NID_brainpoolP256r1, zero32, 32, &i, pi), -EU_E_PARAM);
	ck_assert_int_eq(ecasd_ecka_import(NID_brainpoolP256r1, brp_n, 32, &i, pi), -EU_E_PARAM);
	ck_assert_int_eq(ecasd_ecka_import(NID_brainpoolP256r1, d, 33, &i, pi), -EU_E_PARAM);
	ck_assert_int_eq(ecasd_ecka_import(NID_secp384r1, brp_n, 32, &i, pi), -EU_E_UNSUPPORTED);
	ck_assert_int_eq(ecasd_ecka_generate(NID_secp384r1, &g, pg), -EU_E_UNSUPPORTED);

	memcpy(d, brp_n, 32);
	d[31]--;		/* n - 1 is the largest valid scalar */
	ck_assert_int_eq(ecasd_ecka_import(NID_brainpoolP256r1, d, 32, &i, pi), 0);
	ck_assert_int_eq(ecasd_ecka_generate(NID_brainpoolP256r1, &g, pg), 0);
	ck_assert_int_eq(ecasd_ecka_shared_secret(i, pg, sizeof(pg), zi), 0);
	ck_assert_int_eq(ecasd_ecka_shared_secret(g, pi, sizeof(pi), zg), 0);
	ck_assert_mem_eq(zi, zg, sizeof(zi));
	ecasd_ecka_free(i);
	ecasd_ecka_free(g);
	/* (n - 1) * G = -G: same X as G, so a short scalar 1 gives the same X. */
	ck_assert_int_eq(ecasd_ecka_import(NID_brainpoolP256r1, (const uint8_t[]){ 1 }, 1, &g, pg), 0);
	ck_assert_mem_eq(pg + 1, pi + 1, 32);
	ck_assert_mem_ne(pg + 33, pi + 33, 32);
	ecasd_ecka_free(g);
	ecasd_ecka_free(NULL);
}
END_TEST

Suite *crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("ecka-kdf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ecka_nist_p256_kat);
	tcase_add_test(tc, kdf_1);
	tcase_add_test(tc, kdf_2);
	tcase_add_test(tc, ecka_kdf_chain);
	tcase_add_test(tc, kdf_x963_matches_openssl);
	tcase_add_test(tc, kdf_parameters_checked);
	tcase_add_test(tc, ecka_invalid_points_rejected);
	tcase_add_test(tc, ecka_brainpool_round_trip);
	tcase_add_test(tc, ecka_nist_round_trip);
	tcase_add_test(tc, ecka_import_checked);
	suite_add_tcase(s, tc);
	return s;
}
