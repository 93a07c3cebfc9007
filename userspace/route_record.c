// SPDX-License-Identifier: GPL-2.0
/* Decoding and printing of routes: see route_record.h. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "print.h"
#include "route_record.h"

struct nla_policy kn_route_policy[KNETMON_A_ROUTE_MAX + 1] = {
	[KNETMON_A_ROUTE_FAMILY]	= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_TABLE]		= { .type = NLA_U32 },
	[KNETMON_A_ROUTE_NETNS]		= { .type = NLA_U32 },
	[KNETMON_A_ROUTE_DST_LEN]	= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_PRIORITY]	= { .type = NLA_U32 },
	[KNETMON_A_ROUTE_PROTOCOL]	= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_SCOPE]		= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_TYPE]		= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_TOS]		= { .type = NLA_U8 },
	[KNETMON_A_ROUTE_NEXTHOPS]	= { .type = NLA_NESTED },
	[KNETMON_A_ROUTE_NH_ID]		= { .type = NLA_U32 },
};

static struct nla_policy nh_policy[KNETMON_A_NH_MAX + 1] = {
	[KNETMON_A_NH_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_NH_WEIGHT]	= { .type = NLA_U32 },
	[KNETMON_A_NH_FLAGS]	= { .type = NLA_U32 },
	[KNETMON_A_NH_GATEWAY_FAMILY] = { .type = NLA_U8 },
};

static const char *type_name(unsigned int t)
{
	static const char *const names[] = {
		"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
		"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static const char *proto_name(unsigned int p, char *buf, size_t n)
{
	switch (p) {
	case RTPROT_UNSPEC:	return "unspec";
	case RTPROT_REDIRECT:	return "redirect";
	case RTPROT_KERNEL:	return "kernel";
	case RTPROT_BOOT:	return "boot";
	case RTPROT_STATIC:	return "static";
	case RTPROT_RA:		return "ra";
	case RTPROT_DHCP:	return "dhcp";
	}
	snprintf(buf, n, "%u", p);
	return buf;
}

static const char *scope_name(unsigned int s, char *buf, size_t n)
{
	switch (s) {
	case RT_SCOPE_UNIVERSE:	return "global";
	case RT_SCOPE_SITE:	return "site";
	case RT_SCOPE_LINK:	return "link";
	case RT_SCOPE_HOST:	return "host";
	case RT_SCOPE_NOWHERE:	return "nowhere";
	}
	snprintf(buf, n, "%u", s);
	return buf;
}

static const char *table_name(uint32_t t, char *buf, size_t n)
{
	switch (t) {
	case RT_TABLE_MAIN:	return "main";
	case RT_TABLE_LOCAL:	return "local";
	case RT_TABLE_DEFAULT:	return "default";
	}
	snprintf(buf, n, "%u", t);
	return buf;
}

int kn_route_parse_nh(struct nlattr *a, int family, struct kn_route_nh *h)
{
	struct nlattr *tb[KNETMON_A_NH_MAX + 1];

	memset(h, 0, sizeof(*h));
	if (nla_parse_nested(tb, KNETMON_A_NH_MAX, a, nh_policy))
		return -1;
	/* an IPv4 route may have an IPv6 gateway (ip route ... via inet6) */
	h->family = tb[KNETMON_A_NH_GATEWAY_FAMILY] ?
		    nla_get_u8(tb[KNETMON_A_NH_GATEWAY_FAMILY]) : family;
	if (tb[KNETMON_A_NH_GATEWAY])
		kn_ip_str(h->family, nla_data(tb[KNETMON_A_NH_GATEWAY]),
			  nla_len(tb[KNETMON_A_NH_GATEWAY]), h->gw, sizeof(h->gw));
	if (tb[KNETMON_A_NH_IFINDEX])
		h->ifindex = nla_get_u32(tb[KNETMON_A_NH_IFINDEX]);
	if (tb[KNETMON_A_NH_WEIGHT])
		h->weight = nla_get_u32(tb[KNETMON_A_NH_WEIGHT]);
	if (tb[KNETMON_A_NH_FLAGS])
		h->flags = nla_get_u32(tb[KNETMON_A_NH_FLAGS]);
	return 0;
}

