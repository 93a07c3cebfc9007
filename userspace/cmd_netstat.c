// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon netstat: the sockets of this network namespace, read like
 * net-tools netstat, from the module's GET_SOCKETS dump.
 */
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "nl.h"
#include "print.h"
#include "sockrec.h"

enum {
	SEL_TCP = 1 << 0, SEL_UDP = 1 << 1, SEL_RAW = 1 << 2, SEL_UNIX = 1 << 3,
	SEL_INET = SEL_TCP | SEL_UDP | SEL_RAW,
};

struct netstat {
	unsigned int sel;
	bool v4, v6;
	bool listening, all, numeric, owners, extend;
	bool inet_header, unix_header;
	bool all_netns;		/* a netns column */
	struct kn_sock_req req;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon netstat [ -t ] [ -u ] [ -w ] [ -x ] [ -l | -a ] [ -n ] [ -p ] [ -e ]\n"
		   "                       [ -4 | -6 ] [ -j ] [ -N NETNS | --all-netns ]\n"
		   "Sockets of this network namespace, like net-tools netstat.\n"
		   "    -t tcp   -u udp   -w raw   -x unix   (default: all of them)\n"
		   "    -l listening sockets only   -a listening and connected\n"
		   "       (default: connected only)\n"
		   "    -n numeric ports (addresses are always numeric; never a DNS lookup)\n"
		   "    -p owning processes (others' need CAP_NET_ADMIN)\n"
		   "    -e user and inode   -4 / -6 IPv4 / IPv6 only   -j JSON\n"
		   "    -N, --netns NAME|PID  another netns (/var/run/netns/NAME or\n"
		   "       /proc/PID/ns/net)   --all-netns every netns, with a netns column\n"
		   "       (both need CAP_NET_ADMIN over the netns they name)\n");
}

/* A socket netstat would call listening: accepting, or unconnected datagram. */
static bool is_listening(const struct kn_sock *s)
{
	if (s->state == 10)	/* TCP_LISTEN */
		return true;
	return s->type != SOCK_STREAM && s->type != SOCK_SEQPACKET && s->state == 7 &&
	       s->family != AF_UNIX;
}

static bool selected(const struct netstat *n, const struct kn_sock *s)
{
	const char *proto = kn_sock_proto(s);
	unsigned int kind = !strncmp(proto, "tcp", 3) ? SEL_TCP : !strncmp(proto, "udp", 3) ?
			    SEL_UDP : !strcmp(proto, "unix") ? SEL_UNIX : SEL_RAW;

	if (!(n->sel & kind))
		return false;
	if (kind != SEL_UNIX && ((s->family == AF_INET && !n->v4) || (s->family == AF_INET6 && !n->v6)))
		return false;
	if (n->all)
		return true;
	return n->listening == is_listening(s);
}

/* "addr:port" as netstat prints it; port 0 remote is "*". */
static void endpoint(const struct netstat *n, const struct kn_sock *s, bool local,
		     char *buf, size_t len)
{
	char addr[64], port[32];
	uint16_t p = local ? s->lport : s->rport;
	const char *proto = s->protocol == IPPROTO_UDP ? "udp" : "tcp";
	struct servent *se = NULL;

	kn_sock_addr(s, local, addr, sizeof(addr));
	if (!p)
		snprintf(port, sizeof(port), "*");
	else if (!n->numeric && s->protocol != IPPROTO_RAW && s->type != SOCK_RAW &&
		 (se = getservbyport(htons(p), proto)))
		snprintf(port, sizeof(port), "%s", se->s_name);
	else
		snprintf(port, sizeof(port), "%u", p);
	snprintf(buf, len, "%s:%s", addr, port);
}

