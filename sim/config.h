/* Card configuration: command-line flags, an optional config file, and
 * the defaults (SGP.26 test identity). */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_CI 16
#define SIM_MAX_CRED 16
#define SIM_PATH_MAX 4096

struct sim_cred_cfg {
	char euicc_cert[SIM_PATH_MAX];
	char eum_cert[SIM_PATH_MAX];
	char euicc_key[SIM_PATH_MAX];
};

struct sim_config {
	char vpcd_host[256];
	uint16_t vpcd_port;
	bool vpcd_set;			/* 'vpcd' given (it excludes 'listen') */
	/* Reversed mode when listen_port is set: the card listens and vpcd
	 * connects to it (reader.conf DEVICENAME HOST:PORT). */
	char listen_host[256];
	uint16_t listen_port;
	char state_dir[SIM_PATH_MAX];	/* empty: nothing is persisted */

	/* Where the presets find their certificates. */
	char sgp26_dir[SIM_PATH_MAX];	/* SGP.26 test PKI (--certs) */
	char private_dir[SIM_PATH_MAX];	/* a certs/mkpki PKI (--private-pki) */
	char gsma_ci[SIM_PATH_MAX];	/* GSMA RSP2 Root CI1 certificate */
	char preset[32];		/* the preset the roots came from, "" if custom */

	/* EID of a card without any credential set (a verification-only
	 * preset such as gsma-prod); otherwise it comes from the eUICC
	 * certificates and, if set, must match them. */
	char eid[33];

	/* ECASD: CI certificates for verification, credential sets for
	 * signing, both in the configured order. */
	char ci_cert[SIM_MAX_CI][SIM_PATH_MAX];
	size_t n_ci;
	struct sim_cred_cfg cred[SIM_MAX_CRED];
	size_t n_cred;

	/* EUICCInfo2 (SGP.22 §5.7.8) */
	uint8_t profile_version[3];
	uint8_t svn[3];
	uint8_t firmware_version[3];
	uint8_t ts102241_version[3];
	bool has_ts102241_version;
	uint8_t gp_version[3];
	bool has_gp_version;
	uint8_t pp_version[3];
	char sas_accreditation[65];
	char platform_label[256];
	char discovery_base_url[256];
	bool has_certification_data;
	int euicc_category;		/* -1: absent */
	uint32_t uicc_capability;	/* bit n = named bit n */
	uint32_t rsp_capability;
	uint64_t profile_memory;	/* bytes of non-volatile memory for profiles */
	uint64_t volatile_memory;	/* free volatile memory reported */

	/* ES10a */
	char root_ds_address[256];
	char default_dp_address[256];	/* initial value for a new card */

	/* GetRAT: DER of RulesAuthorisationTable contents (SEQUENCE OF
	 * ProfilePolicyAuthorisationRule elements), may be empty. */
	uint8_t rat[1024];
	size_t rat_len;
};

/* Fill cfg with the defaults; certs_dir holds the SGP.26 set. The other
 * preset sources default to its siblings (certs/private, certs/gsma-ci). */
void sim_config_defaults(struct sim_config *cfg, const char *certs_dir);

/* Apply one "key = value" setting; base_dir resolves relative paths.
 * On error writes a message to err. */
int sim_config_set(struct sim_config *cfg, const char *key, const char *value,
		   const char *base_dir, char *err, size_t err_len);

/* Read a config file of "key = value" lines ('#' starts a comment). */
int sim_config_load(struct sim_config *cfg, const char *path, char *err, size_t err_len);

/* Replace the CI and credential lists by a named preset: sgp26,
 * sgp26-nist, sgp26-brp, gsma-prod, private, hybrid. */
int sim_config_preset(struct sim_config *cfg, const char *name);
extern const char *const sim_config_preset_names;

/* An address as SGP.22 carries them (an FQDN, maybe with a port), as LPAs
 * send them: 1..255 bytes of printable ASCII, no spaces. */
bool sim_address_ok(const uint8_t *s, size_t n);

/* Print the configuration keys and their meaning. */
void sim_config_help(void);

#endif
