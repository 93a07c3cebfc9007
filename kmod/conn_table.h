/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns each TCP connection: the task that connected or accepted it,
 * kept from that moment to its close, so that a close carries its owner
 * and not whatever task the last segment's softirq interrupted. Beside
 * the live-bind table, under its lock.
 */
#ifndef _KNETMON_CONN_TABLE_H
#define _KNETMON_CONN_TABLE_H

#include "bind_table.h"

struct knetmon_conn;

int knetmon_conn_table_init(void);		/* before anything can fill it */
void knetmon_conn_table_flush(void);		/* probes and tracepoint gone */
void knetmon_conn_table_exit(void);		/* the same, and its netns state */

/* Lockless: whether any entry is kept (a close must then look). */
bool knetmon_conn_table_used(void);

/* The rest with knetmon_bind_table_lock held. */
struct knetmon_conn *knetmon_conn_lookup(const struct sock *sk);
/*
 * SK's entry, a new one if it has none, started afresh (a new cookie, no
 * owner, START) if FRESH: the socket is beginning a connection, and an
 * entry left there belonged to an earlier socket at the same address.
 * NULL (counted) when full or out of memory.
 */
struct knetmon_conn *knetmon_conn_get(const struct sock *sk, u64 start, bool fresh);
void knetmon_conn_remove(struct knetmon_conn *c);

/* REC's ids (host and view, already set) become C's owner; C's cookie into REC. */
void knetmon_conn_own(struct knetmon_conn *c, struct knetmon_bind_rec *rec);
/*
 * C's cookie and owner into REC (C may be NULL: neither); with no owner
 * REC's ids are cleared. REC's view is then fixed: it is the owner's.
 */
void knetmon_conn_rec(const struct knetmon_conn *c, struct knetmon_bind_rec *rec);
u64 knetmon_conn_start(const struct knetmon_conn *c);
u64 knetmon_conn_cookie(const struct knetmon_conn *c);	/* 0 for NULL */
/* Whether C's connect() returned with its SYN sent: its outcome is awaited. */
bool knetmon_conn_connecting(const struct knetmon_conn *c);
void knetmon_conn_set_connecting(struct knetmon_conn *c, bool on);

#endif
