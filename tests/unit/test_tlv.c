/* The TLV reader and the strict-DER gate in front of libtasn1. */
#include "tests/unit/helpers.h"
#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/tlv.h"
#include "sim/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Build tag 04 with a value of n bytes using the given length octets. */
static size_t mk(uint8_t *buf, const uint8_t *lenoct, size_t lenoct_n, size_t n)
{
	buf[0] = 0x04;
	memcpy(buf + 1, lenoct, lenoct_n);
	memset(buf + 1 + lenoct_n, 0xAB, n);
	return 1 + lenoct_n + n;
}

START_TEST(length_boundaries)
{
	static uint8_t buf[70000];
	struct tlv t;
	size_t n;

	n = mk(buf, (const uint8_t[]){ 0x7F }, 1, 0x7F);
	ck_assert_int_eq(tlv_parse_exact(buf, n, &t), 0);
	ck_assert_int_eq(t.len, 0x7F);
	n = mk(buf, (const uint8_t[]){ 0x81, 0x80 }, 2, 0x80);
	ck_assert_int_eq(tlv_parse_exact(buf, n, &t), 0);
	ck_assert_int_eq(t.len, 0x80);
	n = mk(buf, (const uint8_t[]){ 0x81, 0xFF }, 2, 0xFF);
	ck_assert_int_eq(tlv_parse_exact(buf, n, &t), 0);
	ck_assert_int_eq(t.len, 0xFF);
	n = mk(buf, (const uint8_t[]){ 0x82, 0x01, 0x00 }, 3, 0x100);
	ck_assert_int_eq(tlv_parse_exact(buf, n, &t), 0);
	ck_assert_int_eq(t.len, 0x100);
	ck_assert_int_eq(t.raw_len, 4 + 0x100);
	n = mk(buf, (const uint8_t[]){ 0x82, 0xFF, 0xFF }, 3, 0xFFFF);
	ck_assert_int_eq(tlv_parse_exact(buf, n, &t), 0);
	ck_assert_int_eq(t.len, 0xFFFF);
}
END_TEST

/* BER length octets: non-minimal ones are read and reported; nothing
 * else is relaxed. */
START_TEST(ber_lengths)
{
	static uint8_t buf[600];
	struct tlv t;
	bool lax;
	size_t n;

	n = mk(buf, (const uint8_t[]){ 0x05 }, 1, 5);
	ck_assert_int_eq(tlv_parse_ber(buf, n, &t, &lax), 0);
	ck_assert(!lax);
	n = mk(buf, (const uint8_t[]){ 0x81, 0x05 }, 2, 5);
	ck_assert_int_eq(tlv_parse_ber(buf, n, &t, &lax), 0);
	ck_assert(lax);
	ck_assert_uint_eq(t.len, 5);
	ck_assert_uint_eq(t.raw_len, n);
	n = mk(buf, (const uint8_t[]){ 0x84, 0, 0, 0x01, 0x00 }, 5, 0x100);
	ck_assert_int_eq(tlv_parse_ber(buf, n, &t, &lax), 0);
	ck_assert(lax);
	ck_assert_uint_eq(t.len, 0x100);
	ck_assert_int_eq(tlv_parse_header_ber(buf, 6, &t, &lax), 0);
	ck_assert_uint_eq(t.raw_len, 6);
	ck_assert_int_eq(tlv_parse_ber((const uint8_t[]){ 0x30, 0x80, 0x00, 0x00 }, 4, &t, &lax), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse_ber((const uint8_t[]){ 0x04, 0x85, 0, 0, 0, 0, 0 }, 7, &t, &lax), -EU_E_TOO_LONG);
	ck_assert_int_eq(tlv_parse_ber((const uint8_t[]){ 0x9F, 0x05, 0x00 }, 3, &t, &lax), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse_ber((const uint8_t[]){ 0x04, 0x82, 0x00, 0x03, 0x00 }, 5, &t, &lax),
			 -EU_E_TRUNCATED);
}
END_TEST

