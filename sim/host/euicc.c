/* Assembly of the eUICC from its parts (sim/host/euicc.h). The order
 * matters: the ECASD gives the EID the store checks; the ISD-P store and
 * the ISD-R register their sections before the state is loaded; the
 * applications are in the OS's table before the card is powered. */
#include "sim/host/euicc.h"
#include "sim/host/config.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"
#include "sim/app.h"
#include "sim/err.h"
#include "sim/fs.h"
#include "sim/store.h"

#include <stdlib.h>

struct euicc {
	struct ecasd *ecasd;
	struct isdp_store *isdp;
	struct isdr *isdr;
	struct sim_fs *fs;
	struct sim_store *store;
	struct sim_card *card;
	struct isdp_env isdp_env;
	struct isdr_env isdr_env;
};

static void euicc_free(void *arg)
{
	struct euicc *e = arg;

	if (!e)
		return;
	isdr_free(e->isdr);
	sim_fs_free(e->fs);
	isdp_store_free(e->isdp);
	sim_store_close(e->store);
	ecasd_free(e->ecasd);
	free(e);
}

static int persist(void *arg)
{
	struct euicc *e = arg;

	return sim_store_save(e->store);
}

static void refresh(void *arg)
{
	struct euicc *e = arg;

	sim_power(e->card, SIM_REFRESH);
}

static int build(struct euicc *e, const struct sim_config *cfg)
{
	struct sim_store_section sec;
	struct sim_fs_source files;
	size_t ci_len = 0;

	TRY(ecasd_new(&cfg->ecasd, &e->ecasd));
	TRY(sim_store_open(cfg->state_dir, ecasd_eid(e->ecasd), &e->store));
	e->isdp_env.cfg = &cfg->isdp;
	e->isdp_env.sideload_ci = ecasd_credential_ci(e->ecasd, 0, &ci_len);
	e->isdp_env.sideload_ci_len = ci_len;
	e->isdp_env.persist = persist;
	e->isdp_env.arg = e;
	TRY(isdp_store_new(&e->isdp_env, &e->isdp));
	e->isdr_env.cfg = &cfg->isdr;
	e->isdr_env.ecasd = e->ecasd;
	e->isdr_env.isdp = e->isdp;
	e->isdr_env.persist = persist;
	e->isdr_env.refresh = refresh;
	e->isdr_env.arg = e;
	TRY(isdr_new(&e->isdr_env, &e->isdr));
	files.files = isdp_files;
	files.secrets = isdp_fs_secrets;
	files.commit = isdp_fs_commit;
	files.arg = e->isdp;
	TRY(sim_fs_new(&files, &e->fs));
	/* USIM and ISIM: ADFs of the enabled profile, served by the ISD-P
	 * store's NAA handlers */
	TRY(sim_fs_add_naa(e->fs, isdp_usim_prefix, sizeof(isdp_usim_prefix), &isdp_usim_naa, e->isdp));
	TRY(sim_fs_add_naa(e->fs, isdp_isim_prefix, sizeof(isdp_isim_prefix), &isdp_isim_naa, e->isdp));

	isdr_state_section(e->isdr, &sec);
	TRY(sim_store_add_section(e->store, &sec));
	isdp_state_section(e->isdp, &sec);
	TRY(sim_store_add_section(e->store, &sec));
	TRY(sim_store_load(e->store));

	TRY(sim_card_add_app(e->card, &isdr_app, e->isdr, isdr_aid, sizeof(isdr_aid), 0));
	TRY(sim_card_add_app(e->card, &ecasd_app, e->ecasd, ecasd_aid, sizeof(ecasd_aid), 0));
	return sim_card_add_app(e->card, &sim_fs_app, e->fs, NULL, 0, SIM_APP_ROOT);
}

int sim_card_new(const struct sim_config *cfg, struct sim_card **out)
{
	struct euicc *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return -EU_E_NOMEM;
	rc = sim_card_create(&e->card);
	if (rc < 0) {
		free(e);
		return rc;
	}
	sim_card_set_host(e->card, e, euicc_free);
	rc = build(e, cfg);
	if (rc < 0) {
		sim_card_free(e->card);
		return rc;
	}
	sim_power(e->card, SIM_POWER_ON);
	*out = e->card;
	return 0;
}

const uint8_t *sim_card_eid(const struct sim_card *card)
{
	const struct euicc *e = sim_card_host(card);

	return ecasd_eid(e->ecasd);
}

struct isdp_store *sim_card_isdp(const struct sim_card *card)
{
	const struct euicc *e = sim_card_host(card);

	return e->isdp;
}

struct isdr *sim_card_isdr(const struct sim_card *card)
{
	const struct euicc *e = sim_card_host(card);

	return e->isdr;
}

int sim_card_state_image(const struct sim_card *card, uint8_t **buf, size_t *len)
{
	const struct euicc *e = sim_card_host(card);

	return sim_store_image(e->store, buf, len);
}

int sim_card_state_load(struct sim_card *card, const uint8_t *buf, size_t len)
{
	const struct euicc *e = sim_card_host(card);
	int rc;

	/* No channel may keep a file or session of the state it replaces. */
	sim_power(card, SIM_POWER_OFF);
	rc = sim_store_load_buffer(e->store, buf, len);
	sim_power(card, SIM_POWER_ON);
	return rc;
}

unsigned long sim_card_state_changes(const struct sim_card *card)
{
	const struct euicc *e = sim_card_host(card);

	return sim_store_changes(e->store);
}
