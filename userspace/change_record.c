// SPDX-License-Identifier: GPL-2.0
/* Decoding and printing of network changes: see change_record.h. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>

#include "addr.h"
#include "bind_record.h"
#include "change_record.h"
#include "print.h"
#include "route_record.h"

struct nla_policy kn_change_policy[KNETMON_A_CHANGE_MAX + 1] = {
	[KNETMON_A_CHANGE_SEQ]		= { .type = NLA_U64 },
	[KNETMON_A_CHANGE_KIND]		= { .type = NLA_U8 },
	[KNETMON_A_CHANGE_TIME_REAL]	= { .type = NLA_U64 },
	[KNETMON_A_CHANGE_TIME_BOOT]	= { .type = NLA_U64 },
	[KNETMON_A_CHANGE_NETNS]	= { .type = NLA_U32 },
	[KNETMON_A_CHANGE_NETNS_COOKIE]	= { .type = NLA_U64 },
	[KNETMON_A_CHANGE_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_CHANGE_IFNAME]	= { .type = NLA_STRING },
	[KNETMON_A_CHANGE_LINK_WHAT]	= { .type = NLA_U8 },
	[KNETMON_A_CHANGE_LINK]		= { .type = NLA_NESTED },
	[KNETMON_A_CHANGE_ADDR]		= { .type = NLA_NESTED },
	[KNETMON_A_CHANGE_NEIGH]	= { .type = NLA_NESTED },
	[KNETMON_A_CHANGE_ROUTE]	= { .type = NLA_NESTED },
};

struct nla_policy kn_change_link_policy[KNETMON_A_LINK_MAX + 1] = {
	[KNETMON_A_LINK_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_LINK_NAME]		= { .type = NLA_STRING },
	[KNETMON_A_LINK_FLAGS]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_MTU]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_ADDRESS]	= { .maxlen = KN_LLADDR_MAX },
	[KNETMON_A_LINK_TXQLEN]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_TYPE]		= { .type = NLA_U16 },
	[KNETMON_A_LINK_OPERSTATE]	= { .type = NLA_U8 },
	[KNETMON_A_LINK_STATS]		= { .type = NLA_NESTED },
	[KNETMON_A_LINK_ADDRS]		= { .type = NLA_NESTED },
	[KNETMON_A_LINK_NETNS]		= { .type = NLA_U32 },
};

static struct nla_policy addr_policy[KNETMON_A_ADDR_MAX + 1] = {
	[KNETMON_A_ADDR_FAMILY]		= { .type = NLA_U8 },
	[KNETMON_A_ADDR_ADDRESS]	= { .minlen = 4, .maxlen = 16 },
	[KNETMON_A_ADDR_PREFIXLEN]	= { .type = NLA_U8 },
	[KNETMON_A_ADDR_SCOPE]		= { .type = NLA_U8 },
	[KNETMON_A_ADDR_FLAGS]		= { .type = NLA_U32 },
};

static struct nla_policy neigh_policy[KNETMON_A_NEIGH_MAX + 1] = {
	[KNETMON_A_NEIGH_FAMILY]	= { .type = NLA_U8 },
	[KNETMON_A_NEIGH_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[KNETMON_A_NEIGH_LLADDR]	= { .maxlen = KN_LLADDR_MAX },
	[KNETMON_A_NEIGH_STATE]		= { .type = NLA_U16 },
	[KNETMON_A_NEIGH_FLAGS]		= { .type = NLA_U8 },
};

/* An IP address of FAMILY's exact length: 0, or -1 when it is not that. */
static int get_ip(const struct nlattr *a, uint8_t family, uint8_t *out)
{
	int len = family == AF_INET6 ? 16 : family == AF_INET ? 4 : -1;

	if (!a || nla_len(a) != len)
		return -1;
	memcpy(out, nla_data(a), len);
	return 0;
}

/* A link-layer address of up to KN_LLADDR_MAX bytes (the policy's bound): its length. */
static int get_ll(const struct nlattr *a, uint8_t *out)
{
	if (!a)
		return 0;
	memcpy(out, nla_data(a), nla_len(a));
	return nla_len(a);
}

