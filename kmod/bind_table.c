// SPDX-License-Identifier: GPL-2.0
/*
 * The live-bind table: one entry per socket currently bound, keyed by its
 * struct sock internally (the pointer never leaves this file and is never
 * dereferenced: an entry outliving its socket could only be stale, not
 * unsafe). Bounded by max_binds; entries come from a slab cache with
 * GFP_ATOMIC because they are added from probe handlers.
 */

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>
#include <net/udp.h>

#include "knetmon.h"
#include "binds.h"

static unsigned int max_binds = 65536;
module_param(max_binds, uint, 0444);
MODULE_PARM_DESC(max_binds, "capacity of the live-bind table (default 65536)");

struct knetmon_bind_entry {
	struct hlist_node node;
	const struct sock *sk;		/* key only */
	struct knetmon_bind_rec rec;
};

#define KNETMON_BIND_HASH_BITS 14
static DEFINE_HASHTABLE(knetmon_bind_hash, KNETMON_BIND_HASH_BITS);
static struct kmem_cache *knetmon_bind_cache;
static u32 knetmon_bind_live;
static u64 knetmon_bind_next_cookie;

u32 knetmon_binds_capacity(void)
{
	return max_binds;
}

/*
 * A cache with a constructor is never merged with another of the same size,
 * so /proc/slabinfo counts our entries alone: the flood and unload tests
 * read it (SLAB_NO_MERGE says the same only from 6.5 on). Entries are
 * initialised in full on insert; this only makes a new slab's objects clean.
 */
static void knetmon_bind_entry_ctor(void *obj)
{
	memset(obj, 0, sizeof(struct knetmon_bind_entry));
}

int knetmon_bind_table_init(void)
{
	knetmon_bind_cache = kmem_cache_create("knetmon_bind_entry",
					       sizeof(struct knetmon_bind_entry), 0, 0,
					       knetmon_bind_entry_ctor);
	return knetmon_bind_cache ? 0 : -ENOMEM;
}

/* Called once no probe can run any more. */
void knetmon_bind_table_exit(void)
{
	struct knetmon_bind_entry *e;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&knetmon_binds_lock, flags);
	hash_for_each_safe(knetmon_bind_hash, bkt, tmp, e, node) {
		hash_del(&e->node);
		kmem_cache_free(knetmon_bind_cache, e);
	}
	knetmon_bind_live = 0;
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
	kmem_cache_destroy(knetmon_bind_cache);
}

static struct knetmon_bind_entry *knetmon_bind_find(const struct sock *sk)
{
	struct knetmon_bind_entry *e;

	hash_for_each_possible(knetmon_bind_hash, e, node, (unsigned long)sk)
		if (e->sk == sk)
			return e;
	return NULL;
}

struct knetmon_bind_rec *knetmon_bind_table_lookup(const struct sock *sk)
{
	struct knetmon_bind_entry *e = knetmon_bind_find(sk);

	return e ? &e->rec : NULL;
}

/* A fresh entry with its cookie set; NULL (counted) when full or no memory. */
struct knetmon_bind_rec *knetmon_bind_table_insert(const struct sock *sk)
{
	struct knetmon_bind_entry *e;

	if (knetmon_bind_live >= max_binds) {
		knetmon_count(KNETMON_A_COUNTER_TABLE_OVERFLOW);
		return NULL;
	}
	e = kmem_cache_alloc(knetmon_bind_cache, GFP_ATOMIC);
	if (!e) {
		knetmon_count(KNETMON_A_COUNTER_TABLE_OVERFLOW);
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->sk = sk;
	e->rec.cookie = ++knetmon_bind_next_cookie;
	hash_add(knetmon_bind_hash, &e->node, (unsigned long)sk);
	knetmon_bind_live++;
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_TABLE_LIVE], knetmon_bind_live);
	return &e->rec;
}

void knetmon_bind_table_remove(struct knetmon_bind_rec *rec)
{
	struct knetmon_bind_entry *e = container_of(rec, struct knetmon_bind_entry, rec);

	hash_del(&e->node);
	kmem_cache_free(knetmon_bind_cache, e);
	knetmon_bind_live--;
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_TABLE_LIVE], knetmon_bind_live);
}

u32 knetmon_bind_table_live(void)
{
	return knetmon_bind_live;
}

static bool knetmon_bind_match(const struct knetmon_bind_rec *rec, int family,
			       int protocol, int port, u32 netns)
{
	return (family < 0 || rec->family == family) &&
	       (protocol < 0 || rec->protocol == protocol) &&
	       /* unix sockets have no port: a port filter leaves them out */
	       (port < 0 || (rec->family != AF_UNIX && rec->port == htons(port))) &&
	       (!netns || rec->netns == netns);
}

