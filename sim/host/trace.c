/* The APDU trace writers: pcap, live GSMTAP, JSON lines (see trace.h).
 *
 * Each event is built in fixed buffers and handed to the kernel before
 * the call returns; nothing grows with the length of a session. */
#include "sim/host/trace.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* GSMTAP v2, as defined by libosmocore's gsmtap.h. */
#define GSMTAP_VERSION		2
#define GSMTAP_HDR_LEN		16	/* hdr_len counts 32-bit words */
#define GSMTAP_TYPE_SIM		0x04
#define GSMTAP_TYPE_OSMOCORE_LOG 0x10
#define GSMTAP_SIM_APDU		0x00
/* struct gsmtap_osmocore_log_hdr: ts (sec, usec), proc_name[16], pid,
 * level, 3 pad, subsys[16], src_file name[32], line */
#define GSMTAP_LOG_HDR_LEN	84
#define GSMTAP_LOGL_NOTICE	5

/* pcap (the classic format, microsecond timestamps) */
#define PCAP_MAGIC		0xA1B2C3D4u
#define PCAP_SNAPLEN		65535u
#define LINKTYPE_RAW		101u	/* records start with an IP header */
#define PCAP_REC_HDR_LEN	16
#define IPV4_UDP_HDR_LEN	28

/* The largest GSMTAP message kept whole: every short APDU fits many times.
 * A longer command (no card command is) is cut in the pcap, where the
 * record says how long it was, and in the GSMTAP feed; the JSON has it. */
#define TRACE_MSG_MAX		8192

struct sink {
	int fd;			/* -1: not in use */
	const char *kind;	/* for messages */
	char *path;
	bool failed;		/* a write failed: nothing more is written */
	unsigned long lost;	/* events not written */
	size_t n;
	uint8_t buf[PCAP_REC_HDR_LEN + IPV4_UDP_HDR_LEN + TRACE_MSG_MAX];
};

struct sim_trace {
	struct sink pcap, json;
	int gsmtap_fd;		/* -1: not in use */
	struct sockaddr_storage gsmtap_addr;
	socklen_t gsmtap_addr_len;
	char gsmtap_name[300];
	unsigned long gsmtap_lost;
	uint32_t seq;		/* events so far */
	void (*now)(struct timespec *ts);
	uint8_t msg[TRACE_MSG_MAX];
};


/* ---- names ---------------------------------------------------------------- */

unsigned sim_trace_channel(uint8_t cla)
{
	return cla & 0x40 ? 4u + (cla & 0x0F) : cla & 0x03u;
}

/* TS 102 221 §10.1.2 (Table 10.5) names, then ISO/IEC 7816-4 and
 * GlobalPlatform's for what the UICC table does not have. */
static const struct {
	uint8_t ins;
	const char *name;
} ins_names[] = {
	{ 0x04, "DEACTIVATE FILE" },	{ 0x10, "TERMINAL PROFILE" },	{ 0x12, "FETCH" },
	{ 0x14, "TERMINAL RESPONSE" },	{ 0x20, "VERIFY PIN" },		{ 0x24, "CHANGE PIN" },
	{ 0x26, "DISABLE PIN" },	{ 0x28, "ENABLE PIN" },		{ 0x2C, "UNBLOCK PIN" },
	{ 0x32, "INCREASE" },		{ 0x44, "ACTIVATE FILE" },	{ 0x50, "INITIALIZE UPDATE" },
	{ 0x70, "MANAGE CHANNEL" },	{ 0x73, "MANAGE SECURE CHANNEL" }, { 0x75, "TRANSACT DATA" },
	{ 0x76, "SUSPEND UICC" },	{ 0x78, "GET IDENTITY" },	{ 0x7A, "EXCHANGE CAPABILITIES" },
	{ 0x82, "EXTERNAL AUTHENTICATE" }, { 0x84, "GET CHALLENGE" },	{ 0x88, "AUTHENTICATE" },
	{ 0x89, "AUTHENTICATE" },	{ 0xA2, "SEARCH RECORD" },	{ 0xA4, "SELECT" },
	{ 0xAA, "TERMINAL CAPABILITY" }, { 0xB0, "READ BINARY" },	{ 0xB2, "READ RECORD" },
	{ 0xC0, "GET RESPONSE" },	{ 0xC2, "ENVELOPE" },		{ 0xCA, "GET DATA" },
	{ 0xCB, "RETRIEVE DATA" },	{ 0xD6, "UPDATE BINARY" },	{ 0xD8, "PUT KEY" },
	{ 0xDB, "SET DATA" },		{ 0xDC, "UPDATE RECORD" },	{ 0xE2, "STORE DATA" },
	{ 0xE4, "DELETE" },		{ 0xE6, "INSTALL" },		{ 0xE8, "LOAD" },
	{ 0xF0, "SET STATUS" },		{ 0xF2, "STATUS" },
};

