/* The APDU trace writers (sim/host/trace.c): pcap global and record
 * headers, GSMTAP header fields, JSON lines and escaping, the live feed,
 * and write errors that are reported once and never reach the card. */
#include "tests/unit/helpers.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/host/trace.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s", t_mkdtemp());
}

static void teardown(void)
{
	t_rmrf(dir);
}

/* 2024-06-10 06:13:20.123456789 UTC */
static void fixed_clock(struct timespec *ts)
{
	ts->tv_sec = 1718000000;
	ts->tv_nsec = 123456789;
}

static uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned rd_be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)rd_be16(p) << 16 | rd_be16(p + 2);
}

START_TEST(channel_from_cla)
{
	static const struct {
		uint8_t cla;
		unsigned ch;
	} v[] = {
		{ 0x00, 0 }, { 0x01, 1 }, { 0x03, 3 }, { 0x80, 0 }, { 0x81, 1 }, { 0x83, 3 },
		{ 0x10, 0 },	/* chaining bit */
		{ 0x0C, 0 },	/* secure messaging bits */
		{ 0xA0, 0 },	/* GSM class */
		{ 0x40, 4 }, { 0x41, 5 }, { 0x4F, 19 }, { 0x60, 4 }, { 0x7F, 19 },
		{ 0xC0, 4 }, { 0xC3, 7 }, { 0xCF, 19 }, { 0xE5, 9 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		ck_assert_msg(sim_trace_channel(v[i].cla) == v[i].ch, "CLA %02X: channel %u, want %u", v[i].cla,
			      sim_trace_channel(v[i].cla), v[i].ch);
}
END_TEST

START_TEST(instruction_names)
{
	ck_assert_str_eq(sim_trace_ins_name(0xA4), "SELECT");
	ck_assert_str_eq(sim_trace_ins_name(0xE2), "STORE DATA");
	ck_assert_str_eq(sim_trace_ins_name(0xC0), "GET RESPONSE");
	ck_assert_str_eq(sim_trace_ins_name(0x70), "MANAGE CHANNEL");
	ck_assert_str_eq(sim_trace_ins_name(0xB0), "READ BINARY");
	ck_assert_str_eq(sim_trace_ins_name(0xB2), "READ RECORD");
	ck_assert_str_eq(sim_trace_ins_name(0xF2), "STATUS");
	ck_assert_str_eq(sim_trace_ins_name(0xAA), "TERMINAL CAPABILITY");
	ck_assert_ptr_null(sim_trace_ins_name(0xFF));
}
END_TEST

START_TEST(gsmtap_header_fields)
{
	uint8_t cmd[64], rsp[32], buf[128];
	size_t cl = t_unhex("81E2910003BF2E00", cmd, sizeof(cmd));
	size_t rl = t_unhex("6114", rsp, sizeof(rsp));
	size_t n = sim_gsmtap_apdu(buf, sizeof(buf), 0x01020304, cmd, cl, rsp, rl);
	char hex[300];

	ck_assert_uint_eq(n, 16 + cl + rl);
	ck_assert_uint_eq(buf[0], 2);		/* version */
	ck_assert_uint_eq(buf[1], 4);		/* header length in 32-bit words */
	ck_assert_uint_eq(buf[2], 0x04);	/* type SIM */
	ck_assert_uint_eq(buf[3], 1);		/* timeslot: the logical channel */
	ck_assert_uint_eq(rd_be16(buf + 4), 0);	/* ARFCN */
	ck_assert_uint_eq(buf[6], 0);
	ck_assert_uint_eq(buf[7], 0);
	ck_assert_uint_eq(rd_be32(buf + 8), 0x01020304);	/* frame number: the event */
	ck_assert_uint_eq(buf[12], 0x00);	/* sub-type APDU */
	ck_assert_uint_eq(buf[13] | buf[14] | buf[15], 0);
	t_hex(buf + 16, n - 16, hex);
	ck_assert_str_eq(hex, "81E2910003BF2E006114");

	/* case 4: the T=0 TPDU has no Le */
	cl = t_unhex("00A40004023F0000", cmd, sizeof(cmd));
	rl = t_unhex("9000", rsp, sizeof(rsp));
	n = sim_gsmtap_apdu(buf, sizeof(buf), 1, cmd, cl, rsp, rl);
	t_hex(buf + 16, n - 16, hex);
	ck_assert_str_eq(hex, "00A40004023F009000");
	/* case 1 in four bytes: P3 = 00 */
	cl = t_unhex("00700000", cmd, sizeof(cmd));
	rl = t_unhex("6101", rsp, sizeof(rsp));
	n = sim_gsmtap_apdu(buf, sizeof(buf), 1, cmd, cl, rsp, rl);
	t_hex(buf + 16, n - 16, hex);
	ck_assert_str_eq(hex, "00700000006101");
	/* case 2 and the extended channels */
	cl = t_unhex("4FB000000A", cmd, sizeof(cmd));
	rl = t_unhex("000102030405060708099000", rsp, sizeof(rsp));
	n = sim_gsmtap_apdu(buf, sizeof(buf), 1, cmd, cl, rsp, rl);
	ck_assert_uint_eq(buf[3], 19);
	t_hex(buf + 16, n - 16, hex);
	ck_assert_str_eq(hex, "4FB000000A000102030405060708099000");
	/* what does not fit is cut; the length says what it would be */
	ck_assert_uint_eq(sim_gsmtap_apdu(buf, 20, 1, cmd, cl, rsp, rl), n);
	ck_assert_uint_eq(rd_be32(buf + 8), 1);
	ck_assert_uint_eq(buf[19], 0x00);
}
END_TEST

START_TEST(gsmtap_log_fields)
{
	struct timespec ts;
	uint8_t buf[200];
	size_t n;

	fixed_clock(&ts);
	n = sim_gsmtap_log(buf, sizeof(buf), 7, &ts, "power on");
	ck_assert_uint_eq(n, 16 + 84 + 9);
	ck_assert_uint_eq(buf[0], 2);
	ck_assert_uint_eq(buf[1], 4);
	ck_assert_uint_eq(buf[2], 0x10);	/* libosmocore log */
	ck_assert_uint_eq(rd_be32(buf + 8), 7);
	ck_assert_uint_eq(rd_be32(buf + 16), 1718000000);	/* seconds */
	ck_assert_uint_eq(rd_be32(buf + 20), 123456);		/* microseconds */
	ck_assert_str_eq((const char *)buf + 24, "euicc-sim");	/* process */
	ck_assert_uint_eq(rd_be32(buf + 40), (uint32_t)getpid());
	ck_assert_uint_eq(buf[44], 5);				/* NOTICE */
	ck_assert_str_eq((const char *)buf + 48, "card");	/* subsystem */
	ck_assert_str_eq((const char *)buf + 100, "power on");	/* the line, with its 0 */
}
END_TEST

/* Two APDUs and the power events around them, to a pcap and a JSON file. */
static struct sim_trace *open_files(const char *pcap, const char *json)
{
	const struct sim_trace_opts o = { .pcap = pcap, .json = json };
	struct sim_trace *t = NULL;
	char err[256];

	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(t);
	sim_trace_set_clock(t, fixed_clock);
	return t;
}

static void some_events(struct sim_trace *t)
{
	uint8_t cmd[64], rsp[64], atr[32];
	size_t cl, rl, al = t_unhex("3B9E96008031E073FE211F66764555494343", atr, sizeof(atr));

	sim_trace_power(t, SIM_TRACE_POWER_ON, NULL, 0);
	sim_trace_power(t, SIM_TRACE_ATR, atr, al);
	cl = t_unhex("01A4040010A0000005591010FFFFFFFF8900000100", cmd, sizeof(cmd));
	rl = t_unhex("611A", rsp, sizeof(rsp));
	sim_trace_apdu(t, cmd, cl, rsp, rl, NULL);
	cl = t_unhex("81E2910003BF2200", cmd, sizeof(cmd));
	rl = t_unhex("6A88", rsp, sizeof(rsp));
	sim_trace_apdu(t, cmd, cl, rsp, rl, "ES10b.GetEUICCInfo2 \"quoted\"");
	sim_trace_power(t, SIM_TRACE_REMOVED, NULL, 0);
}

START_TEST(pcap_headers)
{
	char path[128];
	static uint8_t buf[4096], msg[512];
	uint8_t cmd[64], rsp[8];
	size_t n, at, len, cl, rl;
	struct sim_trace *t;
	uint32_t sum = 0;

	snprintf(path, sizeof(path), "%s/x.pcap", dir);
	t = open_files(path, NULL);
	/* only the global header until the first event */
	ck_assert_uint_eq(t_slurp(path, buf, sizeof(buf)), 24);
	some_events(t);
	/* flushed per event: complete before close */
	n = t_slurp(path, buf, sizeof(buf));
	sim_trace_close(t);
	ck_assert_uint_eq(t_slurp(path, buf, sizeof(buf)), n);

	ck_assert_uint_eq(rd_le32(buf), 0xA1B2C3D4);	/* microsecond pcap */
	ck_assert_uint_eq(buf[4] | buf[5] << 8, 2);	/* version 2.4 */
	ck_assert_uint_eq(buf[6] | buf[7] << 8, 4);
	ck_assert_uint_eq(rd_le32(buf + 8), 0);		/* thiszone */
	ck_assert_uint_eq(rd_le32(buf + 12), 0);	/* sigfigs */
	ck_assert_uint_eq(rd_le32(buf + 16), 65535);	/* snaplen */
	ck_assert_uint_eq(rd_le32(buf + 20), 101);	/* LINKTYPE_RAW */

	/* five records: power on, ATR, two APDUs, removed */
	at = 24;
	for (int rec = 0; rec < 5; rec++) {
		const uint8_t *ip;

		ck_assert_uint_le(at + 16, n);
		ck_assert_uint_eq(rd_le32(buf + at), 1718000000);
		ck_assert_uint_eq(rd_le32(buf + at + 4), 123456);
		len = rd_le32(buf + at + 8);
		ck_assert_uint_eq(rd_le32(buf + at + 12), len);	/* nothing cut */
		ip = buf + at + 16;
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(rd_be16(ip + 2), len);
		ck_assert_uint_eq(ip[9], 17);
		ck_assert_uint_eq(rd_be32(ip + 12), 0x7F000001);
		ck_assert_uint_eq(rd_be32(ip + 16), 0x7F000001);
		sum = 0;
		for (int i = 0; i < 20; i += 2)
			sum += rd_be16(ip + i);
		while (sum >> 16)
			sum = (sum & 0xFFFF) + (sum >> 16);
		ck_assert_uint_eq(sum, 0xFFFF);		/* header checksum */
		ck_assert_uint_eq(rd_be16(ip + 22), 4729);	/* UDP destination */
		ck_assert_uint_eq(rd_be16(ip + 24), len - 20);
		ck_assert_uint_eq(ip[28], 2);		/* GSMTAP v2 */
		ck_assert_uint_eq(rd_be32(ip + 28 + 8), (uint32_t)rec + 1);	/* event number */
		ck_assert_uint_eq(ip[28 + 2], rec == 2 || rec == 3 ? 0x04 : 0x10);
		if (rec == 3) {
			cl = t_unhex("81E2910003BF2200", cmd, sizeof(cmd));
			rl = t_unhex("6A88", rsp, sizeof(rsp));
			ck_assert_uint_eq(sim_gsmtap_apdu(msg, sizeof(msg), 4, cmd, cl, rsp, rl), len - 28);
			ck_assert_mem_eq(ip + 28, msg, len - 28);
		}
		if (rec == 1)
			ck_assert_str_eq((const char *)ip + 28 + 100, "ATR 3B9E96008031E073FE211F66764555494343");
		at += 16 + len;
	}
	ck_assert_uint_eq(at, n);
}
END_TEST

START_TEST(json_lines)
{
	static const char want[] =
		"{\"seq\":1,\"t\":1718000000.123456,\"event\":\"power-on\"}\n"
		"{\"seq\":2,\"t\":1718000000.123456,\"event\":\"atr\",\"hex\":\"3B9E96008031E073FE211F66764555494343\"}\n"
		"{\"seq\":3,\"t\":1718000000.123456,\"dir\":\"cmd\",\"ch\":1,\"name\":\"SELECT\","
		"\"hex\":\"01A4040010A0000005591010FFFFFFFF8900000100\"}\n"
		"{\"seq\":3,\"t\":1718000000.123456,\"dir\":\"rsp\",\"ch\":1,\"name\":\"SELECT\",\"hex\":\"611A\","
		"\"sw\":\"611A\",\"result\":\"26 bytes available\"}\n"
		"{\"seq\":4,\"t\":1718000000.123456,\"dir\":\"cmd\",\"ch\":1,"
		"\"name\":\"ES10b.GetEUICCInfo2 \\\"quoted\\\"\",\"hex\":\"81E2910003BF2200\"}\n"
		"{\"seq\":4,\"t\":1718000000.123456,\"dir\":\"rsp\",\"ch\":1,"
		"\"name\":\"ES10b.GetEUICCInfo2 \\\"quoted\\\"\",\"hex\":\"6A88\","
		"\"sw\":\"6A88\",\"result\":\"referenced data or reference data not found\"}\n"
		"{\"seq\":5,\"t\":1718000000.123456,\"event\":\"removed\"}\n";
	char path[128], got[2048];
	struct sim_trace *t;
	size_t n;

	snprintf(path, sizeof(path), "%s/x.json", dir);
	t = open_files(NULL, path);
	some_events(t);
	n = t_slurp(path, (uint8_t *)got, sizeof(got) - 1);
	got[n] = 0;
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(sim_trace_errors(t), 0);
	sim_trace_close(t);
}
END_TEST

START_TEST(json_escaping)
{
	char out[64];

	ck_assert_uint_eq(sim_trace_json_escape("plain ES10b.X", out, sizeof(out)), 13);
	ck_assert_str_eq(out, "plain ES10b.X");
	sim_trace_json_escape("a\"b\\c", out, sizeof(out));
	ck_assert_str_eq(out, "a\\\"b\\\\c");
	sim_trace_json_escape("\n\t\x01\x1f", out, sizeof(out));
	ck_assert_str_eq(out, "\\u000a\\u0009\\u0001\\u001f");
	sim_trace_json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb6", out, sizeof(out));
	ck_assert_str_eq(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb6");	/* UTF-8 stays */
	/* not UTF-8: a stray byte, an overlong form, a surrogate, a cut sequence */
	sim_trace_json_escape("\xff|\xc0\x80|\xed\xa0\x80|\xe2\x82", out, sizeof(out));
	ck_assert_str_eq(out, "\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd");
	/* a small buffer gets whole escapes only, and the length needed */
	ck_assert_uint_eq(sim_trace_json_escape("ab\"cd", out, 4), 6);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(sim_trace_json_escape("abc", out, 1), 3);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(gsmtap_live)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct sim_trace_opts o = { .gsmtap_host = "127.0.0.1" };
	struct sim_trace *t = NULL;
	uint8_t cmd[8], rsp[8], want[64], got[256];
	size_t cl = t_unhex("80F2000C", cmd, sizeof(cmd)), rl = t_unhex("9000", rsp, sizeof(rsp));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char err[256];
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	o.gsmtap_port = ntohs(a.sin_port);
	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), 0);
	sim_trace_apdu(t, cmd, cl, rsp, rl, NULL);
	n = recv(fd, got, sizeof(got), 0);
	ck_assert_int_eq(n, (ssize_t)sim_gsmtap_apdu(want, sizeof(want), 1, cmd, cl, rsp, rl));
	ck_assert_mem_eq(got, want, (size_t)n);
	ck_assert_uint_eq(sim_trace_errors(t), 0);
	sim_trace_close(t);
	close(fd);
}
END_TEST

START_TEST(nothing_asked_nothing_opened)
{
	const struct sim_trace_opts o = { .pcap = "", .json = NULL };
	struct sim_trace *t = (struct sim_trace *)&o;
	char err[16];

	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), 0);
	ck_assert_ptr_null(t);
	/* every call takes the absent trace */
	sim_trace_apdu(NULL, (const uint8_t *)"\x00\xA4", 2, (const uint8_t *)"\x90\x00", 2, NULL);
	sim_trace_power(NULL, SIM_TRACE_RESET, NULL, 0);
	ck_assert_uint_eq(sim_trace_errors(NULL), 0);
	sim_trace_close(NULL);
}
END_TEST

