/* ES10c profile management: EnableProfile (SGP.22 §5.7.16), DisableProfile
 * (§5.7.17), DeleteProfile (§5.7.18), eUICCMemoryReset (§5.7.19),
 * SetNickname (§5.7.21).
 *
 * Every change (profile states, deletions, new notifications) is made in
 * memory, persisted in one write, and rolled back if that write fails:
 * the answer then is undefinedError and nothing changed. */
#include "isdr/es10.h"
#include "isdr/notif.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PPR1_NO_DISABLE	SGP22_BIT(SGP22_PPR1)
#define PPR2_NO_DELETE	SGP22_BIT(SGP22_PPR2)
#define PPR3_DELETE_ON_DISABLE SGP22_BIT(SGP22_PPR3)

/* ---- a change in progress --------------------------------------------------- */

struct change {
	enum isdp_state states[ISDP_MAX_PROFILES];
	size_t n_notifs;
	unsigned long next_seq;
};

static void change_begin(struct isdr *isdr, struct change *c)
{
	const struct notif_list *l = &isdr->notifs;

	for (size_t i = 0; i < isdp_count(isdr->env.isdp); i++)
		c->states[i] = isdp_get(isdr->env.isdp, i)->state;
	c->n_notifs = l->n;
	c->next_seq = l->next_seq;
}

static void change_rollback(struct isdr *isdr, struct change *c)
{
	struct notif_list *l = &isdr->notifs;

	isdp_unmark_deleted(isdr->env.isdp);
	for (size_t i = 0; i < isdp_count(isdr->env.isdp); i++)
		isdp_at(isdr->env.isdp, i)->state = c->states[i];
	while (l->n > c->n_notifs)
		notif_drop_last(l);
	l->next_seq = c->next_seq;
}

/* Persist, or put everything back. ok is false when building the change
 * already failed. Returns the result code: ok (0), or undefinedError. */
static unsigned long change_finish(struct isdr *isdr, struct change *c, bool ok)
{
	int rc = ok ? isdr_persist(isdr) : -EU_E_STATE;

	if (!ok && notif_full(&isdr->notifs))
		LOG_ERR("ES10c: %d notifications are pending and this operation needs another: send them "
			"and remove them with RemoveNotificationFromList (lpac: notification process -a -r)",
			NOTIF_MAX);

	if (rc == 0) {
		isdp_purge_deleted(isdr->env.isdp);
		return PROFILE_OK;
	}
	LOG_ERR("ES10c: cannot complete the change (%s); nothing changed", eu_strerror(rc));
	change_rollback(isdr, c);
	return PROFILE_UNDEFINED_ERROR;
}

/* ---- metadata helpers ---------------------------------------------------------- */

/* Named bits of stored metadata (checked at install), 0 when absent. */
static uint32_t bits_of(asn1_node n, const char *name)
{
	uint32_t v = 0;

	return sim_asn1_read_bits(n, name, &v) == 0 ? v : 0;
}

