/* The ISD-R's section of the state file: [0] DefaultDpAddress, [1]
 * NextSeqNumber, [4] Notifications (isdr/state.asn). */
#include "isdr/es10.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_DEFAULT_DP 0
#define TAG_NEXT_SEQ 1
#define TAG_NOTIFICATIONS 4

static int write_notification(asn1_node list, const struct notif *n)
{
	TRY(sim_asn1_write(list, "", "NEW", 1));
	TRY(sim_asn1_write_uint(list, "?LAST.seqNumber", n->seq));
	TRY(sim_asn1_write_uint(list, "?LAST.event", n->event));
	TRY(sim_asn1_write(list, "?LAST.address", n->address, strlen(n->address)));
	TRY(sim_asn1_write(list, "?LAST.iccid", n->has_iccid ? n->iccid : NULL, n->has_iccid ? sizeof(n->iccid) : 0));
	return sim_asn1_write(list, "?LAST.pending", n->pending, n->pending_len);
}

static int save(void *arg, struct sim_store_out *out)
{
	const struct isdr *isdr = arg;
	const struct notif_list *l = &isdr->notifs;
	asn1_node dp = NULL, seq = NULL, list = NULL;
	int rc = 0;

	if (isdr->default_dp[0]) {
		rc = sim_asn1_new("IsdrState.DefaultDpAddress", &dp);
		if (rc == 0)
			rc = sim_asn1_write(dp, "", isdr->default_dp, strlen(isdr->default_dp));
		if (rc == 0)
			rc = sim_store_put_asn1(out, TAG_DEFAULT_DP, dp);
	}
	if (rc == 0)
		rc = sim_asn1_new("IsdrState.NextSeqNumber", &seq);
	if (rc == 0)
		rc = sim_asn1_write_uint(seq, "", l->next_seq ? l->next_seq : 1);
	if (rc == 0)
		rc = sim_store_put_asn1(out, TAG_NEXT_SEQ, seq);
	if (rc == 0 && l->n) {
		rc = sim_asn1_new("IsdrState.Notifications", &list);
		for (size_t i = 0; rc == 0 && i < l->n; i++)
			rc = write_notification(list, &l->v[i]);
		if (rc == 0)
			rc = sim_store_put_asn1(out, TAG_NOTIFICATIONS, list);
	}
	asn1_delete_structure(&dp);
	asn1_delete_structure(&seq);
	asn1_delete_structure(&list);
	return rc;
}

/* What ListNotification shows (the stored fields) and what
 * RetrieveNotificationsList returns (the PendingNotification, as signed)
 * must say the same: number, event, address, ICCID. (A state file could
 * make them differ: found by fuzz_state.) */
static int pending_agrees(asn1_node pn, const struct notif *n)
{
	char alt[40], name[128], addr[NOTIF_ADDR_MAX + 1];
	const char *md;
	uint8_t iccid[sizeof(n->iccid) + 1];
	unsigned long seq;
	uint32_t bits;
	size_t len;
	int rc;

	if (sim_asn1_read(pn, "", (uint8_t *)alt, sizeof(alt) - 1, &len) < 0)
		return -EU_E_CORRUPT;
	alt[len] = 0;
	md = !strcmp(alt, "profileInstallationResult") ?
		     "profileInstallationResult.profileInstallationResultData.notificationMetadata" :
		     "otherSignedNotification.tbsOtherNotification";
#define F(f) (snprintf(name, sizeof(name), "%s.%s", md, f), name)
	if (sim_asn1_read_uint(pn, F("seqNumber"), &seq) < 0 || seq != n->seq ||
	    sim_asn1_read_bits(pn, F("profileManagementOperation"), &bits) < 0 || bits != 1u << n->event ||
	    sim_asn1_read(pn, F("notificationAddress"), (uint8_t *)addr, sizeof(addr) - 1, &len) < 0 ||
	    len != strlen(n->address) || memcmp(addr, n->address, len))
		return -EU_E_CORRUPT;
	rc = sim_asn1_read(pn, F("iccid"), iccid, sizeof(iccid), &len);
#undef F
	if (rc == -EU_E_NOT_FOUND ? n->has_iccid : rc < 0 || !n->has_iccid || len != sizeof(n->iccid) ||
								   memcmp(iccid, n->iccid, len))
		return -EU_E_CORRUPT;
	return 0;
}

