/* libFuzzer target: the state-file loader (sim/store.c and the sections of
 * the ISD-R and the ISD-P store) on arbitrary bytes.
 *
 * Input: a mode byte m, then the bytes of a state file ("EUSIMST1", DER,
 * SHA-256), loaded into a card kept in memory through
 * sim_card_state_load(), the loader a card runs at start-up. With m odd
 * the file's last 32 bytes are replaced by the SHA-256 of the rest, so
 * that mutations get past the checksum; with m even the file is loaded as
 * it is.
 *
 * A file is refused or loaded, never a crash. One that loads must keep the
 * card's rules: at most one enabled profile, ICCIDs and ISD-P AIDs unique,
 * AIDs of the card's form and below its counter, each profile's package
 * decoded, its ICCID the package's; notifications numbered below the
 * counter, each once, each a PendingNotification with the number and kind
 * ListNotification shows; a default SM-DP+ address SetDefaultDpAddress
 * would take. The loaded card answers
 * GetProfilesInfo, ListNotification, RetrieveNotificationsList and the
 * enabled profile's EF.ICCID (or a refusal its access rules explain), and its own state, saved, loads again and is
 * saved identically (a restart changes nothing). */
#include "tests/fuzz/fuzz_common.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "profiles/saip.h"
#include "sim/asn1.h"
#include "sim/card.h"
#include "sim/host/euicc.h"
#include "sim/tlv.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sim_card *card;
static uint8_t rsp[1 << 20];	/* RetrieveNotificationsList with 256 of them */

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_state: a loaded state breaks a rule: %s\n", why);
	abort();
}

static void check_profiles(void)
{
	static const uint8_t aid_prefix[13] = {
		0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00,
	};
	const struct isdp_store *s = sim_card_isdp(card);
	uint8_t next[ISDP_AID_MAX];
	size_t next_len, enabled = 0;

	isdp_next_aid(s, next, &next_len);
	if (isdp_count(s) > ISDP_MAX_PROFILES)
		fail("too many profiles");
	for (size_t i = 0; i < isdp_count(s); i++) {
		const struct isdp_profile *p = isdp_get(s, i);

		enabled += p->state == ISDP_ENABLED;
		if (p->state != ISDP_ENABLED && p->state != ISDP_DISABLED)
			fail("a profile state out of range");
		if (p->aid_len != 16 || memcmp(p->aid, aid_prefix, sizeof(aid_prefix)) || p->aid[15] != 0 ||
		    memcmp(p->aid + 13, next + 13, 2) >= 0)
			fail("an ISD-P AID the card did not hand out");
		if (!p->decoded || p->package_len != p->decoded->package_len)
			fail("a profile without its decoded package");
		for (size_t k = 0; k < ISDP_ICCID_LEN; k++)
			if (p->iccid[k] != (uint8_t)(p->decoded->iccid[k] << 4 | p->decoded->iccid[k] >> 4))
				fail("metadata ICCID is not the package's");
		for (size_t j = 0; j < i; j++) {
			const struct isdp_profile *q = isdp_get(s, j);

			if (!memcmp(q->iccid, p->iccid, ISDP_ICCID_LEN) || !memcmp(q->aid, p->aid, 16))
				fail("two profiles share an ICCID or AID");
		}
	}
	if (enabled > 1)
		fail("more than one profile enabled");
}

static bool pn_is_pir(asn1_node pn)
{
	char alt[40];
	size_t len;

	if (sim_asn1_read(pn, "", (uint8_t *)alt, sizeof(alt) - 1, &len) < 0)
		return false;
	alt[len] = 0;
	return !strcmp(alt, "profileInstallationResult");
}

