// SPDX-License-Identifier: GPL-2.0
/*
 * Routes and usable IPv6 addresses as rtnetlink announces them: a kernel
 * NETLINK_ROUTE socket in each netns joins the IPv4 and IPv6 route groups
 * and the IPv6 address group, and its data_ready turns each message into a
 * change event at once. Netlink delivers a multicast in the sender's own
 * context, so these events keep their order among the notifier-made ones
 * (net_changes.c): `ip addr add` is an address, then its routes.
 *
 * Why not notifier chains here: the FIB chain tells only the route that
 * offloading hardware would use (the first of each prefix, on 6.1 and 6.12
 * alike: a second route to a prefix is never told, see route.c), and the
 * inet6addr chain tells an IPv6 address when it is made, tentative, not
 * when duplicate address detection makes it usable. rtnetlink says both,
 * and `ip monitor` users compare with exactly that.
 *
 * A netns whose socket cannot be made is not refused for it: it has no
 * route or IPv6 address events, counted in CHANGES_UNHEARD.
 */

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netlink.h>
#include <net/rtnh.h>
#include <net/sock.h>

#include "knetmon.h"
#include "bind_events.h"

/* the legacy group bitmask of bind(); the kernel has no RTMGRP_* names */
#define KNETMON_RTNL_GROUP(g)	(1u << ((g) - 1))
#define KNETMON_RTNL_GROUPS	(KNETMON_RTNL_GROUP(RTNLGRP_IPV4_ROUTE) |	\
				 KNETMON_RTNL_GROUP(RTNLGRP_IPV6_ROUTE) |	\
				 KNETMON_RTNL_GROUP(RTNLGRP_IPV6_IFADDR))

struct knetmon_rtnl_net {
	struct socket *sock;	/* NULL: none could be made */
};

static unsigned int knetmon_rtnl_net_id;

/* ---- routes ----------------------------------------------------------- */

/* The device of a route's first next hop, if it has one (RCU held). */
static struct net_device *knetmon_route_dev(struct net *net, struct nlattr **tb)
{
	int ifindex = 0;

	if (tb[RTA_OIF]) {
		ifindex = nla_get_u32(tb[RTA_OIF]);
	} else if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *rtnh = nla_data(tb[RTA_MULTIPATH]);

		if (rtnh_ok(rtnh, nla_len(tb[RTA_MULTIPATH])))
			ifindex = rtnh->rtnh_ifindex;
	}
	return ifindex ? dev_get_by_index_rcu(net, ifindex) : NULL;
}

static void knetmon_rtnl_route(struct net *net, const struct nlmsghdr *nlh, u8 kind)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct knetmon_change_rec rec;
	const struct rtmsg *rtm;
	u32 table;

	rtm = knetmon_route_parse(nlh, tb, &table);
	if (!rtm)
		return;
	rcu_read_lock();
	knetmon_change_rec_init(&rec, kind, net, knetmon_route_dev(net, tb));
	rcu_read_unlock();
	rec.route = (struct knetmon_change_route){ .rtm = rtm, .tb = tb, .table = table };
	knetmon_change_event_queue(net, &rec);
}

/* ---- IPv6 addresses --------------------------------------------------- */

static const struct nla_policy knetmon_ifa6_policy[IFA_MAX + 1] = {
	[IFA_ADDRESS]	= NLA_POLICY_EXACT_LEN(16),
	[IFA_LOCAL]	= NLA_POLICY_EXACT_LEN(16),
	[IFA_FLAGS]	= { .type = NLA_U32 },
};

static void knetmon_rtnl_addr6(struct net *net, const struct nlmsghdr *nlh, u8 kind)
{
	struct nlattr *tb[IFA_MAX + 1];
	struct knetmon_change_rec rec;
	const struct ifaddrmsg *ifm;
	const struct nlattr *addr;

	if (nlmsg_len(nlh) < (int)sizeof(*ifm))
		return;
	ifm = nlmsg_data(nlh);
	if (ifm->ifa_family != AF_INET6 ||
	    nlmsg_parse_deprecated(nlh, sizeof(*ifm), tb, IFA_MAX, knetmon_ifa6_policy, NULL))
		return;
	/* with a peer, IFA_LOCAL is the address and IFA_ADDRESS the peer's */
	addr = tb[IFA_LOCAL] ?: tb[IFA_ADDRESS];
	if (!addr || nla_len(addr) != 16)
		return;
	rcu_read_lock();
	knetmon_change_rec_init(&rec, kind, net, dev_get_by_index_rcu(net, ifm->ifa_index));
	rcu_read_unlock();
	rec.addr.family = AF_INET6;
	memcpy(rec.addr.addr, nla_data(addr), 16);
	rec.addr.prefixlen = ifm->ifa_prefixlen;
	rec.addr.scope = ifm->ifa_scope;
	rec.addr.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifm->ifa_flags;
	knetmon_change_event_queue(net, &rec);
}