void kn_change_link_parse(struct nlattr **tb, struct kn_change_link *l)
{
	memset(l, 0, sizeof(*l));
	l->has_flags = tb[KNETMON_A_LINK_FLAGS];
	l->has_mtu = tb[KNETMON_A_LINK_MTU];
	l->has_type = tb[KNETMON_A_LINK_TYPE];
	l->has_operstate = tb[KNETMON_A_LINK_OPERSTATE];
	if (l->has_flags)
		l->flags = nla_get_u32(tb[KNETMON_A_LINK_FLAGS]);
	if (l->has_mtu)
		l->mtu = nla_get_u32(tb[KNETMON_A_LINK_MTU]);
	if (l->has_type)
		l->type = nla_get_u16(tb[KNETMON_A_LINK_TYPE]);
	if (l->has_operstate)
		l->operstate = nla_get_u8(tb[KNETMON_A_LINK_OPERSTATE]);
	l->address_len = get_ll(tb[KNETMON_A_LINK_ADDRESS], l->address);
}

int kn_change_addr_parse(struct nlattr *nest, struct kn_change_addr *a)
{
	struct nlattr *tb[KNETMON_A_ADDR_MAX + 1];

	memset(a, 0, sizeof(*a));
	if (nla_parse_nested(tb, KNETMON_A_ADDR_MAX, nest, addr_policy) ||
	    !tb[KNETMON_A_ADDR_FAMILY] || !tb[KNETMON_A_ADDR_PREFIXLEN])
		return -1;
	a->family = nla_get_u8(tb[KNETMON_A_ADDR_FAMILY]);
	a->prefixlen = nla_get_u8(tb[KNETMON_A_ADDR_PREFIXLEN]);
	if (tb[KNETMON_A_ADDR_SCOPE])
		a->scope = nla_get_u8(tb[KNETMON_A_ADDR_SCOPE]);
	if (tb[KNETMON_A_ADDR_FLAGS])
		a->flags = nla_get_u32(tb[KNETMON_A_ADDR_FLAGS]);
	return get_ip(tb[KNETMON_A_ADDR_ADDRESS], a->family, a->address);
}

static int neigh_parse(struct nlattr *nest, struct kn_change_neigh *n)
{
	struct nlattr *tb[KNETMON_A_NEIGH_MAX + 1];

	memset(n, 0, sizeof(*n));
	if (nla_parse_nested(tb, KNETMON_A_NEIGH_MAX, nest, neigh_policy) ||
	    !tb[KNETMON_A_NEIGH_FAMILY])
		return -1;
	n->family = nla_get_u8(tb[KNETMON_A_NEIGH_FAMILY]);
	if (tb[KNETMON_A_NEIGH_STATE])
		n->state = nla_get_u16(tb[KNETMON_A_NEIGH_STATE]);
	if (tb[KNETMON_A_NEIGH_FLAGS])
		n->flags = nla_get_u8(tb[KNETMON_A_NEIGH_FLAGS]);
	n->lladdr_len = get_ll(tb[KNETMON_A_NEIGH_LLADDR], n->lladdr);
	return get_ip(tb[KNETMON_A_NEIGH_ADDR], n->family, n->addr);
}

/* Whether a ROUTE nest has every attribute a route record has. */
static bool route_nest_ok(struct nlattr *nest)
{
	struct nlattr *tb[KNETMON_A_ROUTE_MAX + 1];

	return !nla_parse_nested(tb, KNETMON_A_ROUTE_MAX, nest, kn_route_policy) &&
	       kn_route_complete(tb);
}

static int link_nest_parse(struct nlattr *nest, struct kn_change_link *l)
{
	struct nlattr *tb[KNETMON_A_LINK_MAX + 1];

	if (nla_parse_nested(tb, KNETMON_A_LINK_MAX, nest, kn_change_link_policy))
		return -1;
	kn_change_link_parse(tb, l);
	return 0;
}

