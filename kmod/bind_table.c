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

#include <linux/hash.h>
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

/*
 * A netns's share of the table. Its entries are also on a list of their
 * own, oldest first, so that what one netns's caller asks of the table (a
 * GET_BINDS snapshot, under the lock with interrupts off) and the netns's
 * exit cost that netns's entries, not everyone's.
 */
struct knetmon_table_net {
	struct list_head entries;
	u32 live;
	bool dead;		/* the netns is going: its entries are gone */
	u64 overflow;		/* its binds not stored for want of room */
};

static unsigned int knetmon_table_net_id;

/*
 * One live bind: its last event, kept compact because the table holds up
 * to max_binds of them in GFP_ATOMIC memory. A record (bind_rec.h) is 272
 * bytes, most of it a unix name few entries have; here a unix name is kept
 * out of line at its own length, the ids the initial namespaces see are
 * read back from the pids and kuid held, the netns from its struct net, and
 * the RCU head shares its room with comm: once an entry is unlinked only
 * the lockless peek still reads it, and that reads the key and the chain.
 */
struct knetmon_bind_entry {
	/* read under RCU alone: set before publication, never changed */
	struct knetmon_bind_entry __rcu *next;	/* the bucket's chain */
	const struct sock *sk;			/* never dereferenced */
	u64 cookie;
	/* the rest under the table's lock */
	struct net *net;	/* not held: its exit drops the entry first */
	struct list_head net_node;	/* on its netns's list */
	u64 seq;
	u64 time_real;
	u64 time_boot;
	u64 cgroup;
	struct pid *pids[2];	/* thread, process: held */
	u32 inode;		/* 0: unknown; socket inodes are unsigned int */
	kuid_t kuid;
	u32 ifindex;
	u32 backlog;
	u8 sockopts;		/* KNETMON_SOCKOPT_*: five bits */
	u8 kind;
	u8 family;
	u8 type;
	u8 protocol;
	u8 state;
	u8 path_len;
	bool preexisting;
	__be16 port;
	union {
		u8 addr[16];
		char *path;	/* AF_UNIX with path_len: kmalloc'ed */
	};
	union {
		char comm[TASK_COMM_LEN];
		struct rcu_head rcu;	/* unlinked: comm is read no more */
	};
};

#define KNETMON_BIND_HASH_BITS 14
static struct knetmon_bind_entry __rcu *knetmon_bind_hash[1 << KNETMON_BIND_HASH_BITS];
static struct kmem_cache *knetmon_bind_cache;
static u32 knetmon_bind_live;
static u64 knetmon_bind_next_cookie;
static bool knetmon_binds_on;

static struct knetmon_bind_entry __rcu **knetmon_bind_bucket(const struct sock *sk)
{
	return &knetmon_bind_hash[hash_ptr(sk, KNETMON_BIND_HASH_BITS)];
}

#define knetmon_bind_locked(p) \
	rcu_dereference_protected(p, lockdep_is_held(&knetmon_bind_table_lock))

/* Each entry of chain HEAD, the table's lock held. */
#define knetmon_chain_for_each(e, head) \
	for (e = knetmon_bind_locked(*(head)); e; e = knetmon_bind_locked(e->next))

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

static int __net_init knetmon_table_net_init(struct net *net)
{
	INIT_LIST_HEAD(&knetmon_table_net(net)->entries);
	return 0;
}

static void __net_exit knetmon_table_net_exit(struct net *net);

static struct pernet_operations knetmon_table_net_ops = {
	.init	= knetmon_table_net_init,
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

static void knetmon_bind_table_set_live(u32 live)
{
	knetmon_bind_live = live;
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_TABLE_LIVE], live);
}

/* Unlink E, found at *PP, and free it once no lockless reader can see it. */
static void knetmon_bind_unlink(struct knetmon_bind_entry __rcu **pp,
				struct knetmon_bind_entry *e)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	/* a peek on E may still follow E->next: it stays as it was */
	RCU_INIT_POINTER(*pp, knetmon_bind_locked(e->next));
	list_del(&e->net_node);
	knetmon_table_net(e->net)->live--;
	put_pid(e->pids[0]);
	put_pid(e->pids[1]);
	if (e->family == AF_UNIX && e->path_len)
		kfree(e->path);
	call_rcu(&e->rcu, knetmon_bind_entry_free);
	knetmon_bind_table_set_live(knetmon_bind_live - 1);
}

/* Unlink every entry of the table. */
static void knetmon_bind_unlink_all(void)
{
	struct knetmon_bind_entry *e;
	int bkt;

	lockdep_assert_held(&knetmon_bind_table_lock);
	for (bkt = 0; bkt < ARRAY_SIZE(knetmon_bind_hash); bkt++)
		while ((e = knetmon_bind_locked(knetmon_bind_hash[bkt])))
			knetmon_bind_unlink(&knetmon_bind_hash[bkt], e);
}