/* ---- the socket ------------------------------------------------------- */

static void knetmon_rtnl_msg(struct net *net, const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
		knetmon_rtnl_route(net, nlh, KNETMON_CHANGE_KIND_ROUTE_NEW);
		break;
	case RTM_DELROUTE:
		knetmon_rtnl_route(net, nlh, KNETMON_CHANGE_KIND_ROUTE_DEL);
		break;
	case RTM_NEWADDR:
		knetmon_rtnl_addr6(net, nlh, KNETMON_CHANGE_KIND_ADDR_NEW);
		break;
	case RTM_DELADDR:
		knetmon_rtnl_addr6(net, nlh, KNETMON_CHANGE_KIND_ADDR_DEL);
		break;
	}
}

/*
 * A multicast was queued to the socket: in the sender's context (under
 * RTNL, or in softirq for an IPv6 route a router advertisement made), so
 * nothing here sleeps. Nobody listening: the copy goes unread.
 */
static void knetmon_rtnl_data_ready(struct sock *sk)
{
	struct net *net = sock_net(sk);
	struct nlmsghdr *nlh;
	struct sk_buff *skb;
	int rem;

	while ((skb = skb_dequeue(&sk->sk_receive_queue))) {
		if (knetmon_change_events_listened(net))
			nlmsg_for_each_msg(nlh, (struct nlmsghdr *)skb->data, skb->len, rem)
				knetmon_rtnl_msg(net, nlh);
		consume_skb(skb);
	}
}

static int __net_init knetmon_rtnl_net_init(struct net *net)
{
	struct knetmon_rtnl_net *rn = net_generic(net, knetmon_rtnl_net_id);
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_groups = KNETMON_RTNL_GROUPS };
	struct socket *sock;
	int err;

	/* a kernel socket holds no reference on NET: it goes in .exit */
	err = knetmon_fault_injected("rtnl_socket") ? -ENOMEM :
	      sock_create_kern(net, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &sock);
	if (err)
		goto unheard;
	sock->sk->sk_data_ready = knetmon_rtnl_data_ready;	/* nothing comes before bind */
	err = kernel_bind(sock, (struct sockaddr *)&snl, sizeof(snl));
	if (err) {
		sock_release(sock);
		goto unheard;
	}
	rn->sock = sock;
	return 0;

unheard:
	knetmon_count(KNETMON_A_COUNTER_CHANGES_UNHEARD);
	return 0;
}

/*
 * Releasing the socket takes it off the group list under the netlink
 * table's write lock, which waits for every broadcast in progress: no
 * data_ready runs once it returns.
 */
static void __net_exit knetmon_rtnl_net_exit(struct net *net)
{
	struct knetmon_rtnl_net *rn = net_generic(net, knetmon_rtnl_net_id);

	if (rn->sock)
		sock_release(rn->sock);
	rn->sock = NULL;
}

static struct pernet_operations knetmon_rtnl_net_ops = {
	.init	= knetmon_rtnl_net_init,
	.exit	= knetmon_rtnl_net_exit,
	.id	= &knetmon_rtnl_net_id,
	.size	= sizeof(struct knetmon_rtnl_net),
};

void knetmon_rtnl_changes_start(void)
{
	int err = register_pernet_subsys(&knetmon_rtnl_net_ops);

	if (err) {
		pr_warn("no route or IPv6 address events: %d\n", err);
		return;
	}
	set_bit(KNETMON_FEAT_CHANGES_RTNL, &knetmon_features);
}

void knetmon_rtnl_changes_stop(void)
{
	if (test_and_clear_bit(KNETMON_FEAT_CHANGES_RTNL, &knetmon_features))
		unregister_pernet_subsys(&knetmon_rtnl_net_ops);
}
