/* The enabled profile as a UE sees it, through sim_transact(): USIM and
 * ISIM AUTHENTICATE against osmo-auc-gen vectors (tests/vectors/), SQN
 * replay and re-synchronisation, PINs (VERIFY, CHANGE, DISABLE, ENABLE,
 * UNBLOCK) and EF.ARR access rules, UPDATE BINARY / UPDATE RECORD /
 * SEARCH RECORD / INCREASE, and that all of it survives a restart and a
 * disable/enable, goes with a deleted profile, and is left unchanged when
 * the state cannot be written. The profile is TS.48 v5 SAIP 2.3 with
 * USIM, ISIM and CSIM (usim-test-algorithm, K 000102..0F). */
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"
#include "isdp/isdp.h"
#include "isdp/naa/xor.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/store.h"

#include <ctype.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PKG SIM_DATADIR "/profiles/ts48/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"
#define V_OSMO SIM_DATADIR "/tests/vectors/osmo-auc-gen.txt"
#define V_SUCI SIM_DATADIR "/tests/vectors/suci.txt"
#define SEL_USIM "00A4040C0CA0000000871002FF49FF0589"
#define SEL_ISIM "00A4040C0CA0000000871004FF49FF0589"
#define SEL_MF "00A4000C023F00"
#define PIN1 "30303030FFFFFFFF"		/* "0000" */
#define PUK1 "3131313131313131"
#define PIN2 "39393939FFFFFFFF"		/* key reference 81 */
#define ADM1 "3535353535353535"
#define WRONG "39393939FFFFFFFF"

static struct sim_card *card;
static char dir[64];
static struct t_vectors *vec;
static char iccid[21];

static void install(void)
{
	size_t len;
	uint8_t *pkg = t_read_file(PKG, &len);
	char err[128];

	ck_assert_msg(isdp_sideload(sim_card_isdp(card), pkg, len, "SP", "usim", ISDP_CLASS_OPERATIONAL, NULL, err,
				    sizeof(err)) == 0, "%s", err);
	free(pkg);
	t_hex(isdp_get(sim_card_isdp(card), 0)->iccid, 10, iccid);
}

static const char *es10c(const char *tag, const char *flag)
{
	char req[96];
	unsigned ch = t_open_isdr(card);
	const char *r;
	static char keep[64];

	snprintf(req, sizeof(req), "%s11A00C5A0A%s8101%s", tag, iccid, flag);
	r = t_es10(card, ch, req, 120);
	snprintf(keep, sizeof(keep), "%s", r);
	snprintf(req, sizeof(req), "007080%02X", ch);
	ck_assert_str_eq(t_apdu(card, req), "9000");
	return keep;
}

static void enable(void)
{
	ck_assert_str_eq(es10c("BF31", "FF"), "BF31038001009000");
}

static void disable(void)
{
	ck_assert_str_eq(es10c("BF32", "FF"), "BF32038001009000");
}

/* The card goes away and comes back on the same state directory. */
static void restart(void)
{
	sim_card_free(card);
	card = t_card_new(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s", t_mkdtemp());
	card = t_card_new(dir);
	install();
	enable();
	vec = t_vectors_load(V_OSMO);
}

/* the SUCI tests use the Annex C.4 keys */
static void load_suci_vectors(void)
{
	t_vectors_free(vec);
	vec = t_vectors_load(V_SUCI);
}

static void teardown(void)
{
	sim_card_free(card);
	card = NULL;
	t_vectors_free(vec);
	vec = NULL;
	t_rmrf(dir);
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static const char *vs(const char *section, const char *key)
{
	static char buf[4][80];
	static int n;
	const char *v = t_vec_str(vec, section, key);

	ck_assert_ptr_nonnull(v);
	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s", v);
	upper(buf[n]);
	return buf[n];
}

/* AUTHENTICATE 3G with a vector's RAND and AUTN (no Le: 61xx, GET
 * RESPONSE), the answer in full. */
static const char *auth3g(const char *section)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "008800812210%s10%s", vs(section, "rand"), vs(section, "autn"));
	return t_apdu_data(card, cmd);
}

static const char *want3g(const char *section, bool kc)
{
	static char w[256];

	snprintf(w, sizeof(w), "DB10%s10%s10%s%s%s9000", vs(section, "res"), vs(section, "ck"), vs(section, "ik"),
		 kc ? "08" : "", kc ? vs(section, "kc") : "");
	return w;
}

/* A synchronisation failure: DC 0E AUTS, whose SQN_MS (TS 33.102
 * §6.3.5, concealed with AK = f5*) is sqn_ms and whose MAC-S is
 * f1*(SQN_MS, RAND, AMF 0000) under the TS.48 K. */
