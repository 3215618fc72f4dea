/* The control socket: a UNIX stream socket (mode 0600) on which a test or
 * CI job drives the running card, one JSON object per line in each
 * direction; and the `euicc-sim ctl` client. Nothing on it reaches a key:
 * the commands are those of sim/host/loop.c. */
#ifndef SIM_HOST_CONTROL_H
#define SIM_HOST_CONTROL_H

#include "sim/host/json.h"

#include <poll.h>
#include <stddef.h>

#define CONTROL_SOCKET "control.sock"
#define CONTROL_LINE_MAX 4096
#define CONTROL_CLIENTS 8

struct control;

/* Answer one request: a JSON object (NUL-terminated, malloc'ed, no
 * newline), or NULL when out of memory. */
typedef char *(*control_exec_fn)(void *arg, const struct json_object *req);

/* Create the socket at path (a stale one is replaced; one that answers is
 * another card's: -EU_E_BUSY). */
int control_open(const char *path, control_exec_fn exec, void *arg, struct control **out);
void control_close(struct control *c);

/* The descriptors to poll (the socket and its clients). */
size_t control_fds(const struct control *c, struct pollfd *pfd, size_t cap);
/* Serve the descriptors poll found ready (pfd as filled by control_fds). */
void control_service(struct control *c, const struct pollfd *pfd, size_t n);

/* euicc-sim ctl [--state DIR | --socket PATH] COMMAND [ARGS...] */
int control_client_main(int argc, char **argv);

#endif
