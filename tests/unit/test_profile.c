/* Installed profiles: the ES10c lifecycle matrix, PPRs, notifications,
 * memory reset, the file system of the enabled profile, and state that
 * survives a restart byte for byte. Profiles are side-loaded (no SM-DP+);
 * the download path has its own suite. */
#include "tests/unit/helpers.h"
#include "isdp/isdp.h"
#include "sim/asn1.h"
#include "sim/card.h"
#include "sim/host/euicc.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/err.h"
#include "sim/store.h"

#include "sim/tlv.h"
#include "sim/err.h"
#include "profiles/saip.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKG_A SIM_DATADIR "/profiles/ts48/TS48V1-A-UNIQUE.der"
#define PKG_B SIM_DATADIR "/profiles/ts48/TS48V1-B-UNIQUE.der"

static struct sim_card *card;
static unsigned ch;
static char dir[64];

static uint8_t *load(const char *path, size_t *len)
{
	uint8_t *b = t_read_file(path, len);

	ck_assert_int_gt(*len, 100);
	return b;
}

/* StoreMetadataRequest with the package's ICCID and chosen extras. */
static size_t metadata(const uint8_t *pkg, size_t len, uint32_t pprs, const char *notify_addr,
		       uint32_t notify_events, int cls, uint8_t *out, size_t cap)
{
	asn1_node n = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	uint8_t iccid[10];
	const struct isdp_profile *p;
	struct sim_card *tmp;
	char err[128];

	/* Borrow the decoder: side-load into a scratch card to learn the
	 * ICCID in its tag-5A form. */
	tmp = t_card_new(NULL);
	ck_assert_int_eq(isdp_sideload(sim_card_isdp(tmp), pkg, len, "x", "x", ISDP_CLASS_OPERATIONAL, NULL, err, sizeof(err)), 0);
	p = isdp_get(sim_card_isdp(tmp), 0);
	memcpy(iccid, p->iccid, sizeof(iccid));
	sim_card_free(tmp);

	ck_assert_int_eq(sim_asn1_new("RSPDefinitions.StoreMetadataRequest", &n), 0);
	ck_assert_int_eq(sim_asn1_write(n, "iccid", iccid, 10), 0);
	ck_assert_int_eq(sim_asn1_write(n, "serviceProviderName", "Test SP", 7), 0);
	ck_assert_int_eq(sim_asn1_write(n, "profileName", "Test profile", 12), 0);
	ck_assert_int_eq(sim_asn1_write(n, "iconType", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "icon", NULL, 0), 0);
	if (cls >= 0)	/* else: DEFAULT operational, left out */
		ck_assert_int_eq(sim_asn1_write_uint(n, "profileClass", (unsigned long)cls), 0);
	if (notify_addr) {
		ck_assert_int_eq(sim_asn1_write(n, "notificationConfigurationInfo", "NEW", 1), 0);
		ck_assert_int_eq(sim_asn1_write_bits(n, "notificationConfigurationInfo.?LAST.profileManagementOperation",
						     notify_events), 0);
		ck_assert_int_eq(sim_asn1_write(n, "notificationConfigurationInfo.?LAST.notificationAddress",
						notify_addr, strlen(notify_addr)), 0);
	} else {
		ck_assert_int_eq(sim_asn1_write(n, "notificationConfigurationInfo", NULL, 0), 0);
	}
	ck_assert_int_eq(sim_asn1_write(n, "profileOwner", NULL, 0), 0);
	if (pprs)
		ck_assert_int_eq(sim_asn1_write_bits(n, "profilePolicyRules", pprs), 0);
	else
		ck_assert_int_eq(sim_asn1_write(n, "profilePolicyRules", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "serviceSpecificDataStoredInEuicc", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "serviceSpecificDataNotStoredInEuicc", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "ecallIndication", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "fallbackAllowed", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_write(n, "iotSpecificMetadata", NULL, 0), 0);
	ck_assert_int_eq(sim_asn1_encode(n, &der, &der_len), 0);
	ck_assert_int_le(der_len, cap);
	memcpy(out, der, der_len);
	free(der);
	asn1_delete_structure(&n);
	return der_len;
}

static void install(const char *path, uint32_t pprs, const char *notify_addr, uint32_t events, int cls)
{
	uint8_t md[512];
	size_t len, md_len;
	uint8_t *pkg = load(path, &len);
	char err[128];

	md_len = metadata(pkg, len, pprs, notify_addr, events, cls, md, sizeof(md));
	ck_assert_msg(isdp_sideload_metadata(sim_card_isdp(card), pkg, len, md, md_len, err, sizeof(err)) == 0, "%s", err);
	free(pkg);
}

static const char *iccid_hex(size_t i)
{
	static char hex[2][21];
	const struct isdp_profile *p = isdp_get(sim_card_isdp(card), i);

	ck_assert_ptr_nonnull(p);
	t_hex(p->iccid, 10, hex[i & 1]);
	return hex[i & 1];
}

static const char *by_iccid(const char *tag, size_t i, const char *refresh)
{
	static char req[128];

	/* BFxx { A0 { 5A 0A iccid } 81 01 flag } */
	snprintf(req, sizeof(req), "%s11A00C5A0A%s8101%s", tag, iccid_hex(i), refresh);
	return t_es10(card, ch, req, 120);
}

static const char *delete_iccid(size_t i)
{
	char req[64];

	snprintf(req, sizeof(req), "BF330C5A0A%s", iccid_hex(i));
	return t_es10(card, ch, req, 120);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s", t_mkdtemp());
	card = t_card_new(dir);
	ch = t_open_isdr(card);
}

static void teardown(void)
{
	sim_card_free(card);
	t_rmrf(dir);
}

static void restart(void)
{
	sim_card_free(card);
	card = t_card_new(dir);
	ch = t_open_isdr(card);
}

#define HAS(r, s) ck_assert_msg(strstr((r), (s)) != NULL, "%s not in %s", (s), (r))
#define HASNT(r, s) ck_assert_msg(strstr((r), (s)) == NULL, "%s in %s", (s), (r))
#define STATE_OF(i, st) do { \
	char pat_[64]; \
	snprintf(pat_, sizeof(pat_), "5A0A%s4F10", iccid_hex(i)); \
	const char *r_ = t_es10(card, ch, "BF2D00", 120); \
	const char *at_ = strstr(r_, pat_); \
	ck_assert_msg(at_ != NULL, "profile %zu missing in %s", (size_t)(i), r_); \
	ck_assert_msg(!strncmp(at_ + strlen(pat_) + 32, "9F7001" st, 8), "state of %zu: %s", \
		      (size_t)(i), at_); \
} while (0)

