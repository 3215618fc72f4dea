/* libFuzzer target: APDUs against a card with installed profiles, one of
 * them enabled: the ES10c lifecycle (enable, disable, delete, nicknames,
 * memory reset), notifications (list, retrieve, remove), and the enabled
 * profile's file system and applications (SELECT, READ, STATUS, and
 * whatever else the profile's applications answer).
 *
 * The card, in memory, is built once: three side-loaded profiles
 *   P1  TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE (USIM, ISIM, CSIM, 5G, SUCI),
 *       operational, notifications for enable, disable and delete to
 *       smdp.example.com; enabled (so one enable notification is pending)
 *   P2  TS48V1-B-UNIQUE cut to its first 11 PEs and End, operational,
 *       owner 001/01, PPR1 and PPR2 (no disabling, no deletion),
 *       notifications for delete to dp2.example.com
 *   P3  TS48V2-SAIP2-1-BERTLV-UNIQUE cut to header, MF and End, a test
 *       profile, PPR3 (deleted when disabled), nickname "fuzz"
 * and a default SM-DP+ address; its state is kept as an image. Every input starts from that state
 * (loaded again when the input before changed anything) after a reset.
 *
 * Input: frames (tests/fuzz/fuzz_common.h), each one command APDU, and
 * control events e: e % 3 = 0/1/2 power off/on/reset (e < F0), and
 *   F0 f k c   arm an ISD-R fault: function f % 14 (the 13 with an error
 *              code, then LoadBoundProfilePackage), kind k % 2 (error,
 *              bpp-error), code c
 *   F1 h l     memory fault: h * 256 + l bytes of free profile memory
 *   F2         REFRESH (as after ES10c with refreshFlag)
 *   F3         restart: the card's state saved and loaded back
 *   F4         the card as it is with every notification slot (256) taken
 *              by enable and disable notifications of P1
 * After each input: at most one profile enabled, and when the input
 * changed the state, the state must load back (the card never writes a
 * state it would refuse) giving the same GetProfilesInfo and
 * ListNotification answers. With FUZZ_DUMP_STATE=DIR each changed state
 * is also written to DIR (seeds for fuzz_state). */
#include "tests/fuzz/fuzz_common.h"
#include "isdp/isdp.h"
#include "isdr/fault.h"
#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "sim/card.h"
#include "sim/host/euicc.h"
#include "sim/tlv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sim_card *card;
static struct fz_state baseline, full;
static bool fault_armed, memory_fault;
static uint8_t rsp[70000];

/* The functions a fault may name (isdr/fault.c). */
static const char *const fault_functions[] = {
	"ES10b.AuthenticateServer", "ES10b.PrepareDownload", "ES10b.CancelSession", "ES10b.ListNotification",
	"ES10b.RetrieveNotificationsList", "ES10b.RemoveNotificationFromList", "ES10a.SetDefaultDpAddress",
	"ES10c.GetProfilesInfo", "ES10c.EnableProfile", "ES10c.DisableProfile", "ES10c.DeleteProfile",
	"ES10c.eUICCMemoryReset", "ES10c.SetNickname", "ES10b.LoadBoundProfilePackage",
};

/* ---- building the card --------------------------------------------------- */

static unsigned es10(unsigned ch, const uint8_t *req, size_t len, size_t *n)
{
	return fz_es10(card, ch, req, len, 120, rsp, sizeof(rsp), n);
}

