/* Installed profiles: one ISD-P per profile, with its metadata and
 * lifecycle state. The ISD-R asks here for anything about profiles. */
#ifndef ISDP_H
#define ISDP_H

#include "sim/asn1.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isdp_store;
struct isdp_runtime;
struct saip_profile;
struct sim_file;
struct sim_fs_change;
struct sim_fs_secrets;
struct sim_naa_ops;
struct sim_store_section;

#define ISDP_ICCID_LEN 10
/* StoreMetadataRequest sizes (SGP.22 §5.5.3), which libtasn1 does not
 * enforce. */
#define ISDP_SPN_MAX 32
#define ISDP_NAME_MAX 64
#define ISDP_ICON_MAX 1024
#define ISDP_ICON_TYPE_MAX 1	/* jpg(0), png(1) */
#define ISDP_GID_MAX 16
#define ISDP_MCC_MNC_LEN 3
#define ISDP_AID_MAX 16
#define ISDP_MAX_PROFILES 32
/* profileNickname: UTF8String (SIZE(0..64)) counts characters (X.680
 * §41.4), up to 4 bytes each */
#define ISDP_NICKNAME_CHARS 64
#define ISDP_NICKNAME_MAX (4 * ISDP_NICKNAME_CHARS)

enum isdp_state {
	ISDP_DISABLED = 0,	/* ProfileState values, SGP.22 §5.7.15 */
	ISDP_ENABLED = 1,
};

enum isdp_class {
	ISDP_CLASS_TEST = 0,
	ISDP_CLASS_PROVISIONING = 1,
	ISDP_CLASS_OPERATIONAL = 2,
};

struct isdp_profile {
	uint8_t iccid[ISDP_ICCID_LEN];	/* as in StoreMetadata (tag 5A) */
	uint8_t aid[ISDP_AID_MAX];
	size_t aid_len;
	enum isdp_state state;
	enum isdp_class profile_class;
	bool field_loaded_test;
	char nickname[ISDP_NICKNAME_MAX + 1];	/* well-formed UTF-8 */
	bool has_nickname;
	uint8_t *metadata;		/* StoreMetadataRequest DER, as received */
	size_t metadata_len;
	uint8_t *package;		/* profile package, as installed */
	size_t package_len;
	uint8_t *dp_proprietary;	/* B8 TLV from ConfigureISDP, or NULL */
	size_t dp_proprietary_len;
	uint8_t smdp_oid[64];		/* content octets of the SM-DP+ OID */
	size_t smdp_oid_len;
	uint8_t ci_id[32];		/* CI of the credential set that installed it */
	size_t ci_id_len;
	bool deleting;			/* removed by the operation being persisted */
	struct saip_profile *decoded;	/* the package, decoded (profiles/saip.h); the
					 * files with what the UE wrote since */
	struct isdp_runtime *rt;	/* what the UE changed: files written, PINs,
					 * accepted SQNs (isdp/runtime.c) */
};

struct isdp_config {
	uint64_t profile_memory;	/* bytes of non-volatile memory for profiles */
};

/* What the store needs from the rest of the card. */
struct isdp_env {
	const struct isdp_config *cfg;
	/* The CI whose credential set signs for side-loaded profiles (their
	 * notifications); NULL on a verification-only card. */
	const uint8_t *sideload_ci;
	size_t sideload_ci_len;
	/* Write the card state now (sim_store_save); 0 or an error. */
	int (*persist)(void *arg);
	void *arg;
};

int isdp_store_new(const struct isdp_env *env, struct isdp_store **out);
void isdp_store_free(struct isdp_store *s);

size_t isdp_count(const struct isdp_store *s);
const struct isdp_profile *isdp_get(const struct isdp_store *s, size_t i);
const struct isdp_profile *isdp_find_iccid(const struct isdp_store *s, const uint8_t iccid[ISDP_ICCID_LEN]);
uint64_t isdp_memory_used(const struct isdp_store *s);
/* Profile memory not used by installed packages. */
uint64_t isdp_memory_free(const struct isdp_store *s);
/* Test fault: from now on report and enforce `free` bytes of free memory
 * (installs use it up); a negative value returns to the configuration. */
void isdp_set_memory_free(struct isdp_store *s, long long free);

/* The enabled profile, or NULL. */
const struct isdp_profile *isdp_enabled(const struct isdp_store *s);

