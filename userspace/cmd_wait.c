// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon wait: exit as soon as a matching socket is bound (or listening).
 * It subscribes first and dumps the live table second, so a socket bound
 * before it started matches as well as one bound while it waits, with no
 * window in between.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "bind_record.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"

struct wait_match {
	int port;		/* -1: any */
	int protocol;		/* -1: any */
	int family;		/* 0: any address */
	uint8_t addr[16];
	const char *comm;
	bool listen;
	bool found;
	uint64_t last_seq;
	bool gap;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon wait [ --port PORT ] [ --proto { tcp | udp } ] [ --addr ADDRESS ]\n"
		   "                    [ --comm NAME ] [ --listen ] [ --timeout SECONDS ] [ -j ]\n"
		   "Wait until a socket matching every given condition is bound (with\n"
		   "--listen: listening), including one bound before wait started, and\n"
		   "print it. Exit status: 0 matched, 1 timed out, 2 error. Needs CAP_NET_ADMIN.\n");
}

static bool wait_matches(const struct wait_match *w, const struct kn_bind *b)
{
	/* wait is about ports: unix sockets never match */
	if (b->result || b->family == AF_UNIX)
		return false;
	if (w->port >= 0 && b->port != w->port)
		return false;
	if (w->protocol >= 0 && b->protocol != w->protocol)
		return false;
	if (w->family && (b->family != w->family ||
			  memcmp(b->addr, w->addr, w->family == AF_INET6 ? 16 : 4)))
		return false;
	if (w->comm && strcmp(w->comm, b->comm))
		return false;
	if (w->listen && b->state != 10 /* TCP_LISTEN */)
		return false;
	return true;
}

static int wait_found(struct wait_match *w, const struct kn_bind *b, int how)
{
	w->found = true;
	kn_bind_print(b, how);
	print_end();
	return 1;	/* stops the dump or the stream */
}

static int wait_entry(const struct kn_bind *b, void *arg)
{
	struct wait_match *w = arg;

	return wait_matches(w, b) ? wait_found(w, b, 0) : 0;
}

static int wait_event(const struct kn_bind *b, void *arg)
{
	struct wait_match *w = arg;

	if (w->last_seq && b->seq > w->last_seq + 1)
		w->gap = true;
	w->last_seq = b->seq;
	if (b->kind == KNETMON_BIND_KIND_RELEASE)
		return 0;
	return wait_matches(w, b) ? wait_found(w, b, KN_BIND_PRINT_EVENT) : 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* The live table, through its own socket; 1 when it holds a match. */
static int wait_dump(struct wait_match *w)
{
	struct kn_nl nl;
	int err;

	err = kn_open(&nl);
	if (err)
		return err;
	err = kn_binds_dump(&nl, NULL, wait_entry, w, NULL);
	kn_close(&nl);
	return w->found ? 1 : err;
}

static int parse_args(int argc, char **argv, struct wait_match *w, double *timeout)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "proto", required_argument, NULL, 'P' },
		{ "addr", required_argument, NULL, 'a' },
		{ "comm", required_argument, NULL, 'c' },
		{ "listen", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "jlh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 65535) {
				fprintf(stderr, "knetmon: bad port \"%s\"\n", optarg);
				return -1;
			}
			w->port = v;
			break;
		case 'P':
			if (!strcmp(optarg, "tcp")) {
				w->protocol = IPPROTO_TCP;
			} else if (!strcmp(optarg, "udp")) {
				w->protocol = IPPROTO_UDP;
			} else {
				fprintf(stderr, "knetmon: protocol must be tcp or udp\n");
				return -1;
			}
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, w->addr) == 1) {
				w->family = AF_INET;
			} else if (inet_pton(AF_INET6, optarg, w->addr) == 1) {
				w->family = AF_INET6;
			} else {
				fprintf(stderr, "knetmon: bad address \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'c': w->comm = optarg; break;
		case 'l': w->listen = true; break;
		case 'T':
			*timeout = strtod(optarg, &end);
			if (*end || *timeout <= 0) {
				fprintf(stderr, "knetmon: bad timeout \"%s\"\n", optarg);
				return -1;
			}
			break;
		case 'j': print_set_json(true); break;
		case 'h': usage(stdout); exit(KN_EXIT_OK);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int cmd_wait(int argc, char **argv)
{
	struct wait_match w = { .port = -1, .protocol = -1 };
	struct kn_bind_stream s;
	uint64_t deadline = 0;
	double timeout = 0;
	int err;

	if (parse_args(argc, argv, &w, &timeout)) {
		usage(stderr);
		return KN_EXIT_ERROR;
	}
	if (timeout > 0)
		deadline = now_ms() + (uint64_t)(timeout * 1000);

	/* Subscribe first, then dump: nothing bound in between escapes. */
	if (kn_binds_subscribe(&s, 0, wait_event, &w))
		return KN_EXIT_ERROR;
	err = wait_dump(&w);
	while (!err) {
		uint64_t now = now_ms();
		int wait_ms = -1;

		if (deadline) {
			if (now >= deadline)
				break;
			wait_ms = deadline - now;
		}
		err = kn_binds_poll(&s, wait_ms);
		if (err == KN_STREAM_OVERRUN || (!err && w.gap)) {
			/* Events were lost: the table tells what they bound. */
			w.gap = false;
			err = wait_dump(&w);
		}
	}
	kn_binds_unsubscribe(&s);
	if (w.found)
		return KN_EXIT_OK;
	if (err)
		return KN_EXIT_ERROR;
	fprintf(stderr, "knetmon: wait: timed out\n");
	return KN_EXIT_NOMATCH;
}
