/* ES10b information functions: EUICCInfo1/2 (SGP.22 §5.7.8), eUICC
 * challenge (§5.7.7), RAT (§5.7.22). */
#include "isdr/es10.h"
#include "isdr/pir.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <openssl/rand.h>
#include <string.h>

static int write_ci_list(struct isdr *isdr, asn1_node node, const char *name,
			 enum ecasd_list which)
{
	char elem[128];
	size_t n = ecasd_ci_count(isdr->env.ecasd, which);

	for (size_t i = 0; i < n; i++) {
		size_t len;
		const uint8_t *id = ecasd_ci_id(isdr->env.ecasd, which, i, &len);

		TRY(sim_asn1_write(node, name, "NEW", 1));
		snprintf(elem, sizeof(elem), "%s.?LAST", name);
		TRY(sim_asn1_write(node, elem, id, len));
	}
	return 0;
}

int es10b_get_euicc_info1(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	(void)req;
	TRY(sim_asn1_new("RSPDefinitions.EUICCInfo1", rsp));
	TRY(sim_asn1_write(*rsp, "svn", isdr->cfg->svn, 3));
	TRY(write_ci_list(isdr, *rsp, "euiccCiPKIdListForVerification", ECASD_FOR_VERIFICATION));
	return write_ci_list(isdr, *rsp, "euiccCiPKIdListForSigning", ECASD_FOR_SIGNING);
}

/* extCardResource, ETSI TS 102 226 §8.2.1.7.2. */
#define ECR_INSTALLED_APPS 0x81
#define ECR_FREE_NVM       0x82
#define ECR_FREE_VOLATILE  0x83

static size_t put_uint_tlv(uint8_t *p, uint8_t tag, uint64_t v)
{
	uint8_t tmp[8];
	size_t n = 0;

	do {
		tmp[n++] = (uint8_t)v;
		v >>= 8;
	} while (v && n < sizeof(tmp));
	p[0] = tag;
	p[1] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		p[2 + i] = tmp[n - 1 - i];
	return 2 + n;
}

static size_t ext_card_resource(struct isdr *isdr, uint8_t out[32])
{
	size_t n = 0;

	n += put_uint_tlv(out + n, ECR_INSTALLED_APPS, isdp_count(isdr->env.isdp));
	n += put_uint_tlv(out + n, ECR_FREE_NVM, isdp_memory_free(isdr->env.isdp));
	n += put_uint_tlv(out + n, ECR_FREE_VOLATILE, isdr->cfg->volatile_memory);
	return n;
}

