/* euicc-sim: a software SGP.22 v2.3 eUICC on vsmartcard's vpcd. */
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/host/control.h"
#include "sim/host/loop.h"
#include "isdp/isdp.h"
#include "profiles/saip.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/log.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIM_DATADIR
#define SIM_DATADIR "."
#endif

#define DEFAULT_STATE "euicc-sim-state"

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
		"       euicc-sim ctl [--state DIR | --socket PATH] COMMAND ...\n"
		"                 drive a running card (status, remove, insert, reset, fault SPEC,\n"
		"                 faults, fault-clear, report)\n"
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
		"  --state DIR         state directory, created if missing (default ./" DEFAULT_STATE ")\n"
		"  --no-state          keep all state in memory only\n"
		"  --control PATH      control socket (default STATE_DIR/" CONTROL_SOCKET "; none with --no-state)\n"
		"  --fault SPEC        a fault from the start: ACTION on=WHAT [nth=N] [times=N]\n"
		"                      (repeatable; see the README, \"Driving the card from a test\")\n"
		"  --config FILE       config file of 'key = value' lines (see --help-config)\n"
		"  --preset NAME       CI/credential preset: sgp26 (default), sgp26-nist, sgp26-brp,\n"
		"                      gsma-prod, private, hybrid (see the README)\n"
		"  --certs DIR         SGP.26-layout PKI for the sgp26* presets (default %s/certs/sgp26)\n"
		"  --private-pki DIR   certs/mkpki output for 'private' and 'hybrid' (default certs/private)\n"
		"  --strict            refuse what SGP.22 lets a card tolerate: unknown (extension)\n"
		"                      elements and BER length forms in requests (README)\n"
		"  -v                  trace each command and its result; -vv adds APDU bytes\n"
		"  --pcap FILE         write every APDU and power event to FILE for Wireshark\n"
		"  --gsmtap HOST[:PORT]\n"
		"                      send them live as GSMTAP over UDP (port 4729)\n"
		"  --trace-json FILE   write one JSON object per command, response and power event\n"
		"  --report FILE       judge the LPA: write the conformance report (JSON) when the card stops\n"
		"  --junit FILE        the same report as JUnit XML (one test case per rule)\n"
		"  --print-eid         print the EID and exit\n"
		"  --help-config       list the config file keys\n"
		"  -h, --help          this help\n"
		"\n"
		"Ctrl-C (SIGINT) or SIGTERM stops the card cleanly.\n"
		"The SGP.26 keys shipped in certs/sgp26 are public test keys: anything they\n"
		"sign proves nothing outside a test bench.\n",
		SIM_DATADIR);
}

/* Command-line options; NULL/false when not given. */
struct options {
	const char *vpcd, *listen, *state, *config, *preset, *private_pki, *control;
	const char *faults[FAULT_MAX];
	size_t n_faults;
	const char *pcap, *gsmtap, *trace_json, *report, *junit;
	char certs[SIM_PATH_MAX];
	bool print_eid, strict;
	/* sideload */
	const char *sideload, *spn, *name, *cls, *notify;
	bool enable;
};

/* 0 to go on, or an exit status + 1. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "vpcd", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'L' },
		{ "control", required_argument, NULL, 'X' },
		{ "fault", required_argument, NULL, 'F' },
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
		{ "pcap", required_argument, NULL, 'W' },
		{ "gsmtap", required_argument, NULL, 'G' },
		{ "trace-json", required_argument, NULL, 'J' },
		{ "strict", no_argument, NULL, 'Z' },
		{ "report", required_argument, NULL, 'Y' },
		{ "junit", required_argument, NULL, 'U' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->vpcd = optarg; break;
		case 'L': o->listen = optarg; break;
		case 'X': o->control = optarg; break;
		case 'F':
			if (o->n_faults == FAULT_MAX) {
				fprintf(stderr, "euicc-sim: at most %d --fault\n", FAULT_MAX);
				return 3;
			}
			o->faults[o->n_faults++] = optarg;
			break;
		case 's': o->state = optarg; break;
		case 'n': o->state = ""; break;
		case 'c': o->config = optarg; break;
		case 'P': o->preset = optarg; break;
		case 'C': snprintf(o->certs, sizeof(o->certs), "%s", optarg); break;
		case 'E': o->print_eid = true; break;
		case 'v': sim_log_level++; break;
		case 'H': sim_config_help(stdout); return 1;
		case 'S': o->spn = optarg; break;
		case 'N': o->name = optarg; break;
		case 'K': o->cls = optarg; break;
		case 'e': o->enable = true; break;
		case 'O': o->notify = optarg; break;
		case 'R': o->private_pki = optarg; break;
		case 'W': o->pcap = optarg; break;
		case 'G': o->gsmtap = optarg; break;
		case 'J': o->trace_json = optarg; break;
		case 'Z': o->strict = true; break;
		case 'Y': o->report = optarg; break;
		case 'U': o->junit = optarg; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 3;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "euicc-sim: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 3;
	}
	if (o->vpcd && o->listen) {
		fprintf(stderr, "euicc-sim: --vpcd and --listen exclude each other: --vpcd HOST:PORT "
			"connects to a listening vpcd (DEVICENAME /dev/null:PORT), --listen [HOST:]PORT "
			"waits for vpcd to connect (DEVICENAME HOST:PORT)\n");
		return 3;
	}
	if (!o->sideload && (o->enable || o->name || o->notify || o->spn || o->cls)) {
		fprintf(stderr, "euicc-sim: --spn/--name/--class/--notify/--enable go with 'sideload'\n");
		return 3;
	}
	return 0;
}

/* --pcap, --gsmtap, --trace-json, --report, --junit: as the config keys of
 * the same names. */
