#include "isdp/isdp.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"
#include "profiles/saip.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ISD-P AIDs: A0000005591010FFFFFFFF89 00 nnnn 00, with nnnn counting up
 * from 0010 (the first ISD-P is ...8900001000, as on common test cards),
 * never reused. */
#define ISDP_FIRST_INDEX 0x0010

struct isdp_store {
	struct isdp_profile p[ISDP_MAX_PROFILES];
	size_t n;
	unsigned next_index;
};

int isdp_store_new(struct sim_card *card, struct isdp_store **out)
{
	struct isdp_store *s = calloc(1, sizeof(*s));

	(void)card;
	if (!s)
		return -EU_E_NOMEM;
	s->next_index = ISDP_FIRST_INDEX;
	*out = s;
	return 0;
}

void isdp_profile_clear(struct isdp_profile *p)
{
	if (p->package)
		OPENSSL_cleanse(p->package, p->package_len);	/* holds K/OPc */
	free(p->package);
	free(p->metadata);
	free(p->dp_proprietary);
	saip_profile_free(p->decoded);
	memset(p, 0, sizeof(*p));
}

void isdp_store_free(struct isdp_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		isdp_profile_clear(&s->p[i]);
	free(s);
}

size_t isdp_count(const struct isdp_store *s)
{
	return s->n;
}

const struct isdp_profile *isdp_get(const struct isdp_store *s, size_t i)
{
	return i < s->n ? &s->p[i] : NULL;
}

const struct isdp_profile *isdp_find_iccid(const struct isdp_store *s, const uint8_t iccid[ISDP_ICCID_LEN])
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->p[i].iccid, iccid, ISDP_ICCID_LEN))
			return &s->p[i];
	return NULL;
}

uint64_t isdp_memory_used(const struct isdp_store *s)
{
	uint64_t used = 0;

	for (size_t i = 0; i < s->n; i++)
		used += s->p[i].package_len;
	return used;
}

const struct isdp_profile *isdp_enabled(const struct sim_card *card)
{
	const struct isdp_store *s = card->isdp;

	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].state == ISDP_ENABLED && !s->p[i].deleting)
			return &s->p[i];
	return NULL;
}

int isdp_enabled_iccid(const struct sim_card *card, uint8_t iccid[ISDP_ICCID_LEN])
{
	const struct isdp_store *s = card->isdp;

	for (size_t i = 0; i < s->n; i++) {
		if (s->p[i].state == ISDP_ENABLED) {
			memcpy(iccid, s->p[i].iccid, ISDP_ICCID_LEN);
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}

void isdp_next_aid(const struct isdp_store *s, uint8_t aid[ISDP_AID_MAX], size_t *len)
{
	static const uint8_t prefix[] = {
		0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00,
	};

	memcpy(aid, prefix, sizeof(prefix));
	aid[13] = (uint8_t)(s->next_index >> 8);
	aid[14] = (uint8_t)s->next_index;
	aid[15] = 0x00;
	*len = 16;
}

int isdp_install(struct isdp_store *s, struct isdp_profile *p)
{
	if (s->n == ISDP_MAX_PROFILES)
		return -EU_E_NOMEM;
	s->p[s->n++] = *p;
	memset(p, 0, sizeof(*p));
	s->next_index++;
	return 0;
}

void isdp_uninstall_last(struct isdp_store *s)
{
	if (s->n == 0)
		return;
	/* Hand the buffers back as they were not persisted: free them. */
	isdp_profile_clear(&s->p[--s->n]);
	s->next_index--;
}

int isdp_lookup(const struct isdp_store *s, const char *kind, const uint8_t *v, size_t len)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct isdp_profile *p = &s->p[i];

		if (!strcmp(kind, "iccid") && len == ISDP_ICCID_LEN && !memcmp(p->iccid, v, len))
			return (int)i;
		if (!strcmp(kind, "isdpAid") && len == p->aid_len && !memcmp(p->aid, v, len))
			return (int)i;
	}
	return -1;
}

struct isdp_profile *isdp_at(struct isdp_store *s, size_t i)
{
	return i < s->n ? &s->p[i] : NULL;
}

void isdp_mark_deleted(struct isdp_store *s, size_t i)
{
	if (i < s->n)
		s->p[i].deleting = true;
}

void isdp_purge_deleted(struct isdp_store *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->p[i].deleting)
			isdp_profile_clear(&s->p[i]);
		else
			s->p[j++] = s->p[i];
	}
	for (size_t i = j; i < s->n; i++)
		memset(&s->p[i], 0, sizeof(s->p[i]));
	s->n = j;
}

void isdp_unmark_deleted(struct isdp_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->p[i].deleting = false;
}

