/* The ISD-P store's section of the state file: [2] NextIsdpIndex, [3]
 * Profiles and [5] ProfileStates (isdp/state.asn). */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "profiles/saip.h"
#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/store.h"
#include "sim/utf8.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_NEXT_INDEX 2
#define TAG_PROFILES 3
#define TAG_PROFILE_STATES 5
#define SQN_BYTES (NAA_SQN_ENTRIES * NAA_SQN_LEN)

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

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void put48(uint8_t *b, uint64_t v)
{
	for (unsigned i = NAA_SQN_LEN; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t get48(const uint8_t *b)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < NAA_SQN_LEN; i++)
		v = v << 8 | b[i];
	return v;
}

static int write_files(asn1_node n, const struct isdp_profile *p, size_t *count)
{
	const struct saip_profile *d = p->decoded;

	for (size_t i = 0; i < d->n_files; i++) {
		const struct sim_file *f = &d->files[i];
		uint8_t path[2 * (SIM_FS_MAX_DEPTH + 1)];

		if (!(p->rt->written[i / 8] & (1u << (i % 8))))
			continue;
		for (unsigned k = 0; k < f->depth; k++)
			put16(path + 2 * k, f->path[k]);
		put16(path + 2 * f->depth, f->fid);
		TRY(sim_asn1_write(n, "?LAST.files", "NEW", 1));
		TRY(sim_asn1_write(n, "?LAST.files.?LAST.path", path, 2 * (f->depth + 1u)));
		TRY(sim_asn1_write(n, "?LAST.files.?LAST.content", f->content, f->content_len));
		(*count)++;
	}
	return 0;
}

static int write_state(asn1_node n, const struct isdp_profile *p)
{
	const struct isdp_runtime *rt = p->rt;
	uint8_t b[SQN_BYTES];
	size_t files = 0, sqns = 0;

	TRY(sim_asn1_write(n, "", "NEW", 1));
	TRY(sim_asn1_write(n, "?LAST.isdpAid", p->aid, p->aid_len));
	TRY(write_files(n, p, &files));
	for (size_t i = 0; i < rt->n_pins; i++) {
		const struct sim_pin *pin = &rt->pins[i];

		put16(b, pin->df);
		TRY(sim_asn1_write(n, "?LAST.pins", "NEW", 1));
		TRY(sim_asn1_write(n, "?LAST.pins.?LAST.df", b, 2));
		TRY(sim_asn1_write_uint(n, "?LAST.pins.?LAST.keyReference", pin->key_ref));
		TRY(sim_asn1_write(n, "?LAST.pins.?LAST.value", pin->value, SIM_PIN_LEN));
		TRY(sim_asn1_write_uint(n, "?LAST.pins.?LAST.attemptsLeft", pin->left));
		TRY(sim_asn1_write(n, "?LAST.pins.?LAST.enabled", pin->enabled ? "TRUE" : "FALSE", 1));
	}
	for (size_t i = 0; i < rt->n_puks; i++) {
		TRY(sim_asn1_write(n, "?LAST.puks", "NEW", 1));
		TRY(sim_asn1_write_uint(n, "?LAST.puks.?LAST.keyReference", rt->puks[i].key_ref));
		TRY(sim_asn1_write_uint(n, "?LAST.puks.?LAST.attemptsLeft", rt->puks[i].left));
	}
	for (size_t i = 0; i < rt->n_sqn; i++) {
		uint8_t adf[2];

		if (p->decoded->aka[i].mapped)
			continue;	/* uses its source's array */
		put16(adf, p->decoded->aka[i].adf);
		for (unsigned k = 0; k < NAA_SQN_ENTRIES; k++)
			put48(b + NAA_SQN_LEN * k, rt->sqn[i].seq[k]);
		TRY(sim_asn1_write(n, "?LAST.sqns", "NEW", 1));
		TRY(sim_asn1_write(n, "?LAST.sqns.?LAST.adf", adf, 2));
		TRY(sim_asn1_write(n, "?LAST.sqns.?LAST.seq", b, SQN_BYTES));
		sqns++;
	}
	/* empty lists are left out (OPTIONAL) */
	if (!files)
		TRY(sim_asn1_write(n, "?LAST.files", NULL, 0));
	if (!rt->n_pins)
		TRY(sim_asn1_write(n, "?LAST.pins", NULL, 0));
	if (!rt->n_puks)
		TRY(sim_asn1_write(n, "?LAST.puks", NULL, 0));
	if (!sqns)
		TRY(sim_asn1_write(n, "?LAST.sqns", NULL, 0));
	return 0;
}

