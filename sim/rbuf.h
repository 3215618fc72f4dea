/* Response data under construction: a growing buffer with a hard cap. */
#ifndef SIM_RBUF_H
#define SIM_RBUF_H

#include <stddef.h>
#include <stdint.h>

/* Largest response kept for GET RESPONSE: RetrieveNotificationsList of
 * every pending notification (isdr/notif.h NOTIF_MAX, ~1.3 KiB each). */
#define SIM_RESPONSE_MAX (512u * 1024u)

struct sim_rbuf {
	uint8_t *p;
	size_t len, cap;
};

/* Append; -EU_E_TOO_LONG beyond SIM_RESPONSE_MAX, -EU_E_NOMEM. */
int sim_rbuf_put(struct sim_rbuf *b, const void *data, size_t len);
void sim_rbuf_free(struct sim_rbuf *b);

#endif
