/* The ECASD as an application of the card OS: selectable by its AID (an
 * LPA or a test may select it), answering with its FCI. It processes no
 * command over the APDU interface: the ISD-R asks it for signatures and
 * verifications through ecasd.h. */
#include "ecasd/ecasd.h"
#include "sim/app.h"
#include "sim/gp.h"
#include "sim/log.h"

const uint8_t ecasd_aid[16] = {
	0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x02, 0x00,
};

static int ecasd_status(void *app, unsigned channel, struct sim_rbuf *out)
{
	(void)app;
	(void)channel;
	return sim_gp_fci(ecasd_aid, sizeof(ecasd_aid), out);
}

static unsigned ecasd_select(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	(void)app;
	LOG_INFO("SELECT ECASD on channel %u", a->channel);
	return sim_gp_select(ecasd_aid, sizeof(ecasd_aid), a, out);
}

const struct sim_app_ops ecasd_app = {
	.name = "ECASD",
	.select = ecasd_select,
	.status = ecasd_status,
};
