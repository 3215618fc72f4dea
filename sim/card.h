/* The card: one opaque context and one entry point.
 *
 * sim_transact() is the only way bytes reach the card: the vpcd loop, the
 * unit tests and the fuzzer all call it. */
#ifndef SIM_CARD_H
#define SIM_CARD_H

#include <stddef.h>
#include <stdint.h>

struct sim_card;
struct sim_config;

/* Short APDUs only: at most 256 data bytes plus SW1 SW2 in a response. */
#define SIM_RSP_MAX 258

enum sim_power_event {
	SIM_POWER_OFF,
	SIM_POWER_ON,
	SIM_RESET,
};

int sim_card_new(const struct sim_config *cfg, struct sim_card **out);
void sim_card_free(struct sim_card *card);

/* Process one command APDU; writes the response APDU (data, SW1, SW2) to
 * rsp and returns its length (always >= 2). */
size_t sim_transact(struct sim_card *card, const uint8_t *cmd, size_t cmd_len,
		    uint8_t rsp[SIM_RSP_MAX]);

/* POWER OFF and RESET close all logical channels and discard any RSP
 * session state. */
void sim_power(struct sim_card *card, enum sim_power_event ev);

const uint8_t *sim_atr(size_t *len);

/* The 16-byte EID. */
const uint8_t *sim_card_eid(const struct sim_card *card);

#endif
