#include "sim/host/config.h"
#include "sim/host/trace.h"
#include "sim/err.h"
#include "isdr/sgp22.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
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
	"additionalProfile", "crlSupport", "rpmSupport", "testProfileSupport", "deviceInfoExtensibilitySupport",
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
	struct ecasd_cred_files *c;

	struct ecasd_config *e = &cfg->ecasd;

	if (e->n_ci < ECASD_MAX_CI)
		snprintf(e->ci_cert[e->n_ci++], SIM_PATH_MAX, "%s/CertificateIssuer/CERT_CI_ECDSA_%s.der",
			 dir, curve);
	if (!sign || e->n_cred == ECASD_MAX_CRED)
		return;
	c = &e->cred[e->n_cred++];
	snprintf(c->euicc_cert, SIM_PATH_MAX, "%s/eUICC/CERT_EUICC_ECDSA_%s.der", dir, curve);
	snprintf(c->eum_cert, SIM_PATH_MAX, "%s/EUM/CERT_EUM_ECDSA_%s.der", dir, curve);
	snprintf(c->euicc_key, SIM_PATH_MAX, "%s/eUICC/SK_EUICC_ECDSA_%s.pem", dir, curve);
}

static void add_gsma(struct sim_config *cfg)
{
	if (cfg->ecasd.n_ci < ECASD_MAX_CI)
		snprintf(cfg->ecasd.ci_cert[cfg->ecasd.n_ci++], SIM_PATH_MAX, "%s", cfg->gsma_ci);
}

const char *const sim_config_preset_names = "sgp26, sgp26-nist, sgp26-brp, gsma-prod, private, hybrid";

int sim_config_preset(struct sim_config *cfg, const char *name)
{
	cfg->ecasd.n_ci = 0;
	cfg->ecasd.n_cred = 0;
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
	struct isdr_config *r = &cfg->isdr;

	memset(cfg, 0, sizeof(*cfg));
	copy_str(cfg->vpcd_host, sizeof(cfg->vpcd_host), "127.0.0.1");
	cfg->vpcd_port = 35963;
	snprintf(cfg->sgp26_dir, sizeof(cfg->sgp26_dir), "%s", certs_dir);
	snprintf(cfg->private_dir, sizeof(cfg->private_dir), "%s/../private", certs_dir);
	snprintf(cfg->gsma_ci, sizeof(cfg->gsma_ci), "%s/../gsma-ci/gsma-rsp2-root-ci1.pem", certs_dir);
	copy_str(cfg->ecasd.eid, sizeof(cfg->ecasd.eid), "89049032123451234512345678901235");
	sim_config_preset(cfg, "sgp26");
	memcpy(r->profile_version, (uint8_t[]){ 2, 3, 1 }, 3);
	memcpy(r->svn, (uint8_t[]){ 2, 3, 0 }, 3);
	memcpy(r->firmware_version, (uint8_t[]){ 0, 1, 0 }, 3);
	memcpy(r->ts102241_version, (uint8_t[]){ 9, 2, 0 }, 3);
	r->has_ts102241_version = true;
	memcpy(r->gp_version, (uint8_t[]){ 2, 3, 0 }, 3);
	r->has_gp_version = true;
	memcpy(r->pp_version, (uint8_t[]){ 0, 0, 1 }, 3);
	copy_str(r->sas_accreditation, sizeof(r->sas_accreditation), "EUICC-SIM-TEST-ONLY");
	copy_str(r->platform_label, sizeof(r->platform_label), "euicc-sim");
	copy_str(r->discovery_base_url, sizeof(r->discovery_base_url), "https://euicc-sim.invalid/dloa");
	r->has_certification_data = true;
	r->euicc_category = 2;	/* mediumEuicc */
	r->uicc_capability = BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(6) | BIT(7) |
			     BIT(16) | BIT(17) | BIT(18);
	r->rsp_capability = BIT(SGP22_RSP_CAP_ADDITIONAL_PROFILE) | BIT(SGP22_RSP_CAP_TEST_PROFILE) |
			    BIT(SGP22_RSP_CAP_DEVICE_INFO_EXT);
	cfg->isdp.profile_memory = 1024 * 1024;
	r->volatile_memory = 32 * 1024;
	copy_str(r->root_ds_address, sizeof(r->root_ds_address), "testrootsmds.example.com");
	r->rat_len = 0;
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

/* ---- the keys ------------------------------------------------------------------ */

struct key;
typedef int (*set_fn)(struct sim_config *cfg, const struct key *k, const char *v, const char *base);

struct key {
	const char *name;
	const char *value;	/* what --help-config shows after '=' */
	const char *help;
	set_fn set;
	size_t off;		/* the field in struct sim_config */
	size_t has_off;		/* a bool set when the value is not empty (0: none) */
	size_t max;		/* text length / number limit (0: none) */
};

/* Error message of the key being set (set_fn writes here). */
static char set_err[512];
#define BAD(...) (snprintf(set_err, sizeof(set_err), __VA_ARGS__), -EU_E_CONFIG)
#define FIELD(cfg, k, type) ((type)((char *)(cfg) + (k)->off))

static int set_version(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)base;
	if (k->has_off)
		*(bool *)((char *)cfg + k->has_off) = *v != 0;
	if (!*v && k->has_off)
		return 0;
	return parse_version(v, FIELD(cfg, k, uint8_t *)) < 0 ? BAD("%s: expected A.B.C, got '%s'", k->name, v) : 0;
}