static void check_auts(const char *r, const char *section, const char *sqn_ms_hex)
{
	static const uint8_t amf0[2];
	uint8_t k[16], rnd[16], auts[14], ak[6], ms[6], want[6], mac[8];

	ck_assert_msg(strlen(r) == 4 + 28 + 4 && !strncmp(r, "DC0E", 4) && !strcmp(r + 32, "9000"), "%s", r);
	{
		char h[29];

		memcpy(h, r + 4, 28);
		h[28] = 0;
		t_unhex(h, auts, sizeof(auts));
	}
	t_vec_fixed(vec, section, "k", k, 16);
	t_vec_fixed(vec, section, "rand", rnd, 16);
	ck_assert_int_eq(naa_xor_f2345(k, rnd, 16, NULL, NULL, NULL, ak), 0);
	for (int i = 0; i < 6; i++)
		ms[i] = auts[i] ^ ak[i];
	t_unhex(sqn_ms_hex, want, sizeof(want));
	ck_assert_mem_eq(ms, want, 6);
	ck_assert_int_eq(naa_xor_f1(k, rnd, ms, amf0, mac), 0);
	ck_assert_mem_eq(mac, auts + 6, 8);
}

/* ---- AUTHENTICATE --------------------------------------------------------------- */

START_TEST(usim_3g_vectors)
{
	char bad[128];

	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	/* a wrong MAC changes nothing */
	snprintf(bad, sizeof(bad), "008800812210%s10%.31s%s", vs("ts48-xor", "rand"), vs("ts48-xor", "autn"),
		 vs("ts48-xor", "autn")[31] == '0' ? "1" : "0");
	ck_assert_str_eq(t_apdu(card, bad), "9862");
	/* RES, CK, IK and Kc (service 27 is in EF.UST) as osmo-auc-gen has them */
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
	/* replayed: AUTS with the highest SQN accepted */
	check_auts(auth3g("ts48-xor"), "ts48-xor", "000000001005");
	/* too far ahead of it (delta 2^28): refused the same way */
	check_auts(auth3g("ts48-xor-far"), "ts48-xor-far", "000000001005");
	ck_assert_str_eq(auth3g("ts48-xor-2"), want3g("ts48-xor-2", true));
	ck_assert_str_eq(auth3g("ts48-xor-3"), want3g("ts48-xor-3", true));
	/* an older one of its IND is refused even though IND 5 moved on */
	check_auts(auth3g("ts48-xor"), "ts48-xor", "000000002006");
	/* with Le, at once */
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "008800812210%s10%s00", vs("ts48-xor-4", "rand"), vs("ts48-xor-4", "autn"));
		ck_assert_str_eq(t_apdu(card, cmd), want3g("ts48-xor-4", true));
	}
}
END_TEST

START_TEST(usim_gsm_context)
{
	char cmd[64], want[64];

	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	snprintf(cmd, sizeof(cmd), "008800801110%s", vs("ts48-xor", "rand"));
	snprintf(want, sizeof(want), "04%s08%s9000", vs("ts48-xor", "sres"), vs("ts48-xor", "kc"));
	ck_assert_str_eq(t_apdu_data(card, cmd), want);
	/* the GSM context keeps no SQN: the 3G one still works afterwards */
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
}
END_TEST

START_TEST(isim_3g_own_sqn)
{
	/* ISIM: IMS AKA, no Kc; its SQN array is its own */
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
	ck_assert_str_eq(t_apdu(card, SEL_ISIM), "9000");
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", false));
	check_auts(auth3g("ts48-xor"), "ts48-xor", "000000001005");
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "008800801110%s", vs("ts48-xor", "rand"));
		ck_assert_str_eq(t_apdu(card, cmd), "9864");	/* no GSM context */
	}
}
END_TEST

