/* The test SM-DP+'s own crypto (tests/smdp/) against the known-answer
 * vectors in tests/vectors/bsp.txt (Osmocom pySim, partly traces of an
 * independent SM-DP+): ECKA, the X9.63 KDF, BSP encrypt+MAC and MAC-only
 * steps, the ReplaceSessionKeys hand-over and a whole BPP. Run as part of
 * the download suite (smdp_kat_tcase), since the downloads rely on it. */
#include "tests/smdp/smdp.h"
#include "tests/smdp/smdp_priv.h"
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TCase *smdp_kat_tcase(void);

#define SEG_MAX 2100

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

START_TEST(ecka_nist)
{
	uint8_t *priv, *peer, *want, secret[64];
	size_t priv_len, peer_len, want_len, n = 0;

	priv = t_vec_bytes(vec, "ecka-nist-p256", "smdp_otsk_bytes", &priv_len);
	peer = t_vec_bytes(vec, "ecka-nist-p256", "euicc_otpk_der", &peer_len);
	want = t_vec_bytes(vec, "ecka-nist-p256", "expected_shared_secret", &want_len);
	ck_assert_int_eq(smdp_ecdh("prime256v1", priv, priv_len, peer, peer_len, secret, sizeof(secret), &n), 0);
	ck_assert_uint_eq(n, want_len);
	ck_assert_mem_eq(secret, want, n);
	/* a point not on the curve is refused */
	peer[peer_len - 1] ^= 0x01;
	ck_assert_int_lt(smdp_ecdh("prime256v1", priv, priv_len, peer, peer_len, secret, sizeof(secret), &n), 0);
	free(priv);
	free(peer);
	free(want);
}
END_TEST

static void kdf_case(const char *sec)
{
	uint8_t *shs, *hid, *eid, kt, kl, enc[16], mac[16], mcv[16], we[16], wm[16], wv[16];
	size_t shs_len, hid_len, eid_len;

	shs = t_vec_bytes(vec, sec, "shared_secret", &shs_len);
	hid = t_vec_bytes(vec, sec, "host_id", &hid_len);
	eid = t_vec_bytes(vec, sec, "eid", &eid_len);
	t_vec_fixed(vec, sec, "key_type", &kt, 1);
	t_vec_fixed(vec, sec, "key_length", &kl, 1);
	t_vec_fixed(vec, sec, "s_enc", we, 16);
	t_vec_fixed(vec, sec, "s_mac", wm, 16);
	t_vec_fixed(vec, sec, "initial_mac_chaining_value", wv, 16);
	ck_assert_int_eq(smdp_kdf(shs, shs_len, kt, kl, hid, hid_len, eid, eid_len, mcv, enc, mac), 0);
	ck_assert_mem_eq(enc, we, 16);
	ck_assert_mem_eq(mac, wm, 16);
	ck_assert_mem_eq(mcv, wv, 16);
	free(shs);
	free(hid);
	free(eid);
}

START_TEST(kdf_vectors)
{
	kdf_case("kdf-1");
	kdf_case("kdf-2");
}
END_TEST

/* Each step of a block, in order, with one context: wrap gives the
 * protected bytes, unwrap gives the plaintext back. */
static void bsp_block(const char *sec, uint8_t last_plain[SEG_MAX], size_t *last_len)
{
	uint8_t enc[16], mac[16], mcv[16], tag, out[SEG_MAX];
	struct smdp_bsp w, u;
	char key[32];

	t_vec_fixed(vec, sec, "s_enc", enc, 16);
	t_vec_fixed(vec, sec, "s_mac", mac, 16);
	t_vec_fixed(vec, sec, "initial_mac_chaining_value", mcv, 16);
	smdp_bsp_init(&w, enc, mac, mcv);
	smdp_bsp_init(&u, enc, mac, mcv);
	for (unsigned i = 1;; i++) {
		uint8_t *plain, *prot;
		size_t plain_len, prot_len, n = 0;
		const char *op;
		bool encrypt;

		snprintf(key, sizeof(key), "step%u.op", i);
		op = t_vec_str(vec, sec, key);
		if (!op)
			break;
		encrypt = !strcmp(op, "encrypt_and_mac");
		snprintf(key, sizeof(key), "step%u.tag", i);
		t_vec_fixed(vec, sec, key, &tag, 1);
		snprintf(key, sizeof(key), "step%u.plain", i);
		plain = t_vec_bytes(vec, sec, key, &plain_len);
		snprintf(key, sizeof(key), "step%u.protected", i);
		prot = t_vec_bytes(vec, sec, key, &prot_len);
		ck_assert_int_eq(smdp_bsp_wrap(&w, tag, plain, plain_len, encrypt, out, sizeof(out), &n), 0);
		ck_assert_msg(n == prot_len && !memcmp(out, prot, n), "%s step %u: wrap differs", sec, i);
		ck_assert_uint_eq(w.counter, i + 1);
		ck_assert_int_eq(smdp_bsp_unwrap(&u, prot, prot_len, encrypt, out, sizeof(out), &n), 0);
		ck_assert_msg(n == plain_len && !memcmp(out, plain, n), "%s step %u: unwrap differs", sec, i);
		if (last_plain) {
			memcpy(last_plain, plain, plain_len);
			*last_len = plain_len;
		}
		free(plain);
		free(prot);
	}
	ck_assert_mem_eq(w.mcv, u.mcv, 16);
}

