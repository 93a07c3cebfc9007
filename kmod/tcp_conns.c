// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connection events on the "conns" and "conns_all" groups: every state
 * change (KIND_STATE), connect attempts and their outcome (KIND_CONNECT),
 * accepts (KIND_ACCEPT) and the close of a connection with its counters
 * (KIND_CLOSE).
 *
 * Hooks, the same on 6.1 and 6.12:
 * - the tracepoint sock:inet_sock_set_state, for every change of state, and
 *   from it a connect's outcome and a connection's close. A tracepoint
 *   rather than a probe: it costs a call where a kprobe costs a trap, and it
 *   fires wherever the kernel changes a TCP socket's state, inlined callers
 *   included. Its structure is not exported to modules, so it is found by
 *   name among the kernel's tracepoints.
 * - kretprobes on tcp_v4_connect and tcp_v6_connect (an attempt: the caller,
 *   the local port the call chose, its result) and on inet_csk_accept (the
 *   acceptor and the connection it got). Neither kernel has a tracepoint
 *   there; both calls run in the caller's task with the socket held.
 *
 * The owner of a connection (the connect()ing or accept()ing task) is kept
 * in the connection table (conn_table.c) until its close, whose change to
 * CLOSE usually runs in a softirq on behalf of no one.
 *
 * The tracepoint runs with preemption off, often in softirq with the
 * socket's lock held. With no connection listener it returns after a
 * look-up of the netns's state and two bitmap tests (and, at a change to
 * CLOSE while the connection table holds anything, a look-up there): a
 * busy server pays next to nothing until someone listens. Otherwise it
 * builds one record on the stack and numbers and queues it, and what it
 * derives, under the table lock as a bind probe does.
 *
 * What it cannot see: TIME_WAIT, which the kernel gives to a separate
 * timewait socket without this tracepoint (the full socket goes from
 * FIN_WAIT2 or CLOSING to CLOSE), and request sockets (NEW_SYN_RECV): a
 * passive open's first event is the child's LISTEN -> SYN_RECV.
 */

#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <trace/events/sock.h>

#include "knetmon.h"
#include "bind_events.h"
#include "conn_table.h"

static struct tracepoint *knetmon_state_tp;

