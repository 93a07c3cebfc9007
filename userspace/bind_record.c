// SPDX-License-Identifier: GPL-2.0
/* Decoding and printing of bind records: see bind_record.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bind_record.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"

struct nla_policy kn_bind_policy[KNETMON_A_BIND_MAX + 1] = {
	[KNETMON_A_BIND_SEQ]		= { .type = NLA_U64 },
	[KNETMON_A_BIND_KIND]		= { .type = NLA_U8 },
	[KNETMON_A_BIND_RESULT]		= { .type = NLA_U32 },
	[KNETMON_A_BIND_TIME_REAL]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_TIME_BOOT]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_PID]		= { .type = NLA_U32 },
	[KNETMON_A_BIND_TGID]		= { .type = NLA_U32 },
	[KNETMON_A_BIND_UID]		= { .type = NLA_U32 },
	[KNETMON_A_BIND_COMM]		= { .type = NLA_STRING },
	[KNETMON_A_BIND_NETNS]		= { .type = NLA_U32 },
	[KNETMON_A_BIND_CGROUP]		= { .type = NLA_U64 },
	[KNETMON_A_BIND_FAMILY]		= { .type = NLA_U8 },
	[KNETMON_A_BIND_TYPE]		= { .type = NLA_U8 },
	[KNETMON_A_BIND_PROTOCOL]	= { .type = NLA_U8 },
	[KNETMON_A_BIND_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[KNETMON_A_BIND_PORT]		= { .type = NLA_U16 },
	[KNETMON_A_BIND_UNIX_PATH]	= { .maxlen = 108 },
	[KNETMON_A_BIND_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_SOCKOPTS]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_COOKIE]		= { .type = NLA_U64 },
	[KNETMON_A_BIND_INODE]		= { .type = NLA_U64 },
	[KNETMON_A_BIND_BACKLOG]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_PREEXISTING]	= { .type = NLA_FLAG },
	[KNETMON_A_BIND_STATE]		= { .type = NLA_U8 },
	[KNETMON_A_BIND_DUMP_SEQ]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_REMOTE_ADDR]	= { .minlen = 4, .maxlen = 16 },
	[KNETMON_A_BIND_REMOTE_PORT]	= { .type = NLA_U16 },
	[KNETMON_A_BIND_OLD_STATE]	= { .type = NLA_U8 },
	[KNETMON_A_BIND_BYTES_ACKED]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_BYTES_RECEIVED]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_SEGS_OUT]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_SEGS_IN]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_TOTAL_RETRANS]	= { .type = NLA_U32 },
	[KNETMON_A_BIND_DURATION_NS]	= { .type = NLA_U64 },
	[KNETMON_A_BIND_CLOSED_BY]	= { .type = NLA_U8 },
	[KNETMON_A_BIND_FLOW_VIA]	= { .type = NLA_U8 },
};

/* sun_path bytes as ss and /proc/net/unix print them, NUL as '@' (an
 * abstract name's leading one too); other control bytes as '?'. */
static void get_unix_path(const struct nlattr *a, char *out)
{
	const unsigned char *p = nla_data(a);
	int i, len = nla_len(a) < 108 ? nla_len(a) : 108;	/* the policy's maxlen */

	for (i = 0; i < len; i++)
		out[i] = !p[i] ? '@' : (p[i] < 0x20 || p[i] == 0x7f) ? '?' : p[i];
	out[len] = '\0';
}

/* An address of FAMILY's exact length, if present; -1 when it is not. */
static int get_inet_addr(const struct nlattr *a, uint8_t family, uint8_t *out)
{
	int len = a ? nla_len(a) : 0;

	if (!a)
		return 0;
	if (len != (family == AF_INET6 ? 16 : 4))
		return -1;
	memcpy(out, nla_data(a), len);
	return 0;
}

#define GET(attr, getter, field) \
	do { if (tb[attr]) b->field = getter(tb[attr]); } while (0)

