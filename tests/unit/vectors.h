/* Known-answer vector files in tests/vectors/: "[section]" lines open a
 * block, "key = hex" lines fill it, '#' lines and blank lines are
 * comments. An indented line continues the value above it (joined with a
 * space; a '#' in it starts a comment), and spaces in hex values are
 * ignored, so a value can be written one element per line. Read at run time from the checkout (SIM_DATADIR), so the
 * suites never depend on anything outside the repository. */
#ifndef TESTS_UNIT_VECTORS_H
#define TESTS_UNIT_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define T_VECTORS_BSP SIM_DATADIR "/tests/vectors/bsp.txt"
#define T_VECTORS_ES10 SIM_DATADIR "/tests/vectors/es10-requests"	/* lpac.txt, pysim.txt, phone.txt */

struct t_vectors;

/* Fails the test if the file cannot be read or a line is malformed. */
struct t_vectors *t_vectors_load(const char *path);
void t_vectors_free(struct t_vectors *v);

/* The name of the i-th section (in file order), NULL after the last. */
const char *t_vec_section(const struct t_vectors *v, size_t i);

/* The value text, or NULL when the section has no such key. */
const char *t_vec_str(const struct t_vectors *v, const char *section, const char *key);

/* The value as bytes (malloc'd, free it); fails the test if the key is
 * missing or the value is not an even number of hex digits. */
uint8_t *t_vec_bytes(const struct t_vectors *v, const char *section, const char *key, size_t *len);

/* Copy a value of exactly `len` bytes into out; fails the test otherwise. */
void t_vec_fixed(const struct t_vectors *v, const char *section, const char *key, uint8_t *out,
		 size_t len);

#endif
