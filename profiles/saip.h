/* Profile package decoder: the TCA "eUICC Profile Package: Interoperable
 * Format" (SAIP) v2.3.1 that SGP.22 v2.3 refers to, and the v3.x superset
 * described by profiles/pe.asn.
 *
 * A package is a plain sequence of DER ProfileElement values (PEs). During a
 * download it arrives cut into segments at arbitrary places, so the decoder
 * is a stream: feed it bytes, it keeps only the unfinished element, decodes
 * and checks each complete element at once (so a bad package fails as early
 * as possible), and builds a `struct saip_profile`.
 *
 * Errors (negative EU_E_*, see sim/err.h), and the TCA PEStatus / SGP.22
 * errorReason a caller would report for them:
 *
 *   EU_E_TOO_LONG        an element announces more than SAIP_MAX_ELEMENT
 *                        bytes, or the files need more than SAIP_MAX_FILE_SIZE
 *                        / SAIP_MAX_FS_BYTES           -> not-enough-memory
 *   EU_E_NOT_DER         bad TLV header (indefinite or non-minimal length),
 *                        or an element that is valid BER but not the canonical
 *                        DER (a DEFAULT value written out, an INTEGER with a
 *                        redundant leading octet)
 *                                                      -> invalid-request-format
 *   EU_E_ASN1, EU_E_TOO_DEEP
 *                        the element does not match PEDefinitions
 *                                                      -> invalid-request-format
 *   EU_E_TRUNCATED       saip_stream_finish(): the package stops inside an
 *                        element, before the End PE, or is empty
 *   EU_E_PE_ORDER        the first PE is not the ProfileHeader, a second
 *                        header, anything after the End PE, or a PE that
 *                        needs a PE that has not come yet (a file PE before
 *                        PE-MF, PE-OPT-USIM before PE-USIM, ...)
 *                                                      -> invalid-request-format
 *   EU_E_PE_UNSUPPORTED  a PE this decoder does not model with `mandated`
 *                        set (or a ProfileElement tag beyond [33]), a file
 *                        whose identity only an unknown template could give,
 *                        an unknown AKA algorithm, or AKA parameters the
 *                        card's algorithms cannot run (MILENAGE K/OPc not
 *                        128 bits, TUAK TOPc not 256 bits or K not 128/256,
 *                        test algorithm K not 128 bits), more PINs than
 *                        SIM_FS_MAX_PINS                -> pe-not-supported
 *   EU_E_PE_VALUE        a value outside its range: iccid not 10 BCD bytes,
 *                        PE identification used twice, a file created twice
 *                        or written past its end, a path to no DF, a PIN
 *                        naming a PUK that does not exist, an AKA mapping
 *                        to no NAA with parameters, SQN values above
 *                        07FFFFFFFFFF, a MILENAGE rotation over 127, TUAK
 *                        numberOfKeccak 0, ...          -> bad-values
 *   EU_E_NOMEM           allocation failed
 *
 * As an SGP.22 ProfileInstallationResult errorReason, all of these are
 * installFailedDueToPEProcessingError, except EU_E_TOO_LONG and EU_E_NOMEM
 * (installFailedDueToInsufficientMemoryForProfile).
 *
 * After any error the stream keeps failing with the same code;
 * `err_offset` / `err_pe_id` then say which element failed (the offset of
 * its first byte in the package, and its PEHeader identification when it
 * could be read), as a PEStatus needs. */
#ifndef PROFILES_SAIP_H
#define PROFILES_SAIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/fs.h"

/* Largest single PE accepted, tag and length octets included. */
#define SAIP_MAX_ELEMENT	(64u * 1024u)
/* Largest content kept for one file, and for all files together. */
#define SAIP_MAX_FILE_SIZE	0xFFFFu
#define SAIP_MAX_FS_BYTES	(2u * 1024u * 1024u)
/* Largest package file saip_dump_file() reads. */
#define SAIP_MAX_PACKAGE	(4u * 1024u * 1024u)
#define SAIP_MAX_TARS		8