int kn_bind_parse(struct nlattr **tb, struct kn_bind *b)
{
	memset(b, 0, sizeof(*b));
	b->has_kind = tb[KNETMON_A_BIND_KIND];
	b->has_dump_seq = tb[KNETMON_A_BIND_DUMP_SEQ];
	b->preexisting = tb[KNETMON_A_BIND_PREEXISTING];
	GET(KNETMON_A_BIND_SEQ, nla_get_u64, seq);
	GET(KNETMON_A_BIND_DUMP_SEQ, nla_get_u64, dump_seq);
	if (!b->has_kind)
		return b->has_dump_seq ? 0 : -1;
	GET(KNETMON_A_BIND_KIND, nla_get_u8, kind);
	GET(KNETMON_A_BIND_RESULT, nla_get_s32, result);
	GET(KNETMON_A_BIND_TIME_REAL, nla_get_u64, time_real);
	GET(KNETMON_A_BIND_TIME_BOOT, nla_get_u64, time_boot);
	GET(KNETMON_A_BIND_PID, nla_get_u32, pid);
	GET(KNETMON_A_BIND_TGID, nla_get_u32, tgid);
	GET(KNETMON_A_BIND_UID, nla_get_u32, uid);
	b->has_pid = tb[KNETMON_A_BIND_TGID];
	b->has_uid = tb[KNETMON_A_BIND_UID];
	GET(KNETMON_A_BIND_NETNS, nla_get_u32, netns);
	GET(KNETMON_A_BIND_CGROUP, nla_get_u64, cgroup);
	GET(KNETMON_A_BIND_FAMILY, nla_get_u8, family);
	GET(KNETMON_A_BIND_TYPE, nla_get_u8, type);
	GET(KNETMON_A_BIND_PROTOCOL, nla_get_u8, protocol);
	if (tb[KNETMON_A_BIND_PORT])
		b->port = ntohs(nla_get_u16(tb[KNETMON_A_BIND_PORT]));
	GET(KNETMON_A_BIND_IFINDEX, nla_get_u32, ifindex);
	GET(KNETMON_A_BIND_SOCKOPTS, nla_get_u32, sockopts);
	GET(KNETMON_A_BIND_COOKIE, nla_get_u64, cookie);
	GET(KNETMON_A_BIND_INODE, nla_get_u64, inode);
	GET(KNETMON_A_BIND_BACKLOG, nla_get_u32, backlog);
	GET(KNETMON_A_BIND_STATE, nla_get_u8, state);
	if (tb[KNETMON_A_BIND_COMM])
		snprintf(b->comm, sizeof(b->comm), "%s", nla_get_string(tb[KNETMON_A_BIND_COMM]));
	if (tb[KNETMON_A_BIND_UNIX_PATH])
		get_unix_path(tb[KNETMON_A_BIND_UNIX_PATH], b->path);
	GET(KNETMON_A_BIND_OLD_STATE, nla_get_u8, old_state);
	GET(KNETMON_A_BIND_BYTES_ACKED, nla_get_u64, bytes_acked);
	GET(KNETMON_A_BIND_BYTES_RECEIVED, nla_get_u64, bytes_received);
	GET(KNETMON_A_BIND_SEGS_OUT, nla_get_u32, segs_out);
	GET(KNETMON_A_BIND_SEGS_IN, nla_get_u32, segs_in);
	GET(KNETMON_A_BIND_TOTAL_RETRANS, nla_get_u32, total_retrans);
	GET(KNETMON_A_BIND_DURATION_NS, nla_get_u64, duration_ns);
	GET(KNETMON_A_BIND_CLOSED_BY, nla_get_u8, closed_by);
	GET(KNETMON_A_BIND_FLOW_VIA, nla_get_u8, flow_via);
	b->has_duration = tb[KNETMON_A_BIND_DURATION_NS];
	if (tb[KNETMON_A_BIND_REMOTE_PORT])
		b->rport = ntohs(nla_get_u16(tb[KNETMON_A_BIND_REMOTE_PORT]));
	if (get_inet_addr(tb[KNETMON_A_BIND_ADDR], b->family, b->addr) ||
	    get_inet_addr(tb[KNETMON_A_BIND_REMOTE_ADDR], b->family, b->raddr))
		return -1;
	return 0;
}

static const char *const kind_names[] = {
	[KNETMON_BIND_KIND_BIND]	= "bind",
	[KNETMON_BIND_KIND_LISTEN]	= "listen",
	[KNETMON_BIND_KIND_AUTOBIND]	= "autobind",
	[KNETMON_BIND_KIND_RELEASE]	= "release",
	[KNETMON_BIND_KIND_STATE]	= "state",
	[KNETMON_BIND_KIND_CONNECT]	= "connect",
	[KNETMON_BIND_KIND_ACCEPT]	= "accept",
	[KNETMON_BIND_KIND_CLOSE]	= "close",
	[KNETMON_BIND_KIND_UDP_FLOW]	= "udp",
};

