// SPDX-License-Identifier: GPL-2.0
/*
 * GET_NEIGH: the ARP (arp_tbl) and NDP (nd_tbl) caches of the caller's netns,
 * of the one it names or of every netns (netns.c says who may). The tables
 * are shared by every netns: one walk serves any selection.
 *
 * The tables are walked the way rtnetlink's neighbour dump walks them:
 * bucket by bucket of tbl->nht under rcu_read_lock_bh (neighbours and hash
 * tables are freed after an RCU grace period), a few hundred buckets per
 * read-side section at most. A bucket's wanted entries are copied into a
 * small array (charged to the caller, grown to the largest bucket seen,
 * about 80 bytes an entry) and sent from it, across skbs if need be, so a
 * bucket is one snapshot and an entry present for the whole dump is sent
 * once. The cursor is (table, bucket); when the hash table is resized
 * between two calls the bucket numbers mean other chains, and what follows
 * carries NLM_F_DUMP_INTR (the CLI runs the dump again).
 *
 * So a dump costs the caller memory in proportion to one bucket, not to
 * every netns's entries, and never holds a table lock: an unread dump pins
 * next to nothing, and the tables' writers never wait for a reader.
 *
 * Proxy entries (pneigh, `ip neigh add proxy`) live in separate tables that
 * are not exported; they are not included, as in `ip neigh show`.
 */

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <net/ndisc.h>
#include <net/neighbour.h>

#include "knetmon.h"

/* Buckets looked at per RCU read-side section. */
#define KNETMON_NEIGH_BUCKETS_PER_LOCK	256
/* Entries of a bucket copied at first; grown to the largest bucket seen. */
#define KNETMON_NEIGH_RECS_INITIAL	16

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

/* A dump's request, cursor and the bucket being sent, from .start to .done. */
struct knetmon_neigh_dump {
	struct net *net;	/* held; NULL: every netns */
	u8 family;		/* 0: both tables */
	u8 table;		/* index into knetmon_neigh_tables */
	u32 bucket;		/* the next bucket to copy */
	unsigned int hash_shift;	/* of the hash table bucket numbers refer to */
	u32 hash_rnd;
	unsigned long now;
	struct knetmon_neigh_rec *recs;	/* recs[next..n) not sent yet */
	u32 cap, n, next;
};

struct knetmon_neigh_ctx {
	struct knetmon_neigh_dump *d;
	int refused;		/* -errno kept by .start (6.1), reported by dumpit */
};

static struct knetmon_neigh_ctx *knetmon_neigh_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_neigh_ctx);
	return (struct knetmon_neigh_ctx *)cb->ctx;
}

static struct neigh_table *const knetmon_neigh_tables[] = { &arp_tbl, &nd_tbl };

static u32 knetmon_age_ms(unsigned long now, unsigned long then)
{
	return jiffies_to_msecs(time_after(now, then) ? now - then : 0);
}

/* Copy N into R; under rcu_read_lock_bh. */
static void knetmon_neigh_copy(struct knetmon_neigh_rec *r, struct neighbour *n,
			       unsigned long now)
{
	struct net_device *dev = n->dev;

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
	r->used_ms = knetmon_age_ms(now, READ_ONCE(n->used));
	r->confirmed_ms = knetmon_age_ms(now, n->confirmed);
	r->updated_ms = knetmon_age_ms(now, n->updated);
	if (r->state & NUD_VALID) {
		r->lladdr_len = min_t(unsigned int, dev->addr_len, sizeof(r->lladdr));
		neigh_ha_snapshot(r->lladdr, n, dev);
	}
	read_unlock(&n->lock);
}

/*
 * Copy the wanted entries of the next non-empty buckets' first one into
 * d->recs. Returns how many the bucket holds (more than d->cap: grow and
 * call again), 0 when this section found none, -ENOENT at the table's end.
 */
static int knetmon_neigh_collect(struct netlink_callback *cb, struct knetmon_neigh_dump *d)
{
	struct neigh_table *tbl = knetmon_neigh_tables[d->table];
	struct neigh_hash_table *nht;
	struct neighbour *n;
	u32 end, wanted = 0;
	int ret = 0;

	rcu_read_lock_bh();
	nht = rcu_dereference_bh(tbl->nht);
	if (d->hash_shift != nht->hash_shift || d->hash_rnd != nht->hash_rnd[0]) {
		/* resized (or first look): bucket numbers refer to this table now */
		if (d->hash_shift)
			cb->seq++;
		d->hash_shift = nht->hash_shift;
		d->hash_rnd = nht->hash_rnd[0];
	}
	end = min_t(u32, 1U << nht->hash_shift, d->bucket + KNETMON_NEIGH_BUCKETS_PER_LOCK);
	if (d->bucket >= 1U << nht->hash_shift)
		ret = -ENOENT;
	d->now = jiffies;
	for (; !ret && d->bucket < end && !wanted; d->bucket++) {
		for (n = rcu_dereference_bh(nht->hash_buckets[d->bucket]); n;
		     n = rcu_dereference_bh(n->next)) {
			if (d->net && !net_eq(dev_net(n->dev), d->net))
				continue;
			if (wanted < d->cap)
				knetmon_neigh_copy(&d->recs[wanted], n, d->now);
			wanted++;
		}
		if (wanted > d->cap)
			break;	/* the cursor stays: this bucket again, with room */
	}
	rcu_read_unlock_bh();
	if (ret)
		return ret;
	d->n = min(wanted, d->cap);
	d->next = 0;
	return wanted;
}