START_TEST(lifecycle_matrix)
{
	char req[128];

	install(PKG_A, 0, NULL, 0, -1);
	install(PKG_B, 0, NULL, 0, -1);
	STATE_OF(0, "00");
	STATE_OF(1, "00");
	/* enable A; again: not in disabled state */
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	STATE_OF(0, "01");
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001029000");
	/* enable B: A is disabled, at most one enabled */
	ck_assert_str_eq(by_iccid("BF31", 1, "00"), "BF31038001009000");
	STATE_OF(0, "00");
	STATE_OF(1, "01");
	/* disable: A is not enabled; B is */
	ck_assert_str_eq(by_iccid("BF32", 0, "00"), "BF32038001029000");
	ck_assert_str_eq(by_iccid("BF32", 1, "00"), "BF32038001009000");
	STATE_OF(1, "00");
	/* by ISD-P AID */
	snprintf(req, sizeof(req), "BF3117A0124F10A0000005591010FFFFFFFF89000010008101FF");
	ck_assert_str_eq(t_es10(card, ch, req, 120), "BF31038001009000");
	STATE_OF(0, "01");
	/* delete the enabled one: refused; the disabled one: deleted */
	ck_assert_str_eq(delete_iccid(0), "BF33038001029000");
	ck_assert_str_eq(delete_iccid(1), "BF33038001009000");
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 1);
	/* unknown ICCID / AID */
	ck_assert_str_eq(t_es10(card, ch, "BF3111A00C5A0A989444999999990999F98101FF", 120), "BF31038001019000");
	ck_assert_str_eq(t_es10(card, ch, "BF3211A00C5A0A989444999999990999F98101FF", 120), "BF32038001019000");
	ck_assert_str_eq(t_es10(card, ch, "BF330C5A0A989444999999990999F9", 120), "BF33038001019000");
	ck_assert_str_eq(t_es10(card, ch, "BF3117A0124F10A0000005591010FFFFFFFF89000099008101FF", 120),
			 "BF31038001019000");
	/* malformed: no refreshFlag, ICCID of 9 bytes in a search */
	ck_assert_str_eq(t_es10(card, ch, "BF310EA00C5A0A989444999999990999F9", 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF3300", 120), "6A80");
}
END_TEST

START_TEST(nickname)
{
	char req[96];

	install(PKG_A, 0, NULL, 0, -1);
	snprintf(req, sizeof(req), "BF29125A0A%s90046E69636B", iccid_hex(0));
	ck_assert_str_eq(t_es10(card, ch, req, 120), "BF29038001009000");
	HAS(t_es10(card, ch, "BF2D00", 120), "90046E69636B");
	restart();
	HAS(t_es10(card, ch, "BF2D00", 120), "90046E69636B");
	ck_assert_str_eq(t_es10(card, ch, "BF29125A0A989444999999990999F990046E69636B", 120),
			 "BF29038001019000");
	/* 65 characters are too many for profileNickname (SIZE(0..64)) */
	{
		char longreq[300], nick[131];

		memset(nick, '4', 130);
		nick[130] = 0;
		snprintf(longreq, sizeof(longreq), "BF294F5A0A%s9041%s", iccid_hex(0), nick);
		ck_assert_str_eq(t_es10(card, ch, longreq, 120), "6A80");
	}
	/* SIZE counts characters (X.680 §41.4): 64 four-byte characters
	 * (256 bytes) are a valid nickname, kept across a restart; 65 are not,
	 * nor is a nickname that is not UTF-8 */
	{
		char longreq[700], nick[4 * 2 * 65 + 1] = "", got[600];

		for (int i = 0; i < 64; i++)
			strcat(nick, "F09F93B6");
		snprintf(longreq, sizeof(longreq), "BF29820110" "5A0A%s90820100%s", iccid_hex(0), nick);
		ck_assert_str_eq(t_es10(card, ch, longreq, 120), "BF29038001009000");
		snprintf(got, sizeof(got), "90820100%s", nick);
		HAS(t_es10(card, ch, "BF2D00", 120), got);
		restart();
		HAS(t_es10(card, ch, "BF2D00", 120), got);
		strcat(nick, "F09F93B6");
		snprintf(longreq, sizeof(longreq), "BF29820114" "5A0A%s90820104%s", iccid_hex(0), nick);
		ck_assert_str_eq(t_es10(card, ch, longreq, 120), "6A80");
		snprintf(longreq, sizeof(longreq), "BF29105A0A%s9002C080", iccid_hex(0));
		ck_assert_str_eq(t_es10(card, ch, longreq, 120), "6A80");
		snprintf(longreq, sizeof(longreq), "BF29105A0A%s9002EDA080", iccid_hex(0));
		ck_assert_str_eq(t_es10(card, ch, longreq, 120), "6A80");	/* a surrogate */
	}
}
END_TEST

START_TEST(profile_policy_rules)
{
	install(PKG_A, 1u << 1, NULL, 0, -1);	/* PPR1: no disabling */
	install(PKG_B, 1u << 2, NULL, 0, -1);	/* PPR2: no deleting */
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(by_iccid("BF32", 0, "FF"), "BF32038001039000");
	/* enabling B would disable A: refused too */
	ck_assert_str_eq(by_iccid("BF31", 1, "FF"), "BF31038001039000");
	STATE_OF(0, "01");
	ck_assert_str_eq(delete_iccid(1), "BF33038001039000");
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 2);
}
END_TEST

