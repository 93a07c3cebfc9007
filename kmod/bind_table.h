/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live-bind table: one entry per socket currently bound, above the
 * record and below everything else of the bind path.
 */
#ifndef _KNETMON_BIND_TABLE_H
#define _KNETMON_BIND_TABLE_H

#include <linux/spinlock.h>

#include "bind_rec.h"

/*
 * Orders every table change and every sequence number (bind_events.c): an
 * event is numbered, the table updated and the event appended to its batch
 * under this lock, so batches hold events in sequence order and a snapshot
 * of the table is consistent with exactly one sequence number. Nothing slow
 * runs under it: batches are multicast after it is released.
 * Taken with interrupts off, because the batch work and the probes'
 * return handlers take it from any context but NMI.
 */
extern spinlock_t knetmon_bind_table_lock;

int knetmon_bind_table_init(void);
void knetmon_bind_table_exit(void);		/* probes gone */
u32 knetmon_binds_capacity(void);
u32 knetmon_binds_netns_capacity(void);
u32 knetmon_bind_table_live(void);

/* Lockless, NMI-safe: the cookie of SK's entry, 0 if none. */
u64 knetmon_bind_table_peek(const struct sock *sk);

/* An entry of the table: opaque, compact; a record goes in and comes out. */
struct knetmon_bind_entry;

/*
 * The rest with the lock held. An entry is the socket at SK whose inode is
 * INODE (0: unknown, any). An entry at SK with another inode belongs to a
 * socket that was freed without our release probe seeing it: it is dropped
 * (TABLE_STALE) and not returned.
 */
struct knetmon_bind_entry *knetmon_bind_table_lookup(const struct sock *sk, u64 inode);
/* The entry of SK that had COOKIE when peeked, if still there. */
struct knetmon_bind_entry *knetmon_bind_table_take(const struct sock *sk, u64 cookie,
						   u64 inode);
/*
 * A fresh entry for SK, bound as REC says (its inode, and a unix socket's
 * name, which never changes), its cookie set; NULL (counted) when full or
 * out of memory.
 */
struct knetmon_bind_entry *knetmon_bind_table_insert(const struct sock *sk,
						     const struct knetmon_bind_rec *rec);
void knetmon_bind_table_remove(struct knetmon_bind_entry *e);
u64 knetmon_bind_entry_cookie(const struct knetmon_bind_entry *e);
u64 knetmon_bind_entry_netns_cookie(const struct knetmon_bind_entry *e);
/* Entry E becomes REC, whose task it then holds. */
void knetmon_bind_table_store(struct knetmon_bind_entry *e, const struct knetmon_bind_rec *rec);
/* REC becomes what E holds (its pids not held for REC), ids as init's. */
void knetmon_bind_entry_rec(const struct knetmon_bind_entry *e, struct knetmon_bind_rec *rec);
/* Live entries of NET's share, read without the lock. */
u32 knetmon_bind_table_netns_live(const struct net *net);
/* Which entries a snapshot copies, and how it gives their ids. */
struct knetmon_bind_filter {
	int family;		/* -1: any, as protocol and port */
	int protocol;
	int port;
	const struct net *net;	/* NULL: every netns */
	struct pid_namespace *pidns;	/* ids as these see them */
	struct user_namespace *userns;
};

/*
 * Copy the entries F matches into RECS (at most N); returns how many, or
 * -ENOSPC. A netns's snapshot walks that netns's entries alone.
 */
int knetmon_bind_table_snapshot(struct knetmon_bind_rec *recs, u32 n,
				const struct knetmon_bind_filter *f);

/* Whether probes fill the table (bind tracking on). */
bool knetmon_binds_tracking(void);
void knetmon_binds_set_tracking(bool on);

#endif
