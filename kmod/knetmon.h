/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between knetmon's objects. */
#ifndef _KNETMON_H
#define _KNETMON_H

#include <linux/atomic.h>
#include <net/genetlink.h>
#include <uapi/linux/knetmon.h>

/* Offsets into the family's multicast group array. */
enum knetmon_mcgrp {
	KNETMON_MCGRP_BINDS_ID,
	KNETMON_MCGRP_BINDS_ALL_ID,
	KNETMON_MCGRP_CONNS_ID,
	KNETMON_MCGRP_CONNS_ALL_ID,
	KNETMON_MCGRP_CHANGES_ID,
	KNETMON_MCGRP_CHANGES_ALL_ID,
};

extern struct genl_family knetmon_family;

/* Feature bits (KNETMON_FEAT_*) set by each part as it comes up. */
extern unsigned long knetmon_features;

/* Counters reported by GET_INFO, indexed by KNETMON_A_COUNTER_*. */
extern atomic64_t knetmon_counters[__KNETMON_A_COUNTER_MAX];

static inline void knetmon_count(enum knetmon_counter_attr c)
{
	atomic64_inc(&knetmon_counters[c]);
}

/* genl.c */
int knetmon_genl_init(void);
void knetmon_genl_exit(void);
int knetmon_dump_inet_family(struct netlink_callback *cb);

/* info.c */
int knetmon_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info);
/* Testing: whether the module parameter fault_probe names NAME as missing. */
bool knetmon_fault_injected(const char *name);

/* netns.c */
struct net *knetmon_request_net(const struct sk_buff *skb, struct nlattr **attrs,
				struct netlink_ext_ack *extack);
int knetmon_request_all_netns(const struct sk_buff *skb, struct nlattr **attrs,
			      struct netlink_ext_ack *extack);
int knetmon_dump_nets(struct netlink_callback *cb, struct nlattr **attrs, struct net ***nets);
int knetmon_all_nets(struct net ***nets);
void knetmon_put_nets(struct net **nets, int n);
/* Validates a dump request, reasons in cb->extack (NULL-safe): 0 or -errno. */
typedef int (*knetmon_dump_check_fn)(struct netlink_callback *cb);
int knetmon_dump_netns_check(struct netlink_callback *cb);
int knetmon_dump_check_start(struct netlink_callback *cb, knetmon_dump_check_fn check,
			     int *refused);
int knetmon_dump_refused(struct netlink_callback *cb, knetmon_dump_check_fn check, int refused);

/* The bind path: binds.c (probes) on bind_seed.c and bind_dump.c (GET_BINDS),
 * on bind_events.c, on bind_table.c, on bind_rec.c; each calls only below. */
int knetmon_binds_init(void);
void knetmon_binds_exit(void);
void knetmon_binds_start(void);
void knetmon_binds_stop(void);
void knetmon_binds_sync_counters(void);
void knetmon_bind_table_seed(void);			/* bind_seed.c */
u64 knetmon_binds_netns_seq(const struct net *net);	/* every event up to it sent */
u64 knetmon_conns_netns_seq(const struct net *net);	/* the same for connection events */
u64 knetmon_changes_netns_seq(const struct net *net);	/* and for network changes */
u32 knetmon_binds_capacity(void);
u32 knetmon_binds_netns_capacity(void);
/* NET's entries in the live-bind table, and its binds not stored. */
void knetmon_bind_table_netns_usage(const struct net *net, u32 *live, u64 *overflow);
int knetmon_nl_get_binds_start(struct netlink_callback *cb);
int knetmon_nl_get_binds_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int knetmon_nl_get_binds_done(struct netlink_callback *cb);

/*
 * probes.c: a kretprobe and, where probes step themselves (compat.h), the
 * kprobe that does its first instruction.
 */
#include <linux/kprobes.h>
struct knetmon_kretprobe {
	struct kretprobe rp;
	struct kprobe step;
	bool step_placed;
	bool placed;		/* read locklessly by the miss counts */
	bool on_demand;		/* placed disarmed: knetmon_kretprobes_arm() */
};

#define KNETMON_KRETPROBE(sym, entry, ret, call) { .rp = {	\
	.kp.symbol_name	= sym,					\
	.entry_handler	= entry,				\
	.handler	= ret,					\
	.data_size	= sizeof(struct call),			\
} }