static bool knetmon_is_tcp(const struct sock *sk)
{
	/* SCTP, DCCP and MPTCP change their states through here too */
	return sk->sk_protocol == IPPROTO_TCP &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

/* Number REC in BN's netns and hand it to whoever listens; lock held. */
static void knetmon_conn_event(struct knetmon_binds_net *bn, struct knetmon_bind_rec *rec,
			       u64 lost, enum knetmon_counter_attr counter)
{
	knetmon_bind_event_number(bn, rec, lost);
	knetmon_bind_event_queue(bn, rec);
	knetmon_count(counter);
}

/* ---- state changes, and what they mean -------------------------------- */

/* The task that made the change: none when a softirq did (a peer's segment). */
static void knetmon_state_rec_ids(struct knetmon_bind_rec *rec)
{
	if (in_task())
		knetmon_rec_task(rec);
	else
		knetmon_rec_clock(rec);
}

/* States a connection leaves for CLOSE once it was established. */
static bool knetmon_state_was_connected(int state)
{
	return state == TCP_ESTABLISHED || state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 ||
	       state == TCP_CLOSE_WAIT || state == TCP_LAST_ACK || state == TCP_CLOSING;
}

/*
 * A connect() whose SYN went out (KIND_CONNECT -EINPROGRESS) ends in
 * ESTABLISHED or CLOSE. The error then is what the socket reports:
 * ECONNREFUSED for a reset, ETIMEDOUT, EHOSTUNREACH for an ICMP error; none
 * when the owner closed it before an answer (ECONNABORTED here).
 */
static void knetmon_state_connect_outcome(struct knetmon_binds_net *bn, const struct sock *sk,
					  struct knetmon_conn *c, struct knetmon_bind_rec *rec,
					  u64 lost)
{
	int err = READ_ONCE(sk->sk_err);

	knetmon_conn_set_connecting(c, false);
	rec->kind = KNETMON_BIND_KIND_CONNECT;
	rec->result = rec->state == TCP_ESTABLISHED ? 0 : -(err ?: ECONNABORTED);
	knetmon_conn_rec(c, rec);
	knetmon_conn_event(bn, rec, lost, KNETMON_A_COUNTER_EVENTS_CONNECT);
}

static void knetmon_state_close(struct knetmon_binds_net *bn, const struct sock *sk,
				struct knetmon_conn *c, struct knetmon_bind_rec *rec, u64 lost)
{
	knetmon_rec_tcp_close(rec, sk);
	rec->life.duration = c ? rec->time_boot - knetmon_conn_start(c) : 0;
	knetmon_conn_rec(c, rec);
	knetmon_conn_event(bn, rec, lost, KNETMON_A_COUNTER_EVENTS_CLOSE);
}

/*
 * With the lock held: REC (a STATE event) is numbered and queued, then what
 * it means for the connection: a passive open begins (SYN_RECV), a
 * connect's outcome, a close. REC is reused for each.
 */
static void knetmon_state_events(struct knetmon_binds_net *bn, const struct sock *sk,
				 struct knetmon_bind_rec *rec)
{
	u64 lost = knetmon_conn_probes_missed();
	int old = rec->old_state, new = rec->state;
	struct knetmon_conn *c;

	if (new == TCP_SYN_RECV)
		c = knetmon_conn_get(sk, rec->time_boot, true);
	else
		c = knetmon_conn_lookup(sk);
	rec->cookie = knetmon_conn_cookie(c);
	knetmon_conn_event(bn, rec, lost, KNETMON_A_COUNTER_EVENTS_STATE);

	if (old == TCP_SYN_SENT && c && knetmon_conn_connecting(c) &&
	    (new == TCP_ESTABLISHED || new == TCP_CLOSE))
		knetmon_state_connect_outcome(bn, sk, c, rec, lost);
	if (new == TCP_CLOSE && knetmon_state_was_connected(old))
		knetmon_state_close(bn, sk, c, rec, lost);
	if (new == TCP_CLOSE && c)
		knetmon_conn_remove(c);
}

/* Nobody listens: a connection that ends still leaves the table. */
static void knetmon_state_forget(const struct sock *sk)
{
	struct knetmon_conn *c;
	unsigned long flags;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	c = knetmon_conn_lookup(sk);
	if (c)
		knetmon_conn_remove(c);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

static void knetmon_tcp_state(void *data, const struct sock *sk, const int oldstate,
			      const int newstate)
{
	struct knetmon_bind_rec rec;
	struct knetmon_binds_net *bn;
	unsigned long flags;

	if (!knetmon_is_tcp(sk))
		return;
	if (!knetmon_conn_events_listened(sock_net(sk))) {
		if (newstate == TCP_CLOSE && knetmon_conn_table_used())
			knetmon_state_forget(sk);
		return;
	}

	memset(&rec, 0, sizeof(rec));
	knetmon_state_rec_ids(&rec);
	knetmon_rec_tcp_state(&rec, sk, oldstate, newstate);

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	bn = knetmon_binds_net(sock_net(sk));	/* NULL: the netns comes or goes */
	if (bn)
		knetmon_state_events(bn, sk, &rec);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	if (bn)
		knetmon_bind_events_kick();
}

/* ---- connect() and accept() ------------------------------------------- */

/* The caller's ids, as the netns's listeners see them: kept with the owner. */
static void knetmon_conn_rec_caller(struct knetmon_bind_rec *rec, const struct sock *sk)
{
	knetmon_rec_task(rec);
	knetmon_rec_view_netns(rec, sock_net(sk));
	rec->view_fixed = true;
}

/*
 * Number and queue REC, an attempt or an accept of SK; OWN: SK's entry (a
 * fresh one if FRESH) gets REC's caller as owner.
 */
static void knetmon_conn_call_event(struct knetmon_bind_rec *rec, const struct sock *sk,
				    bool own, bool fresh, enum knetmon_counter_attr counter)
{
	u64 lost = knetmon_conn_probes_missed();
	struct knetmon_binds_net *bn;
	struct knetmon_conn *c;
	unsigned long flags;

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	bn = knetmon_binds_net(sock_net(sk));
	if (bn) {
		c = own ? knetmon_conn_get(sk, rec->time_boot, fresh) : NULL;
		if (c)
			knetmon_conn_own(c, rec);
		if (c && rec->kind == KNETMON_BIND_KIND_CONNECT)
			knetmon_conn_set_connecting(c, true);
		knetmon_conn_event(bn, rec, lost, counter);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	if (bn)
		knetmon_bind_events_kick();
}

/* tcp_v4_connect(sk, uaddr, len), tcp_v6_connect(): the same arguments. */
struct knetmon_connect_call {
	struct sock *sk;
	__be16 port;
	u8 addr[16];
};

static int knetmon_connect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_connect_call *call = (void *)ri->data;
	const struct sockaddr *uaddr = (void *)knetmon_probe_arg(regs, 1);
	int len = knetmon_probe_arg(regs, 2);

	call->sk = (struct sock *)knetmon_probe_arg(regs, 0);
	/* nobody to tell: no return handler, no trampoline (where probes stay armed) */
	if (!knetmon_conn_events_listened(sock_net(call->sk)))
		return 1;
	/* the kernel's copy of the user's sockaddr: where a failed call went */
	knetmon_sockaddr_read(uaddr, len, &call->port, call->addr);
	return 0;
}

static int knetmon_connect_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_connect_call *call = (void *)ri->data;
	struct sock *sk = call->sk;
	struct knetmon_bind_rec rec;
	int ret = (int)regs_return_value(regs);

	if (!knetmon_is_tcp(sk))
		return 0;

	memset(&rec, 0, sizeof(rec));
	knetmon_conn_rec_caller(&rec, sk);
	knetmon_rec_tcp_ends(&rec, sk, KNETMON_BIND_KIND_CONNECT);
	rec.result = ret ?: -EINPROGRESS;
	if (ret) {
		/* a failed call may have cleared the peer: report what was asked */
		rec.rport = call->port;
		memcpy(rec.raddr, call->addr, sizeof(rec.raddr));
	}
	knetmon_conn_call_event(&rec, sk, !ret, true, KNETMON_A_COUNTER_EVENTS_CONNECT);
	return 0;
}

/* tcp_v6_connect() hands a v4-mapped peer to tcp_v4_connect(): the outer call reports. */
static int knetmon_connect4_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_connect_call *call = (void *)ri->data;

	return call->sk->sk_family == AF_INET ? knetmon_connect_return(ri, regs) : 0;
}