static int set_trace_flags(const struct options *o, struct sim_config *cfg)
{
	const char *const flags[][2] = {
		{ "pcap", o->pcap }, { "gsmtap", o->gsmtap }, { "trace-json", o->trace_json },
		{ "report", o->report }, { "junit", o->junit },
	};
	char err[1024];

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (flags[i][1] && sim_config_set(cfg, flags[i][0], flags[i][1], NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "euicc-sim: --%s\n", err);
			return -1;
		}
	}
	return 0;
}

/* The configuration: defaults, preset, config file, then the flags. */
static int configure(const struct options *o, struct sim_config *cfg)
{
	char err[1024];

	sim_config_defaults(cfg, o->certs);
	if (o->private_pki)
		snprintf(cfg->private_dir, sizeof(cfg->private_dir), "%s", o->private_pki);
	if (o->preset && sim_config_preset(cfg, o->preset) < 0) {
		fprintf(stderr, "euicc-sim: unknown preset '%s' (%s)\n", o->preset, sim_config_preset_names);
		return -1;
	}
	if (o->config && sim_config_load(cfg, o->config, err, sizeof(err)) < 0) {
		fprintf(stderr, "euicc-sim: %s\n", err);
		return -1;
	}
	/* Command-line flags win over the config file, a mode flag over the
	 * file's mode. */
	if (o->vpcd || o->listen) {
		cfg->vpcd_set = false;
		cfg->listen_port = 0;
	}
	if ((o->vpcd && sim_config_set(cfg, "vpcd", o->vpcd, NULL, err, sizeof(err)) < 0) ||
	    (o->listen && sim_config_set(cfg, "listen", o->listen, NULL, err, sizeof(err)) < 0)) {
		fprintf(stderr, "euicc-sim: --%s\n", err);
		return -1;
	}
	if (set_trace_flags(o, cfg) < 0)
		return -1;
	if (o->strict)
		cfg->isdr.strict = true;
	if (o->state)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", o->state);
	else if (!o->config || !cfg->state_dir[0])
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", DEFAULT_STATE);
	if (o->print_eid)
		cfg->state_dir[0] = 0;
	for (size_t i = 0; i < o->n_faults; i++) {
		if (sim_config_set(cfg, "fault", o->faults[i], NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "euicc-sim: --%s\n", err);
			return -1;
		}
	}
	if (o->control)
		snprintf(cfg->control_path, sizeof(cfg->control_path), "%s", o->control);
	else if (!cfg->control_set && cfg->state_dir[0] &&
		 snprintf(cfg->control_path, sizeof(cfg->control_path), "%s/%s", cfg->state_dir, CONTROL_SOCKET) >=
		 (int)sizeof(cfg->control_path)) {
		fprintf(stderr, "euicc-sim: the state directory's path is too long for %s\n", CONTROL_SOCKET);
		return -1;
	}
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
		else
			file = NULL, i = argc;
	}
	if (!file) {
		fprintf(stderr, "usage: euicc-sim dump FILE [--show-keys]\n");
		return 2;
	}
	return saip_dump_file(file, keys, stdout) < 0 ? 1 : 0;
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

/* Enable through the card's own ES10c.EnableProfile, as an LPA would. */
static int enable_by_iccid(struct sim_card *card, const uint8_t iccid[ISDP_ICCID_LEN])
{
	static const uint8_t select_isdr[] = {
		0x00, 0xA4, 0x04, 0x0C, 0x10, 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
		0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00,
	};
	uint8_t cmd[64] = { 0x80, 0xE2, 0x91, 0x00 }, rsp[SIM_RSP_MAX];
	/* BF31 { A0 { 5A iccid }, 81 01 FF (refreshFlag TRUE) } */
	uint8_t req[] = { 0xBF, 0x31, 0x11, 0xA0, 0x0C, 0x5A, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			  0x81, 0x01, 0xFF };
	size_t n;

	memcpy(req + 7, iccid, ISDP_ICCID_LEN);
	cmd[4] = sizeof(req);
	memcpy(cmd + 5, req, sizeof(req));
	cmd[5 + sizeof(req)] = 0x00;	/* Le */
	sim_transact(card, select_isdr, sizeof(select_isdr), rsp);
	n = sim_transact(card, cmd, 6 + sizeof(req), rsp);
	/* BF31 03 80 01 <result> 90 00 */
	return n == 8 && rsp[5] == 0x00 && rsp[6] == 0x90 ? 0 : -1;
}

