/* ECASD: the card's keys and certificates. CI public keys for
 * verification, eUICC credential sets (eUICC certificate, EUM certificate,
 * private key) for signing. Nothing outside ecasd/ touches a private key. */
#ifndef ECASD_H
#define ECASD_H

#include <stddef.h>
#include <stdint.h>

struct ecasd;
struct sim_config;

#define ECASD_EID_LEN 16

enum ecasd_list {
	ECASD_FOR_VERIFICATION,	/* euiccCiPKIdListForVerification */
	ECASD_FOR_SIGNING,	/* euiccCiPKIdListForSigning */
};

int ecasd_new(const struct sim_config *cfg, struct ecasd **out);
void ecasd_free(struct ecasd *e);

const uint8_t *ecasd_eid(const struct ecasd *e);

/* CI public key identifiers (SubjectKeyIdentifier values) in configured
 * order, without duplicates. */
size_t ecasd_ci_count(const struct ecasd *e, enum ecasd_list which);
const uint8_t *ecasd_ci_id(const struct ecasd *e, enum ecasd_list which, size_t i, size_t *len);

/* Decode an EID written as 32 decimal digits. */
int ecasd_eid_from_string(const char *s, uint8_t eid[ECASD_EID_LEN]);

#endif
