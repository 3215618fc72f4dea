/* Installed profiles: one ISD-P per profile, with its metadata and
 * lifecycle state. The ISD-R asks here for anything about profiles. */
#ifndef ISDP_H
#define ISDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_card;
struct isdp_store;

#define ISDP_ICCID_LEN 10
#define ISDP_AID_MAX 16

enum isdp_state {
	ISDP_DISABLED = 0,	/* ProfileState values, SGP.22 §5.7.15 */
	ISDP_ENABLED = 1,
};

enum isdp_class {
	ISDP_CLASS_TEST = 0,
	ISDP_CLASS_PROVISIONING = 1,
	ISDP_CLASS_OPERATIONAL = 2,
};

struct isdp_profile {
	uint8_t iccid[ISDP_ICCID_LEN];
	uint8_t aid[ISDP_AID_MAX];
	size_t aid_len;
	enum isdp_state state;
	enum isdp_class profile_class;
	uint64_t size;			/* bytes of profile memory used */
};

int isdp_store_new(struct sim_card *card, struct isdp_store **out);
void isdp_store_free(struct isdp_store *s);

size_t isdp_count(const struct isdp_store *s);
const struct isdp_profile *isdp_get(const struct isdp_store *s, size_t i);
uint64_t isdp_memory_used(const struct isdp_store *s);

/* ICCID of the enabled profile, or -EU_E_NOT_FOUND. */
int isdp_enabled_iccid(const struct sim_card *card, uint8_t iccid[ISDP_ICCID_LEN]);

#endif