static void print_owners(const struct netstat *n, const struct kn_sock *s)
{
	unsigned int i;
	char first[64];

	if (!n->owners)
		return;
	if (s->n_owners)
		snprintf(first, sizeof(first), "%u/%s", s->owners[0].pid, s->owners[0].comm);
	else
		snprintf(first, sizeof(first), "-");
	print_text(" %-19s", first);
	print_uint("owners_total", NULL, s->owners_total);
	print_open_array("owners");
	for (i = 0; i < s->n_owners && i < KN_SOCK_MAX_OWNERS; i++) {
		print_open_object(NULL);
		print_uint("pid", NULL, s->owners[i].pid);
		print_string("comm", NULL, s->owners[i].comm);
		print_uint("fd", NULL, s->owners[i].fd);
		print_close_object();
	}
	print_close_array();
}

static void print_user(const struct netstat *n, const struct kn_sock *s)
{
	struct passwd *pw = n->numeric ? NULL : getpwuid(s->uid);
	char user[32];

	if (pw)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "%u", s->uid);
	print_text(" %-10s", user);
	print_uint("uid", NULL, s->uid);
	print_uint("inode", " %-10llu", s->inode);
}

static const char *inet_state(const struct kn_sock *s)
{
	if (s->protocol == IPPROTO_TCP && s->type == SOCK_STREAM)
		return kn_tcp_state(s->state);
	if (s->type == SOCK_DGRAM && s->protocol == IPPROTO_UDP)
		return s->state == 1 ? "ESTABLISHED" : "";
	return NULL;	/* raw: the number, as netstat does */
}

static void print_inet_header(struct netstat *n)
{
	if (!n->inet_header && !print_is_json()) {
		printf("Active Internet connections (%s)\n", n->all ? "servers and established" :
		       n->listening ? "only servers" : "w/o servers");
		printf("Proto Recv-Q Send-Q Local Address           Foreign Address         State      %s%s%s\n",
		       n->extend ? " User       Inode     " : "", n->owners ? " PID/Program name" : "",
		       n->all_netns ? " Netns" : "");
	}
	n->inet_header = true;
}

static void print_inet_json(struct netstat *n, const struct kn_sock *s, const char *state)
{
	char local[96], remote[96], addr[64];

	endpoint(n, s, true, local, sizeof(local));
	endpoint(n, s, false, remote, sizeof(remote));
	print_open_object(NULL);
	print_string("proto", "%-5s", kn_sock_proto(s));
	print_uint("recv_q", " %6llu", s->rq);
	print_uint("send_q", " %6llu", s->wq);
	print_text(" %-23s %-23s", local, remote);
	kn_sock_addr(s, true, addr, sizeof(addr));
	print_string("local_address", NULL, addr);
	print_uint("local_port", NULL, s->lport);
	kn_sock_addr(s, false, addr, sizeof(addr));
	print_string("remote_address", NULL, addr);
	print_uint("remote_port", NULL, s->rport);
	print_string("state", " %-11s", state);
	if (n->extend)
		print_user(n, s);
	else
		print_uint("inode", NULL, s->inode);
	print_owners(n, s);
	if (n->all_netns)
		print_uint("netns", " %llu", s->netns);
	print_text("\n");
	print_close_object();
}

/*
 * The text line of an internet socket, built in one buffer and written
 * with one call. It prints what print_inet_json()'s text formats print,
 * byte for byte (selftests/netstat_text.sh compares the two), without the
 * dozen printf calls per line (format parsing, stdio locking, inet_ntop's
 * own sprintf) that were a fifth of a 10,000-socket listing's time under
 * perf (bench/profile.py): this is the hot loop of `knetmon netstat`.
 */
struct line {
	char buf[512];
	size_t len;
};

static void line_pad(struct line *l, size_t from, int width)
{
	while (l->len - from < (size_t)width && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = ' ';
}

/* " %-Ws" with W = width; a string longer than W is not cut. */
static void line_str(struct line *l, const char *str, int width)
{
	size_t from, n = strlen(str);

	l->buf[l->len++] = ' ';
	from = l->len;
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, str, n);
	l->len += n;
	line_pad(l, from, width);
}

/* " %Wllu" (right-aligned) when width > 0, " %-Wllu" when width < 0. */
static void line_uint(struct line *l, uint64_t v, int width)
{
	char num[24], *p = print_utoa(num + sizeof(num) - 1, v);
	int n = num + sizeof(num) - 1 - p, pad = width > 0 ? width - n : 0;

	num[sizeof(num) - 1] = '\0';
	l->buf[l->len++] = ' ';
	while (pad-- > 0)
		l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	if (width < 0)
		line_pad(l, l->len - n, -width);
}

