/* ES10 information functions through the APDU entry point. */
#include "tests/unit/helpers.h"
#include "sim/asn1.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/err.h"
#include "isdr/fault.h"

#include <stdio.h>
#include <string.h>

#define HAS(r, s) ck_assert_msg(strstr((r), (s)) != NULL, "%s not in %s", (s), (r))
#define HASNT(r, s) ck_assert_msg(strstr((r), (s)) == NULL, "%s in %s", (s), (r))

static struct sim_card *card;
static unsigned ch;

static void setup(void)
{
	card = t_card_new(NULL);
	ch = t_open_isdr(card);
}

static void teardown(void)
{
	sim_card_free(card);
}

START_TEST(get_eid)
{
	ck_assert_str_eq(t_es10(card, ch, "BF3E035C015A", 120), "BF3E125A10" EID_HEX "9000");
}
END_TEST

START_TEST(get_eid_requires_taglist_5a)
{
	/* v2.x: tagList is mandatory and SHALL be 5A. */
	ck_assert_str_eq(t_es10(card, ch, "BF3E00", 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF3E035C014F", 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF3E045C025A5A", 120), "6A80");
}
END_TEST

START_TEST(euicc_info1)
{
	ck_assert_str_eq(t_es10(card, ch, "BF2000", 120),
			 "BF2061" "8203020300"
			 "A92C" "0414" CI_NIST "0414" CI_BRP
			 "AA2C" "0414" CI_NIST "0414" CI_BRP "9000");
}
END_TEST

START_TEST(euicc_info1_single_ci)
{
	struct sim_config *cfg = t_config();

	sim_card_free(card);
	ck_assert_int_eq(sim_config_preset(cfg, "sgp26-brp"), 0);
	card = t_card_new_cfg(cfg);
	ch = t_open_isdr(card);
	ck_assert_str_eq(t_es10(card, ch, "BF2000", 120),
			 "BF2035" "8203020300" "A9160414" CI_BRP "AA160414" CI_BRP "9000");
}
END_TEST

START_TEST(euicc_info2_fields)
{
	const char *r = t_es10(card, ch, "BF2200", 120);
	size_t n = strlen(r);

	ck_assert_str_eq(r + n - 4, "9000");
	ck_assert_msg(!strncmp(r, "BF2281", 6), "long-form length expected: %s", r);
	/* profileVersion 2.3.1, svn 2.3.0, firmware 0.1.0 */
	HAS(r, "8103020301" "8203020300" "8303000100");
	/* extCardResource: 0 apps, 1 MiB free NVM, 32 KiB free RAM */
	HAS(r, "840C" "810100" "8203100000" "83028000");
	/* ts102241Version 9.2.0, GP 2.3.0 */
	HAS(r, "8603090200" "8703020300");
	/* rspCapability: additionalProfile, testProfileSupport and
	 * deviceInfoExtensibilitySupport: 5 used bits */
	HAS(r, "880203" "98");
	HAS(r, "A92C0414" CI_NIST "0414" CI_BRP);
	HAS(r, "AA2C0414" CI_NIST "0414" CI_BRP);
	/* euiccCategory mediumEuicc, ppVersion, SAS number */
	HAS(r, "8B0102" "0403000001" "0C13");
	HAS(r, "AC");
}
END_TEST