/* Called once no probe can run any more. */
void knetmon_bind_table_exit(void)
{
	unsigned long flags;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	knetmon_bind_unlink_all();
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
	for (e = rcu_dereference(*knetmon_bind_bucket(sk)); e; e = rcu_dereference(e->next)) {
		if (e->sk == sk) {
			cookie = e->cookie;
			break;
		}
	}
	rcu_read_unlock();
	return cookie;
}

u64 knetmon_bind_entry_cookie(const struct knetmon_bind_entry *e)
{
	return e->cookie;
}

u64 knetmon_bind_entry_netns_cookie(const struct knetmon_bind_entry *e)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	return e->net->net_cookie;
}

static bool knetmon_bind_same_socket(const struct knetmon_bind_entry *e, u64 inode)
{
	return !inode || !e->inode || e->inode == (u32)inode;
}

/*
 * SK's entry (the one with COOKIE, unless 0), if it is INODE's socket; an
 * entry of a socket freed unseen is dropped without an event, and counted.
 */
static struct knetmon_bind_entry *knetmon_bind_find(const struct sock *sk, u64 cookie,
						    u64 inode)
{
	struct knetmon_bind_entry __rcu **pp = knetmon_bind_bucket(sk);
	struct knetmon_bind_entry *e;

	lockdep_assert_held(&knetmon_bind_table_lock);
	for (; (e = knetmon_bind_locked(*pp)); pp = &e->next) {
		if (e->sk != sk || (cookie && e->cookie != cookie))
			continue;
		if (knetmon_bind_same_socket(e, inode))
			return e;
		knetmon_count(KNETMON_A_COUNTER_TABLE_STALE);
		knetmon_bind_unlink(pp, e);
		return NULL;
	}
	return NULL;
}

struct knetmon_bind_entry *knetmon_bind_table_lookup(const struct sock *sk, u64 inode)
{
	return knetmon_bind_find(sk, 0, inode);
}

struct knetmon_bind_entry *knetmon_bind_table_take(const struct sock *sk, u64 cookie,
						   u64 inode)
{
	return knetmon_bind_find(sk, cookie, inode);
}

/* A unix name at its own length: most are short, and most entries have none. */
static bool knetmon_bind_entry_name(struct knetmon_bind_entry *e,
				    const struct knetmon_bind_rec *rec)
{
	e->family = rec->family;
	if (rec->family != AF_UNIX || !rec->path_len)
		return true;
	e->path = kmemdup(rec->path, rec->path_len, GFP_ATOMIC);
	e->path_len = e->path ? rec->path_len : 0;
	return e->path;
}

struct knetmon_bind_entry *knetmon_bind_table_insert(const struct sock *sk,
						     const struct knetmon_bind_rec *rec)
{
	struct knetmon_bind_entry __rcu **head = knetmon_bind_bucket(sk);
	struct net *net = sock_net(sk);
	struct knetmon_table_net *tn = knetmon_table_net(net);
	struct knetmon_bind_entry *e = NULL;

	lockdep_assert_held(&knetmon_bind_table_lock);
	if (tn->dead)
		return NULL;	/* the netns's entries are gone, and so will it */
	if (knetmon_bind_live < max_binds && tn->live < knetmon_binds_netns_capacity())
		e = kmem_cache_alloc(knetmon_bind_cache, GFP_ATOMIC);
	if (e) {
		memset(e, 0, sizeof(*e));
		if (!knetmon_bind_entry_name(e, rec)) {
			kmem_cache_free(knetmon_bind_cache, e);
			e = NULL;
		}
	}
	if (!e) {
		knetmon_count(KNETMON_A_COUNTER_TABLE_OVERFLOW);
		tn->overflow++;
		return NULL;
	}
	tn->live++;
	e->net = net;
	e->sk = sk;
	e->inode = rec->inode;
	e->cookie = ++knetmon_bind_next_cookie;
	RCU_INIT_POINTER(e->next, knetmon_bind_locked(*head));	/* E unseen yet */
	rcu_assign_pointer(*head, e);
	list_add_tail(&e->net_node, &tn->entries);
	knetmon_bind_table_set_live(knetmon_bind_live + 1);
	return e;
}

void knetmon_bind_table_remove(struct knetmon_bind_entry *e)
{
	struct knetmon_bind_entry __rcu **pp = knetmon_bind_bucket(e->sk);

	lockdep_assert_held(&knetmon_bind_table_lock);
	while (knetmon_bind_locked(*pp) != e)
		pp = &knetmon_bind_locked(*pp)->next;
	knetmon_bind_unlink(pp, e);
}

/*
 * Every socket of NET is closed, but an entry whose release was missed may
 * be left: it goes with its netns, which it points to.
 */
