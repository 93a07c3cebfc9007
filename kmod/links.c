// SPDX-License-Identifier: GPL-2.0
/*
 * GET_LINKS: every network device of the caller's netns (or of the one it
 * names, or of every netns, one after the other: netns.c says who may) with
 * its flags,
 * MTU, hardware address, counters and IPv4/IPv6 addresses.
 *
 * The walk runs under RCU, like /proc/net/dev. When the dump reaches a
 * netns it takes the ifindexes of its devices, sorted (an array charged to
 * the caller, 4 bytes a device); the cursor is the position in that array
 * and each device is looked up by its ifindex when its turn comes. So a
 * device that exists for the whole dump is sent exactly once whatever is
 * added or removed around it, and the dump costs n log n in the devices
 * however sparse their indexes (a search for the next index above the
 * last one was a full pass per device once gaps passed a few indexes).
 * Unlike rtnetlink, no NLM_F_DUMP_INTR when a device list changed under
 * the dump: nothing stable can be skipped or repeated, and a flag on every
 * change made `ifconfig` fail on a slow device (s390x under TCG) whose
 * interfaces came and went every 0.1 s, five dumps in a row.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sort.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>

#include "knetmon.h"

struct knetmon_links_ctx {
	struct net **nets;	/* held until .done */
	int n_nets;
	int refused;		/* -errno kept by .start (6.1), reported by dumpit */
	int net_idx;		/* index into nets */
	int *ifindex;		/* nets[net_idx]'s, sorted; NULL: not taken yet */
	u32 n_ifindex;
	u32 pos;		/* ifindex[pos] is the next to send */
};

static struct knetmon_links_ctx *knetmon_links_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_links_ctx);
	return (struct knetmon_links_ctx *)cb->ctx;
}

static int knetmon_fill_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct rtnl_link_stats64 st;
	struct nlattr *nest;

	dev_get_stats(dev, &st);
	nest = nla_nest_start(skb, KNETMON_A_LINK_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KNETMON_A_STATS_RX_PACKETS, st.rx_packets, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_TX_PACKETS, st.tx_packets, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_RX_BYTES, st.rx_bytes, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_TX_BYTES, st.tx_bytes, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_RX_ERRORS, st.rx_errors, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_TX_ERRORS, st.tx_errors, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_RX_DROPPED, st.rx_dropped, KNETMON_A_STATS_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_STATS_TX_DROPPED, st.tx_dropped, KNETMON_A_STATS_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int knetmon_fill_addr(struct sk_buff *skb, u8 family, const void *addr,
			     u8 prefixlen, u8 scope, u32 flags)
{
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_ADDR);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, KNETMON_A_ADDR_FAMILY, family) ||
	    nla_put(skb, KNETMON_A_ADDR_ADDRESS, family == AF_INET ? 4 : 16, addr) ||
	    nla_put_u8(skb, KNETMON_A_ADDR_PREFIXLEN, prefixlen) ||
	    nla_put_u8(skb, KNETMON_A_ADDR_SCOPE, scope) ||
	    nla_put_u32(skb, KNETMON_A_ADDR_FLAGS, flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int knetmon_fill_addrs4(struct sk_buff *skb, struct net_device *dev)
{
	struct in_device *in_dev = __in_dev_get_rcu(dev);
	const struct in_ifaddr *ifa;

	if (!in_dev)
		return 0;
	in_dev_for_each_ifa_rcu(ifa, in_dev) {
		if (knetmon_fill_addr(skb, AF_INET, &ifa->ifa_local, ifa->ifa_prefixlen,
				      ifa->ifa_scope, READ_ONCE(ifa->ifa_flags)))
			return -EMSGSIZE;
	}
	return 0;
}

/* IPv6 keeps IFA_* scope bits; report RT_SCOPE_* like rtnetlink does. */
static u8 knetmon_scope6(u16 scope)
{
	if (scope & IFA_HOST)
		return RT_SCOPE_HOST;
	if (scope & IFA_LINK)
		return RT_SCOPE_LINK;
	if (scope & IFA_SITE)
		return RT_SCOPE_SITE;
	return RT_SCOPE_UNIVERSE;
}

static int knetmon_fill_addrs6(struct sk_buff *skb, struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	const struct inet6_ifaddr *ifa;
	int err = 0;

	if (!idev)
		return 0;
	/* addr_list is protected by idev->lock, as in inet6_dump_addr */
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifa, &idev->addr_list, if_list) {
		err = knetmon_fill_addr(skb, AF_INET6, &ifa->addr, ifa->prefix_len,
					knetmon_scope6(ifa->scope), ifa->flags);
		if (err)
			break;
	}
	read_unlock_bh(&idev->lock);
	return err;
}

