// SPDX-License-Identifier: GPL-2.0
/* GET_SOCKETS request and record decoder: see sockrec.h. */
#include <arpa/inet.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "nl.h"
#include "sockrec.h"

static struct nla_policy sock_policy[KNETMON_A_SOCK_MAX + 1] = {
	[KNETMON_A_SOCK_FAMILY]		= { .type = NLA_U8 },
	[KNETMON_A_SOCK_TYPE]		= { .type = NLA_U8 },
	[KNETMON_A_SOCK_PROTOCOL]	= { .type = NLA_U8 },
	[KNETMON_A_SOCK_STATE]		= { .type = NLA_U8 },
	[KNETMON_A_SOCK_LOCAL_ADDR]	= { .type = NLA_BINARY, .maxlen = 16 },
	[KNETMON_A_SOCK_LOCAL_PORT]	= { .type = NLA_U16 },
	[KNETMON_A_SOCK_REMOTE_ADDR]	= { .type = NLA_BINARY, .maxlen = 16 },
	[KNETMON_A_SOCK_REMOTE_PORT]	= { .type = NLA_U16 },
	[KNETMON_A_SOCK_RQUEUE]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_WQUEUE]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_UID]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_INODE]		= { .type = NLA_U64 },
	[KNETMON_A_SOCK_NETNS]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_RMEM_ALLOC]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_RCVBUF]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_WMEM_QUEUED]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_SNDBUF]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_DROPS]		= { .type = NLA_U32 },
	[KNETMON_A_SOCK_RETRANSMITS]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_TIMER]		= { .type = NLA_U8 },
	[KNETMON_A_SOCK_TIMER_MS]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_UNIX_PATH]	= { .type = NLA_BINARY, .maxlen = 108 },
	[KNETMON_A_SOCK_UNIX_PEER]	= { .type = NLA_U64 },
	[KNETMON_A_SOCK_OWNERS]		= { .type = NLA_NESTED },
	[KNETMON_A_SOCK_OWNERS_TOTAL]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_BYTES_ACKED]	= { .type = NLA_U64 },
	[KNETMON_A_SOCK_BYTES_RECEIVED]	= { .type = NLA_U64 },
	[KNETMON_A_SOCK_SEGS_OUT]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_SEGS_IN]	= { .type = NLA_U32 },
	[KNETMON_A_SOCK_TOTAL_RETRANS]	= { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static uint8_t get_u8(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u8(tb[type]) : 0;
}

static void get_addr(struct nlattr *a, uint8_t *out)
{
	if (a && (nla_len(a) == 4 || nla_len(a) == 16))
		memcpy(out, nla_data(a), nla_len(a));
}

/* sun_path bytes as netstat prints them: '@' for NUL. */
static void get_path(struct nlattr *a, char *out)
{
	const char *p = a ? nla_data(a) : NULL;
	int i, len = a ? nla_len(a) : 0;

	for (i = 0; i < len; i++)
		out[i] = p[i] ? p[i] : '@';
	out[len] = '\0';
}

/* One holder's attributes, read in place: a listing with -p has thousands. */
static void get_owner(struct nlattr *nest, struct kn_owner *o)
{
	struct nlattr *a;
	int rem;

	memset(o, 0, sizeof(*o));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case KNETMON_A_OWNER_PID:
			if (nla_len(a) >= 4)
				o->pid = nla_get_u32(a);
			break;
		case KNETMON_A_OWNER_FD:
			if (nla_len(a) >= 4)
				o->fd = nla_get_u32(a);
			break;
		case KNETMON_A_OWNER_COMM: {
			size_t len = strnlen(nla_data(a), nla_len(a));

			/* o is zeroed: the name stays terminated */
			memcpy(o->comm, nla_data(a), len < sizeof(o->comm) ? len : sizeof(o->comm) - 1);
			break;
		}
		}
	}
}

static void get_owners(struct nlattr *nest, struct kn_sock *s)
{
	struct nlattr *a;
	int rem;

	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != KNETMON_A_OWNER)
			continue;
		if (s->n_owners++ >= KN_SOCK_MAX_OWNERS)
			continue;	/* counted, not kept */
		get_owner(a, &s->owners[s->n_owners - 1]);
	}
}

struct sock_call {
	kn_sock_fn fn;
	void *arg;
	struct kn_sock s;
};

