/* libFuzzer target over the card's single entry point, sim_transact().
 *
 * Input: a sequence of frames, each a 1-byte length n followed by n
 * bytes; n = 0 is a control event (next byte: 0 power off, 1 power on,
 * 2 reset). Each frame is copied into an exact-size buffer so that ASan
 * sees any read past its end. The card keeps no state on disk. */
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct sim_config cfg;
static struct sim_card *card;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t rsp[SIM_RSP_MAX];

	if (!card) {
		sim_config_defaults(&cfg, SIM_DATADIR "/certs/sgp26");
		if (sim_card_new(&cfg, &card) < 0)
			abort();
	}
	sim_power(card, SIM_RESET);
	while (size > 0) {
		size_t n = data[0];
		uint8_t *cmd;

		data++;
		size--;
		if (n == 0) {
			if (size == 0)
				break;
			sim_power(card, data[0] % 3 == 0 ? SIM_POWER_OFF :
					data[0] % 3 == 1 ? SIM_POWER_ON : SIM_RESET);
			data++;
			size--;
			continue;
		}
		if (n > size)
			n = size;
		cmd = malloc(n);
		if (!cmd)
			abort();
		memcpy(cmd, data, n);
		if (sim_transact(card, cmd, n, rsp) < 2)
			abort();
		free(cmd);
		data += n;
		size -= n;
	}
	return 0;
}
