/* ISD-R: ES10a/b/c over STORE DATA, as an application of the card OS.
 *
 * It gets a narrow environment: its configuration, the ECASD (keys), the
 * ISD-P store (profiles), a callback that writes the card state and one
 * that refreshes the telecom side. */
#ifndef ISDR_H
#define ISDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isdr;
struct ecasd;
struct isdp_store;
struct sim_app_ops;
struct sim_store_section;

/* What EUICCInfo2 and the ES10 functions report (SGP.22 §5.7). */
struct isdr_config {
	uint8_t profile_version[3];
	uint8_t svn[3];
	uint8_t firmware_version[3];
	uint8_t ts102241_version[3];
	bool has_ts102241_version;
	uint8_t gp_version[3];
	bool has_gp_version;
	uint8_t pp_version[3];
	char sas_accreditation[65];
	char platform_label[256];
	char discovery_base_url[256];
	bool has_certification_data;
	int euicc_category;		/* -1: absent */
	uint32_t uicc_capability;	/* bit n = named bit n */
	uint32_t rsp_capability;	/* SGP22_RSP_CAP_* bits */
	uint64_t volatile_memory;	/* free volatile memory reported */
	char root_ds_address[256];
	char default_dp_address[256];	/* initial value for a new card */
	/* GetRAT: DER of RulesAuthorisationTable contents (SEQUENCE OF
	 * ProfilePolicyAuthorisationRule), may be empty. */
	uint8_t rat[1024];
	size_t rat_len;
	/* Refuse what the card otherwise tolerates in requests and BPP
	 * elements: unknown (extension) elements and BER length octets
	 * (README "Extensibility and --strict"). */
	bool strict;
};

struct isdr_env {
	const struct isdr_config *cfg;
	struct ecasd *ecasd;
	struct isdp_store *isdp;
	/* Write the whole card state now; 0 or an error (nothing written). */
	int (*persist)(void *arg);
	/* REFRESH of the telecom side after a profile change (refreshFlag). */
	void (*refresh)(void *arg);
	void *arg;
};

int isdr_new(const struct isdr_env *env, struct isdr **out);
void isdr_free(struct isdr *isdr);

/* The ISD-R's section of the state file (isdr/state.asn): default SM-DP+
 * address [0], next notification number [1], notifications [4]. */
void isdr_state_section(struct isdr *isdr, struct sim_store_section *sec);

/* For the host's status: the download session's phase ("idle",
 * "challenged", "authenticated", "prepared", "loading") and the pending
 * notifications. */
const char *isdr_session_phase(const struct isdr *isdr);
struct notif_list;
const struct notif_list *isdr_notifications(const struct isdr *isdr);
/* Deviations from DER or from the module the card met in requests and
 * BPP elements since it started (or since isdr_deviations_clear()), in
 * both modes: in strict mode each refused its request. The first
 * ISDR_DEVIATIONS_KEPT are kept in detail; all are counted. Not
 * persisted, not reset by a card reset: one record per card session, for
 * a conformance report of what an LPA or SM-DP+ sent. */
#define ISDR_DEVIATIONS_KEPT 64

struct isdr_deviation {
	char function[48];	/* "ES10b.AuthenticateServer" */
	char what[160];		/* "unknown element 9F7F in DeviceCapabilities" */
	char path[128];		/* libtasn1 name of the enclosing element */
	bool refused;		/* strict mode */
};

struct isdr_deviations {
	unsigned long total;
	size_t n;
	struct isdr_deviation v[ISDR_DEVIATIONS_KEPT];
};

const struct isdr_deviations *isdr_deviations(const struct isdr *isdr);
void isdr_deviations_clear(struct isdr *isdr);

/* The ES10 function an outer request tag names (SGP.22 §5.7), e.g.
 * "ES10b.AuthenticateServer", and the ASN.1 type of its request (NULL: the
 * request is empty); NULL for a tag this card has no function for. The
 * dispatch table itself, for observers of the traffic (the LPA report). */
const char *isdr_es10_request_type(uint32_t tag, const char **req_type);

extern const uint8_t isdr_aid[16];	/* A0000005591010FFFFFFFF8900000100 */
extern const struct sim_app_ops isdr_app;

#endif