const char *kn_bind_kind_name(uint8_t kind)
{
	if (kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

uint8_t kn_bind_kind_from_name(const char *name)
{
	uint8_t k;

	for (k = 1; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return 0;
}

const char *kn_bind_proto(const struct kn_bind *b)
{
	if (b->family == AF_UNIX)	/* ss's names */
		return b->type == SOCK_STREAM ? "u_str" :
		       b->type == SOCK_DGRAM ? "u_dgr" : "u_seq";
	switch (b->protocol) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_UDPLITE:	return "udplite";
	case IPPROTO_SCTP:	return "sctp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:	return b->type == SOCK_DGRAM ? "ping" : "raw";
	default:		return "raw";
	}
}

/* Numbering of TCP_* in the kernel's include/net/tcp_states.h (uapi-stable). */
static const char *const tcp_states[] = {
	[1] = "ESTAB", [2] = "SYN-SENT", [3] = "SYN-RECV", [4] = "FIN-WAIT-1",
	[5] = "FIN-WAIT-2", [6] = "TIME-WAIT", [7] = "UNCONN", [8] = "CLOSE-WAIT",
	[9] = "LAST-ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW-SYN-RECV",
};

const char *kn_bind_state(const struct kn_bind *b)
{
	if (b->state < sizeof(tcp_states) / sizeof(tcp_states[0]) && tcp_states[b->state])
		return tcp_states[b->state];
	return "UNKNOWN";
}

const char *kn_tcp_state_name(uint8_t state)
{
	if (state == 7)		/* TCP_CLOSE: a connection's end, not an unconnected socket */
		return "CLOSE";
	if (state < sizeof(tcp_states) / sizeof(tcp_states[0]) && tcp_states[state])
		return tcp_states[state];
	return "UNKNOWN";
}

/* ADDR, 4 or 16 bytes by B's family, as plain text; "?" if it cannot be. */
static void inet_text(const struct kn_bind *b, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(b->family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
}

void kn_bind_addr(const struct kn_bind *b, char *buf, size_t len)
{
	if (b->family == AF_UNIX)
		snprintf(buf, len, "%s", b->path[0] ? b->path : "*");
	else
		inet_text(b, b->addr, buf, len);
}

/* An address's text and a port as ss writes them ("[::1]:80"). */
static void format_end(const struct kn_bind *b, const char *addr, uint16_t port,
		       char *buf, size_t len)
{
	snprintf(buf, len, b->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, port);
}

/* A closed connection's life: bytes and segments each way, who ended it. */
static void print_life(const struct kn_bind *b)
{
	print_uint("bytes_acked", "sent %llu ", b->bytes_acked);
	print_uint("bytes_received", "received %llu ", b->bytes_received);
	print_uint("segs_out", "segs %llu", b->segs_out);
	print_uint("segs_in", "/%llu ", b->segs_in);
	print_uint("total_retrans", "retrans %llu ", b->total_retrans);
	print_string("closed_by", "closed by %s ",
		     b->closed_by == KNETMON_CLOSED_BY_REMOTE ? "remote" : "local");
	if (b->has_duration) {
		print_uint("duration_ns", NULL, b->duration_ns);
		print_text("after %.3f s ", b->duration_ns / 1e9);
	} else {
		print_null("duration_ns", NULL);
	}
}

/* A connection event: its peer, and for a state change where it came from. */
static void print_conn(const struct kn_bind *b)
{
	char addr[64], end[80];

	inet_text(b, b->raddr, addr, sizeof(addr));
	print_string("remote_addr", NULL, addr);
	print_uint("remote_port", NULL, b->rport);
	if (!print_is_json()) {
		format_end(b, addr, b->rport, end, sizeof(end));
		print_text("-> %-28s ", end);
	}
	if (b->kind == KNETMON_BIND_KIND_STATE) {
		print_string("old_state", "%s", kn_tcp_state_name(b->old_state));
		print_string("state", " -> %s ", kn_tcp_state_name(b->state));
	}
	if (b->kind == KNETMON_BIND_KIND_CLOSE)
		print_life(b);
	if (b->kind == KNETMON_BIND_KIND_UDP_FLOW)
		print_string("via", "via %s ",
			     b->flow_via == KNETMON_FLOW_VIA_CONNECT ? "connect" : "send");
}

/* Where B is bound: address and port, or a unix socket's name. */
static void print_local(const struct kn_bind *b)
{
	char addr[sizeof(b->path)], local[sizeof(b->path) + 16];

	kn_bind_addr(b, addr, sizeof(addr));
	if (b->family == AF_UNIX) {
		print_string("path", NULL, b->path);
		print_text("%-28s ", addr);
		return;
	}
	print_uint("family", NULL, b->family == AF_INET6 ? 6 : 4);
	print_string("addr", NULL, addr);
	print_uint("port", NULL, b->port);
	if (print_is_json())
		return;		/* a monitor under a storm: no text to build */
	format_end(b, addr, b->port, local, sizeof(local));
	print_text("%-28s ", local);
}

void kn_bind_print(const struct kn_bind *b, int how)
{
	bool event = how & KN_BIND_PRINT_EVENT;

	print_open_object(NULL);
	if (how & KN_BIND_PRINT_TIME)
		print_time_text(b->time_real);
	if (event) {
		print_uint("seq", NULL, b->seq);
		print_string("kind", "%-8s ", kn_bind_kind_name(b->kind));
		print_int("result", NULL, b->result);
		if (b->result)
			print_text("%s ", strerror(-b->result));
		else if (b->kind == KNETMON_BIND_KIND_CONNECT)
			print_text("established ");
	}
	print_string("proto", "%-5s ", kn_bind_proto(b));
	print_local(b);
	if (b->conn)
		print_conn(b);
	else
		print_string("state", event ? NULL : "%-7s ", kn_bind_state(b));
	if (b->kind == KNETMON_BIND_KIND_LISTEN)
		print_uint("backlog", event ? "backlog %llu " : NULL, b->backlog);
	/* ids the kernel left out are not visible from the receiver's namespaces */
	if (b->has_pid) {
		print_uint("pid", "pid %llu", b->tgid);
		print_uint("tid", NULL, b->pid);
	} else {
		print_null("pid", "pid -");
		print_null("tid", NULL);
	}
	if (b->comm[0])
		print_string("comm", "/%s ", b->comm);
	else
		print_null("comm", " ");	/* no task made it: a softirq's change */
	if (b->has_uid)
		print_uint("uid", "uid %llu ", b->uid);
	else
		print_null("uid", "uid - ");
	print_uint("netns", "netns %llu", b->netns);
	print_uint("cgroup", NULL, b->cgroup);
	print_uint("ifindex", NULL, b->ifindex);
	print_uint("sockopts", NULL, b->sockopts);
	print_uint("cookie", NULL, b->cookie);
	print_uint("inode", NULL, b->inode);
	print_uint("time_real_ns", NULL, b->time_real);
	print_uint("time_boot_ns", NULL, b->time_boot);
	if (!event) {
		print_text(" since ");
		print_time_text(b->time_real);
	}
	print_bool("preexisting", b->preexisting ? " preexisting" : NULL, b->preexisting);
	print_close_object();
	print_text("\n");
}

struct kn_dump_call {
	kn_bind_fn fn;
	void *arg;
	uint64_t dump_seq;
};

static int kn_dump_one(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct kn_dump_call *call = arg;
	struct kn_bind b;

	if (kn_bind_parse(tb, &b)) {
		fprintf(stderr, "knetmon: malformed bind record from the kernel\n");
		return KN_EXIT_ERROR;
	}
	if (b.has_dump_seq)
		call->dump_seq = b.dump_seq;
	return b.has_kind && call->fn ? call->fn(&b, call->arg) : 0;
}

int kn_binds_dump(struct kn_nl *nl, const struct kn_bind_filter *f, kn_bind_fn fn,
		  void *arg, uint64_t *dump_seq)
{
	struct kn_dump_call call = { .fn = fn, .arg = arg };
	struct nl_msg *msg = kn_msg(nl, KNETMON_CMD_GET_BINDS, NLM_F_DUMP);
	int err;

	if (msg && f && f->family >= 0)
		nla_put_u8(msg, KNETMON_REQ_FAMILY, f->family);
	if (msg && f && f->protocol >= 0)
		nla_put_u8(msg, KNETMON_REQ_PROTOCOL, f->protocol);
	kn_put_flags(nl, msg, 0);
	err = kn_transact(nl, msg, KNETMON_A_BIND_MAX, kn_bind_policy, kn_dump_one, &call);
	if (dump_seq)
		*dump_seq = call.dump_seq;
	return err;
}

static int kn_stream_change(struct kn_bind_stream *s, struct nlmsghdr *nlh)
{
	struct nlattr *tb[KNETMON_A_CHANGE_MAX + 1];
	struct kn_change c;

	if (!s->change_fn)
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, KNETMON_A_CHANGE_MAX, kn_change_policy) ||
	    kn_change_parse(tb, &c)) {
		fprintf(stderr, "knetmon: malformed change event from the kernel\n");
		return NL_OK;
	}
	s->status = s->change_fn(&c, s->arg);
	return s->status ? NL_STOP : NL_OK;
}

static int kn_stream_msg(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *tb[KNETMON_A_BIND_MAX + 1];
	struct kn_bind_stream *s = arg;
	struct kn_bind b;

	if (g->cmd == KNETMON_CMD_CHANGE_EVENT)
		return kn_stream_change(s, nlh);
	if (!s->fn || (g->cmd != KNETMON_CMD_BIND_EVENT && g->cmd != KNETMON_CMD_CONN_EVENT))
		return NL_OK;
	if (genlmsg_parse(nlh, 0, tb, KNETMON_A_BIND_MAX, kn_bind_policy) ||
	    kn_bind_parse(tb, &b) || !b.has_kind) {
		fprintf(stderr, "knetmon: malformed event from the kernel\n");
		return NL_OK;
	}
	b.conn = g->cmd == KNETMON_CMD_CONN_EVENT;
	s->status = s->fn(&b, s->arg);
	return s->status ? NL_STOP : NL_OK;
}

/*
 * libnl's connect shrinks every socket's receive buffer to 32 KiB (64 KiB
 * once the kernel doubles it), whatever net.core.rmem_default says. A
 * subscriber keeps the buffer any other socket would get: what a fresh
 * socket reports, halved into the SO_RCVBUF request that the kernel doubles
 * back. (Not read from /proc/sys: on 6.1 net.core.rmem_default is not
 * visible from other network namespaces.) 0 if there is no fresh socket.
 */
static int system_rcvbuf_request(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int bytes = 0;
	socklen_t len = sizeof(bytes);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, &len))
		bytes = 0;
	close(fd);
	return bytes / 2;
}

