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
		   "                     [ -N NETNS | --all-netns ]\n"
		   "Show every socket bound now, as the module tracks it: protocol,\n"
		   "local address:port, state, owning pid/comm, uid, netns and when it\n"
		   "was bound. -t TCP, -u UDP (default both), -x unix (named sockets: a\n"
		   "path, or an abstract name shown with a leading '@'), -4/-6 one inet\n"
		   "family, -l listening sockets only.\n"
		   "-N/--netns NAME|PID another netns (/var/run/netns/NAME or\n"
		   "/proc/PID/ns/net), --all-netns every netns.\n"
		   "Needs CAP_NET_ADMIN (over the netns asked for).\n");
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

struct binds_state {
	struct binds_opts o;
	bool v4, v6;
};

static int binds_option(int c, const char *arg, void *state)
{
	struct binds_state *st = state;
	char *end;

	switch (c) {
	case 't': st->o.tcp = true; break;
	case 'u': st->o.udp = true; break;
	case 'x': st->o.unix_ = true; break;
	case '4': st->v4 = true; break;
	case '6': st->v6 = true; break;
	case 'l': st->o.listening = true; break;
	case 'p':
		st->o.pid = strtol(arg, &end, 10);
		if (*end || st->o.pid < 0) {
			fprintf(stderr, "knetmon: bad pid \"%s\"\n", arg);
			return KN_EXIT_ERROR;
		}
		break;
	case 'c': st->o.comm = arg; break;
	}
	return 0;
}

static int binds_run(struct kn_nl *nl, void *state)
{
	struct kn_bind_filter filter = { .family = -1, .protocol = -1 };
	struct binds_state *st = state;
	struct binds_opts *o = &st->o;
	int err;

	if (!o->tcp && !o->udp && !o->unix_)
		o->tcp = o->udp = true;
	if (st->v4 != st->v6)
		o->family = st->v4 ? AF_INET : AF_INET6;
	/* The kernel filters one family and protocol; a mix is sorted out here. */
	if (o->unix_ && !o->tcp && !o->udp) {
		filter.family = AF_UNIX;
	} else if (!o->unix_) {
		if (o->family)
			filter.family = o->family;
		if (o->tcp != o->udp)
			filter.protocol = o->tcp ? IPPROTO_TCP : IPPROTO_UDP;
	}

	print_open_array(NULL);
	err = kn_binds_dump(nl, &filter, binds_show, o, NULL);
	print_close_array();
	print_end();
	return err;
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
		{ 0 }
	};
	static const struct kn_view view = {
		.optstring = "tux46l", .longopts = opts, .usage = usage,
		.option = binds_option, .run = binds_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct binds_state),
	};
	struct binds_state st = { .o = { .pid = -1 } };

	return kn_view_run(&view, argc, argv, &st);
}
