/* ISD-R: ES10a/b/c over STORE DATA. */
#ifndef ISDR_H
#define ISDR_H

#include <stddef.h>
#include <stdint.h>

struct sim_card;
struct sim_rbuf;
struct isdr;

int isdr_new(struct sim_card *card, struct isdr **out);
void isdr_free(struct isdr *isdr);

/* Forget any RSP session (challenge, download in progress). */
void isdr_session_reset(struct sim_card *card);

/* Handle one complete ES10 command (the reassembled STORE DATA payload).
 * Writes the response data to out and returns the status word. */
unsigned isdr_es10(struct sim_card *card, const uint8_t *req, size_t len, struct sim_rbuf *out);

#endif
