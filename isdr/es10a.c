/* ES10a: configured addresses (SGP.22 §5.7.3, §5.7.4). */
#include "isdr/es10.h"
#include "isdp/isdp.h"
#include "sim/err.h"
#include "sim/log.h"

#include <stdio.h>
#include <string.h>

int isdr_set_default_dp(struct isdr *isdr, const char *addr)
{
	char old[sizeof(isdr->default_dp)];
	int rc;

	if (strlen(addr) > SGP22_ADDR_MAX)
		return -EU_E_TOO_LONG;
	memcpy(old, isdr->default_dp, sizeof(old));
	snprintf(isdr->default_dp, sizeof(isdr->default_dp), "%s", addr);
	rc = isdr_persist(isdr);
	if (rc < 0)
		memcpy(isdr->default_dp, old, sizeof(old));	/* memory follows the disk */
	return rc;
}

int es10a_get_euicc_configured_addresses(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
					 asn1_node *rsp)
{
	const char *dp = isdr->default_dp;
	const char *ds = isdr->cfg->root_ds_address;

	(void)req;
	(void)x;
	TRY(sim_asn1_new("RSPDefinitions.EuiccConfiguredAddressesResponse", rsp));
	TRY(sim_asn1_write(*rsp, "defaultDpAddress", *dp ? dp : NULL, strlen(dp)));
	return sim_asn1_write(*rsp, "rootDsAddress", ds, strlen(ds));
}

int es10a_set_default_dp_address(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
				 asn1_node *rsp)
{
	char addr[SGP22_ADDR_MAX + 1];
	size_t n = 0;
	unsigned long result = SET_DP_OK;
	int rc;

	(void)x;
	rc = sim_asn1_read(req, "defaultDpAddress", (uint8_t *)addr, SGP22_ADDR_MAX, &n);
	/* An empty address removes the default SM-DP+ address. */
	if (rc < 0 || (n && !isdp_address_ok((uint8_t *)addr, n))) {
		LOG_INFO("ES10a.SetDefaultDpAddress: address is not a printable FQDN of at most %d bytes",
			 SGP22_ADDR_MAX);
		result = SET_DP_UNDEFINED_ERROR;
	} else {
		addr[n] = 0;
		rc = isdr_set_default_dp(isdr, addr);
		if (rc < 0) {
			LOG_ERR("ES10a.SetDefaultDpAddress: cannot persist: %s", eu_strerror(rc));
			result = SET_DP_UNDEFINED_ERROR;
		} else {
			LOG_INFO("ES10a.SetDefaultDpAddress: default SM-DP+ is now '%s'", addr);
		}
	}
	TRY(sim_asn1_new("RSPDefinitions.SetDefaultDpAddressResponse", rsp));
	return sim_asn1_write_uint(*rsp, "setDefaultDpAddressResult", result);
}
