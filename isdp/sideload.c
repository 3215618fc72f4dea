/* Side-loading, for tests and demos only: a profile package file goes
 * straight into a new ISD-P, without an SM-DP+, a BPP, any signature or
 * any notification. The package is decoded and checked as in a download;
 * the metadata is made up from the options. */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Notifications of a side-loaded profile: enable, disable and delete
 * (NotificationEvent bits 1-3); there is no install notification. */
#define SIDELOAD_EVENTS 0xEu

static int make_metadata(const uint8_t iccid[ISDP_ICCID_LEN], const char *spn, const char *name,
			 enum isdp_class cls, const char *notify, uint8_t **out, size_t *len)
{
	asn1_node md = NULL;
	int rc;

	rc = sim_asn1_new("RSPDefinitions.StoreMetadataRequest", &md);
	if (rc == 0)
		rc = sim_asn1_write(md, "iccid", iccid, ISDP_ICCID_LEN);
	if (rc == 0)
		rc = sim_asn1_write(md, "serviceProviderName", spn, strlen(spn));
	if (rc == 0)
		rc = sim_asn1_write(md, "profileName", name, strlen(name));
	if (rc == 0)
		rc = sim_asn1_write(md, "iconType", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(md, "icon", NULL, 0);
	/* DEFAULT operational: left unwritten, it is not encoded */
	if (rc == 0 && cls != ISDP_CLASS_OPERATIONAL)
		rc = sim_asn1_write_uint(md, "profileClass", cls);
	if (rc == 0 && notify && *notify) {
		/* enable, disable and delete (NotificationEvent bits 1-3) */
		rc = sim_asn1_write(md, "notificationConfigurationInfo", "NEW", 1);
		if (rc == 0)
			rc = sim_asn1_write_bits(md, "notificationConfigurationInfo.?LAST.profileManagementOperation",
						 SIDELOAD_EVENTS);
		if (rc == 0)
			rc = sim_asn1_write(md, "notificationConfigurationInfo.?LAST.notificationAddress", notify,
					    strlen(notify));
	} else if (rc == 0) {
		rc = sim_asn1_write(md, "notificationConfigurationInfo", NULL, 0);
	}
	if (rc == 0)
		rc = sim_asn1_write(md, "profileOwner", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(md, "profilePolicyRules", NULL, 0);
	/* v2.2+ members (BF22, BF23, and the tags reserved for SGP.32) */
	static const char *const absent[] = {
		"serviceSpecificDataStoredInEuicc", "serviceSpecificDataNotStoredInEuicc", "ecallIndication",
		"fallbackAllowed", "iotSpecificMetadata",
	};
	for (size_t i = 0; i < ARRAY_SIZE(absent) && rc == 0; i++)
		rc = sim_asn1_write(md, absent[i], NULL, 0);
	if (rc == 0)
		rc = sim_asn1_encode(md, out, len);
	asn1_delete_structure(&md);
	return rc;
}

int isdp_sideload_metadata(struct isdp_store *s, const uint8_t *pkg, size_t len, const uint8_t *md,
			   size_t md_len, char *err, size_t err_len)
{
	struct isdp_profile p = { 0 };
	int rc;

	rc = saip_decode(pkg, len, &p.decoded);
	if (rc < 0) {
		snprintf(err, err_len, "the profile package does not decode: %s", eu_strerror(rc));
		return rc;
	}
	p.metadata = malloc(md_len ? md_len : 1);
	p.package = malloc(len);
	if (!p.metadata || !p.package) {
		rc = -EU_E_NOMEM;
		goto fail;
	}
	memcpy(p.metadata, md, md_len);
	p.metadata_len = md_len;
	memcpy(p.package, pkg, len);
	p.package_len = len;
	rc = isdp_parse_metadata(&p);
	if (rc < 0) {
		snprintf(err, err_len, "the metadata is not a StoreMetadataRequest");
		goto fail;
	}
	if (!isdp_iccid_matches(p.iccid, p.decoded)) {
		snprintf(err, err_len, "the metadata ICCID is not the package's");
		rc = -EU_E_PARAM;
		goto fail;
	}
	if (isdp_find_iccid(s, p.iccid)) {
		snprintf(err, err_len, "a profile with this ICCID is already installed");
		rc = -EU_E_STATE;
		goto fail;
	}
	if (len > isdp_memory_free(s)) {
		snprintf(err, err_len, "not enough profile memory (%zu bytes needed; see profile-memory)", len);
		rc = -EU_E_NOMEM;
		goto fail;
	}
	if (isdp_count(s) >= ISDP_MAX_PROFILES) {
		snprintf(err, err_len, "no room for another ISD-P");
		rc = -EU_E_NOMEM;
		goto fail;
	}
	p.field_loaded_test = p.profile_class == ISDP_CLASS_TEST;
	p.state = ISDP_DISABLED;
	if (s->env.sideload_ci && s->env.sideload_ci_len <= sizeof(p.ci_id)) {
		memcpy(p.ci_id, s->env.sideload_ci, s->env.sideload_ci_len);
		p.ci_id_len = s->env.sideload_ci_len;
	}
	isdp_next_aid(s, p.aid, &p.aid_len);
	rc = isdp_install(s, &p);
	if (rc < 0)
		goto fail;
	rc = isdp_persist(s);
	if (rc < 0) {
		isdp_uninstall_last(s);
		snprintf(err, err_len, "cannot write the card state: %s", eu_strerror(rc));
		return rc;
	}
	return 0;
fail:
	isdp_profile_clear(&p);
	return rc;
}

/* Well-formed UTF-8 of at most max characters. */
static bool utf8_within(const char *s, long max)
{
	long chars = sim_utf8_chars((const uint8_t *)s, strlen(s));

	return chars >= 0 && chars <= max;
}

int isdp_sideload(struct isdp_store *s, const uint8_t *pkg, size_t len, const char *spn,
		  const char *name, enum isdp_class cls, const char *notify, char *err, size_t err_len)
{
	struct saip_profile *decoded = NULL;
	uint8_t iccid[ISDP_ICCID_LEN], *md = NULL;
	size_t md_len = 0;
	int rc;

	if (!utf8_within(spn, ISDP_SPN_MAX) || !utf8_within(name, ISDP_NAME_MAX) ||
	    (notify && strlen(notify) > ISDP_ADDR_MAX)) {
		snprintf(err, err_len, "service provider name (max 32 characters) or profile name "
			 "(max 64) too long or not UTF-8, or notification address too long");
		return -EU_E_PARAM;
	}
	rc = saip_decode(pkg, len, &decoded);
	if (rc < 0) {
		snprintf(err, err_len, "the profile package does not decode: %s", eu_strerror(rc));
		return rc;
	}
	for (size_t i = 0; i < ISDP_ICCID_LEN; i++)
		iccid[i] = (uint8_t)(decoded->iccid[i] << 4 | decoded->iccid[i] >> 4);
	saip_profile_free(decoded);
	rc = make_metadata(iccid, spn, name, cls, notify, &md, &md_len);
	if (rc < 0) {
		snprintf(err, err_len, "cannot build metadata");
		return rc;
	}
	rc = isdp_sideload_metadata(s, pkg, len, md, md_len, err, err_len);
	free(md);
	return rc;
}
