/* ES10b notification functions: ListNotification (SGP.22 §5.7.9),
 * RetrieveNotificationsList (§5.7.10), RemoveNotificationFromList
 * (§5.7.11). */
#include "isdr/es10.h"
#include "isdr/notif.h"
#include "sim/err.h"
#include "sim/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A NotificationEvent filter: one bit set (§5.7.9); returns -1 when the
 * request has none. */
static int read_event_filter(asn1_node req, const char *name, int *event)
{
	uint32_t bits;
	int rc = sim_asn1_read_bits(req, name, &bits), found = -1;

	if (rc == -EU_E_NOT_FOUND) {
		*event = -1;
		return 0;
	}
	if (rc < 0)
		return -EU_E_PARAM;
	for (int b = 0; b < 32; b++) {
		if (bits & (1u << b)) {
			if (found >= 0)
				return -EU_E_PARAM;	/* more than one event */
			found = b;
		}
	}
	if (found < 0 || found > NOTIF_DELETE)
		return -EU_E_PARAM;
	*event = found;
	return 0;
}

int es10b_list_notification(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			    asn1_node *rsp)
{
	const struct notif_list *l = &isdr->notifs;
	int event;

	(void)x;
	TRY(read_event_filter(req, "profileManagementOperation", &event));
	TRY(sim_asn1_new("RSPDefinitions.ListNotificationResponse", rsp));
	TRY(sim_asn1_write(*rsp, "", "notificationMetadataList", 1));
	for (size_t i = 0; i < l->n; i++) {
		const struct notif *n = &l->v[i];

		if (event >= 0 && (int)n->event != event)
			continue;
		TRY(sim_asn1_write(*rsp, "notificationMetadataList", "NEW", 1));
		TRY(sim_asn1_write_uint(*rsp, "notificationMetadataList.?LAST.seqNumber", n->seq));
		TRY(sim_asn1_write_bits(*rsp, "notificationMetadataList.?LAST.profileManagementOperation",
					1u << n->event));
		TRY(sim_asn1_write(*rsp, "notificationMetadataList.?LAST.notificationAddress", n->address,
				   strlen(n->address)));
		TRY(sim_asn1_write(*rsp, "notificationMetadataList.?LAST.iccid", n->has_iccid ? n->iccid : NULL,
				   n->has_iccid ? sizeof(n->iccid) : 0));
	}
	return 0;
}

int es10b_retrieve_notifications(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
				 asn1_node *rsp)
{
	const struct notif_list *l = &isdr->notifs;
	char crit[40];
	size_t n = 0, found = 0;
	unsigned long seq = 0;
	int event = -1, rc;

	(void)x;
	rc = sim_asn1_read(req, "searchCriteria", (uint8_t *)crit, sizeof(crit) - 1, &n);
	if (rc == 0) {
		crit[n] = 0;
		if (!strcmp(crit, "seqNumber")) {
			if (sim_asn1_read_uint(req, "searchCriteria.seqNumber", &seq) < 0)
				return -EU_E_PARAM;	/* not a number this card can hold */
		} else {
			TRY(read_event_filter(req, "searchCriteria.profileManagementOperation", &event));
		}
	} else if (rc != -EU_E_NOT_FOUND) {
		return -EU_E_PARAM;
	} else {
		crit[0] = 0;
	}
	TRY(sim_asn1_new("RSPDefinitions.RetrieveNotificationsListResponse", rsp));
	TRY(sim_asn1_write(*rsp, "", "notificationList", 1));
	for (size_t i = 0; i < l->n; i++) {
		const struct notif *nt = &l->v[i];

		if (!strcmp(crit, "seqNumber") && nt->seq != seq)
			continue;
		if (event >= 0 && (int)nt->event != event)
			continue;
		/* Each entry is stored exactly as it was signed. */
		TRY(sim_asn1_write(*rsp, "notificationList", "NEW", 1));
		TRY(sim_asn1_set_der(*rsp, "notificationList.?LAST", nt->pending, nt->pending_len));
		found++;
	}
	if (found == 0 && crit[0]) {
		/* §5.7.10: a search that finds nothing is noResultAvailable. */
		asn1_delete_structure(rsp);
		TRY(sim_asn1_new("RSPDefinitions.RetrieveNotificationsListResponse", rsp));
		TRY(sim_asn1_write(*rsp, "", "notificationsListResultError", 1));
		return sim_asn1_write_uint(*rsp, "notificationsListResultError", RETRIEVE_NO_RESULT);
	}
	return 0;
}

int es10b_remove_notification(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			      asn1_node *rsp)
{
	unsigned long seq, status = REMOVE_NOTHING_TO_DELETE;
	struct notif_list *l = &isdr->notifs;

	(void)x;
	if (sim_asn1_read_uint(req, "seqNumber", &seq) < 0)
		return -EU_E_PARAM;	/* missing, negative or too long: malformed */
	for (size_t i = 0; i < l->n; i++) {
		struct notif removed;

		if (l->v[i].seq != seq)
			continue;
		notif_remove(l, i, &removed);
		if (isdr_persist(isdr) < 0) {
			notif_insert(l, i, &removed);	/* memory follows the disk */
			status = REMOVE_UNDEFINED_ERROR;
		} else {
			notif_clear(&removed);
			status = REMOVE_OK;
		}
		break;
	}
	LOG_INFO("ES10b.RemoveNotificationFromList: seqNumber %lu: %s", seq, sgp22_remove_result_name(status));
	TRY(sim_asn1_new("RSPDefinitions.NotificationSentResponse", rsp));
	return sim_asn1_write_uint(*rsp, "deleteNotificationStatus", status);
}