/* "addr:port" as endpoint() makes it, without snprintf or IPv4 inet_ntop. */
static void text_endpoint(const struct netstat *n, const struct kn_sock *s, bool local,
			  char *buf, size_t len)
{
	const uint8_t *a = local ? s->laddr : s->raddr;
	uint16_t port = local ? s->lport : s->rport;
	char num[8], *p = buf;
	int i;

	if (s->family != AF_INET || (!n->numeric && port)) {
		endpoint(n, s, local, buf, len);	/* IPv6, or a service name */
		return;
	}
	for (i = 0; i < 4; i++) {
		char *d = print_utoa(num + sizeof(num), a[i]);

		memcpy(p, d, num + sizeof(num) - d);
		p += num + sizeof(num) - d;
		*p++ = i < 3 ? '.' : ':';
	}
	if (port) {
		char *d = print_utoa(num + sizeof(num), port);

		memcpy(p, d, num + sizeof(num) - d);
		p += num + sizeof(num) - d;
	} else {
		*p++ = '*';
	}
	*p = '\0';
}

static void print_inet_text(struct netstat *n, const struct kn_sock *s, const char *state)
{
	struct line l = { .len = 0 };
	char ep[96];

	l.len = strlen(strcpy(l.buf, kn_sock_proto(s)));
	line_pad(&l, 0, 5);
	line_uint(&l, s->rq, 6);
	line_uint(&l, s->wq, 6);
	text_endpoint(n, s, true, ep, sizeof(ep));
	line_str(&l, ep, 23);
	text_endpoint(n, s, false, ep, sizeof(ep));
	line_str(&l, ep, 23);
	line_str(&l, state, 11);
	if (n->extend) {
		struct passwd *pw = n->numeric ? NULL : getpwuid(s->uid);

		if (pw) {
			snprintf(ep, 32, "%s", pw->pw_name);	/* as print_user() */
			line_str(&l, ep, 10);
		} else {
			line_uint(&l, s->uid, -10);
		}
		line_uint(&l, s->inode, -10);
	}
	if (n->owners) {
		if (s->n_owners) {
			char *d = print_utoa(ep + 16, s->owners[0].pid);
			int len = ep + 16 - d;

			memmove(ep, d, len);
			ep[len++] = '/';
			snprintf(ep + len, sizeof(ep) - len, "%s", s->owners[0].comm);
			ep[63] = '\0';	/* as print_owners' 64-byte buffer */
			line_str(&l, ep, 19);
		} else {
			line_str(&l, "-", 19);
		}
	}
	if (n->all_netns)
		line_uint(&l, s->netns, 0);
	l.buf[l.len++] = '\n';
	fwrite_unlocked(l.buf, 1, l.len, stdout);
}

static void print_inet(struct netstat *n, const struct kn_sock *s)
{
	const char *state = inet_state(s);
	char num[8];

	print_inet_header(n);
	if (!state) {
		snprintf(num, sizeof(num), "%u", s->state);
		state = num;
	}
	if (print_is_json())
		print_inet_json(n, s, state);
	else
		print_inet_text(n, s, state);
}

static const char *unix_state(const struct kn_sock *s)
{
	switch (s->state) {
	case 10: return "LISTENING";
	case 1:	 return s->type == SOCK_DGRAM ? "" : "CONNECTED";
	default: return "";
	}
}

