/* The card OS: one opaque context and one entry point.
 *
 * sim_transact() is the only way bytes reach the card: the vpcd loop, the
 * unit tests and the fuzzers all call it. The OS knows no application:
 * the ISD-R, the ECASD and the profile's file system register with it
 * (sim/app.h); the host code (sim/host/) assembles them into a card. */
#ifndef SIM_CARD_H
#define SIM_CARD_H

#include <stddef.h>
#include <stdint.h>

struct sim_card;

/* Short APDUs only: at most 256 data bytes plus SW1 SW2 in a response. */
#define SIM_RSP_MAX 258

enum sim_power_event {
	SIM_POWER_OFF,
	SIM_POWER_ON,
	SIM_RESET,
	/* Not a power event: the telecom side is refreshed (ES10c
	 * refreshFlag, TS 102 221 REFRESH "UICC reset" as seen by the
	 * applications): file selections return to the MF, channels stay. */
	SIM_REFRESH,
};

/* An empty card OS (no application yet), powered off. */
int sim_card_create(struct sim_card **out);
/* Closes every channel, then frees the host context (sim_card_set_host)
 * and the card. NULL is fine. */
void sim_card_free(struct sim_card *card);

/* The code that assembled the card keeps its own context here; free_host
 * runs from sim_card_free(). */
void sim_card_set_host(struct sim_card *card, void *host, void (*free_host)(void *host));
void *sim_card_host(const struct sim_card *card);

/* Process one command APDU; writes the response APDU (data, SW1, SW2) to
 * rsp and returns its length (always >= 2). */
size_t sim_transact(struct sim_card *card, const uint8_t *cmd, size_t cmd_len,
		    uint8_t rsp[SIM_RSP_MAX]);

/* POWER OFF and RESET close all logical channels and reach every
 * application's reset(); POWER ON and RESET then open the basic channel
 * with the MF selected. SIM_REFRESH only resets the applications. */
void sim_power(struct sim_card *card, enum sim_power_event ev);

const uint8_t *sim_atr(size_t *len);

/* What a command APDU is, asked before it runs (traces, fault injection,
 * reports): the channel, the command ("SELECT", "STORE DATA", "INS 12"
 * when unknown) and the function it completes in the application current
 * on its channel ("ES10b.PrepareDownload"), or NULL. Changes nothing. */
struct sim_command_names {
	int channel;		/* -1: the APDU does not parse */
	const char *command;
	const char *function;
};
void sim_card_names(const struct sim_card *card, const uint8_t *cmd, size_t len, struct sim_command_names *out);

/* Which channels are open (bit n = channel n), and whether the card is
 * powered (a channel is open). */
uint32_t sim_card_open_channels(const struct sim_card *card);

#endif
