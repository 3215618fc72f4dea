/* Profile Policy Rules against the Rules Authorisation Table (SGP.22
 * §2.9.2): a profile may carry PPR1/PPR2 only where the RAT allows them
 * for its owner. */
#ifndef ISDR_RAT_H
#define ISDR_RAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pprs: PprIds bits the profile sets; owner: its mccMnc (3 bytes) or NULL;
 * rat: DER of the RulesAuthorisationTable contents. An empty RAT allows
 * none. */
bool rat_allows(const uint8_t *rat, size_t rat_len, uint32_t pprs, const uint8_t *owner, size_t owner_len);

#endif
