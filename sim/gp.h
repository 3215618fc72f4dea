/* GlobalPlatform helpers for applications that are security domains: the
 * FCI they answer SELECT with, and STORE DATA block reassembly
 * (GP Card Specification §11.9.3, §11.11). */
#ifndef SIM_GP_H
#define SIM_GP_H

#include "sim/app.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FCI template of a selected application: 6F { 84 AID, A5 { 9F65 FF } }
 * (9F65: maximum length of data field in a command message). */
int sim_gp_fci(const uint8_t *aid, size_t aid_len, struct sim_rbuf *out);
/* The answer to SELECT of such an application: the FCI unless P2 asks
 * for no data. */
unsigned sim_gp_select(const uint8_t *aid, size_t aid_len, const struct sim_apdu *a, struct sim_rbuf *out);

/* One channel's STORE DATA chain. Zero-initialised is empty. */
struct sim_gp_store_data {
	uint8_t *buf;
	size_t len;
	unsigned next_block;
	bool active;
	uint32_t last_seq;	/* struct sim_apdu.seq of the last block */
};

/* Take one STORE DATA block (P1 11 more / 91 last, P2 block number from
 * 0, SGP.22 §5.7.2). Returns a status word; when it is SW_OK and
 * *complete is set, (*data, *len) is the whole command, valid until the
 * next call or sim_gp_store_data_clear(). A chain is abandoned by a wrong
 * P1, a block out of order, an empty block, more than max bytes in all
 * (6A84), or any other command on the channel in between (GP CS
 * §11.11.2.1). */
unsigned sim_gp_store_data(struct sim_gp_store_data *sd, const struct sim_apdu *a, size_t max,
			   const uint8_t **data, size_t *len, bool *complete);
/* Forget the chain (wiped: a chain may carry secrets). */
void sim_gp_store_data_clear(struct sim_gp_store_data *sd);

#endif
