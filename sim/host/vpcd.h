/* The card side of vsmartcard's virtual reader (vpcd). */
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

/* Reversed mode: listen on host:port and serve the vpcd that connects
 * (reader.conf DEVICENAME host:port), one at a time: a second connection
 * is refused and logged; when vpcd goes away (pcscd restart) the card
 * waits for it again. Returns 0 on a requested stop, -1 when host:port
 * cannot be bound. */
int sim_vpcd_listen(struct sim_card *card, const char *host, uint16_t port,
		    volatile sig_atomic_t *stop);

#endif