START_TEST(authenticate_errors)
{
	char cmd[128];

	/* no NAA on the channel */
	snprintf(cmd, sizeof(cmd), "008800812210%s10%s", vs("ts48-xor", "rand"), vs("ts48-xor", "autn"));
	ck_assert_str_eq(t_apdu(card, cmd), "6985");
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, cmd), "6D00");	/* the ISD-R has no AUTHENTICATE */
	/* an ADF without AKA (CSIM) */
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000003431002F310FFFF89020000FF"), "9000");
	ck_assert_str_eq(t_apdu(card, cmd), "6D00");
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	/* in a DF below ADF.USIM it still is the USIM's */
	ck_assert_str_eq(t_apdu(card, "00A4000C025F3B"), "9000");
	cmd[5] = '1';	/* P1 01 */
	ck_assert_str_eq(t_apdu(card, cmd), "6A86");
	cmd[5] = '0';
	cmd[7] = '3';	/* P2 83: RFU context */
	ck_assert_str_eq(t_apdu(card, cmd), "6A86");
	cmd[7] = '2';	/* P2 82: VGCS/VBS */
	ck_assert_str_eq(t_apdu(card, cmd), "9864");
	cmd[6] = '0';
	cmd[7] = '1';	/* P2 01: global reference */
	ck_assert_str_eq(t_apdu(card, cmd), "6A86");
	/* lengths: Lc against L1/L2, L1 and L2 against the algorithm */
	snprintf(cmd, sizeof(cmd), "008800812110%s0F%.30s", vs("ts48-xor", "rand"), vs("ts48-xor", "autn"));
	ck_assert_str_eq(t_apdu(card, cmd), "6A80");
	snprintf(cmd, sizeof(cmd), "008800812310%s10%s00", vs("ts48-xor", "rand"), vs("ts48-xor", "autn"));
	ck_assert_str_eq(t_apdu(card, cmd), "6700");
	snprintf(cmd, sizeof(cmd), "0088008101FF");
	ck_assert_str_eq(t_apdu(card, cmd), "6700");
	ck_assert_str_eq(t_apdu(card, "00880081"), "6700");	/* no data */
	snprintf(cmd, sizeof(cmd), "008800801010%.30s", vs("ts48-xor", "rand"));
	ck_assert_str_eq(t_apdu(card, cmd), "6700");
	/* nothing of this moved the SQN */
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
}
END_TEST

START_TEST(sqn_survives_restart_and_disable)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(auth3g("ts48-xor-2"), want3g("ts48-xor-2", true));
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	check_auts(auth3g("ts48-xor-2"), "ts48-xor-2", "000000001025");
	disable();
	enable();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	check_auts(auth3g("ts48-xor"), "ts48-xor", "000000001025");
	ck_assert_str_eq(auth3g("ts48-xor-3"), want3g("ts48-xor-3", true));
}
END_TEST

/* The state file cannot be replaced: a directory where the temporary
 * file goes (this works as root too). */
static void break_state(bool broken)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/.%s.tmp", dir, SIM_STATE_FILE);
	if (broken)
		ck_assert_int_eq(mkdir(p, 0700), 0);
	else
		ck_assert_int_eq(rmdir(p), 0);
}

START_TEST(sqn_not_accepted_unless_stored)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	break_state(true);
	ck_assert_str_eq(auth3g("ts48-xor"), "6581");
	break_state(false);
	/* not accepted then, so accepted now, once */
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
	check_auts(auth3g("ts48-xor"), "ts48-xor", "000000001005");
}
END_TEST

static const char *verify(const char *ref, const char *value);

/* ---- GET IDENTITY: SUCI ------------------------------------------------------------- */

/* A P-256 key: the point, and the scalar for a key pair. */
static EVP_PKEY *p256(const uint8_t *pub, size_t len, const BIGNUM *d)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	OSSL_PARAM *kp;

	OSSL_PARAM_BLD_push_utf8_string(bld, "group", "P-256", 0);
	OSSL_PARAM_BLD_push_octet_string(bld, "pub", pub, len);
	if (d)
		OSSL_PARAM_BLD_push_BN(bld, "priv", d);
	kp = OSSL_PARAM_BLD_to_param(bld);
	ck_assert_int_eq(EVP_PKEY_fromdata_init(fc), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(fc, &k, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, kp), 1);
	OSSL_PARAM_free(kp);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(fc);
	return k;
}

/* The home network's side of TS 33.501 §C.3.3, written here with OpenSSL
 * apart from the card's code: the scheme input from a profile A or B
 * scheme output, or NULL if its MAC tag is wrong. */
static const uint8_t *ecies_open(bool b, const uint8_t *so, size_t len, size_t *in_len)
{
	static uint8_t in[16];
	uint8_t *priv, *pub, z[32], k[64], mac[32];
	size_t priv_len, pub_len, zl = sizeof(z), eph = b ? 33 : 32;
	EVP_PKEY *hn = NULL, *peer = NULL;
	EVP_PKEY_CTX *c;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "X963KDF", NULL);
	EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	OSSL_PARAM p[4];
	unsigned ml;
	int n;

	priv = t_vec_bytes(vec, b ? "profile-b" : "profile-a", "hn_priv", &priv_len);
	pub = t_vec_bytes(vec, b ? "profile-b" : "profile-a", "hn_pub", &pub_len);
	if (!b) {
		hn = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, priv_len);
		peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, so, eph);
	} else {
		BIGNUM *d = BN_bin2bn(priv, (int)priv_len, NULL);

		hn = p256(pub, pub_len, d);
		peer = p256(so, eph, NULL);
		BN_free(d);
	}
	c = EVP_PKEY_CTX_new(hn, NULL);
	ck_assert(c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
		  EVP_PKEY_derive(c, z, &zl) == 1);
	p[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string("key", z, zl);
	p[2] = OSSL_PARAM_construct_octet_string("info", (void *)so, eph);
	p[3] = OSSL_PARAM_construct_end();
	ck_assert_int_eq(EVP_KDF_derive(kc, k, sizeof(k), p), 1);
	*in_len = len - eph - 8;
	HMAC(EVP_sha256(), k + 32, 32, so + eph, *in_len, mac, &ml);
	ck_assert(EVP_EncryptInit_ex(cc, EVP_aes_128_ctr(), NULL, k, k + 16) &&
		  EVP_EncryptUpdate(cc, in, &n, so + eph, (int)*in_len));
	EVP_CIPHER_CTX_free(cc);
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(hn);
	EVP_PKEY_free(peer);
	free(priv);
	free(pub);
	return memcmp(mac, so + len - 8, 8) ? NULL : in;
}

