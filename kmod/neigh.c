// SPDX-License-Identifier: GPL-2.0
/*
 * GET_NEIGH: the ARP (arp_tbl) and NDP (nd_tbl) caches of the caller's netns,
 * of the one it names or of every netns (netns.c says who may). The tables
 * are shared by every netns: one walk serves any selection.
 *
 * neigh_for_each() is the exported walker, but it visits the whole table in
 * one go under the table lock and offers no position to resume from. So
 * .start copies the caller's entries of both tables into an array (a
 * consistent snapshot per table, taken under tbl->lock like the kernel's own
 * walkers) and the dump emits the array with an index cursor: nothing is
 * skipped or repeated however many skbs the dump takes.
 *
 * Proxy entries (pneigh, `ip neigh add proxy`) live in separate tables that
 * are not exported; they are not included, as in `ip neigh show`.
 */

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <net/ndisc.h>
#include <net/neighbour.h>

#include "knetmon.h"

/* Upper bound on the entries one dump copies (each about 80 bytes). */
#define KNETMON_NEIGH_MAX	(1 << 18)

struct knetmon_neigh_rec {
	u8 family;
	u8 addr_len;
	u8 lladdr_len;
	u8 flags;
	u16 state;
	int ifindex;
	u32 netns;		/* inode */
	u32 used_ms;
	u32 confirmed_ms;
	u32 updated_ms;
	u8 addr[16];
	u8 lladdr[MAX_ADDR_LEN];
};

struct knetmon_neigh_snap {
	struct net *net;	/* NULL: every netns */
	unsigned long now;
	unsigned int n, max;
	bool overflow;
	struct knetmon_neigh_rec recs[];
};

struct knetmon_neigh_ctx {
	struct knetmon_neigh_snap *snap;
	unsigned int pos;	/* next record to send */
	int refused;		/* -errno: the netns selection, reported by dumpit */
};

static u32 knetmon_age_ms(unsigned long now, unsigned long then)
{
	return jiffies_to_msecs(time_after(now, then) ? now - then : 0);
}

/* neigh_for_each() callback: bh off, tbl->lock held for reading. */
static void knetmon_neigh_copy(struct neighbour *n, void *arg)
{
	struct knetmon_neigh_snap *snap = arg;
	struct net_device *dev = n->dev;
	struct knetmon_neigh_rec *r;

	if (snap->net && !net_eq(dev_net(dev), snap->net))
		return;
	if (snap->n == snap->max) {
		snap->overflow = true;
		return;
	}
	r = &snap->recs[snap->n++];
	memset(r, 0, sizeof(*r));
	r->family = n->tbl->family;
	r->addr_len = min_t(unsigned int, n->tbl->key_len, sizeof(r->addr));
	memcpy(r->addr, n->primary_key, r->addr_len);
	r->ifindex = dev->ifindex;
	r->netns = dev_net(dev)->ns.inum;

	/* state, flags and times as neigh_fill_info reads them */
	read_lock(&n->lock);
	r->state = n->nud_state;
	r->flags = n->flags & 0xff;
	r->used_ms = knetmon_age_ms(snap->now, READ_ONCE(n->used));
	r->confirmed_ms = knetmon_age_ms(snap->now, n->confirmed);
	r->updated_ms = knetmon_age_ms(snap->now, n->updated);
	if (r->state & NUD_VALID) {
		r->lladdr_len = min_t(unsigned int, dev->addr_len, sizeof(r->lladdr));
		neigh_ha_snapshot(r->lladdr, n, dev);
	}
	read_unlock(&n->lock);
}

static struct knetmon_neigh_snap *knetmon_neigh_snapshot(struct net *net)
{
	struct knetmon_neigh_snap *snap;
	unsigned int max, tries;

	for (tries = 0; tries < 4; tries++) {
		/* every netns counts in tbl->entries: enough room plus slack */
		max = atomic_read(&arp_tbl.entries) + atomic_read(&nd_tbl.entries) + 64;
		max = min_t(unsigned int, max << tries, KNETMON_NEIGH_MAX);
		snap = kvzalloc(struct_size(snap, recs, max), GFP_KERNEL);
		if (!snap)
			return ERR_PTR(-ENOMEM);
		snap->net = net;
		snap->max = max;
		snap->now = jiffies;
		neigh_for_each(&arp_tbl, knetmon_neigh_copy, snap);
		neigh_for_each(&nd_tbl, knetmon_neigh_copy, snap);
		if (!snap->overflow)
			return snap;
		kvfree(snap);
		if (max == KNETMON_NEIGH_MAX)
			break;
	}
	return ERR_PTR(-E2BIG);
}