START_TEST(euicc_info2_optional_fields_follow_config)
{
	struct sim_config *cfg = t_config();
	char err[256];
	const char *r;

	sim_card_free(card);
	ck_assert_int_eq(sim_config_set(cfg, "ts102241-version", "", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_config_set(cfg, "euicc-category", "none", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_config_set(cfg, "platform-label", "", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_config_set(cfg, "discovery-base-url", "", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_config_set(cfg, "rsp-capability", "additionalProfile", NULL, err,
					sizeof(err)), 0);
	ck_assert_int_eq(sim_config_set(cfg, "profile-memory", "2k", NULL, err, sizeof(err)), 0);
	card = t_card_new_cfg(cfg);
	ch = t_open_isdr(card);
	r = t_es10(card, ch, "BF2200", 120);
	HASNT(r, "8603");
	HASNT(r, "8B01");
	HAS(r, "88020780");	/* one named bit, 7 unused */
	HAS(r, "8202" "0800");
	HASNT(r, "AC");
}
END_TEST

START_TEST(euicc_info2_chained_over_get_response)
{
	/* The answer is longer than 256 bytes only with long strings; force
	 * it and check lpac-style 61xx / GET RESPONSE reassembly. */
	struct sim_config *cfg = t_config();
	char err[256], longstr[250];
	const char *r;

	sim_card_free(card);
	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = 0;
	ck_assert_int_eq(sim_config_set(cfg, "platform-label", longstr, NULL, err, sizeof(err)), 0);
	card = t_card_new_cfg(cfg);
	ch = t_open_isdr(card);
	r = t_es10(card, ch, "BF2200", 120);
	ck_assert_str_eq(r + strlen(r) - 4, "9000");
	ck_assert_int_gt(strlen(r), 2 * 300);
	HAS(r, "787878");
}
END_TEST

START_TEST(challenge_is_fresh)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "%s", t_es10(card, ch, "BF2E00", 120));
	snprintf(b, sizeof(b), "%s", t_es10(card, ch, "BF2E00", 120));
	ck_assert_int_eq(strlen(a), 2 * 21 + 4);
	ck_assert(!strncmp(a, "BF2E128010", 10));
	ck_assert_str_eq(a + 42, "9000");
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(get_rat_default_empty)
{
	ck_assert_str_eq(t_es10(card, ch, "BF4300", 120), "BF4302A0009000");
}
END_TEST

START_TEST(get_rat_configured)
{
	struct sim_config *cfg = t_config();
	char err[256];
	/* One rule: PPR1 for operator 001/01, consent required. */
	const char *rule = "3011" "80020640" "A1073005800300F110" "82020780";
	char rat[128];

	sim_card_free(card);
	card = NULL;
	/* A bare rule is not a RulesAuthorisationTable: refused at start. */
	ck_assert_int_eq(sim_config_set(cfg, "rat", rule, NULL, err, sizeof(err)), 0);
	ck_assert_int_ne(sim_card_new(cfg, &card), 0);
	snprintf(rat, sizeof(rat), "3013%s", rule);
	ck_assert_int_eq(sim_config_set(cfg, "rat", rat, NULL, err, sizeof(err)), 0);
	card = t_card_new_cfg(cfg);
	ch = t_open_isdr(card);
	ck_assert_str_eq(t_es10(card, ch, "BF4300", 120),
			 "BF4315A013" "3011" "80020640" "A1073005800300F110" "82020780" "9000");
}
END_TEST

START_TEST(configured_addresses_and_set_default)
{
	ck_assert_str_eq(t_es10(card, ch, "BF3C00", 120),
			 "BF3C1A" "8118" "74657374726F6F74736D64732E6578616D706C652E636F6D" "9000");
	/* testsmdpplus1.example.com */
	ck_assert_str_eq(t_es10(card, ch, "BF3F1B8019" "74657374736D6470706C7573312E6578616D706C652E636F6D", 120),
			 "BF3F038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3C00", 120),
			 "BF3C35" "8019" "74657374736D6470706C7573312E6578616D706C652E636F6D"
			 "8118" "74657374726F6F74736D64732E6578616D706C652E636F6D" "9000");
	/* A control character is refused with undefinedError, state unchanged. */
	ck_assert_str_eq(t_es10(card, ch, "BF3F0380010A", 120), "BF3F0380017F9000");
	HAS(t_es10(card, ch, "BF3C00", 120), "8019");
	/* Empty address removes it. */
	ck_assert_str_eq(t_es10(card, ch, "BF3F028000", 120), "BF3F038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3C00", 120),
			 "BF3C1A" "8118" "74657374726F6F74736D64732E6578616D706C652E636F6D" "9000");
}
END_TEST

START_TEST(profiles_info_empty)
{
	ck_assert_str_eq(t_es10(card, ch, "BF2D00", 120), "BF2D02A0009000");
	ck_assert_str_eq(t_es10(card, ch, "BF2D035C015A", 120), "BF2D02A0009000");
	/* searchCriteria by ICCID: nothing matches */
	ck_assert_str_eq(t_es10(card, ch, "BF2D0EA00C5A0A89000123456789012341", 120),
			 "BF2D02A0009000");
	/* lpac's full tag list */
	ck_assert_str_eq(t_es10(card, ch, "BF2D0D5C0B5A4F9F70909192939495B6", 120),
			 "BF2D02A0009000");
}
END_TEST

START_TEST(malformed_requests)
{
	/* indefinite length */
	ck_assert_str_eq(t_es10(card, ch, "BF20800000", 120), "6A80");
	/* trailing bytes */
	ck_assert_str_eq(t_es10(card, ch, "BF200000", 120), "6A80");
	/* truncated, overrunning */
	ck_assert_str_eq(t_es10(card, ch, "BF3E035C01", 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF3E035C055A", 120), "6A80");
	/* an unknown element that is not a whole TLV */
	ck_assert_str_eq(t_es10(card, ch, "BF2004A1058001", 120), "6A80");
	/* unknown and unsupported functions */
	ck_assert_str_eq(t_es10(card, ch, "BF7F00", 120), "6A88");
	ck_assert_str_eq(t_es10(card, ch, "BF3500", 120), "6A88");	/* LoadCRL */
	ck_assert_str_eq(t_es10(card, ch, "BF3800", 120), "6A80");	/* empty AuthenticateServer */
	/* not a TLV at all */
	ck_assert_str_eq(t_es10(card, ch, "1F", 120), "6A80");
	/* a mandatory element missing (answered 6F00 before issue 9), or
	 * one the card cannot hold */
	ck_assert_str_eq(t_es10(card, ch, "BF3000", 120), "6A80");
	ck_assert_str_eq(t_es10(card, ch, "BF3003800180", 120), "6A80");	/* seqNumber -128 */
	ck_assert_str_eq(t_es10(card, ch, "BF2B05A003800180", 120), "6A80");
	/* an unknown alternative of a CHOICE */
	ck_assert_str_eq(t_es10(card, ch, "BF3303800100", 120), "6A80");
}
END_TEST

/* What SGP.22's EXTENSIBILITY IMPLIED and BER let a card accept: the same
 * answer as the plain request; --strict refuses each (README,
 * "Extensibility and --strict"). The request corpus has many more. */
static const char *const tolerated[][2] = {
	{ "BF208100", "BF2000" },			/* long-form length */
	{ "BF2003800100", "BF2000" },			/* an element in an empty request */
	{ "BF20020500", "BF2000" },
	{ "BF22020500", "BF2200" },
	{ "BF43020500", "BF4300" },
	{ "BF3C020500", "BF3C00" },
	{ "BF3E045C81015A", "BF3E035C015A" },		/* long-form length inside */
	{ "BF3E075C015A9F7F0100", "BF3E035C015A" },	/* an unknown element */
	{ "BF2D075C015A9F7F0100", "BF2D035C015A" },
};

START_TEST(extensions_and_ber_lengths_tolerated)
{
	char want[1024];

	for (size_t i = 0; i < ARRAY_SIZE(tolerated); i++) {
		snprintf(want, sizeof(want), "%s", t_es10(card, ch, tolerated[i][1], 120));
		ck_assert_msg(!strcmp(t_es10(card, ch, tolerated[i][0], 120), want), "%s", tolerated[i][0]);
	}
	ck_assert_str_eq(t_es10(card, ch, "BF2E020500", 120) + 42, "9000");
}
END_TEST

START_TEST(strict_refuses_them)
{
	struct sim_config *cfg = t_config();
	char err[256];

	sim_card_free(card);
	ck_assert_int_eq(sim_config_set(cfg, "strict", "yes", NULL, err, sizeof(err)), 0);
	card = t_card_new_cfg(cfg);
	ch = t_open_isdr(card);
	for (size_t i = 0; i < ARRAY_SIZE(tolerated); i++) {
		ck_assert_msg(!strcmp(t_es10(card, ch, tolerated[i][0], 120), "6A80"), "%s", tolerated[i][0]);
		ck_assert_str_ne(t_es10(card, ch, tolerated[i][1], 120), "6A80");
	}
	ck_assert_str_eq(t_es10(card, ch, "BF2E020500", 120), "6A80");
	ck_assert_int_ne(sim_config_set(cfg, "strict", "maybe", NULL, err, sizeof(err)), 0);
	/* and it does not announce deviceInfoExtensibilitySupport */
	HAS(t_es10(card, ch, "BF2200", 120), "880204" "90");
}
END_TEST

START_TEST(segmented_like_lpac_and_single_like_pysim)
{
	const char *big = "BF3F8180" "807E"
		"61616161616161616161616161616161616161616161616161616161616161616161616161616161"
		"61616161616161616161616161616161616161616161616161616161616161616161616161616161"
		"61616161616161616161616161616161616161616161616161616161616161616161616161616161"
		"616161616161";

	ck_assert_str_eq(t_es10(card, ch, big, 120), "BF3F038001009000");
	ck_assert_str_eq(t_es10(card, ch, big, 7), "BF3F038001009000");
	ck_assert_str_eq(t_es10(card, ch, big, 255), "BF3F038001009000");
}
END_TEST

/* An SGP.22 v2.2+ DeviceInfo, as newer LPAs send it inside ctxParams1 of
 * AuthenticateServer: DeviceCapabilities with every member [0]..[14]
 * (nrEpcSupportedRelease at [8], where the pre-v2.2 module had
 * rspRpmSupportedVersion, up to deviceAdditionalFeatureSupport [14]). The
 * pySim-based module rejected [9]..[14]; see docs/asn1-translation.md. */
#define DEVICE_INFO_V23_BODY \
	0x80, 0x04, 0x35, 0x29, 0x06, 0x11,		/* tac */ \
	0xA1, 0x4F,					/* deviceCapabilities */ \
	0x80, 0x03, 0x0B, 0x00, 0x00,			/* gsmSupportedRelease */ \
	0x81, 0x03, 0x0C, 0x00, 0x00,			/* utranSupportedRelease */ \
	0x82, 0x03, 0x01, 0x00, 0x00,			/* cdma2000onexSupportedRelease */ \
	0x83, 0x03, 0x02, 0x00, 0x00,			/* cdma2000hrpdSupportedRelease */ \
	0x84, 0x03, 0x03, 0x00, 0x00,			/* cdma2000ehrpdSupportedRelease */ \
	0x85, 0x03, 0x0F, 0x00, 0x00,			/* eutranEpcSupportedRelease */ \
	0x86, 0x03, 0x09, 0x00, 0x00,			/* contactlessSupportedRelease */ \
	0x87, 0x03, 0x02, 0x02, 0x00,			/* rspCrlSupportedVersion */ \
	0x88, 0x03, 0x10, 0x00, 0x00,			/* nrEpcSupportedRelease */ \
	0x89, 0x03, 0x11, 0x00, 0x00,			/* nr5gcSupportedRelease */ \
	0x8A, 0x03, 0x12, 0x00, 0x00,			/* eutran5gcSupportedRelease */ \
	0x8B, 0x03, 0x02, 0x03, 0x00,			/* lpaSvn */ \
	0x8C, 0x02, 0x05, 0xA0,				/* catSupportedClasses: bits 0, 2 */ \
	0x8D, 0x01, 0x01,				/* euiccFormFactorType */ \
	0xAE, 0x0A,					/* deviceAdditionalFeatureSupport */ \
	0x80, 0x03, 0x02, 0x00, 0x00,			/* naiSupport */ \
	0x81, 0x03, 0x2A, 0x03, 0x04,			/* groupOfDeviceManufacturerOid 1.2.3.4 */ \
	0x82, 0x08, 0x35, 0x29, 0x06, 0x11, 0x12, 0x34, 0x56, 0x78	/* imei */

static void version_is(asn1_node n, const char *name, uint8_t a, uint8_t b)
{
	uint8_t v[8];
	size_t len;

	ck_assert_msg(sim_asn1_read(n, name, v, sizeof(v), &len) == 0, "%s not read", name);
	ck_assert_msg(len == 3 && v[0] == a && v[1] == b && v[2] == 0, "%s: wrong value", name);
}

START_TEST(device_info_v23_capabilities_decode)
{
	static const uint8_t info[] = { 0x30, 0x61, DEVICE_INFO_V23_BODY };
	static const uint8_t ctx[] = { 0xA0, 0x68, 0x80, 0x03, 'A', 'B', 'C', 0xA1, 0x61, DEVICE_INFO_V23_BODY };
	static const char *const rel[] = {
		"gsmSupportedRelease", "utranSupportedRelease", "cdma2000onexSupportedRelease",
		"cdma2000hrpdSupportedRelease", "cdma2000ehrpdSupportedRelease", "eutranEpcSupportedRelease",
		"contactlessSupportedRelease", "rspCrlSupportedVersion", "nrEpcSupportedRelease",
		"nr5gcSupportedRelease", "eutran5gcSupportedRelease", "lpaSvn",
	};
	static const uint8_t major[] = { 11, 12, 1, 2, 3, 15, 9, 2, 16, 17, 18, 2 };
	static const uint8_t minor[] = { 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3 };
	asn1_node n = NULL;
	char name[128];
	uint8_t v[16];
	size_t len;
	unsigned long u;
	uint32_t bits;

	ck_assert_int_eq(sim_asn1_decode("RSPDefinitions.DeviceInfo", info, sizeof(info), &n), 0);
	ck_assert_int_eq(sim_asn1_read(n, "tac", v, sizeof(v), &len), 0);
	ck_assert_int_eq(len, 4);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(name, sizeof(name), "deviceCapabilities.%s", rel[i]);
		version_is(n, name, major[i], minor[i]);
	}
	ck_assert_int_eq(sim_asn1_read_bits(n, "deviceCapabilities.catSupportedClasses", &bits), 0);
	ck_assert_uint_eq(bits, 0x5);
	ck_assert_int_eq(sim_asn1_read_uint(n, "deviceCapabilities.euiccFormFactorType", &u), 0);
	ck_assert_uint_eq(u, 1);
	version_is(n, "deviceCapabilities.deviceAdditionalFeatureSupport.naiSupport", 2, 0);
	ck_assert_int_eq(sim_asn1_read(n, "deviceCapabilities.deviceAdditionalFeatureSupport.groupOfDeviceManufacturerOid",
				       v, sizeof(v) - 1, &len), 0);
	v[len] = 0;
	ck_assert_str_eq((const char *)v, "1.2.3.4");
	ck_assert_int_eq(sim_asn1_read(n, "imei", v, sizeof(v), &len), 0);
	ck_assert_int_eq(len, 8);
	asn1_delete_structure(&n);

	/* the same inside CtxParams1, by the path the card reads */
	ck_assert_int_eq(sim_asn1_decode("RSPDefinitions.CtxParams1", ctx, sizeof(ctx), &n), 0);
	version_is(n, "ctxParamsForCommonAuthentication.deviceInfo.deviceCapabilities.nrEpcSupportedRelease", 16, 0);
	version_is(n, "ctxParamsForCommonAuthentication.deviceInfo.deviceCapabilities.lpaSvn", 2, 3);
	asn1_delete_structure(&n);
}
END_TEST

/* An armed error fault answers the next command of its function with the
 * function's own error, and only that command. The names were compared as
 * pointers, equal only where the linker merged the two string literals:
 * in the clang fuzz builds no fault ever fired. */
START_TEST(injected_error_fires_by_name)
{
	char name[64];

	/* a name that is no string literal of the ISD-R's */
	snprintf(name, sizeof(name), "ES10c.%s", "GetProfilesInfo");
	ck_assert_int_eq(isdr_arm_fault(sim_card_isdr(card), ISDR_FAULT_ERROR, name, 127), 0);
	ck_assert_str_eq(t_es10(card, ch, "BF2D00", 120), "BF2D038101" "7F" "9000");
	ck_assert_str_eq(t_es10(card, ch, "BF2D00", 120), "BF2D02A000" "9000");
	snprintf(name, sizeof(name), "ES10a.%s", "SetDefaultDpAddress");
	ck_assert_int_eq(isdr_arm_fault(sim_card_isdr(card), ISDR_FAULT_ERROR, name, 1), 0);
	ck_assert_str_eq(t_es10(card, ch, "BF3F03800178", 120), "BF3F03800101" "9000");
	/* another function first takes the fault away unused */
	ck_assert_int_eq(isdr_arm_fault(sim_card_isdr(card), ISDR_FAULT_ERROR, name, 1), 0);
	ck_assert_str_eq(t_es10(card, ch, "BF2D00", 120), "BF2D02A000" "9000");
	ck_assert_str_eq(t_es10(card, ch, "BF3F03800178", 120), "BF3F03800100" "9000");
}
END_TEST

Suite *es10_suite(void)
{
	Suite *s = suite_create("es10");
	TCase *tc = tcase_create("info");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, get_eid);
	tcase_add_test(tc, get_eid_requires_taglist_5a);
	tcase_add_test(tc, euicc_info1);
	tcase_add_test(tc, euicc_info1_single_ci);
	tcase_add_test(tc, euicc_info2_fields);
	tcase_add_test(tc, euicc_info2_optional_fields_follow_config);
	tcase_add_test(tc, euicc_info2_chained_over_get_response);
	tcase_add_test(tc, challenge_is_fresh);
	tcase_add_test(tc, get_rat_default_empty);
	tcase_add_test(tc, get_rat_configured);
	tcase_add_test(tc, configured_addresses_and_set_default);
	tcase_add_test(tc, profiles_info_empty);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, extensions_and_ber_lengths_tolerated);
	tcase_add_test(tc, strict_refuses_them);
	tcase_add_test(tc, segmented_like_lpac_and_single_like_pysim);
	tcase_add_test(tc, device_info_v23_capabilities_decode);
	tcase_add_test(tc, injected_error_fires_by_name);
	suite_add_tcase(s, tc);
	return s;
}
