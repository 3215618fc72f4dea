/* ES10a: configured addresses (SGP.22 §5.7.3, §5.7.4). */
#include "isdr/es10.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/store.h"

#include <string.h>

int es10a_get_euicc_configured_addresses(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp)
{
	(void)der;
	(void)len;
	const char *dp = sim_store_default_dp(card->store);
	const char *ds = card->cfg->root_ds_address;

	(void)req;
	TRY(sim_asn1_new("RSPDefinitions.EuiccConfiguredAddressesResponse", rsp));
	if (*dp)
		TRY(sim_asn1_write(*rsp, "defaultDpAddress", dp, strlen(dp)));
	else
		TRY(sim_asn1_write(*rsp, "defaultDpAddress", NULL, 0));
	return sim_asn1_write(*rsp, "rootDsAddress", ds, strlen(ds));
}

int es10a_set_default_dp_address(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
		asn1_node *rsp)
{
	(void)der;
	(void)len;
	char addr[SIM_ADDR_MAX + 1];
	size_t n = 0;
	unsigned long result = 0;	/* ok */
	int rc;

	rc = sim_asn1_read(req, "defaultDpAddress", (uint8_t *)addr, SIM_ADDR_MAX, &n);
	/* An empty address removes the default SM-DP+ address. */
	if (rc < 0 || (n && !sim_address_ok((uint8_t *)addr, n))) {
		LOG_INFO("ES10a.SetDefaultDpAddress: address is not a printable FQDN of at most %d bytes",
			 SIM_ADDR_MAX);
		result = 127;	/* undefinedError */
	} else {
		addr[n] = 0;
		rc = sim_store_set_default_dp(card, addr);
		if (rc < 0) {
			LOG_ERR("ES10a.SetDefaultDpAddress: cannot persist: %s", eu_strerror(rc));
			result = 127;
		} else {
			LOG_INFO("ES10a.SetDefaultDpAddress: default SM-DP+ is now '%s'", addr);
		}
	}
	TRY(sim_asn1_new("RSPDefinitions.SetDefaultDpAddressResponse", rsp));
	return sim_asn1_write_uint(*rsp, "setDefaultDpAddressResult", result);
}
