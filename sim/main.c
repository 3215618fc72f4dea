/* euicc-sim: a software SGP.22 v2.3 eUICC on vsmartcard's vpcd. */
#include "sim/card.h"
#include "sim/config.h"
#include "sim/card_priv.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/vpcd.h"
#include "isdp/isdp.h"
#include "profiles/saip.h"

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
		"Usage: euicc-sim [OPTIONS]                 run the card on vpcd\n"
		"       euicc-sim dump FILE [--show-keys]   print a decoded profile package\n"
		"       euicc-sim sideload FILE [OPTIONS] [--spn S] [--name N] [--class C]\n"
		"                 [--notify FQDN] [--enable]\n"
		"                 TEST/DEMO ONLY: install a profile package into the card's state\n"
		"                 directly, without an SM-DP+ (no BPP, no signature, no notification)\n"
		"A software SGP.22 v2.3 consumer eUICC attached to vsmartcard's vpcd.\n"
		"\n"
		"  --vpcd HOST:PORT    vpcd to attach to (default 127.0.0.1:35963,\n"
		"                      reader \"Virtual PCD 00 00\"; 35964 is \"... 00 01\")\n"
		"  --listen [HOST:]PORT\n"
		"                      reversed mode: wait on HOST (default 127.0.0.1):PORT for\n"
		"                      vpcd to connect (reader.conf DEVICENAME HOST:PORT); no --vpcd\n"
		"  --state DIR         state directory, created if missing (default ./euicc-sim-state)\n"
		"  --no-state          keep all state in memory only\n"
		"  --config FILE       config file of 'key = value' lines (see --help-config)\n"
		"  --preset NAME       CI/credential preset: sgp26 (default), sgp26-nist, sgp26-brp,\n"
		"                      gsma-prod, private, hybrid (see the README)\n"
		"  --certs DIR         SGP.26-layout PKI for the sgp26* presets (default %s/certs/sgp26)\n"
		"  --private-pki DIR   certs/mkpki output for 'private' and 'hybrid' (default certs/private)\n"
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

static int read_package(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	p = malloc(SAIP_MAX_PACKAGE + 1);
	n = p ? fread(p, 1, SAIP_MAX_PACKAGE + 1, f) : 0;
	fclose(f);
	if (!p || n == 0 || n > SAIP_MAX_PACKAGE) {
		fprintf(stderr, "euicc-sim: %s: empty or larger than %u bytes\n", path, SAIP_MAX_PACKAGE);
		free(p);
		return -1;
	}
	*buf = p;
	*len = n;
	return 0;
}

static int cmd_dump(int argc, char **argv)
{
	bool keys = false;
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--show-keys"))
			keys = true;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			fprintf(stderr, "usage: euicc-sim dump FILE [--show-keys]\n");
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: euicc-sim dump FILE [--show-keys]\n");
		return 2;
	}
	return saip_dump_file(file, keys, stdout) < 0 ? 1 : 0;
}

