/* ES10 dispatch: the outer tag picks the function, the request is decoded
 * (strict DER, exactly one element) against its ASN.1 type, the handler
 * builds the response, and the response is DER-encoded. */
#include "isdr/isdr.h"
#include "isdr/es10.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/tlv.h"
#include "ecasd/ecka.h"
#include "profiles/saip.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static const struct es10_entry {
	uint32_t tag;
	const char *name;
	const char *req_type;	/* NULL: the request SHALL be empty */
	es10_fn fn;
} es10_table[] = {
	{ SGP22_TAG_GET_EUICC_CONF_ADDRESSES, "ES10a.GetEuiccConfiguredAddresses",
	  NULL, es10a_get_euicc_configured_addresses },
	{ SGP22_TAG_SET_DEFAULT_DP_ADDRESS, "ES10a.SetDefaultDpAddress",
	  "RSPDefinitions.SetDefaultDpAddressRequest", es10a_set_default_dp_address },
	{ SGP22_TAG_GET_EUICC_INFO1, "ES10b.GetEUICCInfo1",
	  NULL, es10b_get_euicc_info1 },
	{ SGP22_TAG_GET_EUICC_INFO2, "ES10b.GetEUICCInfo2",
	  NULL, es10b_get_euicc_info2 },
	{ SGP22_TAG_GET_EUICC_CHALLENGE, "ES10b.GetEUICCChallenge",
	  NULL, es10b_get_euicc_challenge },
	{ SGP22_TAG_GET_RAT, "ES10b.GetRAT",
	  NULL, es10b_get_rat },
	{ SGP22_TAG_AUTHENTICATE_SERVER, "ES10b.AuthenticateServer",
	  "RSPDefinitions.AuthenticateServerRequest", es10b_authenticate_server },
	{ SGP22_TAG_PREPARE_DOWNLOAD, "ES10b.PrepareDownload",
	  "RSPDefinitions.PrepareDownloadRequest", es10b_prepare_download },
	{ SGP22_TAG_CANCEL_SESSION, "ES10b.CancelSession",
	  "RSPDefinitions.CancelSessionRequest", es10b_cancel_session },
	{ SGP22_TAG_LIST_NOTIFICATION, "ES10b.ListNotification",
	  "RSPDefinitions.ListNotificationRequest", es10b_list_notification },
	{ SGP22_TAG_RETRIEVE_NOTIFICATIONS, "ES10b.RetrieveNotificationsList",
	  "RSPDefinitions.RetrieveNotificationsListRequest", es10b_retrieve_notifications },
	{ SGP22_TAG_REMOVE_NOTIFICATION, "ES10b.RemoveNotificationFromList",
	  "RSPDefinitions.NotificationSentRequest", es10b_remove_notification },
	{ SGP22_TAG_GET_PROFILES_INFO, "ES10c.GetProfilesInfo",
	  "RSPDefinitions.ProfileInfoListRequest", es10c_get_profiles_info },
	{ SGP22_TAG_ENABLE_PROFILE, "ES10c.EnableProfile",
	  "RSPDefinitions.EnableProfileRequest", es10c_enable_profile },
	{ SGP22_TAG_DISABLE_PROFILE, "ES10c.DisableProfile",
	  "RSPDefinitions.DisableProfileRequest", es10c_disable_profile },
	{ SGP22_TAG_DELETE_PROFILE, "ES10c.DeleteProfile",
	  "RSPDefinitions.DeleteProfileRequest", es10c_delete_profile },
	{ SGP22_TAG_EUICC_MEMORY_RESET, "ES10c.eUICCMemoryReset",
	  "RSPDefinitions.EuiccMemoryResetRequest", es10c_memory_reset },
	{ SGP22_TAG_SET_NICKNAME, "ES10c.SetNickname",
	  "RSPDefinitions.SetNicknameRequest", es10c_set_nickname },
	{ SGP22_TAG_GET_EID, "ES10c.GetEID",
	  "RSPDefinitions.GetEuiccDataRequest", es10c_get_eid },
};

/* Functions of SGP.22 this card does not (yet) provide, named so that the
 * trace says which one was asked for. */
static const struct {
	uint32_t tag;
	const char *name;
} es10_unsupported[] = {
	{ SGP22_TAG_LOAD_CRL, "ES10b.LoadCRL" },
};

int isdr_new(struct sim_card *card, struct isdr **out)
{
	struct isdr *isdr = calloc(1, sizeof(*isdr));

	asn1_node rat = NULL;
	int rc;

	if (!isdr)
		return -EU_E_NOMEM;
	rc = sim_asn1_init();
	if (rc == 0 && card->cfg->rat_len) {
		/* Check the configured RAT once, so GetRAT cannot fail later. */
		rc = sim_asn1_decode("RSPDefinitions.RulesAuthorisationTable", card->cfg->rat,
				     card->cfg->rat_len, &rat);
		if (rc < 0)
			LOG_ERR("config: rat is not a DER RulesAuthorisationTable (SGP.22 §2.9.2.1)");
		asn1_delete_structure(&rat);
	}
	if (rc < 0) {
		free(isdr);
		return rc;
	}
	*out = isdr;
	return 0;
}

