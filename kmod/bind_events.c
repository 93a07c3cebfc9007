// SPDX-License-Identifier: GPL-2.0
/*
 * Bind events on the wire: per-netns sequence numbers, and batches.
 *
 * An event is appended to a pending batch, one skb holding several genl
 * messages, instead of getting an skb and a multicast of its own: under a
 * bind storm the allocation, the multicast and the listener's wakeup per
 * event cost as much as the probes themselves (docs/BENCHMARKS.md).
 *
 * Numbering and appending happen under the table's lock, so a batch holds
 * its events in sequence order. Sending does not: a batch that is complete
 * (full, one jiffy old, or cut because a request needs every numbered
 * event on its way) moves to one ready queue, still under the lock, and a
 * single sender at a time multicasts that queue in order from process
 * context. Netlink delivery may pass an nlmon tap's dev_queue_xmit(), which
 * must run with interrupts on; and a probe's handler is no place for it.
 *
 * Each netns has its own sequence and its own batch for the "binds" group;
 * the "binds_all" group has one batch, multicast in the initial netns.
 * Connection events are a second stream beside these, with groups,
 * sequences and batches of their own ("conns", "conns_all"), on the same
 * lock and the same sender: a bind listener is not woken by every TCP
 * handshake, and a connection listener sees no gap for a bind. Network
 * changes (links, addresses, neighbours) are a third ("changes",
 * "changes_all"), with a record of their own.
 */

#include <linux/hashtable.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "knetmon.h"
#include "bind_events.h"

struct knetmon_batch {
	struct sk_buff *skb;		/* NULL: nothing pending */
	u32 events;			/* in skb */
	struct list_head pending;	/* on knetmon_batches_pending while skb */
	struct net *net;		/* where it is multicast; NULL once gone */
	unsigned int group;
	u8 cmd;
	bool own_netns;			/* a netns's own group: ids as its listeners see them */
};

/* Each stream's groups and command. */
static const struct knetmon_stream_def {
	unsigned int group, group_all;
	u8 cmd;
} knetmon_streams[KNETMON_STREAMS] = {
	[KNETMON_STREAM_BINDS] = { KNETMON_MCGRP_BINDS_ID, KNETMON_MCGRP_BINDS_ALL_ID,
				   KNETMON_CMD_BIND_EVENT },
	[KNETMON_STREAM_CONNS] = { KNETMON_MCGRP_CONNS_ID, KNETMON_MCGRP_CONNS_ALL_ID,
				   KNETMON_CMD_CONN_EVENT },
	[KNETMON_STREAM_CHANGES] = { KNETMON_MCGRP_CHANGES_ID, KNETMON_MCGRP_CHANGES_ALL_ID,
				     KNETMON_CMD_CHANGE_EVENT },
};

struct knetmon_binds_net {
	u64 seq[KNETMON_STREAMS];
	u64 lost_seen[KNETMON_STREAMS];	/* probe misses already shown as a gap */
	u64 cookie;			/* the netns's */
	u32 inum;
	struct hlist_node by_cookie;	/* in knetmon_nets while the netns lives */
	struct knetmon_batch batch[KNETMON_STREAMS];	/* this netns's own groups */
};

/* What a ready skb carries in its cb until it is sent. */
struct knetmon_ready_cb {
	struct net *net;		/* held */
	u32 group;
	u32 events;
};

static unsigned int knetmon_binds_net_id;
/* Every netns's state by cookie, for a release whose socket is gone. */
static DEFINE_HASHTABLE(knetmon_nets, 6);
static u32 knetmon_nets_count;
static u64 knetmon_lost_total[KNETMON_STREAMS];
/* The "_all" groups' batches, multicast in the initial netns. */
static struct knetmon_batch knetmon_batch_all[KNETMON_STREAMS];
static LIST_HEAD(knetmon_batches_pending);

static struct sk_buff_head knetmon_ready;
static DEFINE_MUTEX(knetmon_send_mutex);	/* one sender: queue order kept */

/*
 * Batches waiting for the sender, at most (a megabyte of events): a sender
 * that cannot keep up, a kworker that a storm on every CPU starves, loses
 * batches, counted as unsent, rather than memory.
 */
#define KNETMON_READY_MAX 256

static void knetmon_send_fn(struct work_struct *work);
static DECLARE_WORK(knetmon_send_work, knetmon_send_fn);
static void knetmon_flush_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(knetmon_flush_work, knetmon_flush_fn);

struct knetmon_binds_net *knetmon_binds_net(const struct net *net)
{
	return net_generic(net, knetmon_binds_net_id);
}

struct knetmon_binds_net *knetmon_binds_net_find(u64 cookie)
{
	struct knetmon_binds_net *bn;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each_possible(knetmon_nets, bn, by_cookie, cookie)
		if (bn->cookie == cookie)
			return bn;
	return NULL;
}

