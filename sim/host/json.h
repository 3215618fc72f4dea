/* Just enough JSON for the control socket: one flat object per line in
 * (string, number, boolean and null members), and a writer for answers. */
#ifndef SIM_HOST_JSON_H
#define SIM_HOST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_MEMBERS 16
#define JSON_MAX_STRING 1024

struct json_member {
	char key[64];
	char value[JSON_MAX_STRING];	/* strings unescaped; numbers, true/false/null as written */
	bool is_string;
};

struct json_object {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
};

/* Parse one object (surrounding white space allowed). 0, or -1 with a
 * message in err. Nested objects and arrays are refused. */
int json_parse_object(const char *text, size_t len, struct json_object *out, char *err, size_t err_len);

/* The string member key, or NULL. */
const char *json_get(const struct json_object *o, const char *key);

/* A growing output buffer. Functions do nothing after an allocation
 * failure; json_out_done() then returns NULL. */
struct json_out {
	char *p;
	size_t len, cap;
	bool failed;
	bool need_comma;
};

void json_begin(struct json_out *j, char open);		/* '{' or '[' */
void json_end(struct json_out *j, char close);
void json_key(struct json_out *j, const char *key);	/* before a value in an object */
void json_str(struct json_out *j, const char *s);
void json_hex(struct json_out *j, const uint8_t *b, size_t n);
void json_num(struct json_out *j, long long v);
void json_bool(struct json_out *j, bool v);
void json_raw(struct json_out *j, const char *s);	/* already JSON */
/* The text (NUL-terminated, caller frees), or NULL. */
char *json_out_done(struct json_out *j);

#endif