START_TEST(non_minimal_and_indefinite_rejected)
{
	static uint8_t buf[600];
	struct tlv t;
	size_t n;

	n = mk(buf, (const uint8_t[]){ 0x81, 0x7F }, 2, 0x7F);
	ck_assert_int_eq(tlv_parse(buf, n, &t), -EU_E_NOT_DER);
	n = mk(buf, (const uint8_t[]){ 0x82, 0x00, 0xFF }, 3, 0xFF);
	ck_assert_int_eq(tlv_parse(buf, n, &t), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x30, 0x80, 0x00, 0x00 }, 4, &t), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x04, 0x85, 1, 0, 0, 0, 0 }, 7, &t), -EU_E_TOO_LONG);
	/* high-tag form for a low tag number, and a padded tag */
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x9F, 0x05, 0x00 }, 3, &t), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0xBF, 0x80, 0x22, 0x00 }, 4, &t), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0xBF, 0x22, 0x00 }, 3, &t), 0);
	ck_assert_int_eq(t.tag, 0xBF22);
	ck_assert(t.constructed);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x9F, 0x70, 0x01, 0x01 }, 4, &t), 0);
	ck_assert_int_eq(t.tag, 0x9F70);
}
END_TEST

START_TEST(truncated_and_trailing)
{
	struct tlv t;
	static const uint8_t ok[] = { 0x5A, 0x02, 0x01, 0x02 };
	static const uint8_t trail[] = { 0x5A, 0x02, 0x01, 0x02, 0x00 };

	for (size_t n = 0; n < sizeof(ok); n++)
		ck_assert_int_eq(tlv_parse(ok, n, &t), -EU_E_TRUNCATED);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x04, 0x81 }, 2, &t), -EU_E_TRUNCATED);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0x04, 0x82, 0x01 }, 3, &t), -EU_E_TRUNCATED);
	ck_assert_int_eq(tlv_parse((const uint8_t[]){ 0xBF }, 1, &t), -EU_E_TRUNCATED);
	ck_assert_int_eq(tlv_parse_exact(trail, sizeof(trail), &t), -EU_E_TRAILING);
	ck_assert_int_eq(tlv_parse(trail, sizeof(trail), &t), 0);
	ck_assert_int_eq(t.raw_len, 4);
}
END_TEST

START_TEST(nested_elements_checked_against_parent)
{
	/* child claims 3 bytes, parent holds 2 */
	ck_assert_int_eq(tlv_check_der((const uint8_t[]){ 0x30, 0x04, 0x04, 0x03, 0x00, 0x00 }, 6, 8),
			 -EU_E_TRUNCATED);
	/* indefinite length deep inside */
	ck_assert_int_eq(tlv_check_der((const uint8_t[]){ 0x30, 0x06, 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 },
				       8, 8), -EU_E_NOT_DER);
	ck_assert_int_eq(tlv_check_der((const uint8_t[]){ 0x30, 0x04, 0x30, 0x02, 0x04, 0x00 }, 6, 8), 0);
}
END_TEST

START_TEST(depth_limit)
{
	uint8_t buf[64];
	size_t d = 20;

	for (size_t i = 0; i < d; i++) {
		buf[2 * i] = 0x30;
		buf[2 * i + 1] = (uint8_t)(2 * (d - i - 1));
	}
	ck_assert_int_eq(tlv_check_der(buf, 2 * d, 30), 0);
	ck_assert_int_eq(tlv_check_der(buf, 2 * d, 10), -EU_E_TOO_DEEP);
}
END_TEST

START_TEST(header_writer)
{
	uint8_t b[8];

	ck_assert_int_eq(tlv_put_header(b, sizeof(b), 0x04, 0x7F), 2);
	ck_assert_int_eq(b[1], 0x7F);
	ck_assert_int_eq(tlv_put_header(b, sizeof(b), 0x04, 0x80), 3);
	ck_assert_int_eq(b[1], 0x81);
	ck_assert_int_eq(tlv_put_header(b, sizeof(b), 0xBF22, 0x100), 5);
	ck_assert_mem_eq(b, ((const uint8_t[]){ 0xBF, 0x22, 0x82, 0x01, 0x00 }), 5);
	ck_assert_int_eq(tlv_put_header(b, 2, 0xBF22, 0), 0);
}
END_TEST

