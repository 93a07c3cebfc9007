// SPDX-License-Identifier: GPL-2.0
/*
 * Which network namespaces a request may see; the one place these rules
 * live.
 *
 * A caller sees its own netns. Naming another one, by its netns id (as the
 * caller's netns knows it, like `ip netns list-id`) or by an open netns
 * file of the caller (/proc/PID/ns/net, /var/run/netns/NAME, like
 * NETNSA_FD), needs CAP_NET_ADMIN over the user namespace that owns it, the
 * rule rtnetlink applies to IFLA_TARGET_NETNSID. Every netns at once
 * (KNETMON_REQF_ALL_NETNS) needs CAP_NET_ADMIN over the initial user
 * namespace, which owns every user namespace and so every netns.
 *
 * A netns file descriptor only means something in the requester's own
 * process: it is resolved in a dump's .start or first dumpit call, both of
 * which run in the sendmsg() of the request.
 */
#include <linux/netlink.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "knetmon.h"

/* Another netns than the requester's own needs CAP_NET_ADMIN over it. */
static struct net *knetmon_check_net(const struct sk_buff *skb, struct net *net,
				     const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (net_eq(net, sock_net(skb->sk)) ||
	    netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN))
		return net;
	put_net(net);
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "another network namespace needs CAP_NET_ADMIN over it");
	return ERR_PTR(-EPERM);
}

static struct net *knetmon_net_by_id(const struct sk_buff *skb, const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	struct net *net = get_net_ns_by_id(sock_net(skb->sk), nla_get_s32(attr));

	if (!net) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no network namespace has this id");
		return ERR_PTR(-ENOENT);
	}
	return knetmon_check_net(skb, net, attr, extack);
}

static struct net *knetmon_net_by_fd(const struct sk_buff *skb, const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	struct net *net = get_net_ns_by_fd(nla_get_s32(attr));

	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the netns fd is not an open network namespace file of the requester");
		return net;
	}
	return knetmon_check_net(skb, net, attr, extack);
}

/*
 * The netns the request in SKB asks for, with a reference the caller drops
 * with put_net(), or an ERR_PTR with the reason in EXTACK.
 */
struct net *knetmon_request_net(const struct sk_buff *skb, struct nlattr **attrs,
				struct netlink_ext_ack *extack)
{
	struct nlattr *id_attr = attrs ? attrs[KNETMON_REQ_NETNS_ID] : NULL;
	struct nlattr *fd_attr = attrs ? attrs[KNETMON_REQ_NETNS_FD] : NULL;

	if (id_attr && fd_attr) {
		NL_SET_ERR_MSG_ATTR(extack, fd_attr, "a netns id and a netns fd exclude each other");
		return ERR_PTR(-EINVAL);
	}
	if (id_attr)
		return knetmon_net_by_id(skb, id_attr, extack);
	if (fd_attr)
		return knetmon_net_by_fd(skb, fd_attr, extack);
	return get_net(sock_net(skb->sk));
}

/*
 * 0 when the request does not ask for every netns, 1 when it may, or
 * -errno with the reason in EXTACK.
 */
int knetmon_request_all_netns(const struct sk_buff *skb, struct nlattr **attrs,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *flags = attrs[KNETMON_REQ_FLAGS];

	if (!flags || !(nla_get_u32(flags) & KNETMON_REQF_ALL_NETNS))
		return 0;
	if (attrs[KNETMON_REQ_NETNS_ID] || attrs[KNETMON_REQ_NETNS_FD]) {
		NL_SET_ERR_MSG_ATTR(extack, flags,
				    "the all-netns flag and a netns id or fd exclude each other");
		return -EINVAL;
	}
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, flags,
				    "every netns needs CAP_NET_ADMIN over the initial user namespace");
		return -EPERM;
	}
	return 1;
}

/*
 * The netns selection of a dump, resolved in .start: one netns, or with
 * ALL every live netns. Returns the number of references in *NETS (free
 * with knetmon_put_nets()) or -errno. Called once knetmon_dump_netns_check()
 * has allowed the selection: an error here is memory, or a netns that went
 * away in between.
 */
int knetmon_dump_nets(struct netlink_callback *cb, struct nlattr **attrs, struct net ***nets)
{
	struct net *net, **v;
	int all;

	*nets = NULL;
	all = knetmon_request_all_netns(cb->skb, attrs, NULL);
	if (all < 0)
		return all;
	if (!all) {
		net = knetmon_request_net(cb->skb, attrs, NULL);
		if (IS_ERR(net))
			return PTR_ERR(net);
		v = kmalloc(sizeof(*v), GFP_KERNEL);
		if (!v) {
			put_net(net);
			return -ENOMEM;
		}
		v[0] = net;
		*nets = v;
		return 1;
	}

	return knetmon_all_nets(nets);
}

/*
 * A reference on every live netns into *NETS (free with knetmon_put_nets()):
 * their number, or -ENOMEM. Namespaces created later are not in it.
 */
int knetmon_all_nets(struct net ***nets)
{
	struct net *net, **v;
	int n = 0, max = 0;

	*nets = NULL;
	down_read(&net_rwsem);
	for_each_net(net)
		max++;
	v = kmalloc_array(max, sizeof(*v), GFP_KERNEL);
	if (v) {
		for_each_net(net) {
			/* a netns on its way out has no references left to take */
			if (n < max && maybe_get_net(net))
				v[n++] = net;
		}
	}
	up_read(&net_rwsem);
	if (!v)
		return -ENOMEM;
	*nets = v;
	return n;
}

void knetmon_put_nets(struct net **nets, int n)
{
	while (n > 0)
		put_net(nets[--n]);
	kfree(nets);
}

/*
 * Whether the request's netns selection is allowed, with the reason in
 * cb->extack when not: the netns part of every dump's check.
 */
int knetmon_dump_netns_check(struct netlink_callback *cb)
{
	struct nlattr **attrs = knetmon_dump_attrs(cb);
	struct net *net;
	int all;

	all = knetmon_request_all_netns(cb->skb, attrs, cb->extack);
	if (all)
		return all < 0 ? all : 0;
	net = knetmon_request_net(cb->skb, attrs, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	put_net(net);
	return 0;
}

/*
 * A dump's .start runs CHECK, the validation of its request. Where .start
 * has an extack (6.12) a refusal is returned at once, reason and all.
 * Where it has none (6.1) the error is kept in *REFUSED, .start succeeds,
 * and the first dumpit call, in the same sendmsg(), returns it through
 * knetmon_dump_refused() with the reason both kernels carry back.
 */
int knetmon_dump_check_start(struct netlink_callback *cb, knetmon_dump_check_fn check,
			     int *refused)
{
	int err = check(cb);

	*refused = 0;
	if (err && !KNETMON_START_HAS_EXTACK) {
		*refused = err;
		return 0;
	}
	return err;
}

/* The first dumpit of a dump .start refused: the same check, now with extack. */
int knetmon_dump_refused(struct netlink_callback *cb, knetmon_dump_check_fn check, int refused)
{
	return check(cb) ?: refused;
}
