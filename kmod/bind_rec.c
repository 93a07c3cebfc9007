// SPDX-License-Identifier: GPL-2.0
/*
 * A bind record: built from the calling task and the socket, and put on the
 * wire for the event stream and the GET_BINDS dump alike.
 */

#include <linux/cgroup.h>
#include <linux/pid_namespace.h>
#include <linux/user_namespace.h>
#include <linux/timekeeping.h>
#include <net/af_unix.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "knetmon.h"
#include "bind_rec.h"

/* ---- wire format ---------------------------------------------------- */

/* Where the socket is bound: address and port, or a unix socket's name. */
static int knetmon_bind_put_local(struct sk_buff *skb, const struct knetmon_bind_rec *rec)
{
	if (rec->family == AF_UNIX)
		return rec->path_len ? nla_put(skb, KNETMON_A_BIND_UNIX_PATH, rec->path_len,
					       rec->path) : 0;
	return nla_put(skb, KNETMON_A_BIND_ADDR, rec->family == AF_INET6 ? 16 : 4, rec->addr) ||
	       nla_put_be16(skb, KNETMON_A_BIND_PORT, rec->port);
}

/* A connection's other end. */
static int knetmon_bind_put_remote(struct sk_buff *skb, const struct knetmon_bind_rec *rec)
{
	return nla_put(skb, KNETMON_A_BIND_REMOTE_ADDR, rec->family == AF_INET6 ? 16 : 4,
		       rec->raddr) ||
	       nla_put_be16(skb, KNETMON_A_BIND_REMOTE_PORT, rec->rport);
}

/* A closed connection's life; its length only where its start was seen. */
static int knetmon_bind_put_life(struct sk_buff *skb, const struct knetmon_conn_life *l)
{
	return nla_put_u64_64bit(skb, KNETMON_A_BIND_BYTES_ACKED, l->bytes_acked,
				 KNETMON_A_BIND_PAD) ||
	       nla_put_u64_64bit(skb, KNETMON_A_BIND_BYTES_RECEIVED, l->bytes_received,
				 KNETMON_A_BIND_PAD) ||
	       nla_put_u32(skb, KNETMON_A_BIND_SEGS_OUT, l->segs_out) ||
	       nla_put_u32(skb, KNETMON_A_BIND_SEGS_IN, l->segs_in) ||
	       nla_put_u32(skb, KNETMON_A_BIND_TOTAL_RETRANS, l->total_retrans) ||
	       nla_put_u8(skb, KNETMON_A_BIND_CLOSED_BY, l->closed_by) ||
	       (l->duration && nla_put_u64_64bit(skb, KNETMON_A_BIND_DURATION_NS, l->duration,
						 KNETMON_A_BIND_PAD));
}

/* Ids not visible in the namespaces asked for are left out. */
static int knetmon_bind_put_ids(struct sk_buff *skb, const struct knetmon_ids *ids)
{
	return (ids->pid && nla_put_u32(skb, KNETMON_A_BIND_PID, ids->pid)) ||
	       (ids->tgid && nla_put_u32(skb, KNETMON_A_BIND_TGID, ids->tgid)) ||
	       (ids->uid != (u32)-1 && nla_put_u32(skb, KNETMON_A_BIND_UID, ids->uid));
}

