/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to binds.c and bind_table.c: the record both the event path and
 * the GET_BINDS dump put on the wire, and the live-bind table holding them.
 */
#ifndef _KNETMON_BINDS_H
#define _KNETMON_BINDS_H

#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/un.h>
#include <net/sock.h>

/* One bind event, or the last state of one live bind. */
struct knetmon_bind_rec {
	u64 seq;
	u64 time_real;
	u64 time_boot;
	u64 cgroup;
	u64 cookie;		/* module-generated, never a pointer */
	u64 inode;
	u32 pid;
	u32 tgid;
	u32 uid;
	u32 netns;		/* netns inode */
	u32 ifindex;
	u32 sockopts;
	u32 backlog;
	s32 result;
	u8 kind;
	u8 family;
	u8 type;
	u8 protocol;
	u8 state;		/* TCP_* as of the last event */
	bool preexisting;
	__be16 port;
	u8 addr[16];
	u8 path_len;		/* AF_UNIX: bytes of path (0: none) */
	char comm[TASK_COMM_LEN];
	char path[UNIX_PATH_MAX];	/* AF_UNIX sun_path; abstract: leading NUL */
};

/*
 * Orders every table change and every sequence number: an event's seq is
 * taken, the table updated and the event queued (its batch sent) under this
 * lock, so listeners see seqs in order and a dump is consistent with
 * exactly one seq.
 * Taken with interrupts off: a kprobe handler may run from the int3 trap
 * with interrupts disabled (seen on 6.1 while probes are being placed or
 * removed under load), where spin_unlock_bh() must not run softirqs.
 */
extern spinlock_t knetmon_binds_lock;

/* bind_table.c: all calls with knetmon_binds_lock held unless noted. */
int knetmon_bind_table_init(void);		/* no lock */
void knetmon_bind_table_exit(void);		/* no lock, probes gone */
struct knetmon_bind_rec *knetmon_bind_table_lookup(const struct sock *sk);
struct knetmon_bind_rec *knetmon_bind_table_insert(const struct sock *sk);
void knetmon_bind_table_remove(struct knetmon_bind_rec *rec);
u32 knetmon_bind_table_live(void);
u32 knetmon_binds_capacity(void);
void knetmon_bind_table_seed(void);		/* no lock; probes placed */
/* Copy matching entries into RECS (at most N); returns how many, or -ENOSPC. */
int knetmon_bind_table_snapshot(struct knetmon_bind_rec *recs, u32 n,
				int family, int protocol, int port, u32 netns);

/* bind_events.c: all calls with knetmon_binds_lock held unless noted. */
struct knetmon_binds_net;	/* per netns: sequence and pending batch */
int knetmon_bind_events_init(void);		/* no lock */
void knetmon_bind_events_stop(void);		/* no lock, probes gone */
void knetmon_bind_events_exit(void);		/* no lock */
struct knetmon_binds_net *knetmon_binds_net(const struct net *net);	/* RCU */
void knetmon_bind_event_queue(struct knetmon_binds_net *bn, struct net *net,
			      struct knetmon_bind_rec *rec);
/* The last seq given in NET, with every event up to it sent on its way. */
u64 knetmon_binds_netns_seq_locked(const struct net *net);

/* binds.c */
/* Identity, options and current address of SK; inode from SOCK if given. */
void knetmon_rec_sock(struct knetmon_bind_rec *rec, const struct sock *sk,
		      const struct socket *sock);
int knetmon_bind_fill(struct sk_buff *skb, const struct knetmon_bind_rec *rec,
		      u32 portid, u32 seq, int flags, u8 cmd, const u64 *dump_seq);

#endif
