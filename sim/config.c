#include "sim/config.h"
#include "sim/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UICCCapability named bits (SGP.22 §2.4a / PE definitions). */
static const char *const uicc_cap_names[] = {
	"contactlessSupport", "usimSupport", "isimSupport", "csimSupport",
	"akaMilenage", "akaCave", "akaTuak128", "akaTuak256",
	"rfu1", "rfu2", "gbaAuthenUsim", "gbaAuthenISim",
	"mbmsAuthenUsim", "eapClient", "javacard", "multos",
	"multipleUsimSupport", "multipleIsimSupport", "multipleCsimSupport",
};

static const char *const rsp_cap_names[] = {
	"additionalProfile", "crlSupport", "rpmSupport", "testProfileSupport",
};

#define BIT(n) (1u << (n))

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* A CI (verification) and, with sign, its credential set, from a PKI in
 * the certs/sgp26 layout; curve is "NIST" or "BRP". */
static void add_pki(struct sim_config *cfg, const char *dir, const char *curve, bool sign)
{
	struct sim_cred_cfg *c;

	if (cfg->n_ci < SIM_MAX_CI)
		snprintf(cfg->ci_cert[cfg->n_ci++], SIM_PATH_MAX, "%s/CertificateIssuer/CERT_CI_ECDSA_%s.der",
			 dir, curve);
	if (!sign || cfg->n_cred == SIM_MAX_CRED)
		return;
	c = &cfg->cred[cfg->n_cred++];
	snprintf(c->euicc_cert, SIM_PATH_MAX, "%s/eUICC/CERT_EUICC_ECDSA_%s.der", dir, curve);
	snprintf(c->eum_cert, SIM_PATH_MAX, "%s/EUM/CERT_EUM_ECDSA_%s.der", dir, curve);
	snprintf(c->euicc_key, SIM_PATH_MAX, "%s/eUICC/SK_EUICC_ECDSA_%s.pem", dir, curve);
}

static void add_gsma(struct sim_config *cfg)
{
	if (cfg->n_ci < SIM_MAX_CI)
		snprintf(cfg->ci_cert[cfg->n_ci++], SIM_PATH_MAX, "%s", cfg->gsma_ci);
}

const char *const sim_config_preset_names = "sgp26, sgp26-nist, sgp26-brp, gsma-prod, private, hybrid";

int sim_config_preset(struct sim_config *cfg, const char *name)
{
	cfg->n_ci = 0;
	cfg->n_cred = 0;
	if (!strcmp(name, "sgp26")) {
		add_pki(cfg, cfg->sgp26_dir, "NIST", true);
		add_pki(cfg, cfg->sgp26_dir, "BRP", true);
	} else if (!strcmp(name, "sgp26-nist")) {
		add_pki(cfg, cfg->sgp26_dir, "NIST", true);
	} else if (!strcmp(name, "sgp26-brp")) {
		add_pki(cfg, cfg->sgp26_dir, "BRP", true);
	} else if (!strcmp(name, "gsma-prod")) {
		/* Public key only: the card verifies, but signs for no CI. */
		add_gsma(cfg);
	} else if (!strcmp(name, "private")) {
		add_pki(cfg, cfg->private_dir, "NIST", true);
	} else if (!strcmp(name, "hybrid")) {
		/* As a card sourced with several roots: production (verify
		 * only), SGP.26 test, private. */
		add_gsma(cfg);
		add_pki(cfg, cfg->sgp26_dir, "NIST", true);
		add_pki(cfg, cfg->sgp26_dir, "BRP", true);
		add_pki(cfg, cfg->private_dir, "NIST", true);
	} else {
		return -EU_E_CONFIG;
	}
	snprintf(cfg->preset, sizeof(cfg->preset), "%s", name);
	return 0;
}