int knetmon_bind_fill(struct sk_buff *skb, const struct knetmon_bind_rec *rec, bool view,
		      u32 portid, u32 seq, int flags, u8 cmd, const u64 *dump_seq)
{
	const struct knetmon_ids host = { rec->pid, rec->tgid, rec->uid };
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &knetmon_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u64_64bit(skb, KNETMON_A_BIND_SEQ, rec->seq, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_KIND, rec->kind) ||
	    nla_put_s32(skb, KNETMON_A_BIND_RESULT, rec->result) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_TIME_REAL, rec->time_real, KNETMON_A_BIND_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_TIME_BOOT, rec->time_boot, KNETMON_A_BIND_PAD) ||
	    knetmon_bind_put_ids(skb, view ? &rec->view : &host) ||
	    nla_put_string(skb, KNETMON_A_BIND_COMM, rec->comm) ||
	    nla_put_u32(skb, KNETMON_A_BIND_NETNS, rec->netns) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_CGROUP, rec->cgroup, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_FAMILY, rec->family) ||
	    nla_put_u8(skb, KNETMON_A_BIND_TYPE, rec->type) ||
	    nla_put_u8(skb, KNETMON_A_BIND_PROTOCOL, rec->protocol) ||
	    knetmon_bind_put_local(skb, rec) ||
	    nla_put_u32(skb, KNETMON_A_BIND_IFINDEX, rec->ifindex) ||
	    nla_put_u32(skb, KNETMON_A_BIND_SOCKOPTS, rec->sockopts) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_COOKIE, rec->cookie, KNETMON_A_BIND_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_INODE, rec->inode, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_STATE, rec->state) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_NETNS_COOKIE, rec->netns_cookie,
			      KNETMON_A_BIND_PAD))
		goto cancel;
	if (rec->kind == KNETMON_BIND_KIND_LISTEN &&
	    nla_put_u32(skb, KNETMON_A_BIND_BACKLOG, rec->backlog))
		goto cancel;
	if (rec->preexisting && nla_put_flag(skb, KNETMON_A_BIND_PREEXISTING))
		goto cancel;
	if (knetmon_kind_is_conn(rec->kind) && knetmon_bind_put_remote(skb, rec))
		goto cancel;
	if (rec->kind == KNETMON_BIND_KIND_STATE &&
	    nla_put_u8(skb, KNETMON_A_BIND_OLD_STATE, rec->old_state))
		goto cancel;
	if (rec->kind == KNETMON_BIND_KIND_CLOSE && knetmon_bind_put_life(skb, &rec->life))
		goto cancel;
	if (rec->kind == KNETMON_BIND_KIND_UDP_FLOW &&
	    nla_put_u8(skb, KNETMON_A_BIND_FLOW_VIA, rec->flow_via))
		goto cancel;
	if (dump_seq && nla_put_u64_64bit(skb, KNETMON_A_BIND_DUMP_SEQ, *dump_seq,
					  KNETMON_A_BIND_PAD))
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ---- building a record ---------------------------------------------- */

/*
 * An IPv4 or IPv6 sockaddr of LEN bytes (a probed call's argument, the
 * kernel's copy of the caller's): its port and address, zero for any other.
 * Reads nothing else, takes nothing: fit for a probe's entry handler.
 */
void knetmon_sockaddr_read(const struct sockaddr *uaddr, int len, __be16 *port, u8 addr[16])
{
	*port = 0;
	memset(addr, 0, 16);
	if (uaddr && uaddr->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)uaddr;

		*port = sin->sin_port;
		memcpy(addr, &sin->sin_addr, 4);
	} else if (uaddr && uaddr->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *sin6 = (const void *)uaddr;

		*port = sin6->sin6_port;
		memcpy(addr, &sin6->sin6_addr, 16);
	}
}

void knetmon_time_now(u64 *real, u64 *boot)
{
	/* one read of the clock: both at the same instant, for less */
	ktime_t mono = ktime_get();

	*real = ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_REAL));
	*boot = ktime_to_ns(ktime_mono_to_any(mono, TK_OFFS_BOOT));
}

static void knetmon_rec_time(struct knetmon_bind_rec *rec)
{
	knetmon_time_now(&rec->time_real, &rec->time_boot);
}

void knetmon_rec_no_ids(struct knetmon_bind_rec *rec)
{
	rec->pid = rec->tgid = 0;
	rec->kuid = INVALID_UID;
	rec->uid = (u32)-1;
	rec->view = (struct knetmon_ids) { .uid = (u32)-1 };
	rec->pids[0] = rec->pids[1] = NULL;
	rec->cgroup = 0;
	rec->comm[0] = '\0';
}

void knetmon_rec_clock(struct knetmon_bind_rec *rec)
{
	knetmon_rec_time(rec);
	knetmon_rec_no_ids(rec);
}