/* ---- state file ----------------------------------------------------------- */

static int write_blob(asn1_node n, const char *name, const uint8_t *v, size_t len)
{
	return sim_asn1_write(n, name, v, len);
}

int isdp_state_write(struct sim_card *card, asn1_node st)
{
	const struct isdp_store *s = card->isdp;
	char name[96];

	size_t kept = 0;

	TRY(sim_asn1_write_uint(st, "nextIsdpIndex", s->next_index));
	for (size_t i = 0; i < s->n; i++)
		kept += !s->p[i].deleting;
	if (kept == 0)
		return sim_asn1_write(st, "profiles", NULL, 0);
	for (size_t i = 0; i < s->n; i++) {
		const struct isdp_profile *p = &s->p[i];

		if (p->deleting)
			continue;
		TRY(sim_asn1_write(st, "profiles", "NEW", 1));
#define F(f) (snprintf(name, sizeof(name), "profiles.?LAST.%s", f), name)
		TRY(write_blob(st, F("isdpAid"), p->aid, p->aid_len));
		TRY(sim_asn1_write_uint(st, F("state"), p->state));
		TRY(write_blob(st, F("storeMetadata"), p->metadata, p->metadata_len));
		TRY(write_blob(st, F("package"), p->package, p->package_len));
		if (p->has_nickname)
			TRY(sim_asn1_write(st, F("nickname"), p->nickname, strlen(p->nickname)));
		else
			TRY(sim_asn1_write(st, F("nickname"), NULL, 0));
		if (p->dp_proprietary)
			TRY(write_blob(st, F("dpProprietaryData"), p->dp_proprietary, p->dp_proprietary_len));
		else
			TRY(sim_asn1_write(st, F("dpProprietaryData"), NULL, 0));
		if (p->smdp_oid_len)
			TRY(write_blob(st, F("smdpOid"), p->smdp_oid, p->smdp_oid_len));
		else
			TRY(sim_asn1_write(st, F("smdpOid"), NULL, 0));
		TRY(sim_asn1_write(st, F("fieldLoadedTest"), p->field_loaded_test ? "TRUE" : "FALSE", 1));
		if (p->ci_id_len)
			TRY(write_blob(st, F("ciPKId"), p->ci_id, p->ci_id_len));
		else
			TRY(sim_asn1_write(st, F("ciPKId"), NULL, 0));
#undef F
	}
	return 0;
}

/* SGP.22 §5.5.3 limits that libtasn1 does not enforce (it ignores SIZE
 * constraints), checked once at install so that nothing later (e.g.
 * GetProfilesInfo) meets a value it cannot carry. */
#define MD_MAX_NOTIFICATION_CONFIGS 16

static int check_metadata_sizes(asn1_node md)
{
	static const struct {
		const char *name;
		int max;
	} limits[] = {
		{ "serviceProviderName", 32 }, { "profileName", 64 }, { "icon", 1024 },
		{ "profileOwner.gid1", 16 }, { "profileOwner.gid2", 16 },
	};
	uint8_t buf[256];
	int count = 0, sz;
	uint32_t bits;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		int rc;

		sz = 0;
		rc = asn1_read_value(md, limits[i].name, NULL, &sz);
		if ((rc == ASN1_MEM_ERROR || rc == ASN1_SUCCESS) && sz > limits[i].max)
			return -EU_E_PARAM;
	}
	/* an icon only with its type, and a known type */
	sz = 0;
	if ((asn1_read_value(md, "icon", NULL, &sz) == ASN1_MEM_ERROR) !=
	    (sim_asn1_read(md, "iconType", buf, sizeof(buf), &n) == 0))
		return -EU_E_PARAM;
	if (sim_asn1_read(md, "iconType", buf, sizeof(buf), &n) == 0 && (n != 1 || buf[0] > 1))
		return -EU_E_PARAM;
	if (sim_asn1_read(md, "profileOwner.mccMnc", buf, sizeof(buf), &n) == 0 && n != 3)
		return -EU_E_PARAM;
	if (sim_asn1_read_bits(md, "profilePolicyRules", &bits) == -EU_E_TOO_LONG)
		return -EU_E_PARAM;
	if (asn1_number_of_elements(md, "notificationConfigurationInfo", &count) != ASN1_SUCCESS)
		count = 0;
	if (count > MD_MAX_NOTIFICATION_CONFIGS)
		return -EU_E_PARAM;
	for (int i = 1; i <= count; i++) {
		char name[96];

		snprintf(name, sizeof(name), "notificationConfigurationInfo.?%d.profileManagementOperation", i);
		if (sim_asn1_read_bits(md, name, &bits) < 0 || bits == 0 || bits > 0xF)
			return -EU_E_PARAM;
		snprintf(name, sizeof(name), "notificationConfigurationInfo.?%d.notificationAddress", i);
		if (sim_asn1_read(md, name, buf, sizeof(buf), &n) < 0 || !sim_address_ok(buf, n))
			return -EU_E_PARAM;
	}
	return 0;
}