/* ---- batches, under the table lock ------------------------------------ */

static void knetmon_batch_detach(struct knetmon_batch *b)
{
	list_del_init(&b->pending);
	b->skb = NULL;
	b->events = 0;
}

/* B's skb goes to the ready queue with a reference on its netns. */
static void knetmon_batch_close(struct knetmon_batch *b)
{
	struct knetmon_ready_cb *cb;
	struct sk_buff *skb = b->skb;
	u32 events = b->events;
	struct net *net;

	if (!skb)
		return;
	knetmon_batch_detach(b);
	net = events && skb_queue_len(&knetmon_ready) < KNETMON_READY_MAX ?
	      maybe_get_net(b->net) : NULL;
	if (!net) {
		atomic64_add(events, &knetmon_counters[KNETMON_A_COUNTER_EVENTS_UNSENT]);
		kfree_skb(skb);
		return;
	}
	cb = (struct knetmon_ready_cb *)skb->cb;
	cb->net = net;
	cb->group = b->group;
	cb->events = events;
	skb_queue_tail(&knetmon_ready, skb);
}

static void knetmon_batches_close_all(void)
{
	struct knetmon_batch *b, *tmp;

	list_for_each_entry_safe(b, tmp, &knetmon_batches_pending, pending)
		knetmon_batch_close(b);
}

/* EV's message into B's skb: a change record for the change stream, else a bind record. */
static int knetmon_batch_fill(struct knetmon_batch *b, const void *ev)
{
	if (b->cmd == KNETMON_CMD_CHANGE_EVENT)
		return knetmon_change_fill(b->skb, ev, b->cmd);
	/* a netns's own group gets ids as its listeners see them */
	return knetmon_bind_fill(b->skb, ev, b->own_netns, 0, 0, 0, b->cmd, NULL);
}

/* Append EV to B, starting a batch (one page) if none is pending. */
static int knetmon_batch_put(struct knetmon_batch *b, const void *ev)
{
	if (!b->skb) {
		b->skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
		if (!b->skb)
			return -ENOMEM;
		list_add_tail(&b->pending, &knetmon_batches_pending);
		/* a no-op while one is due: the oldest batch sets the deadline */
		queue_delayed_work(system_wq, &knetmon_flush_work, 1);
	}
	if (knetmon_batch_fill(b, ev))
		return -EMSGSIZE;
	b->events++;
	return 0;
}

static void knetmon_batch_add(struct knetmon_batch *b, const void *ev)
{
	int err;

	if (!b->net)
		return;		/* the netns is gone: no one can listen there */
	err = knetmon_batch_put(b, ev);
	if (err == -EMSGSIZE && b->events) {
		knetmon_batch_close(b);
		err = knetmon_batch_put(b, ev);
	}
	if (err)
		knetmon_count(KNETMON_A_COUNTER_EVENTS_UNSENT);
}

/* ---- the event path ---------------------------------------------------- */

/* Connection kinds go to the connection groups, the rest to the bind groups. */
static enum knetmon_stream knetmon_rec_stream(const struct knetmon_bind_rec *rec)
{
	return knetmon_kind_is_conn(rec->kind) ? KNETMON_STREAM_CONNS : KNETMON_STREAM_BINDS;
}

void knetmon_bind_event_number(struct knetmon_binds_net *bn, struct knetmon_bind_rec *rec,
			       u64 lost)
{
	enum knetmon_stream s = knetmon_rec_stream(rec);

	lockdep_assert_held(&knetmon_bind_table_lock);
	/*
	 * LOST is read before the lock: a CPU may bring an older count than
	 * one already seen. Only growth is a loss. Each stream has its own
	 * probes, and its own count of their misses.
	 */
	knetmon_lost_total[s] = max(knetmon_lost_total[s], lost);
	if (lost > bn->lost_seen[s]) {
		bn->lost_seen[s] = lost;
		bn->seq[s]++;	/* a number no event gets: the gap listeners see */
	}
	rec->seq = ++bn->seq[s];
}

/* BN's netns, if its own group of S has listeners (NULL once the netns is gone). */
static struct net *knetmon_netns_listened(struct knetmon_binds_net *bn, enum knetmon_stream s)
{
	struct net *net = bn->batch[s].net;

	return net && genl_has_listeners(&knetmon_family, net, knetmon_streams[s].group) ?
	       net : NULL;
}

static bool knetmon_all_listened(enum knetmon_stream s)
{
	return genl_has_listeners(&knetmon_family, &init_net, knetmon_streams[s].group_all);
}