void sim_config_defaults(struct sim_config *cfg, const char *certs_dir)
{
	memset(cfg, 0, sizeof(*cfg));
	copy_str(cfg->vpcd_host, sizeof(cfg->vpcd_host), "127.0.0.1");
	cfg->vpcd_port = 35963;
	snprintf(cfg->sgp26_dir, sizeof(cfg->sgp26_dir), "%s", certs_dir);
	snprintf(cfg->private_dir, sizeof(cfg->private_dir), "%s/../private", certs_dir);
	snprintf(cfg->gsma_ci, sizeof(cfg->gsma_ci), "%s/../gsma-ci/gsma-rsp2-root-ci1.pem", certs_dir);
	copy_str(cfg->eid, sizeof(cfg->eid), "89049032123451234512345678901235");
	sim_config_preset(cfg, "sgp26");
	memcpy(cfg->profile_version, (uint8_t[]){ 2, 3, 1 }, 3);
	memcpy(cfg->svn, (uint8_t[]){ 2, 3, 0 }, 3);
	memcpy(cfg->firmware_version, (uint8_t[]){ 0, 1, 0 }, 3);
	memcpy(cfg->ts102241_version, (uint8_t[]){ 9, 2, 0 }, 3);
	cfg->has_ts102241_version = true;
	memcpy(cfg->gp_version, (uint8_t[]){ 2, 3, 0 }, 3);
	cfg->has_gp_version = true;
	memcpy(cfg->pp_version, (uint8_t[]){ 0, 0, 1 }, 3);
	copy_str(cfg->sas_accreditation, sizeof(cfg->sas_accreditation), "EUICC-SIM-TEST-ONLY");
	copy_str(cfg->platform_label, sizeof(cfg->platform_label), "euicc-sim");
	copy_str(cfg->discovery_base_url, sizeof(cfg->discovery_base_url), "https://euicc-sim.invalid/dloa");
	cfg->has_certification_data = true;
	cfg->euicc_category = 2;	/* mediumEuicc */
	cfg->uicc_capability = BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(6) | BIT(7) |
			       BIT(16) | BIT(17) | BIT(18);
	cfg->rsp_capability = BIT(0) | BIT(3);
	cfg->profile_memory = 1024 * 1024;
	cfg->volatile_memory = 32 * 1024;
	copy_str(cfg->root_ds_address, sizeof(cfg->root_ds_address), "testrootsmds.example.com");
	cfg->rat_len = 0;
}

static int parse_version(const char *v, uint8_t out[3])
{
	unsigned a, b, c;
	char tail;

	if (sscanf(v, "%u.%u.%u%c", &a, &b, &c, &tail) != 3 || a > 255 || b > 255 || c > 255)
		return -EU_E_CONFIG;
	out[0] = (uint8_t)a;
	out[1] = (uint8_t)b;
	out[2] = (uint8_t)c;
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || end == v)
		return -EU_E_CONFIG;
	if (*end == 'k' || *end == 'K')
		x *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		x *= 1024 * 1024, end++;
	if (*end)
		return -EU_E_CONFIG;
	*out = x;
	return 0;
}

static int parse_bits(const char *v, const char *const *names, size_t n, uint32_t *out)
{
	char buf[1024], *tok, *save = NULL;
	uint32_t bits = 0;

	copy_str(buf, sizeof(buf), v);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == n)
			return -EU_E_CONFIG;
		bits |= BIT(i);
	}
	*out = bits;
	return 0;
}

static int parse_hex(const char *v, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;

	while (*v) {
		unsigned x;

		if (isspace((unsigned char)*v)) {
			v++;
			continue;
		}
		if (!isxdigit((unsigned char)v[0]) || !isxdigit((unsigned char)v[1]) || n >= cap)
			return -EU_E_CONFIG;
		sscanf(v, "%2x", &x);
		out[n++] = (uint8_t)x;
		v += 2;
	}
	*len = n;
	return 0;
}

/* Paths that do not fit are cut short; opening them then fails with the
 * shortened name in the message. */
static void resolve(char *dst, const char *value, const char *base_dir)
{
	int n;

	if (value[0] == '/' || !base_dir || !*base_dir)
		n = snprintf(dst, SIM_PATH_MAX, "%s", value);
	else
		n = snprintf(dst, SIM_PATH_MAX, "%s/%s", base_dir, value);
	if (n < 0 || n >= SIM_PATH_MAX)
		dst[SIM_PATH_MAX - 1] = 0;
}