static int set_text(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)base;
	if (strlen(v) > k->max)
		return BAD("%s: at most %zu characters", k->name, k->max);
	copy_str(FIELD(cfg, k, char *), k->max + 1, v);
	return 0;
}

static int set_path(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	resolve(FIELD(cfg, k, char *), v, base);
	return 0;
}

static int set_size(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	uint64_t x;

	(void)base;
	if (parse_u64(v, &x) < 0)
		return BAD("%s: a number of bytes with k/M suffixes, got '%s'", k->name, v);
	if (k->max && x > k->max)
		return BAD("%s: at most %zuM (the state file holds every package)", k->name, k->max >> 20);
	*FIELD(cfg, k, uint64_t *) = x;
	return 0;
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

#define MODES_EXCLUDE "vpcd and listen exclude each other (the card connects, or it listens)"

static int set_vpcd(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (cfg->listen_port)
		return BAD(MODES_EXCLUDE);
	if (parse_hostport(v, NULL, cfg->vpcd_host, sizeof(cfg->vpcd_host), &cfg->vpcd_port) < 0)
		return BAD("vpcd: expected HOST:PORT, got '%s'", v);
	cfg->vpcd_set = true;
	return 0;
}

static int set_listen(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (cfg->vpcd_set)
		return BAD(MODES_EXCLUDE);
	if (parse_hostport(v, "127.0.0.1", cfg->listen_host, sizeof(cfg->listen_host), &cfg->listen_port) < 0)
		return BAD("listen: expected [HOST:]PORT, got '%s'", v);
	return 0;
}

static int set_control(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	resolve(cfg->control_path, v, base);
	cfg->control_set = true;
	return 0;
}

static int set_fault(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	struct fault f;
	char err[256];

	(void)k;
	(void)base;
	if (cfg->n_faults == FAULT_MAX)
		return BAD("fault: at most %d", FAULT_MAX);
	if (fault_parse(v, &f, err, sizeof(err)) < 0)
		return BAD("fault: %s", err);
	snprintf(cfg->faults[cfg->n_faults++], FAULT_SPEC_MAX, "%s", v);
	return 0;
}

/* A trace or report file; empty turns it off. */
static int set_trace_file(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	if (!*v) {
		FIELD(cfg, k, char *)[0] = 0;
		return 0;
	}
	return set_path(cfg, k, v, base);
}

/* HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address; empty turns it off. */
static int set_gsmtap(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	const char *host = v, *end = v + strlen(v), *port = NULL;
	uint64_t p = SIM_GSMTAP_PORT;

	(void)k;
	(void)base;
	if (*v == '[') {
		host = v + 1;
		end = strchr(host, ']');
		if (end && end[1] == ':')
			port = end + 2;
		else if (!end || end[1])
			end = NULL;
	} else if (strchr(v, ':') && strchr(v, ':') == strrchr(v, ':')) {
		end = strchr(v, ':');
		port = end + 1;
	}
	if (*v && (!end || end == host || (size_t)(end - host) >= sizeof(cfg->gsmtap_host) ||
		   (port && (parse_u64(port, &p) < 0 || p == 0 || p > 65535))))
		return BAD("gsmtap: expected HOST[:PORT], got '%s'", v);
	snprintf(cfg->gsmtap_host, sizeof(cfg->gsmtap_host), "%.*s", (int)(end - host), host);
	cfg->gsmtap_port = (uint16_t)p;
	return 0;
}

static int set_preset(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	return sim_config_preset(cfg, v) < 0 ? BAD("preset: one of %s, got '%s'", sim_config_preset_names, v) : 0;
}

static int set_eid(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (strlen(v) != 32 || strspn(v, "0123456789") != 32)
		return BAD("eid: 32 decimal digits, got '%s'", v);
	copy_str(cfg->ecasd.eid, sizeof(cfg->ecasd.eid), v);
	return 0;
}

static int set_ci(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	if (cfg->ecasd.n_ci == ECASD_MAX_CI)
		return BAD("ci: at most %d CI certificates", ECASD_MAX_CI);
	resolve(cfg->ecasd.ci_cert[cfg->ecasd.n_ci++], v, base);
	cfg->preset[0] = 0;
	return 0;
}

static int set_credential(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	char a[SIM_PATH_MAX], b[SIM_PATH_MAX], c[SIM_PATH_MAX], extra[2];
	struct ecasd_cred_files *cr;

	(void)k;
	if (cfg->ecasd.n_cred == ECASD_MAX_CRED)
		return BAD("credential: at most %d credential sets", ECASD_MAX_CRED);
	if (sscanf(v, "%4095s %4095s %4095s %1s", a, b, c, extra) != 3)
		return BAD("credential: expected 'EUICC_CERT EUM_CERT EUICC_KEY', got '%s'", v);
	cr = &cfg->ecasd.cred[cfg->ecasd.n_cred++];
	cfg->preset[0] = 0;
	resolve(cr->euicc_cert, a, base);
	resolve(cr->eum_cert, b, base);
	resolve(cr->euicc_key, c, base);
	return 0;
}

/* lets a config file replace the default SGP.26 set */
static int set_clear_roots(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (flag_on(v)) {
		cfg->ecasd.n_ci = cfg->ecasd.n_cred = 0;
		cfg->preset[0] = 0;
	}
	return 0;
}

/* platform-label and discovery-base-url: certificationDataObject is
 * present while either is set. */
static int set_certification(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	struct isdr_config *r = &cfg->isdr;

	TRY(set_text(cfg, k, v, base));
	r->has_certification_data = *r->platform_label || *r->discovery_base_url;
	return 0;
}

static int set_category(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	static const char *const cats[] = { "other", "basicEuicc", "mediumEuicc", "contactlessEuicc" };

	(void)k;
	(void)base;
	if (!*v || !strcmp(v, "none")) {
		cfg->isdr.euicc_category = -1;
		return 0;
	}
	for (int i = 0; i < (int)ARRAY_SIZE(cats); i++) {
		if (!strcmp(v, cats[i])) {
			cfg->isdr.euicc_category = i;
			return 0;
		}
	}
	return BAD("euicc-category: one of none, other, basicEuicc, mediumEuicc, contactlessEuicc");
}

static int set_uicc_capability(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (parse_bits(v, uicc_cap_names, ARRAY_SIZE(uicc_cap_names), &cfg->isdr.uicc_capability) < 0)
		return BAD("uicc-capability: comma-separated UICCCapability bit names, got '%s'", v);
	return 0;
}

static int set_rsp_capability(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (parse_bits(v, rsp_cap_names, ARRAY_SIZE(rsp_cap_names), &cfg->isdr.rsp_capability) < 0)
		return BAD("rsp-capability: comma-separated RspCapability bit names, got '%s'", v);
	return 0;
}

static int set_bool(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)base;
	if (!flag_on(v) && strcmp(v, "0") && strcmp(v, "no") && strcmp(v, "false") && strcmp(v, "off"))
		return BAD("%s: yes or no, got '%s'", k->name, v);
	*FIELD(cfg, k, bool *) = flag_on(v);
	return 0;
}