bool knetmon_bind_event_wanted(struct knetmon_binds_net *bn)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	return knetmon_netns_listened(bn, KNETMON_STREAM_BINDS) ||
	       knetmon_all_listened(KNETMON_STREAM_BINDS);
}

/*
 * Through NET's state, as the bind path asks: a netns this module has not
 * set up, or has seen go, has no one to listen (and its genl socket may be
 * on its way out).
 */
static bool knetmon_stream_listened(const struct net *net, enum knetmon_stream s)
{
	struct knetmon_binds_net *bn;
	bool listened;

	rcu_read_lock();
	bn = knetmon_binds_net(net);
	listened = bn && knetmon_netns_listened(bn, s);
	rcu_read_unlock();
	return listened || knetmon_all_listened(s);
}

bool knetmon_conn_events_listened(const struct net *net)
{
	return knetmon_stream_listened(net, KNETMON_STREAM_CONNS);
}

void knetmon_bind_event_queue(struct knetmon_binds_net *bn, struct knetmon_bind_rec *rec)
{
	enum knetmon_stream s = knetmon_rec_stream(rec);
	struct net *net = knetmon_netns_listened(bn, s);

	lockdep_assert_held(&knetmon_bind_table_lock);
	if (net) {
		/* ids as this group's listeners see them: only when there are any */
		if (!rec->view_fixed)
			knetmon_rec_view_netns(rec, net);
		knetmon_batch_add(&bn->batch[s], rec);
	}
	if (knetmon_all_listened(s))
		knetmon_batch_add(&knetmon_batch_all[s], rec);
}

bool knetmon_change_events_listened(const struct net *net)
{
	return knetmon_stream_listened(net, KNETMON_STREAM_CHANGES);
}

