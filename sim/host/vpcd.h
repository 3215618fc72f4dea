/* vpcd client: the card side of vsmartcard's virtual reader. */
#ifndef SIM_HOST_VPCD_H
#define SIM_HOST_VPCD_H

#include <signal.h>
#include <stdint.h>

struct sim_card;

/* Serve the card on vpcd at host:port until *stop becomes non-zero.
 * Reconnects with backoff when vpcd (pcscd) goes away. Returns 0 on a
 * requested stop. */
int sim_vpcd_run(struct sim_card *card, const char *host, uint16_t port,
		 volatile sig_atomic_t *stop);

#endif
