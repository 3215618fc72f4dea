/* vpcd protocol (vsmartcard): frames of a 2-byte big-endian length and a
 * payload. A 1-byte payload is a control message (0 power off, 1 power
 * on, 2 reset, 4 ATR request); anything longer is a command APDU. Only
 * ATR requests and APDUs are answered.
 *
 * vpcd writes the length and the body in two send calls; without
 * TCP_NODELAY and TCP_QUICKACK (re-armed after every read, Linux clears
 * it) each APDU waits for a delayed ACK, ~40 ms instead of ~0.1 ms.
 *
 * Two ways to meet vpcd (docs/design.md, "vpcd modes"): the card connects
 * to a vpcd that listens (reader.conf DEVICENAME /dev/null:PORT, which
 * listens on every interface), or, reversed, the card listens and vpcd
 * connects (DEVICENAME HOST:PORT). vpcd speaks first in both: its first
 * frame is an ATR request. */
#define _GNU_SOURCE		/* accept4, ppoll */
#include "sim/host/vpcd.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VPCD_CTRL_OFF   0
#define VPCD_CTRL_ON    1
#define VPCD_CTRL_RESET 2
#define VPCD_CTRL_ATR   4

#define VPCD_FRAME_MAX 0xFFFF

static void quickack(int fd)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

/* Read exactly n bytes; short reads happen. 0 on success, -1 on EOF or
 * error, -2 when interrupted by a stop request. */
static int read_full(int fd, uint8_t *p, size_t n, volatile sig_atomic_t *stop)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR) {
			if (*stop)
				return -2;
			continue;
		}
		if (r <= 0)
			return -1;
		quickack(fd);
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_frame(int fd, const uint8_t *data, size_t len)
{
	uint8_t buf[2 + SIM_RSP_MAX + 64];

	if (len > sizeof(buf) - 2)
		return -1;
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, data, len);
	return write_full(fd, buf, len + 2);
}

static int connect_to(const char *host, uint16_t port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char service[8];
	int fd = -1;

	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			quickack(fd);
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Read one frame from vpcd and answer it. 0 when served; -1 on EOF or
 * error, -2 when interrupted by a stop request. */
static int serve_frame(struct sim_card *card, int fd, volatile sig_atomic_t *stop)
{
	static uint8_t frame[VPCD_FRAME_MAX];
	uint8_t hdr[2], rsp[SIM_RSP_MAX];
	size_t len, atr_len;
	const uint8_t *atr;
	int rc;

	rc = read_full(fd, hdr, 2, stop);
	if (rc < 0)
		return rc;
	len = (size_t)hdr[0] << 8 | hdr[1];
	rc = read_full(fd, frame, len, stop);
	if (rc < 0)
		return rc;
	if (len == 0)
		return 0;
	if (len == 1) {
		switch (frame[0]) {
		case VPCD_CTRL_OFF:
			LOG_INFO("vpcd: power off");
			sim_power(card, SIM_POWER_OFF);
			break;
		case VPCD_CTRL_ON:
			LOG_INFO("vpcd: power on");
			sim_power(card, SIM_POWER_ON);
			break;
		case VPCD_CTRL_RESET:
			LOG_INFO("vpcd: reset");
			sim_power(card, SIM_RESET);
			break;
		case VPCD_CTRL_ATR:
			atr = sim_atr(&atr_len);
			if (send_frame(fd, atr, atr_len) < 0)
				return -1;
			break;
		default:
			LOG_INFO("vpcd: unknown control byte %02X ignored", frame[0]);
		}
		return 0;
	}
	len = sim_transact(card, frame, len, rsp);
	return send_frame(fd, rsp, len) < 0 ? -1 : 0;
}

/* Serve one connection until it closes. */
static int serve(struct sim_card *card, int fd, volatile sig_atomic_t *stop)
{
	int rc;

	while ((rc = serve_frame(card, fd, stop)) == 0)
		;
	return rc;
}

int sim_vpcd_run(struct sim_card *card, const char *host, uint16_t port,
		 volatile sig_atomic_t *stop)
{
	unsigned backoff = 50;
	bool announced = false;

	while (!*stop) {
		int fd = connect_to(host, port);

		if (fd < 0) {
			if (!announced)
				LOG_ERR("vpcd: cannot connect to %s:%u yet (is pcscd running with the "
					"vpcd driver?); retrying", host, port);
			announced = true;
			sleep_ms(backoff);
			backoff = backoff < 2000 ? backoff * 2 : 2000;
			continue;
		}
		LOG_ERR("vpcd: card inserted into reader at %s:%u", host, port);
		backoff = 50;
		announced = false;
		serve(card, fd, stop);
		close(fd);
		/* The reader is gone: like a card pulled out. */
		sim_power(card, SIM_POWER_OFF);
		if (!*stop)
			LOG_ERR("vpcd: connection closed; reconnecting");
	}
	return 0;
}

/* Reversed mode: the card listens, vpcd connects. */

static bool is_loopback(const struct sockaddr *sa)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	if (sa->sa_family == AF_INET) {
		memcpy(&in4, sa, sizeof(in4));
		return (ntohl(in4.sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(&in6, sa, sizeof(in6));
		return IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr) && in6.sin6_addr.s6_addr[12] == 127);
	}
	return false;
}