static void init(void)
{
	static const uint8_t owner[3] = { 0x00, 0xF1, 0x10 };
	static const int p2_keep[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1 }, p3_keep[] = { 0, 1, -1 };
	uint8_t *a, *b, *c, *b2, *c2, iccid[10], req[64];
	size_t a_len, b_len, c_len, b2_len, c2_len, n;
	unsigned ch;

	card = fz_card_new(NULL);
	a = fz_read_file("profiles/ts48/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der", &a_len);
	b = fz_read_file("profiles/ts48/TS48V1-B-UNIQUE.der", &b_len);
	c = fz_read_file("profiles/ts48/TS48V2-SAIP2-1-BERTLV-UNIQUE.der", &c_len);
	b2 = fz_subset(b, b_len, p2_keep, 12, &b2_len);
	c2 = fz_subset(c, c_len, p3_keep, 3, &c2_len);
	fz_sideload(card, a, a_len, &(struct fz_md){ "P1", -1, 0x70, "smdp.example.com", NULL, 0 });
	fz_sideload(card, b2, b2_len, &(struct fz_md){ "P2", -1, 0x10, "dp2.example.com", owner, 0x60 });
	fz_sideload(card, c2, c2_len, &(struct fz_md){ "P3", 0, 0, NULL, NULL, 0x10 });
	ch = fz_open_isdr(card);
	if (!ch)
		abort();
	/* EnableProfile {iccid P1, refreshFlag false}: BF31 11 A0 0C 5A 0A .. 81 01 00 */
	fz_header_iccid(a, a_len, iccid);
	memcpy(req, "\xBF\x31\x11\xA0\x0C\x5A\x0A", 7);
	memcpy(req + 7, iccid, 10);
	memcpy(req + 17, "\x81\x01\x00", 3);
	if (es10(ch, req, 20, &n) != 0x9000 || n != 6 || rsp[5] != 0)
		abort();
	/* SetNickname {iccid P3, "fuzz"}: BF29 12 5A 0A .. 90 04 "fuzz" */
	fz_header_iccid(c2, c2_len, iccid);
	memcpy(req, "\xBF\x29\x12\x5A\x0A", 5);
	memcpy(req + 5, iccid, 10);
	memcpy(req + 15, "\x90\x04" "fuzz", 6);
	if (es10(ch, req, 21, &n) != 0x9000)
		abort();
	/* An armed error fault fires on its function (it never did in clang
	 * builds, which keep equal string literals apart: the names were
	 * compared as pointers). GetProfilesInfo answers profileInfoListError. */
	if (isdr_arm_fault(sim_card_isdr(card), ISDR_FAULT_ERROR, "ES10c.GetProfilesInfo", 127) < 0 ||
	    es10(ch, (const uint8_t *)"\xBF\x2D\x00", 3, &n) != 0x9000 || n != 6 ||
	    memcmp(rsp, "\xBF\x2D\x03\x81\x01\x7F", 6)) {
		fprintf(stderr, "fuzz_profile: an injected fault did not fire\n");
		abort();
	}
	/* SetDefaultDpAddress "dp.example.com" */
	if (es10(ch, (const uint8_t *)"\xBF\x3F\x10\x80\x0E" "dp.example.com", 19, &n) != 0x9000)
		abort();
	fz_state_keep(card, &baseline);
	/* The same card with every notification slot taken (P1 disabled
	 * and enabled again and again): for event F4. */
	fz_header_iccid(a, a_len, iccid);
	fz_fill_notifications(card, ch, iccid, NOTIF_MAX);
	fz_state_keep(card, &full);
	baseline.dirty = true;
	fz_state_back(card, &baseline);
	free(a);
	free(b);
	free(c);
	free(b2);
	free(c2);
}

/* ---- events ---------------------------------------------------------------- */

static void restart_check(void);

static void event(void *ctx, uint8_t ev, struct fz_in *in)
{
	uint8_t f = 0, k = 0, code = 0, h = 0, l = 0;

	(void)ctx;
	switch (ev) {
	case 0xF0: {
		/* as the control socket arms one (sim/host/fault.c): the
		 * function must have an error, a bpp-error a known reason */
		const char *fn;
		char num[8];
		long reason = code;

		fz_byte(in, &f);
		fz_byte(in, &k);
		fz_byte(in, &code);
		fn = fault_functions[f % 14];
		snprintf(num, sizeof(num), "%u", code);
		if (k % 2)
			reason = isdr_error_reason(num);
		if (isdr_fault_has_error(fn) && reason >= 0 &&
		    isdr_arm_fault(sim_card_isdr(card), k % 2 ? ISDR_FAULT_BPP_ERROR : ISDR_FAULT_ERROR, fn,
				   (unsigned long)reason) == 0)
			fault_armed = true;
		break;
	}
	case 0xF1:
		fz_byte(in, &h);
		fz_byte(in, &l);
		isdp_set_memory_free(sim_card_isdp(card), (long long)h << 8 | l);
		memory_fault = true;
		break;
	case 0xF2:
		sim_power(card, SIM_REFRESH);
		break;
	case 0xF3:
		restart_check();
		break;
	case 0xF4:
		/* every notification slot taken: operations that need one are refused */
		full.dirty = true;
		fz_state_back(card, &full);
		baseline.dirty = true;
		break;
	default:
		break;
	}
}

