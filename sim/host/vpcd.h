/* The card side of vsmartcard's virtual reader (vpcd): the link, in one of
 * two modes. The card connects to a vpcd that listens (reader.conf
 * DEVICENAME /dev/null:PORT), or, reversed, listens for vpcd to connect
 * (DEVICENAME HOST:PORT). Non-blocking: the event loop (sim/host/loop.c)
 * polls the descriptors and takes whole frames. */
#ifndef SIM_HOST_VPCD_H
#define SIM_HOST_VPCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control frames (1 byte) from vpcd. */
#define VPCD_CTRL_OFF   0
#define VPCD_CTRL_ON    1
#define VPCD_CTRL_RESET 2
#define VPCD_CTRL_ATR   4

struct vpcd_link {
	bool listen_mode;
	char host[256];
	uint16_t port;
	int lfd;		/* listen mode: the listening socket */
	int fd;			/* the reader connection, -1 when none */
	unsigned backoff;	/* client mode: ms to the next connect */
	uint64_t retry_at;
	bool announced;
	uint8_t buf[2 + 0xFFFF];	/* the frame being read */
	size_t have;
};

/* Listen mode binds host:port now (-1 when it cannot); client mode
 * connects later (vpcd_link_connect). */
int vpcd_link_open(struct vpcd_link *l, bool listen_mode, const char *host, uint16_t port);
void vpcd_link_close(struct vpcd_link *l);
/* Drop the reader connection (card removed, or vpcd gone). */
void vpcd_link_drop(struct vpcd_link *l);
/* Client mode: try to connect when the backoff allows. */
void vpcd_link_connect(struct vpcd_link *l, uint64_t now_ms);
/* Listen mode: accept a pending connection; take it as the reader when
 * take and there is none, refuse it otherwise. */
void vpcd_link_accept(struct vpcd_link *l, bool take);
/* Read available bytes: *frame is set (into the link's buffer, valid
 * until the next read) when a whole frame has arrived. -1: vpcd went away. */
int vpcd_link_read(struct vpcd_link *l, const uint8_t **frame, size_t *len);
int vpcd_link_send(struct vpcd_link *l, const uint8_t *data, size_t len);

#endif
