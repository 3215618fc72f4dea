/* libFuzzer target over the card's single entry point, sim_transact().
 *
 * Input: frames (tests/fuzz/fuzz_common.h), each one command APDU (a
 * 255 length byte takes a 2-byte length: longer commands than a short
 * APDU can carry); a control event byte e is a power event, e % 3: 0
 * power off, 1 power on, 2 warm reset.
 *
 * The card keeps its state in memory. A TS.48 profile with USIM, ISIM and
 * CSIM (TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE) is side-loaded and enabled
 * through ES10c, so that file writes, PINs and AUTHENTICATE meet the
 * fuzzer too. Each input starts from that state after a reset (the state
 * is loaded again when the input before changed it: a written file, a PIN
 * counter, an SQN). */
#include "tests/fuzz/fuzz_common.h"
#include "sim/card.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE "profiles/ts48/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"

static struct sim_card *card;
static struct fz_state start;

/* Side-load the profile and enable it through ES10c.EnableProfile. */
static void enable_profile(void)
{
	/* EnableProfile {iccid, refreshFlag true}: BF31 11 A0 0C 5A 0A .. 81 01 FF */
	uint8_t req[20] = { 0xBF, 0x31, 0x11, 0xA0, 0x0C, 0x5A, 0x0A }, rsp[64];
	size_t len, n;
	uint8_t *pkg = fz_read_file(PROFILE, &len);
	unsigned ch;

	fz_sideload(card, pkg, len, &(struct fz_md){ "fuzz", -1, 0, NULL, NULL, 0 });
	fz_header_iccid(pkg, len, req + 7);
	memcpy(req + 17, "\x81\x01\xFF", 3);
	ch = fz_open_isdr(card);
	if (!ch || fz_es10(card, ch, req, sizeof(req), 255, rsp, sizeof(rsp), &n) != 0x9000 || n != 6 || rsp[5])
		abort();
	free(pkg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	if (!card) {
		card = fz_card_new(NULL);
		enable_profile();
		fz_state_keep(card, &start);
	}
	fz_state_back(card, &start);
	sim_power(card, SIM_RESET);
	fz_run_apdus(card, &in, NULL, NULL);
	return 0;
}
