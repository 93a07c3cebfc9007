// SPDX-License-Identifier: GPL-2.0
/* Text/JSON printer: see print.h. */
#include <stdarg.h>
#include <stdio.h>

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

static void json_escaped(const char *s)
{
	const char *end;

	/* most strings need no escape: one write, not one locked putchar a byte */
	for (end = s; *end && *end != '"' && *end != '\\' && (unsigned char)*end >= 0x20 &&
	     *end != 0x7f; end++)
		;
	if (!*end) {
		putchar('"');
		fwrite_unlocked(s, 1, end - s, stdout);
		putchar('"');
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Comma and key before a JSON value. */
static void json_key(const char *key)
{
	if (depth > 0 && has_value[depth - 1])
		putchar(',');
	if (depth > 0)
		has_value[depth - 1] = true;
	if (key) {
		json_escaped(key);
		putchar(':');
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	putchar(c);
	if (depth < MAX_DEPTH)
		has_value[depth] = false;
	depth++;
}

static void json_close(char c)
{
	putchar(c);
	if (depth > 0)
		depth--;
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
		printf("%llu", (unsigned long long)val);
	} else if (fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void print_int(const char *key, const char *fmt, int64_t val)
{
	if (json) {
		json_key(key);
		printf("%lld", (long long)val);
	} else if (fmt) {
		printf(fmt, (long long)val);
	}
}

void print_bool(const char *key, const char *fmt, bool val)
{
	if (json) {
		json_key(key);
		fputs(val ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void print_null(const char *key, const char *fmt)
{
	if (json) {
		json_key(key);
		fputs("null", stdout);
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

void print_end_buffered(void)
{
	if (json && depth == 0)
		putchar('\n');
}

void print_end(void)
{
	print_end_buffered();
	fflush(stdout);
}
