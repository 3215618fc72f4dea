/* Installed profiles: the ISD-Ps, their metadata and lifecycle state. */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"
#include "sim/utf8.h"
#include "profiles/saip.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int isdp_store_new(const struct isdp_env *env, struct isdp_store **out)
{
	struct isdp_store *s;

	/* StoreMetadataRequest is an SGP.22 type (isdr/rsp.asn). */
	TRY(sim_asn1_add_module("RSPDefinitions", rsp_asn1_tab));
	TRY(sim_asn1_add_module("IsdpState", isdp_state_asn1_tab));
	TRY(saip_init());
	s = calloc(1, sizeof(*s));
	if (!s)
		return -EU_E_NOMEM;
	s->env = *env;
	s->next_index = ISDP_FIRST_INDEX;
	*out = s;
	return 0;
}

int isdp_persist(const struct isdp_store *s)
{
	return s->env.persist ? s->env.persist(s->env.arg) : 0;
}

void isdp_profile_clear(struct isdp_profile *p)
{
	if (p->package)
		OPENSSL_cleanse(p->package, p->package_len);	/* holds K/OPc */
	free(p->package);
	free(p->metadata);
	free(p->dp_proprietary);
	saip_profile_free(p->decoded);
	isdp_runtime_free(p->rt);
	memset(p, 0, sizeof(*p));
}

void isdp_store_keep_decoded(struct isdp_store *s, bool on)
{
	if (!on)
		for (size_t i = 0; i < ISDP_MAX_PROFILES; i++) {
			saip_profile_free(s->kept[i].d);
			memset(&s->kept[i], 0, sizeof(s->kept[i]));
		}
	s->keep_decoded = on;
}

void isdp_store_free(struct isdp_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		isdp_profile_clear(&s->p[i]);
	isdp_store_keep_decoded(s, false);
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

uint64_t isdp_memory_free(const struct isdp_store *s)
{
	uint64_t used = isdp_memory_used(s);
	uint64_t total = s->memory_fault ? s->memory_total : s->env.cfg->profile_memory;

	return used < total ? total - used : 0;
}

void isdp_set_memory_free(struct isdp_store *s, long long free)
{
	s->memory_fault = free >= 0;
	s->memory_total = free >= 0 ? isdp_memory_used(s) + (uint64_t)free : 0;
}

const struct isdp_profile *isdp_enabled(const struct isdp_store *s)
{
	return isdp_enabled_mut((struct isdp_store *)s);
}

struct isdp_profile *isdp_enabled_mut(struct isdp_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].state == ISDP_ENABLED && !s->p[i].deleting)
			return &s->p[i];
	return NULL;
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
	/* PINs, SQNs and the rest as the package sets them */
	TRY(isdp_runtime_new(p));
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

/* SGP.22 §5.5.3 limits that libtasn1 does not enforce (it ignores SIZE
 * constraints), checked once at install so that nothing later (e.g.
 * GetProfilesInfo) meets a value it cannot carry. */
#define MD_MAX_NOTIFICATION_CONFIGS 16
#define ISDP_EVENT_BITS 0xFu	/* NotificationEvent install..delete (bits 0-3) */

static int check_metadata_sizes(asn1_node md)
{
	static const struct {
		const char *name;
		int max;	/* bytes (OCTET STRING) or characters (UTF8String) */
		bool utf8;
	} limits[] = {
		{ "serviceProviderName", ISDP_SPN_MAX, true }, { "profileName", ISDP_NAME_MAX, true },
		{ "icon", ISDP_ICON_MAX, false }, { "profileOwner.gid1", ISDP_GID_MAX, false },
		{ "profileOwner.gid2", ISDP_GID_MAX, false },
	};
	uint8_t buf[4 * ISDP_NAME_MAX];
	int count = 0, sz;
	uint32_t bits;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		int rc;

		sz = 0;
		rc = asn1_read_value(md, limits[i].name, NULL, &sz);
		if (rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS)
			continue;	/* absent */
		if (!limits[i].utf8) {
			if (sz > limits[i].max)
				return -EU_E_PARAM;
			continue;
		}
		/* a UTF8String's SIZE counts characters (X.680 §41.4); a
		 * string that is not UTF-8 is malformed */
		if (sim_asn1_read(md, limits[i].name, buf, sizeof(buf), &n) < 0 ||
		    sim_utf8_chars(buf, n) < 0 || sim_utf8_chars(buf, n) > limits[i].max)
			return -EU_E_PARAM;
	}
	/* an icon only with its type, and a known type */
	sz = 0;
	if ((asn1_read_value(md, "icon", NULL, &sz) == ASN1_MEM_ERROR) !=
	    (sim_asn1_read(md, "iconType", buf, sizeof(buf), &n) == 0))
		return -EU_E_PARAM;
	if (sim_asn1_read(md, "iconType", buf, sizeof(buf), &n) == 0 && (n != 1 || buf[0] > ISDP_ICON_TYPE_MAX))
		return -EU_E_PARAM;
	if (sim_asn1_read(md, "profileOwner.mccMnc", buf, sizeof(buf), &n) == 0 && n != ISDP_MCC_MNC_LEN)
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
		if (sim_asn1_read_bits(md, name, &bits) < 0 || bits == 0 || bits > ISDP_EVENT_BITS)
			return -EU_E_PARAM;
		snprintf(name, sizeof(name), "notificationConfigurationInfo.?%d.notificationAddress", i);
		if (sim_asn1_read(md, name, buf, sizeof(buf), &n) < 0 || !isdp_address_ok(buf, n))
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

bool isdp_iccid_matches(const uint8_t iccid[ISDP_ICCID_LEN], const struct saip_profile *decoded)
{
	for (size_t i = 0; i < ISDP_ICCID_LEN; i++) {
		uint8_t b = decoded->iccid[i];

		if ((uint8_t)(b << 4 | b >> 4) != iccid[i])
			return false;
	}
	return true;
}

bool isdp_address_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > ISDP_ADDR_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7E)
			return false;
	return true;
}