START_TEST(ppr3_deletes_on_disable)
{
	install(PKG_A, 1u << 3, "smdp.example.com", 0xF, -1);
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(by_iccid("BF32", 0, "FF"), "BF32038001009000");
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 0);
	/* enable, disable and delete notifications */
	HAS(t_es10(card, ch, "BF2800", 120), "800101" "81020640");
	HAS(t_es10(card, ch, "BF2800", 120), "800102" "81020520");
	HAS(t_es10(card, ch, "BF2800", 120), "800103" "81020410");
}
END_TEST

/* Verify an OtherSignedNotification with the eUICC certificate in it. */
static void verify_other_signed(const char *hex)
{
	static uint8_t b[4096];
	size_t n = t_unhex(hex, b, sizeof(b));
	asn1_node pn = NULL;
	const uint8_t *tbs;
	size_t tbs_len, sig_len;
	uint8_t sig[80], der_sig[80], *cert = NULL;
	size_t cert_len;
	const uint8_t *cp;
	X509 *x;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *dp = der_sig;
	int dl;

	ck_assert_int_eq(sim_asn1_decode("RSPDefinitions.PendingNotification", b, n, &pn), 0);
	ck_assert_int_eq(sim_asn1_span(pn, b, n, "otherSignedNotification.tbsOtherNotification", &tbs,
				       &tbs_len), 0);
	ck_assert_int_eq(sim_asn1_read(pn, "otherSignedNotification.euiccNotificationSignature", sig,
				       sizeof(sig), &sig_len), 0);
	ck_assert_int_eq(sig_len, 64);
	ck_assert_int_eq(sim_asn1_read_alloc(pn, "otherSignedNotification.euiccCertificate", &cert,
					     &cert_len), 0);
	cp = cert;
	x = d2i_X509(NULL, &cp, (long)cert_len);
	ck_assert_ptr_nonnull(x);
	ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
	dl = i2d_ECDSA_SIG(es, &dp);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(x)), 1);
	ck_assert_int_eq(EVP_DigestVerify(md, der_sig, (size_t)dl, tbs, tbs_len), 1);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
	X509_free(x);
	free(cert);
	asn1_delete_structure(&pn);
}