/* 0, or -ENOENT (said in the log): the symbol is missing or cannot be probed. */
int knetmon_kretprobe_place(struct knetmon_kretprobe *p);
/* The placed ones of PS[0..N) removed, with one wait for handlers in flight. */
void knetmon_kretprobes_remove(struct knetmon_kretprobe *ps, int n);
/* Calls the placed ones of PS[0..N) did not see (instances out, nested hits). */
u64 knetmon_kretprobes_missed(const struct knetmon_kretprobe *ps, int n);
/* The placed on_demand ones of PS[0..N) armed or disarmed; may sleep. */
void knetmon_kretprobes_arm(struct knetmon_kretprobe *ps, int n, bool on);

/*
 * conn_probes.c: the connection stream's probes (tcp_conns.c's connect and
 * accept, udp_flows.c's sends and connects) armed only while a connection
 * group has a listener, where the kernel tells joins (compat.h).
 */
#define KNETMON_CONN_PROBES_ON_DEMAND KNETMON_GENL_HAS_BIND
void knetmon_conn_probes_started(void);		/* every part placed its probes */
void knetmon_conn_probes_stop(void);		/* before any part removes them */
void knetmon_conn_probes_join(int group);	/* genl bind/unbind of a group */
void knetmon_conn_probes_leave(int group);
/* What the stream's probes missed, all parts together: one count, one gap rule. */
u64 knetmon_conn_probes_missed(void);
void knetmon_conn_probes_sync_counters(void);

/* tcp_conns.c: TCP connection events (on conn_table.c and the bind path's events) */
void knetmon_tcp_conns_start(void);
void knetmon_tcp_conns_stop(void);
u64 knetmon_tcp_conn_probes_missed(void);
void knetmon_tcp_conn_probes_arm(bool on);

/* udp_flows.c: a UDP socket's first datagram to each peer, on the same stream */
void knetmon_udp_flows_start(void);
void knetmon_udp_flows_stop(void);
u64 knetmon_udp_flow_probes_missed(void);
void knetmon_udp_flow_probes_arm(bool on);	/* disarmed: the flows kept are forgotten */

/* net_changes.c: links, addresses, neighbours from the notifier chains */
void knetmon_net_changes_start(void);
void knetmon_net_changes_stop(void);
/* rtnl_changes.c: routes and usable IPv6 addresses from rtnetlink's announcements */
void knetmon_rtnl_changes_start(void);
void knetmon_rtnl_changes_stop(void);

/* sockets.c, owners.c */
void knetmon_sockets_init(void);
void knetmon_sockets_exit(void);
int knetmon_nl_get_sockets_start(struct netlink_callback *cb);
int knetmon_nl_get_sockets_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int knetmon_nl_get_sockets_done(struct netlink_callback *cb);
/* Each TCP listener and UDP socket of every netns, referenced, no table lock held. */
typedef void (*knetmon_sock_fn)(struct sock *sk, void *arg);
int knetmon_sockets_for_each_bound(knetmon_sock_fn fn, void *arg);
/* owners.c: see owners.h */

/* neigh.c, route.c, links.c */
int knetmon_nl_get_neigh_start(struct netlink_callback *cb);
int knetmon_nl_get_neigh_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int knetmon_nl_get_neigh_done(struct netlink_callback *cb);
void knetmon_neigh_init(void);
void knetmon_neigh_exit(void);
int knetmon_nl_get_routes_start(struct netlink_callback *cb);
int knetmon_nl_get_routes_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int knetmon_nl_get_routes_done(struct netlink_callback *cb);
void knetmon_routes_init(void);
/*
 * One RTM_NEWROUTE or RTM_DELROUTE message as knetmon describes routes:
 * its rtmsg with TB filled and *TABLE set, or NULL (a cached route, another
 * family, a malformed message).
 */
struct rtmsg;
const struct rtmsg *knetmon_route_parse(const struct nlmsghdr *nlh, struct nlattr **tb,
					u32 *table);
/* That route's attributes (knetmon_route_attr, NETNS as given) into SKB: 0 or -EMSGSIZE. */
int knetmon_route_put(struct sk_buff *skb, const struct rtmsg *rtm, u32 table,
		      struct nlattr **tb, u32 netns_inum);
void knetmon_routes_exit(void);
int knetmon_nl_get_links_start(struct netlink_callback *cb);
int knetmon_nl_get_links_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int knetmon_nl_get_links_done(struct netlink_callback *cb);
void knetmon_links_init(void);
void knetmon_links_exit(void);


#endif /* _KNETMON_H */
