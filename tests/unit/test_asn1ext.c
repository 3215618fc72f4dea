/* The schema walk of sim/asn1_ext.h against isdr/rsp.asn: unknown
 * elements skipped at every level, BER lengths normalised, the received
 * bytes behind every span, and everything that is not an extension still
 * refused. */
#include "tests/unit/helpers.h"
#include "sim/asn1_ext.h"
#include "sim/err.h"

#include <string.h>

static uint8_t in[4096];
static size_t in_len;
static asn1_node node;
static struct sim_asn1_ext x;

static void setup(void)
{
	t_asn1_init();
	node = NULL;
	memset(&x, 0, sizeof(x));
}

static void teardown(void)
{
	asn1_delete_structure(&node);
	sim_asn1_ext_free(&x);
}

static int decode(const char *type, const char *hex, unsigned flags)
{
	asn1_delete_structure(&node);
	sim_asn1_ext_free(&x);
	in_len = t_unhex(hex, in, sizeof(in));
	return sim_asn1_decode_ext(type, in, in_len, flags, &node, &x);
}

static const char *hex_of(const uint8_t *b, size_t n)
{
	static char out[2 * sizeof(in) + 1];

	t_hex(b, n, out);
	return out;
}

/* What libtasn1 got. */
static const char *decoded(void)
{
	return hex_of(x.der, x.len);
}

static const char *span(const char *name)
{
	const uint8_t *p;
	size_t n;

	if (sim_asn1_ext_span(&x, node, name, &p, &n) < 0)
		return "(none)";
	ck_assert_msg(p >= in && p + n <= in + in_len, "span of %s outside the received bytes", name);
	return hex_of(p, n);
}

static const char *describe(size_t i)
{
	static char s[160];

	ck_assert_uint_lt(i, x.n_dev);
	sim_asn1_dev_describe(&x.dev[i], s, sizeof(s));
	return s;
}

START_TEST(der_input_is_decoded_as_is)
{
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E035C015A", 0), 0);
	ck_assert_ptr_null(x.copy);
	ck_assert_ptr_eq(x.der, in);
	ck_assert_uint_eq(x.total_dev, 0);
	ck_assert_str_eq(span("tagList"), "5C015A");
}
END_TEST

/* DeviceInfo with an unknown element at its end and at the end of its
 * DeviceCapabilities and DeviceAdditionalFeatureSupport. */
#define CAPS "800311000081030C0000"
#define FEAT "8003020000" "8103" "2A0304"
START_TEST(unknown_elements_at_every_level)
{
	const char *base = "3028" "800435290611" "A116" CAPS "AE0A" FEAT "8208" "3529061112345678";
	const char *ext = "3037" "800435290611" "A11F" CAPS "AE0F" FEAT "9F7F020102" "9F7F0100"
			  "8208" "3529061112345678" "BF7F03800100";
	char want[128];

	ck_assert_int_eq(decode("RSPDefinitions.DeviceInfo", base, 0), 0);
	ck_assert_ptr_null(x.copy);
	snprintf(want, sizeof(want), "%s", base);
	ck_assert_int_eq(decode("RSPDefinitions.DeviceInfo", ext, 0), 0);
	ck_assert_str_eq(decoded(), want);
	ck_assert_uint_eq(x.total_dev, 3);
	ck_assert_str_eq(describe(0), "unknown element 9F7F in DeviceAdditionalFeatureSupport");
	ck_assert_str_eq(x.dev[0].path, "deviceCapabilities.deviceAdditionalFeatureSupport");
	ck_assert_str_eq(describe(1), "unknown element 9F7F in DeviceCapabilities");
	ck_assert_str_eq(x.dev[1].path, "deviceCapabilities");
	ck_assert_str_eq(describe(2), "unknown element BF7F in DeviceInfo");
	ck_assert_str_eq(x.dev[2].path, "");
	ck_assert_uint_eq(x.dev[2].offset, in_len - 6);
	/* the spans are the received bytes, unknown elements included */
	ck_assert_str_eq(span("deviceCapabilities"), "A11F" CAPS "AE0F" FEAT "9F7F020102" "9F7F0100");
	ck_assert_str_eq(span("deviceCapabilities.deviceAdditionalFeatureSupport"), "AE0F" FEAT "9F7F020102");
	ck_assert_str_eq(span("imei"), "8208" "3529061112345678");
	ck_assert_str_eq(span(""), ext);
}
END_TEST

START_TEST(strict_names_and_refuses)
{
	ck_assert_int_eq(decode("RSPDefinitions.DeviceInfo", "300A" "800435290611" "A100" "8500", SIM_ASN1_EXT_STRICT),
			 -EU_E_STRICT);
	ck_assert_ptr_null(node);
	ck_assert_uint_eq(x.total_dev, 1);
	ck_assert_str_eq(describe(0), "unknown element 85 in DeviceInfo");
}
END_TEST

