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

/* Tests and fuzzers only, for a card without a state directory: the
 * card's state as its state file would hold it (malloc'd); a state file's
 * bytes loaded through the start-up loader, replacing the card's state
 * (the card is powered off and on around it; after an error it holds
 * whatever loaded: load a good state before using it again); and how
 * many times the card has saved its state (every change saves). */
int sim_card_state_image(const struct sim_card *card, uint8_t **buf, size_t *len);
int sim_card_state_load(struct sim_card *card, const uint8_t *buf, size_t len);
unsigned long sim_card_state_changes(const struct sim_card *card);

#endif
