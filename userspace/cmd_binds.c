// SPDX-License-Identifier: GPL-2.0
/* knetmon binds: the module's live-bind table, one line per bound socket. */
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bind_record.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"

struct binds_opts {
	bool tcp, udp, unix_, listening;
	int family;		/* -4/-6 (inet sockets only); 0: both */
	long pid;		/* -1: any */
	const char *comm;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon binds [ -t ] [ -u ] [ -x ] [ -4 ] [ -6 ] [ -l ]\n"
		   "                     [ --pid PID ] [ --comm NAME ] [ -j ]\n"
		   "Show every socket bound now, as the module tracks it: protocol,\n"
		   "local address:port, state, owning pid/comm, uid, netns and when it\n"
		   "was bound. -t TCP, -u UDP (default both), -x unix (named sockets: a\n"
		   "path, or an abstract name shown with a leading '@'), -4/-6 one inet\n"
		   "family, -l listening sockets only. Needs CAP_NET_ADMIN.\n");
}

static int binds_show(const struct kn_bind *b, void *arg)
{
	const struct binds_opts *o = arg;
	bool is_tcp = b->protocol == IPPROTO_TCP, is_udp = b->protocol == IPPROTO_UDP;

	if (b->family == AF_UNIX ? !o->unix_ : !((o->tcp && is_tcp) || (o->udp && is_udp)))
		return 0;
	if (b->family != AF_UNIX && o->family && b->family != o->family)
		return 0;
	if (o->listening && b->state != 10 /* TCP_LISTEN */)
		return 0;
	if (o->pid >= 0 && b->tgid != (uint32_t)o->pid)
		return 0;
	if (o->comm && strcmp(o->comm, b->comm))
		return 0;
	kn_bind_print(b, 0);
	return 0;
}

int cmd_binds(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp", no_argument, NULL, 't' },
		{ "udp", no_argument, NULL, 'u' },
		{ "unix", no_argument, NULL, 'x' },
		{ "listening", no_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct kn_bind_filter filter = { .family = -1, .protocol = -1 };
	struct binds_opts o = { .pid = -1 };
	bool v4 = false, v6 = false;
	struct kn_nl nl;
	char *end;
	int c, err;

	while ((c = getopt_long(argc, argv, "tux46ljh", opts, NULL)) != -1) {
		switch (c) {
		case 't': o.tcp = true; break;
		case 'u': o.udp = true; break;
		case 'x': o.unix_ = true; break;
		case '4': v4 = true; break;
		case '6': v6 = true; break;
		case 'l': o.listening = true; break;
		case 'p':
			o.pid = strtol(optarg, &end, 10);
			if (*end || o.pid < 0) {
				fprintf(stderr, "knetmon: bad pid \"%s\"\n", optarg);
				return KN_EXIT_ERROR;
			}
			break;
		case 'c': o.comm = optarg; break;
		case 'j': print_set_json(true); break;
		case 'h': usage(stdout); return KN_EXIT_OK;
		default: usage(stderr); return KN_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return KN_EXIT_ERROR;
	}
	if (!o.tcp && !o.udp && !o.unix_)
		o.tcp = o.udp = true;
	if (v4 != v6)
		o.family = v4 ? AF_INET : AF_INET6;
	/* The kernel filters one family and protocol; a mix is sorted out here. */
	if (o.unix_ && !o.tcp && !o.udp) {
		filter.family = AF_UNIX;
	} else if (!o.unix_) {
		if (o.family)
			filter.family = o.family;
		if (o.tcp != o.udp)
			filter.protocol = o.tcp ? IPPROTO_TCP : IPPROTO_UDP;
	}

	err = kn_open(&nl);
	if (err)
		return err;
	print_open_array(NULL);
	err = kn_binds_dump(&nl, &filter, binds_show, &o, NULL);
	print_close_array();
	print_end();
	kn_close(&nl);
	return err;
}