static bool flag_on(const char *v)
{
	return !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on");
}

/* "HOST:PORT" or "[V6ADDR]:PORT"; with dflt_host also "PORT" and ":PORT". */
static int parse_hostport(const char *value, const char *dflt_host, char *host, size_t host_len,
			  uint16_t *port)
{
	const char *colon = strrchr(value, ':'), *h = value, *p = value;
	size_t hl = 0;
	unsigned long n;

	if (colon) {
		hl = (size_t)(colon - value);
		p = colon + 1;
		if (hl >= 2 && value[0] == '[' && value[hl - 1] == ']') {
			h++;
			hl -= 2;
		}
	} else if (!dflt_host) {
		return -1;
	}
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5)
		return -1;
	n = strtoul(p, NULL, 10);
	if (n == 0 || n > 65535)
		return -1;
	if (!hl) {
		if (!dflt_host)
			return -1;
		h = dflt_host;
		hl = strlen(dflt_host);
	}
	if (hl >= host_len)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	*port = (uint16_t)n;
	return 0;
}

int sim_config_set(struct sim_config *cfg, const char *key, const char *value,
		   const char *base_dir, char *err, size_t err_len)
{
	int rc = 0;

#define BAD(...) do { snprintf(err, err_len, __VA_ARGS__); return -EU_E_CONFIG; } while (0)
	if (!strcmp(key, "vpcd")) {
		if (cfg->listen_port)
			BAD("vpcd and listen exclude each other (the card connects, or it listens)");
		if (parse_hostport(value, NULL, cfg->vpcd_host, sizeof(cfg->vpcd_host), &cfg->vpcd_port) < 0)
			BAD("vpcd: expected HOST:PORT, got '%s'", value);
		cfg->vpcd_set = true;
	} else if (!strcmp(key, "listen")) {
		if (cfg->vpcd_set)
			BAD("vpcd and listen exclude each other (the card connects, or it listens)");
		if (parse_hostport(value, "127.0.0.1", cfg->listen_host, sizeof(cfg->listen_host),
				   &cfg->listen_port) < 0)
			BAD("listen: expected [HOST:]PORT, got '%s'", value);
	} else if (!strcmp(key, "state")) {
		resolve(cfg->state_dir, value, base_dir);
	} else if (!strcmp(key, "preset")) {
		if (sim_config_preset(cfg, value) < 0)
			BAD("preset: one of %s, got '%s'", sim_config_preset_names, value);
	} else if (!strcmp(key, "private-pki")) {
		resolve(cfg->private_dir, value, base_dir);
	} else if (!strcmp(key, "sgp26-pki")) {
		resolve(cfg->sgp26_dir, value, base_dir);
	} else if (!strcmp(key, "gsma-ci")) {
		resolve(cfg->gsma_ci, value, base_dir);
	} else if (!strcmp(key, "eid")) {
		if (strlen(value) != 32 || strspn(value, "0123456789") != 32)
			BAD("eid: 32 decimal digits, got '%s'", value);
		copy_str(cfg->eid, sizeof(cfg->eid), value);
	} else if (!strcmp(key, "ci")) {
		if (cfg->n_ci == SIM_MAX_CI)
			BAD("ci: at most %d CI certificates", SIM_MAX_CI);
		resolve(cfg->ci_cert[cfg->n_ci++], value, base_dir);
		cfg->preset[0] = 0;
	} else if (!strcmp(key, "credential")) {
		char a[SIM_PATH_MAX], b[SIM_PATH_MAX], c[SIM_PATH_MAX], extra[2];
		struct sim_cred_cfg *cr;

		if (cfg->n_cred == SIM_MAX_CRED)
			BAD("credential: at most %d credential sets", SIM_MAX_CRED);
		if (sscanf(value, "%4095s %4095s %4095s %1s", a, b, c, extra) != 3)
			BAD("credential: expected 'EUICC_CERT EUM_CERT EUICC_KEY', got '%s'", value);
		cr = &cfg->cred[cfg->n_cred++];
		cfg->preset[0] = 0;
		resolve(cr->euicc_cert, a, base_dir);
		resolve(cr->eum_cert, b, base_dir);
		resolve(cr->euicc_key, c, base_dir);
	} else if (!strcmp(key, "clear-roots")) {
		/* lets a config file replace the default SGP.26 set */
		if (flag_on(value)) {
			cfg->n_ci = cfg->n_cred = 0;
			cfg->preset[0] = 0;
		}
	} else if (!strcmp(key, "profile-version")) {
		rc = parse_version(value, cfg->profile_version);
	} else if (!strcmp(key, "svn")) {
		rc = parse_version(value, cfg->svn);
	} else if (!strcmp(key, "firmware-version")) {
		rc = parse_version(value, cfg->firmware_version);
	} else if (!strcmp(key, "ts102241-version")) {
		cfg->has_ts102241_version = *value != 0;
		if (*value)
			rc = parse_version(value, cfg->ts102241_version);
	} else if (!strcmp(key, "gp-version")) {
		cfg->has_gp_version = *value != 0;
		if (*value)
			rc = parse_version(value, cfg->gp_version);
	} else if (!strcmp(key, "pp-version")) {
		rc = parse_version(value, cfg->pp_version);
	} else if (!strcmp(key, "sas-accreditation-number")) {
		if (strlen(value) > 64)
			BAD("sas-accreditation-number: at most 64 characters");
		copy_str(cfg->sas_accreditation, sizeof(cfg->sas_accreditation), value);
	} else if (!strcmp(key, "platform-label")) {
		copy_str(cfg->platform_label, sizeof(cfg->platform_label), value);
		cfg->has_certification_data = *value || *cfg->discovery_base_url;
	} else if (!strcmp(key, "discovery-base-url")) {
		copy_str(cfg->discovery_base_url, sizeof(cfg->discovery_base_url), value);
		cfg->has_certification_data = *value || *cfg->platform_label;
	} else if (!strcmp(key, "euicc-category")) {
		static const char *const cats[] = { "other", "basicEuicc", "mediumEuicc", "contactlessEuicc" };
		cfg->euicc_category = -2;
		if (!*value || !strcmp(value, "none"))
			cfg->euicc_category = -1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(value, cats[i]))
				cfg->euicc_category = i;
		if (cfg->euicc_category == -2)
			BAD("euicc-category: one of none, other, basicEuicc, mediumEuicc, contactlessEuicc");
	} else if (!strcmp(key, "uicc-capability")) {
		if (parse_bits(value, uicc_cap_names, ARRAY_SIZE(uicc_cap_names), &cfg->uicc_capability) < 0)
			BAD("uicc-capability: comma-separated UICCCapability bit names, got '%s'", value);
	} else if (!strcmp(key, "rsp-capability")) {
		if (parse_bits(value, rsp_cap_names, ARRAY_SIZE(rsp_cap_names), &cfg->rsp_capability) < 0)
			BAD("rsp-capability: comma-separated RspCapability bit names, got '%s'", value);
	} else if (!strcmp(key, "profile-memory")) {
		rc = parse_u64(value, &cfg->profile_memory);
		if (rc == 0 && cfg->profile_memory > 32u * 1024 * 1024)
			BAD("profile-memory: at most 32M (the state file holds every package)");
	} else if (!strcmp(key, "volatile-memory")) {
		rc = parse_u64(value, &cfg->volatile_memory);
	} else if (!strcmp(key, "root-ds-address")) {
		if (strlen(value) >= sizeof(cfg->root_ds_address))
			BAD("root-ds-address: too long");
		copy_str(cfg->root_ds_address, sizeof(cfg->root_ds_address), value);
	} else if (!strcmp(key, "default-dp-address")) {
		if (strlen(value) >= sizeof(cfg->default_dp_address))
			BAD("default-dp-address: too long");
		copy_str(cfg->default_dp_address, sizeof(cfg->default_dp_address), value);
	} else if (!strcmp(key, "rat")) {
		if (parse_hex(value, cfg->rat, sizeof(cfg->rat), &cfg->rat_len) < 0)
			BAD("rat: hex DER of ProfilePolicyAuthorisationRule elements, at most %zu bytes",
			    sizeof(cfg->rat));
	} else {
		BAD("unknown setting '%s' (see --help-config)", key);
	}
	if (rc < 0)
		BAD("%s: invalid value '%s'", key, value);
	return 0;
