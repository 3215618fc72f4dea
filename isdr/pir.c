/* ProfileInstallationResult (SGP.22 §5.7.6, §2.5.6) and the end of a
 * download session. */
#include "isdr/pir.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NotificationEvent of the PIR: install (§5.7.6). */
#define PIR_OPERATION SGP22_BIT(NOTIF_INSTALL)

/* simaResponse: one EUICCResponse (PE definitions) with a single PEStatus. */
static int sima_response(unsigned status, uint8_t **out, size_t *len)
{
	asn1_node n = NULL;
	int rc;

	rc = sim_asn1_new("PEDefinitions.EUICCResponse", &n);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus", "NEW", 1);
	if (rc == 0)
		rc = sim_asn1_write_uint(n, "peStatus.?LAST.status", status);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.identification", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.additional-information", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.offset", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "profileInstallationAborted", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "statusMessage", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_encode(n, out, len);
	asn1_delete_structure(&n);
	return rc;
}

/* profileInstallationResultData of the session's download. */
static int build_data(struct isdr *isdr, unsigned long seq, unsigned command, unsigned reason,
		      asn1_node data)
{
	struct rsp_session *s = &isdr->session;
	uint8_t *sima = NULL;
	size_t sima_len = 0;
	int rc;

	TRY(sim_asn1_write(data, "transactionId", s->txid, s->txid_len));
	TRY(sim_asn1_write_uint(data, "notificationMetadata.seqNumber", seq));
	TRY(sim_asn1_write_bits(data, "notificationMetadata.profileManagementOperation", PIR_OPERATION));
	TRY(sim_asn1_write(data, "notificationMetadata.notificationAddress", s->server_address,
			   strlen(s->server_address)));
	TRY(sim_asn1_write(data, "notificationMetadata.iccid", s->metadata_done ? s->profile.iccid : NULL,
			   s->metadata_done ? ISDP_ICCID_LEN : 0));
	TRY(sim_asn1_write(data, "smdpOid", s->dppb.oid_len ? s->dppb.oid_text : NULL, 0));
	if (reason) {
		TRY(sim_asn1_write(data, "finalResult", "errorResult", 1));
		TRY(sim_asn1_write_uint(data, "finalResult.errorResult.bppCommandId", command));
		TRY(sim_asn1_write_uint(data, "finalResult.errorResult.errorReason", reason));
		return sim_asn1_write(data, "finalResult.errorResult.simaResponse", NULL, 0);
	}
	TRY(sima_response(0, &sima, &sima_len));
	rc = sim_asn1_write(data, "finalResult", "successResult", 1);
	if (rc == 0)
		rc = sim_asn1_write(data, "finalResult.successResult.aid", s->profile.aid, s->profile.aid_len);
	if (rc == 0)
		rc = sim_asn1_write(data, "finalResult.successResult.simaResponse", sima, sima_len);
	free(sima);
	return rc;
}

int pir_build(struct isdr *isdr, unsigned long seq, unsigned command, unsigned reason, uint8_t **out,
	      size_t *out_len)
{
	asn1_node data = NULL, pir = NULL;
	uint8_t *data_der = NULL, sig[ECASD_SIG_LEN];
	size_t data_len = 0;
	int rc;

	rc = sim_asn1_new("RSPDefinitions.ProfileInstallationResultData", &data);
	if (rc == 0)
		rc = build_data(isdr, seq, command, reason, data);
	if (rc == 0)
		rc = sim_asn1_encode(data, &data_der, &data_len);
	if (rc == 0)
		rc = CRYPTO(ecasd_sign(isdr->env.ecasd, isdr->session.cred, data_der, data_len, sig));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.ProfileInstallationResult", &pir);
	if (rc == 0)
		rc = sim_asn1_set_der(pir, "profileInstallationResultData", data_der, data_len);
	if (rc == 0)
		rc = sim_asn1_write(pir, "euiccSignPIR", sig, sizeof(sig));
	if (rc == 0)
		rc = sim_asn1_encode(pir, out, out_len);
	free(data_der);
	asn1_delete_structure(&data);
	asn1_delete_structure(&pir);
	return rc;
}

int pir_keep(struct isdr *isdr, unsigned long seq, const uint8_t *pir, size_t len)
{
	struct rsp_session *s = &isdr->session;
	struct notif n = { .seq = seq, .event = NOTIF_INSTALL };
	int rc;

	snprintf(n.address, sizeof(n.address), "%s", s->server_address);
	if (s->metadata_done) {
		memcpy(n.iccid, s->profile.iccid, sizeof(n.iccid));
		n.has_iccid = true;
	}
	n.pending = malloc(len);
	if (!n.pending)
		return -EU_E_NOMEM;
	memcpy(n.pending, pir, len);
	n.pending_len = len;
	rc = notif_append(&isdr->notifs, &n);
	free(n.pending);	/* NULL when the list took it */
	return rc;
}

unsigned isdr_load_fail(struct isdr *isdr, unsigned reason, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	unsigned command = s->bpp_command;
	unsigned long seq = notif_take_seq(&isdr->notifs);
	uint8_t *pir = NULL;
	size_t len = 0;
	int rc;

	LOG_INFO("ES10b.LoadBoundProfilePackage: %s failed: %s(%u)", sgp22_bpp_command_name(command),
		 sgp22_error_reason_name(reason), reason);
	rc = pir_build(isdr, seq, command, reason, &pir, &len);
	if (rc == 0 && pir_keep(isdr, seq, pir, len) == 0) {
		if (isdr_persist(isdr) < 0) {
			notif_drop_last(&isdr->notifs);
			LOG_ERR("ES10b.LoadBoundProfilePackage: cannot persist the failure notification");
		}
	} else {
		notif_return_seq(&isdr->notifs);
		if (notif_full(&isdr->notifs))
			LOG_INFO("ES10b.LoadBoundProfilePackage: %d notifications pending, this result is not "
				 "kept: send them and remove them with RemoveNotificationFromList", NOTIF_MAX);
	}
	rsp_session_clear(s);
	if (rc < 0 || sim_rbuf_put(out, pir, len) < 0) {
		free(pir);
		return SW_UNKNOWN;
	}
	free(pir);
	return SW_OK;
}

void isdr_session_end(struct isdr *isdr, const char *why)
{
	struct rsp_session *s = &isdr->session;
	struct sim_rbuf discard = { 0 };

	if (s->state >= RSP_BPP_SECURED) {
		/* §5.7.6: an interrupted load leaves an errorResult behind, so
		 * the SM-DP+ learns of it through the notification. */
		LOG_INFO("ES10b.LoadBoundProfilePackage interrupted (%s)", why ? why : "session ended");
		isdr_load_fail(isdr, ER_INTERRUPTION, &discard);
		sim_rbuf_free(&discard);
		return;
	}
	if (why && s->state != RSP_IDLE)
		LOG_INFO("RSP session ended (%s)", why);
	rsp_session_clear(s);
}