int es10b_get_euicc_info2(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	const struct isdr_config *cfg = isdr->cfg;
	uint8_t ecr[32];
	size_t ecr_len = ext_card_resource(isdr, ecr);
	asn1_node n;

	(void)req;
	TRY(sim_asn1_new("RSPDefinitions.EUICCInfo2", rsp));
	n = *rsp;
	TRY(sim_asn1_write(n, "profileVersion", cfg->profile_version, 3));
	TRY(sim_asn1_write(n, "svn", cfg->svn, 3));
	TRY(sim_asn1_write(n, "euiccFirmwareVer", cfg->firmware_version, 3));
	TRY(sim_asn1_write(n, "extCardResource", ecr, ecr_len));
	TRY(sim_asn1_write_bits(n, "uiccCapability", cfg->uicc_capability));
	if (cfg->has_ts102241_version)
		TRY(sim_asn1_write(n, "ts102241Version", cfg->ts102241_version, 3));
	else
		TRY(sim_asn1_write(n, "ts102241Version", NULL, 0));
	if (cfg->has_gp_version)
		TRY(sim_asn1_write(n, "globalplatformVersion", cfg->gp_version, 3));
	else
		TRY(sim_asn1_write(n, "globalplatformVersion", NULL, 0));
	/* A card that refuses extensions (--strict) does not announce that it
	 * takes them in DeviceInfo. */
	TRY(sim_asn1_write_bits(n, "rspCapability", cfg->strict ?
				cfg->rsp_capability & ~SGP22_BIT(SGP22_RSP_CAP_DEVICE_INFO_EXT) : cfg->rsp_capability));
	TRY(write_ci_list(isdr, n, "euiccCiPKIdListForVerification", ECASD_FOR_VERIFICATION));
	TRY(write_ci_list(isdr, n, "euiccCiPKIdListForSigning", ECASD_FOR_SIGNING));
	if (cfg->euicc_category >= 0)
		TRY(sim_asn1_write_uint(n, "euiccCategory", (unsigned long)cfg->euicc_category));
	else
		TRY(sim_asn1_write(n, "euiccCategory", NULL, 0));
	TRY(sim_asn1_write(n, "forbiddenProfilePolicyRules", NULL, 0));
	TRY(sim_asn1_write(n, "ppVersion", cfg->pp_version, 3));
	TRY(sim_asn1_write(n, "sasAcreditationNumber", cfg->sas_accreditation,
			   strlen(cfg->sas_accreditation)));
	if (cfg->has_certification_data) {
		TRY(sim_asn1_write(n, "certificationDataObject.platformLabel", cfg->platform_label,
				   strlen(cfg->platform_label)));
		TRY(sim_asn1_write(n, "certificationDataObject.discoveryBaseURL",
				   cfg->discovery_base_url, strlen(cfg->discovery_base_url)));
	} else {
		TRY(sim_asn1_write(n, "certificationDataObject", NULL, 0));
	}
	/* EUICCInfo2 [13]..[21] (SGP.22 v2.2+, some reserved for SGP.32): not sent. */
	static const char *const absent[] = {
		"treProperties", "treProductReference", "additionalEuiccProfilePackageVersions", "lpaMode",
		"euiccCiPKIdListForSigningV3", "additionalEuiccInfo", "highestSvn", "iotSpecificInfo",
		"euiccMinimumSecurityLevel",
	};
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++)
		TRY(sim_asn1_write(n, absent[i], NULL, 0));
	return 0;
}

int es10b_get_euicc_challenge(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	(void)req;
	/* A new challenge abandons any session in progress (§3.1.2). */
	isdr_session_end(isdr, "new GetEUICCChallenge");
	if (RAND_bytes(isdr->session.challenge, sizeof(isdr->session.challenge)) != 1)
		return -EU_E_CRYPTO;
	isdr->session.state = RSP_CHALLENGED;
	TRY(sim_asn1_new("RSPDefinitions.GetEuiccChallengeResponse", rsp));
	return sim_asn1_write(*rsp, "euiccChallenge", isdr->session.challenge,
			      sizeof(isdr->session.challenge));
}

int es10b_get_rat(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		asn1_node *rsp)
{
	(void)x;
	const struct isdr_config *cfg = isdr->cfg;
	struct tlv rat;
	uint8_t buf[sizeof(cfg->rat) + 16];
	size_t n = 0;

	(void)req;
	if (cfg->rat_len == 0) {
		TRY(sim_asn1_new("RSPDefinitions.GetRatResponse", rsp));
		return sim_asn1_write(*rsp, "rat", NULL, 0);
	}
	/* The configured table (checked at start-up by isdr_new) is a
	 * SEQUENCE OF; in the response it carries the implicit tag [0]. */
	TRY(tlv_parse_exact(cfg->rat, cfg->rat_len, &rat));
	n += tlv_put_header(buf, sizeof(buf), SGP22_TAG_GET_RAT,
			    tlv_put_header(NULL, 0, 0xA0, rat.len) + rat.len);
	n += tlv_put_header(buf + n, sizeof(buf) - n, 0xA0, rat.len);
	memcpy(buf + n, rat.val, rat.len);
	n += rat.len;
	return sim_asn1_decode("RSPDefinitions.GetRatResponse", buf, n, rsp);
}
