/* euicc-sim: a software SGP.22 v2.3 eUICC on vsmartcard's vpcd. */
#include "sim/card.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/vpcd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIM_DATADIR
#define SIM_DATADIR "."
#endif

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: euicc-sim [OPTIONS]\n"
		"A software SGP.22 v2.3 consumer eUICC attached to vsmartcard's vpcd.\n"
		"\n"
		"  --vpcd HOST:PORT    vpcd to attach to (default 127.0.0.1:35963,\n"
		"                      reader \"Virtual PCD 00 00\"; 35964 is \"... 00 01\")\n"
		"  --state DIR         state directory, created if missing (default ./euicc-sim-state)\n"
		"  --no-state          keep all state in memory only\n"
		"  --config FILE       config file of 'key = value' lines (see --help-config)\n"
		"  --preset NAME       CI/credential preset: sgp26 (default), sgp26-nist, sgp26-brp\n"
		"  --certs DIR         SGP.26 certificate directory (default %s/certs/sgp26)\n"
		"  -v                  trace each command and its result; -vv adds APDU bytes\n"
		"  --print-eid         print the EID and exit\n"
		"  --help-config       list the config file keys\n"
		"  -h, --help          this help\n"
		"\n"
		"Ctrl-C (SIGINT) or SIGTERM stops the card cleanly.\n"
		"The SGP.26 keys shipped in certs/sgp26 are public test keys: anything they\n"
		"sign proves nothing outside a test bench.\n",
		SIM_DATADIR);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vpcd", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "no-state", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "preset", required_argument, NULL, 'P' },
		{ "certs", required_argument, NULL, 'C' },
		{ "print-eid", no_argument, NULL, 'E' },
		{ "help-config", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct sim_config cfg;
	char certs[SIM_PATH_MAX], err[1024];
	const char *vpcd = NULL, *state = "euicc-sim-state", *config = NULL, *preset = NULL;
	bool print_eid = false;
	struct sim_card *card = NULL;
	struct sigaction sa;
	int c, rc;

	snprintf(certs, sizeof(certs), "%s/certs/sgp26", SIM_DATADIR);
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': vpcd = optarg; break;
		case 's': state = optarg; break;
		case 'n': state = ""; break;
		case 'c': config = optarg; break;
		case 'P': preset = optarg; break;
		case 'C': snprintf(certs, sizeof(certs), "%s", optarg); break;
		case 'E': print_eid = true; break;
		case 'v': sim_log_level++; break;
		case 'H': sim_config_help(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "euicc-sim: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	sim_config_defaults(&cfg, certs);
	if (preset && sim_config_preset(&cfg, preset, certs) < 0) {
		fprintf(stderr, "euicc-sim: unknown preset '%s' (sgp26, sgp26-nist, sgp26-brp)\n", preset);
		return 2;
	}
	if (config && sim_config_load(&cfg, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "euicc-sim: %s\n", err);
		return 2;
	}
	/* Command-line flags win over the config file. */
	if (vpcd && sim_config_set(&cfg, "vpcd", vpcd, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "euicc-sim: --%s\n", err);
		return 2;
	}
	if (!config || strcmp(state, "euicc-sim-state"))
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state);
	if (print_eid)
		cfg.state_dir[0] = 0;

	rc = sim_card_new(&cfg, &card);
	if (rc < 0) {
		fprintf(stderr, "euicc-sim: cannot start the card: %s\n", eu_strerror(rc));
		return 1;
	}
	{
		const uint8_t *eid = sim_card_eid(card);
		char hex[33];

		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02X", eid[i]);
		if (print_eid) {
			printf("%s\n", hex);
			sim_card_free(card);
			return 0;
		}
		fprintf(stderr, "euicc-sim: EID %s, state %s, vpcd %s:%u\n", hex,
			cfg.state_dir[0] ? cfg.state_dir : "(memory only)", cfg.vpcd_host, cfg.vpcd_port);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sim_vpcd_run(card, cfg.vpcd_host, cfg.vpcd_port, &stop_requested);
	fprintf(stderr, "euicc-sim: stopped\n");
	sim_card_free(card);
	return 0;
}
