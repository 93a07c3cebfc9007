// SPDX-License-Identifier: GPL-2.0
/*
 * TCP state changes, from the tracepoint sock:inet_sock_set_state (the
 * same on 6.1 and 6.12), as connection events (KNETMON_BIND_KIND_STATE)
 * on the "conns" and "conns_all" groups.
 *
 * A tracepoint rather than a probe: it costs a call where a kprobe costs a
 * trap, and it fires wherever the kernel changes a TCP socket's state,
 * inlined callers included. Its structure is not exported to modules, so
 * it is found by name among the kernel's tracepoints.
 *
 * The probe runs with preemption off, often in softirq with the socket's
 * lock held. With no connection listener it returns after a look-up of
 * the netns's state and two bitmap tests: a busy server pays next to
 * nothing until someone listens. Otherwise it builds the record on the
 * stack and numbers and queues it under the table lock as a bind probe
 * does; it never allocates but for the batch.
 *
 * What it cannot see: TIME_WAIT, which the kernel gives to a separate
 * timewait socket without this tracepoint (the full socket goes from
 * FIN_WAIT2 or CLOSING to CLOSE), and request sockets (NEW_SYN_RECV): a
 * passive open's first event is the child's LISTEN -> SYN_RECV.
 */

#include <linux/tracepoint.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <trace/events/sock.h>

#include "knetmon.h"
#include "bind_events.h"

static struct tracepoint *knetmon_state_tp;

/* The task that made the change: none when a softirq did (a peer's segment). */
static void knetmon_state_rec_ids(struct knetmon_bind_rec *rec)
{
	if (in_task())
		knetmon_rec_task(rec);
	else
		knetmon_rec_clock(rec);
}

static void knetmon_tcp_state(void *data, const struct sock *sk, const int oldstate,
			      const int newstate)
{
	struct knetmon_bind_rec rec;
	struct knetmon_binds_net *bn;
	unsigned long flags;

	/* SCTP, DCCP and MPTCP change their states through here too */
	if (sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return;
	if (!knetmon_conn_events_listened(sock_net(sk)))
		return;

	memset(&rec, 0, sizeof(rec));
	knetmon_state_rec_ids(&rec);
	knetmon_rec_tcp_state(&rec, sk, oldstate, newstate);

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	bn = knetmon_binds_net(sock_net(sk));	/* NULL: the netns comes or goes */
	if (bn) {
		knetmon_bind_event_number(bn, &rec, 0);
		knetmon_bind_event_queue(bn, &rec);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	if (bn) {
		knetmon_count(KNETMON_A_COUNTER_EVENTS_STATE);
		knetmon_bind_events_kick();
	}
}

static void knetmon_find_state_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "inet_sock_set_state"))
		*(struct tracepoint **)priv = tp;
}

/*
 * After the family: events are multicast on it. A kernel without the
 * tracepoint loses the feature, not the load.
 */
void __init knetmon_tcp_states_start(void)
{
	struct tracepoint *tp = NULL;
	int err;

	/* fails to build if the tracepoint's arguments ever change */
	check_trace_callback_type_inet_sock_set_state(knetmon_tcp_state);
	if (!knetmon_fault_injected("inet_sock_set_state"))
		for_each_kernel_tracepoint(knetmon_find_state_tp, &tp);
	if (!tp) {
		pr_notice("no tracepoint inet_sock_set_state: no TCP state events\n");
		return;
	}
	err = tracepoint_probe_register(tp, knetmon_tcp_state, NULL);
	if (err) {
		pr_notice("cannot attach to inet_sock_set_state (%d): no TCP state events\n", err);
		return;
	}
	knetmon_state_tp = tp;
	set_bit(KNETMON_FEAT_TCP_STATE, &knetmon_features);
}

/* Before the events stop: no probe runs once this returns. */
void knetmon_tcp_states_stop(void)
{
	if (!knetmon_state_tp)
		return;
	clear_bit(KNETMON_FEAT_TCP_STATE, &knetmon_features);
	tracepoint_probe_unregister(knetmon_state_tp, knetmon_tcp_state, NULL);
	tracepoint_synchronize_unregister();
	knetmon_state_tp = NULL;
}
