// SPDX-License-Identifier: GPL-2.0
/*
 * Which network namespace a request may see. A caller sees its own netns;
 * naming another one by its netns id (as the caller's netns knows it, like
 * `ip netns list-id`) needs CAP_NET_ADMIN over the user namespace that owns
 * it, the same rule rtnetlink applies to IFLA_TARGET_NETNSID.
 */
#include <linux/netlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "knetmon.h"

/*
 * The netns the request in SKB asks for, with a reference the caller drops
 * with put_net(), or an ERR_PTR with the reason in EXTACK.
 */
struct net *knetmon_request_net(const struct sk_buff *skb, struct nlattr **attrs,
				struct netlink_ext_ack *extack)
{
	struct nlattr *id_attr = attrs ? attrs[KNETMON_REQ_NETNS_ID] : NULL;
	struct net *own = sock_net(skb->sk);
	struct net *net;

	if (!id_attr)
		return get_net(own);

	net = get_net_ns_by_id(own, nla_get_s32(id_attr));
	if (!net) {
		NL_SET_ERR_MSG_ATTR(extack, id_attr, "no network namespace has this id");
		return ERR_PTR(-ENOENT);
	}
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		NL_SET_ERR_MSG_ATTR(extack, id_attr,
				    "another network namespace needs CAP_NET_ADMIN over it");
		return ERR_PTR(-EPERM);
	}
	return net;
}