static void addr_name(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, cap, "?");
	else
		snprintf(out, cap, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, serv);
}

static int listen_on(const char *host, uint16_t port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char service[8], name[NI_MAXHOST + NI_MAXSERV + 4];
	int fd = -1, err = 0, gai;

	snprintf(service, sizeof(service), "%u", port);
	gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		LOG_ERR("vpcd: cannot listen on %s:%u: %s", host, port, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int one = 1;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		/* SO_REUSEADDR: a restarted card binds again at once (TIME_WAIT). */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 4) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		LOG_ERR("vpcd: cannot listen on %s:%u: %s", host, port, strerror(err));
	} else {
		addr_name(ai->ai_addr, ai->ai_addrlen, name, sizeof(name));
		LOG_ERR("vpcd: waiting for vpcd on %s (reversed mode: reader.conf DEVICENAME %s:%u)",
			name, host, port);
		if (!is_loopback(ai->ai_addr))
			LOG_ERR("vpcd: warning: %s is not a loopback address; whoever reaches it can "
				"drive this card as its reader", name);
	}
	freeaddrinfo(res);
	return fd;
}

/* Accept a connection: it becomes the reader if there is none, otherwise
 * it is refused (closed at once). */
static void accept_reader(int lfd, int *cfd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char name[NI_MAXHOST + NI_MAXSERV + 4];
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			LOG_ERR("vpcd: accept: %s", strerror(errno));
			sleep_ms(100);	/* the connection stays queued; do not spin */
		}
		return;
	}
	addr_name((struct sockaddr *)&sa, len, name, sizeof(name));
	if (*cfd >= 0) {
		LOG_ERR("vpcd: connection from %s refused: a reader is already connected "
			"(one vpcd at a time)", name);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	quickack(fd);
	LOG_ERR("vpcd: card inserted into reader (vpcd connected from %s)", name);
	*cfd = fd;
}

int sim_vpcd_listen(struct sim_card *card, const char *host, uint16_t port,
		    volatile sig_atomic_t *stop)
{
	int lfd = listen_on(host, port), cfd = -1;
	sigset_t block, old;

	if (lfd < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	while (!*stop) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int r;

		if (cfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		/* Signals blocked between the check and the wait, so a stop
		 * request cannot slip in between; ppoll unblocks them. */
		sigprocmask(SIG_BLOCK, &block, &old);
		r = *stop ? 0 : ppoll(pfd, n, NULL, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (r < 0 && errno != EINTR) {
			LOG_ERR("vpcd: poll: %s", strerror(errno));
			sleep_ms(100);
		}
		if (r <= 0)
			continue;
		/* The reader first: a vpcd that went away (pcscd killed and
		 * started again) has left its EOF here before its successor
		 * connects, so the successor is not refused. */
		if (cfd >= 0 && pfd[0].revents && serve_frame(card, cfd, stop) < 0) {
			close(cfd);
			cfd = -1;
			/* The reader is gone: like a card pulled out. */
			sim_power(card, SIM_POWER_OFF);
			if (!*stop)
				LOG_ERR("vpcd: reader went away; waiting for vpcd to connect again");
		}
		if (pfd[n - 1].revents & POLLIN)
			accept_reader(lfd, &cfd);
	}
	if (cfd >= 0) {
		close(cfd);
		sim_power(card, SIM_POWER_OFF);
	}
	close(lfd);
	return 0;
}
