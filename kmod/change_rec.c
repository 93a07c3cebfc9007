// SPDX-License-Identifier: GPL-2.0
/* Network change records and their message (KNETMON_CMD_CHANGE_EVENT). */

#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "knetmon.h"
#include "bind_rec.h"
#include "change_rec.h"

void knetmon_change_rec_init(struct knetmon_change_rec *rec, u8 kind, const struct net *net,
			     const struct net_device *dev)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = kind;
	knetmon_time_now(&rec->time_real, &rec->time_boot);
	rec->netns_inum = net->ns.inum;
	rec->netns_cookie = net->net_cookie;
	if (!dev)
		return;
	rec->ifindex = dev->ifindex;
	/* a rename holds RTNL, as every netdevice notifier call does; other
	 * callers may not: a torn name is still a string */
	strscpy(rec->ifname, dev->name, sizeof(rec->ifname));
}

static int knetmon_change_put_link(struct sk_buff *skb, const struct knetmon_change_link *l)
{
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_CHANGE_LINK);

	if (!nest ||
	    nla_put_u32(skb, KNETMON_A_LINK_FLAGS, l->flags) ||
	    nla_put_u32(skb, KNETMON_A_LINK_MTU, l->mtu) ||
	    nla_put_u16(skb, KNETMON_A_LINK_TYPE, l->type) ||
	    nla_put_u8(skb, KNETMON_A_LINK_OPERSTATE, l->operstate) ||
	    (l->addr_len && nla_put(skb, KNETMON_A_LINK_ADDRESS, l->addr_len, l->addr)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int knetmon_change_put_addr(struct sk_buff *skb, const struct knetmon_change_addr *a)
{
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_CHANGE_ADDR);

	if (!nest ||
	    nla_put_u8(skb, KNETMON_A_ADDR_FAMILY, a->family) ||
	    nla_put(skb, KNETMON_A_ADDR_ADDRESS, a->family == AF_INET ? 4 : 16, a->addr) ||
	    nla_put_u8(skb, KNETMON_A_ADDR_PREFIXLEN, a->prefixlen) ||
	    nla_put_u8(skb, KNETMON_A_ADDR_SCOPE, a->scope) ||
	    nla_put_u32(skb, KNETMON_A_ADDR_FLAGS, a->flags))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int knetmon_change_put_neigh(struct sk_buff *skb, const struct knetmon_change_neigh *n)
{
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_CHANGE_NEIGH);

	if (!nest ||
	    nla_put_u8(skb, KNETMON_A_NEIGH_FAMILY, n->family) ||
	    nla_put(skb, KNETMON_A_NEIGH_ADDR, n->addr_len, n->addr) ||
	    (n->lladdr_len && nla_put(skb, KNETMON_A_NEIGH_LLADDR, n->lladdr_len, n->lladdr)) ||
	    nla_put_u16(skb, KNETMON_A_NEIGH_STATE, n->state) ||
	    nla_put_u8(skb, KNETMON_A_NEIGH_FLAGS, n->flags))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int knetmon_change_put_route(struct sk_buff *skb, const struct knetmon_change_rec *rec)
{
	const struct knetmon_change_route *r = &rec->route;
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_CHANGE_ROUTE);

	if (!nest || knetmon_route_put(skb, r->rtm, r->table, r->tb, rec->netns_inum))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The nest that the kind names. */
static int knetmon_change_put_object(struct sk_buff *skb, const struct knetmon_change_rec *rec)
{
	switch (rec->kind) {
	case KNETMON_CHANGE_KIND_LINK:
		if (nla_put_u8(skb, KNETMON_A_CHANGE_LINK_WHAT, rec->link_what))
			return -EMSGSIZE;
		fallthrough;
	case KNETMON_CHANGE_KIND_LINK_NEW:
	case KNETMON_CHANGE_KIND_LINK_DEL:
		return knetmon_change_put_link(skb, &rec->link);
	case KNETMON_CHANGE_KIND_ADDR_NEW:
	case KNETMON_CHANGE_KIND_ADDR_DEL:
		return knetmon_change_put_addr(skb, &rec->addr);
	case KNETMON_CHANGE_KIND_ROUTE_NEW:
	case KNETMON_CHANGE_KIND_ROUTE_DEL:
		return knetmon_change_put_route(skb, rec);
	default:
		return knetmon_change_put_neigh(skb, &rec->neigh);
	}
}

int knetmon_change_fill(struct sk_buff *skb, const struct knetmon_change_rec *rec, u8 cmd)
{
	void *hdr = genlmsg_put(skb, 0, 0, &knetmon_family, 0, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KNETMON_A_CHANGE_SEQ, rec->seq, KNETMON_A_CHANGE_PAD) ||
	    nla_put_u8(skb, KNETMON_A_CHANGE_KIND, rec->kind) ||
	    nla_put_u64_64bit(skb, KNETMON_A_CHANGE_TIME_REAL, rec->time_real,
			      KNETMON_A_CHANGE_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_CHANGE_TIME_BOOT, rec->time_boot,
			      KNETMON_A_CHANGE_PAD) ||
	    nla_put_u32(skb, KNETMON_A_CHANGE_NETNS, rec->netns_inum) ||
	    nla_put_u64_64bit(skb, KNETMON_A_CHANGE_NETNS_COOKIE, rec->netns_cookie,
			      KNETMON_A_CHANGE_PAD) ||
	    (rec->ifindex && (nla_put_u32(skb, KNETMON_A_CHANGE_IFINDEX, rec->ifindex) ||
			      nla_put_string(skb, KNETMON_A_CHANGE_IFNAME, rec->ifname))) ||
	    knetmon_change_put_object(skb, rec)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}
