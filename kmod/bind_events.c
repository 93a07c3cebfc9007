// SPDX-License-Identifier: GPL-2.0
/*
 * Bind events on the wire: per-netns sequence numbers, and batches.
 *
 * An event is appended to a pending batch, one skb holding several genl
 * messages, instead of getting an skb and a multicast of its own: under a
 * bind storm the allocation, the multicast and the listener's wakeup per
 * event cost as much as the probes themselves (docs/BENCHMARKS.md). A batch
 * goes out when the next event does not fit, one jiffy after it was started
 * (a timer), and whenever a request needs every numbered event to be on its
 * way: GET_INFO's sequence number and GET_BINDS's snapshot, so a listener
 * never waits for events older than what it was just told.
 *
 * Each netns has its own sequence and its own batch for the "binds" group;
 * the "binds_all" group has one batch, multicast in the initial netns.
 * Everything here runs under knetmon_binds_lock: batches are filled and
 * sent in sequence order.
 */

#include <linux/timer.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "knetmon.h"
#include "binds.h"

struct knetmon_batch {
	struct sk_buff *skb;		/* NULL: nothing pending */
	u32 events;			/* in skb */
	struct list_head pending;	/* on knetmon_batches_pending while skb */
	struct net *net;		/* where it is multicast; NULL once closed */
	unsigned int group;
};

struct knetmon_binds_net {
	u64 seq;
	struct knetmon_batch batch;	/* the "binds" group of this netns */
};

static unsigned int knetmon_binds_net_id;
static struct knetmon_batch knetmon_batch_all = {
	.pending = LIST_HEAD_INIT(knetmon_batch_all.pending),
	.net	 = &init_net,
	.group	 = KNETMON_MCGRP_BINDS_ALL_ID,
};
static LIST_HEAD(knetmon_batches_pending);

static void knetmon_batch_timer_fn(struct timer_list *t);
static DEFINE_TIMER(knetmon_batch_timer, knetmon_batch_timer_fn);

struct knetmon_binds_net *knetmon_binds_net(const struct net *net)
{
	return net_generic(net, knetmon_binds_net_id);
}

/* ---- batches ---------------------------------------------------------- */

static void knetmon_batch_detach(struct knetmon_batch *b)
{
	list_del_init(&b->pending);
	b->skb = NULL;
	b->events = 0;
}

/*
 * Multicast what B holds. A listener whose buffer is full loses the whole
 * batch: every event in it counts as dropped, as the gap it leaves does.
 */
static void knetmon_batch_send(struct knetmon_batch *b)
{
	struct sk_buff *skb = b->skb;
	u32 events = b->events;
	int err;

	if (!skb)
		return;
	knetmon_batch_detach(b);
	if (!events) {
		kfree_skb(skb);
		return;
	}
	err = genlmsg_multicast_netns(&knetmon_family, b->net, skb, 0, b->group, GFP_ATOMIC);
	if (err == -ENOBUFS)
		atomic64_add(events, &knetmon_counters[KNETMON_A_COUNTER_EVENTS_DROPPED]);
}

static void knetmon_batches_send_all(void)
{
	struct knetmon_batch *b, *tmp;

	list_for_each_entry_safe(b, tmp, &knetmon_batches_pending, pending)
		knetmon_batch_send(b);
}

static void knetmon_batch_timer_fn(struct timer_list *t)
{
	unsigned long flags;

	spin_lock_irqsave(&knetmon_binds_lock, flags);
	knetmon_batches_send_all();
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
}

/* Append REC to B, starting a batch (one page) if none is pending. */
static int knetmon_batch_put(struct knetmon_batch *b, const struct knetmon_bind_rec *rec)
{
	if (!b->skb) {
		b->skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
		if (!b->skb)
			return -ENOMEM;
		list_add_tail(&b->pending, &knetmon_batches_pending);
		if (!timer_pending(&knetmon_batch_timer))
			mod_timer(&knetmon_batch_timer, jiffies + 1);
	}
	if (knetmon_bind_fill(b->skb, rec, 0, 0, 0, KNETMON_CMD_BIND_EVENT, NULL))
		return -EMSGSIZE;
	b->events++;
	return 0;
}