/* EF.SUCI_Calc_Info_USIM (DF.SAIP): schemes A (key 27) and B (key 28)
 * with the keys of TS 33.501 Annex C.4, in the order given. */
static void write_calc_info(bool b_first)
{
	char cmd[600], hex[300];
	uint8_t *a, *b;
	size_t al, bl;

	a = t_vec_bytes(vec, "profile-a", "hn_pub", &al);
	b = t_vec_bytes(vec, "profile-b", "hn_pub_c", &bl);
	snprintf(hex, sizeof(hex), "A004%s" "A14B" "80011B8120", b_first ? "02020101" : "01010202");
	t_hex(a, al, hex + strlen(hex));
	strcat(hex, "80011C8121");
	t_hex(b, bl, hex + strlen(hex));
	while (strlen(hex) < 2 * 118)
		strcat(hex, "FF");
	ck_assert_str_eq(t_apdu(card, "00A4000C025FD0"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C024F01"), "9000");
	snprintf(cmd, sizeof(cmd), "00D6000076%s", hex);
	ck_assert_str_eq(t_apdu(card, cmd), "9000");
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	free(a);
	free(b);
}

/* IMSI 001010123456063: MCC 001, MNC 01 (EF.AD), MSIN 0123456063. */
#define SUCI_HEAD "0100F110F0FF"
#define MSIN_BCD "1032540636"

START_TEST(suci_null_scheme)
{
	/* TS.48 v5's SUCI profile: SUCI by the USIM, the null scheme only */
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu_data(card, "80780001"), "A10D" SUCI_HEAD "0000" MSIN_BCD "9000");
	ck_assert_str_eq(t_apdu_data(card, "80780081"), "A10D" SUCI_HEAD "0000" MSIN_BCD "9000");
	ck_assert_str_eq(t_apdu(card, "80780002"), "6A86");	/* SUCI-5G-NSWO */
	ck_assert_str_eq(t_apdu(card, "80780101"), "6A86");
	ck_assert_str_eq(t_apdu(card, "807800010100"), "6700");
	ck_assert_str_eq(t_apdu(card, "00780001"), "6E00");	/* CLA 8X */
	ck_assert_str_eq(t_apdu(card, SEL_ISIM), "9000");
	ck_assert_str_eq(t_apdu(card, "80780001"), "6D00");	/* the ISIM has none */
	ck_assert_str_eq(t_apdu(card, SEL_MF), "9000");
	ck_assert_str_eq(t_apdu(card, "80780001"), "6985");
}
END_TEST

/* Profiles A and B with the Annex C.4 home network keys, fresh
 * ephemeral keys: the home network side recovers the MSIN. */
START_TEST(suci_ecies)
{
	for (int b = 0; b < 2; b++) {
		char want[32];
		uint8_t rsp[128];
		const char *r;
		const uint8_t *in;
		size_t n, in_len;

		ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
		ck_assert_str_eq(verify("0A", ADM1), "9000");
		write_calc_info(b);
		r = t_apdu_data(card, "80780001");
		n = t_unhex(r, rsp, sizeof(rsp));
		ck_assert_uint_eq(n, 2 + 8 + (b ? 33 : 32) + 5 + 8 + 2);
		snprintf(want, sizeof(want), "A1%02zX" SUCI_HEAD "%s", n - 4, b ? "021C" : "011B");
		ck_assert(!strncmp(r, want, strlen(want)));
		in = ecies_open(b, rsp + 10, n - 12, &in_len);
		ck_assert_ptr_nonnull(in);
		ck_assert_uint_eq(in_len, 5);
		t_hex(in, in_len, want);
		ck_assert_str_eq(want, MSIN_BCD);
		/* another SUCI each time */
		{
			char first[300];

			snprintf(first, sizeof(first), "%s", r);
			ck_assert_str_ne(t_apdu_data(card, "80780001"), first);
		}
	}
	/* PIN1 enabled and not verified: no SUCI */
	ck_assert_str_eq(t_apdu(card, "0028000108" PIN1), "9000");
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "80780001"), "6982");
}
END_TEST

/* ---- PINs ------------------------------------------------------------------------- */

