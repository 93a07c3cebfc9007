/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bind events: per-netns sequence numbers and batches, above the table
 * (whose lock orders them) and below the probes, the seeding and GET_BINDS.
 */
#ifndef _KNETMON_BIND_EVENTS_H
#define _KNETMON_BIND_EVENTS_H

#include "bind_table.h"
#include "change_rec.h"

struct knetmon_binds_net;	/* per netns: sequences and pending batches */

/*
 * Binds and releases; connection events (KNETMON_CMD_CONN_EVENT); network
 * changes (KNETMON_CMD_CHANGE_EVENT).
 */
enum knetmon_stream {
	KNETMON_STREAM_BINDS,
	KNETMON_STREAM_CONNS,
	KNETMON_STREAM_CHANGES,
	KNETMON_STREAMS,
};

/* Where one netns's sequence stands. */
struct knetmon_netns_seq {
	u64 cookie;
	u64 seq;
	u32 inum;
};

int knetmon_bind_events_init(void);
void knetmon_bind_events_stop(void);		/* probes gone */
void knetmon_bind_events_exit(void);

/* Under RCU: NET's state, NULL while NET is being built or torn down. */
struct knetmon_binds_net *knetmon_binds_net(const struct net *net);
/* With the lock held: the state of the netns with COOKIE, NULL once it is gone. */
struct knetmon_binds_net *knetmon_binds_net_find(u64 cookie);

/*
 * With knetmon_bind_table_lock held: the next number of REC's stream in
 * BN's netns. LOST is how many hits of that stream's probes were missed
 * since load: a netns's next number skips one when it grew, so its
 * listeners see a gap for events that were never numbered.
 */
void knetmon_bind_event_number(struct knetmon_binds_net *bn, struct knetmon_bind_rec *rec,
			       u64 lost);
/* With the lock held: whether an event of BN's netns would reach anyone. */
bool knetmon_bind_event_wanted(struct knetmon_binds_net *bn);
/* Without the lock: whether a connection event in NET would reach anyone. */
bool knetmon_conn_events_listened(const struct net *net);
/*
 * Append REC (its kind says which stream) to the batches of whoever
 * listens (for a netns's own group, with rec->view set as its listeners
 * see the ids); sent once the lock is dropped.
 */
void knetmon_bind_event_queue(struct knetmon_binds_net *bn, struct knetmon_bind_rec *rec);

/* Without the lock: whether a change in NET would reach anyone. */
bool knetmon_change_events_listened(const struct net *net);
/*
 * Number REC in NET's change sequence and append it to the batches of
 * whoever listens (any context but NMI; takes the table lock, kicks the
 * sender). Nothing when NET is being built or torn down.
 */
void knetmon_change_event_queue(const struct net *net, struct knetmon_change_rec *rec);

/* Without the lock, after queueing: send what is complete (any context but NMI). */
void knetmon_bind_events_kick(void);

/*
 * With the lock held: every batch pending is made ready to send, and the
 * last sequence number given in NET returned; *READY is how many batches
 * are then ready. The caller sends them with knetmon_bind_events_send(READY)
 * once the lock is dropped (process context).
 */
u64 knetmon_bind_events_cut_locked(const struct net *net, u32 *ready);
/* How many netns have a sequence (a hint for sizing, read without the lock). */
u32 knetmon_binds_nets_count(void);
/* With the lock held: every netns's sequence into OUT (at most N); -ENOSPC if more. */
int knetmon_bind_events_seqs_locked(struct knetmon_netns_seq *out, u32 n);
void knetmon_bind_events_send(u32 max);

#endif