START_TEST(bsp_session_keys)
{
	bsp_block("bsp-session-keys", NULL, NULL);
}
END_TEST

START_TEST(bsp_ppk_keys)
{
	bsp_block("bsp-ppk-keys", NULL, NULL);
}
END_TEST

/* The last session-key step is ReplaceSessionKeys: BF26 {80 MCV, 81 PPK-ENC,
 * 82 PPK-MAC}, whose keys are those of the PPK block. */
START_TEST(bsp_replace_session_keys)
{
	static uint8_t rsk[SEG_MAX];
	uint8_t enc[16], mac[16], mcv[16];
	size_t len = 0;

	bsp_block("bsp-session-keys", rsk, &len);
	t_vec_fixed(vec, "bsp-ppk-keys", "s_enc", enc, 16);
	t_vec_fixed(vec, "bsp-ppk-keys", "s_mac", mac, 16);
	t_vec_fixed(vec, "bsp-ppk-keys", "initial_mac_chaining_value", mcv, 16);
	ck_assert_uint_eq(len, 3 + 3 * 18);
	ck_assert_mem_eq(rsk, "\xBF\x26\x36", 3);
	ck_assert_mem_eq(rsk + 3, "\x80\x10", 2);
	ck_assert_mem_eq(rsk + 5, mcv, 16);
	ck_assert_mem_eq(rsk + 21, "\x81\x10", 2);
	ck_assert_mem_eq(rsk + 23, enc, 16);
	ck_assert_mem_eq(rsk + 39, "\x82\x10", 2);
	ck_assert_mem_eq(rsk + 41, mac, 16);
}
END_TEST

/* The vector's BPP: every segment of the SEQUENCE OFs is wrapped twice
 * (the producer's ASN.1 encoder put its own [n] tag around the protected
 * TLV); the inner TLV is the segment. Open each with our BSP, compare the
 * plaintexts, and re-wrap: the same bytes must come out. */
static void open_seq(struct smdp_bsp *u, struct smdp_bsp *w, const struct smdp_tlv *seq, uint8_t tag, bool enc,
		     uint8_t *acc, size_t *acc_len)
{
	static uint8_t out[SEG_MAX], re[SEG_MAX];
	struct smdp_tlv e, inner;

	for (size_t off = 0; off < seq->len; off += e.hdr_len + e.len) {
		size_t n = 0, m = 0;

		ck_assert_int_eq(smdp_tlv_parse(seq->val + off, seq->len - off, &e), 0);
		ck_assert_uint_eq(e.tag, tag);
		ck_assert_int_eq(smdp_tlv_parse(e.val, e.len, &inner), 0);
		ck_assert_uint_eq(inner.hdr_len + inner.len, e.len);
		ck_assert_int_eq(smdp_bsp_unwrap(u, e.val, e.len, enc, out, sizeof(out), &n), 0);
		ck_assert_int_eq(smdp_bsp_wrap(w, tag, out, n, enc, re, sizeof(re), &m), 0);
		ck_assert_uint_eq(m, e.len);
		ck_assert_mem_eq(re, e.val, m);
		memcpy(acc + *acc_len, out, n);
		*acc_len += n;
	}
}

START_TEST(bsp_whole_bpp)
{
	const char *sec = "bound-profile-package";
	uint8_t enc[16], mac[16], mcv[16], *bpp, *want;
	static uint8_t acc[20000];
	size_t bpp_len, want_len, acc_len;
	struct smdp_tlv outer, t;
	struct smdp_bsp u, w;
	size_t off;

	bpp = t_vec_bytes(vec, sec, "bpp", &bpp_len);
	t_vec_fixed(vec, sec, "session.s_enc", enc, 16);
	t_vec_fixed(vec, sec, "session.s_mac", mac, 16);
	t_vec_fixed(vec, sec, "session.initial_mac_chaining_value", mcv, 16);
	smdp_bsp_init(&u, enc, mac, mcv);
	smdp_bsp_init(&w, enc, mac, mcv);
	ck_assert_int_eq(smdp_tlv_parse(bpp, bpp_len, &outer), 0);
	ck_assert_uint_eq(outer.tag, 0xBF36);
	off = outer.hdr_len;
	ck_assert_int_eq(smdp_tlv_parse(bpp + off, bpp_len - off, &t), 0);
	ck_assert_uint_eq(t.tag, 0xBF23);
	off += t.hdr_len + t.len;
	while (off < bpp_len) {
		const char *key = NULL;

		ck_assert_int_eq(smdp_tlv_parse(bpp + off, bpp_len - off, &t), 0);
		acc_len = 0;
		switch (t.tag) {
		case 0xA0:
			open_seq(&u, &w, &t, 0x87, true, acc, &acc_len);
			key = "plain.configure_isdp";
			break;
		case 0xA1:
			open_seq(&u, &w, &t, 0x88, false, acc, &acc_len);
			key = "plain.store_metadata";
			break;
		case 0xA3:
			/* no A2 in this BPP, yet the 86s use the PPKs */
			t_vec_fixed(vec, sec, "ppk.s_enc", enc, 16);
			t_vec_fixed(vec, sec, "ppk.s_mac", mac, 16);
			t_vec_fixed(vec, sec, "ppk.initial_mac_chaining_value", mcv, 16);
			smdp_bsp_init(&u, enc, mac, mcv);
			smdp_bsp_init(&w, enc, mac, mcv);
			open_seq(&u, &w, &t, 0x86, true, acc, &acc_len);
			key = "plain.profile_elements";
			break;
		default:
			ck_abort_msg("unexpected tag %X in the BPP", (unsigned)t.tag);
		}
		want = t_vec_bytes(vec, sec, key, &want_len);
		ck_assert_uint_eq(acc_len, want_len);
		ck_assert_mem_eq(acc, want, want_len);
		free(want);
		off += t.hdr_len + t.len;
	}
	free(bpp);
}
END_TEST