static const char *verify(const char *ref, const char *value)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "002000%s%s%s", ref, value ? "08" : "", value ? value : "");
	return t_apdu(card, cmd);
}

/* the PIN status template of the current DF, from STATUS */
static const char *ps_do(void)
{
	const char *r = t_apdu_data(card, "80F2000000");
	const char *c6 = strstr(r, "C6");

	ck_assert_ptr_nonnull(c6);
	return c6;
}

START_TEST(pin_lifecycle)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	/* as TS.48 delivers it: PIN1 disabled, PIN2 (81) and ADM1 enabled */
	ck_assert(!strncmp(ps_do(), "C60F90017083010183010A83010B830181", 34));
	ck_assert_str_eq(verify("01", NULL), "9000");	/* not needed */
	ck_assert_str_eq(verify("01", PIN1), "6984");	/* disabled */
	ck_assert_str_eq(verify("81", NULL), "63C3");
	ck_assert_str_eq(verify("02", NULL), "6A88");	/* no such PIN */
	ck_assert_str_eq(verify("00", NULL), "6A86");
	ck_assert_str_eq(verify("21", NULL), "6A86");
	ck_assert_str_eq(t_apdu(card, "0020010108" PIN1), "6A86");	/* P1 */
	ck_assert_str_eq(t_apdu(card, "0020000104" "30303030"), "6700");
	/* ENABLE PIN1: wrong, then right */
	ck_assert_str_eq(t_apdu(card, "0028000108" WRONG), "63C2");
	ck_assert_str_eq(t_apdu(card, "0028000108" PIN1), "9000");
	ck_assert_str_eq(t_apdu(card, "0028000108" PIN1), "6985");	/* already */
	ck_assert(!strncmp(ps_do(), "C60F9001F0", 10));
	/* a new session: PIN1 must be verified for EF.IMSI and AUTHENTICATE */
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(verify("01", NULL), "63C3");	/* all attempts back */
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B0000009"), "6982");
	ck_assert_str_eq(auth3g("ts48-xor"), "6982");
	ck_assert_str_eq(verify("01", WRONG), "63C2");
	ck_assert_str_eq(verify("01", WRONG), "63C1");
	ck_assert_str_eq(verify("01", PIN1), "9000");
	ck_assert_str_eq(verify("01", NULL), "9000");
	ck_assert(!strncmp(t_apdu(card, "00B0000009"), "08", 2));
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
	/* three wrong: blocked, across a restart */
	ck_assert_str_eq(verify("01", WRONG), "63C2");
	ck_assert_str_eq(t_apdu(card, "00B0000009"), "6982");	/* a wrong PIN undoes the verification */
	ck_assert_str_eq(verify("01", WRONG), "63C1");
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(verify("01", WRONG), "63C0");
	ck_assert_str_eq(verify("01", PIN1), "6983");
	ck_assert_str_eq(verify("01", NULL), "6983");
	ck_assert_str_eq(t_apdu(card, "0024000110" PIN1 "31323334FFFFFFFF"), "6983");
	/* UNBLOCK PIN: the PUK's attempts, a wrong PUK, a bad new PIN, then right */
	ck_assert_str_eq(t_apdu(card, "002C0001"), "63CA");
	ck_assert_str_eq(t_apdu(card, "002C000110" WRONG "31323334FFFFFFFF"), "63C9");
	ck_assert_str_eq(t_apdu(card, "002C000110" PUK1 "313233FFFFFFFFFF"), "6A80");	/* 3 digits */
	ck_assert_str_eq(t_apdu(card, "002C000110" PUK1 "3132333441FFFFFF"), "6A80");	/* not a digit */
	ck_assert_str_eq(t_apdu(card, "002C000110" PUK1 "31323334FFFFFFFF"), "9000");
	ck_assert_str_eq(verify("01", NULL), "9000");	/* verified by the unblocking */
	ck_assert_str_eq(t_apdu(card, "002C0001"), "63CA");	/* the PUK's attempts back */
	ck_assert_str_eq(t_apdu(card, "002C0081"), "63CA");	/* PIN2's PUK */
	ck_assert_str_eq(t_apdu(card, "002C000A"), "6A88");	/* ADM1 has none */
	/* CHANGE PIN, then DISABLE with the new value */
	ck_assert_str_eq(t_apdu(card, "0024000110" PIN1 "35363738FFFFFFFF"), "63C2");	/* old one is gone */
	ck_assert_str_eq(t_apdu(card, "0024000110" "31323334FFFFFFFF" "35363738FFFFFFFF"), "9000");
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(verify("01", "31323334FFFFFFFF"), "63C2");
	ck_assert_str_eq(t_apdu(card, "0026000108" "35363738FFFFFFFF"), "9000");
	ck_assert_str_eq(verify("01", NULL), "9000");
	ck_assert_str_eq(t_apdu(card, "0026000108" "35363738FFFFFFFF"), "6985");	/* already disabled */
	ck_assert_str_eq(t_apdu(card, "0026008108" PIN2), "6985");	/* PIN2 cannot be disabled */
	ck_assert(!strncmp(ps_do(), "C60F900170", 10));
	/* the PIN state goes with the profile: after disable/enable it is kept */
	disable();
	enable();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "0028000108" "35363738FFFFFFFF"), "9000");
}
END_TEST

