/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One set of print calls for text and JSON, in the manner of iproute2's
 * json_print: every field is printed once, with a JSON key and a text
 * format, so the two outputs can never disagree. A NULL format prints the
 * field in JSON only; print_text() prints in text mode only.
 */
#ifndef KNETMON_PRINT_H
#define KNETMON_PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_set_json(bool json);
bool print_is_json(void);

void print_open_object(const char *key);
void print_close_object(void);
void print_open_array(const char *key);
void print_close_array(void);

void print_string(const char *key, const char *fmt, const char *val);
void print_uint(const char *key, const char *fmt, uint64_t val);
void print_int(const char *key, const char *fmt, int64_t val);
void print_bool(const char *key, const char *fmt, bool val);
void print_null(const char *key, const char *fmt);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text only: CLOCK_REALTIME NS as local "HH:MM:SS.uuuuuu ". */
void print_time_text(uint64_t ns);

/* Decimal digits of V, without printf, ending just before END (20 bytes
 * suffice); returns where they start. */
char *print_utoa(char *end, uint64_t v);

/* Ends a top-level JSON value with a newline and flushes stdout. */
void print_end(void);
/* The same, leaving the output in stdout's buffer. */
void print_end_buffered(void);

#endif
