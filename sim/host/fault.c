#include "sim/host/fault.h"
#include "isdr/fault.h"
#include "sim/err.h"
#include "sim/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BPP_FUNCTION "ES10b.LoadBoundProfilePackage"

static const struct {
	const char *name;
	enum fault_action action;
	bool has_value;
} actions[] = {
	{ "sw", FAULT_SW, true },
	{ "error", FAULT_ERROR, true },
	{ "bpp-error", FAULT_BPP_ERROR, true },
	{ "remove", FAULT_REMOVE, false },
	{ "mute", FAULT_MUTE, false },
	{ "delay", FAULT_DELAY, true },
	{ "memory", FAULT_MEMORY, true },
};

const char *fault_action_name(enum fault_action a)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (actions[i].action == a)
			return actions[i].name;
	return "?";
}

static int number(const char *v, int base, long long min, long long max, long long *out)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, base);
	if (!*v || *end || errno || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/* "memory=64k": a size with k/M suffixes. */
static int size(const char *v, long long *out)
{
	char buf[32], *end;
	long long mul = 1;
	size_t n = strlen(v);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n + 1);
	if (buf[n - 1] == 'k' || buf[n - 1] == 'K')
		mul = 1024, buf[n - 1] = 0;
	else if (buf[n - 1] == 'M' || buf[n - 1] == 'm')
		mul = 1024 * 1024, buf[n - 1] = 0;
	errno = 0;
	*out = strtoll(buf, &end, 10) * mul;
	return *buf && !*end && !errno && *out >= 0 ? 0 : -1;
}

#define BAD(...) do { snprintf(err, err_len, __VA_ARGS__); return -EU_E_PARAM; } while (0)

/* The ACTION token. */
static int parse_action(const char *tok, struct fault *f, char *err, size_t err_len)
{
	const char *eq = strchr(tok, '=');
	size_t n = eq ? (size_t)(eq - tok) : strlen(tok);
	const char *v = eq ? eq + 1 : NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (strlen(actions[i].name) == n && !strncmp(tok, actions[i].name, n))
			break;
	if (i == ARRAY_SIZE(actions))
		BAD("unknown action '%.*s' (sw=XXXX, error=N, bpp-error=REASON, remove[=MS], mute, delay=MS, "
		    "memory=BYTES)", (int)n, tok);
	f->action = actions[i].action;
	if (actions[i].has_value && !v)
		BAD("%s needs a value: %s=...", actions[i].name, actions[i].name);
	switch (f->action) {
	case FAULT_SW:
		if (strlen(v) != 4 || number(v, 16, 0x6000, 0x9FFF, &f->value) < 0 || (f->value >> 8) == 0x61 ||
		    (f->value >> 8) == 0x6C)
			BAD("sw=XXXX: four hex digits of a final status word (not 61xx/6Cxx), got '%s'", v);
		break;
	case FAULT_ERROR:
		if (number(v, 10, 1, 255, &f->value) < 0)
			BAD("error=N: a code from 1 to 255, got '%s'", v);
		break;
	case FAULT_BPP_ERROR:
		f->value = isdr_error_reason(v);
		if (f->value < 0)
			BAD("bpp-error=REASON: an ErrorReason name (e.g. pprNotAllowed) or number, got '%s'", v);
		break;
	case FAULT_REMOVE:
		f->value = 0;
		if (v && number(v, 10, 1, 3600000, &f->value) < 0)
			BAD("remove=MS: milliseconds, got '%s'", v);
		break;
	case FAULT_MUTE:
		if (v)
			BAD("mute takes no value");
		break;
	case FAULT_DELAY:
		if (number(v, 10, 0, 600000, &f->value) < 0)
			BAD("delay=MS: milliseconds up to 600000, got '%s'", v);
		break;
	case FAULT_MEMORY:
		if (size(v, &f->value) < 0)
			BAD("memory=BYTES: a size with k/M suffixes, got '%s'", v);
		break;
	}
	return 0;
}

/* Split "ACTION on=WHAT [nth=N] [times=N]": WHAT may hold spaces
 * ("STORE DATA"), so a field runs to the next " key=". */
static const char *next_field(const char *p, const char **end)
{
	static const char *const keys[] = { " on=", " nth=", " times=" };
	const char *stop = p + strlen(p);

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *k = strstr(p, keys[i]);

		if (k && k < stop)
			stop = k;
	}
	*end = stop;
	return *stop ? stop + 1 : NULL;
}