void knetmon_rec_task(struct knetmon_bind_rec *rec)
{
	knetmon_rec_time(rec);
	rec->pid = current->pid;
	rec->tgid = current->tgid;
	rec->kuid = current_uid();
	rec->uid = from_kuid_munged(&init_user_ns, rec->kuid);
	rec->pids[0] = task_pid(current);
	rec->pids[1] = task_tgid(current);
	strscpy(rec->comm, current->comm, sizeof(rec->comm));
	rcu_read_lock();
	rec->cgroup = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
}

void knetmon_rec_view(struct knetmon_bind_rec *rec, struct pid_namespace *pidns,
		      struct user_namespace *userns)
{
	rec->view.pid = pidns && rec->pids[0] ? pid_nr_ns(rec->pids[0], pidns) : 0;
	rec->view.tgid = pidns && rec->pids[1] ? pid_nr_ns(rec->pids[1], pidns) : 0;
	rec->view.uid = from_kuid(userns, rec->kuid);
}

static bool knetmon_userns_within(const struct user_namespace *ns,
				  const struct user_namespace *owner)
{
	for (; ns; ns = ns->parent)
		if (ns == owner)
			return true;
	return false;
}

/*
 * Whose pids a netns's listeners see. Anyone listening there has
 * CAP_NET_ADMIN over the netns's owner, its user namespace: the container
 * the netns belongs to. Its pid namespace is taken to be the outermost one
 * of the current task's that this owner (or a namespace below it) owns, so
 * a container's listener sees a container process by its container pid,
 * and a host process that entered the netns not at all. The host's own
 * netns is owned by the initial user namespace: its listeners see initial
 * pids, as before.
 */
void knetmon_rec_view_netns(struct knetmon_bind_rec *rec, const struct net *net)
{
	struct pid_namespace *ns, *view = NULL;

	for (ns = task_active_pid_ns(current); ns; ns = ns->parent)
		if (knetmon_userns_within(ns->user_ns, net->user_ns))
			view = ns;
	knetmon_rec_view(rec, view, net->user_ns);
}

static u32 knetmon_sockopts(const struct sock *sk)
{
	u32 opts = 0;

	/* bitfields on 6.12: plain reads of options set before bind() */
	if (sk->sk_reuse)
		opts |= KNETMON_SOCKOPT_REUSEADDR;
	if (sk->sk_reuseport)
		opts |= KNETMON_SOCKOPT_REUSEPORT;
	if (knetmon_inet_freebind(sk))
		opts |= KNETMON_SOCKOPT_FREEBIND;
	if (knetmon_inet_transparent(sk))
		opts |= KNETMON_SOCKOPT_TRANSPARENT;
	if (sk->sk_family == AF_INET6 && sk->sk_ipv6only)
		opts |= KNETMON_SOCKOPT_V6ONLY;
	return opts;
}

/* A unix name of LEN bytes; a pathname ends at its first NUL. */
void knetmon_rec_unix_path(struct knetmon_bind_rec *rec, const char *path, int len)
{
	len = clamp_t(int, len, 0, sizeof(rec->path));
	if (len && path[0])
		len = strnlen(path, len);
	memcpy(rec->path, path, len);
	rec->path_len = len;
}

/*
 * The name a unix socket holds now. bind and autobind publish
 * unix_sk(sk)->addr once, with a release store, and it never changes while
 * the socket lives: an acquire load (as unix_getname() does) sees it whole.
 * Its len counts sun_family, and for a pathname the terminating NUL.
 */
static void knetmon_rec_unix_name(struct knetmon_bind_rec *rec, const struct sock *sk)
{
	const struct unix_address *addr = smp_load_acquire(&unix_sk(sk)->addr);

	rec->path_len = 0;
	if (addr)
		knetmon_rec_unix_path(rec, addr->name->sun_path,
				      addr->len - (int)offsetof(struct sockaddr_un, sun_path));
}