START_TEST(non_minimal_lengths)
{
	/* inside, outside, with a leading zero octet */
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E045C81015A", 0), 0);
	ck_assert_str_eq(decoded(), "BF3E035C015A");
	ck_assert_str_eq(describe(0), "non-minimal length octets of element 5C in GetEuiccDataRequest");
	ck_assert_str_eq(span("tagList"), "5C81015A");
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E8200035C015A", 0), 0);
	ck_assert_str_eq(decoded(), "BF3E035C015A");
	ck_assert_str_eq(describe(0), "non-minimal length octets of element BF3E in GetEuiccDataRequest");
	ck_assert_str_eq(span(""), "BF3E8200035C015A");
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E045C81015A", SIM_ASN1_EXT_STRICT),
			 -EU_E_STRICT);
	/* still refused in both modes: indefinite, 5 length octets */
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E805C015A0000", 0), -EU_E_NOT_DER);
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", "BF3E075C85000000015A", 0), -EU_E_TOO_LONG);
}
END_TEST

START_TEST(empty_sequence_takes_only_extensions)
{
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccInfo1Request", "BF2000", 0), 0);
	ck_assert_uint_eq(x.total_dev, 0);
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccInfo1Request", "BF2007800100" "A1020500", 0), 0);
	ck_assert_str_eq(decoded(), "BF2000");
	ck_assert_uint_eq(x.total_dev, 2);
	ck_assert_str_eq(describe(0), "unknown element 80 in GetEuiccInfo1Request");
	ck_assert_str_eq(describe(1), "unknown element A1 in GetEuiccInfo1Request");
	/* a NULL inside is not the list element the translation says: unknown */
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccInfo2Request", "BF22020500", 0), 0);
	ck_assert_str_eq(decoded(), "BF2200");
}
END_TEST

START_TEST(malformed_is_refused_in_both_modes)
{
	static const struct {
		const char *type, *hex;
		int rc;
	} bad[] = {
		/* truncated, overrunning, trailing */
		{ "RSPDefinitions.GetEuiccDataRequest", "BF3E035C01", -EU_E_TRUNCATED },
		{ "RSPDefinitions.GetEuiccDataRequest", "BF3E035C055A", -EU_E_TRUNCATED },
		{ "RSPDefinitions.GetEuiccDataRequest", "BF3E035C015A00", -EU_E_TRAILING },
		{ "RSPDefinitions.GetEuiccInfo1Request", "BF2004A1058001", -EU_E_TRUNCATED },	/* inside an unknown one */
		/* a mandatory element missing */
		{ "RSPDefinitions.NotificationSentRequest", "BF3000", -EU_E_MISSING },
		{ "RSPDefinitions.NotificationSentRequest", "BF3003810101", -EU_E_MISSING },
		{ "RSPDefinitions.EnableProfileRequest", "BF3103810100", -EU_E_MISSING },
		/* an unknown alternative of a CHOICE */
		{ "RSPDefinitions.DeleteProfileRequest", "BF3303800100", -EU_E_UNKNOWN_ALT },
		{ "RSPDefinitions.EnableProfileRequest", "BF3108A003800100810100", -EU_E_UNKNOWN_ALT },
		{ "RSPDefinitions.RetrieveNotificationsListRequest", "BF2B05A003820101", -EU_E_UNKNOWN_ALT },
		/* out of order, repeated */
		{ "RSPDefinitions.EnableProfileRequest", "BF3111810100A00C5A0A89000123456789012341", -EU_E_MISSING },
		{ "RSPDefinitions.ProfileInfoListRequest", "BF2D115C015AA00C5A0A89000123456789012341", -EU_E_ORDER },
		{ "RSPDefinitions.NotificationSentRequest", "BF3006800101800102", -EU_E_ORDER },
		/* wrong type, wrong form, wrong list element */
		{ "RSPDefinitions.GetEuiccDataRequest", "BF2000", -EU_E_ASN1 },
		{ "RSPDefinitions.GetEuiccDataRequest", "BF3E057C03040155", -EU_E_ASN1 },
		{ "RSPDefinitions.ListNotificationRequest", "BF2804A1020780", -EU_E_ASN1 },
		{ "RSPDefinitions.EUICCInfo1", "BF200B8203020300A9020500AA00", -EU_E_ASN1 },
		/* two elements in an explicit tag */
		{ "RSPDefinitions.DeleteProfileRequest", "BF33185A0A890001234567890123415A0A89000123456789012341",
		  -EU_E_TRAILING },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(decode(bad[i].type, bad[i].hex, 0) == bad[i].rc, "%s %s: %d", bad[i].type, bad[i].hex,
			      decode(bad[i].type, bad[i].hex, 0));
		ck_assert_msg(decode(bad[i].type, bad[i].hex, SIM_ASN1_EXT_STRICT) == bad[i].rc, "strict %s",
			      bad[i].hex);
		ck_assert_ptr_null(node);
	}
}
END_TEST

START_TEST(depth_is_bounded)
{
	/* 17 nested constructed elements inside an unknown one */
	char hex[256] = "BF3E25" "5C015A";
	size_t n = strlen(hex);

	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "A1%02X", 2 * (17 - i - 1));
	ck_assert_int_eq(decode("RSPDefinitions.GetEuiccDataRequest", hex, 0), -EU_E_TOO_DEEP);
}
END_TEST