int kn_binds_subscribe(struct kn_bind_stream *s, int rcvbuf, kn_bind_fn fn, void *arg)
{
	return kn_binds_subscribe_group(s, KNETMON_MCGRP_BINDS, rcvbuf, fn, arg);
}

int kn_binds_subscribe_group(struct kn_bind_stream *s, const char *group, int rcvbuf,
			     kn_bind_fn fn, void *arg)
{
	struct kn_nl nl;
	int err, one = 1;

	memset(s, 0, sizeof(*s));
	err = kn_open(&nl);
	if (err)
		return err;
	s->sk = nl.sk;
	s->fn = fn;
	s->arg = arg;
	if (rcvbuf <= 0)
		rcvbuf = system_rcvbuf_request();
	if (rcvbuf > 0)
		setsockopt(nl_socket_get_fd(s->sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Lets the module count the events our full buffer refused. */
	setsockopt(nl_socket_get_fd(s->sk), SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	err = kn_binds_join(s, group);
	if (err) {
		kn_binds_unsubscribe(s);
		return err;
	}
	nl_socket_disable_seq_check(s->sk);
	nl_socket_set_nonblocking(s->sk);
	nl_socket_modify_cb(s->sk, NL_CB_VALID, NL_CB_CUSTOM, kn_stream_msg, s);
	return 0;
}

int kn_changes_subscribe(struct kn_bind_stream *s, const char *group, int rcvbuf,
			 kn_change_fn fn, void *arg)
{
	int err = kn_binds_subscribe_group(s, group, rcvbuf, NULL, arg);

	s->change_fn = fn;
	return err;
}

int kn_binds_join(struct kn_bind_stream *s, const char *group)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(s->sk, KNETMON_GENL_NAME, group);
	if (grp < 0) {
		fprintf(stderr, "knetmon: the module has no \"%s\" group\n", group);
		return KN_EXIT_ERROR;
	}
	err = nl_socket_add_membership(s->sk, grp);
	if (err) {
		fprintf(stderr, "knetmon: cannot join the %s group: %s%s\n", group, nl_geterror(err),
			err == -NLE_PERM ? " (needs CAP_NET_ADMIN)" : "");
		return KN_EXIT_ERROR;
	}
	return 0;
}

void kn_binds_unsubscribe(struct kn_bind_stream *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
}

#define KN_STREAM_DATAGRAMS	64

int kn_binds_poll(struct kn_bind_stream *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(s->sk), .events = POLLIN };
	int n, err;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : KN_EXIT_ERROR;
	if (n == 0)
		return 0;
	/* The module sends a datagram per batch of events: under a bind
	 * storm, read what is queued (a bounded number of datagrams) before
	 * polling again. The socket is non-blocking. */
	for (n = 0; n < KN_STREAM_DATAGRAMS; n++) {
		err = nl_recvmsgs_default(s->sk);
		if (s->status)
			return s->status;
		if (err == -NLE_NOMEM)		/* libnl's name for ENOBUFS */
			return KN_STREAM_OVERRUN;
		if (err == -NLE_AGAIN)
			return 0;
		if (err < 0) {
			fprintf(stderr, "knetmon: receive: %s\n", nl_geterror(err));
			return KN_EXIT_ERROR;
		}
	}
	return 0;
}
