/* ES10 function table entries and the ISD-R's private state. One file per
 * interface: es10a.c, es10b.c, es10c.c. */
#ifndef ISDR_ES10_H
#define ISDR_ES10_H

#include "sim/asn1.h"
#include "isdr/notif.h"
#include "isdr/session.h"

#include <stdbool.h>
#include <stdint.h>

struct sim_card;
struct sim_rbuf;

/* Top-level tags of ES10 commands (SGP.22 §5.7). */
#define SGP22_TAG_GET_EUICC_INFO1          0xBF20
#define SGP22_TAG_PREPARE_DOWNLOAD         0xBF21
#define SGP22_TAG_GET_EUICC_INFO2          0xBF22
#define SGP22_TAG_LIST_NOTIFICATION        0xBF28
#define SGP22_TAG_SET_NICKNAME             0xBF29
#define SGP22_TAG_RETRIEVE_NOTIFICATIONS   0xBF2B
#define SGP22_TAG_GET_PROFILES_INFO        0xBF2D
#define SGP22_TAG_GET_EUICC_CHALLENGE      0xBF2E
#define SGP22_TAG_REMOVE_NOTIFICATION      0xBF30
#define SGP22_TAG_ENABLE_PROFILE           0xBF31
#define SGP22_TAG_DISABLE_PROFILE          0xBF32
#define SGP22_TAG_DELETE_PROFILE           0xBF33
#define SGP22_TAG_EUICC_MEMORY_RESET       0xBF34
#define SGP22_TAG_LOAD_CRL                 0xBF35
#define SGP22_TAG_BOUND_PROFILE_PACKAGE    0xBF36
#define SGP22_TAG_AUTHENTICATE_SERVER      0xBF38
#define SGP22_TAG_CANCEL_SESSION           0xBF41
#define SGP22_TAG_GET_EUICC_CONF_ADDRESSES 0xBF3C
#define SGP22_TAG_GET_EID                  0xBF3E
#define SGP22_TAG_SET_DEFAULT_DP_ADDRESS   0xBF3F
#define SGP22_TAG_GET_RAT                  0xBF43

/* Inside the BoundProfilePackage (SGP.22 §2.5.4). */
#define SGP22_TAG_INIT_SECURE_CHANNEL      0xBF23
#define SGP22_TAG_BPP_FIRST_SEQ87          0xA0
#define SGP22_TAG_BPP_SEQ88                0xA1
#define SGP22_TAG_BPP_SECOND_SEQ87         0xA2
#define SGP22_TAG_BPP_SEQ86                0xA3

#define EUICC_CHALLENGE_LEN 16

struct isdr {
	/* RSP session (SGP.22 §3.1.2), from GetEUICCChallenge to the end of
	 * LoadBoundProfilePackage; lost on reset or power loss. */
	struct rsp_session session;
	struct notif_list notifs;
};

/* An ES10 handler gets the decoded request and builds the response node.
 * It returns 0, or a negative EU_E_* for the dispatcher to turn into a
 * status word. */
typedef int (*es10_fn)(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		       asn1_node *rsp);

int es10a_get_euicc_configured_addresses(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10a_set_default_dp_address(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10b_get_euicc_info1(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10b_get_euicc_info2(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10b_get_euicc_challenge(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10b_get_rat(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10c_get_profiles_info(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10c_get_eid(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp);
int es10b_authenticate_server(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			      asn1_node *rsp);
int es10b_prepare_download(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			   asn1_node *rsp);
int es10c_enable_profile(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			 asn1_node *rsp);
int es10c_disable_profile(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			  asn1_node *rsp);
int es10c_delete_profile(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			 asn1_node *rsp);
int es10c_memory_reset(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		       asn1_node *rsp);
int es10c_set_nickname(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		       asn1_node *rsp);
int es10b_list_notification(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			    asn1_node *rsp);
int es10b_retrieve_notifications(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
				 asn1_node *rsp);
int es10b_remove_notification(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			      asn1_node *rsp);
int es10b_cancel_session(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			 asn1_node *rsp);

/* LoadBoundProfilePackage parts (isdr/bpp.c): not one ASN.1 value each,
 * so they bypass the decoder. Returns a status word; out receives the
 * ProfileInstallationResult when the load ends. */
unsigned es10b_load_bpp(struct sim_card *card, const uint8_t *data, size_t len, struct sim_rbuf *out);
/* End a session; during a BPP load this records installFailedDueToInterruption. */
void isdr_session_abort(struct sim_card *card, const char *why);

#endif
