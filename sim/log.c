#include "sim/log.h"
#include "sim/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int sim_log_level;
uint64_t sim_crypto_ns;

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
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