/* ---- checks ---------------------------------------------------------------- */

struct answers {
	uint8_t profiles[8192], notifs[70000];	/* up to 256 notifications */
	size_t profiles_len, notifs_len;
};

/* GetProfilesInfo and ListNotification on a fresh ISD-R channel. */
static bool ask(struct answers *a)
{
	static const uint8_t gpi[] = { 0xBF, 0x2D, 0x00 }, ln[] = { 0xBF, 0x28, 0x00 };
	unsigned ch;
	size_t n;

	sim_power(card, SIM_RESET);
	ch = fz_open_isdr(card);
	if (!ch)
		return false;
	if (es10(ch, gpi, sizeof(gpi), &n) != 0x9000 || n > sizeof(a->profiles))
		abort();
	memcpy(a->profiles, rsp, n);
	a->profiles_len = n;
	if (es10(ch, ln, sizeof(ln), &n) != 0x9000 || n > sizeof(a->notifs))
		abort();
	memcpy(a->notifs, rsp, n);
	a->notifs_len = n;
	return true;
}

/* The state the card holds must load back, and answer the same. */
static void restart_check(void)
{
	struct answers *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));
	uint8_t *img = NULL;
	size_t len = 0;

	if (!before || !after)
		abort();
	if (ask(before) && sim_card_state_image(card, &img, &len) == 0) {
		fz_dump_state(img, len);
		if (sim_card_state_load(card, img, len) < 0) {
			fprintf(stderr, "fuzz_profile: the card refuses the state it wrote\n");
			abort();
		}
		if (!ask(after) || before->profiles_len != after->profiles_len ||
		    memcmp(before->profiles, after->profiles, before->profiles_len) ||
		    before->notifs_len != after->notifs_len ||
		    memcmp(before->notifs, after->notifs, before->notifs_len)) {
			fprintf(stderr, "fuzz_profile: GetProfilesInfo or ListNotification differs after a restart\n");
			abort();
		}
	}
	free(img);
	free(before);
	free(after);
}

static void check_invariants(void)
{
	const struct isdp_store *s = sim_card_isdp(card);
	size_t enabled = 0;

	for (size_t i = 0; i < isdp_count(s); i++) {
		const struct isdp_profile *p = isdp_get(s, i);

		enabled += p->state == ISDP_ENABLED;
		if (!p->decoded || p->deleting)
			abort();
		for (size_t j = 0; j < i; j++)
			if (!memcmp(isdp_get(s, j)->iccid, p->iccid, ISDP_ICCID_LEN))
				abort();
	}
	if (enabled > 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	if (!card)
		init();
	if (memory_fault) {
		isdp_set_memory_free(sim_card_isdp(card), -1);
		memory_fault = false;
	}
	if (fault_armed) {
		/* any ES10 command takes an armed fault away */
		static const uint8_t get_eid[] = { 0xBF, 0x3E, 0x03, 0x5C, 0x01, 0x5A };
		size_t n;
		unsigned ch;

		sim_power(card, SIM_RESET);
		ch = fz_open_isdr(card);
		if (ch)
			es10(ch, get_eid, sizeof(get_eid), &n);
		fault_armed = false;
	}
	fz_state_back(card, &baseline);
	sim_power(card, SIM_RESET);
	fz_run_apdus(card, &in, event, NULL);
	/* what the control socket's status reads */
	(void)isdr_session_phase(sim_card_isdr(card));
	if (isdr_deviations(sim_card_isdr(card))->n == ISDR_DEVIATIONS_KEPT)
		isdr_deviations_clear(sim_card_isdr(card));
	check_invariants();
	if (fz_state_changed(card, &baseline))
		restart_check();
	return 0;
}