static uint32_t profile_pprs(const struct isdp_profile *p)
{
	asn1_node md = NULL;
	uint32_t v = 0;

	if (sim_asn1_decode("RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &md) == 0)
		v = bits_of(md, "profilePolicyRules");
	asn1_delete_structure(&md);
	return v;
}

/* OtherSignedNotification (§5.7.10) for each address that the profile's
 * notificationConfigurationInfo lists for this event. */
static int notify(struct isdr *isdr, const struct isdp_profile *p, enum notif_event event)
{
	asn1_node md = NULL;
	int count = 0, rc = 0;

	if (ecasd_credential_count(isdr->env.ecasd) == 0) {
		LOG_INFO("ES10c: no credential set to sign notifications with; none generated");
		return 0;
	}
	if (sim_asn1_decode("RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &md) < 0)
		return 0;	/* checked at install; nothing to notify */
	asn1_number_of_elements(md, "notificationConfigurationInfo", &count);
	for (int i = 1; i <= count && rc == 0; i++) {
		char name[96], addr[NOTIF_ADDR_MAX + 1];
		asn1_node tbs = NULL, osn = NULL;
		uint8_t *tbs_der = NULL, sig[ECASD_SIG_LEN];
		const uint8_t *euicc, *eum;
		size_t tbs_len = 0, euicc_len, eum_len, alen, cred = 0;
		struct notif n = { .event = event };

		snprintf(name, sizeof(name), "notificationConfigurationInfo.?%d.profileManagementOperation", i);
		if (!(bits_of(md, name) & SGP22_BIT(event)))
			continue;
		snprintf(name, sizeof(name), "notificationConfigurationInfo.?%d.notificationAddress", i);
		if (sim_asn1_read(md, name, (uint8_t *)addr, NOTIF_ADDR_MAX, &alen) < 0)
			continue;
		addr[alen] = 0;
		if (ecasd_find_credential(isdr->env.ecasd, p->ci_id, p->ci_id_len, &cred) < 0)
			cred = 0;	/* the installing CI is gone from the config */
		n.seq = notif_take_seq(&isdr->notifs);
		snprintf(n.address, sizeof(n.address), "%s", addr);
		memcpy(n.iccid, p->iccid, sizeof(n.iccid));
		n.has_iccid = true;
		rc = sim_asn1_new("RSPDefinitions.NotificationMetadata", &tbs);
		if (rc == 0)
			rc = sim_asn1_write_uint(tbs, "seqNumber", n.seq);
		if (rc == 0)
			rc = sim_asn1_write_bits(tbs, "profileManagementOperation", SGP22_BIT(event));
		if (rc == 0)
			rc = sim_asn1_write(tbs, "notificationAddress", addr, alen);
		if (rc == 0)
			rc = sim_asn1_write(tbs, "iccid", p->iccid, ISDP_ICCID_LEN);
		if (rc == 0)
			rc = sim_asn1_encode(tbs, &tbs_der, &tbs_len);
		if (rc == 0)
			rc = ecasd_sign(isdr->env.ecasd, cred, tbs_der, tbs_len, sig);
		ecasd_credential_certs(isdr->env.ecasd, cred, &euicc, &euicc_len, &eum, &eum_len);
		if (rc == 0)
			rc = sim_asn1_new("RSPDefinitions.PendingNotification", &osn);
		if (rc == 0)
			rc = sim_asn1_write(osn, "", "otherSignedNotification", 1);
		if (rc == 0)
			rc = sim_asn1_set_der(osn, "otherSignedNotification.tbsOtherNotification", tbs_der, tbs_len);
		if (rc == 0)
			rc = sim_asn1_write(osn, "otherSignedNotification.euiccNotificationSignature", sig, sizeof(sig));
		if (rc == 0)
			rc = sim_asn1_write(osn, "otherSignedNotification.euiccCertificate", euicc, euicc_len);
		if (rc == 0)
			rc = sim_asn1_write(osn, "otherSignedNotification.eumCertificate", eum, eum_len);
		if (rc == 0)
			rc = sim_asn1_encode(osn, &n.pending, &n.pending_len);
		if (rc == 0)
			rc = notif_append(&isdr->notifs, &n);
		free(n.pending);
		free(tbs_der);
		asn1_delete_structure(&tbs);
		asn1_delete_structure(&osn);
	}
	asn1_delete_structure(&md);
	return rc;
}

/* profileIdentifier: CHOICE { isdpAid, iccid } */
static int find_target(struct isdr *isdr, asn1_node req, const char *choice_path)
{
	char kind[16], name[64];
	uint8_t v[16];
	size_t n, vlen;

	if (sim_asn1_read(req, choice_path, (uint8_t *)kind, sizeof(kind) - 1, &n) < 0)
		return -2;
	kind[n] = 0;
	snprintf(name, sizeof(name), "%s%s%s", choice_path, *choice_path ? "." : "", kind);
	if (sim_asn1_read(req, name, v, sizeof(v), &vlen) < 0)
		return -2;
	return isdp_lookup(isdr->env.isdp, kind, v, vlen);
}

static int enabled_index(struct isdr *isdr)
{
	for (size_t i = 0; i < isdp_count(isdr->env.isdp); i++)
		if (isdp_get(isdr->env.isdp, i)->state == ISDP_ENABLED)
			return (int)i;
	return -1;
}

/* refreshFlag (§5.7.16): the card behaves as after a REFRESH (UICC reset)
 * of the telecom side: every channel but the one that sent the command
 * (the ISD-R's, which has no file selected) loses its file selection. */
static void refresh(struct isdr *isdr)
{
	if (isdr->env.refresh)
		isdr->env.refresh(isdr->env.arg);
	LOG_INFO("ES10c: REFRESH (profile change) performed");
}

static bool read_flag(asn1_node req, const char *name)
{
	bool v = false;

	return sim_asn1_read_bool(req, name, &v) == 0 && v;
}

static int result(asn1_node *rsp, const char *type, const char *field, unsigned long v)
{
	TRY(sim_asn1_new(type, rsp));
	return sim_asn1_write_uint(*rsp, field, v);
}

/* Disable profile i with its notification, and delete it (with its
 * notification) when PPR3 says so. Part of a change: not persisted here. */
static int disable_one(struct isdr *isdr, size_t i)
{
	struct isdp_profile *p = isdp_at(isdr->env.isdp, i);

	p->state = ISDP_DISABLED;
	TRY(notify(isdr, p, NOTIF_DISABLE));
	if (profile_pprs(p) & PPR3_DELETE_ON_DISABLE) {
		isdp_mark_deleted(isdr->env.isdp, i);
		TRY(notify(isdr, p, NOTIF_DELETE));
	}
	return 0;
}

/* The checks every profile management command starts with (SGP.22
 * §5.7.16-18): the profile req names must exist (1: iccidOrAidNotFound), be
 * in state want (2: profileNotIn...State) and have no PPR in forbid (3:
 * disallowedByPolicy). *res is that result code, 0 to go ahead. */
static int check_target(struct isdr *isdr, asn1_node req, const char *field,
			enum isdp_state want, unsigned forbid, int *target, unsigned long *res)
{
	const struct isdp_profile *p;

	*target = find_target(isdr, req, field);
	if (*target == -2)
		return -EU_E_PARAM;
	p = *target < 0 ? NULL : isdp_get(isdr->env.isdp, (size_t)*target);
	*res = !p ? PROFILE_NOT_FOUND : p->state != want ? PROFILE_WRONG_STATE :
	       (profile_pprs(p) & forbid) ? PROFILE_DISALLOWED_BY_POLICY : PROFILE_OK;
	return 0;
}

/* ---- the functions ------------------------------------------------------------ */

int es10c_enable_profile(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			 asn1_node *rsp)
{
	struct change c;
	int target, current;
	unsigned long res = PROFILE_OK;

	(void)x;
	TRY(check_target(isdr, req, "profileIdentifier", ISDP_DISABLED, 0, &target, &res));
	current = enabled_index(isdr);
	change_begin(isdr, &c);
	if (!res && current >= 0 && (profile_pprs(isdp_get(isdr->env.isdp, (size_t)current)) & PPR1_NO_DISABLE))
		res = PROFILE_DISALLOWED_BY_POLICY;	/* the enabled one may not be disabled */
	if (!res) {
		struct isdp_profile *t = isdp_at(isdr->env.isdp, (size_t)target);

		if (current >= 0 && disable_one(isdr, (size_t)current) < 0)
			res = PROFILE_UNDEFINED_ERROR;
		t->state = ISDP_ENABLED;
		if (notify(isdr, t, NOTIF_ENABLE) < 0)
			res = PROFILE_UNDEFINED_ERROR;
		res = change_finish(isdr, &c, res == 0);
		if (res == 0 && read_flag(req, "refreshFlag"))
			refresh(isdr);
	}
	LOG_INFO("ES10c.EnableProfile: result %s(%lu)", sgp22_profile_result_name(res), res);
	return result(rsp, "RSPDefinitions.EnableProfileResponse", "enableResult", res);
}

int es10c_disable_profile(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			  asn1_node *rsp)
{
	struct change c;
	int target;
	unsigned long res = PROFILE_OK;

	(void)x;
	TRY(check_target(isdr, req, "profileIdentifier", ISDP_ENABLED, PPR1_NO_DISABLE,
			 &target, &res));
	change_begin(isdr, &c);
	if (!res) {
		res = change_finish(isdr, &c, disable_one(isdr, (size_t)target) == 0);
		if (res == 0 && read_flag(req, "refreshFlag"))
			refresh(isdr);
	}
	LOG_INFO("ES10c.DisableProfile: result %s(%lu)", sgp22_profile_result_name(res), res);
	return result(rsp, "RSPDefinitions.DisableProfileResponse", "disableResult", res);
}

int es10c_delete_profile(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			 asn1_node *rsp)
{
	struct change c;
	int target;
	unsigned long res = PROFILE_OK;

	(void)x;
	TRY(check_target(isdr, req, "", ISDP_DISABLED, PPR2_NO_DELETE, &target, &res));
	change_begin(isdr, &c);
	if (!res) {
		if (notify(isdr, isdp_get(isdr->env.isdp, (size_t)target), NOTIF_DELETE) < 0)
			res = PROFILE_UNDEFINED_ERROR;
		isdp_mark_deleted(isdr->env.isdp, (size_t)target);
		res = change_finish(isdr, &c, res == 0);
	}
	LOG_INFO("ES10c.DeleteProfile: result %s(%lu)", sgp22_profile_result_name(res), res);
	return result(rsp, "RSPDefinitions.DeleteProfileResponse", "deleteResult", res);
}

/* §5.7.19: operational profiles, field-loaded test profiles, the default
 * SM-DP+ address; PPRs and states do not protect anything here. No
 * notifications are generated. */
int es10c_memory_reset(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		       asn1_node *rsp)
{
	uint32_t opts;
	struct change c;
	bool any = false, reset_dp = false;
	unsigned long res;

	(void)x;
	/* a malformed BIT STRING is a malformed request, not "no options" */
	if (sim_asn1_read_bits(req, "resetOptions", &opts) < 0)
		return -EU_E_PARAM;
	change_begin(isdr, &c);
	for (size_t i = 0; i < isdp_count(isdr->env.isdp); i++) {
		const struct isdp_profile *p = isdp_get(isdr->env.isdp, i);

		if (((opts & SGP22_BIT(SGP22_RESET_OPERATIONAL_PROFILES)) && p->profile_class == ISDP_CLASS_OPERATIONAL) ||
		    ((opts & SGP22_BIT(SGP22_RESET_FIELD_LOADED_TEST)) && p->profile_class == ISDP_CLASS_TEST &&
		     p->field_loaded_test)) {
			isdp_mark_deleted(isdr->env.isdp, i);
			any = true;
		}
	}
	if ((opts & SGP22_BIT(SGP22_RESET_DEFAULT_SMDP_ADDRESS)) && *isdr->default_dp) {
		reset_dp = true;
		any = true;
	}
	if (!any) {
		res = RESET_NOTHING_TO_DELETE;
	} else if (reset_dp) {
		/* The address and the deletions reach the disk in one write. */
		res = isdr_set_default_dp(isdr, "") == 0 ? RESET_OK : RESET_UNDEFINED_ERROR;
		if (res == RESET_OK)
			isdp_purge_deleted(isdr->env.isdp);
		else
			isdp_unmark_deleted(isdr->env.isdp);
	} else {
		res = change_finish(isdr, &c, true);
	}
	LOG_INFO("ES10c.eUICCMemoryReset: options %X, result %s(%lu)", (unsigned)opts,
		 sgp22_reset_result_name(res), res);
	return result(rsp, "RSPDefinitions.EuiccMemoryResetResponse", "resetResult", res);
}

int es10c_set_nickname(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		       asn1_node *rsp)
{
	uint8_t iccid[ISDP_ICCID_LEN + 1];
	char nick[ISDP_NICKNAME_MAX + 1], old[ISDP_NICKNAME_MAX + 1];
	long chars;
	size_t n, ilen;
	int target;
	unsigned long res = NICKNAME_OK;

	(void)x;
	if (sim_asn1_read(req, "iccid", iccid, sizeof(iccid), &ilen) < 0 ||
	    sim_asn1_read(req, "profileNickname", (uint8_t *)nick, sizeof(nick) - 1, &n) < 0)
		return -EU_E_PARAM;
	nick[n] = 0;
	chars = sim_utf8_chars((const uint8_t *)nick, n);
	/* no NUL inside, well-formed UTF-8, SIZE(0..64) in characters */
	if (strlen(nick) != n || chars < 0 || chars > SGP22_NICKNAME_MAX)
		return -EU_E_PARAM;
	target = isdp_lookup(isdr->env.isdp, "iccid", iccid, ilen);
	if (target < 0) {
		res = NICKNAME_ICCID_NOT_FOUND;
	} else {
		struct isdp_profile *p = isdp_at(isdr->env.isdp, (size_t)target);
		bool had = p->has_nickname;

		memcpy(old, p->nickname, sizeof(old));
		memcpy(p->nickname, nick, n + 1);
		p->has_nickname = true;
		if (isdr_persist(isdr) < 0) {
			memcpy(p->nickname, old, sizeof(old));
			p->has_nickname = had;
			res = NICKNAME_UNDEFINED_ERROR;
		}
	}
	LOG_INFO("ES10c.SetNickname: result %s(%lu)", sgp22_nickname_result_name(res), res);
	return result(rsp, "RSPDefinitions.SetNicknameResponse", "setNicknameResult", res);
}
