// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon queues: what is waiting in socket queues, live (Volatility's
 * linux_pkt_queues, without a memory dump): bytes not yet read or not yet
 * acknowledged, buffer memory against its limit, drops, and listeners
 * whose accept queue holds connections no process has accepted.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "nl.h"
#include "print.h"
#include "sockrec.h"

#define TCP_LISTEN_STATE 10

struct queues {
	bool all;
	bool header;
	bool all_netns;		/* a netns column */
	unsigned int listeners;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon queues [ -a ] [ -j ] [ -N NETNS | --all-netns ]\n"
		   "Sockets with data waiting in their queues, buffer use and drops,\n"
		   "and listeners with connections waiting to be accepted.\n"
		   "    -a every socket, also those with empty queues\n"
		   "    -j JSON\n"
		   "    -N, --netns NAME|PID  another netns (/var/run/netns/NAME or\n"
		   "       /proc/PID/ns/net)   --all-netns every netns, with a netns column\n"
		   "       (both need CAP_NET_ADMIN over the netns they name)\n");
}

static bool busy(const struct kn_sock *s)
{
	if (s->state == TCP_LISTEN_STATE)
		return s->rq != 0;
	return s->rq || s->wq || s->rmem || s->wmem || s->drops;
}

static void endpoint(const struct kn_sock *s, bool local, char *buf, size_t len)
{
	char addr[64];

	if (s->family == AF_UNIX) {
		snprintf(buf, len, "%s", local && s->path[0] ? s->path : "*");
		return;
	}
	kn_sock_addr(s, local, addr, sizeof(addr));
	snprintf(buf, len, "%s:%u", addr, local ? s->lport : s->rport);
}

static void print_owner(const struct kn_sock *s)
{
	char who[64];

	if (s->n_owners)
		snprintf(who, sizeof(who), "%u/%s fd %u", s->owners[0].pid, s->owners[0].comm,
			 s->owners[0].fd);
	else
		snprintf(who, sizeof(who), "-");
	print_text(" %s", who);
	if (s->n_owners) {
		print_uint("pid", NULL, s->owners[0].pid);
		print_string("comm", NULL, s->owners[0].comm);
		print_uint("fd", NULL, s->owners[0].fd);
	}
}

static int on_sock(const struct kn_sock *s, void *arg)
{
	struct queues *q = arg;
	char local[160], remote[160];
	bool listener = s->state == TCP_LISTEN_STATE;

	if (!q->all && !busy(s))
		return 0;
	if (!q->header)
		print_text("Proto  Recv-Q Send-Q   Rmem/Rcvbuf     Wmem/Sndbuf   Drops "
			   "Local Address                Foreign Address              PID/Program fd%s\n",
			   q->all_netns ? " Netns" : "");
	q->header = true;
	q->listeners += listener && s->rq;
	endpoint(s, true, local, sizeof(local));
	endpoint(s, false, remote, sizeof(remote));
	print_open_object(NULL);
	print_string("proto", "%-5s", kn_sock_proto(s));
	print_uint("recv_q", " %7llu", s->rq);
	print_uint("send_q", " %6llu", s->wq);
	print_uint("rmem_alloc", " %7llu", s->rmem);
	print_uint("rcvbuf", "/%-7llu", s->rcvbuf);
	print_uint("wmem_queued", " %7llu", s->wmem);
	print_uint("sndbuf", "/%-7llu", s->sndbuf);
	print_uint("drops", " %5llu", s->drops);
	print_bool("listener", NULL, listener);
	print_uint("accept_queue", NULL, listener ? s->rq : 0);
	print_uint("accept_queue_max", NULL, listener ? s->wq : 0);
	print_string("local", " %-28s", local);
	print_string("remote", " %-28s", remote);
	print_uint("inode", NULL, s->inode);
	print_uint("retransmits", NULL, s->retrans);
	print_uint("timer", NULL, s->timer);
	print_uint("timer_ms", NULL, s->timer_ms);
	print_owner(s);
	if (q->all_netns)
		print_uint("netns", " %llu", s->netns);
	if (listener && s->rq)
		print_text("  <- %u connection(s) waiting for accept()", s->rq);
	print_text("\n");
	print_close_object();
	return 0;
}

static int queues_option(int c, const char *arg, void *state)
{
	struct queues *q = state;

	if (c == 'a')
		q->all = true;
	return 0;
}

static int queues_run(struct kn_nl *nl, void *state)
{
	struct kn_sock_req req = { .owners = true };
	struct queues *q = state;
	int err;

	q->all_netns = nl->all_netns;
	print_open_array(NULL);
	err = kn_sockets(nl, &req, on_sock, q);
	print_close_array();
	if (!err && !q->header)
		print_text("no socket has queued data\n");
	print_end();
	return err;
}

int cmd_queues(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { 0 }
	};
	static const struct kn_view view = {
		.optstring = "a", .longopts = opts, .usage = usage,
		.option = queues_option, .run = queues_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct queues),
	};
	struct queues q = { 0 };

	return kn_view_run(&view, argc, argv, &q);
}