#define SAIP_MF_FID		SIM_FID_MF
#define SAIP_FID_IMSI		0x6F07	/* EF.IMSI in ADF.USIM, TS 31.102 §4.2.2 */
#define SAIP_FID_ICCID		SIM_FID_ICCID

/* Files are the card OS's file model (sim/fs.h): the decoder fills in what
 * the package's file-system PEs (PE-MF, PE-USIM, ..., PE-OPT-*,
 * PE-GenericFileManagement) create. ADFs are addressed by their temporary
 * file ID, as SAIP file paths do (TCA specification §8.3.5). */

struct saip_aka {
	uint16_t pe_id;
	uint16_t adf;		/* temporary FID of the NAA ADF created last before it */
	bool mapped;		/* mappingParameter: reuses another NAA's algorithm */
	uint8_t mapping_options;
	struct sim_aid mapping_source;
	unsigned algorithm_id;	/* 1 milenage, 2 tuak, 3 usim-test-algorithm */
	uint8_t algorithm_options;
	uint8_t k[32];
	uint8_t k_len;
	uint8_t opc[32];	/* OPc (Milenage), TOPc (TUAK) */
	uint8_t opc_len;
	uint8_t rotation[5];	/* the DEFAULTs applied when absent */
	uint8_t xoring[80];
	bool has_auth_counter_max;
	uint8_t auth_counter_max[3];
	uint8_t number_of_keccak;
	bool sqn_given;		/* any of the sqn* fields present */
	uint8_t sqn_options;
	uint8_t sqn_delta[6];
	uint8_t sqn_age_limit[6];
	uint8_t sqn_init[32][6];
};

struct saip_pin {
	uint16_t pe_id;
	uint16_t df;		/* base DF of the file-system PE before it */
	uint8_t key_ref;	/* PINKeyReferenceValue */
	uint8_t value[8];
	uint8_t puk_ref;	/* 0: no PUK */
	uint8_t attributes;
	uint8_t max_attempts;	/* high nibble of maxNumOfAttemps-retryNumLeft */
	uint8_t retries_left;	/* low nibble */
};

struct saip_puk {
	uint16_t pe_id;
	uint8_t key_ref;	/* PUKKeyReferenceValue */
	uint8_t value[8];
	uint8_t max_attempts;
	uint8_t retries_left;
};

struct saip_key {
	uint8_t usage[2];	/* keyUsageQualifier, GPCS §11.1.9 */
	uint8_t usage_len;
	uint8_t access;
	uint8_t kid;
	uint8_t kvn;
	uint8_t type;		/* keyType of the first component */
	uint8_t *data;		/* keyData of the first component */
	size_t data_len;
	size_t n_components;
};

struct saip_sd {
	uint16_t pe_id;
	struct sim_aid aid;		/* instanceAID */
	struct sim_aid class_aid;
	struct sim_aid package_aid;
	uint8_t privileges[3];
	uint8_t privileges_len;
	uint8_t lifecycle;
	struct saip_key *keys;
	size_t n_keys;
};

struct saip_app {
	uint16_t pe_id;
	bool has_load_block;
	struct sim_aid package_aid;	/* loadBlock.loadPackageAID */
	size_t load_block_len;		/* bytes of loadBlockObject */
	struct sim_aid *instances;	/* instanceList[i].instanceAID */
	size_t n_instances;
};

struct saip_rfm {
	uint16_t pe_id;
	struct sim_aid aid;		/* instanceAID */
	struct sim_aid adf;		/* adfRFMAccess.adfAID, len 0 if absent */
	uint8_t min_security_level;
	uint8_t tar[SAIP_MAX_TARS][3];
	size_t n_tar;			/* may exceed SAIP_MAX_TARS: only those kept */
};

/* Bits of `mandatory_services`: ServicesList component [n] is bit n. */
#define SAIP_N_SERVICES 30
const char *saip_service_name(unsigned bit);
const char *saip_algorithm_name(unsigned algorithm_id);
const char *saip_ftype_name(enum sim_ftype t);