static int on_sock(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct sock_call *c = arg;
	struct kn_sock *s = &c->s;

	if (!tb[KNETMON_A_SOCK_FAMILY])
		return 0;	/* not a socket record */
	/* owners[] is written as far as n_owners counts: clearing it all
	 * too would store 1.5 KiB more per record */
	memset(s, 0, offsetof(struct kn_sock, owners));
	s->family = get_u8(tb, KNETMON_A_SOCK_FAMILY);
	s->type = get_u8(tb, KNETMON_A_SOCK_TYPE);
	s->protocol = get_u8(tb, KNETMON_A_SOCK_PROTOCOL);
	s->state = get_u8(tb, KNETMON_A_SOCK_STATE);
	get_addr(tb[KNETMON_A_SOCK_LOCAL_ADDR], s->laddr);
	get_addr(tb[KNETMON_A_SOCK_REMOTE_ADDR], s->raddr);
	if (tb[KNETMON_A_SOCK_LOCAL_PORT])
		s->lport = ntohs(nla_get_u16(tb[KNETMON_A_SOCK_LOCAL_PORT]));
	if (tb[KNETMON_A_SOCK_REMOTE_PORT])
		s->rport = ntohs(nla_get_u16(tb[KNETMON_A_SOCK_REMOTE_PORT]));
	s->rq = get_u32(tb, KNETMON_A_SOCK_RQUEUE);
	s->wq = get_u32(tb, KNETMON_A_SOCK_WQUEUE);
	s->uid = get_u32(tb, KNETMON_A_SOCK_UID);
	s->netns = get_u32(tb, KNETMON_A_SOCK_NETNS);
	s->ifindex = get_u32(tb, KNETMON_A_SOCK_IFINDEX);
	s->rmem = get_u32(tb, KNETMON_A_SOCK_RMEM_ALLOC);
	s->rcvbuf = get_u32(tb, KNETMON_A_SOCK_RCVBUF);
	s->wmem = get_u32(tb, KNETMON_A_SOCK_WMEM_QUEUED);
	s->sndbuf = get_u32(tb, KNETMON_A_SOCK_SNDBUF);
	s->drops = get_u32(tb, KNETMON_A_SOCK_DROPS);
	s->retrans = get_u32(tb, KNETMON_A_SOCK_RETRANSMITS);
	s->timer = get_u8(tb, KNETMON_A_SOCK_TIMER);
	s->timer_ms = get_u32(tb, KNETMON_A_SOCK_TIMER_MS);
	if (tb[KNETMON_A_SOCK_INODE])
		s->inode = nla_get_u64(tb[KNETMON_A_SOCK_INODE]);
	if (tb[KNETMON_A_SOCK_UNIX_PEER])
		s->peer = nla_get_u64(tb[KNETMON_A_SOCK_UNIX_PEER]);
	get_path(tb[KNETMON_A_SOCK_UNIX_PATH], s->path);
	get_owners(tb[KNETMON_A_SOCK_OWNERS], s);
	s->owners_total = get_u32(tb, KNETMON_A_SOCK_OWNERS_TOTAL);
	s->has_life = tb[KNETMON_A_SOCK_BYTES_ACKED];
	s->bytes_acked = tb[KNETMON_A_SOCK_BYTES_ACKED] ?
			 nla_get_u64(tb[KNETMON_A_SOCK_BYTES_ACKED]) : 0;
	s->bytes_received = tb[KNETMON_A_SOCK_BYTES_RECEIVED] ?
			    nla_get_u64(tb[KNETMON_A_SOCK_BYTES_RECEIVED]) : 0;
	s->segs_out = get_u32(tb, KNETMON_A_SOCK_SEGS_OUT);
	s->segs_in = get_u32(tb, KNETMON_A_SOCK_SEGS_IN);
	s->total_retrans = get_u32(tb, KNETMON_A_SOCK_TOTAL_RETRANS);
	return c->fn(s, c->arg);
}

int kn_sockets(struct kn_nl *nl, const struct kn_sock_req *req, kn_sock_fn fn, void *arg)
{
	static struct sock_call call;	/* large: keep it off the stack */
	struct nl_msg *msg;

	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	msg = kn_msg(nl, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	if (msg && req->family)
		nla_put_u8(msg, KNETMON_REQ_FAMILY, req->family);
	if (msg && req->protocol)
		nla_put_u8(msg, KNETMON_REQ_PROTOCOL, req->protocol);
	if (msg && req->port)
		nla_put_u16(msg, KNETMON_REQ_PORT, htons(req->port));
	if (msg && req->states)
		nla_put_u32(msg, KNETMON_REQ_STATES, req->states);
	kn_put_flags(nl, msg, (req->owners ? KNETMON_REQF_OWNERS : 0) |
			      (req->brief ? KNETMON_REQF_BRIEF : 0) |
			      (req->tcp_info ? KNETMON_REQF_TCP_INFO : 0));
	call.fn = fn;
	call.arg = arg;
	return kn_transact(nl, msg, KNETMON_A_SOCK_MAX, sock_policy, on_sock, &call);
}

bool kn_sock_is_inet(const struct kn_sock *s)
{
	return s->family == AF_INET || s->family == AF_INET6;
}

const char *kn_sock_proto(const struct kn_sock *s)
{
	bool v6 = s->family == AF_INET6;

	if (s->family == AF_UNIX)
		return "unix";
	if (s->type == SOCK_STREAM && s->protocol == IPPROTO_TCP)
		return v6 ? "tcp6" : "tcp";
	if (s->type == SOCK_DGRAM && s->protocol == IPPROTO_UDP)
		return v6 ? "udp6" : "udp";
	return v6 ? "raw6" : "raw";
}

const char *kn_sock_type(uint8_t type)
{
	switch (type) {
	case SOCK_STREAM:	return "stream";
	case SOCK_DGRAM:	return "dgram";
	case SOCK_RAW:		return "raw";
	case SOCK_SEQPACKET:	return "seqpacket";
	default:		return "unknown";
	}
}

const char *kn_tcp_state(uint8_t state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING",
	};

	return state < sizeof(names) / sizeof(names[0]) && names[state] ? names[state] : "UNKNOWN";
}

void kn_sock_addr(const struct kn_sock *s, bool local, char *buf, size_t len)
{
	const void *a = local ? s->laddr : s->raddr;

	if (!inet_ntop(s->family, a, buf, len))
		snprintf(buf, len, "?");
}