const char *sim_trace_ins_name(uint8_t ins)
{
	for (size_t i = 0; i < ARRAY_SIZE(ins_names); i++)
		if (ins_names[i].ins == ins)
			return ins_names[i].name;
	return NULL;
}

static const char *command_name(const uint8_t *cmd, size_t len, const char *name, char *buf, size_t cap)
{
	if (name)
		return name;
	if (len < 2)
		return "(no INS)";
	if (sim_trace_ins_name(cmd[1]))
		return sim_trace_ins_name(cmd[1]);
	snprintf(buf, cap, "INS %02X", cmd[1]);
	return buf;
}

/* What a status word says (ISO/IEC 7816-4 §5.6). */
static const char *sw_result(unsigned sw, char *buf, size_t cap)
{
	unsigned n = (sw & 0xFF) ? (sw & 0xFF) : 256;

	switch (sw >> 8) {
	case 0x61:
		snprintf(buf, cap, "%u bytes available", n);
		return buf;
	case 0x6C:
		snprintf(buf, cap, "wrong Le, %u bytes available", n);
		return buf;
	}
	switch (sw) {
#define SW_CASE(name, val, str) case val: return str;
	SIM_STATUS_WORDS(SW_CASE)
#undef SW_CASE
	}
	return "";
}

/* Each power event: its JSON name and its GSMTAP log line. */
static const struct {
	const char *json, *text;
} events[] = {
	[SIM_TRACE_POWER_OFF] = { "power-off", "power off" },
	[SIM_TRACE_POWER_ON] = { "power-on", "power on" },
	[SIM_TRACE_RESET] = { "reset", "reset" },
	[SIM_TRACE_ATR] = { "atr", "ATR " },	/* the bytes follow */
	[SIM_TRACE_REMOVED] = { "removed", "card removed" },
};

/* ---- JSON strings ----------------------------------------------------------- */

size_t sim_trace_json_escape(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need = 0, done = 0;
	bool full = false;

	while (*p) {
		size_t n = sim_utf8_seq(p, strnlen((const char *)p, 4)), len = n;
		const char *piece = (const char *)p;
		char esc[8];

		if (!n) {	/* not UTF-8: U+FFFD for this byte */
			piece = "\\ufffd";
			len = 6;
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			piece = esc;
			len = 2;
		} else if (*p < 0x20) {
			len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *p);
			piece = esc;
		}
		/* whole escapes only: once one does not fit, stop writing */
		if (!full && done + len < cap) {
			memcpy(out + done, piece, len);
			done += len;
		} else {
			full = true;
		}
		need += len;
		p += n;
	}
	if (cap)
		out[done] = 0;
	return need;
}

/* ---- file writers ------------------------------------------------------------ */

static int write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static bool sink_begin(struct sink *s)
{
	if (s->fd < 0)
		return false;
	if (s->failed) {
		s->lost++;
		return false;
	}
	s->n = 0;
	return true;
}

static void sink_flush(struct sink *s)
{
	if (!s->failed && write_full(s->fd, s->buf, s->n) < 0) {
		LOG_ERR("trace: cannot write the %s %s: %s; nothing more is written to it", s->kind, s->path,
			strerror(errno));
		s->failed = true;
	}
	s->n = 0;
}

static void sink_put(struct sink *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len && !s->failed) {
		size_t k = sizeof(s->buf) - s->n;

		if (k > len)
			k = len;
		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p += k;
		len -= k;
		if (s->n == sizeof(s->buf))
			sink_flush(s);
	}
}

/* The event is complete: hand it to the kernel. */
static void sink_end(struct sink *s)
{
	sink_flush(s);
	if (s->failed)
		s->lost++;
}

