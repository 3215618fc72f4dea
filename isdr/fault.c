/* Injected faults (isdr/fault.h): the error structure of each ES10
 * function, as the function itself would build it. */
#include "isdr/fault.h"
#include "isdr/es10.h"
#include "isdr/pir.h"
#include "sim/err.h"
#include "sim/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each function's error code goes in its response. */
static const struct error_shape {
	const char *function;
	const char *type;	/* the response type */
	const char *branch;	/* its error alternative, or NULL: a plain result field */
	const char *field;	/* the code's field (under branch) */
	const char *txid;	/* the request's transactionId, echoed, or NULL */
	bool ends_session;	/* a refusal ends the RSP session */
} shapes[] = {
	{ "ES10b.AuthenticateServer", "RSPDefinitions.AuthenticateServerResponse", "authenticateResponseError",
	  "authenticateErrorCode", "serverSigned1.transactionId", true },
	{ "ES10b.PrepareDownload", "RSPDefinitions.PrepareDownloadResponse", "downloadResponseError",
	  "downloadErrorCode", "smdpSigned2.transactionId", true },
	{ "ES10b.CancelSession", "RSPDefinitions.CancelSessionResponse", "cancelSessionResponseError", NULL,
	  NULL, false },
	{ "ES10b.ListNotification", "RSPDefinitions.ListNotificationResponse", "listNotificationsResultError",
	  NULL, NULL, false },
	{ "ES10b.RetrieveNotificationsList", "RSPDefinitions.RetrieveNotificationsListResponse",
	  "notificationsListResultError", NULL, NULL, false },
	{ "ES10b.RemoveNotificationFromList", "RSPDefinitions.NotificationSentResponse", NULL,
	  "deleteNotificationStatus", NULL, false },
	{ "ES10a.SetDefaultDpAddress", "RSPDefinitions.SetDefaultDpAddressResponse", NULL,
	  "setDefaultDpAddressResult", NULL, false },
	{ "ES10c.GetProfilesInfo", "RSPDefinitions.ProfileInfoListResponse", "profileInfoListError", NULL, NULL,
	  false },
	{ "ES10c.EnableProfile", "RSPDefinitions.EnableProfileResponse", NULL, "enableResult", NULL, false },
	{ "ES10c.DisableProfile", "RSPDefinitions.DisableProfileResponse", NULL, "disableResult", NULL, false },
	{ "ES10c.DeleteProfile", "RSPDefinitions.DeleteProfileResponse", NULL, "deleteResult", NULL, false },
	{ "ES10c.eUICCMemoryReset", "RSPDefinitions.EuiccMemoryResetResponse", NULL, "resetResult", NULL, false },
	{ "ES10c.SetNickname", "RSPDefinitions.SetNicknameResponse", NULL, "setNicknameResult", NULL, false },
};

#define LOAD_BPP "ES10b.LoadBoundProfilePackage"

static const struct error_shape *shape_of(const char *function)
{
	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++)
		if (!strcmp(shapes[i].function, function))
			return &shapes[i];
	return NULL;
}

bool isdr_fault_has_error(const char *function)
{
	return shape_of(function) || !strcmp(function, LOAD_BPP);
}

long isdr_error_reason(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text && !*end)
		return v > 0 && strcmp(sgp22_error_reason_name((unsigned long)v), "?") ? v : -1;
#define ER_BY_NAME(name, val, str) if (!strcmp(text, str)) return val;
	SGP22_ERROR_REASONS(ER_BY_NAME)
#undef ER_BY_NAME
	return -1;
}

int isdr_arm_fault(struct isdr *isdr, enum isdr_fault_kind kind, const char *function, unsigned long code)
{
	const struct error_shape *sh = shape_of(function);

	if (kind == ISDR_FAULT_BPP_ERROR || !strcmp(function, LOAD_BPP)) {
		/* error=N on the BPP is an errorResult with reason N */
		if (!strcmp(sgp22_error_reason_name(code), "?") || strcmp(function, LOAD_BPP))
			return -EU_E_PARAM;
		isdr->fault.function = LOAD_BPP;
	} else if (kind == ISDR_FAULT_ERROR && sh) {
		isdr->fault.function = sh->function;
	} else {
		return -EU_E_PARAM;
	}
	isdr->fault.kind = (int)kind;
	isdr->fault.code = code;
	return 0;
}

int isdr_fault_answer(struct isdr *isdr, const char *function, unsigned long code, asn1_node req,
		      asn1_node *rsp)
{
	const struct error_shape *sh = shape_of(function);
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len = 0;
	char name[96];

	if (!sh)
		return -EU_E_PARAM;
	LOG_INFO("%s: injected fault: error code %lu", function, code);
	if (sh->ends_session)
		isdr_session_end(isdr, "injected fault");
	if (sh->txid && sim_asn1_read(req, sh->txid, txid, sizeof(txid), &txid_len) < 0)
		txid_len = 0;
	TRY(sim_asn1_new(sh->type, rsp));
	if (sh->branch)
		TRY(sim_asn1_write(*rsp, "", sh->branch, 1));
	if (sh->txid) {
		snprintf(name, sizeof(name), "%s.transactionId", sh->branch);
		TRY(sim_asn1_write(*rsp, name, txid, txid_len));
	}
	if (sh->branch && sh->field)
		snprintf(name, sizeof(name), "%s.%s", sh->branch, sh->field);
	else
		snprintf(name, sizeof(name), "%s", sh->branch ? sh->branch : sh->field);
	return sim_asn1_write_uint(*rsp, name, code);
}