/* [5] for the profiles the UE changed; none: no [5] at all. */
static int save_states(const struct isdp_store *s, struct sim_store_out *out)
{
	asn1_node list = NULL;
	int rc = 0;

	for (size_t i = 0; i < s->n && rc == 0; i++) {
		const struct isdp_profile *p = &s->p[i];

		if (p->deleting || !isdp_runtime_changed(p))
			continue;
		if (!list)
			rc = sim_asn1_new("IsdpState.ProfileStates", &list);
		if (rc == 0)
			rc = write_state(list, p);
	}
	if (rc == 0 && list)
		rc = sim_store_put_asn1(out, TAG_PROFILE_STATES, list);
	asn1_delete_structure2(&list, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
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
	if (rc == 0)
		rc = save_states(s, out);
	asn1_delete_structure(&idx);
	asn1_delete_structure2(&list, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
}

/* A state file is data from outside: the rules the card keeps must hold
 * in it too (at most one enabled profile, unique ICCIDs and AIDs, AIDs
 * below the counter, so that none is handed out twice). */
static int check_loaded(const struct isdp_store *s)
{
	uint8_t form[ISDP_AID_MAX];
	size_t form_len, enabled = 0;

	isdp_next_aid(s, form, &form_len);
	for (size_t i = 0; i < s->n; i++) {
		const struct isdp_profile *p = &s->p[i];
		unsigned idx = (unsigned)p->aid[13] << 8 | p->aid[14];

		enabled += p->state == ISDP_ENABLED;
		/* A0000005591010FFFFFFFF89 00 nnnn 00, nnnn below the counter
		 * (the form was not checked: found by fuzz_state) */
		if (p->aid_len != form_len || memcmp(p->aid, form, 13) || p->aid[15] != form[15] ||
		    idx >= s->next_index) {
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

/* The package decoded, or a copy of what an earlier load decoded from the
 * same bytes (isdp_store_keep_decoded()). */
static int decode_package(struct isdp_store *s, struct isdp_profile *p)
{
	uint8_t sha[SHA256_DIGEST_LENGTH];
	struct isdp_kept *k;
	int rc;

	if (!s->keep_decoded)
		return saip_decode(p->package, p->package_len, &p->decoded);
	SHA256(p->package, p->package_len, sha);
	for (size_t i = 0; i < ISDP_MAX_PROFILES; i++)
		if (s->kept[i].d && !memcmp(s->kept[i].sha, sha, sizeof(sha))) {
			p->decoded = saip_profile_dup(s->kept[i].d);
			return p->decoded ? 0 : -EU_E_NOMEM;
		}
	rc = saip_decode(p->package, p->package_len, &p->decoded);
	if (rc < 0)
		return rc;
	k = &s->kept[s->kept_next];
	s->kept_next = (s->kept_next + 1) % ISDP_MAX_PROFILES;
	saip_profile_free(k->d);
	k->d = saip_profile_dup(p->decoded);
	memcpy(k->sha, sha, sizeof(sha));
	return 0;
}

static int read_profile(struct isdp_store *s, asn1_node list, int i, struct isdp_profile *p)
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
		if (strlen(p->nickname) != n || sim_utf8_chars((const uint8_t *)p->nickname, n) < 0 ||
		    sim_utf8_chars((const uint8_t *)p->nickname, n) > ISDP_NICKNAME_CHARS)
			return -EU_E_CORRUPT;
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
	TRY(decode_package(s, p));
	/* the ICCID the card lists is the one of the profile it runs, as an
	 * install checked (found by fuzz_state: a file that broke it loaded) */
	if (!isdp_iccid_matches(p->iccid, p->decoded)) {
		LOG_ERR("state: profile %d: the metadata ICCID is not the package's", i);
		return -EU_E_CORRUPT;
	}
	return isdp_runtime_new(p);
}

/* ---- [5] ProfileStates: data from outside, checked like the rest ---- */

/* Elements in list ?i.<what> of a ProfileState (0 when absent). */
static size_t list_len(asn1_node n, int i, const char *what)
{
	char name[48];
	int count = 0;

	snprintf(name, sizeof(name), "?%d.%s", i, what);
	if (asn1_number_of_elements(n, name, &count) != ASN1_SUCCESS || count < 0)
		return 0;
	return (size_t)count;
}

static int load_files(asn1_node n, int i, struct isdp_profile *p)
{
	struct saip_profile *d = p->decoded;
	size_t count = list_len(n, i, "files");
	char name[96];

	for (size_t k = 1; k <= count; k++) {
		uint8_t path[2 * (SIM_FS_MAX_DEPTH + 1)], *content = NULL;
		size_t plen, clen, depth;
		uint16_t fids[SIM_FS_MAX_DEPTH + 1];
		struct sim_file *f = NULL;
		size_t fi = 0;

		snprintf(name, sizeof(name), "?%d.files.?%zu.path", i, k);
		TRY(sim_asn1_read(n, name, path, sizeof(path), &plen));
		if (plen < 4 || plen % 2)
			return -EU_E_CORRUPT;
		depth = plen / 2 - 1;
		for (size_t j = 0; j <= depth; j++)
			fids[j] = get16(path + 2 * j);
		for (; fi < d->n_files && !f; fi++) {
			struct sim_file *x = &d->files[fi];

			if (x->depth == depth && x->fid == fids[depth] &&
			    !memcmp(x->path, fids, depth * sizeof(*fids)))
				f = x;
		}
		if (!f)
			return -EU_E_CORRUPT;
		fi--;
		snprintf(name, sizeof(name), "?%d.files.?%zu.content", i, k);
		TRY(sim_asn1_read_alloc(n, name, &content, &clen));
		if (clen != f->content_len || (p->rt->written[fi / 8] & (1u << (fi % 8)))) {
			free(content);
			return -EU_E_CORRUPT;	/* another size, or the same file twice */
		}
		memcpy(f->content, content, clen);
		free(content);
		p->rt->written[fi / 8] |= (uint8_t)(1u << (fi % 8));
	}
	return 0;
}

static int load_pins(asn1_node n, int i, struct isdp_profile *p)
{
	struct isdp_runtime *rt = p->rt;
	char name[96];

	if (list_len(n, i, "pins") != rt->n_pins)
		return -EU_E_CORRUPT;
	for (size_t k = 1; k <= rt->n_pins; k++) {
		struct sim_pin *pin = &rt->pins[k - 1];
		uint8_t df[2], value[SIM_PIN_LEN];
		unsigned long ref, left;
		size_t len;
		bool enabled;

#define F(f) (snprintf(name, sizeof(name), "?%d.pins.?%zu.%s", i, k, f), name)
		TRY(sim_asn1_read(n, F("df"), df, sizeof(df), &len));
		if (len != 2)
			return -EU_E_CORRUPT;
		TRY(sim_asn1_read_uint(n, F("keyReference"), &ref));
		TRY(sim_asn1_read(n, F("value"), value, sizeof(value), &len));
		TRY(sim_asn1_read_uint(n, F("attemptsLeft"), &left));
		TRY(sim_asn1_read_bool(n, F("enabled"), &enabled));
#undef F
		/* the same PIN, in the same place, within its limits */
		if (get16(df) != pin->df || ref != pin->key_ref || len != SIM_PIN_LEN || left > pin->max_attempts) {
			OPENSSL_cleanse(value, sizeof(value));
			return -EU_E_CORRUPT;
		}
		memcpy(pin->value, value, SIM_PIN_LEN);
		OPENSSL_cleanse(value, sizeof(value));
		pin->left = (uint8_t)left;
		pin->enabled = enabled;
	}
	return 0;
}

static int load_puks(asn1_node n, int i, struct isdp_profile *p)
{
	struct isdp_runtime *rt = p->rt;
	char name[96];

	if (list_len(n, i, "puks") != rt->n_puks)
		return -EU_E_CORRUPT;
	for (size_t k = 1; k <= rt->n_puks; k++) {
		unsigned long ref, left;

		snprintf(name, sizeof(name), "?%d.puks.?%zu.keyReference", i, k);
		TRY(sim_asn1_read_uint(n, name, &ref));
		snprintf(name, sizeof(name), "?%d.puks.?%zu.attemptsLeft", i, k);
		TRY(sim_asn1_read_uint(n, name, &left));
		if (ref != rt->puks[k - 1].key_ref || left > rt->puks[k - 1].max_attempts)
			return -EU_E_CORRUPT;
		rt->puks[k - 1].left = (uint8_t)left;
	}
	return 0;
}

static int load_sqns(asn1_node n, int i, struct isdp_profile *p)
{
	const struct saip_profile *d = p->decoded;
	struct isdp_runtime *rt = p->rt;
	uint8_t adf[2], seq[SQN_BYTES];
	char name[96];
	size_t want = 0, len;

	for (size_t j = 0; j < d->n_aka; j++)
		want += !d->aka[j].mapped;
	if (list_len(n, i, "sqns") != want)
		return -EU_E_CORRUPT;
	for (size_t k = 1; k <= want; k++) {
		size_t j;

		snprintf(name, sizeof(name), "?%d.sqns.?%zu.adf", i, k);
		TRY(sim_asn1_read(n, name, adf, sizeof(adf), &len));
		if (len != 2)
			return -EU_E_CORRUPT;
		for (j = 0; j < d->n_aka && (d->aka[j].mapped || d->aka[j].adf != get16(adf)); j++)
			;
		if (j == d->n_aka)
			return -EU_E_CORRUPT;
		snprintf(name, sizeof(name), "?%d.sqns.?%zu.seq", i, k);
		TRY(sim_asn1_read(n, name, seq, sizeof(seq), &len));
		if (len != SQN_BYTES)
			return -EU_E_CORRUPT;
		for (unsigned e = 0; e < NAA_SQN_ENTRIES; e++) {
			uint64_t v = get48(seq + NAA_SQN_LEN * e);

			if (v > NAA_SQN_SEQ_MAX)
				return -EU_E_CORRUPT;
			rt->sqn[j].seq[e] = v;
		}
	}
	return 0;
}

static int load_states(struct isdp_store *s, const struct sim_store_in *in)
{
	asn1_node node = NULL;
	bool seen[ISDP_MAX_PROFILES] = { false };
	int count = 0, rc;

	rc = sim_store_get_asn1(in, TAG_PROFILE_STATES, "IsdpState.ProfileStates", &node);
	if (rc == -EU_E_NOT_FOUND)
		return 0;
	TRY(rc);
	if (asn1_number_of_elements(node, "", &count) != ASN1_SUCCESS)
		count = 0;
	for (int i = 1; i <= count && rc == 0; i++) {
		uint8_t aid[ISDP_AID_MAX];
		char name[32];
		size_t len, k;

		snprintf(name, sizeof(name), "?%d.isdpAid", i);
		rc = sim_asn1_read(node, name, aid, sizeof(aid), &len);
		for (k = 0; rc == 0 && k < s->n; k++)
			if (s->p[k].aid_len == len && !memcmp(s->p[k].aid, aid, len))
				break;
		if (rc == 0 && (k == s->n || seen[k])) {
			LOG_ERR("state: changes recorded for a profile that is not installed (or twice)");
			rc = -EU_E_CORRUPT;
		}
		if (rc == 0) {
			seen[k] = true;
			rc = load_files(node, i, &s->p[k]);
		}
		if (rc == 0)
			rc = load_pins(node, i, &s->p[k]);
		if (rc == 0)
			rc = load_puks(node, i, &s->p[k]);
		if (rc == 0)
			rc = load_sqns(node, i, &s->p[k]);
	}
	asn1_delete_structure2(&node, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
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
		return check_loaded(s) < 0 ? -EU_E_CORRUPT : load_states(s, in);
	TRY(rc);
	if (asn1_number_of_elements(node, "", &count) != ASN1_SUCCESS)
		count = 0;
	rc = count > ISDP_MAX_PROFILES ? -EU_E_CORRUPT : 0;
	for (int i = 1; i <= count && rc == 0; i++) {
		struct isdp_profile p = { 0 };

		rc = read_profile(s, node, i, &p);
		if (rc < 0)
			isdp_profile_clear(&p);
		else
			s->p[s->n++] = p;
	}
	asn1_delete_structure2(&node, ASN1_DELETE_FLAG_ZEROIZE);
	if (rc == 0)
		rc = check_loaded(s);
	return rc < 0 ? rc : load_states(s, in);
}

void isdp_state_section(struct isdp_store *s, struct sim_store_section *sec)
{
	memset(sec, 0, sizeof(*sec));
	sec->name = "profiles";
	sec->tags = 1u << TAG_NEXT_INDEX | 1u << TAG_PROFILES | 1u << TAG_PROFILE_STATES;
	sec->save = save;
	sec->load = load;
	sec->arg = s;
}
