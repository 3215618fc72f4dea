/* libFuzzer target over the card's single entry point, sim_transact(), on
 * an empty card.
 *
 * Input: frames (tests/fuzz/fuzz_common.h), each one command APDU (a
 * 255 length byte takes a 2-byte length: longer commands than a short
 * APDU can carry); a control event byte e is a power event, e % 3: 0
 * power off, 1 power on, 2 warm reset. The card keeps its state in
 * memory; each input starts from a reset card with an empty state (the
 * state is loaded again when the last input changed it). */
#include "tests/fuzz/fuzz_common.h"
#include "sim/card.h"

#include <stdint.h>

static struct sim_card *card;
static struct fz_state empty;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };

	if (!card) {
		card = fz_card_new(NULL);
		fz_state_keep(card, &empty);
	}
	fz_state_back(card, &empty);
	sim_power(card, SIM_RESET);
	fz_run_apdus(card, &in, NULL, NULL);
	return 0;
}
