// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon wait: exit as soon as a matching socket is bound (or listening),
 * or (--connect) as soon as a TCP connection to an address and port is
 * established, or (--ip, --ip-on, --link: wait_changes.c) as soon as an
 * address or an interface is ready. It subscribes first and dumps second
 * (the live-bind table, the established sockets, or the links), so what
 * happened before it started matches as well as what happens while it
 * waits, with no window in between.
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
#include "sockrec.h"
#include "wait_changes.h"

#define TCP_ESTABLISHED 1	/* include/net/tcp_states.h */

struct wait_match {
	int port;		/* -1: any */
	int protocol;		/* -1: any */
	int family;		/* 0: any address */
	uint8_t addr[16];
	const char *comm;
	bool listen;
	bool connect;		/* --connect: family, addr and port are the peer's */
	bool found;
	uint64_t last_seq;
	bool gap;
	struct kn_change_cond change;	/* --ip, --ip-on, --link */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon wait [ --port PORT ] [ --proto { tcp | udp } ] [ --addr ADDRESS ]\n"
		   "                    [ --comm NAME ] [ --listen ] [ --timeout SECONDS ] [ -j ]\n"
		   "       knetmon wait --connect ADDRESS:PORT [ --timeout SECONDS ] [ -j ]\n"
		   "       knetmon wait { --ip ADDRESS | --ip-on DEV | --link DEV }\n"
		   "                    [ --timeout SECONDS ] [ -j ]\n"
		   "Wait until a socket matching every given condition is bound (with\n"
		   "--listen: listening), including one bound before wait started, and\n"
		   "print it. --connect ADDRESS:PORT ([ADDRESS]:PORT for IPv6) waits until a\n"
		   "TCP connection to it is established, one made earlier included.\n"
		   "--ip ADDRESS waits until the address is on an interface of this netns\n"
		   "and usable (IPv6: duplicate address detection over), --ip-on DEV until\n"
		   "DEV has a usable address of global scope, --link DEV until DEV is up\n"
		   "and running (operstate up, or unknown for a driver without carrier);\n"
		   "each is met at once when it already holds, and stands alone.\n"
		   "Exit status: 0 matched, 1 timed out, 2 error. Needs CAP_NET_ADMIN.\n");
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

