/* Durable card state in one directory. Every change is written atomically
 * (temp file, fsync, rename, fsync of the directory) before the command
 * that made it answers, so a kill at any moment leaves the old or the new
 * state. A corrupt or foreign state file is refused, never replaced.
 *
 * The file is "EUSIMST1", the DER of a SEQUENCE { formatVersion INTEGER,
 * eid OCTET STRING, [n] ... }, and a SHA-256 over both. The store owns the
 * frame; the elements [0], [1], ... belong to the modules that register a
 * section for them, each with its own ASN.1 types. An element nobody
 * claims makes the file unreadable (a newer format); an element that is
 * missing is the section's default (an older file). */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/asn1.h"

struct sim_store;

#define SIM_STATE_FILE "card.state"
#define SIM_STORE_MAX_SECTIONS 8
#define SIM_STORE_MAX_TAGS 32	/* context tags [0]..[31] */

/* What a section writes: sim_store_put() for each element it has. */
struct sim_store_out;
/* Add element [tag] (its whole DER, tag and length included; the tag
 * must be the section's). */
int sim_store_put(struct sim_store_out *out, unsigned tag, const uint8_t *der, size_t len);

/* The same from a libtasn1 node of a type tagged [tag] (the encoding is
 * wiped after the copy: sections hold keys). */
int sim_store_put_asn1(struct sim_store_out *out, unsigned tag, asn1_node node);

/* What a section reads: the element [tag] of the file, -EU_E_NOT_FOUND
 * when absent. */
struct sim_store_in;
int sim_store_get(const struct sim_store_in *in, unsigned tag, const uint8_t **der, size_t *len);
/* True when there is no state file yet (a new card): sections start from
 * their configured defaults rather than from "absent". */
bool sim_store_fresh(const struct sim_store_in *in);
/* Element [tag] decoded as the ASN.1 type (strict DER); -EU_E_NOT_FOUND
 * when absent, -EU_E_CORRUPT when it does not decode. */
int sim_store_get_asn1(const struct sim_store_in *in, unsigned tag, const char *type, asn1_node *node);

struct sim_store_section {
	const char *name;
	uint32_t tags;		/* bit n: the section owns context tag [n] */
	int (*save)(void *arg, struct sim_store_out *out);
	/* Load from the file (also called with no file, for a new card:
	 * every element absent). Data from outside: check the card's rules.
	 * What the section held before is replaced, never added to. */
	int (*load)(void *arg, const struct sim_store_in *in);
	void *arg;
};

/* A store for the card with this EID; dir NULL or "" keeps nothing on
 * disk. Locks the directory (two simulators cannot share it). */
int sim_store_open(const char *dir, const uint8_t eid[16], struct sim_store **out);
void sim_store_close(struct sim_store *s);

int sim_store_add_section(struct sim_store *s, const struct sim_store_section *sec);

/* Read the state file into the sections, or write the first one. */
int sim_store_load(struct sim_store *s);

/* Write the card's whole state now. Callers change memory, call this,
 * and undo their change if it fails, so that memory and disk agree. */
int sim_store_save(struct sim_store *s);

/* Tests and fuzzers: load a state file's bytes (buf) instead of the file,
 * through the same checks and section loaders; what the sections held is
 * replaced. And the bytes sim_store_save() would write now (malloc'd). */
int sim_store_load_buffer(struct sim_store *s, const uint8_t *buf, size_t len);
int sim_store_image(struct sim_store *s, uint8_t **buf, size_t *len);
/* How many times the state was saved (also without a directory), for a
 * test that needs to know whether anything changed. */
unsigned long sim_store_changes(const struct sim_store *s);

/* Write buf to dir/name atomically. */
int sim_atomic_write(const char *dir, const char *name, const uint8_t *buf, size_t len);

#endif
