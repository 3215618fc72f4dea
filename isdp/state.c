/* The ISD-P store's section of the state file: [2] NextIsdpIndex and
 * [3] Profiles (isdp/state.asn). */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "profiles/saip.h"
#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_NEXT_INDEX 2
#define TAG_PROFILES 3

/* An OPTIONAL octet string: written when len > 0, else left out. */
static int write_opt(asn1_node n, const char *name, const void *v, size_t len)
{
	return sim_asn1_write(n, name, len ? v : NULL, len);
}

static int write_profile(asn1_node n, const struct isdp_profile *p)
{
	TRY(sim_asn1_write(n, "", "NEW", 1));
	TRY(sim_asn1_write(n, "?LAST.isdpAid", p->aid, p->aid_len));
	TRY(sim_asn1_write_uint(n, "?LAST.state", p->state));
	TRY(sim_asn1_write(n, "?LAST.storeMetadata", p->metadata, p->metadata_len));
	TRY(sim_asn1_write(n, "?LAST.package", p->package, p->package_len));
	TRY(write_opt(n, "?LAST.nickname", p->nickname, p->has_nickname ? strlen(p->nickname) : 0));
	TRY(write_opt(n, "?LAST.dpProprietaryData", p->dp_proprietary,
		      p->dp_proprietary ? p->dp_proprietary_len : 0));
	TRY(write_opt(n, "?LAST.smdpOid", p->smdp_oid, p->smdp_oid_len));
	TRY(sim_asn1_write(n, "?LAST.fieldLoadedTest", p->field_loaded_test ? "TRUE" : "FALSE", 1));
	return write_opt(n, "?LAST.ciPKId", p->ci_id, p->ci_id_len);
}

static int save(void *arg, struct sim_store_out *out)
{
	const struct isdp_store *s = arg;
	asn1_node idx = NULL, list = NULL;
	size_t kept = 0;
	int rc;

	rc = sim_asn1_new("IsdpState.NextIsdpIndex", &idx);
	if (rc == 0)
		rc = sim_asn1_write_uint(idx, "", s->next_index);
	if (rc == 0)
		rc = sim_store_put_asn1(out, TAG_NEXT_INDEX, idx);
	/* Profiles being deleted by the change in progress are left out. */
	for (size_t i = 0; i < s->n; i++)
		kept += !s->p[i].deleting;
	if (rc == 0 && kept)
		rc = sim_asn1_new("IsdpState.Profiles", &list);
	for (size_t i = 0; rc == 0 && kept && i < s->n; i++)
		if (!s->p[i].deleting)
			rc = write_profile(list, &s->p[i]);
	if (rc == 0 && kept)
		rc = sim_store_put_asn1(out, TAG_PROFILES, list);
	asn1_delete_structure(&idx);
	asn1_delete_structure2(&list, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
}

/* A state file is data from outside: the rules the card keeps must hold
 * in it too (at most one enabled profile, unique ICCIDs and AIDs, AIDs
 * below the counter, so that none is handed out twice). */
static int check_loaded(const struct isdp_store *s)
{
	size_t enabled = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct isdp_profile *p = &s->p[i];
		unsigned idx = (unsigned)p->aid[13] << 8 | p->aid[14];

		enabled += p->state == ISDP_ENABLED;
		if (p->aid_len != 16 || idx >= s->next_index) {
			LOG_ERR("state: profile %zu has an ISD-P AID the card did not hand out", i);
			return -EU_E_CORRUPT;
		}
		for (size_t j = 0; j < i; j++) {
			if (!memcmp(s->p[j].iccid, p->iccid, ISDP_ICCID_LEN) ||
			    (s->p[j].aid_len == p->aid_len && !memcmp(s->p[j].aid, p->aid, p->aid_len))) {
				LOG_ERR("state: two profiles share an ICCID or ISD-P AID");
				return -EU_E_CORRUPT;
			}
		}
	}
	if (enabled > 1) {
		LOG_ERR("state: more than one profile is enabled");
		return -EU_E_CORRUPT;
	}
	return 0;
}

