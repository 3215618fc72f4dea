#include "sim/host/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parser ------------------------------------------------------------------ */

struct cursor {
	const char *p, *end;
	char *err;
	size_t err_len;
};

static int fail(struct cursor *c, const char *what)
{
	snprintf(c->err, c->err_len, "malformed JSON: %s", what);
	return -1;
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];

		*v <<= 4;
		if (ch >= '0' && ch <= '9')
			*v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			*v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			*v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Append one code point as UTF-8; -1 when it does not fit. */
static int put_utf8(char *out, size_t cap, size_t *n, unsigned cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		k = 2;
	} else {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		k = 3;
	}
	if (*n + k >= cap)
		return -1;
	memcpy(out + *n, b, k);
	*n += k;
	return 0;
}

static int parse_string(struct cursor *c, char *out, size_t cap)
{
	size_t n = 0;

	if (c->p >= c->end || *c->p != '"')
		return fail(c, "expected a string");
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p++;
		unsigned cp;

		if (ch < 0x20)
			return fail(c, "control character in a string");
		if (ch != '\\') {
			if (n + 1 >= cap)
				return fail(c, "string too long");
			out[n++] = (char)ch;
			continue;
		}
		if (c->p >= c->end)
			return fail(c, "string ends inside an escape");
		switch (*c->p++) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (c->end - c->p < 4 || hex4(c->p, &cp) < 0)
				return fail(c, "bad \\u escape");
			c->p += 4;
			if (cp == 0)
				return fail(c, "NUL in a string");
			break;
		default:
			return fail(c, "unknown escape");
		}
		if (put_utf8(out, cap, &n, cp) < 0)
			return fail(c, "string too long");
	}
	if (c->p >= c->end)
		return fail(c, "unterminated string");
	c->p++;
	out[n] = 0;
	return 0;
}

/* A number, true, false or null, kept as written. */
static int parse_scalar(struct cursor *c, char *out, size_t cap)
{
	const char *start = c->p;
	size_t n;

	while (c->p < c->end && (strchr("+-.eE", *c->p) || (*c->p >= '0' && *c->p <= '9') ||
				 (*c->p >= 'a' && *c->p <= 'z')))
		c->p++;
	n = (size_t)(c->p - start);
	if (n == 0 || n >= cap)
		return fail(c, "expected a value");
	memcpy(out, start, n);
	out[n] = 0;
	if (!strcmp(out, "true") || !strcmp(out, "false") || !strcmp(out, "null"))
		return 0;
	if (strspn(out, "+-.eE0123456789") != n || !strpbrk(out, "0123456789"))
		return fail(c, "expected a value");
	return 0;
}

int json_parse_object(const char *text, size_t len, struct json_object *out, char *err, size_t err_len)
{
	struct cursor c = { text, text + len, err, err_len };

	out->n = 0;
	skip_ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return fail(&c, "expected an object");
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}') {
		c.p++;
		goto tail;
	}
	for (;;) {
		struct json_member *m;

		if (out->n == JSON_MAX_MEMBERS)
			return fail(&c, "too many members");
		m = &out->m[out->n++];
		skip_ws(&c);
		if (parse_string(&c, m->key, sizeof(m->key)) < 0)
			return -1;
		skip_ws(&c);
		if (c.p >= c.end || *c.p++ != ':')
			return fail(&c, "expected ':'");
		skip_ws(&c);
		if (c.p < c.end && (*c.p == '{' || *c.p == '['))
			return fail(&c, "nested values are not accepted");
		m->is_string = c.p < c.end && *c.p == '"';
		if ((m->is_string ? parse_string(&c, m->value, sizeof(m->value)) :
				    parse_scalar(&c, m->value, sizeof(m->value))) < 0)
			return -1;
		skip_ws(&c);
		if (c.p < c.end && *c.p == ',') {
			c.p++;
			continue;
		}
		if (c.p < c.end && *c.p == '}') {
			c.p++;
			break;
		}
		return fail(&c, "expected ',' or '}'");
	}
tail:
	skip_ws(&c);
	if (c.p != c.end)
		return fail(&c, "text after the object");
	return 0;
}

const char *json_get(const struct json_object *o, const char *key)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].key, key) && o->m[i].is_string)
			return o->m[i].value;
	return NULL;
}

/* ---- writer ------------------------------------------------------------------ */

static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *p;

		while (cap < j->len + n + 1)
			cap *= 2;
		p = realloc(j->p, cap);
		if (!p) {
			j->failed = true;
			return;
		}
		j->p = p;
		j->cap = cap;
	}
	memcpy(j->p + j->len, s, n);
	j->len += n;
	j->p[j->len] = 0;
}

static void value_start(struct json_out *j)
{
	if (j->need_comma)
		put(j, ",", 1);
	j->need_comma = true;
}

void json_begin(struct json_out *j, char open)
{
	value_start(j);
	put(j, &open, 1);
	j->need_comma = false;
}

void json_end(struct json_out *j, char close)
{
	put(j, &close, 1);
	j->need_comma = true;
}

void json_key(struct json_out *j, const char *key)
{
	json_str(j, key);
	put(j, ":", 1);
	j->need_comma = false;
}

void json_str(struct json_out *j, const char *s)
{
	value_start(j);
	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];

		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = (char)ch;
			put(j, esc, 2);
		} else if (ch < 0x20 || ch == 0x7F) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			put(j, esc, 6);
		} else {
			put(j, s, 1);
		}
	}
	put(j, "\"", 1);
}

void json_hex(struct json_out *j, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";

	value_start(j);
	put(j, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char h[2] = { digits[b[i] >> 4], digits[b[i] & 0xF] };

		put(j, h, 2);
	}
	put(j, "\"", 1);
}

void json_num(struct json_out *j, long long v)
{
	char b[32];

	value_start(j);
	put(j, b, (size_t)snprintf(b, sizeof(b), "%lld", v));
}

void json_bool(struct json_out *j, bool v)
{
	value_start(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_raw(struct json_out *j, const char *s)
{
	value_start(j);
	put(j, s, strlen(s));
}

char *json_out_done(struct json_out *j)
{
	char *p = j->failed ? NULL : j->p;

	if (j->failed)
		free(j->p);
	else if (!p)
		p = calloc(1, 1);
	memset(j, 0, sizeof(*j));
	return p;
}