int fault_parse(const char *spec, struct fault *f, char *err, size_t err_len)
{
	char tok[FAULT_SPEC_MAX];
	const char *p = spec, *end;
	bool first = true;
	long long v;

	if (strlen(spec) >= sizeof(f->spec))
		BAD("fault spec longer than %d characters", FAULT_SPEC_MAX - 1);
	memset(f, 0, sizeof(*f));
	snprintf(f->spec, sizeof(f->spec), "%s", spec);
	f->nth = f->times = 1;
	while (*p == ' ')
		p++;
	for (; p && *p; first = false) {
		const char *next = next_field(p, &end);

		while (end > p && end[-1] == ' ')
			end--;
		snprintf(tok, sizeof(tok), "%.*s", (int)(end - p), p);
		p = next;
		if (first) {
			if (parse_action(tok, f, err, err_len) < 0)
				return -EU_E_PARAM;
		} else if (!strncmp(tok, "on=", 3)) {
			if (!tok[3] || strlen(tok + 3) >= sizeof(f->on))
				BAD("on=WHAT: a command name (SELECT, STORE DATA, ES10b.PrepareDownload, *)");
			snprintf(f->on, sizeof(f->on), "%.*s", (int)sizeof(f->on) - 1, tok + 3);
		} else if (!strncmp(tok, "nth=", 4)) {
			if (number(tok + 4, 10, 1, 1000000, &v) < 0)
				BAD("nth=N: a number from 1, got '%s'", tok + 4);
			f->nth = (unsigned)v;
		} else if (!strncmp(tok, "times=", 6)) {
			if (number(tok + 6, 10, 1, 1000000, &v) < 0)
				BAD("times=N: a number from 1, got '%s'", tok + 6);
			f->times = (unsigned)v;
		} else {
			BAD("unexpected '%s' (ACTION on=WHAT [nth=N] [times=N])", tok);
		}
	}
	if (first)
		BAD("empty fault spec");
	if (!f->on[0] && f->action != FAULT_MEMORY)
		BAD("%s needs on=WHAT", fault_action_name(f->action));
	if (f->action == FAULT_ERROR && !isdr_fault_has_error(f->on))
		BAD("error=N needs on= an ES10 function that answers with an error code (e.g. "
		    "ES10b.PrepareDownload), got '%s'", f->on);
	if (f->action == FAULT_BPP_ERROR && strcmp(f->on, BPP_FUNCTION))
		BAD("bpp-error needs on=" BPP_FUNCTION);
	return 0;
}

int fault_add(struct fault_set *s, const char *spec, struct fault **added, char *err, size_t err_len)
{
	struct fault f;

	TRY(fault_parse(spec, &f, err, err_len));
	if (s->n == FAULT_MAX)
		BAD("at most %d faults (fault-clear removes them)", FAULT_MAX);
	s->f[s->n] = f;
	*added = &s->f[s->n++];
	return 0;
}

void fault_clear(struct fault_set *s)
{
	memset(s, 0, sizeof(*s));
}

static bool matches(const struct fault *f, const char *command, const char *function)
{
	if (!f->on[0])
		return false;
	return !strcmp(f->on, "*") || !strcmp(f->on, command) || (function && !strcmp(f->on, function));
}

struct fault *fault_next(struct fault_set *s, const char *command, const char *function)
{
	struct fault *fire = NULL;

	for (size_t i = 0; i < s->n; i++) {
		struct fault *f = &s->f[i];

		if (!matches(f, command, function) || f->fired >= f->times)
			continue;
		f->seen++;
		if (!fire && f->seen >= f->nth) {
			f->fired++;
			fire = f;
		}
	}
	return fire;
}

void fault_json(const struct fault_set *s, struct json_out *j)
{
	json_begin(j, '[');
	for (size_t i = 0; i < s->n; i++) {
		const struct fault *f = &s->f[i];

		json_begin(j, '{');
		json_key(j, "spec");
		json_str(j, f->spec);
		json_key(j, "seen");
		json_num(j, f->seen);
		json_key(j, "fired");
		json_num(j, f->fired);
		json_key(j, "active");
		json_bool(j, f->fired < f->times);
		json_end(j, '}');
	}
	json_end(j, ']');
}
