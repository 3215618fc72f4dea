/* ISO/IEC 7816-4 layer: class byte, channels, SELECT, GET RESPONSE,
 * STORE DATA chaining, status words. */
#include "tests/unit/helpers.h"
#include "sim/card.h"

#include <stdio.h>
#include <string.h>

static struct sim_card *card;

static void setup(void)
{
	card = t_card_new(NULL);
}

static void teardown(void)
{
	sim_card_free(card);
}

#define FCI_ISDR "6F188410A0000005591010FFFFFFFF8900000100A5049F6501FF"

START_TEST(atr_offers_t0_only)
{
	size_t n;
	const uint8_t *atr = sim_atr(&n);

	ck_assert_int_eq(atr[0], 0x3B);
	ck_assert_int_eq(atr[1] & 0x80, 0x80);	/* TD1 present */
	ck_assert_int_eq(atr[1] & 0x10, 0x10);	/* TA1 present */
	ck_assert_int_eq(atr[3], 0x00);		/* TD1: T=0, nothing further */
	ck_assert_int_eq(n, 4 + (atr[1] & 0x0F));	/* no TCK with T=0 only */
}
END_TEST

START_TEST(class_and_instruction_errors)
{
	ck_assert_str_eq(t_apdu(card, "00FF0000"), "6D00");
	ck_assert_str_eq(t_apdu(card, "A0A40000023F00"), "6E00");
	ck_assert_str_eq(t_apdu(card, "20A40000023F00"), "6E00");
	ck_assert_str_eq(t_apdu(card, "FFA40000023F00"), "6E00");
	ck_assert_str_eq(t_apdu(card, "80A40000023F00"), "6E00");	/* SELECT is interindustry */
	ck_assert_str_eq(t_apdu(card, "00E291000100"), "6E00");	/* STORE DATA is GP */
	ck_assert_str_eq(t_apdu(card, "08A40000023F00"), "6882");	/* secure messaging */
	ck_assert_str_eq(t_apdu(card, "10A40000023F00"), "6884");	/* command chaining */
}
END_TEST

START_TEST(length_errors)
{
	ck_assert_str_eq(t_apdu(card, "00A400"), "6700");
	ck_assert_str_eq(t_apdu(card, "00A40000033F00"), "6700");	/* Lc says 3, 2 follow */
	ck_assert_str_eq(t_apdu(card, "00A40000013F0000"), "6700");
	ck_assert_str_eq(t_apdu(card, "00A4000000000002" "3F00"), "6700");	/* extended */
	ck_assert_str_eq(t_apdu(card, "00A40000"), "6A86");		/* no data: P2 must be 0C */
	ck_assert_str_eq(t_apdu(card, "00B0000001AA0A"), "6700");	/* READ BINARY takes none */
}
END_TEST