void knetmon_change_event_queue(const struct net *net, struct knetmon_change_rec *rec)
{
	const enum knetmon_stream s = KNETMON_STREAM_CHANGES;
	struct knetmon_binds_net *bn;
	unsigned long flags;

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	bn = knetmon_binds_net(net);	/* NULL: the netns comes or goes */
	if (bn) {
		rec->seq = ++bn->seq[s];
		if (knetmon_netns_listened(bn, s))
			knetmon_batch_add(&bn->batch[s], rec);
		if (knetmon_all_listened(s))
			knetmon_batch_add(&knetmon_batch_all[s], rec);
		knetmon_count(KNETMON_A_COUNTER_EVENTS_CHANGE);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	if (bn)
		knetmon_bind_events_kick();
}

void knetmon_bind_events_kick(void)
{
	if (!skb_queue_empty_lockless(&knetmon_ready))
		queue_work(system_wq, &knetmon_send_work);
}

static u64 knetmon_events_cut_locked(const struct net *net, enum knetmon_stream s, u32 *ready)
{
	struct knetmon_binds_net *bn;
	u64 seq = 0;

	lockdep_assert_held(&knetmon_bind_table_lock);
	knetmon_batches_close_all();
	*ready = skb_queue_len(&knetmon_ready);
	rcu_read_lock();
	bn = knetmon_binds_net(net);
	if (bn)
		seq = bn->seq[s];
	rcu_read_unlock();
	return seq;
}

u64 knetmon_bind_events_cut_locked(const struct net *net, u32 *ready)
{
	return knetmon_events_cut_locked(net, KNETMON_STREAM_BINDS, ready);
}

u32 knetmon_binds_nets_count(void)
{
	return READ_ONCE(knetmon_nets_count);
}

int knetmon_bind_events_seqs_locked(struct knetmon_netns_seq *out, u32 n)
{
	struct knetmon_binds_net *bn;
	u32 i = 0;
	int bkt;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each(knetmon_nets, bkt, bn, by_cookie) {
		if (i == n)
			return -ENOSPC;
		out[i++] = (struct knetmon_netns_seq) {
			.cookie = bn->cookie, .seq = bn->seq[KNETMON_STREAM_BINDS],
			.inum = bn->inum,
		};
	}
	return i;
}

/* ---- sending, in process context -------------------------------------- */

/*
 * Multicast the ready queue in order, at most MAX batches (the rest is
 * newer than what the caller waits for, and the work sends it). A listener
 * whose buffer is full loses the whole batch: every event in it counts as
 * dropped, as the gap it leaves does.
 */
void knetmon_bind_events_send(u32 max)
{
	struct knetmon_ready_cb cb;
	struct sk_buff *skb;
	int err;

	mutex_lock(&knetmon_send_mutex);
	while (max-- && (skb = skb_dequeue(&knetmon_ready))) {
		cb = *(struct knetmon_ready_cb *)skb->cb;
		memset(skb->cb, 0, sizeof(skb->cb));
		err = genlmsg_multicast_netns(&knetmon_family, cb.net, skb, 0, cb.group,
					      GFP_KERNEL);
		if (err == -ENOBUFS)
			atomic64_add(cb.events,
				     &knetmon_counters[KNETMON_A_COUNTER_EVENTS_DROPPED]);
		put_net(cb.net);
	}
	mutex_unlock(&knetmon_send_mutex);
}

static void knetmon_send_fn(struct work_struct *work)
{
	knetmon_bind_events_send(U32_MAX);
}

/* Everything pending goes, and everything ready. */
static void knetmon_bind_events_flush(void)
{
	unsigned long flags;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	knetmon_batches_close_all();
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	knetmon_bind_events_send(U32_MAX);
}

/* The oldest pending batch is a jiffy old. */
static void knetmon_flush_fn(struct work_struct *work)
{
	knetmon_bind_events_flush();
}

static u64 knetmon_events_netns_seq(const struct net *net, enum knetmon_stream s)
{
	unsigned long flags;
	u32 ready;
	u64 seq;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	seq = knetmon_events_cut_locked(net, s, &ready);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	knetmon_bind_events_send(ready);
	return seq;
}

u64 knetmon_binds_netns_seq(const struct net *net)
{
	return knetmon_events_netns_seq(net, KNETMON_STREAM_BINDS);
}

u64 knetmon_conns_netns_seq(const struct net *net)
{
	return knetmon_events_netns_seq(net, KNETMON_STREAM_CONNS);
}

u64 knetmon_changes_netns_seq(const struct net *net)
{
	return knetmon_events_netns_seq(net, KNETMON_STREAM_CHANGES);
}

/* ---- per-netns state and its lifetime ---------------------------------- */

static void knetmon_batch_init(struct knetmon_batch *b, struct net *net, enum knetmon_stream s,
			       bool own_netns)
{
	INIT_LIST_HEAD(&b->pending);
	b->net = net;
	b->group = own_netns ? knetmon_streams[s].group : knetmon_streams[s].group_all;
	b->cmd = knetmon_streams[s].cmd;
	b->own_netns = own_netns;
}

static int __net_init knetmon_binds_net_init(struct net *net)
{
	struct knetmon_binds_net *bn = knetmon_binds_net(net);
	unsigned long flags;
	int s;

	for (s = 0; s < KNETMON_STREAMS; s++)
		knetmon_batch_init(&bn->batch[s], net, s, true);
	bn->cookie = net->net_cookie;
	bn->inum = net->ns.inum;
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	WRITE_ONCE(knetmon_nets_count, knetmon_nets_count + 1);
	/* misses before this netns existed are no gap of its own */
	memcpy(bn->lost_seen, knetmon_lost_total, sizeof(bn->lost_seen));
	hash_add(knetmon_nets, &bn->by_cookie, bn->cookie);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	return 0;
}

/* B's pending events go nowhere, counted as unsent; B takes no more. */
static void knetmon_batch_drop(struct knetmon_batch *b)
{
	if (b->skb) {
		atomic64_add(b->events, &knetmon_counters[KNETMON_A_COUNTER_EVENTS_UNSENT]);
		kfree_skb(b->skb);
		knetmon_batch_detach(b);
	}
	b->net = NULL;
}

/*
 * No socket is left in NET to listen: what is pending goes nowhere. Ready
 * batches hold a reference on their netns, so none of NET's is queued.
 */
static void __net_exit knetmon_binds_net_exit(struct net *net)
{
	struct knetmon_binds_net *bn = knetmon_binds_net(net);
	unsigned long flags;
	int s;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	for (s = 0; s < KNETMON_STREAMS; s++)
		knetmon_batch_drop(&bn->batch[s]);
	hash_del(&bn->by_cookie);
	WRITE_ONCE(knetmon_nets_count, knetmon_nets_count - 1);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

static struct pernet_operations knetmon_binds_net_ops = {
	.init	= knetmon_binds_net_init,
	.exit	= knetmon_binds_net_exit,
	.id	= &knetmon_binds_net_id,
	.size	= sizeof(struct knetmon_binds_net),
};

int knetmon_bind_events_init(void)
{
	int s;

	for (s = 0; s < KNETMON_STREAMS; s++)
		knetmon_batch_init(&knetmon_batch_all[s], &init_net, s, false);
	skb_queue_head_init(&knetmon_ready);
	return register_pernet_subsys(&knetmon_binds_net_ops);
}

/*
 * The probes are gone, so nothing starts a batch again: stop the work and
 * send what is pending while the family still exists.
 */
void knetmon_bind_events_stop(void)
{
	cancel_delayed_work_sync(&knetmon_flush_work);
	cancel_work_sync(&knetmon_send_work);
	knetmon_bind_events_flush();
}

void knetmon_bind_events_exit(void)
{
	unregister_pernet_subsys(&knetmon_binds_net_ops);
}
