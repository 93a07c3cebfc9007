// SPDX-License-Identifier: GPL-2.0
/*
 * The live-bind table: one entry per socket currently bound, keyed by its
 * struct sock and checked by its inode (the pointer never leaves this file
 * and is never dereferenced: an entry outliving its socket could only be
 * stale, not unsafe, and the inode tells it from a new socket at the same
 * address). Bounded by max_binds; entries come from a slab cache with
 * GFP_ATOMIC because probe handlers add them, and are freed after an RCU
 * grace period so that a close can look its socket up without the lock.
 */

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "knetmon.h"
#include "bind_table.h"

DEFINE_SPINLOCK(knetmon_bind_table_lock);

static unsigned int max_binds = 65536;
module_param(max_binds, uint, 0444);
MODULE_PARM_DESC(max_binds, "capacity of the live-bind table (default 65536)");

/*
 * No netns may take the whole table: any user can make a namespace of its
 * own and fill it with autobound sockets, and the binds of every other
 * netns, the host's included, would go unrecorded.
 */
static unsigned int max_binds_per_netns;
module_param(max_binds_per_netns, uint, 0444);
MODULE_PARM_DESC(max_binds_per_netns,
		 "live binds one network namespace may hold (default: half of max_binds)");

/* A netns's share of the table; zeroed by the netns's creation. */
struct knetmon_table_net {
	u32 live;
	bool dead;		/* the netns is going: its entries are gone */
	u64 overflow;		/* its binds not stored for want of room */
};

static unsigned int knetmon_table_net_id;

struct knetmon_bind_entry {
	struct hlist_node node;
	struct rcu_head rcu;
	/* the key: set before publication, never changed */
	const struct sock *sk;		/* never dereferenced */
	u64 inode;			/* 0: unknown */
	u64 cookie;
	struct knetmon_table_net *tn;	/* the netns's share; it outlives the entry */
	struct knetmon_bind_rec rec;
};

#define KNETMON_BIND_HASH_BITS 14
static DEFINE_HASHTABLE(knetmon_bind_hash, KNETMON_BIND_HASH_BITS);
static struct kmem_cache *knetmon_bind_cache;
static u32 knetmon_bind_live;
static u64 knetmon_bind_next_cookie;
static bool knetmon_binds_on;

u32 knetmon_binds_capacity(void)
{
	return max_binds;
}

u32 knetmon_binds_netns_capacity(void)
{
	return min(max_binds, max_binds_per_netns ?: max_binds / 2);
}

static struct knetmon_table_net *knetmon_table_net(const struct net *net)
{
	return net_generic(net, knetmon_table_net_id);
}

void knetmon_bind_table_netns_usage(const struct net *net, u32 *live, u64 *overflow)
{
	struct knetmon_table_net *tn = knetmon_table_net(net);
	unsigned long flags;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	*live = tn->live;
	*overflow = tn->overflow;
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

bool knetmon_binds_tracking(void)
{
	return READ_ONCE(knetmon_binds_on);
}

void knetmon_binds_set_tracking(bool on)
{
	WRITE_ONCE(knetmon_binds_on, on);
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

static void __net_exit knetmon_table_net_exit(struct net *net);

static struct pernet_operations knetmon_table_net_ops = {
	.exit	= knetmon_table_net_exit,
	.id	= &knetmon_table_net_id,
	.size	= sizeof(struct knetmon_table_net),
};

int knetmon_bind_table_init(void)
{
	int err;

	knetmon_bind_cache = kmem_cache_create("knetmon_bind_entry",
					       sizeof(struct knetmon_bind_entry), 0, 0,
					       knetmon_bind_entry_ctor);
	if (!knetmon_bind_cache)
		return -ENOMEM;
	err = register_pernet_subsys(&knetmon_table_net_ops);
	if (err)
		kmem_cache_destroy(knetmon_bind_cache);
	return err;
}

static void knetmon_bind_entry_free(struct rcu_head *rcu)
{
	kmem_cache_free(knetmon_bind_cache,
			container_of(rcu, struct knetmon_bind_entry, rcu));
}

/* Called once no probe can run any more. */
void knetmon_bind_table_exit(void)
{
	struct knetmon_bind_entry *e;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	hash_for_each_safe(knetmon_bind_hash, bkt, tmp, e, node) {
		put_pid(e->rec.pids[0]);
		put_pid(e->rec.pids[1]);
		hash_del_rcu(&e->node);
		call_rcu(&e->rcu, knetmon_bind_entry_free);
	}
	knetmon_bind_live = 0;
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	unregister_pernet_subsys(&knetmon_table_net_ops);
	rcu_barrier();		/* every entry back in the cache */
	kmem_cache_destroy(knetmon_bind_cache);
}

u64 knetmon_bind_table_peek(const struct sock *sk)
{
	struct knetmon_bind_entry *e;
	u64 cookie = 0;

	rcu_read_lock();
	hash_for_each_possible_rcu(knetmon_bind_hash, e, node, (unsigned long)sk) {
		if (e->sk == sk) {
			cookie = e->cookie;
			break;
		}
	}
	rcu_read_unlock();
	return cookie;
}

static void knetmon_bind_table_set_live(u32 live)
{
	knetmon_bind_live = live;
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_TABLE_LIVE], live);
}