int knetmon_bind_table_snapshot(struct knetmon_bind_rec *recs, u32 n, int family,
				int protocol, int port, u32 netns)
{
	struct knetmon_bind_entry *e;
	u32 i = 0;
	int bkt;

	hash_for_each(knetmon_bind_hash, bkt, e, node) {
		if (!knetmon_bind_match(&e->rec, family, protocol, port, netns))
			continue;
		if (i == n)
			return -ENOSPC;
		recs[i++] = e->rec;
	}
	return i;
}

/*
 * GET_BINDS dump. The matching entries are copied in .start, in one pass
 * under the table lock, so the whole dump is consistent with exactly one
 * sequence number (DUMP_SEQ): a client that subscribed first drops the
 * events with seq <= DUMP_SEQ and misses nothing. A cursor over the live
 * table could only offer NLM_F_DUMP_INTR and a retry under a bind storm;
 * the copy costs sizeof(rec) per entry, bounded by max_binds.
 * The last message of the dump carries DUMP_SEQ alone, so an empty table
 * still tells the client where it stands.
 */
struct knetmon_binds_dump_ctx {
	struct knetmon_bind_rec *recs;
	u32 n;
	u32 pos;
	u64 dump_seq;
	int refused;	/* -errno kept by .start (6.1), reported by dumpit */
};

static struct knetmon_binds_dump_ctx *knetmon_binds_dump_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_binds_dump_ctx);
	return (struct knetmon_binds_dump_ctx *)cb->ctx;
}

struct knetmon_binds_filter {
	int family;
	int protocol;
	int port;
	u32 netns;		/* 0: every netns */
	struct net *seq_net;	/* whose sequence the dump reports (held) */
};

static int knetmon_binds_parse(struct netlink_callback *cb, struct knetmon_binds_filter *f)
{
	struct nlattr **tb = knetmon_dump_attrs(cb);
	struct net *net;
	u32 flags = tb[KNETMON_REQ_FLAGS] ? nla_get_u32(tb[KNETMON_REQ_FLAGS]) : 0;

	f->family = tb[KNETMON_REQ_FAMILY] ? nla_get_u8(tb[KNETMON_REQ_FAMILY]) : -1;
	f->protocol = tb[KNETMON_REQ_PROTOCOL] ? nla_get_u8(tb[KNETMON_REQ_PROTOCOL]) : -1;
	f->port = tb[KNETMON_REQ_PORT] ? ntohs(nla_get_be16(tb[KNETMON_REQ_PORT])) : -1;
	if (f->family >= 0 && f->family != AF_INET && f->family != AF_INET6 &&
	    f->family != AF_UNIX) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FAMILY],
				    "only AF_INET, AF_INET6 and AF_UNIX binds are tracked");
		return -EINVAL;
	}
	if ((flags & KNETMON_REQF_ALL_NETNS) &&
	    (tb[KNETMON_REQ_NETNS_ID] || tb[KNETMON_REQ_NETNS_FD])) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FLAGS],
				    "a netns id or fd and the all-netns flag exclude each other");
		return -EINVAL;
	}
	if (flags & KNETMON_REQF_ALL_NETNS) {
		if (!netlink_capable(cb->skb, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FLAGS],
					    "every netns needs CAP_NET_ADMIN");
			return -EPERM;
		}
		f->netns = 0;
		f->seq_net = get_net(sock_net(cb->skb->sk));
		return 0;
	}
	net = knetmon_request_net(cb->skb, tb, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	f->netns = net->ns.inum;
	f->seq_net = net;
	return 0;
}

/* Why GET_BINDS is refused, or 0: every check of .start that needs no memory. */
static int knetmon_binds_check(struct netlink_callback *cb, struct knetmon_binds_filter *f)
{
	if (!knetmon_binds_tracking()) {
		NL_SET_ERR_MSG(cb->extack, "bind tracking is off: its probes could not be placed");
		return -EOPNOTSUPP;
	}
	return knetmon_binds_parse(cb, f);
}

/* The request as knetmon_dump_check_start() wants it checked. */
static int knetmon_binds_check_request(struct netlink_callback *cb)
{
	struct knetmon_binds_filter f;
	int err = knetmon_binds_check(cb, &f);

	if (!err)
		put_net(f.seq_net);
	return err;
}