static void __net_exit knetmon_table_net_exit(struct net *net)
{
	struct knetmon_table_net *tn = knetmon_table_net(net);
	struct knetmon_bind_entry *e, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	tn->dead = true;
	list_for_each_entry_safe(e, tmp, &tn->entries, net_node) {
		knetmon_count(KNETMON_A_COUNTER_TABLE_STALE);
		knetmon_bind_table_remove(e);
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

/*
 * Entry E becomes REC, the last event of its socket. The unix name was
 * taken at insert: a unix socket is named once and keeps its name.
 */
void knetmon_bind_table_store(struct knetmon_bind_entry *e, const struct knetmon_bind_rec *rec)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	get_pid(rec->pids[0]);
	get_pid(rec->pids[1]);
	put_pid(e->pids[0]);
	put_pid(e->pids[1]);
	e->pids[0] = rec->pids[0];
	e->pids[1] = rec->pids[1];
	e->seq = rec->seq;
	e->time_real = rec->time_real;
	e->time_boot = rec->time_boot;
	e->cgroup = rec->cgroup;
	e->kuid = rec->kuid;
	e->ifindex = rec->ifindex;
	e->backlog = rec->backlog;
	e->sockopts = rec->sockopts;
	e->kind = rec->kind;
	e->type = rec->type;
	e->protocol = rec->protocol;
	e->state = rec->state;
	e->preexisting = rec->preexisting;
	e->port = rec->port;
	if (e->family != AF_UNIX)
		memcpy(e->addr, rec->addr, sizeof(e->addr));
	memcpy(e->comm, rec->comm, sizeof(e->comm));
}

/* The record E holds, its ids as the initial namespaces see them. */
void knetmon_bind_entry_rec(const struct knetmon_bind_entry *e, struct knetmon_bind_rec *rec)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	memset(rec, 0, offsetof(struct knetmon_bind_rec, path));
	rec->seq = e->seq;
	rec->time_real = e->time_real;
	rec->time_boot = e->time_boot;
	rec->cgroup = e->cgroup;
	rec->cookie = e->cookie;
	rec->inode = e->inode;
	rec->netns = e->net->ns.inum;
	rec->netns_cookie = e->net->net_cookie;
	rec->pids[0] = e->pids[0];
	rec->pids[1] = e->pids[1];
	rec->pid = pid_nr(e->pids[0]);
	rec->tgid = pid_nr(e->pids[1]);
	rec->kuid = e->kuid;
	rec->uid = from_kuid_munged(&init_user_ns, e->kuid);
	rec->ifindex = e->ifindex;
	rec->backlog = e->backlog;
	rec->sockopts = e->sockopts;
	rec->kind = e->kind;
	rec->family = e->family;
	rec->type = e->type;
	rec->protocol = e->protocol;
	rec->state = e->state;
	rec->preexisting = e->preexisting;
	rec->port = e->port;
	memcpy(rec->comm, e->comm, sizeof(rec->comm));
	if (e->family != AF_UNIX) {
		memcpy(rec->addr, e->addr, sizeof(rec->addr));
	} else if (e->path_len) {
		memcpy(rec->path, e->path, e->path_len);
		rec->path_len = e->path_len;
	}
}

u32 knetmon_bind_table_live(void)
{
	return READ_ONCE(knetmon_bind_live);
}

u32 knetmon_bind_table_netns_live(const struct net *net)
{
	return READ_ONCE(knetmon_table_net(net)->live);
}

static bool knetmon_bind_match(const struct knetmon_bind_entry *e,
			       const struct knetmon_bind_filter *f)
{
	return (f->family < 0 || e->family == f->family) &&
	       (f->protocol < 0 || e->protocol == f->protocol) &&
	       /* unix sockets have no port: a port filter leaves them out */
	       (f->port < 0 || (e->family != AF_UNIX && e->port == htons(f->port)));
}

/* E into the next of N RECS, if it matches F; false when RECS are full. */
static bool knetmon_bind_snap_one(const struct knetmon_bind_entry *e,
				  const struct knetmon_bind_filter *f,
				  struct knetmon_bind_rec *recs, u32 n, u32 *i)
{
	if (!knetmon_bind_match(e, f))
		return true;
	if (*i == n)
		return false;
	knetmon_bind_entry_rec(e, &recs[*i]);
	knetmon_rec_view(&recs[*i], f->pidns, f->userns);
	recs[*i].pids[0] = recs[*i].pids[1] = NULL;	/* held by the entry only */
	(*i)++;
	return true;
}

int knetmon_bind_table_snapshot(struct knetmon_bind_rec *recs, u32 n,
				const struct knetmon_bind_filter *f)
{
	struct knetmon_bind_entry *e;
	u32 i = 0;
	int bkt;

	lockdep_assert_held(&knetmon_bind_table_lock);
	if (f->net) {
		list_for_each_entry(e, &knetmon_table_net(f->net)->entries, net_node)
			if (!knetmon_bind_snap_one(e, f, recs, n, &i))
				return -ENOSPC;
		return i;
	}
	for (bkt = 0; bkt < ARRAY_SIZE(knetmon_bind_hash); bkt++)
		knetmon_chain_for_each(e, &knetmon_bind_hash[bkt])
			if (!knetmon_bind_snap_one(e, f, recs, n, &i))
				return -ENOSPC;
	return i;
}