static int knetmon_neigh_grow(struct knetmon_neigh_dump *d, u32 wanted)
{
	u32 cap = wanted + wanted / 4 + 8;
	struct knetmon_neigh_rec *recs;

	recs = kvmalloc_array(cap, sizeof(*recs), GFP_KERNEL_ACCOUNT);
	if (!recs)
		return -ENOMEM;
	kvfree(d->recs);
	d->recs = recs;
	d->cap = cap;
	return 0;
}

static void knetmon_neigh_dump_free(struct knetmon_neigh_dump *d)
{
	if (!d)
		return;
	if (d->net)
		put_net(d->net);
	kvfree(d->recs);
	kfree(d);
}

/* The request: a family of ARP or NDP, a netns selection. */
static int knetmon_neigh_check(struct netlink_callback *cb)
{
	return knetmon_dump_inet_family(cb) ?: knetmon_dump_netns_check(cb);
}

int knetmon_nl_get_neigh_start(struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = knetmon_neigh_ctx(cb);
	struct nlattr **attrs = knetmon_dump_attrs(cb);
	struct knetmon_neigh_dump *d;
	struct net *net = NULL;
	int err;

	memset(ctx, 0, sizeof(*ctx));
	err = knetmon_dump_check_start(cb, knetmon_neigh_check, &ctx->refused);
	if (err || ctx->refused)
		return err;
	if (!knetmon_request_all_netns(cb->skb, attrs, NULL)) {
		net = knetmon_request_net(cb->skb, attrs, NULL);
		if (IS_ERR(net))
			return PTR_ERR(net);	/* went away since the check */
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	err = d ? knetmon_neigh_grow(d, KNETMON_NEIGH_RECS_INITIAL) : -ENOMEM;
	if (err) {
		kfree(d);
		if (net)
			put_net(net);
		return err;
	}
	d->net = net;
	if (attrs[KNETMON_REQ_FAMILY])
		d->family = nla_get_u8(attrs[KNETMON_REQ_FAMILY]);
	ctx->d = d;
	return 0;
}

int knetmon_nl_get_neigh_done(struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = knetmon_neigh_ctx(cb);

	knetmon_neigh_dump_free(ctx->d);
	ctx->d = NULL;
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
	genl_dump_check_consistent(cb, hdr);

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

/* Send d->recs from d->next on; -EMSGSIZE when skb is full. */
static int knetmon_neigh_send(struct sk_buff *skb, struct netlink_callback *cb,
			      struct knetmon_neigh_dump *d)
{
	int err;

	for (; d->next < d->n; d->next++) {
		err = knetmon_fill_neigh(skb, cb, &d->recs[d->next]);
		if (err)
			return err;
	}
	return 0;
}

/* The rest of the current table; 0 at its end. */
static int knetmon_neigh_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
				    struct knetmon_neigh_dump *d)
{
	int ret;

	for (;;) {
		ret = knetmon_neigh_send(skb, cb, d);
		if (ret)
			return ret;
		ret = knetmon_neigh_collect(cb, d);
		if (ret == -ENOENT)
			return 0;
		if (ret > (int)d->cap) {
			d->n = 0;
			/* the cursor stayed on that bucket: copied again next */
			ret = knetmon_neigh_grow(d, ret);
			if (ret)
				return ret;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

int knetmon_nl_get_neigh_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_neigh_ctx *ctx = knetmon_neigh_ctx(cb);
	struct knetmon_neigh_dump *d = ctx->d;
	int err = 0;

	if (ctx->refused)
		return knetmon_dump_refused(cb, knetmon_neigh_check, ctx->refused);
	if (!cb->seq)
		cb->seq = 1;	/* a resize bumps it: genl_dump_check_consistent flags the rest */
	for (; d->table < ARRAY_SIZE(knetmon_neigh_tables);
	     d->table++, d->bucket = 0, d->hash_shift = 0) {
		if (d->family && knetmon_neigh_tables[d->table]->family != d->family)
			continue;
		err = knetmon_neigh_dump_table(skb, cb, d);
		if (err)
			break;
	}
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

void knetmon_neigh_init(void)
{
	set_bit(KNETMON_FEAT_NEIGH, &knetmon_features);
}

void knetmon_neigh_exit(void)
{
	clear_bit(KNETMON_FEAT_NEIGH, &knetmon_features);
}
