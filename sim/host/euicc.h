/* The eUICC: the card OS (sim/) with its applications — ISD-R, ECASD and
 * the profiles' file system — and the state store, assembled from a
 * configuration. The card is freed with sim_card_free(). */
#ifndef SIM_HOST_EUICC_H
#define SIM_HOST_EUICC_H

#include "sim/card.h"

#include <stdint.h>

struct sim_config;
struct isdp_store;
struct isdr;

/* Build the card (loading its state) and power it on. The card keeps a
 * pointer to cfg. */
int sim_card_new(const struct sim_config *cfg, struct sim_card **out);

/* The 16-byte EID. */
const uint8_t *sim_card_eid(const struct sim_card *card);

/* The installed profiles (for side-loading, tests and dumps), and the
 * ISD-R (status, fault injection). */
struct isdp_store *sim_card_isdp(const struct sim_card *card);
struct isdr;
struct isdr *sim_card_isdr(const struct sim_card *card);

/* The ISD-R (for its record of tolerated deviations, isdr_deviations()). */
struct isdr *sim_card_isdr(const struct sim_card *card);

#endif
