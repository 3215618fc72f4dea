/* Card configuration: command-line flags, an optional config file, and
 * the defaults (SGP.26 test identity). One table of keys (config.c) sets
 * the values and prints --help-config. Host side: the card modules get
 * their own part (ecasd_config, isdr_config, isdp_config). */
#ifndef SIM_HOST_CONFIG_H
#define SIM_HOST_CONFIG_H

#include "sim/host/fault.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_PATH_MAX 4096

struct sim_config {
	char vpcd_host[256];
	uint16_t vpcd_port;
	bool vpcd_set;			/* 'vpcd' given (it excludes 'listen') */
	/* Reversed mode when listen_port is set: the card listens and vpcd
	 * connects to it (reader.conf DEVICENAME HOST:PORT). */
	char listen_host[256];
	uint16_t listen_port;
	char state_dir[SIM_PATH_MAX];	/* empty: nothing is persisted */
	char control_path[SIM_PATH_MAX];	/* control socket; empty: none */
	bool control_set;		/* given (else STATE_DIR/control.sock) */
	/* faults from the start (checked when the card starts) */
	char faults[FAULT_MAX][FAULT_SPEC_MAX];
	size_t n_faults;

	/* APDU trace (sim/host/trace.h); empty: not written */
	char pcap[SIM_PATH_MAX];
	char trace_json[SIM_PATH_MAX];
	char gsmtap_host[256];
	uint16_t gsmtap_port;

	/* LPA conformance report (sim/host/report.h), written when the card
	 * stops; empty: not written */
	char report[SIM_PATH_MAX];
	char junit[SIM_PATH_MAX];

	/* Where the presets find their certificates. */
	char sgp26_dir[SIM_PATH_MAX];	/* SGP.26 test PKI (--certs) */
	char private_dir[SIM_PATH_MAX];	/* a certs/mkpki PKI (--private-pki) */
	char gsma_ci[SIM_PATH_MAX];	/* GSMA RSP2 Root CI1 certificate */
	char preset[32];		/* the preset the roots came from, "" if custom */

	struct ecasd_config ecasd;	/* CIs, credential sets, EID */
	struct isdr_config isdr;	/* EUICCInfo2, addresses, RAT */
	struct isdp_config isdp;	/* profile memory */
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

/* Print the configuration keys and their meaning (from the key table). */
void sim_config_help(FILE *out);

#endif