/* The profile name: the file name, without folders and .der, at most 64
 * bytes. */
static void name_from_file(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t bl = strlen(base);

	if (bl > 4 && !strcmp(base + bl - 4, ".der"))
		bl -= 4;
	snprintf(out, cap, "%.*s", (int)(bl > 64 ? 64 : bl), base);
}

static int cmd_sideload(struct sim_card *card, const struct options *o, const char *state_dir)
{
	const char *cls_name = o->cls ? o->cls : "operational";
	struct isdp_store *s = sim_card_isdp(card);
	enum isdp_class cls;
	const struct isdp_profile *p;
	char digits[24], name[65], err[1024];
	uint8_t *pkg = NULL;
	size_t len = 0;
	int rc;

	if (!strcmp(cls_name, "test"))
		cls = ISDP_CLASS_TEST;
	else if (!strcmp(cls_name, "provisioning"))
		cls = ISDP_CLASS_PROVISIONING;
	else if (!strcmp(cls_name, "operational"))
		cls = ISDP_CLASS_OPERATIONAL;
	else {
		fprintf(stderr, "euicc-sim: --class test|provisioning|operational\n");
		return 2;
	}
	if (read_package(o->sideload, &pkg, &len) < 0)
		return 1;
	name_from_file(o->sideload, name, sizeof(name));
	rc = isdp_sideload(s, pkg, len, o->spn ? o->spn : "euicc-sim", o->name ? o->name : name, cls,
			   o->notify, err, sizeof(err));
	free(pkg);
	if (rc < 0) {
		fprintf(stderr, "euicc-sim: sideload %s: %s\n", o->sideload, err);
		return 1;
	}
	p = isdp_get(s, isdp_count(s) - 1);
	saip_profile_iccid(p->decoded, digits, sizeof(digits));
	printf("side-loaded ICCID %s into ISD-P ", digits);
	for (size_t i = 0; i < p->aid_len; i++)
		printf("%02X", p->aid[i]);
	printf(" (state %s, no SM-DP+, no install notification)\n", state_dir[0] ? state_dir : "memory");
	if (o->enable && enable_by_iccid(card, p->iccid) < 0) {
		fprintf(stderr, "euicc-sim: the profile was installed but could not be enabled\n");
		return 1;
	}
	return 0;
}

static int run_card(struct sim_card *card, const struct sim_config *cfg, bool print_eid)
{
	const uint8_t *eid = sim_card_eid(card);
	char hex[33];
	int rc;

	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", eid[i]);
	if (print_eid) {
		printf("%s\n", hex);
		return 0;
	}
	fprintf(stderr, "euicc-sim: EID %s, state %s, %s %s:%u\n", hex,
		cfg->state_dir[0] ? cfg->state_dir : "(memory only)", cfg->listen_port ? "listen" : "vpcd",
		cfg->listen_port ? cfg->listen_host : cfg->vpcd_host,
		cfg->listen_port ? cfg->listen_port : cfg->vpcd_port);

	rc = sim_host_run(card, cfg, &stop_requested);
	if (rc == 0)
		fprintf(stderr, "euicc-sim: stopped\n");
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct sim_config cfg;
	struct options o = { 0 };
	struct sigaction sa;
	struct sim_card *card = NULL;
	int rc;

	/* First, so that a stop request right after the start is not lost
	 * (a background job starts with SIGINT ignored). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(o.certs, sizeof(o.certs), "%s/certs/sgp26", SIM_DATADIR);
	if (argc > 1 && !strcmp(argv[1], "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return control_client_main(argc - 1, argv + 1);
	if (argc > 2 && !strcmp(argv[1], "sideload")) {
		o.sideload = argv[2];
		argc -= 2;
		argv += 2;
	}
	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc - 1;
	if (configure(&o, &cfg) < 0)
		return 2;
	rc = sim_card_new(&cfg, &card);
	if (rc < 0) {
		fprintf(stderr, "euicc-sim: cannot start the card: %s\n", eu_strerror(rc));
		return 1;
	}
	if (o.sideload)
		rc = cmd_sideload(card, &o, cfg.state_dir);
	else
		rc = run_card(card, &cfg, o.print_eid);
	sim_card_free(card);
	return rc;
}
