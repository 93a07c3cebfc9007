// SPDX-License-Identifier: GPL-2.0
/*
 * Network changes from the kernel's notifier chains, no probes: links
 * (netdevice chain, under RTNL), IPv4 addresses (inetaddr, under RTNL) and
 * neighbours (netevent, atomic: timers and softirq move their states).
 * Each change is copied out while its notifier holds the object and goes
 * to the "changes" stream of the object's netns (bind_events.c), only when
 * someone listens there or to every netns.
 *
 * IPv6 addresses and routes come from rtnetlink instead (rtnl_changes.c):
 * the inet6addr chain tells an address when it is made, before duplicate
 * address detection, not when it becomes usable.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/neighbour.h>
#include <net/netevent.h>

#include "knetmon.h"
#include "bind_events.h"

/*
 * Registering a netdevice notifier replays REGISTER and UP for every
 * device, unregistering DOWN and UNREGISTER: those are no changes. Off
 * until every chain is joined, and before the first is left.
 */
static bool knetmon_changes_on;

static bool knetmon_changes_wanted(const struct net *net)
{
	return READ_ONCE(knetmon_changes_on) && knetmon_change_events_listened(net);
}

/* ---- links ------------------------------------------------------------ */

/* The netdevice events that are changes of a link, and what each means. */
static const struct {
	unsigned long event;
	u8 kind;
	u8 what;
} knetmon_link_events[] = {
	{ NETDEV_REGISTER,	KNETMON_CHANGE_KIND_LINK_NEW, 0 },
	{ NETDEV_UNREGISTER,	KNETMON_CHANGE_KIND_LINK_DEL, 0 },
	{ NETDEV_UP,		KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_UP },
	{ NETDEV_DOWN,		KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_DOWN },
	{ NETDEV_CHANGE,	KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_STATE },
	{ NETDEV_CHANGENAME,	KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_NAME },
	{ NETDEV_CHANGEMTU,	KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_MTU },
	{ NETDEV_CHANGEADDR,	KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_ADDRESS },
};

static void knetmon_link_copy(struct knetmon_change_link *l, const struct net_device *dev)
{
	l->flags = dev_get_flags(dev);
	l->mtu = READ_ONCE(dev->mtu);
	l->type = dev->type;
	l->operstate = READ_ONCE(dev->operstate);
	l->addr_len = min_t(unsigned int, dev->addr_len, sizeof(l->addr));
	memcpy(l->addr, dev->dev_addr, l->addr_len);
}

static int knetmon_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct knetmon_change_rec rec;
	int i;

	for (i = 0; i < ARRAY_SIZE(knetmon_link_events); i++)
		if (knetmon_link_events[i].event == event)
			break;
	if (i == ARRAY_SIZE(knetmon_link_events) || !knetmon_changes_wanted(dev_net(dev)))
		return NOTIFY_DONE;

	knetmon_change_rec_init(&rec, knetmon_link_events[i].kind, dev_net(dev), dev);
	rec.link_what = knetmon_link_events[i].what;
	knetmon_link_copy(&rec.link, dev);
	knetmon_change_event_queue(dev_net(dev), &rec);
	return NOTIFY_DONE;
}

/* ---- addresses -------------------------------------------------------- */

/* NETDEV_UP: added, NETDEV_DOWN: removed; 0 for anything else. */
static u8 knetmon_addr_kind(unsigned long event)
{
	return event == NETDEV_UP ? KNETMON_CHANGE_KIND_ADDR_NEW :
	       event == NETDEV_DOWN ? KNETMON_CHANGE_KIND_ADDR_DEL : 0;
}

static int knetmon_inetaddr_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	const struct in_ifaddr *ifa = ptr;
	struct net_device *dev = ifa->ifa_dev->dev;
	struct knetmon_change_rec rec;
	u8 kind = knetmon_addr_kind(event);

	if (!kind || !knetmon_changes_wanted(dev_net(dev)))
		return NOTIFY_DONE;
	knetmon_change_rec_init(&rec, kind, dev_net(dev), dev);
	rec.addr.family = AF_INET;
	memcpy(rec.addr.addr, &ifa->ifa_local, sizeof(ifa->ifa_local));
	rec.addr.prefixlen = ifa->ifa_prefixlen;
	rec.addr.scope = ifa->ifa_scope;
	rec.addr.flags = READ_ONCE(ifa->ifa_flags);
	knetmon_change_event_queue(dev_net(dev), &rec);
	return NOTIFY_DONE;
}

