// SPDX-License-Identifier: GPL-2.0
/*
 * UDP flows on the connection groups (KIND_UDP_FLOW): the first datagram a
 * UDP socket sends to a peer, or its connect() to one, with the caller.
 * UDP has no handshake and no state to change; who talks to whom is only
 * ever said by a send, so each send is looked at, and each socket and
 * peer reported once while someone listens.
 *
 * Hooks, the same on 6.1 and 6.12 (neither has a tracepoint there):
 * - kretprobes on udp_sendmsg and udpv6_sendmsg: the entry reads the
 *   destination (the kernel's copy of the caller's address, or the
 *   connected peer); the return, once the call chose the local port,
 *   reports a send that succeeded. udpv6_sendmsg hands a v4-mapped or
 *   AF_INET destination to udp_sendmsg: the outer call reports.
 * - kretprobes on ip4_datagram_connect and ip6_datagram_connect (UDP's
 *   connect, ping's and raw's too: only UDP sockets count). A connect that
 *   fails is reported with its error and kept nowhere.
 * - kretprobes on udp_destroy_sock and udpv6_destroy_sock, the close of
 *   every UDP socket, that forget its flows before the socket can be
 *   freed and its address reused. Always armed: their entry returns at
 *   once while no flow is kept.
 *
 * The flows reported are kept in a table beside the connection table,
 * under the bind table's lock, found by socket and peer; bounded by
 * max_udp_flows. A flow not kept (full) is reported again at its next
 * send: a repeat, never a loss. While nobody listens nothing is kept;
 * where the send probes are disarmed then (conn_probes.c) the table is
 * emptied, so a new listener hears every flow's next datagram.
 *
 * The local address is the socket's: the wildcard for a socket neither
 * bound to an address nor connected, whose source the kernel chooses per
 * datagram by route, as `ss` shows it.
 */

#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "knetmon.h"
#include "bind_events.h"

static unsigned int max_udp_flows = 16384;
module_param(max_udp_flows, uint, 0444);
MODULE_PARM_DESC(max_udp_flows, "UDP socket and peer pairs remembered as reported (default 16384)");

struct knetmon_udp_flow {
	struct hlist_node by_flow;	/* found by socket and peer at a send */
	struct hlist_node by_sock;	/* and by socket at its close */
	const struct sock *sk;		/* a key: never dereferenced */
	u8 raddr[16];
	__be16 rport;
};

#define KNETMON_FLOW_HASH_BITS 12
static DEFINE_HASHTABLE(knetmon_flows, KNETMON_FLOW_HASH_BITS);
static DEFINE_HASHTABLE(knetmon_flow_socks, KNETMON_FLOW_HASH_BITS - 2);
static u32 knetmon_flows_live;

/* ---- the table, with knetmon_bind_table_lock held ------------------------- */

static u32 knetmon_flow_key(const struct sock *sk, __be16 rport, const u8 raddr[16])
{
	return jhash(raddr, 16, hash_ptr(sk, 32) ^ (__force u32)rport);
}

static void knetmon_flows_set_live(u32 live)
{
	WRITE_ONCE(knetmon_flows_live, live);
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_UDP_FLOWS_LIVE], live);
}

static void knetmon_flow_remove(struct knetmon_udp_flow *f)
{
	hash_del(&f->by_flow);
	hash_del(&f->by_sock);
	kfree(f);
	knetmon_flows_set_live(knetmon_flows_live - 1);
}

/* Whether SK's flow to the peer is new: kept now, or not keepable (counted). */
static bool knetmon_flow_add(const struct sock *sk, __be16 rport, const u8 raddr[16])
{
	u32 key = knetmon_flow_key(sk, rport, raddr);
	struct knetmon_udp_flow *f;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each_possible(knetmon_flows, f, by_flow, key)
		if (f->sk == sk && f->rport == rport && !memcmp(f->raddr, raddr, 16))
			return false;
	f = knetmon_flows_live < max_udp_flows ? kmalloc(sizeof(*f), GFP_ATOMIC) : NULL;
	if (!f) {
		knetmon_count(KNETMON_A_COUNTER_UDP_FLOWS_OVERFLOW);
		return true;
	}
	f->sk = sk;
	f->rport = rport;
	memcpy(f->raddr, raddr, 16);
	hash_add(knetmon_flows, &f->by_flow, key);
	hash_add(knetmon_flow_socks, &f->by_sock, hash_ptr(sk, 32));
	knetmon_flows_set_live(knetmon_flows_live + 1);
	return true;
}

