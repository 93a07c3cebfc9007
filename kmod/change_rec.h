/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A network change as the notifier saw it: copied out of the device, the
 * address or the neighbour while the notifier held it, so that numbering
 * and writing the message under the table's lock read nothing shared.
 */
#ifndef _KNETMON_CHANGE_REC_H
#define _KNETMON_CHANGE_REC_H

#include <linux/if.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct knetmon_change_link {
	u32 flags;			/* dev_get_flags() */
	u32 mtu;
	u16 type;
	u8 operstate;
	u8 addr_len;
	u8 addr[MAX_ADDR_LEN];
};

struct knetmon_change_addr {
	u32 flags;			/* IFA_F_* */
	u8 family;
	u8 prefixlen;
	u8 scope;			/* RT_SCOPE_* */
	u8 addr[16];
};

struct knetmon_change_neigh {
	u16 state;			/* NUD_* */
	u8 flags;			/* NTF_* */
	u8 family;
	u8 addr_len;
	u8 lladdr_len;			/* 0: no valid link-layer address */
	u8 addr[16];
	u8 lladdr[MAX_ADDR_LEN];
};

/*
 * A route is described from the rtnetlink message that announced it, as
 * GET_ROUTES describes it: these point into that message, valid only
 * while the record is being queued (knetmon_change_event_queue() writes
 * the event before it returns).
 */
struct knetmon_change_route {
	const struct rtmsg *rtm;
	struct nlattr **tb;		/* RTA_MAX + 1 */
	u32 table;
};

struct knetmon_change_rec {
	u64 seq;
	u64 time_real;
	u64 time_boot;
	u64 netns_cookie;
	u32 netns_inum;
	u32 ifindex;
	u8 kind;			/* KNETMON_CHANGE_KIND_* */
	u8 link_what;			/* KNETMON_LINK_CHANGE_*, KIND_LINK */
	char ifname[IFNAMSIZ];
	union {
		struct knetmon_change_link link;
		struct knetmon_change_addr addr;
		struct knetmon_change_neigh neigh;
		struct knetmon_change_route route;
	};
};

/* The kind, clock and netns of a change in NET, and DEV's link if any, into REC (zeroed first). */
void knetmon_change_rec_init(struct knetmon_change_rec *rec, u8 kind, const struct net *net,
			     const struct net_device *dev);
/* One KNETMON_CMD_CHANGE_EVENT message for REC into SKB: 0 or -EMSGSIZE. */
int knetmon_change_fill(struct sk_buff *skb, const struct knetmon_change_rec *rec, u8 cmd);

#endif