static void check_notifications(void)
{
	const struct notif_list *l = isdr_notifications(sim_card_isdr(card));
	unsigned long seq;

	if (l->n > NOTIF_MAX)
		fail("too many notifications");
	for (size_t i = 0; i < l->n; i++) {
		const struct notif *n = &l->v[i];
		asn1_node pn = NULL;

		if (n->seq == 0 || (l->next_seq && n->seq >= l->next_seq))
			fail("a notification numbered at or above the counter");
		for (size_t j = 0; j < i; j++)
			if (l->v[j].seq == n->seq)
				fail("two notifications with one number");
		if (sim_asn1_decode("RSPDefinitions.PendingNotification", n->pending, n->pending_len, &pn) < 0)
			fail("a notification that is not a PendingNotification");
		/* ListNotification's number and event are those of the
		 * notification RetrieveNotificationsList returns */
		if (sim_asn1_read_uint(pn, "profileInstallationResult.profileInstallationResultData."
				       "notificationMetadata.seqNumber", &seq) < 0 &&
		    sim_asn1_read_uint(pn, "otherSignedNotification.tbsOtherNotification.seqNumber", &seq) < 0)
			fail("a pending notification without a number");
		if (seq != n->seq || (n->event == NOTIF_INSTALL) != (pn_is_pir(pn)))
			fail("a notification listed as another than the one returned");
		asn1_delete_structure(&pn);
	}
}

static void es10_ok(unsigned ch, const uint8_t *req, size_t len, uint32_t tag)
{
	size_t n = 0;
	struct tlv t;
	unsigned sw = fz_es10(card, ch, req, len, 120, rsp, sizeof(rsp), &n);

	if (sw != 0x9000 || tlv_parse_exact(rsp, n, &t) < 0 || t.tag != tag || tlv_check_der(rsp, n, 16) < 0) {
		fprintf(stderr, "fuzz_state: ES10 %04X answered %04X\n", tag, sw);
		abort();
	}
}

/* The loaded card answers what an LPA asks first. */
static void ask(void)
{
	static const uint8_t gpi[] = { 0xBF, 0x2D, 0x00 }, ln[] = { 0xBF, 0x28, 0x00 }, rn[] = { 0xBF, 0x2B, 0x00 },
			     cfg[] = { 0xBF, 0x3C, 0x00 };
	static const uint8_t iccid[] = { 0x00, 0xB0, 0x82, 0x00, 0x0A };	/* READ BINARY by SFI 02 */
	uint8_t r[SIM_RSP_MAX];
	unsigned ch = fz_open_isdr(card);
	size_t n;

	if (!ch)
		abort();
	es10_ok(ch, gpi, sizeof(gpi), 0xBF2D);
	es10_ok(ch, ln, sizeof(ln), 0xBF28);
	es10_ok(ch, rn, sizeof(rn), 0xBF2B);
	es10_ok(ch, cfg, sizeof(cfg), 0xBF3C);
	/* BF3C { [80 defaultDpAddress] 81 rootDsAddress }: what SetDefaultDpAddress takes */
	if (rsp[3] == 0x80 && (rsp[4] > 0x7F || !isdp_address_ok(rsp + 5, rsp[4])))
		fail("a default SM-DP+ address SetDefaultDpAddress would refuse");
	/* the ten bytes of EF.ICCID, or a refusal the package explains (its
	 * EF.ARR or a PIN may protect EF.ICCID: 6982; no SFI 02: 6A82), never
	 * an internal error */
	n = fz_transact(card, iccid, sizeof(iccid), r);
	if (n == 12 ? r[10] != 0x90 || r[11] != 0x00 : n != 2 || r[0] == 0x6F) {
		fprintf(stderr, "fuzz_state: READ BINARY EF.ICCID answered %zu bytes, SW %02X%02X\n", n, r[n - 2],
			r[n - 1]);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file, *img = NULL, *img2 = NULL;
	size_t len = 0, len2 = 0;

	if (!card)
		card = fz_card_new(NULL);
	if (size == 0)
		return 0;
	file = fz_copy(data + 1, --size);
	if (size > SHA256_DIGEST_LENGTH && data[0] % 2)
		SHA256(file, size - SHA256_DIGEST_LENGTH, file + size - SHA256_DIGEST_LENGTH);
	if (sim_card_state_load(card, file, size) == 0) {
		check_profiles();
		check_notifications();
		ask();
		if (sim_card_state_image(card, &img, &len) < 0 || sim_card_state_load(card, img, len) < 0)
			fail("the card refuses its own state");
		if (sim_card_state_image(card, &img2, &len2) < 0 || len != len2 || memcmp(img, img2, len))
			fail("the state changed in a restart");
	}
	free(img);
	free(img2);
	free(file);
	return 0;
}