/* SK (NULL: every socket) closes: its flows go. */
static void knetmon_flows_forget(const struct sock *sk)
{
	struct knetmon_udp_flow *f;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	if (sk) {
		hash_for_each_possible_safe(knetmon_flow_socks, f, tmp, by_sock, hash_ptr(sk, 32))
			if (f->sk == sk)
				knetmon_flow_remove(f);
	} else {
		hash_for_each_safe(knetmon_flow_socks, bkt, tmp, f, by_sock)
			knetmon_flow_remove(f);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

/* ---- events --------------------------------------------------------------- */

/* A probed call's UDP socket and the peer it names. */
struct knetmon_udp_call {
	struct sock *sk;
	u8 raddr[16];		/* aligned for the v4-mapped rewrite */
	__be16 rport;
};

static bool knetmon_is_udp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_UDP &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

/* Nobody hears SK's netns: the return handler need not run. */
static bool knetmon_udp_unheard(const struct sock *sk)
{
	return !knetmon_is_udp(sk) || !knetmon_conn_events_listened(sock_net(sk));
}

/* An address the caller gave (an IPv6 socket may name an IPv4 peer): as the socket keeps it. */
static void knetmon_udp_call_addr(struct knetmon_udp_call *call, const struct sockaddr *uaddr,
				  int len)
{
	knetmon_sockaddr_read(uaddr, len, &call->rport, call->raddr);
	if (call->sk->sk_family == AF_INET6 && uaddr->sa_family == AF_INET)
		ipv6_addr_set_v4mapped(*(__be32 *)call->raddr, (struct in6_addr *)call->raddr);
}

/* The socket's connected peer. */
static void knetmon_udp_call_peer(struct knetmon_udp_call *call)
{
	const struct sock *sk = call->sk;

	call->rport = READ_ONCE(sk->sk_dport);
	memset(call->raddr, 0, sizeof(call->raddr));
	if (sk->sk_family == AF_INET6)
		memcpy(call->raddr, &sk->sk_v6_daddr, 16);
	else
		memcpy(call->raddr, &sk->sk_daddr, 4);
}

/*
 * Reported when RESULT is an error (a failed connect) or the flow is new;
 * numbered and queued as any connection event, under the lock.
 */
static void knetmon_udp_flow_event(const struct knetmon_udp_call *call, u8 via, int result)
{
	u64 lost = knetmon_conn_probes_missed();
	struct sock *sk = call->sk;
	struct knetmon_binds_net *bn;
	struct knetmon_bind_rec rec;
	unsigned long flags;
	bool report = false;

	if (knetmon_udp_unheard(sk))	/* the last listener left during the call */
		return;
	memset(&rec, 0, sizeof(rec));
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, READ_ONCE(sk->sk_socket));
	rec.kind = KNETMON_BIND_KIND_UDP_FLOW;
	rec.flow_via = via;
	rec.result = result;
	rec.rport = call->rport;
	memcpy(rec.raddr, call->raddr, sizeof(rec.raddr));

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	bn = knetmon_binds_net(sock_net(sk));	/* NULL: the netns comes or goes */
	if (bn)
		report = result || knetmon_flow_add(sk, call->rport, call->raddr);
	if (report) {
		knetmon_bind_event_number(bn, &rec, lost);
		knetmon_bind_event_queue(bn, &rec);
		knetmon_count(KNETMON_A_COUNTER_EVENTS_UDP_FLOW);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	if (report)
		knetmon_bind_events_kick();
}

/* udp_sendmsg(sk, msg, len), udpv6_sendmsg(): msg_name is the kernel's copy. */
static int knetmon_udp_send_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_udp_call *call = (void *)ri->data;
	const struct msghdr *msg = (void *)knetmon_probe_arg(regs, 1);

	call->sk = (struct sock *)knetmon_probe_arg(regs, 0);
	if (knetmon_udp_unheard(call->sk))
		return 1;
	if (msg->msg_name && msg->msg_namelen >= (int)sizeof(sa_family_t) &&
	    ((struct sockaddr *)msg->msg_name)->sa_family != AF_UNSPEC)
		knetmon_udp_call_addr(call, msg->msg_name, msg->msg_namelen);
	else if (READ_ONCE(call->sk->sk_state) == TCP_ESTABLISHED)
		knetmon_udp_call_peer(call);
	else
		return 1;	/* no peer named: the call fails, or appends to a corked datagram */
	return call->rport ? 0 : 1;
}

/* udpv6_sendmsg() hands IPv4 peers to udp_sendmsg(): the outer call reports. */
static int knetmon_udp4_send_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct sock *sk = (void *)knetmon_probe_arg(regs, 0);

	return sk->sk_family == AF_INET ? knetmon_udp_send_entry(ri, regs) : 1;
}

static int knetmon_udp_send_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct knetmon_udp_call *call = (void *)ri->data;

	if ((long)regs_return_value(regs) >= 0)
		knetmon_udp_flow_event(call, KNETMON_FLOW_VIA_SEND, 0);
	return 0;
}