/* Enable through the card's own ES10c.EnableProfile, as an LPA would. */
static int enable_by_iccid(struct sim_card *card, const uint8_t iccid[ISDP_ICCID_LEN])
{
	uint8_t cmd[64] = { 0x80, 0xE2, 0x91, 0x00 }, rsp[SIM_RSP_MAX];
	uint8_t req[] = { 0xBF, 0x31, 0x11, 0xA0, 0x0C, 0x5A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			  0x81, 0x01, 0xFF };
	size_t n;

	memcpy(req + 7, iccid, ISDP_ICCID_LEN);
	cmd[4] = sizeof(req);
	memcpy(cmd + 5, req, sizeof(req));
	cmd[5 + sizeof(req)] = 0x00;	/* Le */
	sim_transact(card, (const uint8_t *)"\x00\xA4\x04\x0C\x10\xA0\x00\x00\x05\x59\x10\x10\xFF"
		     "\xFF\xFF\xFF\x89\x00\x00\x01\x00", 21, rsp);
	n = sim_transact(card, cmd, 6 + sizeof(req), rsp);
	/* BF31 03 80 01 <result> 90 00 */
	return n == 8 && rsp[5] == 0x00 && rsp[6] == 0x90 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vpcd", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'L' },
		{ "state", required_argument, NULL, 's' },
		{ "no-state", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "preset", required_argument, NULL, 'P' },
		{ "certs", required_argument, NULL, 'C' },
		{ "print-eid", no_argument, NULL, 'E' },
		{ "help-config", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "spn", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'N' },
		{ "class", required_argument, NULL, 'K' },
		{ "enable", no_argument, NULL, 'e' },
		{ "notify", required_argument, NULL, 'O' },
		{ "private-pki", required_argument, NULL, 'R' },
		{ 0 }
	};
	static struct sim_config cfg;
	char certs[SIM_PATH_MAX], err[1024];
	const char *vpcd = NULL, *state = "euicc-sim-state", *config = NULL, *preset = NULL;
	const char *listen_on = NULL;
	bool print_eid = false;
	struct sim_card *card = NULL;
	struct sigaction sa;
	int c, rc;

	const char *sideload = NULL, *spn = "euicc-sim", *pname = NULL, *pclass = "operational";
	const char *notify = NULL, *private_pki = NULL;
	bool enable = false;

	snprintf(certs, sizeof(certs), "%s/certs/sgp26", SIM_DATADIR);
	if (argc > 1 && !strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (argc > 2 && !strcmp(argv[1], "sideload")) {
		sideload = argv[2];
		argc -= 2;
		argv += 2;
	}
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': vpcd = optarg; break;
		case 'L': listen_on = optarg; break;
		case 's': state = optarg; break;
		case 'n': state = ""; break;
		case 'c': config = optarg; break;
		case 'P': preset = optarg; break;
		case 'C': snprintf(certs, sizeof(certs), "%s", optarg); break;
		case 'E': print_eid = true; break;
		case 'v': sim_log_level++; break;
		case 'H': sim_config_help(); return 0;
		case 'S': spn = optarg; break;
		case 'N': pname = optarg; break;
		case 'K': pclass = optarg; break;
		case 'e': enable = true; break;
		case 'O': notify = optarg; break;
		case 'R': private_pki = optarg; break;
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
	if (private_pki)
		snprintf(cfg.private_dir, sizeof(cfg.private_dir), "%s", private_pki);
	if (preset && sim_config_preset(&cfg, preset) < 0) {
		fprintf(stderr, "euicc-sim: unknown preset '%s' (%s)\n", preset, sim_config_preset_names);
		return 2;
	}
	if (config && sim_config_load(&cfg, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "euicc-sim: %s\n", err);
		return 2;
	}
	/* Command-line flags win over the config file, a mode flag over
	 * the file's mode. */
	if (vpcd && listen_on) {
		fprintf(stderr, "euicc-sim: --vpcd and --listen exclude each other: --vpcd HOST:PORT "
			"connects to a listening vpcd (DEVICENAME /dev/null:PORT), --listen [HOST:]PORT "
			"waits for vpcd to connect (DEVICENAME HOST:PORT)\n");
		return 2;
	}
	if (vpcd || listen_on) {
		cfg.vpcd_set = false;
		cfg.listen_port = 0;
	}
	if ((vpcd && sim_config_set(&cfg, "vpcd", vpcd, NULL, err, sizeof(err)) < 0) ||
	    (listen_on && sim_config_set(&cfg, "listen", listen_on, NULL, err, sizeof(err)) < 0)) {
		fprintf(stderr, "euicc-sim: --%s\n", err);
		return 2;
	}
	if (!config || strcmp(state, "euicc-sim-state"))
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state);
	if (print_eid)
		cfg.state_dir[0] = 0;
	if (!sideload && (enable || pname || notify || strcmp(spn, "euicc-sim") || strcmp(pclass, "operational"))) {
		fprintf(stderr, "euicc-sim: --spn/--name/--class/--notify/--enable go with 'sideload'\n");
		return 2;
	}

	rc = sim_card_new(&cfg, &card);
	if (rc < 0) {
		fprintf(stderr, "euicc-sim: cannot start the card: %s\n", eu_strerror(rc));
		return 1;
	}
	if (sideload) {
		enum isdp_class cls = !strcmp(pclass, "test") ? ISDP_CLASS_TEST :
				      !strcmp(pclass, "provisioning") ? ISDP_CLASS_PROVISIONING :
				      ISDP_CLASS_OPERATIONAL;
		const struct isdp_profile *p;
		uint8_t *pkg = NULL;
		size_t len = 0;
		char digits[24], name_buf[65];

		if (strcmp(pclass, "test") && strcmp(pclass, "provisioning") && strcmp(pclass, "operational")) {
			fprintf(stderr, "euicc-sim: --class test|provisioning|operational\n");
			sim_card_free(card);
			return 2;
		}
		if (read_package(sideload, &pkg, &len) < 0) {
			sim_card_free(card);
			return 1;
		}
		if (!pname) {
			/* the file name, without folders and .der, at most 64 bytes */
			const char *base = strrchr(sideload, '/') ? strrchr(sideload, '/') + 1 : sideload;
			size_t bl = strlen(base);

			if (bl > 4 && !strcmp(base + bl - 4, ".der"))
				bl -= 4;
			snprintf(name_buf, sizeof(name_buf), "%.*s", (int)(bl > 64 ? 64 : bl), base);
			pname = name_buf;
		}
		rc = isdp_sideload(card, pkg, len, spn, pname, cls, notify, err, sizeof(err));
		free(pkg);
		if (rc < 0) {
			fprintf(stderr, "euicc-sim: sideload %s: %s\n", sideload, err);
			sim_card_free(card);
			return 1;
		}
		p = isdp_get(card->isdp, isdp_count(card->isdp) - 1);
		saip_profile_iccid(p->decoded, digits, sizeof(digits));
		printf("side-loaded ICCID %s into ISD-P ", digits);
		for (size_t i = 0; i < p->aid_len; i++)
			printf("%02X", p->aid[i]);
		printf(" (state %s, no SM-DP+, no install notification)\n",
		       cfg.state_dir[0] ? cfg.state_dir : "memory");
		if (enable && enable_by_iccid(card, p->iccid) < 0) {
			fprintf(stderr, "euicc-sim: the profile was installed but could not be enabled\n");
			sim_card_free(card);
			return 1;
		}
		sim_card_free(card);
		return 0;
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
		fprintf(stderr, "euicc-sim: EID %s, state %s, %s %s:%u\n", hex,
			cfg.state_dir[0] ? cfg.state_dir : "(memory only)",
			cfg.listen_port ? "listen" : "vpcd",
			cfg.listen_port ? cfg.listen_host : cfg.vpcd_host,
			cfg.listen_port ? cfg.listen_port : cfg.vpcd_port);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cfg.listen_port)
		rc = sim_vpcd_listen(card, cfg.listen_host, cfg.listen_port, &stop_requested);
	else
		rc = sim_vpcd_run(card, cfg.vpcd_host, cfg.vpcd_port, &stop_requested);
	if (rc == 0)
		fprintf(stderr, "euicc-sim: stopped\n");
	sim_card_free(card);
	return rc < 0 ? 1 : 0;
}