static void print_unix(struct netstat *n, const struct kn_sock *s)
{
	if (!n->unix_header && !print_is_json()) {
		printf("Active UNIX domain sockets (%s)\n", n->all ? "servers and established" :
		       n->listening ? "only servers" : "w/o servers");
		printf("Proto Flags       Type       State         I-Node  %s%s Path%s\n",
		       n->extend ? " User      " : "", n->owners ? " PID/Program name   " : "",
		       n->all_netns ? " Netns" : "");
	}
	n->unix_header = true;
	print_open_object(NULL);
	print_string("proto", "%-5s", "unix");
	print_text(" %-11s", s->state == 10 ? "[ ACC ]" : "[ ]");
	print_string("type", " %-10s", kn_sock_type(s->type));
	print_string("state", " %-13s", unix_state(s));
	print_uint("recv_q", NULL, s->rq);
	print_uint("send_q", NULL, s->wq);
	print_uint("inode", " %-8llu", s->inode);
	if (n->extend)
		print_uint("uid", " %-10llu", s->uid);
	else
		print_uint("uid", NULL, s->uid);
	print_uint("peer_inode", NULL, s->peer);
	print_owners(n, s);
	print_string("path", " %s", s->path);
	if (n->all_netns)
		print_uint("netns", " %llu", s->netns);
	print_text("\n");
	print_close_object();
}

static int on_sock(const struct kn_sock *s, void *arg)
{
	struct netstat *n = arg;

	if (!selected(n, s))
		return 0;
	if (s->family == AF_UNIX)
		print_unix(n, s);
	else
		print_inet(n, s);
	return 0;
}

/* Ask the kernel for one table when only one is wanted. */
static void narrow(const struct netstat *n, struct kn_sock_req *req)
{
	if (n->sel == SEL_TCP)
		req->protocol = IPPROTO_TCP;
	else if (n->sel == SEL_UDP)
		req->protocol = IPPROTO_UDP;
	else if (n->sel == SEL_RAW)
		req->protocol = IPPROTO_RAW;
	else if (n->sel == SEL_UNIX)
		req->family = AF_UNIX;
	if (!(n->sel & SEL_UNIX) && n->v4 != n->v6)
		req->family = n->v4 ? AF_INET : AF_INET6;
	if (n->listening && !n->all && n->sel == SEL_TCP)
		req->states = 1u << 10;
}

static int netstat_option(int c, const char *arg, void *state)
{
	struct netstat *n = state;

	switch (c) {
	case 't': n->sel |= SEL_TCP; break;
	case 'u': n->sel |= SEL_UDP; break;
	case 'w': n->sel |= SEL_RAW; break;
	case 'x': n->sel |= SEL_UNIX; break;
	case 'l': n->listening = true; break;
	case 'a': n->all = true; break;
	case 'n': n->numeric = true; break;
	case 'p': n->owners = true; break;
	case 'e': n->extend = true; break;
	case '4': n->v4 = true; break;
	case '6': n->v6 = true; break;
	}
	return 0;
}

static int netstat_run(struct kn_nl *nl, void *state)
{
	struct netstat *n = state;
	int err;

	if (!n->v4 && !n->v6) {
		n->v4 = n->v6 = true;
	} else if (!n->sel) {
		n->sel = SEL_INET;	/* -4/-6 alone: internet sockets, like netstat */
	}
	if (!n->sel)
		n->sel = SEL_INET | SEL_UNIX;
	narrow(n, &n->req);
	n->req.owners = n->owners;
	n->all_netns = nl->all_netns;
	/* a plain text listing prints none of what a brief record leaves out */
	n->req.brief = !print_is_json() && !n->extend && !n->all_netns;
	print_open_array(NULL);
	err = kn_sockets(nl, &n->req, on_sock, n);
	print_close_array();
	print_end();
	return err;
}

int cmd_netstat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp", no_argument, NULL, 't' }, { "udp", no_argument, NULL, 'u' },
		{ "raw", no_argument, NULL, 'w' }, { "unix", no_argument, NULL, 'x' },
		{ "listening", no_argument, NULL, 'l' }, { "all", no_argument, NULL, 'a' },
		{ "numeric", no_argument, NULL, 'n' }, { "program", no_argument, NULL, 'p' },
		{ "extend", no_argument, NULL, 'e' }, { 0 }
	};
	static const struct kn_view view = {
		.optstring = "tuwxlanpe46", .longopts = opts, .usage = usage,
		.option = netstat_option, .run = netstat_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct netstat),
	};
	struct netstat n = { 0 };

	return kn_view_run(&view, argc, argv, &n);
}