/* What the socket is: identity, options and the address it holds now. */
void knetmon_rec_sock(struct knetmon_bind_rec *rec, const struct sock *sk,
		      const struct socket *sock)
{
	rec->netns = sock_net(sk)->ns.inum;
	rec->netns_cookie = sock_net(sk)->net_cookie;
	rec->family = sk->sk_family;
	rec->type = sk->sk_type;
	rec->protocol = sk->sk_protocol;
	rec->state = READ_ONCE(sk->sk_state);
	rec->ifindex = READ_ONCE(sk->sk_bound_dev_if);
	rec->inode = sock ? SOCK_INODE((struct socket *)sock)->i_ino : 0;
	/* a unix_sock has no inet_sock fields: neither port nor inet options */
	if (sk->sk_family == AF_UNIX) {
		knetmon_rec_unix_name(rec, sk);
		return;
	}
	rec->sockopts = knetmon_sockopts(sk);
	rec->port = htons(READ_ONCE(inet_sk(sk)->inet_num));
	if (sk->sk_family == AF_INET6)
		memcpy(rec->addr, &sk->sk_v6_rcv_saddr, 16);
	else
		memcpy(rec->addr, &sk->sk_rcv_saddr, 4);
}

/*
 * The ends as they are when the state changes, as the tracepoint's own
 * record has them. The local port is the source port, not inet_num: a
 * change to CLOSE comes after the port went back to the table (inet_num 0).
 * An active open's first change (CLOSE -> SYN_SENT) comes before connect()
 * picks the local port, and a passive open's (LISTEN -> SYN_RECV) while
 * the child still has its listener's ends: 0 there.
 */
void knetmon_rec_tcp_ends(struct knetmon_bind_rec *rec, const struct sock *sk, u8 kind)
{
	knetmon_rec_sock(rec, sk, NULL);
	rec->kind = kind;
	rec->port = READ_ONCE(inet_sk(sk)->inet_sport);
	rec->rport = READ_ONCE(sk->sk_dport);
	if (sk->sk_family == AF_INET6)
		memcpy(rec->raddr, &sk->sk_v6_daddr, 16);
	else
		memcpy(rec->raddr, &sk->sk_daddr, 4);
}

void knetmon_rec_tcp_state(struct knetmon_bind_rec *rec, const struct sock *sk, int old,
			   int new)
{
	knetmon_rec_tcp_ends(rec, sk, KNETMON_BIND_KIND_STATE);
	rec->old_state = old;
	rec->state = new;
}

/*
 * Whose end came first, from the state the connection leaves for CLOSE:
 * from FIN_WAIT1, FIN_WAIT2 or CLOSING this end had sent its FIN; from
 * CLOSE_WAIT or LAST_ACK the peer had. Straight from ESTABLISHED it was a
 * reset: the peer's if tcp_reset() left its error, else this end's abort
 * (close() with unread data, SO_LINGER 0, tcp_disconnect()).
 */
static u8 knetmon_closed_by(const struct sock *sk, int old)
{
	switch (old) {
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
		return KNETMON_CLOSED_BY_REMOTE;
	case TCP_ESTABLISHED:
		return READ_ONCE(sk->sk_err) == ECONNRESET ? KNETMON_CLOSED_BY_REMOTE :
							     KNETMON_CLOSED_BY_LOCAL;
	default:
		return KNETMON_CLOSED_BY_LOCAL;
	}
}

/*
 * The counters tcp_info reports, final at this change: the caller of
 * tcp_set_state() holds the socket. RESULT is the reset's error, if any.
 */
void knetmon_rec_tcp_close(struct knetmon_bind_rec *rec, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct knetmon_conn_life *l = &rec->life;

	l->closed_by = knetmon_closed_by(sk, rec->old_state);
	l->bytes_acked = tp->bytes_acked;
	l->bytes_received = tp->bytes_received;
	l->segs_out = tp->segs_out;
	l->segs_in = tp->segs_in;
	l->total_retrans = tp->total_retrans;
	rec->result = -READ_ONCE(sk->sk_err);
	rec->kind = KNETMON_BIND_KIND_CLOSE;
}