/* The same cases through the libtasn1 path used for ES10 requests. */
START_TEST(asn1_decode_is_strict)
{
	asn1_node n = NULL;
	uint8_t buf[300];
	size_t len;

	t_asn1_init();
	len = t_unhex("BF3E035C015A", buf, sizeof(buf));
	ck_assert_int_eq(sim_asn1_decode("RSPDefinitions.GetEuiccDataRequest", buf, len, &n), 0);
	asn1_delete_structure(&n);
	len = t_unhex("BF3E045C81015A", buf, sizeof(buf));
	ck_assert_int_ne(sim_asn1_decode("RSPDefinitions.GetEuiccDataRequest", buf, len, &n), 0);
	len = t_unhex("BF3E035C015A00", buf, sizeof(buf));
	ck_assert_int_ne(sim_asn1_decode("RSPDefinitions.GetEuiccDataRequest", buf, len, &n), 0);
	len = t_unhex("BF3E805C015A0000", buf, sizeof(buf));
	ck_assert_int_ne(sim_asn1_decode("RSPDefinitions.GetEuiccDataRequest", buf, len, &n), 0);
	/* wrong outer tag for the type */
	len = t_unhex("BF3F035C015A", buf, sizeof(buf));
	ck_assert_int_ne(sim_asn1_decode("RSPDefinitions.GetEuiccDataRequest", buf, len, &n), 0);
	ck_assert_ptr_null(n);
}
END_TEST

/* RFC 3629 §4 and the examples of its §7; characters counted as a
 * UTF8String SIZE constraint counts them (X.680 §41.4). */
START_TEST(utf8_well_formed)
{
	static const struct {
		const char *s;
		long chars;	/* -1: not UTF-8 */
	} cases[] = {
		{ "", 0 }, { "A", 1 }, { "\x41\xE2\x89\xA2\xCE\x91\x2E", 4 },	/* RFC 3629 §7 */
		{ "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", 3 }, { "\xEF\xBB\xBF\xE6\x97\xA5", 2 },
		{ "\xF0\x90\x80\x80", 1 }, { "\xF4\x8F\xBF\xBF", 1 },	/* U+10000, U+10FFFF */
		{ "\xC2\x80", 1 }, { "\xDF\xBF", 1 }, { "\xE0\xA0\x80", 1 },
		{ "\xC0\x80", -1 }, { "\xC1\xBF", -1 }, { "\xE0\x9F\xBF", -1 },	/* overlong */
		{ "\xF0\x8F\xBF\xBF", -1 }, { "\xED\xA0\x80", -1 }, { "\xED\xBF\xBF", -1 },	/* surrogates */
		{ "\xF4\x90\x80\x80", -1 }, { "\xF5\x80\x80\x80", -1 }, { "\xFF", -1 },	/* > U+10FFFF */
		{ "\x80", -1 }, { "A\xC3", -1 }, { "\xE2\x89", -1 }, { "\xC3\x41", -1 },	/* cut, stray */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(sim_utf8_chars((const uint8_t *)cases[i].s, strlen(cases[i].s)) == cases[i].chars,
			      "case %zu", i);
	/* a sequence is never read past n */
	ck_assert_uint_eq(sim_utf8_seq((const uint8_t *)"\xE2\x89\xA2", 2), 0);
	ck_assert_uint_eq(sim_utf8_seq((const uint8_t *)"\xE2\x89\xA2", 3), 3);
	ck_assert_uint_eq(sim_utf8_seq((const uint8_t *)"x", 0), 0);
}
END_TEST

Suite *tlv_suite(void)
{
	Suite *s = suite_create("tlv");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, length_boundaries);
	tcase_add_test(tc, non_minimal_and_indefinite_rejected);
	tcase_add_test(tc, ber_lengths);
	tcase_add_test(tc, truncated_and_trailing);
	tcase_add_test(tc, nested_elements_checked_against_parent);
	tcase_add_test(tc, depth_limit);
	tcase_add_test(tc, header_writer);
	tcase_add_test(tc, asn1_decode_is_strict);
	tcase_add_test(tc, utf8_well_formed);
	suite_add_tcase(s, tc);
	return s;
}