/* ip4_datagram_connect(sk, uaddr, addr_len), ip6_datagram_connect(): the same. */
static int knetmon_udp_connect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_udp_call *call = (void *)ri->data;
	const struct sockaddr *uaddr = (void *)knetmon_probe_arg(regs, 1);
	int len = knetmon_probe_arg(regs, 2);

	call->sk = (struct sock *)knetmon_probe_arg(regs, 0);
	if (knetmon_udp_unheard(call->sk) || len < (int)sizeof(sa_family_t) ||
	    uaddr->sa_family == AF_UNSPEC)	/* a disconnect */
		return 1;
	knetmon_udp_call_addr(call, uaddr, len);
	return 0;
}

static int knetmon_udp_connect_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_udp_call *call = (void *)ri->data;
	int ret = (int)regs_return_value(regs);

	if (!ret)
		knetmon_udp_call_peer(call);	/* as connected: a v4-mapped form */
	knetmon_udp_flow_event(call, KNETMON_FLOW_VIA_CONNECT, ret);
	return 0;
}

/* udp_destroy_sock(sk), udpv6_destroy_sock(sk): the socket's close. */
struct knetmon_udp_close_call {
	const struct sock *sk;
};

static int knetmon_udp_close_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_udp_close_call *call = (void *)ri->data;

	/* may run from the int3 trap (see binds.c): no lock here */
	if (!READ_ONCE(knetmon_flows_live))
		return 1;
	call->sk = (const struct sock *)knetmon_probe_arg(regs, 0);
	return 0;
}

static int knetmon_udp_close_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct knetmon_udp_close_call *call = (void *)ri->data;

	knetmon_flows_forget(call->sk);
	return 0;
}

/* ---- probes --------------------------------------------------------------- */

static struct knetmon_kretprobe knetmon_udp_close_probes[] = {
	KNETMON_KRETPROBE("udp_destroy_sock", knetmon_udp_close_entry, knetmon_udp_close_return,
			  knetmon_udp_close_call),
	KNETMON_KRETPROBE("udpv6_destroy_sock", knetmon_udp_close_entry,
			  knetmon_udp_close_return, knetmon_udp_close_call),
};

static struct knetmon_kretprobe knetmon_udp_probes[] = {
	KNETMON_KRETPROBE("udp_sendmsg", knetmon_udp4_send_entry, knetmon_udp_send_return,
			  knetmon_udp_call),
	KNETMON_KRETPROBE("udpv6_sendmsg", knetmon_udp_send_entry, knetmon_udp_send_return,
			  knetmon_udp_call),
	KNETMON_KRETPROBE("ip4_datagram_connect", knetmon_udp_connect_entry,
			  knetmon_udp_connect_return, knetmon_udp_call),
	KNETMON_KRETPROBE("ip6_datagram_connect", knetmon_udp_connect_entry,
			  knetmon_udp_connect_return, knetmon_udp_call),
};

u64 knetmon_udp_flow_probes_missed(void)
{
	return knetmon_kretprobes_missed(knetmon_udp_probes, ARRAY_SIZE(knetmon_udp_probes));
}

void knetmon_udp_flow_probes_arm(bool on)
{
	knetmon_kretprobes_arm(knetmon_udp_probes, ARRAY_SIZE(knetmon_udp_probes), on);
	if (!on)
		knetmon_flows_forget(NULL);
}

static bool knetmon_all_placed(const struct knetmon_kretprobe *ps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!ps[i].placed)
			return false;
	return true;
}

/*
 * The close probes first: a flow is kept only if its socket's close will
 * forget it. The feature needs every probe; a missing one is said in the
 * log and leaves no UDP flow events at all, rather than some.
 */
void __init knetmon_udp_flows_start(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(knetmon_udp_close_probes); i++)
		knetmon_kretprobe_place(&knetmon_udp_close_probes[i]);
	if (!knetmon_all_placed(knetmon_udp_close_probes, ARRAY_SIZE(knetmon_udp_close_probes)))
		goto off;
	for (i = 0; i < ARRAY_SIZE(knetmon_udp_probes); i++) {
		knetmon_udp_probes[i].on_demand = KNETMON_CONN_PROBES_ON_DEMAND;
		knetmon_kretprobe_place(&knetmon_udp_probes[i]);
	}
	if (!knetmon_all_placed(knetmon_udp_probes, ARRAY_SIZE(knetmon_udp_probes)))
		goto off;
	set_bit(KNETMON_FEAT_UDP_FLOWS, &knetmon_features);
	return;
off:
	knetmon_udp_flows_stop();
}

/* Sends and connects gone (and their handlers), then what they kept, then the closes. */
void knetmon_udp_flows_stop(void)
{
	clear_bit(KNETMON_FEAT_UDP_FLOWS, &knetmon_features);
	knetmon_kretprobes_remove(knetmon_udp_probes, ARRAY_SIZE(knetmon_udp_probes));
	knetmon_flows_forget(NULL);
	knetmon_kretprobes_remove(knetmon_udp_close_probes, ARRAY_SIZE(knetmon_udp_close_probes));
}
