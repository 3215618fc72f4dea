#include "tests/unit/vectors.h"

#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_entry {
	char *section;
	char *key;
	char *value;
};

struct t_vectors {
	struct t_entry *e;
	size_t n, cap;
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

struct t_vectors *t_vectors_load(const char *path)
{
	struct t_vectors *v = calloc(1, sizeof(*v));
	FILE *f = fopen(path, "r");
	char *line = NULL, *section = NULL;
	size_t lcap = 0;
	unsigned lineno = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(v);
	while (getline(&line, &lcap, f) >= 0) {
		bool indented = line[0] == ' ' || line[0] == '\t';
		char *s = trim(line), *eq;

		lineno++;
		if (!*s || *s == '#')
			continue;
		if (indented && v->n && section && !strcmp(v->e[v->n - 1].section, section)) {
			/* a continuation of the last value; '#' starts a comment */
			char *hash = strchr(s, '#'), *old = v->e[v->n - 1].value;
			size_t a = strlen(old), b;

			if (hash)
				*hash = 0;
			s = trim(s);
			b = strlen(s);
			v->e[v->n - 1].value = realloc(old, a + b + 2);
			ck_assert_ptr_nonnull(v->e[v->n - 1].value);
			v->e[v->n - 1].value[a] = ' ';
			memcpy(v->e[v->n - 1].value + a + 1, s, b + 1);
			continue;
		}
		if (*s == '[') {
			char *close = strchr(s, ']');

			ck_assert_msg(close && close[1] == 0, "%s:%u: bad section line", path, lineno);
			*close = 0;
			free(section);
			section = strdup(s + 1);
			continue;
		}
		eq = strchr(s, '=');
		ck_assert_msg(eq && section, "%s:%u: expected 'key = value' in a section", path, lineno);
		*eq = 0;
		if (strchr(eq + 1, '#'))	/* a comment after the value */
			*strchr(eq + 1, '#') = 0;
		if (v->n == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 64;
			v->e = realloc(v->e, v->cap * sizeof(*v->e));
			ck_assert_ptr_nonnull(v->e);
		}
		v->e[v->n].section = strdup(section);
		v->e[v->n].key = strdup(trim(s));
		v->e[v->n].value = strdup(trim(eq + 1));
		v->n++;
	}
	free(line);
	free(section);
	fclose(f);
	return v;
}

void t_vectors_free(struct t_vectors *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->e[i].section);
		free(v->e[i].key);
		free(v->e[i].value);
	}
	free(v->e);
	free(v);
}

const char *t_vec_section(const struct t_vectors *v, size_t i)
{
	for (size_t k = 0; k < v->n; k++) {
		if (k > 0 && !strcmp(v->e[k].section, v->e[k - 1].section))
			continue;
		if (i-- == 0)
			return v->e[k].section;
	}
	return NULL;
}

const char *t_vec_str(const struct t_vectors *v, const char *section, const char *key)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->e[i].section, section) && !strcmp(v->e[i].key, key))
			return v->e[i].value;
	return NULL;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

uint8_t *t_vec_bytes(const struct t_vectors *v, const char *section, const char *key, size_t *len)
{
	const char *hex = t_vec_str(v, section, key);
	size_t n;
	uint8_t *out;

	ck_assert_msg(hex != NULL, "vector [%s] %s missing", section, key);
	out = malloc(strlen(hex) / 2 + 1);
	ck_assert_ptr_nonnull(out);
	n = 0;
	while (*hex) {
		int hi, lo;

		if (isspace((unsigned char)*hex)) {	/* spaces group the octets */
			hex++;
			continue;
		}
		hi = nibble(hex[0]);
		lo = hex[1] ? nibble(hex[1]) : -1;
		ck_assert_msg(hi >= 0 && lo >= 0, "vector [%s] %s: not hex, or an odd number of digits", section, key);
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	*len = n;
	return out;
}

void t_vec_fixed(const struct t_vectors *v, const char *section, const char *key, uint8_t *out,
		 size_t len)
{
	size_t n;
	uint8_t *b = t_vec_bytes(v, section, key, &n);

	ck_assert_msg(n == len, "vector [%s] %s: %zu bytes, expected %zu", section, key, n, len);
	memcpy(out, b, len);
	free(b);
}