#undef BAD
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int sim_config_load(struct sim_config *cfg, const char *path, char *err, size_t err_len)
{
	char line[8192], base[SIM_PATH_MAX], msg[512];
	FILE *f = fopen(path, "r");
	const char *slash;
	int lineno = 0;

	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -EU_E_IO;
	}
	slash = strrchr(path, '/');
	if (slash)
		snprintf(base, sizeof(base), "%.*s", (int)(slash - path), path);
	else
		snprintf(base, sizeof(base), ".");
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *eq, *hash;

		lineno++;
		hash = strchr(s, '#');
		if (hash)
			*hash = 0;
		s = trim(s);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, err_len, "%s:%d: expected 'key = value'", path, lineno);
			fclose(f);
			return -EU_E_CONFIG;
		}
		*eq = 0;
		if (sim_config_set(cfg, trim(s), trim(eq + 1), base, msg, sizeof(msg)) < 0) {
			snprintf(err, err_len, "%s:%d: %s", path, lineno, msg);
			fclose(f);
			return -EU_E_CONFIG;
		}
	}
	fclose(f);
	return 0;
}

void sim_config_help(void)
{
	puts("Config file: one 'key = value' per line, '#' starts a comment.\n"
	     "Relative paths are relative to the config file.\n"
	     "\n"
	     "  vpcd = HOST:PORT               vpcd to attach to (127.0.0.1:35963)\n"
	     "  listen = [HOST:]PORT           reversed mode: wait for vpcd on HOST (127.0.0.1):PORT\n"
	     "                                 (reader.conf DEVICENAME HOST:PORT); excludes vpcd\n"
	     "  state = DIR                    state directory\n"
	     "  preset = NAME                  CI/credential preset (replaces the lists):\n"
	     "                                 sgp26, sgp26-nist, sgp26-brp, gsma-prod, private, hybrid\n"
	     "  private-pki = DIR              certs/mkpki output used by 'private' and 'hybrid'\n"
	     "  gsma-ci = CERT                 the GSMA RSP2 Root CI1 certificate (gsma-prod, hybrid)\n"
	     "  eid = DIGITS                   EID of a card without credential sets (gsma-prod)\n"
	     "  clear-roots = yes              forget the CIs and credentials so far (custom mix)\n"
	     "  ci = CERT                      CI certificate for verification (repeatable, in order)\n"
	     "  credential = EUICC_CERT EUM_CERT EUICC_KEY\n"
	     "                                 eUICC credential set for signing (repeatable)\n"
	     "  profile-version = 2.3.1        SAIP version (EUICCInfo2 profileVersion)\n"
	     "  svn = 2.3.0                    SGP.22 version\n"
	     "  firmware-version = 0.1.0\n"
	     "  ts102241-version = 9.2.0       empty to omit\n"
	     "  gp-version = 2.3.0             empty to omit\n"
	     "  pp-version = 0.0.1\n"
	     "  sas-accreditation-number = TEXT\n"
	     "  platform-label = TEXT, discovery-base-url = URL  (certificationDataObject)\n"
	     "  euicc-category = none|other|basicEuicc|mediumEuicc|contactlessEuicc\n"
	     "  uicc-capability = usimSupport,isimSupport,...   (UICCCapability bit names)\n"
	     "  rsp-capability = additionalProfile,testProfileSupport,...\n"
	     "  profile-memory = 1M            non-volatile memory for profiles (k/M suffixes)\n"
	     "  volatile-memory = 32k\n"
	     "  root-ds-address = FQDN\n"
	     "  default-dp-address = FQDN      initial default SM-DP+ of a new card\n"
	     "  rat = HEX                      GetRAT content: DER ProfilePolicyAuthorisationRule list");
}

bool sim_address_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7E)
			return false;
	return true;
}
