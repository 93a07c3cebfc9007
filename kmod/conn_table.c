// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table: one entry per TCP connection begun while someone
 * listened for connection events, keyed by its struct sock (never
 * dereferenced), from connect() or the passive open's SYN_RECV to its
 * change to CLOSE, which removes it whether anyone listens then or not.
 * It holds the owner's ids as numbers, not references: an owner may exit
 * long before its connection closes.
 *
 * Every TCP socket that leaves CLOSE comes back to it before it is freed,
 * so an entry outlives its socket only where the change to CLOSE slipped
 * between a look at the state and the lock (accept() of a child the peer
 * just reset): such an entry is stale, never unsafe, and a new connection
 * at the same address starts it afresh, and its netns's exit drops it.
 * Bounded by max_conns, and per netns by max_conns_per_netns: anyone may
 * make a netns of their own and listen there, and its connections must
 * not leave every other netns's without owners. Entries are GFP_ATOMIC,
 * taken in the probes and the tracepoint.
 */

#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "knetmon.h"
#include "conn_table.h"

static unsigned int max_conns = 16384;
module_param(max_conns, uint, 0444);
MODULE_PARM_DESC(max_conns, "connections whose owner is kept for their close (default 16384)");

static unsigned int max_conns_per_netns;
module_param(max_conns_per_netns, uint, 0444);
MODULE_PARM_DESC(max_conns_per_netns,
		 "connections one network namespace may keep (default: half of max_conns)");

/* A netns's share of the table. */
struct knetmon_conn_net {
	u32 live;
};

static unsigned int knetmon_conn_net_id;

struct knetmon_conn {
	struct hlist_node node;
	const struct sock *sk;		/* the key: never dereferenced */
	struct net *net;		/* not held: its exit drops the entry first */
	u64 cookie;
	u64 start;			/* CLOCK_BOOTTIME ns */
	u64 cgroup;
	u32 pid, tgid, uid;		/* as the initial namespaces see them */
	struct knetmon_ids view;	/* as the netns's owner sees them */
	bool owned;
	bool connecting;
	char comm[TASK_COMM_LEN];
};

#define KNETMON_CONN_HASH_BITS 10
static DEFINE_HASHTABLE(knetmon_conns, KNETMON_CONN_HASH_BITS);
static u32 knetmon_conns_live;
static u64 knetmon_conn_next_cookie;

static struct knetmon_conn_net *knetmon_conn_net(const struct net *net)
{
	return net_generic(net, knetmon_conn_net_id);
}

/* Every entry of NET (NULL: all), with the lock taken here. */
static void knetmon_conn_table_drop(const struct net *net)
{
	struct knetmon_conn *c;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	hash_for_each_safe(knetmon_conns, bkt, tmp, c, node)
		if (!net || c->net == net)
			knetmon_conn_remove(c);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

/* Its sockets are gone; a stale entry of its own must not outlive it. */
static void __net_exit knetmon_conn_net_exit(struct net *net)
{
	if (knetmon_conn_net(net)->live)
		knetmon_conn_table_drop(net);
}

static struct pernet_operations knetmon_conn_net_ops = {
	.exit	= knetmon_conn_net_exit,
	.id	= &knetmon_conn_net_id,
	.size	= sizeof(struct knetmon_conn_net),
};

int __init knetmon_conn_table_init(void)
{
	return register_pernet_subsys(&knetmon_conn_net_ops);
}

void knetmon_conn_table_flush(void)
{
	knetmon_conn_table_drop(NULL);
}

void knetmon_conn_table_exit(void)
{
	knetmon_conn_table_flush();
	unregister_pernet_subsys(&knetmon_conn_net_ops);
}

static u32 knetmon_conns_netns_capacity(void)
{
	return min(max_conns, max_conns_per_netns ?: DIV_ROUND_UP(max_conns, 2));
}

bool knetmon_conn_table_used(void)
{
	return READ_ONCE(knetmon_conns_live);
}

struct knetmon_conn *knetmon_conn_lookup(const struct sock *sk)
{
	struct knetmon_conn *c;

	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_for_each_possible(knetmon_conns, c, node, hash_ptr(sk, KNETMON_CONN_HASH_BITS))
		if (c->sk == sk)
			return c;
	return NULL;
}

static void knetmon_conn_start_afresh(struct knetmon_conn *c, u64 start)
{
	c->cookie = ++knetmon_conn_next_cookie;
	c->start = start;
	c->owned = false;
	c->connecting = false;
}

struct knetmon_conn *knetmon_conn_get(const struct sock *sk, u64 start, bool fresh)
{
	struct knetmon_conn *c = knetmon_conn_lookup(sk);
	struct knetmon_conn_net *cn;

	if (c) {
		if (fresh)
			knetmon_conn_start_afresh(c, start);
		return c;
	}
	cn = knetmon_conn_net(sock_net(sk));
	if (knetmon_conns_live >= max_conns || cn->live >= knetmon_conns_netns_capacity())
		goto full;
	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c)
		goto full;
	c->sk = sk;
	c->net = sock_net(sk);
	cn->live++;
	knetmon_conn_start_afresh(c, start);
	hash_add(knetmon_conns, &c->node, hash_ptr(sk, KNETMON_CONN_HASH_BITS));
	WRITE_ONCE(knetmon_conns_live, knetmon_conns_live + 1);
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_CONNS_LIVE], knetmon_conns_live);
	return c;
full:
	knetmon_count(KNETMON_A_COUNTER_CONNS_OVERFLOW);
	return NULL;
}

void knetmon_conn_remove(struct knetmon_conn *c)
{
	lockdep_assert_held(&knetmon_bind_table_lock);
	hash_del(&c->node);
	knetmon_conn_net(c->net)->live--;
	kfree(c);
	WRITE_ONCE(knetmon_conns_live, knetmon_conns_live - 1);
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_CONNS_LIVE], knetmon_conns_live);
}

void knetmon_conn_own(struct knetmon_conn *c, struct knetmon_bind_rec *rec)
{
	c->pid = rec->pid;
	c->tgid = rec->tgid;
	c->uid = rec->uid;
	c->view = rec->view;
	c->cgroup = rec->cgroup;
	memcpy(c->comm, rec->comm, sizeof(c->comm));
	c->owned = true;
	rec->cookie = c->cookie;
}

void knetmon_conn_rec(const struct knetmon_conn *c, struct knetmon_bind_rec *rec)
{
	rec->cookie = c ? c->cookie : 0;
	rec->view_fixed = true;
	if (!c || !c->owned) {
		knetmon_rec_no_ids(rec);
		return;
	}
	rec->pid = c->pid;
	rec->tgid = c->tgid;
	rec->uid = c->uid;
	rec->view = c->view;
	rec->cgroup = c->cgroup;
	memcpy(rec->comm, c->comm, sizeof(rec->comm));
}

u64 knetmon_conn_start(const struct knetmon_conn *c)
{
	return c->start;
}

u64 knetmon_conn_cookie(const struct knetmon_conn *c)
{
	return c ? c->cookie : 0;
}

bool knetmon_conn_connecting(const struct knetmon_conn *c)
{
	return c->connecting;
}

void knetmon_conn_set_connecting(struct knetmon_conn *c, bool on)
{
	c->connecting = on;
}
