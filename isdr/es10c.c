/* ES10c: profile information and the EID (SGP.22 §5.7.15, §5.7.20). */
#include "isdr/es10.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tagList (§5.7.15): which ProfileInfo fields to return; absent means
 * all. tag is one or two octets (0x5A, 0x9F70). */
static bool wanted(const uint8_t *tags, size_t n, bool have_list, unsigned tag)
{
	uint8_t t1 = tag > 0xFF ? (uint8_t)(tag >> 8) : (uint8_t)tag;
	uint8_t t2 = tag > 0xFF ? (uint8_t)tag : 0;

	if (!have_list)
		return true;
	for (size_t i = 0; i < n; i++) {
		if (tags[i] == t1 && (!t2 || (i + 1 < n && tags[i + 1] == t2)))
			return true;
		if ((tags[i] & 0x1F) == 0x1F)
			i++;	/* skip the second octet of a two-octet tag */
	}
	return false;
}

static bool matches(const struct isdp_profile *p, const char *crit, const uint8_t *val, size_t len)
{
	if (!crit)
		return true;
	if (!strcmp(crit, "isdpAid"))
		return len == p->aid_len && !memcmp(val, p->aid, len);
	if (!strcmp(crit, "iccid"))
		return len == ISDP_ICCID_LEN && !memcmp(val, p->iccid, len);
	if (!strcmp(crit, "profileClass")) {
		unsigned long v = 0;

		for (size_t i = 0; i < len; i++)
			v = v << 8 | val[i];
		return len && v == (unsigned long)p->profile_class;
	}
	return false;
}

/* ProfileInfo fields that come from StoreMetadata carry the same tags in
 * both structures (91, 92, 93, 94, B6, B7, 99), so they are copied as
 * received. */
static const struct {
	const char *name;
	unsigned tag;
	bool constructed;	/* copied field by field; primitives value by value */
} metadata_fields[] = {
	{ "serviceProviderName", 0x91, false },
	{ "profileName", 0x92, false },
	{ "iconType", 0x93, false },
	{ "icon", 0x94, false },
	/* (constructed ones are copied field by field: libtasn1 cannot decode
	 * into an implicitly tagged SEQUENCE OF node) */
	{ "notificationConfigurationInfo", 0xB6, true },
	{ "profileOwner", 0xB7, true },
	{ "profilePolicyRules", 0x99, false },
};

/* Copy a primitive value between structures of the same type: libtasn1
 * reads and writes the same units (octets, or bits for BIT STRING). An
 * absent OPTIONAL source is deleted in the destination. */
static int copy_primitive(asn1_node dst, const char *dst_name, asn1_node src, const char *src_name)
{
	uint8_t buf[1100];
	int len = sizeof(buf), rc = asn1_read_value(src, src_name, buf, &len);

	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return sim_asn1_write(dst, dst_name, NULL, 0);
	if (rc != ASN1_SUCCESS)
		return -EU_E_ASN1;
	return sim_asn1_write(dst, dst_name, buf, (size_t)len);
}

/* notificationConfigurationInfo and profileOwner, field by field. */
static int copy_constructed(asn1_node dst, const char *dst_name, asn1_node src, const char *src_name)
{
	char d[128], sname[128];
	int count = 0;

	if (!strcmp(src_name, "profileOwner")) {
		static const char *const f[] = { "mccMnc", "gid1", "gid2" };

		for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
			if (snprintf(d, sizeof(d), "%s.%s", dst_name, f[i]) >= (int)sizeof(d) ||
			    snprintf(sname, sizeof(sname), "%s.%s", src_name, f[i]) >= (int)sizeof(sname))
				return -EU_E_TOO_LONG;
			TRY(copy_primitive(dst, d, src, sname));
		}
		return 0;
	}
	asn1_number_of_elements(src, src_name, &count);
	for (int i = 1; i <= count; i++) {
		static const char *const f[] = { "profileManagementOperation", "notificationAddress" };

		TRY(sim_asn1_write(dst, dst_name, "NEW", 1));
		for (size_t j = 0; j < ARRAY_SIZE(f); j++) {
			if (snprintf(d, sizeof(d), "%s.?LAST.%s", dst_name, f[j]) >= (int)sizeof(d) ||
			    snprintf(sname, sizeof(sname), "%s.?%d.%s", src_name, i, f[j]) >= (int)sizeof(sname))
				return -EU_E_TOO_LONG;
			TRY(copy_primitive(dst, d, src, sname));
		}
	}
	return 0;
}