static void print_nh_fields(const struct kn_link_names *names, const struct kn_route_nh *h)
{
	char nb[32];

	if (h->gw[0])
		print_string("gateway", " via %s", h->gw);
	if (h->ifindex) {
		print_uint("ifindex", NULL, h->ifindex);
		print_string("dev", " dev %s", kn_link_name(names, h->ifindex, nb, sizeof(nb)));
	}
	if (h->weight)
		print_uint("weight", " weight %llu", h->weight);
	print_uint("nh_flags", NULL, h->flags);
	if (h->flags & RTNH_F_DEAD)
		print_text(" dead");
	if (h->flags & RTNH_F_ONLINK)
		print_text(" onlink");
	if (h->flags & RTNH_F_LINKDOWN)
		print_text(" linkdown");
}

bool kn_route_complete(struct nlattr **tb)
{
	return tb[KNETMON_A_ROUTE_FAMILY] && tb[KNETMON_A_ROUTE_TABLE] && tb[KNETMON_A_ROUTE_DST] &&
	       tb[KNETMON_A_ROUTE_DST_LEN] && tb[KNETMON_A_ROUTE_TYPE] &&
	       tb[KNETMON_A_ROUTE_PROTOCOL] && tb[KNETMON_A_ROUTE_SCOPE] &&
	       tb[KNETMON_A_ROUTE_PRIORITY];
}

const char *kn_route_dst(struct nlattr **tb, char *buf, size_t n)
{
	return kn_ip_str(nla_get_u8(tb[KNETMON_A_ROUTE_FAMILY]), nla_data(tb[KNETMON_A_ROUTE_DST]),
			 nla_len(tb[KNETMON_A_ROUTE_DST]), buf, n);
}

void kn_route_print_fields(struct nlattr **tb, const struct kn_link_names *names, uint32_t netns)
{
	int family = nla_get_u8(tb[KNETMON_A_ROUTE_FAMILY]);
	unsigned int dst_len = nla_get_u8(tb[KNETMON_A_ROUTE_DST_LEN]);
	char b1[32], b2[32], dst[KN_ADDRSTRLEN];
	unsigned int type = nla_get_u8(tb[KNETMON_A_ROUTE_TYPE]);
	uint32_t table = nla_get_u32(tb[KNETMON_A_ROUTE_TABLE]);
	struct nlattr *a;
	int rem, n = 0;

	print_string("family", NULL, kn_family_name(family));
	print_uint("type", NULL, type);
	print_text("%s ", type_name(type));
	print_string("dst", "%s", kn_route_dst(tb, dst, sizeof(dst)));
	print_uint("dst_len", "/%llu", dst_len);
	print_uint("table", NULL, table);
	print_text(" table %s", table_name(table, b1, sizeof(b1)));
	print_uint("protocol", NULL, nla_get_u8(tb[KNETMON_A_ROUTE_PROTOCOL]));
	print_text(" proto %s", proto_name(nla_get_u8(tb[KNETMON_A_ROUTE_PROTOCOL]), b2, sizeof(b2)));
	print_uint("scope", NULL, nla_get_u8(tb[KNETMON_A_ROUTE_SCOPE]));
	print_text(" scope %s", scope_name(nla_get_u8(tb[KNETMON_A_ROUTE_SCOPE]), b1, sizeof(b1)));
	print_uint("metric", " metric %llu", nla_get_u32(tb[KNETMON_A_ROUTE_PRIORITY]));
	if (tb[KNETMON_A_ROUTE_TOS])
		print_uint("tos", NULL, nla_get_u8(tb[KNETMON_A_ROUTE_TOS]));
	if (tb[KNETMON_A_ROUTE_PREFSRC]) {
		char src[KN_ADDRSTRLEN];

		print_string("prefsrc", " src %s",
			     kn_ip_str(family, nla_data(tb[KNETMON_A_ROUTE_PREFSRC]),
				       nla_len(tb[KNETMON_A_ROUTE_PREFSRC]), src, sizeof(src)));
	}
	if (tb[KNETMON_A_ROUTE_NH_ID])
		print_uint("nhid", " nhid %llu", nla_get_u32(tb[KNETMON_A_ROUTE_NH_ID]));
	if (netns)
		print_uint("netns", " netns %llu", netns);
	print_open_array("nexthops");
	if (tb[KNETMON_A_ROUTE_NEXTHOPS]) {
		nla_for_each_nested(a, tb[KNETMON_A_ROUTE_NEXTHOPS], rem) {
			struct kn_route_nh h;

			if (nla_type(a) != KNETMON_A_NH || kn_route_parse_nh(a, family, &h))
				continue;
			print_open_object(NULL);
			print_text("%s", n++ ? "\n\tnexthop" : "");
			print_nh_fields(names, &h);
			print_close_object();
		}
	}
	print_close_array();
}