int knetmon_nl_get_neigh_start(struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = (void *)cb->ctx;
	struct knetmon_neigh_snap *snap;
	struct net *net = NULL;
	int all;

	memset(ctx, 0, sizeof(*ctx));
	ctx->refused = knetmon_dump_inet_family(cb);
	if (ctx->refused)
		return 0;
	all = knetmon_request_all_netns(cb->skb, knetmon_dump_attrs(cb), NULL);
	if (!all)
		net = knetmon_request_net(cb->skb, knetmon_dump_attrs(cb), NULL);
	if (all < 0 || IS_ERR(net)) {
		ctx->refused = all < 0 ? all : PTR_ERR(net);
		return 0;
	}
	/* the snapshot is a copy: the netns is needed only while taking it */
	snap = knetmon_neigh_snapshot(net);
	if (net)
		put_net(net);
	if (IS_ERR(snap)) {
		if (PTR_ERR(snap) == -E2BIG)
			NL_SET_ERR_MSG(cb->extack, "neighbours: tables too large to snapshot");
		return PTR_ERR(snap);
	}
	ctx->snap = snap;
	ctx->pos = 0;
	return 0;
}

int knetmon_nl_get_neigh_done(struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = (void *)cb->ctx;

	kvfree(ctx->snap);
	ctx->snap = NULL;
	return 0;
}

static int knetmon_fill_neigh(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct knetmon_neigh_rec *r)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_NEIGH);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u8(skb, KNETMON_A_NEIGH_FAMILY, r->family) ||
	    nla_put(skb, KNETMON_A_NEIGH_ADDR, r->addr_len, r->addr) ||
	    (r->lladdr_len && nla_put(skb, KNETMON_A_NEIGH_LLADDR, r->lladdr_len, r->lladdr)) ||
	    nla_put_u32(skb, KNETMON_A_NEIGH_IFINDEX, r->ifindex) ||
	    nla_put_u16(skb, KNETMON_A_NEIGH_STATE, r->state) ||
	    nla_put_u8(skb, KNETMON_A_NEIGH_FLAGS, r->flags) ||
	    nla_put_u32(skb, KNETMON_A_NEIGH_USED_MS, r->used_ms) ||
	    nla_put_u32(skb, KNETMON_A_NEIGH_CONFIRMED_MS, r->confirmed_ms) ||
	    nla_put_u32(skb, KNETMON_A_NEIGH_UPDATED_MS, r->updated_ms) ||
	    nla_put_u32(skb, KNETMON_A_NEIGH_NETNS, r->netns)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int knetmon_nl_get_neigh_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = (void *)cb->ctx;
	struct nlattr **attrs = knetmon_dump_attrs(cb);
	const struct knetmon_neigh_snap *snap = ctx->snap;
	u8 family = 0;
	int err = 0;

	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_neigh_ctx);

	if (ctx->refused)
		return knetmon_dump_inet_family(cb) ?:
		       knetmon_dump_refusal(cb, attrs, ctx->refused);
	if (attrs[KNETMON_REQ_FAMILY])
		family = nla_get_u8(attrs[KNETMON_REQ_FAMILY]);

	for (; ctx->pos < snap->n; ctx->pos++) {
		const struct knetmon_neigh_rec *r = &snap->recs[ctx->pos];

		if (family && r->family != family)
			continue;
		err = knetmon_fill_neigh(skb, cb, r);
		if (err)
			break;
	}
	if (err && !skb->len)
		return err;
	return skb->len;
}

void knetmon_neigh_init(void)
{
	set_bit(KNETMON_FEAT_NEIGH, &knetmon_features);
}

void knetmon_neigh_exit(void)
{
	clear_bit(KNETMON_FEAT_NEIGH, &knetmon_features);
}