void isdr_free(struct isdr *isdr)
{
	if (!isdr)
		return;
	rsp_session_clear(&isdr->session);
	notif_list_free(&isdr->notifs);
	OPENSSL_cleanse(isdr, sizeof(*isdr));
	free(isdr);
}

const char *rsp_state_name(enum rsp_state st)
{
	switch (st) {
#define RSP_CASE(name, str) case name: return str;
	RSP_STATES(RSP_CASE)
#undef RSP_CASE
	}
	return "?";
}

void rsp_session_clear(struct rsp_session *s)
{
	ecasd_ecka_free(s->otsk);
	ecasd_server_clear(&s->dpauth);
	ecasd_server_clear(&s->dppb);
	bsp_clear(&s->bsp);
	if (s->metadata)
		OPENSSL_cleanse(s->metadata, s->metadata_len);
	free(s->metadata);
	isdp_profile_clear(&s->profile);
	if (s->pe) {
		saip_stream_abort(s->pe);
		free(s->pe);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	s->state = RSP_IDLE;
}

void isdr_session_reset(struct sim_card *card)
{
	if (card->isdr && card->store)
		isdr_session_abort(card, "card reset or power loss");
}

/* Pieces of a BoundProfilePackage after its first STORE DATA: they are
 * recognised by their tag (no ES10 function uses these). */
static bool is_bpp_part(uint32_t tag)
{
	return tag == SGP22_TAG_BOUND_PROFILE_PACKAGE || tag == SGP22_TAG_BPP_FIRST_SEQ87 ||
	       tag == SGP22_TAG_BPP_SEQ88 || tag == SGP22_TAG_BPP_SECOND_SEQ87 || tag == SGP22_TAG_BPP_SEQ86 ||
	       tag == BSP_TAG_PPP || tag == BSP_TAG_ENC || tag == BSP_TAG_MAC;
}

unsigned isdr_es10(struct sim_card *card, const uint8_t *req, size_t len, struct sim_rbuf *out)
{
	const struct es10_entry *e = NULL;
	asn1_node rq = NULL, rs = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	struct tlv t;
	unsigned sw;
	int rc;

	rc = tlv_parse_header(req, len, &t);
	if (rc < 0 && card->isdr->session.state < RSP_BPP_SECURED) {
		LOG_INFO("ES10: command data is not a TLV (%s) -> 6A80", eu_strerror(rc));
		return SW_WRONG_DATA;
	}
	if (rc < 0 || is_bpp_part(t.tag)) {
		sw = es10b_load_bpp(card, req, len, out);
		if (sw != SW_OK || out->len)
			LOG_INFO("ES10b.LoadBoundProfilePackage -> %04X (%zu bytes)", sw, out->len);
		return sw;
	}
	for (size_t i = 0; i < ARRAY_SIZE(es10_table); i++)
		if (es10_table[i].tag == t.tag)
			e = &es10_table[i];
	if (!e) {
		const char *name = "unknown function";

		for (size_t i = 0; i < ARRAY_SIZE(es10_unsupported); i++)
			if (es10_unsupported[i].tag == t.tag)
				name = es10_unsupported[i].name;
		LOG_INFO("ES10 tag %04X (%s): not supported by this card -> 6A88", (unsigned)t.tag, name);
		return SW_REF_DATA_NOT_FOUND;
	}
	/* Requests without fields: libtasn1 cannot express an empty
	 * SEQUENCE, so the rule is checked here (value length 0). */
	if (e->req_type)
		rc = sim_asn1_decode(e->req_type, req, len, &rq);
	else
		rc = tlv_parse_exact(req, len, &t) < 0 ? -EU_E_NOT_DER : t.len ? -EU_E_TRAILING : 0;
	if (rc < 0) {
		LOG_INFO("%s: malformed request (%s) -> 6A80", e->name, eu_strerror(rc));
		return SW_WRONG_DATA;
	}
	/* Another (well-formed) function during a BPP load interrupts it
	 * (§5.7.6); refused commands above leave the load alone. */
	if (card->isdr->session.state >= RSP_BPP_SECURED)
		isdr_session_abort(card, "another ES10 command arrived");
	rc = e->fn(card, rq, req, len, &rs);
	if (rc == 0)
		rc = sim_asn1_encode(rs, &der, &der_len);
	if (rc == 0)
		rc = sim_rbuf_put(out, der, der_len);
	if (rc == -EU_E_PARAM) {
		sw = SW_WRONG_DATA;
	} else if (rc < 0) {
		sw = SW_UNKNOWN;
	} else {
		sw = SW_OK;
	}
	LOG_INFO("%s -> %04X%s%s (%zu bytes)", e->name, sw, rc < 0 ? ": " : "",
		 rc < 0 ? eu_strerror(rc) : "", der_len);
	free(der);
	asn1_delete_structure(&rq);
	asn1_delete_structure(&rs);
	return sw;
}