static int set_rat(struct sim_config *cfg, const struct key *k, const char *v, const char *base)
{
	(void)k;
	(void)base;
	if (parse_hex(v, cfg->isdr.rat, sizeof(cfg->isdr.rat), &cfg->isdr.rat_len) < 0)
		return BAD("rat: hex DER of ProfilePolicyAuthorisationRule elements, at most %zu bytes",
			   sizeof(cfg->isdr.rat));
	return 0;
}

#define OFF(field) offsetof(struct sim_config, field)
#define TEXT_MAX(field) (sizeof(((struct sim_config *)0)->field) - 1)

static const struct key keys[] = {
	{ "vpcd", "HOST:PORT", "vpcd to attach to (127.0.0.1:35963)", set_vpcd, 0, 0, 0 },
	{ "listen", "[HOST:]PORT", "reversed mode: wait for vpcd on HOST (127.0.0.1):PORT (reader.conf "
	  "DEVICENAME HOST:PORT); excludes vpcd", set_listen, 0, 0, 0 },
	{ "state", "DIR", "state directory", set_path, OFF(state_dir), 0, 0 },
	{ "control", "PATH", "control socket (STATE_DIR/control.sock)", set_control, 0, 0, 0 },
	{ "fault", "SPEC", "a fault from the start: ACTION on=WHAT [nth=N] [times=N] (repeatable)", set_fault,
	  0, 0, 0 },
	{ "preset", "NAME", "CI/credential preset (replaces the lists): sgp26, sgp26-nist, sgp26-brp, "
	  "gsma-prod, private, hybrid", set_preset, 0, 0, 0 },
	{ "private-pki", "DIR", "certs/mkpki output used by 'private' and 'hybrid'", set_path,
	  OFF(private_dir), 0, 0 },
	{ "sgp26-pki", "DIR", "SGP.26-layout PKI used by the sgp26* presets", set_path, OFF(sgp26_dir), 0, 0 },
	{ "gsma-ci", "CERT", "the GSMA RSP2 Root CI1 certificate (gsma-prod, hybrid)", set_path, OFF(gsma_ci), 0, 0 },
	{ "eid", "DIGITS", "EID of a card without credential sets (gsma-prod)", set_eid, 0, 0, 0 },
	{ "clear-roots", "yes", "forget the CIs and credentials so far (custom mix)", set_clear_roots, 0, 0, 0 },
	{ "ci", "CERT", "CI certificate for verification (repeatable, in order)", set_ci, 0, 0, 0 },
	{ "credential", "EUICC_CERT EUM_CERT EUICC_KEY", "eUICC credential set for signing (repeatable)",
	  set_credential, 0, 0, 0 },
	{ "profile-version", "2.3.1", "SAIP version (EUICCInfo2 profileVersion)", set_version,
	  OFF(isdr.profile_version), 0, 0 },
	{ "svn", "2.3.0", "SGP.22 version", set_version, OFF(isdr.svn), 0, 0 },
	{ "firmware-version", "0.1.0", "euiccFirmwareVer", set_version, OFF(isdr.firmware_version), 0, 0 },
	{ "ts102241-version", "9.2.0", "empty to omit", set_version, OFF(isdr.ts102241_version),
	  OFF(isdr.has_ts102241_version), 0 },
	{ "gp-version", "2.3.0", "globalplatformVersion, empty to omit", set_version, OFF(isdr.gp_version),
	  OFF(isdr.has_gp_version), 0 },
	{ "pp-version", "0.0.1", "ppVersion", set_version, OFF(isdr.pp_version), 0, 0 },
	{ "sas-accreditation-number", "TEXT", "at most 64 characters", set_text, OFF(isdr.sas_accreditation), 0,
	  TEXT_MAX(isdr.sas_accreditation) },
	{ "platform-label", "TEXT", "certificationDataObject (with discovery-base-url; both empty omit it)",
	  set_certification, OFF(isdr.platform_label), 0, TEXT_MAX(isdr.platform_label) },
	{ "discovery-base-url", "URL", "certificationDataObject", set_certification, OFF(isdr.discovery_base_url), 0,
	  TEXT_MAX(isdr.discovery_base_url) },
	{ "euicc-category", "none|other|basicEuicc|mediumEuicc|contactlessEuicc", "(mediumEuicc)", set_category,
	  0, 0, 0 },
	{ "uicc-capability", "usimSupport,isimSupport,...", "UICCCapability bit names", set_uicc_capability,
	  0, 0, 0 },
	{ "rsp-capability", "additionalProfile,testProfileSupport,...", "RspCapability bit names",
	  set_rsp_capability, 0, 0, 0 },
	{ "profile-memory", "1M", "non-volatile memory for profiles (k/M suffixes, at most 32M)", set_size,
	  OFF(isdp.profile_memory), 0, 32u << 20 },
	{ "volatile-memory", "32k", "free volatile memory reported", set_size, OFF(isdr.volatile_memory), 0, 0 },
	{ "root-ds-address", "FQDN", "(testrootsmds.example.com)", set_text, OFF(isdr.root_ds_address), 0,
	  TEXT_MAX(isdr.root_ds_address) },
	{ "default-dp-address", "FQDN", "initial default SM-DP+ of a new card", set_text,
	  OFF(isdr.default_dp_address), 0, TEXT_MAX(isdr.default_dp_address) },
	{ "rat", "HEX", "GetRAT content: DER ProfilePolicyAuthorisationRule list", set_rat, 0, 0, 0 },
	{ "pcap", "FILE", "write every APDU and power event to a pcap file (Wireshark: gsm_sim)",
	  set_trace_file, OFF(pcap), 0, 0 },
	{ "gsmtap", "HOST[:PORT]", "send them live as GSMTAP (UDP, port 4729)", set_gsmtap, 0, 0, 0 },
	{ "trace-json", "FILE", "write one JSON object per command, response and power event",
	  set_trace_file, OFF(trace_json), 0, 0 },
	{ "strict", "yes|no", "refuse unknown (extension) elements and BER length forms in requests (no)",
	  set_bool, OFF(isdr.strict), 0, 0 },
	{ "report", "FILE", "write the LPA conformance report (JSON) when the card stops", set_trace_file,
	  OFF(report), 0, 0 },
	{ "junit", "FILE", "write the LPA conformance report as JUnit XML when the card stops", set_trace_file,
	  OFF(junit), 0, 0 },
};

int sim_config_set(struct sim_config *cfg, const char *key, const char *value,
		   const char *base_dir, char *err, size_t err_len)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(key, keys[i].name))
			continue;
		set_err[0] = 0;
		if (keys[i].set(cfg, &keys[i], value, base_dir) < 0) {
			snprintf(err, err_len, "%s", set_err[0] ? set_err : "invalid value");
			return -EU_E_CONFIG;
		}
		return 0;
	}
	snprintf(err, err_len, "unknown setting '%s' (see --help-config)", key);
	return -EU_E_CONFIG;
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

void sim_config_help(FILE *out)
{
	fputs("Config file: one 'key = value' per line, '#' starts a comment.\n"
	      "Relative paths are relative to the config file. Command-line flags win.\n\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char lhs[96];

		snprintf(lhs, sizeof(lhs), "%s = %s", keys[i].name, keys[i].value);
		fprintf(out, "  %-32s %s\n", lhs, keys[i].help);
	}
}