START_TEST(notifications)
{
	const char *r;
	char first[4096];

	/* notify enable and delete, not disable */
	install(PKG_A, 0, "smdp.example.com", (1u << 1) | (1u << 3), -1);
	install(PKG_B, 0, NULL, 0, -1);
	ck_assert_str_eq(t_es10(card, ch, "BF2800", 120), "BF2802A0009000");
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(by_iccid("BF32", 0, "FF"), "BF32038001009000");
	ck_assert_str_eq(delete_iccid(0), "BF33038001009000");
	r = t_es10(card, ch, "BF2800", 120);
	/* seq 1 enable, seq 2 delete; address exactly as given */
	HAS(r, "800101" "81020640" "0C10736D64702E6578616D706C652E636F6D");
	HAS(r, "800102" "81020410");
	HASNT(r, "800103");
	/* filter by event */
	r = t_es10(card, ch, "BF280481020410", 120);
	HAS(r, "800102");
	HASNT(r, "800101");
	/* retrieve by seqNumber and check the eUICC signature */
	r = t_es10(card, ch, "BF2B05A003800101", 120);
	ck_assert(!strncmp(r, "BF2B", 4));
	{
		/* BF2B L A0 L <PendingNotification> 9000 */
		static uint8_t b[4096];
		size_t n = t_unhex(r, b, sizeof(b)) - 2;
		struct tlv outer, list, item;

		ck_assert_int_eq(tlv_parse_exact(b, n, &outer), 0);
		ck_assert_int_eq(tlv_parse_exact(outer.val, outer.len, &list), 0);
		ck_assert_int_eq(tlv_parse_exact(list.val, list.len, &item), 0);
		t_hex(item.raw, item.raw_len, first);
		verify_other_signed(first);
	}
	/* nothing for an unknown number */
	ck_assert_str_eq(t_es10(card, ch, "BF2B05A003800109", 120), "BF2B03810101" "9000");
	/* remove: ok, then nothingToDelete */
	ck_assert_str_eq(t_es10(card, ch, "BF3003800101", 120), "BF30038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3003800101", 120), "BF30038001019000");
	ck_assert_str_eq(t_es10(card, ch, "BF3003800102", 120), "BF30038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF2800", 120), "BF2802A0009000");
	/* numbers are never reused, across a restart */
	restart();
	install(PKG_A, 0, "smdp.example.com", 1u << 1, -1);
	ck_assert_str_eq(by_iccid("BF31", 1, "FF"), "BF31038001009000");
	HAS(t_es10(card, ch, "BF2800", 120), "800103" "81020640");
}
END_TEST

