/* vpcd protocol (vsmartcard): frames of a 2-byte big-endian length and a
 * payload. A 1-byte payload is a control message (0 power off, 1 power
 * on, 2 reset, 4 ATR request); anything longer is a command APDU. Only
 * ATR requests and APDUs are answered.
 *
 * vpcd writes the length and the body in two send calls; without
 * TCP_NODELAY and TCP_QUICKACK (re-armed after every read, Linux clears
 * it) each APDU waits for a delayed ACK, ~40 ms instead of ~0.1 ms. */
#include "sim/host/vpcd.h"
#include "sim/host/trace.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/log.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

/* Serve one connection until it closes. */
static int serve(struct sim_card *card, int fd, volatile sig_atomic_t *stop)
{
	static uint8_t frame[VPCD_FRAME_MAX];
	uint8_t hdr[2], rsp[SIM_RSP_MAX];
	size_t len, atr_len, rsp_len;
	const uint8_t *atr;
	int rc;

	for (;;) {
		rc = read_full(fd, hdr, 2, stop);
		if (rc < 0)
			return rc;
		len = (size_t)hdr[0] << 8 | hdr[1];
		rc = read_full(fd, frame, len, stop);
		if (rc < 0)
			return rc;
		if (len == 0)
			continue;
		if (len == 1) {
			switch (frame[0]) {
			case VPCD_CTRL_OFF:
				LOG_INFO("vpcd: power off");
				sim_power(card, SIM_POWER_OFF);
				sim_trace_power(sim_trace_active, SIM_TRACE_POWER_OFF, NULL, 0);
				break;
			case VPCD_CTRL_ON:
				LOG_INFO("vpcd: power on");
				sim_power(card, SIM_POWER_ON);
				sim_trace_power(sim_trace_active, SIM_TRACE_POWER_ON, NULL, 0);
				break;
			case VPCD_CTRL_RESET:
				LOG_INFO("vpcd: reset");
				sim_power(card, SIM_RESET);
				sim_trace_power(sim_trace_active, SIM_TRACE_RESET, NULL, 0);
				break;
			case VPCD_CTRL_ATR:
				atr = sim_atr(&atr_len);
				if (send_frame(fd, atr, atr_len) < 0)
					return -1;
				sim_trace_power(sim_trace_active, SIM_TRACE_ATR, atr, atr_len);
				break;
			default:
				LOG_INFO("vpcd: unknown control byte %02X ignored", frame[0]);
			}
			continue;
		}
		rsp_len = sim_transact(card, frame, len, rsp);
		rc = send_frame(fd, rsp, rsp_len);
		/* traced once the answer is out: the terminal does not wait for it */
		sim_trace_apdu(sim_trace_active, frame, len, rsp, rsp_len, NULL);
		if (rc < 0)
			return -1;
	}
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
		sim_trace_power(sim_trace_active, SIM_TRACE_REMOVED, NULL, 0);
		if (!*stop)
			LOG_ERR("vpcd: connection closed; reconnecting");
	}
	return 0;
}