static int read_notification(asn1_node list, int i, unsigned long next_seq, struct notif *n)
{
	asn1_node pn = NULL;
	char name[64];
	unsigned long v;
	size_t len;
	int rc;

#define F(f) (snprintf(name, sizeof(name), "?%d.%s", i, f), name)
	TRY(sim_asn1_read_uint(list, F("seqNumber"), &n->seq));
	TRY(sim_asn1_read_uint(list, F("event"), &v));
	if (v > NOTIF_DELETE)
		return -EU_E_CORRUPT;
	n->event = (enum notif_event)v;
	TRY(sim_asn1_read(list, F("address"), (uint8_t *)n->address, NOTIF_ADDR_MAX, &len));
	n->address[len] = 0;
	if (strlen(n->address) != len)
		return -EU_E_CORRUPT;
	rc = sim_asn1_read(list, F("iccid"), n->iccid, sizeof(n->iccid), &len);
	n->has_iccid = rc == 0 && len == sizeof(n->iccid);
	if (rc < 0 && rc != -EU_E_NOT_FOUND)
		return rc;
	if (sim_asn1_read_alloc(list, F("pending"), &n->pending, &n->pending_len) < 0 || n->pending_len == 0)
		return -EU_E_CORRUPT;
#undef F
	if (n->seq >= next_seq)
		return -EU_E_CORRUPT;	/* numbers are never reused */
	/* it will be returned as it is: it must be one, and this one */
	rc = sim_asn1_decode("RSPDefinitions.PendingNotification", n->pending, n->pending_len, &pn);
	if (rc == 0)
		rc = pending_agrees(pn, n);
	asn1_delete_structure(&pn);
	return rc < 0 ? -EU_E_CORRUPT : 0;
}

static int load(void *arg, const struct sim_store_in *in)
{
	struct isdr *isdr = arg;
	struct notif_list *l = &isdr->notifs;
	asn1_node node = NULL;
	size_t n;
	int count = 0, rc;

	/* A card without a state file keeps the configured default SM-DP+;
	 * in a state file, a missing address means none. A load replaces
	 * what the ISD-R held (sim/store.h). */
	notif_list_free(l);
	if (!sim_store_fresh(in))
		isdr->default_dp[0] = 0;
	rc = sim_store_get_asn1(in, TAG_DEFAULT_DP, "IsdrState.DefaultDpAddress", &node);
	if (rc == 0) {
		rc = sim_asn1_read(node, "", (uint8_t *)isdr->default_dp, SGP22_ADDR_MAX, &n);
		isdr->default_dp[rc == 0 ? n : 0] = 0;
		/* only what SetDefaultDpAddress takes (found by fuzz_state) */
		if (rc == 0 && !isdp_address_ok((const uint8_t *)isdr->default_dp, n))
			rc = -EU_E_CORRUPT;
	}
	asn1_delete_structure(&node);
	if (rc < 0 && rc != -EU_E_NOT_FOUND)
		return -EU_E_CORRUPT;
	rc = sim_store_get_asn1(in, TAG_NEXT_SEQ, "IsdrState.NextSeqNumber", &node);
	if (rc == 0)
		rc = sim_asn1_read_uint(node, "", &l->next_seq);
	asn1_delete_structure(&node);
	if (rc < 0 && rc != -EU_E_NOT_FOUND)
		return rc;
	rc = sim_store_get_asn1(in, TAG_NOTIFICATIONS, "IsdrState.Notifications", &node);
	if (rc == -EU_E_NOT_FOUND)
		return 0;
	TRY(rc);
	if (asn1_number_of_elements(node, "", &count) != ASN1_SUCCESS)
		count = 0;
	rc = count > NOTIF_MAX ? -EU_E_CORRUPT : 0;
	for (int i = 1; i <= count && rc == 0; i++) {
		struct notif nt = { 0 };

		rc = read_notification(node, i, l->next_seq, &nt);
		/* each number once: RemoveNotificationFromList names one */
		for (size_t k = 0; rc == 0 && k < l->n; k++)
			if (l->v[k].seq == nt.seq)
				rc = -EU_E_CORRUPT;
		if (rc == 0)
			rc = notif_append(l, &nt);
		notif_clear(&nt);	/* empty when the list took it */
	}
	asn1_delete_structure(&node);
	return rc;
}

void isdr_state_section(struct isdr *isdr, struct sim_store_section *sec)
{
	memset(sec, 0, sizeof(*sec));
	sec->name = "default address and notifications";
	sec->tags = 1u << TAG_DEFAULT_DP | 1u << TAG_NEXT_SEQ | 1u << TAG_NOTIFICATIONS;
	sec->save = save;
	sec->load = load;
	sec->arg = isdr;
}