/* An OPTIONAL field: absent is fine. */
static int opt(int rc)
{
	return rc == -EU_E_NOT_FOUND ? 0 : rc;
}

static int read_profile(asn1_node list, int i, struct isdp_profile *p)
{
	char name[96];
	unsigned long v;
	size_t n;
	int rc;

#define F(f) (snprintf(name, sizeof(name), "?%d.%s", i, f), name)
	TRY(sim_asn1_read(list, F("isdpAid"), p->aid, sizeof(p->aid), &p->aid_len));
	TRY(sim_asn1_read_uint(list, F("state"), &v));
	if (v > ISDP_ENABLED)
		return -EU_E_CORRUPT;
	p->state = (enum isdp_state)v;
	TRY(sim_asn1_read_alloc(list, F("storeMetadata"), &p->metadata, &p->metadata_len));
	TRY(sim_asn1_read_alloc(list, F("package"), &p->package, &p->package_len));
	rc = sim_asn1_read(list, F("nickname"), (uint8_t *)p->nickname, sizeof(p->nickname) - 1, &n);
	if (rc == 0) {
		p->nickname[n] = 0;
		p->has_nickname = true;
	}
	TRY(opt(rc));
	TRY(opt(sim_asn1_read_alloc(list, F("dpProprietaryData"), &p->dp_proprietary, &p->dp_proprietary_len)));
	TRY(opt(sim_asn1_read(list, F("smdpOid"), p->smdp_oid, sizeof(p->smdp_oid), &p->smdp_oid_len)));
	TRY(opt(sim_asn1_read(list, F("ciPKId"), p->ci_id, sizeof(p->ci_id), &p->ci_id_len)));
	if (sim_asn1_read_bool(list, F("fieldLoadedTest"), &p->field_loaded_test) < 0)
		p->field_loaded_test = false;
#undef F
	TRY(isdp_parse_metadata(p));
	/* The stored package was checked at install; decode it again so that
	 * its files are there when it is enabled. */
	return saip_decode(p->package, p->package_len, &p->decoded);
}

static int load(void *arg, const struct sim_store_in *in)
{
	struct isdp_store *s = arg;
	asn1_node node = NULL;
	unsigned long v;
	int count = 0, rc;

	/* a load replaces what the store held (sim/store.h) */
	for (size_t i = 0; i < s->n; i++)
		isdp_profile_clear(&s->p[i]);
	s->n = 0;
	s->next_index = ISDP_FIRST_INDEX;
	rc = sim_store_get_asn1(in, TAG_NEXT_INDEX, "IsdpState.NextIsdpIndex", &node);
	if (rc == 0) {
		rc = sim_asn1_read_uint(node, "", &v);
		s->next_index = v > 0xFFFF ? 0xFFFF : (unsigned)v;
	}
	asn1_delete_structure(&node);
	if (rc < 0 && rc != -EU_E_NOT_FOUND)
		return rc;
	rc = sim_store_get_asn1(in, TAG_PROFILES, "IsdpState.Profiles", &node);
	if (rc == -EU_E_NOT_FOUND)
		return check_loaded(s);
	TRY(rc);
	if (asn1_number_of_elements(node, "", &count) != ASN1_SUCCESS)
		count = 0;
	rc = count > ISDP_MAX_PROFILES ? -EU_E_CORRUPT : 0;
	for (int i = 1; i <= count && rc == 0; i++) {
		struct isdp_profile p = { 0 };

		rc = read_profile(node, i, &p);
		if (rc < 0)
			isdp_profile_clear(&p);
		else
			s->p[s->n++] = p;
	}
	asn1_delete_structure2(&node, ASN1_DELETE_FLAG_ZEROIZE);
	return rc < 0 ? rc : check_loaded(s);
}

void isdp_state_section(struct isdp_store *s, struct sim_store_section *sec)
{
	memset(sec, 0, sizeof(*sec));
	sec->name = "profiles";
	sec->tags = 1u << TAG_NEXT_INDEX | 1u << TAG_PROFILES;
	sec->save = save;
	sec->load = load;
	sec->arg = s;
}