static void sink_printf(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sink_printf(struct sink *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		sink_put(s, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void sink_hex(struct sink *s, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	char buf[512];

	while (n) {
		size_t k = n > sizeof(buf) / 2 ? sizeof(buf) / 2 : n;

		for (size_t i = 0; i < k; i++) {
			buf[2 * i] = digits[p[i] >> 4];
			buf[2 * i + 1] = digits[p[i] & 0x0F];
		}
		sink_put(s, buf, 2 * k);
		p += k;
		n -= k;
	}
}

static int sink_open(struct sink *s, const char *path, char *err, size_t err_len)
{
	s->path = strdup(path);
	if (!s->path) {
		snprintf(err, err_len, "%s %s: %s", s->kind, path, eu_strerror(-EU_E_NOMEM));
		return -EU_E_NOMEM;
	}
	s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (s->fd < 0) {
		snprintf(err, err_len, "%s %s: %s", s->kind, path, strerror(errno));
		return -EU_E_IO;
	}
	return 0;
}

static void sink_close(struct sink *s)
{
	if (s->lost)
		LOG_ERR("trace: %lu events were not written to the %s %s", s->lost, s->kind, s->path);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->path);
	s->path = NULL;
}

/* ---- byte layouts -------------------------------------------------------------- */

static void be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v & 0xFFFF);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Copy what fits of n bytes to buf[at..cap); returns the new end as if
 * everything had fitted. */
static size_t put(uint8_t *buf, size_t cap, size_t at, const void *p, size_t n)
{
	if (n && at < cap)
		memcpy(buf + at, p, n < cap - at ? n : cap - at);
	return at + n;
}

static size_t gsmtap_hdr(uint8_t *buf, size_t cap, uint8_t type, uint8_t timeslot, uint32_t seq, uint8_t sub_type)
{
	uint8_t h[GSMTAP_HDR_LEN] = { GSMTAP_VERSION, GSMTAP_HDR_LEN / 4, type, timeslot };

	/* ARFCN, signal, SNR 0; antenna, sub-slot, reserved 0 */
	be32(h + 8, seq);
	h[12] = sub_type;
	return put(buf, cap, 0, h, sizeof(h));
}

size_t sim_gsmtap_apdu(uint8_t *buf, size_t cap, uint32_t seq, const uint8_t *cmd, size_t cmd_len,
		       const uint8_t *rsp, size_t rsp_len)
{
	static const uint8_t p3_zero;
	size_t tpdu_len = cmd_len, at;

	/* The command as T=0 carries it (ISO/IEC 7816-3 §12.2), which is what
	 * gsm_sim expects before the response: case 1 sends P3 = 00, case 4
	 * sends no Le. */
	if (cmd_len > 5 && cmd[4] && cmd_len == 6 + (size_t)cmd[4])
		tpdu_len--;
	at = gsmtap_hdr(buf, cap, GSMTAP_TYPE_SIM, cmd_len ? (uint8_t)sim_trace_channel(cmd[0]) : 0, seq,
			GSMTAP_SIM_APDU);
	at = put(buf, cap, at, cmd, tpdu_len);
	if (cmd_len == 4)
		at = put(buf, cap, at, &p3_zero, 1);
	return put(buf, cap, at, rsp, rsp_len);
}

size_t sim_gsmtap_log(uint8_t *buf, size_t cap, uint32_t seq, const struct timespec *ts, const char *msg)
{
	uint8_t h[GSMTAP_LOG_HDR_LEN] = { 0 };
	size_t at;

	be32(h, (uint32_t)ts->tv_sec);
	be32(h + 4, (uint32_t)(ts->tv_nsec / 1000));
	memcpy(h + 8, "euicc-sim", 9);		/* proc_name */
	be32(h + 24, (uint32_t)getpid());
	h[28] = GSMTAP_LOGL_NOTICE;
	memcpy(h + 32, "card", 4);		/* subsys; no source file */
	at = gsmtap_hdr(buf, cap, GSMTAP_TYPE_OSMOCORE_LOG, 0, seq, 0);
	at = put(buf, cap, at, h, sizeof(h));
	return put(buf, cap, at, msg, strlen(msg) + 1);
}

/* One pcap record: IPv4 + UDP from and to 127.0.0.1:4729 around the
 * GSMTAP message (len bytes, of which the first kept are in msg). */
static void pcap_record(struct sim_trace *t, const struct timespec *ts, size_t len, size_t kept)
{
	uint8_t h[PCAP_REC_HDR_LEN + IPV4_UDP_HDR_LEN] = { 0 };
	uint8_t *ip = h + PCAP_REC_HDR_LEN, *udp = ip + 20;
	size_t orig = IPV4_UDP_HDR_LEN + len, ip_len = orig > 0xFFFF ? 0xFFFF : orig;
	uint32_t sum = 0;

	le32(h, (uint32_t)ts->tv_sec);
	le32(h + 4, (uint32_t)(ts->tv_nsec / 1000));
	le32(h + 8, (uint32_t)(IPV4_UDP_HDR_LEN + kept));
	le32(h + 12, (uint32_t)orig);
	ip[0] = 0x45;				/* IPv4, 5 words */
	be16(ip + 2, (unsigned)ip_len);
	be16(ip + 4, t->seq & 0xFFFF);		/* identification */
	be16(ip + 6, 0x4000);			/* don't fragment */
	ip[8] = 64;				/* TTL */
	ip[9] = 17;				/* UDP */
	be32(ip + 12, 0x7F000001);
	be32(ip + 16, 0x7F000001);
	for (int i = 0; i < 20; i += 2)		/* RFC 791 header checksum */
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	be16(ip + 10, ~sum & 0xFFFF);
	be16(udp, SIM_GSMTAP_PORT);
	be16(udp + 2, SIM_GSMTAP_PORT);
	be16(udp + 4, (unsigned)(ip_len - 20));	/* checksum 0: none (RFC 768) */
	sink_put(&t->pcap, h, sizeof(h));
	sink_put(&t->pcap, t->msg, kept);
}

static void gsmtap_send(struct sim_trace *t, size_t kept)
{
	ssize_t w;

	if (t->gsmtap_fd < 0)
		return;
	w = sendto(t->gsmtap_fd, t->msg, kept, MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&t->gsmtap_addr, t->gsmtap_addr_len);
	if (w == (ssize_t)kept)
		return;
	if (!t->gsmtap_lost)
		LOG_ERR("trace: cannot send GSMTAP to %s: %s; further failures are only counted", t->gsmtap_name,
			w < 0 ? strerror(errno) : "short send");
	t->gsmtap_lost++;
}

/* The GSMTAP message in t->msg (len bytes whole) to the pcap and the feed. */
static void emit_gsmtap(struct sim_trace *t, const struct timespec *ts, size_t len)
{
	size_t kept = len < sizeof(t->msg) ? len : sizeof(t->msg);

	if (sink_begin(&t->pcap)) {
		pcap_record(t, ts, len, kept);
		sink_end(&t->pcap);
	}
	gsmtap_send(t, kept);
}

static void json_start(struct sim_trace *t, const struct timespec *ts)
{
	sink_printf(&t->json, "{\"seq\":%lu,\"t\":%lld.%06ld", (unsigned long)t->seq, (long long)ts->tv_sec,
		    ts->tv_nsec / 1000);
}

/* ---- events -------------------------------------------------------------------- */

void sim_trace_apdu(struct sim_trace *t, const uint8_t *cmd, size_t cmd_len,
		    const uint8_t *rsp, size_t rsp_len, const char *name)
{
	char ins_buf[16], result_buf[64], esc[256];
	unsigned ch = cmd_len ? sim_trace_channel(cmd[0]) : 0;
	struct timespec ts;

	if (!t)
		return;
	t->seq++;
	t->now(&ts);
	emit_gsmtap(t, &ts, sim_gsmtap_apdu(t->msg, sizeof(t->msg), t->seq, cmd, cmd_len, rsp, rsp_len));
	if (!sink_begin(&t->json))
		return;
	sim_trace_json_escape(command_name(cmd, cmd_len, name, ins_buf, sizeof(ins_buf)), esc, sizeof(esc));
	json_start(t, &ts);
	sink_printf(&t->json, ",\"dir\":\"cmd\",\"ch\":%u,\"name\":\"%s\",\"hex\":\"", ch, esc);
	sink_hex(&t->json, cmd, cmd_len);
	sink_printf(&t->json, "\"}\n");
	json_start(t, &ts);
	sink_printf(&t->json, ",\"dir\":\"rsp\",\"ch\":%u,\"name\":\"%s\",\"hex\":\"", ch, esc);
	sink_hex(&t->json, rsp, rsp_len);
	if (rsp_len >= 2) {
		unsigned sw = (unsigned)rsp[rsp_len - 2] << 8 | rsp[rsp_len - 1];

		sink_printf(&t->json, "\",\"sw\":\"%04X\",\"result\":\"%s", sw,
			    sw_result(sw, result_buf, sizeof(result_buf)));
	}
	sink_printf(&t->json, "\"}\n");
	sink_end(&t->json);
}

void sim_trace_power(struct sim_trace *t, enum sim_trace_event ev, const uint8_t *atr, size_t atr_len)
{
	char msg[16 + 2 * 33];
	struct timespec ts;
	size_t n;

	if (!t || (unsigned)ev >= ARRAY_SIZE(events))
		return;
	t->seq++;
	t->now(&ts);
	n = (size_t)snprintf(msg, sizeof(msg), "%s", events[ev].text);
	for (size_t i = 0; ev == SIM_TRACE_ATR && i < atr_len && n + 3 <= sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%02X", atr[i]);
	emit_gsmtap(t, &ts, sim_gsmtap_log(t->msg, sizeof(t->msg), t->seq, &ts, msg));
	if (!sink_begin(&t->json))
		return;
	json_start(t, &ts);
	sink_printf(&t->json, ",\"event\":\"%s\"", events[ev].json);
	if (ev == SIM_TRACE_ATR) {
		sink_printf(&t->json, ",\"hex\":\"");
		sink_hex(&t->json, atr, atr_len);
		sink_printf(&t->json, "\"");
	}
	sink_printf(&t->json, "}\n");
	sink_end(&t->json);
}

unsigned long sim_trace_errors(const struct sim_trace *t)
{
	return t ? t->pcap.lost + t->json.lost + t->gsmtap_lost : 0;
}

/* ---- set-up ---------------------------------------------------------------------- */

static void clock_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

void sim_trace_set_clock(struct sim_trace *t, void (*now)(struct timespec *ts))
{
	if (t)
		t->now = now ? now : clock_now;
}

static bool given(const char *s)
{
	return s && *s;
}

static int pcap_open(struct sim_trace *t, const char *path, char *err, size_t err_len)
{
	uint8_t h[24] = { 0 };

	TRY(sink_open(&t->pcap, path, err, err_len));
	le32(h, PCAP_MAGIC);
	h[4] = 2;		/* version 2.4 */
	h[6] = 4;
	/* thiszone, sigfigs 0 */
	le32(h + 16, PCAP_SNAPLEN);
	le32(h + 20, LINKTYPE_RAW);
	if (write_full(t->pcap.fd, h, sizeof(h)) < 0) {
		snprintf(err, err_len, "pcap %s: %s", path, strerror(errno));
		return -EU_E_IO;
	}
	return 0;
}

static int gsmtap_open(struct sim_trace *t, const char *host, uint16_t port, char *err, size_t err_len)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *res = NULL;
	char service[8];
	int rc;

	if (!port)
		port = SIM_GSMTAP_PORT;
	snprintf(t->gsmtap_name, sizeof(t->gsmtap_name), "%s port %u", host, port);
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc) {
		snprintf(err, err_len, "gsmtap %s: %s", t->gsmtap_name, gai_strerror(rc));
		return -EU_E_CONFIG;
	}
	/* Unconnected, so that no ICMP error from an absent listener comes
	 * back as a send error: GSMTAP is sent whether anyone listens or not. */
	t->gsmtap_fd = socket(res->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->gsmtap_fd < 0) {
		snprintf(err, err_len, "gsmtap %s: %s", t->gsmtap_name, strerror(errno));
		freeaddrinfo(res);
		return -EU_E_IO;
	}
	memcpy(&t->gsmtap_addr, res->ai_addr, res->ai_addrlen);
	t->gsmtap_addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int sim_trace_open(const struct sim_trace_opts *o, struct sim_trace **out, char *err, size_t err_len)
{
	struct sim_trace *t;
	int rc;

	*out = NULL;
	if (!given(o->pcap) && !given(o->json) && !given(o->gsmtap_host))
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, err_len, "trace: %s", eu_strerror(-EU_E_NOMEM));
		return -EU_E_NOMEM;
	}
	t->pcap.fd = t->json.fd = t->gsmtap_fd = -1;
	t->pcap.kind = "pcap";
	t->json.kind = "JSON trace";
	t->now = clock_now;
	rc = given(o->pcap) ? pcap_open(t, o->pcap, err, err_len) : 0;
	if (rc == 0 && given(o->json))
		rc = sink_open(&t->json, o->json, err, err_len);
	if (rc == 0 && given(o->gsmtap_host))
		rc = gsmtap_open(t, o->gsmtap_host, o->gsmtap_port, err, err_len);
	if (rc < 0) {
		sim_trace_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

void sim_trace_close(struct sim_trace *t)
{
	if (!t)
		return;
	sink_close(&t->pcap);
	sink_close(&t->json);
	if (t->gsmtap_lost)
		LOG_ERR("trace: %lu events were not sent to GSMTAP %s", t->gsmtap_lost, t->gsmtap_name);
	if (t->gsmtap_fd >= 0)
		close(t->gsmtap_fd);
	free(t);
}
