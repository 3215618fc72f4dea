/* The ISD-R's private state and its ES10 functions. One file per
 * interface: es10a.c, es10b.c (+ download.c, bpp.c, es10b_notif.c),
 * es10c.c (+ es10c_mgmt.c); isdr.c dispatches. */
#ifndef ISDR_ES10_H
#define ISDR_ES10_H

#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "isdr/session.h"
#include "isdr/sgp22.h"
#include "sim/app.h"
#include "sim/asn1.h"
#include "sim/asn1_ext.h"
#include "sim/gp.h"

#include <stdbool.h>
#include <stdint.h>

/* Largest ES10 command reassembled from STORE DATA blocks. */
#define ISDR_STORE_DATA_MAX (64u * 1024u)

struct isdr {
	struct isdr_env env;
	const struct isdr_config *cfg;	/* = env.cfg */
	/* RSP session (SGP.22 §3.1.2), from GetEUICCChallenge to the end of
	 * LoadBoundProfilePackage; lost on reset or power loss. */
	struct rsp_session session;
	struct notif_list notifs;
	char default_dp[SGP22_ADDR_MAX + 1];	/* "" when none */
	struct sim_gp_store_data sd[SIM_MAX_CHANNELS];
	/* An injected fault for the next function (isdr/fault.h). */
	struct {
		int kind;		/* enum isdr_fault_kind */
		const char *function;	/* the name in es10_table */
		unsigned long code;
	} fault;
	struct isdr_deviations deviations;
};

/* Write the card state now (env.persist). */
static inline int isdr_persist(struct isdr *isdr)
{
	return isdr->env.persist ? isdr->env.persist(isdr->env.arg) : 0;
}

/* An ES10 handler gets the decoded request (what the card understood of
 * it) and x, the request as received (sim_asn1_ext_span() for what is
 * signed or echoed), and builds the response node. It returns 0, or a
 * negative EU_E_* for the dispatcher to turn into a status word:
 * -EU_E_PARAM and -EU_E_NOT_FOUND (a field missing or unusable) mean a
 * malformed request, 6A80; anything else is the card's failure, 6F00. */
typedef int (*es10_fn)(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x, asn1_node *rsp);

#define ES10_FN(name) int name(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x, asn1_node *rsp)
ES10_FN(es10a_get_euicc_configured_addresses);
ES10_FN(es10a_set_default_dp_address);
ES10_FN(es10b_get_euicc_info1);
ES10_FN(es10b_get_euicc_info2);
ES10_FN(es10b_get_euicc_challenge);
ES10_FN(es10b_get_rat);
ES10_FN(es10b_authenticate_server);
ES10_FN(es10b_prepare_download);
ES10_FN(es10b_cancel_session);
ES10_FN(es10b_list_notification);
ES10_FN(es10b_retrieve_notifications);
ES10_FN(es10b_remove_notification);
ES10_FN(es10c_get_profiles_info);
ES10_FN(es10c_get_eid);
ES10_FN(es10c_enable_profile);
ES10_FN(es10c_disable_profile);
ES10_FN(es10c_delete_profile);
ES10_FN(es10c_memory_reset);
ES10_FN(es10c_set_nickname);
#undef ES10_FN

/* LoadBoundProfilePackage pieces (isdr/bpp.c): not one ASN.1 value each,
 * so they bypass the decoder. Returns a status word; out receives the
 * ProfileInstallationResult when the load ends. fault_reason, when not 0,
 * is an injected ErrorReason for this piece. */
unsigned es10b_load_bpp(struct isdr *isdr, const uint8_t *data, size_t len, unsigned fault_reason,
			struct sim_rbuf *out);

/* The answer an armed fault gives instead of running function (isdr/fault.c):
 * 0 with *rsp set, or an error. */
int isdr_fault_answer(struct isdr *isdr, const char *function, unsigned long code, asn1_node req,
		      asn1_node *rsp);

/* Decode a request or BPP element of `type` with the extensibility rules
 * (sim/asn1_ext.h): each deviation is traced under the function name and
 * recorded; in strict mode any deviation refuses it (-EU_E_STRICT).
 * Release x with sim_asn1_ext_free() whatever the result. */
int isdr_decode(struct isdr *isdr, const char *function, const char *type, const uint8_t *der, size_t len,
		asn1_node *out, struct sim_asn1_ext *x);

/* The configured default SM-DP+ address: set (persisted) or "" removes. */
int isdr_set_default_dp(struct isdr *isdr, const char *addr);

#endif
