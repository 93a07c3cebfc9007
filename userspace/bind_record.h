/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One bind record (an event of the "binds" group or an entry of the
 * GET_BINDS dump), decoded once and printed once for text and JSON by the
 * binds, monitor and wait views.
 */
#ifndef KNETMON_BIND_RECORD_H
#define KNETMON_BIND_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>

#include <linux/knetmon.h>

#include "change_record.h"

struct kn_bind {
	bool has_kind;		/* false: a dump's DUMP_SEQ-only trailer */
	bool conn;		/* a connection event (KNETMON_CMD_CONN_EVENT) */
	bool has_dump_seq;
	bool preexisting;
	uint8_t kind, family, type, protocol, state;
	uint8_t old_state;	/* KIND_STATE */
	uint16_t rport;		/* connection events: the peer's, host order */
	uint8_t raddr[16];
	/* KIND_CLOSE: the connection's life */
	uint64_t bytes_acked, bytes_received, duration_ns;
	uint32_t segs_out, segs_in, total_retrans;
	uint8_t closed_by;	/* KNETMON_CLOSED_BY_* */
	uint8_t flow_via;	/* KIND_UDP_FLOW: KNETMON_FLOW_VIA_* */
	bool has_duration;
	int32_t result;
	uint16_t port;		/* host order */
	uint32_t pid, tgid, uid, netns, ifindex, sockopts, backlog;
	bool has_pid, has_uid;	/* not sent where not visible to the receiver */
	uint64_t seq, dump_seq, time_real, time_boot, cgroup, cookie, inode;
	uint8_t addr[16];
	char comm[16];
	/* AF_UNIX: the name as ss and /proc/net/unix print it, '@' for NUL */
	char path[108 + 1];
};

extern struct nla_policy kn_bind_policy[KNETMON_A_BIND_MAX + 1];

/* Fill B from parsed attributes; 0, or -1 when a record is malformed. */
int kn_bind_parse(struct nlattr **tb, struct kn_bind *b);

const char *kn_bind_kind_name(uint8_t kind);
/* 0 when NAME is not a kind. */
uint8_t kn_bind_kind_from_name(const char *name);
/* "tcp", "udp", "raw", ... by socket type and protocol. */
const char *kn_bind_proto(const struct kn_bind *b);
/* TCP-like state name as ss prints it ("LISTEN", "UNCONN", ...). */
const char *kn_bind_state(const struct kn_bind *b);
/* A TCP state in a transition: ss's names, but "CLOSE" for TCP_CLOSE. */
const char *kn_tcp_state_name(uint8_t state);
/* Plain address text: "0.0.0.0", "::1"; a unix socket's name. */
void kn_bind_addr(const struct kn_bind *b, char *buf, size_t len);

enum {
	KN_BIND_PRINT_EVENT	= 1 << 0,	/* kind, result, seq */
	KN_BIND_PRINT_TIME	= 1 << 1,	/* text: leading timestamp */
};

/* One line (text) or one object (JSON) for B. */
void kn_bind_print(const struct kn_bind *b, int how);



struct kn_nl;

/* GET_BINDS request filters; -1 means any. */
struct kn_bind_filter {
	int family;
	int protocol;
};

typedef int (*kn_bind_fn)(const struct kn_bind *b, void *arg);

/*
 * Dump the live-bind table through NL, calling FN for each entry; *DUMP_SEQ
 * gets the sequence number the dump is consistent with. Returns 0 or a
 * KN_EXIT_* code after printing why.
 */
int kn_binds_dump(struct kn_nl *nl, const struct kn_bind_filter *f, kn_bind_fn fn,
		  void *arg, uint64_t *dump_seq);

/* A subscription to the "binds" group, and the others joined on it. */
struct kn_bind_stream {
	struct nl_sock *sk;
	kn_bind_fn fn;		/* bind and connection events; NULL: none asked for */
	kn_change_fn change_fn;	/* network changes; NULL: none asked for */
	void *arg;
	int status;		/* first non-zero return of fn or change_fn */
};

/* Join the group (CAP_NET_ADMIN); RCVBUF > 0 sets SO_RCVBUF. 0 or KN_EXIT_*. */
int kn_binds_subscribe(struct kn_bind_stream *s, int rcvbuf, kn_bind_fn fn, void *arg);
/* The same for GROUP: KNETMON_MCGRP_BINDS or KNETMON_MCGRP_BINDS_ALL. */
int kn_binds_subscribe_group(struct kn_bind_stream *s, const char *group, int rcvbuf,
			     kn_bind_fn fn, void *arg);
/* A stream of network changes alone: GROUP is KNETMON_MCGRP_CHANGES(_ALL). */
int kn_changes_subscribe(struct kn_bind_stream *s, const char *group, int rcvbuf,
			 kn_change_fn fn, void *arg);
/* Join one more group on S (the connection events: KNETMON_MCGRP_CONNS...). */
int kn_binds_join(struct kn_bind_stream *s, const char *group);
void kn_binds_unsubscribe(struct kn_bind_stream *s);
/*
 * Wait up to TIMEOUT_MS (-1: forever) and hand each event to fn. Returns
 * 0, KN_STREAM_OVERRUN when the socket lost events (ENOBUFS), fn's first
 * non-zero return, or KN_EXIT_ERROR.
 */
#define KN_STREAM_OVERRUN (-1)
int kn_binds_poll(struct kn_bind_stream *s, int timeout_ms);
#endif