static int knetmon_fill_link(struct sk_buff *skb, struct netlink_callback *cb,
			     struct net_device *dev)
{
	struct nlattr *addrs;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_LINKS);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, KNETMON_A_LINK_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, KNETMON_A_LINK_NAME, dev->name) ||
	    nla_put_u32(skb, KNETMON_A_LINK_FLAGS, dev_get_flags(dev)) ||
	    nla_put_u32(skb, KNETMON_A_LINK_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u32(skb, KNETMON_A_LINK_TXQLEN, READ_ONCE(dev->tx_queue_len)) ||
	    nla_put_u16(skb, KNETMON_A_LINK_TYPE, dev->type) ||
	    nla_put_u8(skb, KNETMON_A_LINK_OPERSTATE, READ_ONCE(dev->operstate)) ||
	    nla_put_u32(skb, KNETMON_A_LINK_NETNS, dev_net(dev)->ns.inum))
		goto cancel;
	if (dev->addr_len &&
	    (nla_put(skb, KNETMON_A_LINK_ADDRESS, dev->addr_len, dev->dev_addr) ||
	     nla_put(skb, KNETMON_A_LINK_BROADCAST, dev->addr_len, dev->broadcast)))
		goto cancel;
	if (knetmon_fill_stats(skb, dev))
		goto cancel;

	addrs = nla_nest_start(skb, KNETMON_A_LINK_ADDRS);
	if (!addrs || knetmon_fill_addrs4(skb, dev) || knetmon_fill_addrs6(skb, dev))
		goto cancel;
	nla_nest_end(skb, addrs);

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int knetmon_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Take NET's ifindexes, sorted, into ctx->ifindex. */
static int knetmon_links_snapshot(struct knetmon_links_ctx *ctx, struct net *net)
{
	struct net_device *dev;
	u32 n, cap = 0;
	int *v = NULL;

	for (;;) {
		n = 0;
		rcu_read_lock();
		for_each_netdev_rcu(net, dev) {
			if (n < cap)
				v[n] = dev->ifindex;
			n++;
		}
		rcu_read_unlock();
		if (n <= cap)
			break;
		/* devices came meanwhile: room for them and some more */
		kvfree(v);
		cap = n + n / 4 + 8;
		v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
	}
	sort(v, n, sizeof(*v), knetmon_cmp_int, NULL);
	ctx->ifindex = v;
	ctx->n_ifindex = n;
	ctx->pos = 0;
	return 0;
}

static void knetmon_links_snapshot_free(struct knetmon_links_ctx *ctx)
{
	kvfree(ctx->ifindex);
	ctx->ifindex = NULL;
	ctx->n_ifindex = 0;
	ctx->pos = 0;
}

int knetmon_nl_get_links_start(struct netlink_callback *cb)
{
	struct knetmon_links_ctx *ctx = knetmon_links_ctx(cb);
	int err, n;

	memset(ctx, 0, sizeof(*ctx));
	err = knetmon_dump_check_start(cb, knetmon_dump_netns_check, &ctx->refused);
	if (err || ctx->refused)
		return err;
	n = knetmon_dump_nets(cb, knetmon_dump_attrs(cb), &ctx->nets);
	if (n < 0)
		return n;
	ctx->n_nets = n;
	return 0;
}

int knetmon_nl_get_links_done(struct netlink_callback *cb)
{
	struct knetmon_links_ctx *ctx = knetmon_links_ctx(cb);

	knetmon_links_snapshot_free(ctx);
	knetmon_put_nets(ctx->nets, ctx->n_nets);
	ctx->nets = NULL;
	ctx->n_nets = 0;
	return 0;
}

/* Send NET's devices from the cursor on; -EMSGSIZE when skb is full. */
static int knetmon_links_dump_net(struct sk_buff *skb, struct netlink_callback *cb,
				  struct net *net)
{
	struct knetmon_links_ctx *ctx = knetmon_links_ctx(cb);
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	for (; ctx->pos < ctx->n_ifindex; ctx->pos++) {
		dev = dev_get_by_index_rcu(net, ctx->ifindex[ctx->pos]);
		if (!dev)
			continue;	/* gone since the snapshot */
		err = knetmon_fill_link(skb, cb, dev);
		if (err)
			break;
	}
	rcu_read_unlock();
	return err;
}

int knetmon_nl_get_links_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_links_ctx *ctx = knetmon_links_ctx(cb);
	int err = 0;

	if (ctx->refused)
		return knetmon_dump_refused(cb, knetmon_dump_netns_check, ctx->refused);

	for (; ctx->net_idx < ctx->n_nets; ctx->net_idx++) {
		if (!ctx->ifindex) {
			err = knetmon_links_snapshot(ctx, ctx->nets[ctx->net_idx]);
			if (err)
				return err;
		}
		err = knetmon_links_dump_net(skb, cb, ctx->nets[ctx->net_idx]);
		if (err)
			break;
		knetmon_links_snapshot_free(ctx);
	}

	/* A full skb ends this round; a record too big for an empty one is an error. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

void knetmon_links_init(void)
{
	set_bit(KNETMON_FEAT_LINKS, &knetmon_features);
}

void knetmon_links_exit(void)
{
	clear_bit(KNETMON_FEAT_LINKS, &knetmon_features);
}
