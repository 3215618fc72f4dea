/* libFuzzer target over the card's single entry point, sim_transact().
 *
 * Input: a sequence of frames, each a 1-byte length n followed by n
 * bytes; n = 0 is a control event (next byte: 0 power off, 1 power on,
 * 2 reset). Each frame is copied into an exact-size buffer so that ASan
 * sees any read past its end. The card keeps no state on disk. A TS.48
 * profile with USIM, ISIM and CSIM is enabled, so that file writes, PINs
 * and AUTHENTICATE meet the fuzzer too. */
#include "isdp/isdp.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE SIM_DATADIR "/profiles/ts48/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"

static struct sim_config cfg;
static struct sim_card *card;

/* Side-load the profile and enable it through ES10c.EnableProfile. */
static void enable_profile(void)
{
	static uint8_t pkg[1 << 16];
	uint8_t rsp[SIM_RSP_MAX], cmd[64] = { 0x80, 0xE2, 0x91, 0x00, 0x14, 0xBF, 0x31, 0x11, 0xA0, 0x0C, 0x5A, 0x0A };
	static const uint8_t select_isdr[] = {
		0x00, 0xA4, 0x04, 0x0C, 0x10, 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
		0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00,
	};
	FILE *f = fopen(PROFILE, "rb");
	size_t len = f ? fread(pkg, 1, sizeof(pkg), f) : 0;
	char err[128];

	if (f)
		fclose(f);
	if (!len || isdp_sideload(sim_card_isdp(card), pkg, len, "SP", "fuzz", ISDP_CLASS_OPERATIONAL, NULL, err,
				  sizeof(err)) < 0)
		abort();
	memcpy(cmd + 12, isdp_get(sim_card_isdp(card), 0)->iccid, ISDP_ICCID_LEN);
	memcpy(cmd + 22, (const uint8_t[]){ 0x81, 0x01, 0xFF, 0x00 }, 4);	/* refreshFlag, Le */
	sim_transact(card, select_isdr, sizeof(select_isdr), rsp);
	if (sim_transact(card, cmd, 26, rsp) != 8 || rsp[5] != 0x00)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t rsp[SIM_RSP_MAX];

	if (!card) {
		sim_config_defaults(&cfg, SIM_DATADIR "/certs/sgp26");
		if (sim_card_new(&cfg, &card) < 0)
			abort();
		enable_profile();
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