/* The ICCID and class live in the StoreMetadata received at install. */
int isdp_parse_metadata(struct isdp_profile *p)
{
	asn1_node md = NULL;
	unsigned long cls = ISDP_CLASS_OPERATIONAL;
	size_t n;
	int rc;

	rc = sim_asn1_decode("RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &md);
	if (rc < 0)
		return rc;
	rc = check_metadata_sizes(md);
	if (rc < 0) {
		asn1_delete_structure(&md);
		return rc;
	}
	rc = sim_asn1_read(md, "iccid", p->iccid, sizeof(p->iccid), &n);
	if (rc == 0 && n != ISDP_ICCID_LEN)
		rc = -EU_E_ASN1;
	if (rc == 0) {
		rc = sim_asn1_read_uint(md, "profileClass", &cls);
		if (rc == -EU_E_NOT_FOUND)
			rc = 0;
		else if (rc == 0 && cls > ISDP_CLASS_OPERATIONAL)
			rc = -EU_E_ASN1;
	}
	p->profile_class = (enum isdp_class)cls;
	asn1_delete_structure(&md);
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

int isdp_state_read(struct sim_card *card, asn1_node st)
{
	struct isdp_store *s = card->isdp;
	unsigned long v;
	char name[96];
	int count = 0, rc;

	rc = sim_asn1_read_uint(st, "nextIsdpIndex", &v);
	if (rc == 0)
		s->next_index = v > 0xFFFF ? 0xFFFF : (unsigned)v;
	else if (rc != -EU_E_NOT_FOUND)
		return rc;
	if (asn1_number_of_elements(st, "profiles", &count) != ASN1_SUCCESS)
		count = 0;
	if (count > ISDP_MAX_PROFILES)
		return -EU_E_CORRUPT;
	for (int i = 1; i <= count; i++) {
		struct isdp_profile p = { 0 };
		size_t n;

#define F(f) (snprintf(name, sizeof(name), "profiles.?%d.%s", i, f), name)
		rc = sim_asn1_read(st, F("isdpAid"), p.aid, sizeof(p.aid), &p.aid_len);
		if (rc == 0)
			rc = sim_asn1_read_uint(st, F("state"), &v);
		if (rc == 0 && v > ISDP_ENABLED)
			rc = -EU_E_CORRUPT;
		p.state = (enum isdp_state)v;
		if (rc == 0)
			rc = sim_asn1_read_alloc(st, F("storeMetadata"), &p.metadata, &p.metadata_len);
		if (rc == 0)
			rc = sim_asn1_read_alloc(st, F("package"), &p.package, &p.package_len);
		if (rc == 0) {
			rc = sim_asn1_read(st, F("nickname"), (uint8_t *)p.nickname, sizeof(p.nickname) - 1, &n);
			if (rc == 0) {
				p.nickname[n] = 0;
				p.has_nickname = true;
			} else if (rc == -EU_E_NOT_FOUND) {
				rc = 0;
			}
		}
		if (rc == 0) {
			rc = sim_asn1_read_alloc(st, F("dpProprietaryData"), &p.dp_proprietary, &p.dp_proprietary_len);
			if (rc == -EU_E_NOT_FOUND)
				rc = 0;
		}
		if (rc == 0) {
			rc = sim_asn1_read(st, F("smdpOid"), p.smdp_oid, sizeof(p.smdp_oid), &p.smdp_oid_len);
			if (rc == -EU_E_NOT_FOUND)
				rc = 0;
		}
		if (rc == 0) {
			rc = sim_asn1_read(st, F("ciPKId"), p.ci_id, sizeof(p.ci_id), &p.ci_id_len);
			if (rc == -EU_E_NOT_FOUND)
				rc = 0;
		}
		if (rc == 0 && sim_asn1_read_bool(st, F("fieldLoadedTest"), &p.field_loaded_test) < 0)
			p.field_loaded_test = false;
#undef F
		if (rc == 0)
			rc = isdp_parse_metadata(&p);
		/* The stored package was checked at install; decode it again so
		 * that its files are there when it is enabled. */
		if (rc == 0)
			rc = saip_decode(p.package, p.package_len, &p.decoded);
		if (rc < 0) {
			isdp_profile_clear(&p);
			return rc;
		}
		s->p[s->n++] = p;
	}
	return check_loaded(s);
}