START_TEST(open_errors)
{
	struct sim_trace_opts o = { .json = "/nonexistent-dir/x.json" };
	struct sim_trace *t = NULL;
	char err[256];

	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), -EU_E_IO);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.json"));
	/* the pcap header cannot be written */
	o = (struct sim_trace_opts){ .pcap = "/dev/full" };
	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), -EU_E_IO);
	ck_assert_ptr_nonnull(strstr(err, "/dev/full"));
	o = (struct sim_trace_opts){ .gsmtap_host = "no-such-host.invalid" };
	ck_assert_int_lt(sim_trace_open(&o, &t, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "no-such-host.invalid"));
	ck_assert_ptr_null(t);
}
END_TEST

/* Lines of path that contain s. */
static int count_lines(const char *path, const char *s)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

/* The pcap goes into a pipe whose reader goes away (EPIPE), the JSON to
 * /dev/full (ENOSPC), GSMTAP to a broadcast address without SO_BROADCAST
 * (EACCES): each writer says so once on stderr and then only counts, and
 * the card answers as it does untraced. */
START_TEST(write_errors_reported_once_card_undisturbed)
{
	static const char *const apdus[] = {
		"0070000001", "01A4040010A0000005591010FFFFFFFF8900000100", "81E2910006BF3E035C015A00",
		"00A40004023F0000", "00FF000000",
	};
	struct sim_card *traced = t_card_new(NULL), *plain = t_card_new(NULL);
	struct sim_trace_opts o = { .json = "/dev/full", .gsmtap_host = "255.255.255.255" };
	char pcap[64], log[128], err[256];
	struct sim_trace *t = NULL;
	int pipefd[2], saved;
	uint8_t head[24];

	signal(SIGPIPE, SIG_IGN);	/* as the card's main() does */
	ck_assert_int_eq(pipe(pipefd), 0);
	snprintf(pcap, sizeof(pcap), "/proc/self/fd/%d", pipefd[1]);
	o.pcap = pcap;
	ck_assert_int_eq(sim_trace_open(&o, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(read(pipefd[0], head, sizeof(head)), (ssize_t)sizeof(head));
	close(pipefd[0]);
	close(pipefd[1]);

	snprintf(log, sizeof(log), "%s/stderr", dir);
	saved = dup(2);
	ck_assert_int_eq(dup2(open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600), 2), 2);
	sim_trace_power(t, SIM_TRACE_POWER_ON, NULL, 0);
	for (size_t i = 0; i < ARRAY_SIZE(apdus); i++) {
		uint8_t cmd[64], rsp[SIM_RSP_MAX], rsp2[SIM_RSP_MAX];
		size_t cl = t_unhex(apdus[i], cmd, sizeof(cmd));
		size_t rl = sim_transact(traced, cmd, cl, rsp);

		sim_trace_apdu(t, cmd, cl, rsp, rl, NULL);
		ck_assert_uint_eq(sim_transact(plain, cmd, cl, rsp2), rl);
		ck_assert_mem_eq(rsp, rsp2, rl);
		ck_assert_uint_eq(sim_trace_errors(t), 3 * (i + 2));
	}
	/* the card still serves: ES10c.GetEID on the channel it opened */
	ck_assert_str_eq(t_es10(traced, 1, "BF3E035C015A", 120), "BF3E125A10" EID_HEX "9000");
	sim_trace_close(t);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	ck_assert_int_eq(count_lines(log, "cannot write the pcap /proc/self/fd/"), 1);
	ck_assert_int_eq(count_lines(log, "cannot write the JSON trace /dev/full"), 1);
	ck_assert_int_eq(count_lines(log, "cannot send GSMTAP to 255.255.255.255"), 1);
	/* and at the end, how much was lost */
	ck_assert_int_eq(count_lines(log, "6 events were not written to the pcap"), 1);
	ck_assert_int_eq(count_lines(log, "6 events were not written to the JSON trace"), 1);
	ck_assert_int_eq(count_lines(log, "6 events were not sent to GSMTAP"), 1);
	sim_card_free(traced);
	sim_card_free(plain);
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, channel_from_cla);
	tcase_add_test(tc, instruction_names);
	tcase_add_test(tc, gsmtap_header_fields);
	tcase_add_test(tc, gsmtap_log_fields);
	tcase_add_test(tc, pcap_headers);
	tcase_add_test(tc, json_lines);
	tcase_add_test(tc, json_escaping);
	tcase_add_test(tc, gsmtap_live);
	tcase_add_test(tc, nothing_asked_nothing_opened);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, write_errors_reported_once_card_undisturbed);
	suite_add_tcase(s, tc);
	return s;
}