/* Write the card state (the store's env.persist). */
int isdp_persist(const struct isdp_store *s);

/* The AID the next ISD-P will get (A0000005591010FFFFFFFF89 00 nnnn 00);
 * AIDs are never reused. */
void isdp_next_aid(const struct isdp_store *s, uint8_t aid[ISDP_AID_MAX], size_t *len);

/* Take ownership of *p (its buffers) as a new disabled profile and
 * advance the AID counter. The caller persists; isdp_uninstall_last()
 * undoes this if persisting fails. */
int isdp_install(struct isdp_store *s, struct isdp_profile *p);
void isdp_uninstall_last(struct isdp_store *s);
void isdp_profile_clear(struct isdp_profile *p);

/* Is iccid (StoreMetadata, tag 5A: as in EF.ICCID, each byte's nibbles
 * swapped) the ICCID of the package's header (digits in order)? */
/* A store loaded again and again (the fuzz targets go back to one state
 * after each input) may keep each package a load decoded, untouched, and
 * give the next load of the same bytes a copy instead of decoding them
 * again. Off by default: the copies hold the packages' keys once more.
 * Off frees them. */
void isdp_store_keep_decoded(struct isdp_store *s, bool on);
bool isdp_iccid_matches(const uint8_t iccid[ISDP_ICCID_LEN], const struct saip_profile *decoded);

/* Fill iccid and profile_class from p->metadata (StoreMetadataRequest). */
int isdp_parse_metadata(struct isdp_profile *p);

/* Test/demo only: install a profile package into a new ISD-P without an
 * SM-DP+ (no BPP, no signatures, no install notification); persisted.
 * notify (may be NULL) becomes the notification address for enable,
 * disable and delete. On error a message for the user is left in err. */
int isdp_sideload(struct isdp_store *s, const uint8_t *pkg, size_t len, const char *spn,
		  const char *name, enum isdp_class cls, const char *notify, char *err, size_t err_len);

/* The same with the StoreMetadataRequest (DER) given, for tests of
 * metadata-driven behaviour (PPRs, notifications, class). */
int isdp_sideload_metadata(struct isdp_store *s, const uint8_t *pkg, size_t len, const uint8_t *md,
			   size_t md_len, char *err, size_t err_len);

/* Find a profile by ISD-P AID or ICCID (as in the ProfileIdentifier
 * CHOICE: member name "isdpAid" or "iccid"); index or -1. */
int isdp_lookup(const struct isdp_store *s, const char *kind, const uint8_t *v, size_t len);
struct isdp_profile *isdp_at(struct isdp_store *s, size_t i);

/* Deletion in two steps around the persisting write: marked profiles are
 * left out of the state file; then purged (freed) or unmarked. */
void isdp_mark_deleted(struct isdp_store *s, size_t i);
void isdp_purge_deleted(struct isdp_store *s);
void isdp_unmark_deleted(struct isdp_store *s);

/* The store's section of the state file (isdp/state.asn): the AID
 * counter [2], the profiles [3] as installed, and [5] what the UE changed
 * in them (files, PINs, SQNs). */
void isdp_state_section(struct isdp_store *s, struct sim_store_section *sec);

/* The file system the card shows (a struct sim_fs_source, arg the store):
 * the enabled profile's files, or those of an eUICC without one (EF.ICCID
 * of 'FF' bytes, EF.DIR of empty records); its PINs; and commit(), which
 * changes the enabled profile and writes the card state, or changes
 * nothing. */
const struct sim_file *isdp_files(void *store, size_t *n);
void isdp_fs_secrets(void *store, struct sim_fs_secrets *out);
int isdp_fs_commit(void *store, const struct sim_fs_change *c);

/* The network access applications of the enabled profile (arg the
 * store), for sim_fs_add_naa() with the AID prefixes below. */
extern const struct sim_naa_ops isdp_usim_naa;
extern const struct sim_naa_ops isdp_isim_naa;
extern const uint8_t isdp_usim_prefix[7];	/* A0000000871002, TS 31.102 Annex E */
extern const uint8_t isdp_isim_prefix[7];	/* A0000000871004, TS 31.103 Annex E */

/* SGP.22 addresses (an FQDN, maybe with a port) as LPAs send them: 1..255
 * bytes of printable ASCII, no spaces. */
#define ISDP_ADDR_MAX 255
bool isdp_address_ok(const uint8_t *s, size_t n);

#endif