/*
 * inet_csk_accept() returns the connection accept() hands over (its
 * arguments differ between 6.1 and 6.12; its result does not). A child the
 * peer already reset is reported, and gets no entry: it will not change
 * state again.
 */
static int knetmon_accept_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct sock *listener = (void *)knetmon_probe_arg(regs, 0);

	/* the child is in the listener's netns */
	return knetmon_conn_events_listened(sock_net(listener)) ? 0 : 1;
}

static int knetmon_accept_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_return_value(regs);
	struct knetmon_bind_rec rec;

	if (!sk || !knetmon_is_tcp(sk))
		return 0;
	memset(&rec, 0, sizeof(rec));
	knetmon_conn_rec_caller(&rec, sk);
	knetmon_rec_tcp_ends(&rec, sk, KNETMON_BIND_KIND_ACCEPT);
	knetmon_conn_call_event(&rec, sk, rec.state != TCP_CLOSE, false,
				KNETMON_A_COUNTER_EVENTS_ACCEPT);
	return 0;
}

struct knetmon_accept_call { };

static struct knetmon_kretprobe knetmon_conn_probes[] = {
	KNETMON_KRETPROBE("tcp_v4_connect", knetmon_connect_entry, knetmon_connect4_return,
			  knetmon_connect_call),
	KNETMON_KRETPROBE("tcp_v6_connect", knetmon_connect_entry, knetmon_connect_return,
			  knetmon_connect_call),
	KNETMON_KRETPROBE("inet_csk_accept", knetmon_accept_entry, knetmon_accept_return,
			  knetmon_accept_call),
};

