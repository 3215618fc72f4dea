#include "sim/log.h"
#include "sim/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int sim_log_level;
uint64_t sim_crypto_ns;
static void (*sink)(void *arg, const char *line);
static void *sink_arg;

void sim_log_set_sink(void (*fn)(void *arg, const char *line), void *arg)
{
	sink = fn;
	sink_arg = arg;
}

uint64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *eu_strerror(int rc)
{
	switch (rc < 0 ? -rc : rc) {
	case EU_OK:
		return "success";
#define EU_CASE(name, val, str) case val: return str;
	EU_ERRORS(EU_CASE)
#undef EU_CASE
	}
	return "unknown error";
}

void sim_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > sim_log_level)
		return;
	va_start(ap, fmt);
	if (sink) {
		char line[1024];

		vsnprintf(line, sizeof(line), fmt, ap);
		sink(sink_arg, line);
	} else {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

void sim_log_hex(int level, const char *prefix, const uint8_t *buf, size_t len)
{
	if (level > sim_log_level)
		return;
	fputs(prefix, stderr);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02X", buf[i]);
	fputc('\n', stderr);
}
