#include "isdr/rat.h"
#include "sim/asn1.h"

#include <stdio.h>

#define MCC_MNC_LEN 3
#define RAT_WILDCARD 0xE	/* 'E' nibbles in the RAT match any digit (§2.9.2.1) */

static bool plmn_matches(const uint8_t want[MCC_MNC_LEN], const uint8_t *have)
{
	for (int k = 0; k < 2 * MCC_MNC_LEN; k++) {
		unsigned w = (want[k / 2] >> (k % 2 ? 4 : 0)) & 0xF;
		unsigned h = (have[k / 2] >> (k % 2 ? 4 : 0)) & 0xF;

		if (w != RAT_WILDCARD && w != h)
			return false;
	}
	return true;
}

/* Does rule i allow pprs for owner? */
static bool rule_allows(asn1_node rat, int i, uint32_t pprs, const uint8_t *owner)
{
	char name[64];
	uint32_t allowed = 0;
	int ops = 0;

	snprintf(name, sizeof(name), "?%d.pprIds", i);
	if (sim_asn1_read_bits(rat, name, &allowed) < 0 || (allowed & pprs) != pprs)
		return false;
	snprintf(name, sizeof(name), "?%d.allowedOperators", i);
	asn1_number_of_elements(rat, name, &ops);
	for (int j = 1; j <= ops; j++) {
		uint8_t plmn[MCC_MNC_LEN];
		size_t n;

		snprintf(name, sizeof(name), "?%d.allowedOperators.?%d.mccMnc", i, j);
		if (sim_asn1_read(rat, name, plmn, sizeof(plmn), &n) == 0 && n == MCC_MNC_LEN &&
		    plmn_matches(plmn, owner))
			return true;
	}
	return false;
}

bool rat_allows(const uint8_t *der, size_t len, uint32_t pprs, const uint8_t *owner, size_t owner_len)
{
	asn1_node rat = NULL;
	bool ok = false;
	int rules = 0;

	if (pprs == 0)
		return true;
	if (!owner || owner_len != MCC_MNC_LEN || len == 0)
		return false;
	if (sim_asn1_decode("RSPDefinitions.RulesAuthorisationTable", der, len, &rat) < 0)
		return false;
	asn1_number_of_elements(rat, "", &rules);
	for (int i = 1; i <= rules && !ok; i++)
		ok = rule_allows(rat, i, pprs, owner);
	asn1_delete_structure(&rat);
	return ok;
}