/* Whether the nest that C's kind names is there (a kind of a newer module: yes). */
static bool object_present(const struct kn_change *c)
{
	switch (c->kind) {
	case KNETMON_CHANGE_KIND_LINK_NEW:
	case KNETMON_CHANGE_KIND_LINK_DEL:
	case KNETMON_CHANGE_KIND_LINK:		return c->has_link;
	case KNETMON_CHANGE_KIND_ADDR_NEW:
	case KNETMON_CHANGE_KIND_ADDR_DEL:	return c->has_addr;
	case KNETMON_CHANGE_KIND_NEIGH:
	case KNETMON_CHANGE_KIND_NEIGH_DEL:	return c->has_neigh;
	case KNETMON_CHANGE_KIND_ROUTE_NEW:
	case KNETMON_CHANGE_KIND_ROUTE_DEL:	return c->route;
	default:				return true;
	}
}

#define GET(attr, getter, field) \
	do { if (tb[attr]) c->field = getter(tb[attr]); } while (0)

int kn_change_parse(struct nlattr **tb, struct kn_change *c)
{
	memset(c, 0, sizeof(*c));
	if (!tb[KNETMON_A_CHANGE_KIND] || !tb[KNETMON_A_CHANGE_SEQ])
		return -1;
	GET(KNETMON_A_CHANGE_KIND, nla_get_u8, kind);
	GET(KNETMON_A_CHANGE_LINK_WHAT, nla_get_u8, what);
	GET(KNETMON_A_CHANGE_SEQ, nla_get_u64, seq);
	GET(KNETMON_A_CHANGE_TIME_REAL, nla_get_u64, time_real);
	GET(KNETMON_A_CHANGE_TIME_BOOT, nla_get_u64, time_boot);
	GET(KNETMON_A_CHANGE_NETNS, nla_get_u32, netns);
	GET(KNETMON_A_CHANGE_NETNS_COOKIE, nla_get_u64, netns_cookie);
	GET(KNETMON_A_CHANGE_IFINDEX, nla_get_u32, ifindex);
	if (tb[KNETMON_A_CHANGE_IFNAME])
		snprintf(c->ifname, sizeof(c->ifname), "%s", nla_get_string(tb[KNETMON_A_CHANGE_IFNAME]));
	c->has_link = tb[KNETMON_A_CHANGE_LINK];
	c->has_addr = tb[KNETMON_A_CHANGE_ADDR];
	c->has_neigh = tb[KNETMON_A_CHANGE_NEIGH];
	c->route = tb[KNETMON_A_CHANGE_ROUTE];
	if ((c->has_link && link_nest_parse(tb[KNETMON_A_CHANGE_LINK], &c->link)) ||
	    (c->has_addr && kn_change_addr_parse(tb[KNETMON_A_CHANGE_ADDR], &c->addr)) ||
	    (c->has_neigh && neigh_parse(tb[KNETMON_A_CHANGE_NEIGH], &c->neigh)) ||
	    (c->route && !route_nest_ok(c->route)))
		return -1;
	return object_present(c) ? 0 : -1;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Part of the JSON output: never rename one, only add. */
static const char *const kind_names[] = {
	[KNETMON_CHANGE_KIND_LINK_NEW]	= "link_new",
	[KNETMON_CHANGE_KIND_LINK_DEL]	= "link_del",
	[KNETMON_CHANGE_KIND_LINK]	= "link",
	[KNETMON_CHANGE_KIND_ADDR_NEW]	= "addr_new",
	[KNETMON_CHANGE_KIND_ADDR_DEL]	= "addr_del",
	[KNETMON_CHANGE_KIND_NEIGH]	= "neigh",
	[KNETMON_CHANGE_KIND_NEIGH_DEL]	= "neigh_del",
	[KNETMON_CHANGE_KIND_ROUTE_NEW]	= "route_new",
	[KNETMON_CHANGE_KIND_ROUTE_DEL]	= "route_del",
};

static const char *const what_names[] = {
	[KNETMON_LINK_CHANGE_UP]	= "up",
	[KNETMON_LINK_CHANGE_DOWN]	= "down",
	[KNETMON_LINK_CHANGE_STATE]	= "state",
	[KNETMON_LINK_CHANGE_NAME]	= "name",
	[KNETMON_LINK_CHANGE_MTU]	= "mtu",
	[KNETMON_LINK_CHANGE_ADDRESS]	= "address",
};

const char *kn_change_kind_name(uint8_t kind)
{
	return kind < ARRAY_SIZE(kind_names) && kind_names[kind] ? kind_names[kind] : "unknown";
}

static const char *what_name(uint8_t what)
{
	return what < ARRAY_SIZE(what_names) && what_names[what] ? what_names[what] : "unknown";
}

#define KIND_BIT(k)	(1u << KNETMON_CHANGE_KIND_##k)

unsigned int kn_change_kinds_from_name(const char *name)
{
	if (!strcmp(name, "link"))
		return KIND_BIT(LINK_NEW) | KIND_BIT(LINK_DEL) | KIND_BIT(LINK);
	if (!strcmp(name, "addr"))
		return KIND_BIT(ADDR_NEW) | KIND_BIT(ADDR_DEL);
	if (!strcmp(name, "neigh"))
		return KIND_BIT(NEIGH) | KIND_BIT(NEIGH_DEL);
	if (!strcmp(name, "route"))
		return KIND_BIT(ROUTE_NEW) | KIND_BIT(ROUTE_DEL);
	return 0;
}

bool kn_change_addr_usable(const struct kn_change_addr *a)
{
	return !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

/* The word after "link DEV:", "addr DEV:" in text: what happened. */
static const char *op_text(const struct kn_change *c)
{
	switch (c->kind) {
	case KNETMON_CHANGE_KIND_LINK_NEW:
	case KNETMON_CHANGE_KIND_ADDR_NEW:
	case KNETMON_CHANGE_KIND_ROUTE_NEW:	return "new ";
	case KNETMON_CHANGE_KIND_LINK_DEL:
	case KNETMON_CHANGE_KIND_ADDR_DEL:
	case KNETMON_CHANGE_KIND_ROUTE_DEL:	return "del ";
	default:				return "";
	}
}

static void print_link(const struct kn_change *c)
{
	const struct kn_change_link *l = &c->link;
	char buf[KN_ADDRSTRLEN];
	const char *oper = kn_operstate_name(l->operstate);

	if (l->has_flags) {
		kn_print_iff_flags(l->flags, NULL);
		print_text(" ");
	}
	if (l->has_mtu)
		print_uint("mtu", "mtu %llu ", l->mtu);
	if (l->address_len)
		print_string("address", "address %s ",
			     kn_ll_str(l->address, l->address_len, buf, sizeof(buf)));
	if (l->has_type)
		print_uint("link_type", NULL, l->type);
	if (l->has_operstate) {	/* the number as ifconfig -j has it, and ip's name */
		print_uint("operstate", NULL, l->operstate);
		print_string("operstate_name", "state %s ", oper ? oper : "?");
	}
}

static void print_addr_flags(const struct kn_change_addr *a)
{
	unsigned int bit;

	print_uint("flags_raw", NULL, a->flags);
	print_open_array("flags");
	for (bit = 0; bit < 32; bit++) {
		const char *name = kn_ifa_flag_name(bit, a->family);

		if ((a->flags & (1u << bit)) && name)
			print_string(NULL, "%s ", name);
	}
	print_close_array();
}

static void print_addr(const struct kn_change_addr *a)
{
	char buf[KN_ADDRSTRLEN];

	print_string("family", "%s ", kn_family_name(a->family));
	print_string("address", "%s", kn_ip_str(a->family, a->address,
						a->family == AF_INET6 ? 16 : 4, buf, sizeof(buf)));
	print_uint("prefixlen", "/%llu ", a->prefixlen);
	print_uint("scope", NULL, a->scope);	/* as ifconfig -j and route -j */
	print_string("scope_name", "scope %s ", kn_scope_name(a->scope));
	print_addr_flags(a);
}

/* NUD_* names as ip neigh prints them; "NONE" for no state at all. */
static void print_neigh_state(uint16_t state)
{
	unsigned int bit;

	print_uint("state_raw", NULL, state);
	print_open_array("state");
	if (!state)
		print_string(NULL, "%s ", "NONE");
	for (bit = 0; bit < 16; bit++) {
		const char *name = kn_nud_name(bit);

		if ((state & (1u << bit)) && name)
			print_string(NULL, "%s ", name);
	}
	print_close_array();
}

static void print_neigh(const struct kn_change_neigh *n)
{
	char buf[KN_ADDRSTRLEN];

	print_string("family", NULL, kn_family_name(n->family));
	print_string("address", "%s ", kn_ip_str(n->family, n->addr,
						n->family == AF_INET6 ? 16 : 4, buf, sizeof(buf)));
	if (n->lladdr_len)
		print_string("lladdr", "lladdr %s ", kn_ll_str(n->lladdr, n->lladdr_len,
							       buf, sizeof(buf)));
	else
		print_null("lladdr", NULL);
	print_neigh_state(n->state);
	/* the flags arp -j names */
	print_uint("flags_raw", NULL, n->flags);
	print_open_array("flags");
	if (n->flags & NTF_ROUTER)
		print_string(NULL, "%s ", "router");
	if (n->flags & NTF_PROXY)
		print_string(NULL, "%s ", "proxy");
	print_close_array();
}

/* A route as `ip route` prints it; its first next hop's device is the event's link. */
static void print_route(const struct kn_change *c)
{
	struct kn_link_name dev = { .ifindex = c->ifindex };
	struct kn_link_names names = { .v = &dev, .n = 1 };
	struct nlattr *tb[KNETMON_A_ROUTE_MAX + 1];

	snprintf(dev.name, sizeof(dev.name), "%s", c->ifname);
	nla_parse_nested(tb, KNETMON_A_ROUTE_MAX, c->route, kn_route_policy);	/* checked at parse */
	kn_route_print_fields(tb, &names, 0);
	print_text(" ");
}

/* The object's word in text: "link", "addr", "neigh" or "route". */
static const char *object_text(const struct kn_change *c)
{
	return c->route ? "route" : c->has_neigh ? "neigh" : c->has_addr ? "addr" : "link";
}

static void print_event_head(const struct kn_change *c)
{
	print_uint("seq", NULL, c->seq);
	print_string("kind", NULL, kn_change_kind_name(c->kind));
	if (c->kind == KNETMON_CHANGE_KIND_LINK)
		print_string("what", "%s ", what_name(c->what));
	else
		print_text("%s", op_text(c));
}

void kn_change_print(const struct kn_change *c, int how)
{
	bool event = how & KN_BIND_PRINT_EVENT;

	print_open_object(NULL);
	if (how & KN_BIND_PRINT_TIME)
		print_time_text(c->time_real);
	print_text("%s ", object_text(c));
	if (c->ifindex) {
		print_string("ifname", "%s: ", c->ifname);
		print_uint("ifindex", NULL, c->ifindex);
	} else {
		print_null("ifname", "-: ");
		print_null("ifindex", NULL);
	}
	if (event)
		print_event_head(c);
	if (c->has_link)
		print_link(c);
	if (c->has_addr)
		print_addr(&c->addr);
	if (c->has_neigh)
		print_neigh(&c->neigh);
	if (c->route)
		print_route(c);
	if (c->kind == KNETMON_CHANGE_KIND_NEIGH_DEL)
		print_text("deleted ");
	if (event) {
		print_uint("netns", "netns %llu", c->netns);
		print_uint("netns_cookie", NULL, c->netns_cookie);
		print_uint("time_real_ns", NULL, c->time_real);
		print_uint("time_boot_ns", NULL, c->time_boot);
	}
	print_close_object();
	print_text("\n");
}
