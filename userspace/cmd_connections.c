// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon connections: the TCP connections alive now, with their owners
 * and the counters their close event will carry (bytes acknowledged and
 * received, segments each way, retransmissions), as tcplife reports them
 * at the end and ss -ti while they live.
 */
#include <getopt.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "nl.h"
#include "print.h"
#include "sockrec.h"

#define TCP_LISTEN_STATE 10

struct connections {
	bool header;
	bool all_netns;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon connections [ -j ] [ -N NETNS | --all-netns ]\n"
		   "TCP connections (every state but LISTEN; TIME-WAIT and SYN-RECV\n"
		   "requests are not sockets with counters) with their owners, bytes\n"
		   "acknowledged and received, segments out and in, retransmissions.\n"
		   "    -j JSON\n"
		   "    -N, --netns NAME|PID  another netns   --all-netns every netns\n");
}

static void end_text(const struct kn_sock *s, bool local, char *buf, size_t len)
{
	char addr[64];

	kn_sock_addr(s, local, addr, sizeof(addr));
	snprintf(buf, len, s->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 local ? s->lport : s->rport);
}

static int on_conn(const struct kn_sock *s, void *arg)
{
	struct connections *c = arg;
	char local[80], remote[80];

	if (!s->has_life)
		return 0;	/* a listener, a timewait or request socket */
	if (!c->header)
		print_text("%-5s %-11s %-28s %-28s %12s %12s %13s %7s %s\n", "Proto", "State",
			   "Local Address", "Foreign Address", "Sent", "Received", "Segs out/in",
			   "Retrans", "PID/Program");
	c->header = true;
	end_text(s, true, local, sizeof(local));
	end_text(s, false, remote, sizeof(remote));
	print_open_object(NULL);
	print_string("proto", "%-5s ", kn_sock_proto(s));
	print_string("state", "%-11s ", kn_tcp_state(s->state));
	print_string("local", "%-28s ", local);
	print_string("remote", "%-28s ", remote);
	print_uint("bytes_acked", "%12llu ", s->bytes_acked);
	print_uint("bytes_received", "%12llu ", s->bytes_received);
	print_uint("segs_out", "%6llu", s->segs_out);
	print_uint("segs_in", "/%-6llu ", s->segs_in);
	print_uint("total_retrans", "%7llu ", s->total_retrans);
	print_uint("inode", NULL, s->inode);
	if (s->n_owners) {
		print_uint("pid", "%llu", s->owners[0].pid);
		print_string("comm", "/%s", s->owners[0].comm);
	} else {
		print_null("pid", "-");
		print_null("comm", NULL);
	}
	if (c->all_netns)
		print_uint("netns", " %llu", s->netns);
	print_text("\n");
	print_close_object();
	return 0;
}

static int connections_run(struct kn_nl *nl, void *state)
{
	struct kn_sock_req req = { .protocol = IPPROTO_TCP, .owners = true, .tcp_info = true,
				   .states = ~(1u << TCP_LISTEN_STATE) & 0xffe };
	struct connections *c = state;
	int err;

	c->all_netns = nl->all_netns;
	print_open_array(NULL);
	err = kn_sockets(nl, &req, on_conn, c);
	print_close_array();
	if (!err && !c->header)
		print_text("no TCP connection\n");
	print_end();
	return err;
}

int cmd_connections(int argc, char **argv)
{
	static const struct kn_view view = {
		.optstring = "", .usage = usage, .run = connections_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct connections),
	};
	struct connections c = { 0 };

	return kn_view_run(&view, argc, argv, &c);
}