START_TEST(adm_and_arr)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	/* EF.IMSI: READ PIN1 (disabled), UPDATE ADM1 */
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "9000");
	ck_assert_str_eq(t_apdu(card, "00D6000001" "09"), "6982");
	ck_assert_str_eq(verify("0A", WRONG), "63C9");	/* ten attempts */
	ck_assert_str_eq(verify("0A", ADM1), "9000");
	ck_assert_str_eq(t_apdu(card, "00D6000909" "0809101010325476F8"), "6B00");
	ck_assert_str_eq(t_apdu(card, "00D6000809" "0809101010325476F8"), "6700");	/* past the end */
	ck_assert_str_eq(t_apdu(card, "00D6000009" "0809101010325476F8"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B0000009"), "0809101010325476F89000");
	/* EF.ACM (cyclic): UPDATE with PIN1 or PIN2 (an OR template) */
	ck_assert_str_eq(t_apdu(card, "0028000108" PIN1), "9000");	/* PIN1 now required */
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F39"), "9000");
	ck_assert_str_eq(t_apdu(card, "00DC000303" "000001"), "6982");
	ck_assert_str_eq(verify("81", PIN2), "9000");
	ck_assert_str_eq(t_apdu(card, "00DC000303" "000001"), "9000");
	ck_assert_str_eq(t_apdu(card, "803200000101"), "6982");	/* INCREASE wants PIN1 */
	ck_assert_str_eq(t_apdu(card, "00B2010403"), "6982");	/* so does READ */
	ck_assert_str_eq(verify("01", PIN1), "9000");
	ck_assert_str_eq(t_apdu(card, "00B2010403"), "0000019000");
	/* EF.ICCID: updated with ADM1 only (not verified in this session) */
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	ck_assert_str_eq(t_apdu(card, "00D600000100"), "6982");
}
END_TEST

/* ---- files --------------------------------------------------------------------------- */

/* isdp_store_keep_decoded(): a load of the same package takes a copy of
 * what the first load decoded, untouched by what the UE wrote since; the
 * state's own changes ([5]) are applied to it as to a fresh decode. */
START_TEST(loads_with_kept_packages)
{
	const char *orig = "FFFFFFFF42F618FFFEFF019000";
	uint8_t *start = NULL, *written = NULL, *again = NULL;
	size_t start_len, written_len, again_len;

	isdp_store_keep_decoded(sim_card_isdp(card), true);
	ck_assert_int_eq(sim_card_state_image(card, &start, &start_len), 0);
	ck_assert_int_eq(sim_card_state_load(card, start, start_len), 0);	/* decodes, keeps */
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), orig);			/* EF.LOCI */
	ck_assert_str_eq(t_apdu(card, "00D68B000B" "1122334442F6180001FF00"), "9000");
	ck_assert_int_eq(sim_card_state_image(card, &written, &written_len), 0);
	for (int round = 0; round < 3; round++) {
		/* back to the start: the write is gone */
		ck_assert_int_eq(sim_card_state_load(card, start, start_len), 0);
		ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
		ck_assert_str_eq(t_apdu(card, "00B08B000B"), orig);
		ck_assert_str_eq(t_apdu(card, "00D68B000101" "77"), "9000");
		/* the state with the write: it is there (from [5]), not the 77 */
		ck_assert_int_eq(sim_card_state_load(card, written, written_len), 0);
		ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
		ck_assert_str_eq(t_apdu(card, "00B08B000B"), "1122334442F6180001FF009000");
	}
	/* and the card saves what it saved before */
	ck_assert_int_eq(sim_card_state_image(card, &again, &again_len), 0);
	ck_assert_uint_eq(again_len, written_len);
	ck_assert(!memcmp(again, written, written_len));
	isdp_store_keep_decoded(sim_card_isdp(card), false);
	ck_assert_int_eq(sim_card_state_load(card, start, start_len), 0);	/* decodes again */
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), orig);
	free(start);
	free(written);
	free(again);
}
END_TEST