/* Calls not seen (instances exhausted, a probe inside another's handler). */
u64 knetmon_tcp_conn_probes_missed(void)
{
	return knetmon_kretprobes_missed(knetmon_conn_probes, ARRAY_SIZE(knetmon_conn_probes));
}

void knetmon_tcp_conn_probes_arm(bool on)
{
	knetmon_kretprobes_arm(knetmon_conn_probes, ARRAY_SIZE(knetmon_conn_probes), on);
}

/*
 * TCP_CONNECT says both connect probes are placed: IPv6 sockets reach
 * v4-mapped peers through both. One alone still reports its own calls.
 */
static void knetmon_conn_probes_register(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(knetmon_conn_probes); i++) {
		knetmon_conn_probes[i].on_demand = KNETMON_CONN_PROBES_ON_DEMAND;
		knetmon_kretprobe_place(&knetmon_conn_probes[i]);
	}
	if (knetmon_conn_probes[0].placed && knetmon_conn_probes[1].placed)
		set_bit(KNETMON_FEAT_TCP_CONNECT, &knetmon_features);
	if (knetmon_conn_probes[2].placed)
		set_bit(KNETMON_FEAT_TCP_ACCEPT, &knetmon_features);
}

static void knetmon_conn_probes_unregister(void)
{
	clear_bit(KNETMON_FEAT_TCP_CONNECT, &knetmon_features);
	clear_bit(KNETMON_FEAT_TCP_ACCEPT, &knetmon_features);
	knetmon_kretprobes_remove(knetmon_conn_probes, ARRAY_SIZE(knetmon_conn_probes));
}

/* ---- start and stop ---------------------------------------------------- */

static void knetmon_find_state_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "inet_sock_set_state"))
		*(struct tracepoint **)priv = tp;
}

static int knetmon_state_tp_register(void)
{
	struct tracepoint *tp = NULL;
	int err;

	/* fails to build if the tracepoint's arguments ever change */
	check_trace_callback_type_inet_sock_set_state(knetmon_tcp_state);
	if (!knetmon_fault_injected("inet_sock_set_state"))
		for_each_kernel_tracepoint(knetmon_find_state_tp, &tp);
	if (!tp) {
		pr_notice("no tracepoint inet_sock_set_state: no TCP connection events\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(tp, knetmon_tcp_state, NULL);
	if (err) {
		pr_notice("cannot attach to inet_sock_set_state (%d): no TCP connection events\n",
			  err);
		return err;
	}
	knetmon_state_tp = tp;
	set_bit(KNETMON_FEAT_TCP_STATE, &knetmon_features);
	return 0;
}

/*
 * After the family: events are multicast on it. The probes only with the
 * tracepoint, which removes what they put in the connection table. A
 * kernel without them loses the features, not the load.
 */
void __init knetmon_tcp_conns_start(void)
{
	if (!knetmon_state_tp_register())
		knetmon_conn_probes_register();
}

/* Before the events stop: no probe runs once this returns, and no entry is left. */
void knetmon_tcp_conns_stop(void)
{
	knetmon_conn_probes_unregister();
	if (knetmon_state_tp) {
		clear_bit(KNETMON_FEAT_TCP_STATE, &knetmon_features);
		tracepoint_probe_unregister(knetmon_state_tp, knetmon_tcp_state, NULL);
		tracepoint_synchronize_unregister();
		knetmon_state_tp = NULL;
	}
	knetmon_conn_table_flush();
}