int knetmon_nl_get_binds_start(struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);
	struct knetmon_binds_filter f;
	int tries, ret;
	unsigned long flags;
	u32 n;

	memset(ctx, 0, sizeof(*ctx));
	ret = knetmon_dump_check_start(cb, knetmon_binds_check_request, &ctx->refused);
	if (ret || ctx->refused)
		return ret;
	ret = knetmon_binds_check(cb, &f);
	if (ret)
		return ret;	/* the netns went away since the check */
	ret = -EAGAIN;
	for (tries = 0; tries < 4 && ret == -EAGAIN; tries++) {
		n = READ_ONCE(knetmon_bind_live) + 64 * (tries + 1);
		ctx->recs = kvmalloc_array(n, sizeof(*ctx->recs), GFP_KERNEL_ACCOUNT);
		if (!ctx->recs) {
			ret = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&knetmon_binds_lock, flags);
		ret = knetmon_bind_table_snapshot(ctx->recs, n, f.family, f.protocol,
						  f.port, f.netns);
		ctx->dump_seq = knetmon_binds_netns_seq_locked(f.seq_net);
		spin_unlock_irqrestore(&knetmon_binds_lock, flags);
		if (ret >= 0) {
			ctx->n = ret;
			ctx->pos = 0;
			ret = 0;
		} else {
			kvfree(ctx->recs);
			ctx->recs = NULL;
			ret = -EAGAIN;	/* the table grew meanwhile */
		}
	}
	put_net(f.seq_net);
	if (ret == -EAGAIN)
		NL_SET_ERR_MSG(cb->extack, "the bind table kept growing: retry");
	return ret;
}

static int knetmon_binds_put_trailer(struct sk_buff *skb, struct netlink_callback *cb,
				     u64 dump_seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_BINDS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KNETMON_A_BIND_DUMP_SEQ, dump_seq, KNETMON_A_BIND_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int knetmon_nl_get_binds_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);

	if (ctx->refused)
		return knetmon_dump_refused(cb, knetmon_binds_check_request, ctx->refused);
	for (; ctx->pos < ctx->n; ctx->pos++) {
		if (knetmon_bind_fill(skb, &ctx->recs[ctx->pos], NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, KNETMON_CMD_GET_BINDS,
				      &ctx->dump_seq))
			return skb->len;
	}
	/* pos == n: the trailer; n + 1: done. */
	if (ctx->pos == ctx->n) {
		if (knetmon_binds_put_trailer(skb, cb, ctx->dump_seq))
			return skb->len;
		ctx->pos++;
	}
	return skb->len;
}

int knetmon_nl_get_binds_done(struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);

	kvfree(ctx->recs);
	return 0;
}

/*
 * Seeding at load: listeners and bound UDP sockets that exist before the
 * probes saw them enter the table flagged preexisting, with no process
 * (the binder is unknown). Runs once, after the probes are placed, so a
 * socket bound meanwhile is already there and skipped. The socket walker
 * of sockets.c hands each one over referenced and outside its table's
 * lock, so the bind lock is never taken inside a bucket lock. Left alone:
 * a socket whose release probe fires between the walk and the insert stays
 * as a stale entry (never dereferenced) until its address is reused.
 */
static void knetmon_seed_sock(struct sock *sk, void *unused)
{
	struct knetmon_bind_rec rec = { .preexisting = true }, *e;
	unsigned long flags;

	if (!sk_fullsock(sk) || sock_flag(sk, SOCK_DEAD) || !READ_ONCE(sk->sk_socket))
		return;
	knetmon_rec_sock(&rec, sk, NULL);
	/* under sk_callback_lock: the struct socket may be going away */
	rec.inode = sock_i_ino(sk);
	rec.uid = from_kuid_munged(&init_user_ns, sock_i_uid(sk));
	rec.kind = rec.state == TCP_LISTEN ? KNETMON_BIND_KIND_LISTEN : KNETMON_BIND_KIND_BIND;
	rec.time_real = ktime_get_real_ns();
	rec.time_boot = ktime_get_boottime_ns();

	spin_lock_irqsave(&knetmon_binds_lock, flags);
	if (!knetmon_bind_table_lookup(sk)) {
		e = knetmon_bind_table_insert(sk);
		if (e) {
			rec.cookie = e->cookie;
			*e = rec;
			knetmon_count(KNETMON_A_COUNTER_TABLE_SEEDED);
		}
	}
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
}

void knetmon_bind_table_seed(void)
{
	int err = knetmon_sockets_for_each_bound(knetmon_seed_sock, NULL);

	if (err)
		pr_warn("the sockets bound before load are not all in the table: %d\n", err);
}