static void knetmon_batch_add(struct knetmon_batch *b, const struct knetmon_bind_rec *rec)
{
	int err;

	if (!b->net)
		return;		/* the netns is gone: no one can listen there */
	err = knetmon_batch_put(b, rec);
	if (err == -EMSGSIZE && b->events) {
		knetmon_batch_send(b);
		err = knetmon_batch_put(b, rec);
	}
	if (err)
		knetmon_count(KNETMON_A_COUNTER_EVENTS_UNSENT);
}

/* ---- the event path ---------------------------------------------------- */

/* Number REC in BN's netns and queue it for whoever listens. Under RCU. */
void knetmon_bind_event_queue(struct knetmon_binds_net *bn, struct net *net,
			      struct knetmon_bind_rec *rec)
{
	rec->seq = ++bn->seq;
	if (genl_has_listeners(&knetmon_family, net, KNETMON_MCGRP_BINDS_ID))
		knetmon_batch_add(&bn->batch, rec);
	if (genl_has_listeners(&knetmon_family, &init_net, KNETMON_MCGRP_BINDS_ALL_ID))
		knetmon_batch_add(&knetmon_batch_all, rec);
}

/* The last sequence number given in NET; every event up to it is sent. */
u64 knetmon_binds_netns_seq_locked(const struct net *net)
{
	struct knetmon_binds_net *bn;
	u64 seq = 0;

	knetmon_batches_send_all();
	rcu_read_lock();
	bn = knetmon_binds_net(net);
	if (bn)
		seq = bn->seq;
	rcu_read_unlock();
	return seq;
}

u64 knetmon_binds_netns_seq(const struct net *net)
{
	unsigned long flags;
	u64 seq;

	spin_lock_irqsave(&knetmon_binds_lock, flags);
	seq = knetmon_binds_netns_seq_locked(net);
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
	return seq;
}

/* ---- per-netns state and its lifetime ---------------------------------- */

static int __net_init knetmon_binds_net_init(struct net *net)
{
	struct knetmon_binds_net *bn = knetmon_binds_net(net);

	INIT_LIST_HEAD(&bn->batch.pending);
	bn->batch.group = KNETMON_MCGRP_BINDS_ID;
	bn->batch.net = net;
	return 0;
}

/* No socket is left in NET to listen: what is pending goes nowhere. */
static void __net_exit knetmon_binds_net_exit(struct net *net)
{
	struct knetmon_binds_net *bn = knetmon_binds_net(net);
	unsigned long flags;

	spin_lock_irqsave(&knetmon_binds_lock, flags);
	if (bn->batch.skb) {
		atomic64_add(bn->batch.events,
			     &knetmon_counters[KNETMON_A_COUNTER_EVENTS_UNSENT]);
		kfree_skb(bn->batch.skb);
		knetmon_batch_detach(&bn->batch);
	}
	bn->batch.net = NULL;
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
}

static struct pernet_operations knetmon_binds_net_ops = {
	.init	= knetmon_binds_net_init,
	.exit	= knetmon_binds_net_exit,
	.id	= &knetmon_binds_net_id,
	.size	= sizeof(struct knetmon_binds_net),
};

int knetmon_bind_events_init(void)
{
	return register_pernet_subsys(&knetmon_binds_net_ops);
}

/*
 * The probes are gone, so nothing starts a batch again: stop the timer and
 * send what is pending while the family still exists.
 */
void knetmon_bind_events_stop(void)
{
	unsigned long flags;

	timer_shutdown_sync(&knetmon_batch_timer);
	spin_lock_irqsave(&knetmon_binds_lock, flags);
	knetmon_batches_send_all();
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
}

void knetmon_bind_events_exit(void)
{
	unregister_pernet_subsys(&knetmon_binds_net_ops);
}