struct saip_profile {
	size_t package_len;		/* bytes of the whole package */
	size_t n_pe;
	/* ProfileHeader */
	unsigned major_version, minor_version;
	char profile_type[401];		/* UTF-8, "" if absent */
	uint8_t iccid[10];		/* as coded in the header: BCD, natural order */
	uint32_t mandatory_services;
	size_t n_gfste;			/* eUICC-Mandatory-GFSTEList entries */
	size_t n_mandatory_aids;
	/* content */
	struct sim_file *files;
	size_t n_files;
	size_t fs_bytes;		/* sum of content_len */
	struct saip_aka *aka;
	size_t n_aka;
	struct saip_pin *pins;
	size_t n_pins;
	size_t n_pin_shared;		/* PE-PINCodes using the filePath alternative */
	struct saip_puk *puks;
	size_t n_puks;
	struct saip_sd *sds;
	size_t n_sds;
	struct saip_app *apps;
	size_t n_apps;
	struct saip_rfm *rfms;
	size_t n_rfms;
	size_t n_cdma, n_nonstandard;
	size_t n_skipped;		/* PEs not modelled, not mandated, left out */
	uint16_t usim_adf;		/* temporary FID of the first ADF.USIM, 0: none */
	uint16_t isim_adf;
	uint16_t csim_adf;
};

/* Decoder state. Callers own it (it is about 4.5 KiB); the fields below the
 * error triple are private. */
struct saip_stream {
	int err;			/* 0 or the first error, sticky */
	size_t err_offset;		/* package offset of the failing element */
	long err_pe_id;			/* its PEHeader identification, -1 unknown */

	struct saip_profile *p;
	uint8_t *buf;			/* the incomplete element */
	size_t have, need, cap;
	size_t offset;			/* package bytes taken so far */
	size_t elem_off;		/* package offset of the element in buf */
	unsigned state;
	uint16_t base_df;		/* base DF of the last file-system PE */
	uint16_t naa_adf;		/* last ADF created by PE-USIM/ISIM/CSIM */
	uint16_t last_usim, last_isim, last_csim;
	uint8_t ids[32768 / 8];		/* PE identification numbers seen */
};

/* Registers the PEDefinitions module (profiles/pe.asn) with the ASN.1
 * glue; the stream and saip_decode() do it themselves. */
int saip_init(void);

int saip_stream_init(struct saip_stream *s);
/* Takes len bytes of the package; data may end anywhere. */
int saip_stream_feed(struct saip_stream *s, const uint8_t *data, size_t len);
/* Ends the package: *out gets the profile, or an error. Always releases
 * what the stream holds; the stream must be initialised again for reuse. */
int saip_stream_finish(struct saip_stream *s, struct saip_profile **out);
/* Drops a stream without finishing it. */
void saip_stream_abort(struct saip_stream *s);

/* Whole package in one buffer. */
int saip_decode(const uint8_t *der, size_t len, struct saip_profile **out);

/* Wipes K, OPc, PIN, PUK and key values, then frees. NULL is fine. */
void saip_profile_free(struct saip_profile *p);
/* A deep copy of p (its own files, keys and lists), NULL when out of
 * memory: what a decode of the same package gave, without decoding. */
struct saip_profile *saip_profile_dup(const struct saip_profile *p);

/* The file at the full path path[0..n) (starting at 3F00, ending with the
 * file's own FID, ADFs by temporary FID), or NULL. */
const struct sim_file *saip_profile_file(const struct saip_profile *p,
					  const uint16_t *path, size_t n);
#define SAIP_PATH(...) ((const uint16_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

/* ICCID from the header, as digits. Returns the number of digits. */
int saip_profile_iccid(const struct saip_profile *p, char *out, size_t cap);
/* IMSI from EF.IMSI of the first ADF.USIM (TS 31.102 §4.2.2), as digits.
 * Returns the number of digits, -EU_E_NOT_FOUND without one. */
int saip_profile_imsi(const struct saip_profile *p, char *out, size_t cap);

/* Human-readable summary. Secrets print as ******** unless show_secrets. */
int saip_dump(const struct saip_profile *p, bool show_secrets, FILE *out);
/* Reads a package file (at most SAIP_MAX_PACKAGE bytes) and dumps it; on a
 * decoding error prints one line saying where, and returns the error. */
int saip_dump_file(const char *path, bool show_secrets, FILE *out);

#endif