/* Padding: always '80' then zeroes to a whole block, a whole extra block
 * when the plaintext is already aligned; MAC-only keeps the length. */
START_TEST(bsp_lengths)
{
	static uint8_t plain[1100], out[SEG_MAX], back[SEG_MAX];
	struct smdp_bsp w, u;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 13 + 5);
	smdp_bsp_init(&w, (const uint8_t[16]){ 1 }, (const uint8_t[16]){ 2 }, (const uint8_t[16]){ 3 });
	smdp_bsp_init(&u, (const uint8_t[16]){ 1 }, (const uint8_t[16]){ 2 }, (const uint8_t[16]){ 3 });
	for (size_t len = 0; len <= sizeof(plain); len += len < 40 ? 1 : 61) {
		bool enc = len % 2 == 0;
		size_t body = enc ? (len / 16 + 1) * 16 : len, n = 0, m = 0;

		ck_assert_int_eq(smdp_bsp_wrap(&w, enc ? 0x86 : 0x88, plain, len, enc, out, sizeof(out), &n), 0);
		ck_assert_uint_eq(n, smdp_put_header(NULL, 0x86, body + 8) + body + 8);
		ck_assert_int_eq(smdp_bsp_unwrap(&u, out, n, enc, back, sizeof(back), &m), 0);
		ck_assert_uint_eq(m, len);
		ck_assert_mem_eq(back, plain, len);
	}
	/* a flipped bit anywhere fails the MAC */
	{
		size_t n = 0, m = 0;
		struct smdp_bsp u2;

		ck_assert_int_eq(smdp_bsp_wrap(&w, 0x86, plain, 100, true, out, sizeof(out), &n), 0);
		u2 = u;
		out[50] ^= 0x20;
		ck_assert_int_eq(smdp_bsp_unwrap(&u2, out, n, true, back, sizeof(back), &m), -SMDP_E_SIGNATURE);
	}
}
END_TEST

/* r||s signatures with the SGP.26 keys verify, and a flipped bit does not. */
START_TEST(ecdsa_plain_signatures)
{
	static const char *const keys[] = { "NIST", "BRP" };

	for (size_t k = 0; k < 2; k++) {
		char path[512];
		EVP_PKEY *key = NULL;
		uint8_t sig[SMDP_SIG_MAX];
		size_t n = 0;

		snprintf(path, sizeof(path), SIM_DATADIR "/certs/sgp26/DPpb/SK_S_SM_DPpb_ECDSA_%s.pem", keys[k]);
		ck_assert_int_eq(smdp_load_key(path, &key), 0);
		ck_assert_int_eq(smdp_sign(key, (const uint8_t *)"abc", 3, sig, sizeof(sig), &n), 0);
		ck_assert_uint_eq(n, 64);
		ck_assert_int_eq(smdp_verify(key, (const uint8_t *)"abc", 3, sig, n), 0);
		sig[7] ^= 1;
		ck_assert_int_eq(smdp_verify(key, (const uint8_t *)"abc", 3, sig, n), -SMDP_E_SIGNATURE);
		EVP_PKEY_free(key);
	}
}
END_TEST

TCase *smdp_kat_tcase(void)
{
	TCase *tc = tcase_create("smdp_known_answers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ecka_nist);
	tcase_add_test(tc, kdf_vectors);
	tcase_add_test(tc, bsp_session_keys);
	tcase_add_test(tc, bsp_ppk_keys);
	tcase_add_test(tc, bsp_replace_session_keys);
	tcase_add_test(tc, bsp_whole_bpp);
	tcase_add_test(tc, bsp_lengths);
	tcase_add_test(tc, ecdsa_plain_signatures);
	return tc;
}