START_TEST(update_binary_persists)
{
	const char *loci = "11223344" "42F618" "0001" "FF" "00";

	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F7E"), "9000");	/* EF.LOCI */
	ck_assert_str_eq(t_apdu(card, "00B000000B"), "FFFFFFFF42F618FFFEFF019000");
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "00D600000B%s", loci);
		ck_assert_str_eq(t_apdu(card, cmd), "9000");
	}
	/* by SFI (0B), part of it */
	ck_assert_str_eq(t_apdu(card, "00D68B0A01" "01"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B000000B"), "1122334442F6180001FF019000");
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), "1122334442F6180001FF019000");
	disable();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "6A82");
	enable();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), "1122334442F6180001FF019000");
	/* a write that cannot be stored changes nothing */
	break_state(true);
	ck_assert_str_eq(t_apdu(card, "00D68B000100"), "6581");
	break_state(false);
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), "1122334442F6180001FF019000");
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), "1122334442F6180001FF019000");
	/* wrong structure, no EF, P1 RFU */
	ck_assert_str_eq(t_apdu(card, "00A4000C026F3C"), "9000");	/* EF.SMS: records */
	ck_assert_str_eq(t_apdu(card, "00D600000100"), "6981");
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00D600000100"), "6986");
	ck_assert_str_eq(t_apdu(card, "00D6A0000100"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00D6000000"), "6700");	/* no data */
}
END_TEST

START_TEST(records)
{
	char rec[2 * 176 + 1], cmd[2 * 176 + 16];

	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F3C"), "9000");	/* EF.SMS, 10 x 176 */
	memset(rec, 'F', sizeof(rec) - 1);
	rec[sizeof(rec) - 1] = 0;
	memcpy(rec, "01A5A5", 6);
	snprintf(cmd, sizeof(cmd), "00DC0304B0%s", rec);
	ck_assert_str_eq(t_apdu(card, cmd), "9000");
	snprintf(cmd, sizeof(cmd), "00DC0304AF%.*s", 2 * 175, rec);
	ck_assert_str_eq(t_apdu(card, cmd), "6700");
	snprintf(cmd, sizeof(cmd), "00DC0B04B0%s", rec);
	ck_assert_str_eq(t_apdu(card, cmd), "6A83");
	/* SEARCH RECORD: simple forward from 1, backward from 10 */
	ck_assert_str_eq(t_apdu_data(card, "00A2010402A5A5"), "6282");	/* not at the start */
	ck_assert_str_eq(t_apdu_data(card, "00A2010403" "01A5A5"), "039000");
	ck_assert_str_eq(t_apdu_data(card, "00A20A0503" "01A5A5"), "039000");
	/* enhanced: offset 1, forward from record 1 */
	ck_assert_str_eq(t_apdu_data(card, "00A2010604" "0401A5A5"), "039000");
	/* enhanced: after the first 01, forward from record 1 */
	ck_assert_str_eq(t_apdu_data(card, "00A2010604" "0C01A5A5"), "039000");
	ck_assert_str_eq(t_apdu_data(card, "00A2010604" "1401A5A5"), "6A80");	/* RFU */
	ck_assert_str_eq(t_apdu_data(card, "00A2010702" "A5A5"), "6A86");	/* proprietary */
	/* the record found is current: NEXT reads the one after it */
	{
		const char *r = t_apdu(card, "00B20004B0");	/* current = 3 */

		ck_assert(!strncmp(r, "01A5A5", 6));
		r = t_apdu(card, "00B20002B0");			/* next = 4 */
		ck_assert(!strncmp(r, "00FF", 4));
		r = t_apdu(card, "00B20003B0");			/* previous = 3 */
		ck_assert(!strncmp(r, "01A5A5", 6));
	}
	ck_assert_str_eq(t_apdu(card, "00B20102B0"), "6A86");	/* NEXT with a record number */
	/* persisted */
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F3C"), "9000");
	ck_assert(!strncmp(t_apdu(card, "00B20304B0"), "01A5A5", 6));
}
END_TEST

START_TEST(cyclic_and_increase)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F39"), "9000");	/* EF.ACM, 5 x 3, cyclic */
	ck_assert_str_eq(t_apdu_data(card, "803200000300FF01"), "00FF0100FF019000");
	ck_assert_str_eq(t_apdu_data(card, "8032000001FF"), "010000FF9000");
	ck_assert_str_eq(t_apdu(card, "00B2010403"), "0100009000");
	ck_assert_str_eq(t_apdu(card, "00B2020403"), "00FF019000");
	ck_assert_str_eq(t_apdu(card, "00B2030403"), "0000009000");
	/* past FFFFFF: refused, nothing changed */
	ck_assert_str_eq(t_apdu(card, "00DC000303" "FFFFFE"), "9000");	/* PREVIOUS: the oldest, now 1 */
	ck_assert_str_eq(t_apdu(card, "8032000001" "02"), "9850");
	ck_assert_str_eq(t_apdu(card, "00B2010403"), "FFFFFE9000");
	ck_assert_str_eq(t_apdu(card, "00B2020403"), "0100009000");
	ck_assert_str_eq(t_apdu(card, "00DC010403" "000000"), "6981");	/* absolute on a cyclic EF */
	ck_assert_str_eq(t_apdu(card, "8032000004" "00000001"), "6700");	/* longer than a record */
	ck_assert_str_eq(t_apdu(card, "8032000101" "01"), "6A86");
	ck_assert_str_eq(t_apdu(card, "0032000001" "01"), "6E00");	/* INCREASE is CLA 8X */
	ck_assert_str_eq(t_apdu(card, "00A4000C026F7E"), "9000");
	ck_assert_str_eq(t_apdu(card, "8032000001" "01"), "6981");
	/* cyclic order survives a restart */
	restart();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B201E403"), "FFFFFE9000");	/* by SFI 1C */
}
END_TEST