/* dpProprietaryData as the ISD-P keeps it: its B8 TLV, as the card
 * understood it (isdr/bpp.c). libtasn1 cannot decode into an implicitly
 * tagged node, so it is read back inside a ConfigureISDPRequest and
 * copied field by field (dpOid is its only field in SGP.22 v2). */
static int copy_dp_proprietary(asn1_node dst, const char *dst_name, const uint8_t *dp, size_t len)
{
	asn1_node n = NULL;
	uint8_t *buf = malloc(len + 8);
	char name[128], oid[128];
	size_t h, oid_len = 0;
	int rc;

	if (!buf)
		return -EU_E_NOMEM;
	h = tlv_put_header(buf, len + 8, SGP22_TAG_CONFIGURE_ISDP, len);
	memcpy(buf + h, dp, len);
	rc = sim_asn1_decode("RSPDefinitions.ConfigureISDPRequest", buf, h + len, &n);
	if (rc == 0)
		rc = sim_asn1_read(n, "dpProprietaryData.dpOid", (uint8_t *)oid, sizeof(oid) - 1, &oid_len);
	if (rc == 0) {
		oid[oid_len] = 0;
		snprintf(name, sizeof(name), "%s.dpOid", dst_name);
		rc = sim_asn1_write(dst, name, oid, 0);
	}
	asn1_delete_structure(&n);
	free(buf);
	return rc;
}

