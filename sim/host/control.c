/* The control socket (sim/host/control.h). */
#define _GNU_SOURCE		/* accept4 */
#include "sim/host/control.h"
#include "sim/err.h"
#include "sim/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
	int fd;
	char line[CONTROL_LINE_MAX];
	size_t len;
	bool overflow;		/* the current line was too long: skip to its end */
};

struct control {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_exec_fn exec;
	void *arg;
	struct client c[CONTROL_CLIENTS];
};

static int address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -EU_E_TOO_LONG;
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int control_open(const char *path, control_exec_fn exec, void *arg, struct control **out)
{
	struct sockaddr_un sa;
	struct control *c;
	struct stat st;
	mode_t old;
	int fd, probe;

	if (address(path, &sa) < 0) {
		LOG_ERR("control: socket path too long: %s", path);
		return -EU_E_TOO_LONG;
	}
	/* A socket that answers belongs to another card; a stale one goes. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			LOG_ERR("control: %s exists and is not a socket; refusing to replace it", path);
			return -EU_E_FOREIGN;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			LOG_ERR("control: %s is in use by another card; give each its own --control", path);
			return -EU_E_BUSY;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -EU_E_IO;
	old = umask(0177);	/* the socket is created 0600 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, CONTROL_CLIENTS) < 0) {
		umask(old);
		LOG_ERR("control: cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -EU_E_IO;
	}
	umask(old);
	chmod(path, 0600);
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		unlink(path);
		return -EU_E_NOMEM;
	}
	c->fd = fd;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->exec = exec;
	c->arg = arg;
	for (size_t i = 0; i < CONTROL_CLIENTS; i++)
		c->c[i].fd = -1;
	LOG_ERR("control: listening on %s (euicc-sim ctl --socket %s status)", path, path);
	*out = c;
	return 0;
}

static void drop(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CONTROL_CLIENTS; i++)
		drop(&c->c[i]);
	close(c->fd);
	unlink(c->path);
	free(c);
}

size_t control_fds(const struct control *c, struct pollfd *pfd, size_t cap)
{
	size_t n = 0;

	if (!c || cap == 0)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	for (size_t i = 0; i < CONTROL_CLIENTS && n < cap; i++)
		if (c->c[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = c->c[i].fd, .events = POLLIN };
	return n;
}

/* How long a long answer (a report) may wait for the client to read. */
#define ANSWER_WAIT_MS 2000

/* Send a whole answer line; a client that does not read is dropped. */
static void answer(struct client *cl, const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 2);
	size_t off = 0;

	if (!line) {
		drop(cl);
		return;
	}
	memcpy(line, text, len);
	line[len++] = '\n';
	while (off < len) {
		ssize_t w = send(cl->fd, line + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pf = { .fd = cl->fd, .events = POLLOUT };

		if (w < 0 && errno == EINTR)
			continue;
		/* more than the socket buffer holds: wait a while for the reader */
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && poll(&pf, 1, ANSWER_WAIT_MS) > 0)
			continue;
		if (w <= 0) {
			drop(cl);
			break;
		}
		off += (size_t)w;
	}
	free(line);
}

static void error_line(struct client *cl, const char *msg)
{
	struct json_out j = { 0 };
	char *text;

	json_begin(&j, '{');
	json_key(&j, "ok");
	json_bool(&j, false);
	json_key(&j, "error");
	json_str(&j, msg);
	json_end(&j, '}');
	text = json_out_done(&j);
	answer(cl, text ? text : "{\"ok\":false}");
	free(text);
}

static void one_line(struct control *c, struct client *cl)
{
	struct json_object req;
	char err[128], *text;

	if (json_parse_object(cl->line, cl->len, &req, err, sizeof(err)) < 0) {
		LOG_INFO("control: %s", err);
		error_line(cl, err);
		return;
	}
	text = c->exec(c->arg, &req);
	if (!text) {
		error_line(cl, "out of memory");
		return;
	}
	answer(cl, text);
	free(text);
}

static void readable(struct control *c, struct client *cl)
{
	char buf[1024];
	ssize_t r = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		drop(cl);	/* gone, maybe in the middle of a line: nothing happens */
		return;
	}
	for (ssize_t i = 0; i < r && cl->fd >= 0; i++) {
		if (buf[i] != '\n') {
			if (cl->len + 1 < sizeof(cl->line))
				cl->line[cl->len++] = buf[i];
			else
				cl->overflow = true;
			continue;
		}
		if (cl->overflow)
			error_line(cl, "request line longer than 4096 bytes");
		else if (cl->len)
			one_line(c, cl);
		if (cl->fd >= 0) {
			cl->len = 0;
			cl->overflow = false;
		}
	}
}

