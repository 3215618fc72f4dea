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
#define _GNU_SOURCE		/* accept4 */
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

int vpcd_link_open(struct vpcd_link *l, bool listen_mode, const char *host, uint16_t port)
{
	memset(l, 0, sizeof(*l));
	l->listen_mode = listen_mode;
	snprintf(l->host, sizeof(l->host), "%s", host);
	l->port = port;
	l->fd = l->lfd = -1;
	l->backoff = 50;
	if (listen_mode) {
		l->lfd = listen_on(host, port);
		return l->lfd < 0 ? -1 : 0;
	}
	return 0;
}

void vpcd_link_close(struct vpcd_link *l)
{
	vpcd_link_drop(l);
	if (l->lfd >= 0)
		close(l->lfd);
	l->lfd = -1;
}

void vpcd_link_drop(struct vpcd_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->have = 0;
}

/* Client mode: connect now, or schedule the next try (backoff up to 2 s). */
void vpcd_link_connect(struct vpcd_link *l, uint64_t now_ms)
{
	if (l->listen_mode || l->fd >= 0 || now_ms < l->retry_at)
		return;
	l->fd = connect_to(l->host, l->port);
	if (l->fd < 0) {
		if (!l->announced)
			LOG_ERR("vpcd: cannot connect to %s:%u yet (is pcscd running with the vpcd driver?); "
				"retrying", l->host, l->port);
		l->announced = true;
		l->retry_at = now_ms + l->backoff;
		l->backoff = l->backoff < 2000 ? l->backoff * 2 : 2000;
		return;
	}
	LOG_ERR("vpcd: card inserted into reader at %s:%u", l->host, l->port);
	l->announced = false;
	l->backoff = 50;
	l->retry_at = 0;
}

/* Listen mode: a connection becomes the reader if there is none (and the
 * card is in the reader), otherwise it is refused, closed at once. */
void vpcd_link_accept(struct vpcd_link *l, bool take)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char name[NI_MAXHOST + NI_MAXSERV + 4];
	int fd, one = 1;

	fd = accept4(l->lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			LOG_ERR("vpcd: accept: %s", strerror(errno));
		return;
	}
	addr_name((struct sockaddr *)&sa, len, name, sizeof(name));
	if (l->fd >= 0 || !take) {
		LOG_ERR("vpcd: connection from %s refused: %s", name,
			l->fd >= 0 ? "a reader is already connected (one vpcd at a time)" : "the card is removed");
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	quickack(fd);
	LOG_ERR("vpcd: card inserted into reader (vpcd connected from %s)", name);
	l->fd = fd;
	l->have = 0;
}

/* Read what is there; a whole frame is returned as soon as it is in. */
int vpcd_link_read(struct vpcd_link *l, const uint8_t **frame, size_t *len)
{
	size_t need = l->have < 2 ? 2 : 2 + ((size_t)l->buf[0] << 8 | l->buf[1]);
	ssize_t r;

	*frame = NULL;
	if (l->have < need) {
		r = recv(l->fd, l->buf + l->have, need - l->have, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0)
			return -1;	/* vpcd went away */
		quickack(l->fd);
		l->have += (size_t)r;
		need = l->have < 2 ? 2 : 2 + ((size_t)l->buf[0] << 8 | l->buf[1]);
	}
	if (l->have >= 2 && l->have == need) {
		*frame = l->buf + 2;
		*len = need - 2;
		l->have = 0;
	}
	return 0;
}

int vpcd_link_send(struct vpcd_link *l, const uint8_t *data, size_t len)
{
	uint8_t buf[2 + SIM_RSP_MAX + 64];

	if (l->fd < 0 || len > sizeof(buf) - 2)
		return -1;
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, data, len);
	return write_full(l->fd, buf, len + 2);
}
