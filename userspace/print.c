// SPDX-License-Identifier: GPL-2.0
/* Text/JSON printer: see print.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"

#define MAX_DEPTH 16

static bool json;
static int depth;
/* Whether the container at each depth already holds a value. */
static bool has_value[MAX_DEPTH];

void print_set_json(bool on)
{
	json = on;
}

bool print_is_json(void)
{
	return json;
}

/*
 * JSON is built in a buffer of our own and handed to stdio once per closed
 * object or array: monitor -j prints some twenty values per bind event, and
 * under a bind storm formatting them through printf and stdio, a call per
 * value, was most of the monitor's work (callgrind: ~27,000 instructions an
 * event, 45% of them in print_uint's printf alone).
 */
static char jbuf[8192];
static size_t jlen;

static void json_flush(void)
{
	fwrite_unlocked(jbuf, 1, jlen, stdout);
	jlen = 0;
}

static void put_mem(const char *s, size_t n)
{
	if (jlen + n > sizeof(jbuf)) {
		json_flush();
		if (n > sizeof(jbuf)) {
			fwrite_unlocked(s, 1, n, stdout);
			return;
		}
	}
	memcpy(jbuf + jlen, s, n);
	jlen += n;
}

static void put_c(char c)
{
	put_mem(&c, 1);
}

static void put_str(const char *s)
{
	put_mem(s, strlen(s));
}

char *print_utoa(char *end, uint64_t v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

static void put_u64(uint64_t v)
{
	char buf[20], *p = print_utoa(buf + sizeof(buf), v);

	put_mem(p, buf + sizeof(buf) - p);
}

static bool json_plain(unsigned char c)
{
	return c != '"' && c != '\\' && c >= 0x20 && c != 0x7f;
}

/* Runs of plain bytes in one write; the rest escaped. */
static void json_escaped(const char *s)
{
	const char *run;

	put_c('"');
	while (*s) {
		for (run = s; *s && json_plain(*s); s++)
			;
		put_mem(run, s - run);
		if (!*s)
			break;
		if (*s == '"' || *s == '\\') {
			put_c('\\');
			put_c(*s);
		} else {
			char u[7];

			snprintf(u, sizeof(u), "\\u%04x", (unsigned char)*s);
			put_mem(u, 6);
		}
		s++;
	}
	put_c('"');
}

/* Comma and key before a JSON value. */
static void json_key(const char *key)
{
	if (depth > 0 && has_value[depth - 1])
		put_c(',');
	if (depth > 0)
		has_value[depth - 1] = true;
	if (key) {	/* keys are the program's own identifiers: nothing to escape */
		put_c('"');
		put_str(key);
		put_mem("\":", 2);
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	put_c(c);
	if (depth < MAX_DEPTH)
		has_value[depth] = false;
	depth++;
}

static void json_close(char c)
{
	put_c(c);
	if (depth > 0)
		depth--;
	json_flush();
}

void print_open_object(const char *key)
{
	if (json)
		json_open(key, '{');
}

void print_close_object(void)
{
	if (json)
		json_close('}');
}

void print_open_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

void print_close_array(void)
{
	if (json)
		json_close(']');
}

void print_string(const char *key, const char *fmt, const char *val)
{
	if (json) {
		json_key(key);
		json_escaped(val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void print_uint(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		json_key(key);
		put_u64(val);
	} else if (fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void print_int(const char *key, const char *fmt, int64_t val)
{
	if (json) {
		json_key(key);
		if (val < 0)
			put_c('-');
		put_u64(val < 0 ? -(uint64_t)val : (uint64_t)val);
	} else if (fmt) {
		printf(fmt, (long long)val);
	}
}

void print_bool(const char *key, const char *fmt, bool val)
{
	if (json) {
		json_key(key);
		put_str(val ? "true" : "false");
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void print_null(const char *key, const char *fmt)
{
	if (json) {
		json_key(key);
		put_str("null");
	} else if (fmt) {
		fputs(fmt, stdout);
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_time_text(uint64_t ns)
{
	time_t s = ns / 1000000000ull;
	struct tm tm;
	char buf[32];

	if (json)
		return;
	localtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	printf("%s.%06llu ", buf, (unsigned long long)(ns % 1000000000ull) / 1000);
}

void print_end_buffered(void)
{
	if (json && depth == 0) {
		put_c('\n');
		json_flush();
	}
}

void print_end(void)
{
	print_end_buffered();
	fflush(stdout);
}