/* Whether peer ADDR:PORT of FAMILY is --connect's, an IPv4 one also v4-mapped. */
static bool wait_peer_matches(const struct wait_match *w, uint8_t family, const uint8_t *addr,
			      uint16_t port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (port != w->port)
		return false;
	if (family == w->family)
		return !memcmp(addr, w->addr, family == AF_INET6 ? 16 : 4);
	return w->family == AF_INET && family == AF_INET6 && !memcmp(addr, mapped, 12) &&
	       !memcmp(addr + 12, w->addr, 4);
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

/* A connection event: a connect that got established to the peer asked for. */
static int wait_conn_event(struct wait_match *w, const struct kn_bind *b)
{
	if (b->kind != KNETMON_BIND_KIND_CONNECT || b->result ||
	    !wait_peer_matches(w, b->family, b->raddr, b->rport))
		return 0;
	return wait_found(w, b, KN_BIND_PRINT_EVENT);
}

static int wait_event(const struct kn_bind *b, void *arg)
{
	struct wait_match *w = arg;

	if (w->last_seq && b->seq > w->last_seq + 1)
		w->gap = true;
	w->last_seq = b->seq;
	if (b->conn)
		return wait_conn_event(w, b);
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

/* An established socket of the dump whose peer is --connect's. */
static int wait_sock(const struct kn_sock *sk, void *arg)
{
	struct wait_match *w = arg;
	char addr[64];

	if (sk->state != TCP_ESTABLISHED ||
	    !wait_peer_matches(w, sk->family, sk->raddr, sk->rport))
		return 0;
	w->found = true;
	print_open_object(NULL);
	print_string("proto", "%-5s ", kn_sock_proto(sk));
	kn_sock_addr(sk, true, addr, sizeof(addr));
	print_string("addr", sk->family == AF_INET6 ? "[%s]" : "%s", addr);
	print_uint("port", ":%llu ", sk->lport);
	kn_sock_addr(sk, false, addr, sizeof(addr));
	print_string("remote_addr", sk->family == AF_INET6 ? "-> [%s]" : "-> %s", addr);
	print_uint("remote_port", ":%llu ", sk->rport);
	print_string("state", "%s", "ESTAB");
	print_uint("inode", " inode %llu", sk->inode);
	print_close_object();
	print_end();
	return 1;	/* stops the dump */
}

/* The live table, or the established sockets, through a socket of their own. */
static int wait_dump(struct wait_match *w)
{
	struct kn_sock_req req = { .protocol = IPPROTO_TCP, .states = 1u << TCP_ESTABLISHED };
	struct kn_nl nl;
	int err;

	err = kn_open(&nl);
	if (err)
		return err;
	if (w->connect)
		err = kn_sockets(&nl, &req, wait_sock, w);
	else
		err = kn_binds_dump(&nl, NULL, wait_entry, w, NULL);
	kn_close(&nl);
	return w->found ? 1 : err;
}

/* ADDRESS:PORT, [ADDRESS]:PORT for IPv6: 0 or -1. */
static int parse_peer(const char *arg, struct wait_match *w)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : 0;
	char *end;
	long port;

	if (!colon || !len || len >= sizeof(host))
		return -1;
	if (arg[0] == '[' && arg[len - 1] == ']') {
		arg++;
		len -= 2;
	}
	memcpy(host, arg, len);
	host[len] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		return -1;
	w->port = port;
	w->connect = true;
	if (inet_pton(AF_INET, host, w->addr) == 1)
		w->family = AF_INET;
	else if (inet_pton(AF_INET6, host, w->addr) == 1)
		w->family = AF_INET6;
	else
		return -1;
	return 0;
}

/* --ip ADDRESS, --ip-on DEV, --link DEV as OPT: 0 or -1. */
static int parse_change_cond(int opt, const char *arg, struct kn_change_cond *cond)
{
	if (opt != 'I') {
		if (!*arg || strlen(arg) >= 16 /* IFNAMSIZ */) {
			fprintf(stderr, "knetmon: bad interface name \"%s\"\n", arg);
			return -1;
		}
		cond->what = opt == 'O' ? KN_WAIT_IP_ON : KN_WAIT_LINK;
		cond->dev = arg;
		return 0;
	}
	cond->what = KN_WAIT_IP;
	if (inet_pton(AF_INET, arg, cond->addr) == 1)
		cond->family = AF_INET;
	else if (inet_pton(AF_INET6, arg, cond->addr) == 1)
		cond->family = AF_INET6;
	else {
		fprintf(stderr, "knetmon: bad address \"%s\"\n", arg);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct wait_match *w, double *timeout)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "proto", required_argument, NULL, 'P' },
		{ "addr", required_argument, NULL, 'a' },
		{ "comm", required_argument, NULL, 'c' },
		{ "listen", no_argument, NULL, 'l' },
		{ "connect", required_argument, NULL, 'C' },
		{ "ip", required_argument, NULL, 'I' },
		{ "ip-on", required_argument, NULL, 'O' },
		{ "link", required_argument, NULL, 'L' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool bind_opts = false;
	int conditions = 0;	/* --connect, --ip, --ip-on, --link: one alone */
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "jlh", opts, NULL)) != -1) {
		bind_opts |= c == 'p' || c == 'P' || c == 'a' || c == 'c' || c == 'l';
		conditions += c == 'C' || c == 'I' || c == 'O' || c == 'L';
		switch (c) {
		case 'I':
		case 'O':
		case 'L':
			if (parse_change_cond(c, optarg, &w->change))
				return -1;
			break;
		case 'C':
			if (parse_peer(optarg, w)) {
				fprintf(stderr, "knetmon: --connect takes ADDRESS:PORT, not \"%s\"\n",
					optarg);
				return -1;
			}
			break;
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
	if (w->connect && bind_opts) {
		fprintf(stderr, "knetmon: --connect stands alone: it is about a peer, not a bind\n");
		return -1;
	}
	if (w->change.what && (bind_opts || conditions > 1)) {
		fprintf(stderr, "knetmon: --ip, --ip-on and --link stand alone: each is one condition\n");
		return -1;
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
	if (w.change.what)
		return kn_wait_changes(&w.change, timeout);
	if (timeout > 0)
		deadline = now_ms() + (uint64_t)(timeout * 1000);

	/* Subscribe first, then dump: nothing bound in between escapes. */
	if (kn_binds_subscribe_group(&s, w.connect ? KNETMON_MCGRP_CONNS : KNETMON_MCGRP_BINDS, 0,
				     wait_event, &w))
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
			/* Events were lost: the table (or the sockets) tells what they did. */
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