/* ---- neighbours ------------------------------------------------------- */

/* An entry as neigh_fill_info reads it; a dead one is being removed. */
static void knetmon_neigh_copy_change(struct knetmon_change_neigh *c, struct neighbour *n)
{
	const struct net_device *dev = n->dev;

	c->family = n->tbl->family;
	c->addr_len = min_t(unsigned int, n->tbl->key_len, sizeof(c->addr));
	memcpy(c->addr, n->primary_key, c->addr_len);
	c->state = READ_ONCE(n->nud_state);
	c->flags = READ_ONCE(n->flags) & 0xff;
	if (c->state & NUD_VALID) {
		c->lladdr_len = min_t(unsigned int, dev->addr_len, sizeof(c->lladdr));
		neigh_ha_snapshot(c->lladdr, n, dev);
	}
}

static int knetmon_netevent(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct knetmon_change_rec rec;
	struct neighbour *n = ptr;
	u8 family;

	if (event != NETEVENT_NEIGH_UPDATE)
		return NOTIFY_DONE;
	family = n->tbl->family;
	if ((family != AF_INET && family != AF_INET6) || !knetmon_changes_wanted(dev_net(n->dev)))
		return NOTIFY_DONE;
	knetmon_change_rec_init(&rec, READ_ONCE(n->dead) ? KNETMON_CHANGE_KIND_NEIGH_DEL :
					  KNETMON_CHANGE_KIND_NEIGH, dev_net(n->dev), n->dev);
	knetmon_neigh_copy_change(&rec.neigh, n);
	knetmon_change_event_queue(dev_net(n->dev), &rec);
	return NOTIFY_DONE;
}

/* ---- the chains ------------------------------------------------------- */

/*
 * First on their chains: rtnetlink announces a link's or an IPv4 address's
 * change before calling the chain, on whose later notifiers addrconf and
 * the FIB add and remove the addresses and routes that follow from it. So
 * the change itself comes before its consequences, as in `ip monitor`.
 */
static struct notifier_block knetmon_netdev_nb = {
	.notifier_call = knetmon_netdev_event,
	.priority = INT_MAX,
};
static struct notifier_block knetmon_inetaddr_nb = {
	.notifier_call = knetmon_inetaddr_event,
	.priority = INT_MAX,
};
static struct notifier_block knetmon_netevent_nb = { .notifier_call = knetmon_netevent };

/*
 * Of these, only the netdevice chain can refuse (its replay asks every
 * notifier); then there are no change events at all, said in the log and
 * by the missing feature bit.
 */
void knetmon_net_changes_start(void)
{
	int err = knetmon_fault_injected("netdevice_notifier") ? -EBUSY :
		  register_netdevice_notifier(&knetmon_netdev_nb);

	if (err) {
		pr_warn("no network change events: netdevice notifier: %d\n", err);
		return;
	}
	register_inetaddr_notifier(&knetmon_inetaddr_nb);
	register_netevent_notifier(&knetmon_netevent_nb);
	WRITE_ONCE(knetmon_changes_on, true);
	set_bit(KNETMON_FEAT_CHANGES, &knetmon_features);
}

/*
 * Leaving a blocking chain waits for its callers (RTNL, the chain's
 * rwsem), an atomic one for an RCU grace period: no handler runs once
 * this returns, and bind_events_stop() then sends what they queued.
 */
void knetmon_net_changes_stop(void)
{
	if (!test_and_clear_bit(KNETMON_FEAT_CHANGES, &knetmon_features))
		return;
	WRITE_ONCE(knetmon_changes_on, false);
	unregister_netevent_notifier(&knetmon_netevent_nb);
	unregister_inetaddr_notifier(&knetmon_inetaddr_nb);
	unregister_netdevice_notifier(&knetmon_netdev_nb);
}
