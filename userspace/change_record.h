/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One network change (an event of the "changes" group: a link, an address,
 * a neighbour or a route), decoded once and printed once for text and JSON by the
 * monitor and wait views. The link and address parts also hold a GET_LINKS
 * record, which has the same attributes, so wait prints what it found in a
 * listing through the same calls.
 */
#ifndef KNETMON_CHANGE_RECORD_H
#define KNETMON_CHANGE_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>

#include <linux/knetmon.h>

#define KN_LLADDR_MAX 32	/* MAX_ADDR_LEN */

/* A link's state: knetmon_link_attr, each field only when sent. */
struct kn_change_link {
	bool has_flags, has_mtu, has_type, has_operstate;
	uint32_t flags;		/* IFF_* */
	uint32_t mtu;
	uint16_t type;		/* ARPHRD_* */
	uint8_t operstate;	/* IF_OPER_* */
	int address_len;	/* 0: none sent */
	uint8_t address[KN_LLADDR_MAX];
};

/* An address: knetmon_addr_attr. */
struct kn_change_addr {
	uint8_t family, prefixlen, scope;
	uint32_t flags;		/* IFA_F_* */
	uint8_t address[16];
};

/* A neighbour: knetmon_neigh_attr. */
struct kn_change_neigh {
	uint8_t family, flags;	/* NTF_* */
	uint16_t state;		/* NUD_* */
	uint8_t addr[16];
	int lladdr_len;		/* 0: none (an incomplete or failed entry) */
	uint8_t lladdr[KN_LLADDR_MAX];
};

struct kn_change {
	uint8_t kind;		/* KNETMON_CHANGE_KIND_*; 0: a listing's record */
	uint8_t what;		/* KNETMON_LINK_CHANGE_*, KIND_LINK */
	uint64_t seq, time_real, time_boot, netns_cookie;
	uint32_t netns, ifindex;	/* ifindex 0: no link (a route without a device) */
	char ifname[16];	/* IFNAMSIZ */
	bool has_link, has_addr, has_neigh;
	struct kn_change_link link;
	struct kn_change_addr addr;
	struct kn_change_neigh neigh;
	struct nlattr *route;	/* the ROUTE nest (knetmon_route_attr), checked; NULL: none.
				 * Points into the message: valid in the callback only */
};

typedef int (*kn_change_fn)(const struct kn_change *c, void *arg);

/* Fill C from an event's parsed attributes; 0, or -1 when it is malformed. */
int kn_change_parse(struct nlattr **tb, struct kn_change *c);
extern struct nla_policy kn_change_policy[KNETMON_A_CHANGE_MAX + 1];

/* The parts of a GET_LINKS record (its top-level attributes, one address nest). */
void kn_change_link_parse(struct nlattr **link_tb, struct kn_change_link *l);
int kn_change_addr_parse(struct nlattr *nest, struct kn_change_addr *a);
extern struct nla_policy kn_change_link_policy[KNETMON_A_LINK_MAX + 1];

/* "link_new", "addr_del", ...: the JSON "kind" of an event. */
const char *kn_change_kind_name(uint8_t kind);
/* The kinds --kinds NAME selects ("link", "addr", "neigh", "route"), as a mask of
 * 1 << KNETMON_CHANGE_KIND_*; 0 when NAME is none of them. */
unsigned int kn_change_kinds_from_name(const char *name);
/* Whether an address can be used: not tentative (DAD running) nor failed. */
bool kn_change_addr_usable(const struct kn_change_addr *a);

/*
 * One line (text) or one object (JSON) for C. HOW takes KN_BIND_PRINT_EVENT
 * (the event's seq, kind and time) and KN_BIND_PRINT_TIME (text: leading
 * timestamp), as for bind records.
 */
void kn_change_print(const struct kn_change *c, int how);

#endif