void control_service(struct control *c, const struct pollfd *pfd, size_t n)
{
	if (!c)
		return;
	for (size_t k = 1; k < n; k++) {
		if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (size_t i = 0; i < CONTROL_CLIENTS; i++)
			if (c->c[i].fd == pfd[k].fd)
				readable(c, &c->c[i]);
	}
	if (n && (pfd[0].revents & POLLIN)) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		size_t i;

		if (fd < 0)
			return;
		for (i = 0; i < CONTROL_CLIENTS && c->c[i].fd >= 0; i++)
			;
		if (i == CONTROL_CLIENTS) {
			static const char busy[] = "{\"ok\":false,\"error\":\"too many control clients\"}\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				LOG_DEBUG("control: %s", strerror(errno));
			close(fd);
			return;
		}
		memset(&c->c[i], 0, sizeof(c->c[i]));
		c->c[i].fd = fd;
	}
}

/* ---- the client ------------------------------------------------------------ */

static void client_usage(FILE *f)
{
	fprintf(f,
		"usage: euicc-sim ctl [--state DIR | --socket PATH] COMMAND [ARGS]\n"
		"  status                the card: EID, reader, channels, session, profiles,\n"
		"                        notifications, faults\n"
		"  remove | insert       the card leaves / re-enters the reader\n"
		"  reset                 a warm reset, as from the terminal\n"
		"  fault SPEC            add a fault: ACTION on=WHAT [nth=N] [times=N]\n"
		"  faults | fault-clear  list / remove every fault\n"
		"  report                the LPA conformance report so far\n"
		"The socket is STATE_DIR/" CONTROL_SOCKET " (default state dir ./euicc-sim-state).\n");
}

int control_client_main(int argc, char **argv)
{
	char path[4096], *line = NULL;
	size_t line_cap = 0;
	const char *state = "euicc-sim-state", *sock = NULL;
	struct sockaddr_un sa;
	struct json_out j = { 0 };
	char *req;
	int i = 1, fd;
	FILE *f;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--state"))
			state = argv[i + 1];
		else if (!strcmp(argv[i], "--socket"))
			sock = argv[i + 1];
		else
			break;
	}
	if (i >= argc || argv[i][0] == '-') {
		client_usage(stderr);
		return 2;
	}
	if (sock)
		snprintf(path, sizeof(path), "%s", sock);
	else
		snprintf(path, sizeof(path), "%s/%s", state, CONTROL_SOCKET);
	json_begin(&j, '{');
	json_key(&j, "cmd");
	json_str(&j, argv[i]);
	if (i + 1 < argc) {
		/* the rest is one argument (a fault spec has spaces) */
		char arg[1024] = "";

		for (int k = i + 1; k < argc; k++) {
			if (k > i + 1)
				strncat(arg, " ", sizeof(arg) - strlen(arg) - 1);
			strncat(arg, argv[k], sizeof(arg) - strlen(arg) - 1);
		}
		json_key(&j, "arg");
		json_str(&j, arg);
	}
	json_end(&j, '}');
	req = json_out_done(&j);
	if (!req || address(path, &sa) < 0) {
		free(req);
		fprintf(stderr, "euicc-sim ctl: bad socket path %s\n", path);
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "euicc-sim ctl: cannot reach the card at %s: %s (is it running with this "
			"state directory, or --control?)\n", path, strerror(errno));
		free(req);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	f = fdopen(fd, "r+");
	if (!f || fprintf(f, "%s\n", req) < 0 || fflush(f) != 0 || getline(&line, &line_cap, f) < 0) {
		fprintf(stderr, "euicc-sim ctl: no answer from %s\n", path);
		free(req);
		free(line);
		if (f)
			fclose(f);
		else
			close(fd);
		return 1;
	}
	free(req);
	fclose(f);
	fputs(line, stdout);
	/* every answer starts with its "ok" member (sim/host/loop.c) */
	i = strncmp(line, "{\"ok\":true", 10) ? 1 : 0;
	free(line);
	return i;
}