START_TEST(delete_takes_the_state)
{
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00D68B000100"), "9000");
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
	disable();
	{
		char req[64];
		unsigned ch = t_open_isdr(card);

		snprintf(req, sizeof(req), "BF330C5A0A%s", iccid);
		ck_assert_str_eq(t_es10(card, ch, req, 120), "BF33038001009000");
	}
	restart();
	install();
	enable();
	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00B08B000B"), "FFFFFFFF42F618FFFEFF019000");
	ck_assert_str_eq(auth3g("ts48-xor"), want3g("ts48-xor", true));
}
END_TEST

/* The changes in the state file are data from outside: a written file
 * that the package does not have makes the state refused (the checksum
 * recomputed, so that only this check can catch it). */
START_TEST(changes_that_do_not_fit_are_refused)
{
	static const uint8_t loci_path[] = { 0x04, 0x06, 0x3F, 0x00, 0x7F, 0xD0, 0x6F, 0x7E };
	struct sim_card *again = NULL;
	char path[128];
	uint8_t *st;
	size_t len, hits = 0;
	FILE *f;

	ck_assert_str_eq(t_apdu(card, SEL_USIM), "9000");
	ck_assert_str_eq(t_apdu(card, "00D68B000100"), "9000");
	sim_card_free(card);
	card = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_STATE_FILE);
	st = t_read_file(path, &len);
	for (size_t i = 0; i + sizeof(loci_path) <= len; i++) {
		if (memcmp(st + i, loci_path, sizeof(loci_path)))
			continue;
		st[i + sizeof(loci_path) - 1] = 0x7F;	/* 6F7F: no such file */
		hits++;
	}
	ck_assert_uint_eq(hits, 1);
	SHA256(st, len - SHA256_DIGEST_LENGTH, st + len - SHA256_DIGEST_LENGTH);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(st, 1, len, f), len);
	fclose(f);
	free(st);
	{
		struct sim_config *c = t_config();

		snprintf(c->state_dir, sizeof(c->state_dir), "%s", dir);
		ck_assert_int_lt(sim_card_new(c, &again), 0);
	}
	ck_assert_ptr_null(again);
	card = t_card_new(NULL);	/* for the teardown */
}
END_TEST

START_TEST(no_profile_is_read_only)
{
	disable();
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	ck_assert_str_eq(t_apdu(card, "00D600000100"), "6982");
	ck_assert_str_eq(t_apdu(card, "0020000100"), "6A88");
	ck_assert_str_eq(t_apdu(card, "00A4000C022F00"), "9000");
	ck_assert_str_eq(t_apdu_data(card, "00A2010401FF"), "010203049000");
}
END_TEST

/* A test case of this suite: a card with the profile enabled for each test. */
static TCase *usim_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *usim_suite(void)
{
	Suite *s = suite_create("usim");
	TCase *tc = usim_case(s, "authenticate");

	tcase_add_test(tc, usim_3g_vectors);
	tcase_add_test(tc, usim_gsm_context);
	tcase_add_test(tc, isim_3g_own_sqn);
	tcase_add_test(tc, authenticate_errors);
	tcase_add_test(tc, sqn_survives_restart_and_disable);
	tcase_add_test(tc, sqn_not_accepted_unless_stored);

	tc = usim_case(s, "suci");
	tcase_add_checked_fixture(tc, load_suci_vectors, NULL);
	tcase_add_test(tc, suci_null_scheme);
	tcase_add_test(tc, suci_ecies);

	tc = usim_case(s, "pins");
	tcase_add_test(tc, pin_lifecycle);
	tcase_add_test(tc, adm_and_arr);

	tc = usim_case(s, "files");
	tcase_add_test(tc, update_binary_persists);
	tcase_add_test(tc, loads_with_kept_packages);
	tcase_add_test(tc, records);
	tcase_add_test(tc, cyclic_and_increase);
	tcase_add_test(tc, delete_takes_the_state);
	tcase_add_test(tc, changes_that_do_not_fit_are_refused);
	tcase_add_test(tc, no_profile_is_read_only);
	return s;
}