START_TEST(memory_reset)
{
	install(PKG_A, 1u << 2, NULL, 0, -1);		/* operational, PPR2 */
	install(PKG_B, 0, NULL, 0, 0);			/* test class: field-loaded */
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3F1B8019" "74657374736D6470706C7573312E6578616D706C652E636F6D", 120),
			 "BF3F038001009000");
	/* test profiles only */
	ck_assert_str_eq(t_es10(card, ch, "BF340482020640", 120), "BF34038001009000");
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 1);
	ck_assert_str_eq(t_es10(card, ch, "BF340482020640", 120), "BF34038001019000");
	/* operational profiles, even enabled and protected by PPR2 */
	ck_assert_str_eq(t_es10(card, ch, "BF340482020780", 120), "BF34038001009000");
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 0);
	/* the default SM-DP+ address */
	HAS(t_es10(card, ch, "BF3C00", 120), "8019");
	ck_assert_str_eq(t_es10(card, ch, "BF340482020520", 120), "BF34038001009000");
	HASNT(t_es10(card, ch, "BF3C00", 120), "8019");
	ck_assert_str_eq(t_es10(card, ch, "BF3403820100", 120), "BF34038001019000");
	/* one octet whose "unused bits" count is 0xE0: not a BIT STRING */
	ck_assert_str_eq(t_es10(card, ch, "BF34038201E0", 120), "6A80");
	restart();
	ck_assert_int_eq(isdp_count(sim_card_isdp(card)), 0);
}
END_TEST

START_TEST(file_system_follows_enabled_profile)
{
	/* TS48V1-A: IMSI 001010000000111? read what the package says */
	install(PKG_A, 0, NULL, 0, -1);
	ck_assert_str_eq(t_apdu(card, "00A4040C0CA0000000871002FF49FF0589"), "6A82");
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B000000A"), "FFFFFFFFFFFFFFFFFFFF9000");
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	{
		char want[32];

		snprintf(want, sizeof(want), "%s9000", iccid_hex(0));
		ck_assert_str_eq(t_apdu(card, "00B000000A"), want);
	}
	ck_assert_str_eq(t_apdu(card, "00A4040C0CA0000000871002FF49FF0589"), "9000");
	/* pySim's form: P2 04 with Le, answered with the ADF's FCP */
	ck_assert(!strncmp(t_apdu(card, "00A404040CA0000000871002FF49FF058900"), "62", 2));
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "9000");
	ck_assert(!strncmp(t_apdu(card, "00B0000009"), "08", 2));
	/* by SFI 07 under the ADF */
	ck_assert(!strncmp(t_apdu(card, "00B0870009"), "08", 2));
	ck_assert_str_eq(by_iccid("BF32", 0, "FF"), "BF32038001009000");
	ck_assert_str_eq(t_apdu(card, "00A4040C0CA0000000871002FF49FF0589"), "6A82");
}
END_TEST

START_TEST(restart_is_byte_identical)
{
	char info[8192], notifs[4096], info2[1024];

	install(PKG_A, 0, "smdp.example.com", 0xF, -1);
	install(PKG_B, 0, NULL, 0, -1);
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	snprintf(info, sizeof(info), "%s", t_es10(card, ch, "BF2D00", 120));
	snprintf(notifs, sizeof(notifs), "%s", t_es10(card, ch, "BF2800", 120));
	snprintf(info2, sizeof(info2), "%s", t_es10(card, ch, "BF2200", 120));
	restart();
	ck_assert_str_eq(t_es10(card, ch, "BF2D00", 120), info);
	ck_assert_str_eq(t_es10(card, ch, "BF2800", 120), notifs);
	ck_assert_str_eq(t_es10(card, ch, "BF2200", 120), info2);
}
END_TEST

START_TEST(profiles_info_search_and_tags)
{
	char req[96];
	const char *r;

	install(PKG_A, 0, NULL, 0, -1);
	install(PKG_B, 0, NULL, 0, 0);
	snprintf(req, sizeof(req), "BF2D0EA00C5A0A%s", iccid_hex(1));
	r = t_es10(card, ch, req, 120);
	HAS(r, iccid_hex(1));
	HASNT(r, iccid_hex(0));
	/* by class: test */
	r = t_es10(card, ch, "BF2D05A003950100", 120);
	HAS(r, iccid_hex(1));
	HASNT(r, iccid_hex(0));
	/* tag list: ICCID and state only */
	r = t_es10(card, ch, "BF2D055C035A9F70", 120);
	HASNT(r, "4F10");
	HASNT(r, "9109");
	HAS(r, "9F700100");
	/* every field: names from the metadata, class only when not default */
	r = t_es10(card, ch, "BF2D00", 120);
	HAS(r, "9107" "54657374205350");	/* "Test SP" */
	HAS(r, "950100");
}
END_TEST

