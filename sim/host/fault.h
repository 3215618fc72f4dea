/* Fault injection (sim/host/): specs "ACTION on=WHAT [nth=N] [times=N]"
 * given at start (--fault, config `fault`) or on the control socket, and
 * the matching of commands against them. What a fired fault does is up to
 * the vpcd loop (sim/host/vpcd.c). */
#ifndef SIM_HOST_FAULT_H
#define SIM_HOST_FAULT_H

#include "sim/host/json.h"

#include <stdbool.h>
#include <stddef.h>

enum fault_action {
	FAULT_SW,		/* answer value as the status word, do not process */
	FAULT_ERROR,		/* the ES10 function's error structure with code value */
	FAULT_BPP_ERROR,	/* the BPP piece fails with ErrorReason value */
	FAULT_REMOVE,		/* the card leaves the reader before it answers; back after value ms (0: ctl insert) */
	FAULT_MUTE,		/* no answer until fault-clear, reset or remove */
	FAULT_DELAY,		/* answer after value ms */
	FAULT_MEMORY,		/* value bytes of free profile memory from now on */
};

#define FAULT_MAX 16
#define FAULT_SPEC_MAX 160

struct fault {
	enum fault_action action;
	long long value;
	char on[64];		/* a command or function name, "*" any; "" = at once (memory) */
	unsigned nth, times;	/* fire from the nth match on, times times */
	unsigned seen, fired;
	char spec[FAULT_SPEC_MAX];
};

struct fault_set {
	struct fault f[FAULT_MAX];
	size_t n;
};

/* Parse and check one spec; on error a message for the user in err. */
int fault_parse(const char *spec, struct fault *out, char *err, size_t err_len);
int fault_add(struct fault_set *s, const char *spec, struct fault **added, char *err, size_t err_len);
void fault_clear(struct fault_set *s);

/* A command is about to run: every fault it matches counts it; the first
 * whose turn has come fires (and is returned), or NULL. */
struct fault *fault_next(struct fault_set *s, const char *command, const char *function);

/* The list as JSON (an array). */
void fault_json(const struct fault_set *s, struct json_out *j);

const char *fault_action_name(enum fault_action a);

#endif
