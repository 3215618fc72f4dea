/* Shared helpers for the Check suites: a card with the SGP.26 identity,
 * hex conversion, and an ES10 round trip through the APDU entry point. */
#ifndef TESTS_UNIT_HELPERS_H
#define TESTS_UNIT_HELPERS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

struct sim_card;
struct sim_config;

#define EID_HEX "89049032123451234512345678901235"
#define CI_NIST "F54172BDF98A95D65CBEB88A38A1C11D800A85C3"
#define CI_BRP  "C0BC70BA36929D43B467FF57570530E57AB8FCD8"

/* A card with the default configuration; state_dir NULL keeps it in memory. */
struct sim_card *t_card_new(const char *state_dir);
struct sim_card *t_card_new_cfg(struct sim_config *cfg);
struct sim_config *t_config(void);	/* defaults; static storage */

size_t t_unhex(const char *hex, uint8_t *out, size_t cap);
void t_hex(const uint8_t *b, size_t n, char *out);

/* Send one APDU given in hex; returns the response as uppercase hex
 * (data followed by SW). */
const char *t_apdu(struct sim_card *card, const char *hex);

/* The same, following 61xx with GET RESPONSE: all the data, then the
 * final SW. */
const char *t_apdu_data(struct sim_card *card, const char *hex);

/* Send an ES10 command (hex DER) on channel ch the way lpac does: STORE
 * DATA blocks of at most `seg` bytes, then GET RESPONSE while 61xx.
 * Returns response data + final SW in hex. */
const char *t_es10(struct sim_card *card, unsigned ch, const char *der_hex, size_t seg);

/* Open a logical channel and select the ISD-R on it; returns the channel. */
unsigned t_open_isdr(struct sim_card *card);

/* Register the card's ASN.1 modules (as the card does when it starts),
 * for tests that decode without a card. */
void t_asn1_init(void);

/* Up to cap bytes of a file. */
size_t t_slurp(const char *path, uint8_t *buf, size_t cap);

/* A whole file (at most 1 MiB); fails the test if it cannot be read. */
uint8_t *t_read_file(const char *path, size_t *len);

char *t_mkdtemp(void);
void t_rmrf(const char *dir);

#endif