START_TEST(choice_alternatives_and_lists)
{
	ck_assert_int_eq(decode("RSPDefinitions.DeleteProfileRequest", "BF33124F10A0000005591010FFFFFFFF8900001000", 0),
			 0);
	ck_assert_str_eq(span("isdpAid"), "BF33124F10A0000005591010FFFFFFFF8900001000");
	/* an unknown element in an element of a SEQUENCE OF */
	ck_assert_int_eq(decode("RSPDefinitions.StoreMetadataRequest",
				"BF25295A0A89000123456789012341910141920142"
				"B615" "300A800206408101619F7F00" "300780020520810162", 0), 0);
	ck_assert_str_eq(decoded(), "BF25265A0A89000123456789012341910141920142"
				    "B612" "300780020640810161" "300780020520810162");
	ck_assert_str_eq(describe(0), "unknown element 9F7F in NotificationConfigurationInformation");
	ck_assert_str_eq(x.dev[0].path, "notificationConfigurationInfo.?1");
	ck_assert_str_eq(span("notificationConfigurationInfo.?2"), "300780020520810162");
}
END_TEST

START_TEST(any_is_opaque_but_checked)
{
	/* VendorSpecificExtension: vendorSpecificData [1] EXPLICIT ANY */
	ck_assert_int_eq(decode("RSPDefinitions.VendorSpecificExtension",
				"3012" "3010" "8003" "2A0304" "A109" "30820005" "0481020102", 0), 0);
	ck_assert_uint_eq(x.total_dev, 2);	/* its own header and one inside */
	ck_assert_str_eq(describe(0), "non-minimal length octets of element 30 in vendorSpecificData");
	ck_assert_str_eq(describe(1), "non-minimal length octets of element 04 in vendorSpecificData");
	/* its header is re-encoded, its value kept as it came */
	ck_assert_str_eq(decoded(), "3010" "300E" "8003" "2A0304" "A107" "3005" "0481020102");
	ck_assert_int_eq(decode("RSPDefinitions.VendorSpecificExtension", "300B" "3009" "8003" "2A0304" "A102" "3005",
				0), -EU_E_TRUNCATED);
}
END_TEST

/* serverSigned1 with an extension from a newer SM-DP+: the signature is
 * over the received bytes, so the span must be them. */
START_TEST(signed_part_keeps_received_bytes)
{
	const char *signed1 = "303F" "8010" "00112233445566778899AABBCCDDEEFF" "8110" "00112233445566778899AABBCCDDEEFF"
			      "8303" "616263" "8410" "00112233445566778899AABBCCDDEEFF" "9F7F0101";
	char hex[1024];

	snprintf(hex, sizeof(hex), "BF385B%s" "5F3703010203" "0401AA" "3003020101" "A00AA108800435290611A100", signed1);
	ck_assert_int_eq(decode("RSPDefinitions.AuthenticateServerRequest", hex, 0), 0);
	ck_assert_ptr_nonnull(x.copy);
	ck_assert_str_eq(span("serverSigned1"), signed1);
	ck_assert_str_eq(span("ctxParams1"), "A00AA108800435290611A100");
	ck_assert_str_eq(describe(0), "unknown element 9F7F in ServerSigned1");
}
END_TEST

/* More elements than the span map starts with: it grows while the walk
 * is inside them (ASan checks that nothing holds on to the old map). */
START_TEST(many_elements)
{
	char hex[2048] = "BF2081ED" "8203020300" "A970", tail[] = "AA70";
	size_t n = strlen(hex);

	for (int list = 0; list < 2; list++) {
		for (int i = 0; i < 16; i++)
			n += (size_t)snprintf(hex + n, sizeof(hex) - n, "0405%010X", i);
		if (!list)
			n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%s", tail);
	}
	n += (size_t)snprintf(hex + n, sizeof(hex) - n, "9F7F0100");
	ck_assert_int_eq(decode("RSPDefinitions.EUICCInfo1", hex, 0), 0);
	ck_assert_uint_eq(x.n_map, 36);
	ck_assert_str_eq(describe(0), "unknown element 9F7F in EUICCInfo1");
	ck_assert_str_eq(span("euiccCiPKIdListForSigning.?16"), "0405000000000F");
}
END_TEST

Suite *asn1ext_suite(void)
{
	Suite *s = suite_create("asn1ext");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, der_input_is_decoded_as_is);
	tcase_add_test(tc, unknown_elements_at_every_level);
	tcase_add_test(tc, strict_names_and_refuses);
	tcase_add_test(tc, non_minimal_lengths);
	tcase_add_test(tc, empty_sequence_takes_only_extensions);
	tcase_add_test(tc, malformed_is_refused_in_both_modes);
	tcase_add_test(tc, depth_is_bounded);
	tcase_add_test(tc, choice_alternatives_and_lists);
	tcase_add_test(tc, any_is_opaque_but_checked);
	tcase_add_test(tc, signed_part_keeps_received_bytes);
	tcase_add_test(tc, many_elements);
	suite_add_tcase(s, tc);
	return s;
}