START_TEST(manage_channel)
{
	/* extended logical channels (TS 102 221 §11.1.19 tag 81), as lpac */
	ck_assert_str_eq(t_apdu(card, "80AA00000AA9088100820101830107"), "9000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "019000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "029000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "039000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "049000");
	/* channel 4 uses the further interindustry class 0x40 */
	ck_assert_str_eq(t_apdu(card, "40A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "0070800200"), "9000");	/* lpac's close */
	ck_assert_str_eq(t_apdu(card, "02A4040C10A0000005591010FFFFFFFF8900000100"), "6881");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "029000");	/* lowest free again */
	ck_assert_str_eq(t_apdu(card, "0070800500"), "6A88");	/* not open */
	ck_assert_str_eq(t_apdu(card, "0070800000"), "6A86");	/* basic channel */
	ck_assert_str_eq(t_apdu(card, "0070000607"), "6700");
	ck_assert_str_eq(t_apdu(card, "00700006"), "9000");		/* open channel 6 */
	ck_assert_str_eq(t_apdu(card, "42A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "00700006"), "6985");		/* already open */
	ck_assert_str_eq(t_apdu(card, "0070001400"), "6A86");	/* beyond 19 */
	ck_assert_str_eq(t_apdu(card, "0070400000"), "6A86");
	/* channels up to 19 can be open at once, then the card says no */
	for (int i = 0; i < 14; i++)
		ck_assert_str_eq(t_apdu(card, "0070000001") + 2, "9000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "6A81");
	ck_assert_str_eq(t_apdu(card, "4F70000001"), "6A81");	/* from channel 19 */
}
END_TEST

START_TEST(select_applications)
{
	ck_assert_str_eq(t_apdu(card, "00A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "00C000001A"), FCI_ISDR "9000");
	ck_assert_str_eq(t_apdu(card, "00C000001A"), "6F00");		/* nothing pending (§12.1.1) */
	ck_assert_str_eq(t_apdu(card, "00A4040010A0000005591010FFFFFFFF890000010000"), FCI_ISDR "9000");
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000200"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000300"), "6A82");
	ck_assert_str_eq(t_apdu(card, "00A4040C04A0000005"), "6700");	/* AID too short */
	ck_assert_str_eq(t_apdu(card, "00A4040C0DA0000005591010FFFFFFFF8900"), "9000");	/* right-truncated */
	ck_assert_str_eq(t_apdu(card, "00A4041010A0000005591010FFFFFFFF8900000100"), "6A86");
	/* P2 04 (FCP, TS 102 221: what pySim sends) gets the FCI too */
	ck_assert_str_eq(t_apdu(card, "00A4040410A0000005591010FFFFFFFF890000010000"), FCI_ISDR "9000");
	ck_assert_str_eq(t_apdu(card, "00A4020402 2FE2"), "6A86");
}
END_TEST

START_TEST(get_response_chaining)
{
	const char *r;

	/* GET RESPONSE in parts, with CLA 0x80 as lpac sends it */
	ck_assert_str_eq(t_apdu(card, "00A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "80C0000010"), "6F188410A0000005591010FFFFFFFF89" "610A");
	ck_assert_str_eq(t_apdu(card, "80C000000A"), "00000100A5049F6501FF9000");
	/* a pending response is dropped by any other command */
	ck_assert_str_eq(t_apdu(card, "00A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "80CA00FE00"), "6D00");
	ck_assert_str_eq(t_apdu(card, "00C000001A"), "6F00");
	/* bad parameters */
	ck_assert_str_eq(t_apdu(card, "00A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "00C001001C"), "6A86");
	r = t_apdu(card, "00C000001A");
	ck_assert_str_eq(r, "6F00");
}
END_TEST

START_TEST(mf_and_files)
{
	const char *r = t_apdu(card, "00A40004023F0000");

	/* no profile, no PIN: the PIN status template lists none */
	ck_assert(!strncmp(r, "621A820278218302", 16));
	ck_assert(strstr(r, "C603900100") != NULL);
	ck_assert_str_eq(r + strlen(r) - 4, "9000");
	ck_assert_str_eq(t_apdu(card, "00B000000A"), "6986");		/* no current EF */
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B000000A"), "FFFFFFFFFFFFFFFFFFFF9000");
	ck_assert_str_eq(t_apdu(card, "00B0000204"), "FFFFFFFF9000");
	ck_assert_str_eq(t_apdu(card, "00B000080A"), "FFFF6282");
	ck_assert_str_eq(t_apdu(card, "00B0000A01"), "6B00");
	ck_assert_str_eq(t_apdu(card, "00B2010420"), "6981");		/* transparent file */
	ck_assert_str_eq(t_apdu(card, "00A4000C022F00"), "9000");
	ck_assert_str_eq(t_apdu(card, "00B2010420"),
			 "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF9000");
	ck_assert_str_eq(t_apdu(card, "00B2050420"), "6A83");
	ck_assert_str_eq(t_apdu(card, "00B2010520"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00B000000A"), "6981");
	ck_assert_str_eq(t_apdu(card, "00A4000C026F07"), "6A82");
	/* by path from the MF */
	ck_assert_str_eq(t_apdu(card, "00A4080C022FE2"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4080C023F00"), "6A80");
	/* STATUS */
	r = t_apdu(card, "80F2000000");
	ck_assert(!strncmp(r, "621A", 4));
}
END_TEST

START_TEST(store_data_rules)
{
	ck_assert_str_eq(t_apdu(card, "80E2910003BF2000"), "6985");	/* ISD-R not selected */
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "80E2010003BF2000"), "6A86");	/* P1 */
	ck_assert_str_eq(t_apdu(card, "80E2910103BF2000"), "6A86");	/* first block must be 0 */
	ck_assert_str_eq(t_apdu(card, "80E2910003BF2000"), "6164");	/* EUICCInfo1, 100 bytes */
	/* two blocks, the second with the wrong number */
	ck_assert_str_eq(t_apdu(card, "80E2110002BF3E"), "9000");
	ck_assert_str_eq(t_apdu(card, "80E2910204035C015A"), "6A86");
	/* the chain was dropped: block 1 alone is now out of order */
	ck_assert_str_eq(t_apdu(card, "80E2910104035C015A"), "6A86");
	/* correct chain */
	ck_assert_str_eq(t_apdu(card, "80E2110002BF3E"), "9000");
	ck_assert_str_eq(t_apdu(card, "80E2910104035C015A"), "6115");
	ck_assert_str_eq(t_apdu(card, "80C0000015"), "BF3E125A10" EID_HEX "9000");
	/* a chain interrupted by another command is forgotten */
	ck_assert_str_eq(t_apdu(card, "80E2110002BF3E"), "9000");
	ck_assert_str_eq(t_apdu(card, "80F2000C00"), "9000");
	ck_assert_str_eq(t_apdu(card, "80E2910104035C015A"), "6A86");
	/* Le present: the answer comes at once */
	ck_assert_str_eq(t_apdu(card, "80E2910006BF3E035C015A00"), "BF3E125A10" EID_HEX "9000");
}
END_TEST

START_TEST(store_data_limit)
{
	uint8_t blk[5 + 255];
	uint8_t rsp[SIM_RSP_MAX];
	size_t r = 0;
	unsigned i;

	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	memset(blk, 0x00, sizeof(blk));
	blk[0] = 0x80;
	blk[1] = 0xE2;
	blk[2] = 0x11;
	blk[4] = 255;
	for (i = 0; i < 300; i++) {
		blk[3] = (uint8_t)i;
		r = sim_transact(card, blk, sizeof(blk), rsp);
		if (rsp[r - 2] != 0x90)
			break;
	}
	/* 64 KiB / 255 bytes per block: refused on block 257 */
	ck_assert_int_eq(i, 257);
	ck_assert_int_eq(rsp[r - 2], 0x6A);
	ck_assert_int_eq(rsp[r - 1], 0x84);
}
END_TEST

START_TEST(terminal_capability)
{
	ck_assert_str_eq(t_apdu(card, "80AA00000AA9088100820101830107"), "9000");
	ck_assert_str_eq(t_apdu(card, "80AA00000AA9098100820101830107"), "6A80");
	ck_assert_str_eq(t_apdu(card, "80AA01000AA9088100820101830107"), "6A86");
}
END_TEST

START_TEST(reset_closes_channels)
{
	ck_assert_str_eq(t_apdu(card, "0070000001"), "019000");
	ck_assert_str_eq(t_apdu(card, "01A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	sim_power(card, SIM_RESET);
	ck_assert_str_eq(t_apdu(card, "01A4040C10A0000005591010FFFFFFFF8900000100"), "6881");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "019000");
	sim_power(card, SIM_POWER_OFF);
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "6881");
	sim_power(card, SIM_POWER_ON);
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
}
END_TEST

/* ---- TS 102 221 fidelity ------------------------------------------------------- */

START_TEST(atr_announces_logical_channels)
{
	size_t n;
	const uint8_t *atr = sim_atr(&n);

	/* historical bytes after TS T0 TA1 TD1: 80, 31 E0, 73 FE 21 xx */
	ck_assert_int_eq(atr[7], 0x73);
	ck_assert_int_eq(atr[10] & 0x18, 0x18);	/* assigned by card and terminal */
	ck_assert_int_eq(atr[10] & 0x07, 0x07);	/* eight or more */
}
END_TEST

START_TEST(manage_channel_forms)
{
	/* case 1: the number comes through 61 01 */
	ck_assert_str_eq(t_apdu(card, "00700000"), "6101");
	ck_assert_str_eq(t_apdu(card, "00C0000001"), "019000");
	/* Le other than 01: 6C01 as over T=0, and nothing is opened */
	ck_assert_str_eq(t_apdu(card, "0070000000"), "6C01");
	ck_assert_str_eq(t_apdu(card, "0070000002"), "6C01");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "029000");
}
END_TEST

START_TEST(channels_without_terminal_capability)
{
	ck_assert_str_eq(t_apdu(card, "0070000001"), "019000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "029000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "039000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "6A81");	/* three besides the basic one */
	ck_assert_str_eq(t_apdu(card, "00700004"), "6A81");
	/* TERMINAL CAPABILITY without tag 81 changes nothing, with it: 19 */
	ck_assert_str_eq(t_apdu(card, "80AA000005A903830107"), "9000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "6A81");
	ck_assert_str_eq(t_apdu(card, "80AA000004A9028100"), "9000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "049000");
	ck_assert_str_eq(t_apdu(card, "00700013"), "9000");
	/* a reset forgets the terminal's capabilities */
	sim_power(card, SIM_RESET);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(t_apdu(card, "0070000001") + 2, "9000");
	ck_assert_str_eq(t_apdu(card, "0070000001"), "6A81");
}
END_TEST

START_TEST(get_response_sequence)
{
	ck_assert_str_eq(t_apdu(card, "00C0000010"), "6F00");	/* nothing pending */
	ck_assert_str_eq(t_apdu(card, "0070000001"), "019000");
	/* pending on channel 1, fetched on channel 0: lost (§12.1.1.1) */
	ck_assert_str_eq(t_apdu(card, "01A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "00C000001A"), "6F00");
	ck_assert_str_eq(t_apdu(card, "01C000001A"), "6F00");
	/* a command on another channel in between loses it too */
	ck_assert_str_eq(t_apdu(card, "01A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "80F2000C00"), "9000");
	ck_assert_str_eq(t_apdu(card, "01C000001A"), "6F00");
	/* and the right sequence works */
	ck_assert_str_eq(t_apdu(card, "01A4040010A0000005591010FFFFFFFF8900000100"), "611A");
	ck_assert_str_eq(t_apdu(card, "01C000001A"), FCI_ISDR "9000");
}
END_TEST

START_TEST(status_p2)
{
	/* MF: the FCP of the MF; no application, so no DF name */
	ck_assert(!strncmp(t_apdu_data(card, "80F2000000"), "621A82027821", 12));
	ck_assert_str_eq(t_apdu(card, "80F2000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "80F2000C00"), "9000");
	ck_assert_str_eq(t_apdu(card, "80F2000200"), "6A86");
	ck_assert_str_eq(t_apdu(card, "80F2030000"), "6A86");
	/* an EF selected: still the FCP of the current DF */
	ck_assert_str_eq(t_apdu(card, "00A4000C022FE2"), "9000");
	ck_assert(!strncmp(t_apdu_data(card, "80F2000000"), "621A", 4));
	/* ISD-R: its FCI, and the DF name alone with P2 01 */
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu_data(card, "80F2000000"), FCI_ISDR "9000");
	ck_assert_str_eq(t_apdu_data(card, "80F2010100"), "8410A0000005591010FFFFFFFF89000001009000");
}
END_TEST

START_TEST(select_p2_codings)
{
	/* P1 00, no data: the MF, with P2 "no data" only */
	ck_assert_str_eq(t_apdu(card, "00A4000C"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A40004"), "6A86");
	/* response bits: FCP (04), none (0C), ISO FCI (00) as FCP; FMD (08)
	 * and RFU refused; occurrence and session bits only with P1 04 */
	ck_assert(!strncmp(t_apdu_data(card, "00A4000402 2F00"), "621A8205", 8));
	ck_assert(!strncmp(t_apdu_data(card, "00A4000002 2F00"), "621A8205", 8));
	ck_assert_str_eq(t_apdu(card, "00A4000802 2F00"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00A4001C02 2F00"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00A4000602 2F00"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00A4004C02 2F00"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00A4048C10A0000005591010FFFFFFFF8900000100"), "6A86");
	ck_assert_str_eq(t_apdu(card, "00A4042C10A0000005591010FFFFFFFF8900000100"), "6A86");
	/* occurrences of a truncated AID: ISD-R, then ECASD */
	ck_assert_str_eq(t_apdu_data(card, "00A404000CA0000005591010FFFFFFFF89"), FCI_ISDR "9000");
	ck_assert(strstr(t_apdu_data(card, "00A404020CA0000005591010FFFFFFFF89"), "8900000200") != NULL);
	ck_assert_str_eq(t_apdu(card, "00A4040E0CA0000005591010FFFFFFFF89"), "6A82");	/* no next */
	ck_assert_str_eq(t_apdu_data(card, "00A404030CA0000005591010FFFFFFFF89"), FCI_ISDR "9000");	/* previous */
	ck_assert_str_eq(t_apdu(card, "00A4040F0CA0000005591010FFFFFFFF89"), "6A82");	/* none before */
	ck_assert(strstr(t_apdu_data(card, "00A404010CA0000005591010FFFFFFFF89"), "8900000200") != NULL);	/* last */
	/* termination of the session: the channel is back in the MF */
	ck_assert_str_eq(t_apdu(card, "00A4044C10A0000005591010FFFFFFFF8900000100"), "6A82");	/* not current */
	ck_assert_str_eq(t_apdu(card, "00A4040C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "00A4044C10A0000005591010FFFFFFFF8900000100"), "9000");
	ck_assert_str_eq(t_apdu(card, "80E2910003BF2000"), "6985");	/* ISD-R no longer selected */
	ck_assert(!strncmp(t_apdu_data(card, "80F2000000"), "621A", 4));
	/* parent (03) and child DF (01) */
	ck_assert_str_eq(t_apdu(card, "00A4030C"), "6A82");	/* the MF has no parent */
	ck_assert_str_eq(t_apdu(card, "00A4010C022FE2"), "6A82");	/* an EF, not a DF */
}
END_TEST

Suite *apdu_suite(void)
{
	Suite *s = suite_create("apdu");
	TCase *tc = tcase_create("iso7816");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, atr_offers_t0_only);
	tcase_add_test(tc, class_and_instruction_errors);
	tcase_add_test(tc, length_errors);
	tcase_add_test(tc, manage_channel);
	tcase_add_test(tc, select_applications);
	tcase_add_test(tc, get_response_chaining);
	tcase_add_test(tc, mf_and_files);
	tcase_add_test(tc, store_data_rules);
	tcase_add_test(tc, store_data_limit);
	tcase_add_test(tc, terminal_capability);
	tcase_add_test(tc, reset_closes_channels);
	suite_add_tcase(s, tc);
	tc = tcase_create("ts102221");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, atr_announces_logical_channels);
	tcase_add_test(tc, manage_channel_forms);
	tcase_add_test(tc, channels_without_terminal_capability);
	tcase_add_test(tc, get_response_sequence);
	tcase_add_test(tc, status_p2);
	tcase_add_test(tc, select_p2_codings);
	suite_add_tcase(s, tc);
	return s;
}