/* A BIT STRING longer than the 32 named bits a card needs: refused, not
 * copied into a 4-byte buffer (that was a stack overflow). */
START_TEST(long_bit_strings_refused)
{
	char req[256];

	/* eUICCMemoryReset with 28 octets of bits */
	snprintf(req, sizeof(req), "BF341F821D00%s",
		 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ck_assert_str_eq(t_es10(card, ch, req, 120), "6A80");
	/* ListNotification with a 20-octet event filter */
	snprintf(req, sizeof(req), "BF281781150041414141414141414141414141414141414141");
	ck_assert_str_eq(t_es10(card, ch, req, 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF2800", 120), "BF2802A0009000");
}
END_TEST

/* Many pending notifications come back whole through GET RESPONSE. */
START_TEST(many_notifications_retrieved)
{
	const char *r;

	install(PKG_A, 0, "smdp.example.com", 0xE, -1);
	for (int i = 0; i < 30; i++) {
		ck_assert_str_eq(by_iccid("BF31", 0, "00"), "BF31038001009000");
		ck_assert_str_eq(by_iccid("BF32", 0, "00"), "BF32038001009000");
	}
	r = t_es10(card, ch, "BF2B00", 120);
	ck_assert_str_eq(r + strlen(r) - 4, "9000");
	ck_assert_int_gt(strlen(r) / 2, 64 * 1024);	/* beyond one 64 KiB buffer */
}
END_TEST

/* REFRESH after enabling another profile: other channels lose their
 * selection (they were in the old profile's ADF). */
START_TEST(refresh_resets_selection)
{
	install(PKG_A, 0, NULL, 0, -1);
	install(PKG_B, 0, NULL, 0, -1);
	ck_assert_str_eq(by_iccid("BF31", 0, "FF"), "BF31038001009000");
	ck_assert_str_eq(t_apdu(card, "00A4040C0CA0000000871002FF49FF0589"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "9000");
	ck_assert(!strncmp(t_apdu(card, "00B0000009"), "08", 2));
	ck_assert_str_eq(by_iccid("BF31", 1, "FF"), "BF31038001009000");
	ck_assert_str_eq(t_apdu(card, "00B0000009"), "6986");	/* no current EF */
	/* without refreshFlag the selection stays */
	ck_assert_str_eq(t_apdu(card, "00A4040C0CA0000000871002FF49FF0589"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "9000");
	ck_assert_str_eq(by_iccid("BF31", 0, "00"), "BF31038001009000");
	ck_assert(!strncmp(t_apdu(card, "00B0000009"), "08", 2));
}
END_TEST

/* A state file that breaks the card's rules is refused at start-up. */
START_TEST(inconsistent_state_refused)
{
	struct sim_card *again = NULL;
	struct sim_config *cfg;

	install(PKG_A, 0, NULL, 0, -1);
	install(PKG_B, 0, NULL, 0, -1);
	/* write a state with two enabled profiles, bypassing the ES10 rules */
	isdp_at(sim_card_isdp(card), 0)->state = ISDP_ENABLED;
	isdp_at(sim_card_isdp(card), 1)->state = ISDP_ENABLED;
	ck_assert_int_eq(isdp_persist(sim_card_isdp(card)), 0);
	sim_card_free(card);
	cfg = t_config();
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	ck_assert_int_eq(sim_card_new(cfg, &again), -EU_E_CORRUPT);
	card = t_card_new(NULL);	/* for the teardown */
}
END_TEST

/* An FCP/FCI template as TS 102 221 §11.1.1.3 / GP want it: one TLV of
 * tag 62 (6F for applications) whose length is its content, and a
 * content of whole TLVs (hex answer with 9000 at the end). */
static void check_fcp(const char *hex, const char *what)
{
	uint8_t b[512];
	size_t n = t_unhex(hex, b, sizeof(b));
	struct tlv tpl, t;
	struct tlv_iter it;
	int rc, count = 0;

	ck_assert_msg(n >= 4 && b[n - 2] == 0x90 && b[n - 1] == 0x00, "%s: %s", what, hex);
	ck_assert_msg(tlv_parse_exact(b, n - 2, &tpl) == 0, "%s: FCP length is not its content: %s", what, hex);
	ck_assert_msg(tpl.tag == 0x62 || tpl.tag == 0x6F, "%s: %s", what, hex);
	tlv_iter_init(&it, &tpl);
	while ((rc = tlv_iter_next(&it, &t)) > 0)
		count++;
	ck_assert_msg(rc == 0 && count >= 2, "%s: FCP content is not whole TLVs: %s", what, hex);
}

/* Every FCP the card can return, for every TS.48 profile: each file by
 * path from the MF, and STATUS in each DF; plus the FCIs of the ISD-R
 * and the ECASD. */
START_TEST(every_fcp_is_well_formed)
{
	static const char *const pkgs[] = {
		"TS48V1-A-UNIQUE", "TS48V1-B-UNIQUE", "TS48V2-SAIP2-1-BERTLV-UNIQUE",
		"TS48V2-SAIP2-3-NOBERTLV-UNIQUE", "TS48V3-SAIP2-1-BERTLV-UNIQUE", "TS48V4-SAIP2-1A-NOBERTLV-UNIQUE",
		"TS48V4-SAIP2-3-BERTLV-UNIQUE", "TS48V5-SAIP2-1B-NOBERTLV-UNIQUE", "TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE",
	};
	size_t checked = 0;

	for (size_t k = 0; k < ARRAY_SIZE(pkgs); k++) {
		struct sim_card *c = t_card_new(NULL);
		const struct saip_profile *sp;
		char path[256], cmd[300], what[64];
		size_t len;
		uint8_t *pkg;
		char err[128];

		snprintf(path, sizeof(path), SIM_DATADIR "/profiles/ts48/%s.der", pkgs[k]);
		pkg = load(path, &len);
		ck_assert_msg(isdp_sideload(sim_card_isdp(c), pkg, len, "x", "x", ISDP_CLASS_OPERATIONAL, NULL,
					    err, sizeof(err)) == 0, "%s", err);
		free(pkg);
		isdp_at(sim_card_isdp(c), 0)->state = ISDP_ENABLED;
		sp = isdp_get(sim_card_isdp(c), 0)->decoded;
		check_fcp(t_apdu_data(c, "00A40004023F00"), "MF");
		check_fcp(t_apdu_data(c, "80F2000000"), "STATUS in the MF");
		for (size_t i = 0; i < sp->n_files; i++) {
			const struct sim_file *f = &sp->files[i];
			size_t o;

			if (f->type == SIM_FT_MF)
				continue;
			/* the path from the MF without 3F00, then the file */
			o = (size_t)snprintf(cmd, sizeof(cmd), "00A40804%02X", 2 * f->depth);
			for (size_t d = 1; d < f->depth; d++)
				o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, "%04X", f->path[d]);
			snprintf(cmd + o, sizeof(cmd) - o, "%04X", f->fid);
			snprintf(what, sizeof(what), "%s %s %04X", pkgs[k], f->name ? f->name : "file", f->fid);
			check_fcp(t_apdu_data(c, cmd), what);
			if (f->type == SIM_FT_DF || f->type == SIM_FT_ADF)
				check_fcp(t_apdu_data(c, "80F2000000"), what);
			checked++;
		}
		sim_card_free(c);
	}
	ck_assert_int_gt(checked, 500);
	/* the applications' FCIs */
	check_fcp(t_apdu_data(card, "00A4040010A0000005591010FFFFFFFF8900000100"), "ISD-R");
	check_fcp(t_apdu_data(card, "80F2000000"), "STATUS in the ISD-R");
	check_fcp(t_apdu_data(card, "00A4040010A0000005591010FFFFFFFF8900000200"), "ECASD");
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("lifecycle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lifecycle_matrix);
	tcase_add_test(tc, nickname);
	tcase_add_test(tc, profile_policy_rules);
	tcase_add_test(tc, ppr3_deletes_on_disable);
	tcase_add_test(tc, notifications);
	tcase_add_test(tc, memory_reset);
	tcase_add_test(tc, file_system_follows_enabled_profile);
	tcase_add_test(tc, restart_is_byte_identical);
	tcase_add_test(tc, profiles_info_search_and_tags);
	tcase_add_test(tc, long_bit_strings_refused);
	tcase_add_test(tc, many_notifications_retrieved);
	tcase_add_test(tc, refresh_resets_selection);
	tcase_add_test(tc, inconsistent_state_refused);
	tcase_add_test(tc, every_fcp_is_well_formed);
	suite_add_tcase(s, tc);
	return s;
}