static bool knetmon_bind_same_socket(const struct knetmon_bind_entry *e, u64 inode)
{
	return !inode || !e->inode || e->inode == inode;
}

/* An entry of a socket freed unseen: gone without an event, counted. */
static void knetmon_bind_drop_stale(struct knetmon_bind_entry *e)
{
	knetmon_count(KNETMON_A_COUNTER_TABLE_STALE);
	knetmon_bind_table_remove(&e->rec);
}

/* SK's entry (the one with COOKIE, unless 0), if it is INODE's socket. */
static struct knetmon_bind_rec *knetmon_bind_find(const struct sock *sk, u64 cookie, u64 inode)
{
	struct knetmon_bind_entry *e;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each_possible(knetmon_bind_hash, e, node, (unsigned long)sk) {
		if (e->sk != sk || (cookie && e->cookie != cookie))
			continue;
		if (knetmon_bind_same_socket(e, inode))
			return &e->rec;
		knetmon_bind_drop_stale(e);
		return NULL;
	}
	return NULL;
}

struct knetmon_bind_rec *knetmon_bind_table_lookup(const struct sock *sk, u64 inode)
{
	return knetmon_bind_find(sk, 0, inode);
}

struct knetmon_bind_rec *knetmon_bind_table_take(const struct sock *sk, u64 cookie, u64 inode)
{
	return knetmon_bind_find(sk, cookie, inode);
}

struct knetmon_bind_rec *knetmon_bind_table_insert(const struct sock *sk, u64 inode)
{
	struct knetmon_table_net *tn = knetmon_table_net(sock_net(sk));
	struct knetmon_bind_entry *e = NULL;

	lockdep_assert_held(&knetmon_bind_table_lock);
	if (tn->dead)
		return NULL;	/* the netns's entries are gone, and so will it */
	if (knetmon_bind_live < max_binds && tn->live < knetmon_binds_netns_capacity())
		e = kmem_cache_alloc(knetmon_bind_cache, GFP_ATOMIC);
	if (!e) {
		knetmon_count(KNETMON_A_COUNTER_TABLE_OVERFLOW);
		tn->overflow++;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->tn = tn;
	tn->live++;
	e->sk = sk;
	e->inode = inode;
	e->cookie = ++knetmon_bind_next_cookie;
	e->rec.cookie = e->cookie;
	hash_add_rcu(knetmon_bind_hash, &e->node, (unsigned long)sk);
	knetmon_bind_table_set_live(knetmon_bind_live + 1);
	return &e->rec;
}

void knetmon_bind_table_remove(struct knetmon_bind_rec *rec)
{
	struct knetmon_bind_entry *e = container_of(rec, struct knetmon_bind_entry, rec);

	lockdep_assert_held(&knetmon_bind_table_lock);
	e->tn->live--;
	put_pid(e->rec.pids[0]);
	put_pid(e->rec.pids[1]);
	hash_del_rcu(&e->node);
	call_rcu(&e->rcu, knetmon_bind_entry_free);
	knetmon_bind_table_set_live(knetmon_bind_live - 1);
}

/*
 * Every socket of NET is closed, but an entry whose release was missed may
 * be left: it goes with its netns, whose share it points to.
 */
static void __net_exit knetmon_table_net_exit(struct net *net)
{
	struct knetmon_table_net *tn = knetmon_table_net(net);
	struct knetmon_bind_entry *e;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	tn->dead = true;
	hash_for_each_safe(knetmon_bind_hash, bkt, tmp, e, node)
		if (e->tn == tn)
			knetmon_bind_drop_stale(e);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

void knetmon_bind_table_store(struct knetmon_bind_rec *e, const struct knetmon_bind_rec *rec)
{
	struct pid *held[2] = { e->pids[0], e->pids[1] };

	lockdep_assert_held(&knetmon_bind_table_lock);
	*e = *rec;
	get_pid(e->pids[0]);
	get_pid(e->pids[1]);
	put_pid(held[0]);
	put_pid(held[1]);
}

u32 knetmon_bind_table_live(void)
{
	return READ_ONCE(knetmon_bind_live);
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
				int protocol, int port, u32 netns,
				struct pid_namespace *pidns, struct user_namespace *userns)
{
	struct knetmon_bind_entry *e;
	u32 i = 0;
	int bkt;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each(knetmon_bind_hash, bkt, e, node) {
		if (!knetmon_bind_match(&e->rec, family, protocol, port, netns))
			continue;
		if (i == n)
			return -ENOSPC;
		recs[i] = e->rec;
		knetmon_rec_view(&recs[i], pidns, userns);
		recs[i].pids[0] = recs[i].pids[1] = NULL;	/* held by the entry only */
		i++;
	}
	return i;
}