static int write_profile_info(asn1_node rsp, const struct isdp_profile *p, const uint8_t *tags,
			      size_t tags_len, bool have_tags)
{
	asn1_node md = NULL;
	char name[96];
	const uint8_t *span;
	size_t span_len;
	int rc = 0;

#define F(field) (snprintf(name, sizeof(name), "profileInfoListOk.?LAST.%s", field), name)
#define WANT(tag) wanted(tags, tags_len, have_tags, tag)
	if (WANT(SGP22_TAG_ICCID))
		TRY(sim_asn1_write(rsp, F("iccid"), p->iccid, ISDP_ICCID_LEN));
	else
		TRY(sim_asn1_write(rsp, F("iccid"), NULL, 0));
	if (WANT(SGP22_TAG_ISDP_AID))
		TRY(sim_asn1_write(rsp, F("isdpAid"), p->aid, p->aid_len));
	else
		TRY(sim_asn1_write(rsp, F("isdpAid"), NULL, 0));
	if (WANT(SGP22_TAG_PROFILE_STATE))
		TRY(sim_asn1_write_uint(rsp, F("profileState"), (unsigned long)p->state));
	else
		TRY(sim_asn1_write(rsp, F("profileState"), NULL, 0));
	if (WANT(SGP22_TAG_PROFILE_NICKNAME) && p->has_nickname)
		TRY(sim_asn1_write(rsp, F("profileNickname"), p->nickname, strlen(p->nickname)));
	else
		TRY(sim_asn1_write(rsp, F("profileNickname"), NULL, 0));
	/* profileClass: left out for operational profiles, as when the module
	 * said DEFAULT operational (v2.2+ makes it OPTIONAL; see
	 * docs/asn1-translation.md). */
	if (WANT(SGP22_TAG_PROFILE_CLASS) && p->profile_class != ISDP_CLASS_OPERATIONAL)
		TRY(sim_asn1_write_uint(rsp, F("profileClass"), (unsigned long)p->profile_class));
	else
		TRY(sim_asn1_write(rsp, F("profileClass"), NULL, 0));
	/* v2.2+ members (BF22, and the tags reserved for SGP.32): not sent.
	 * fallbackAttribute is DEFAULT FALSE and left unwritten. */
	TRY(sim_asn1_write(rsp, F("serviceSpecificDataStoredInEuicc"), NULL, 0));
	TRY(sim_asn1_write(rsp, F("ecallIndication"), NULL, 0));
	TRY(sim_asn1_write(rsp, F("fallbackAllowed"), NULL, 0));
	TRY(sim_asn1_write(rsp, F("iotSpecificProfileInfo"), NULL, 0));
	if (WANT(SGP22_TAG_DP_PROPRIETARY_DATA) && p->dp_proprietary)
		TRY(copy_dp_proprietary(rsp, F("dpProprietaryData"), p->dp_proprietary, p->dp_proprietary_len));
	else
		TRY(sim_asn1_write(rsp, F("dpProprietaryData"), NULL, 0));

	TRY(sim_asn1_decode("RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &md));
	for (size_t i = 0; i < ARRAY_SIZE(metadata_fields) && rc == 0; i++) {
		const char *field = metadata_fields[i].name;

		if (!WANT(metadata_fields[i].tag) ||
		    sim_asn1_span(md, p->metadata, p->metadata_len, field, &span, &span_len) < 0)
			rc = sim_asn1_write(rsp, F(field), NULL, 0);
		else if (metadata_fields[i].constructed)
			rc = copy_constructed(rsp, F(field), md, field);
		else
			rc = copy_primitive(rsp, F(field), md, field);
	}
#undef WANT
#undef F
	asn1_delete_structure(&md);
	return rc;
}

int es10c_get_profiles_info(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	uint8_t tags[64], crit_val[16];
	char crit[32], name[64];
	size_t tags_len = 0, crit_len = 0, n;
	bool have_tags = false;
	const char *crit_name = NULL;
	int rc;

	rc = sim_asn1_read(req, "tagList", tags, sizeof(tags), &tags_len);
	if (rc == 0)
		have_tags = true;
	else if (rc != -EU_E_NOT_FOUND)
		return -EU_E_PARAM;
	rc = sim_asn1_read(req, "searchCriteria", (uint8_t *)crit, sizeof(crit) - 1, &n);
	if (rc == 0) {
		crit[n] = 0;
		crit_name = crit;
		snprintf(name, sizeof(name), "searchCriteria.%s", crit);
		if (sim_asn1_read(req, name, crit_val, sizeof(crit_val), &crit_len) < 0)
			return -EU_E_PARAM;
	} else if (rc != -EU_E_NOT_FOUND) {
		return -EU_E_PARAM;
	}

	TRY(sim_asn1_new("RSPDefinitions.ProfileInfoListResponse", rsp));
	TRY(sim_asn1_write(*rsp, "", "profileInfoListOk", 1));
	for (size_t i = 0; i < isdp_count(isdr->env.isdp); i++) {
		const struct isdp_profile *p = isdp_get(isdr->env.isdp, i);

		if (!matches(p, crit_name, crit_val, crit_len))
			continue;
		TRY(sim_asn1_write(*rsp, "profileInfoListOk", "NEW", 1));
		TRY(write_profile_info(*rsp, p, tags, tags_len, have_tags));
	}
	return 0;
}

int es10c_get_eid(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	uint8_t tag[2];
	size_t n;

	/* §5.7.20: the tag list SHALL be '5A'. */
	if (sim_asn1_read(req, "tagList", tag, sizeof(tag), &n) < 0 || n != 1 || tag[0] != SGP22_TAG_ICCID) {
		LOG_INFO("ES10c.GetEID: tagList must be 5A");
		return -EU_E_PARAM;
	}
	TRY(sim_asn1_new("RSPDefinitions.GetEuiccDataResponse", rsp));
	return sim_asn1_write(*rsp, "eidValue", ecasd_eid(isdr->env.ecasd), ECASD_EID_LEN);
}
