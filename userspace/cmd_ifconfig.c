// SPDX-License-Identifier: GPL-2.0
/* knetmon ifconfig: interfaces, their addresses and counters, like `ifconfig -a`. */
#include <getopt.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_arp.h>

#include <linux/knetmon.h>

#include "addr.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"

struct ifconfig_opts {
	int all;
	bool all_netns;		/* each interface with its netns */
};

static struct nla_policy link_policy[KNETMON_A_LINK_MAX + 1] = {
	[KNETMON_A_LINK_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_LINK_NAME]		= { .type = NLA_STRING },
	[KNETMON_A_LINK_FLAGS]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_NETNS]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_MTU]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_TXQLEN]		= { .type = NLA_U32 },
	[KNETMON_A_LINK_TYPE]		= { .type = NLA_U16 },
	[KNETMON_A_LINK_OPERSTATE]	= { .type = NLA_U8 },
	[KNETMON_A_LINK_STATS]		= { .type = NLA_NESTED },
	[KNETMON_A_LINK_ADDRS]		= { .type = NLA_NESTED },
};

static struct nla_policy addr_policy[KNETMON_A_ADDR_MAX + 1] = {
	[KNETMON_A_ADDR_FAMILY]		= { .type = NLA_U8 },
	[KNETMON_A_ADDR_PREFIXLEN]	= { .type = NLA_U8 },
	[KNETMON_A_ADDR_SCOPE]		= { .type = NLA_U8 },
	[KNETMON_A_ADDR_FLAGS]		= { .type = NLA_U32 },
};

static struct nla_policy stats_policy[KNETMON_A_STATS_MAX + 1] = {
	[KNETMON_A_STATS_RX_PACKETS]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_TX_PACKETS]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_RX_BYTES]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_TX_BYTES]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_RX_ERRORS]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_TX_ERRORS]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_RX_DROPPED]	= { .type = NLA_U64 },
	[KNETMON_A_STATS_TX_DROPPED]	= { .type = NLA_U64 },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon ifconfig [ -a ] [ -j ] [ -N NETNS | --all-netns ]\n"
		   "Show the interfaces of this network namespace: flags, MTU, hardware\n"
		   "address, IPv4 and IPv6 addresses and packet counters.\n"
		   "    -a  include interfaces that are down\n"
		   "    -j  JSON output\n"
		   "    -N, --netns NAME|PID  another netns (/var/run/netns/NAME or\n"
		   "        /proc/PID/ns/net; needs CAP_NET_ADMIN over it)\n"
		   "    --all-netns  every netns, each interface with its netns\n"
		   "        (needs CAP_NET_ADMIN)\n");
}

static void print_address(struct nlattr *a)
{
	struct nlattr *tb[KNETMON_A_ADDR_MAX + 1];
	char buf[KN_ADDRSTRLEN], mask[KN_ADDRSTRLEN];
	unsigned int family, plen, scope;
	struct nlattr *addr;

	if (nla_parse_nested(tb, KNETMON_A_ADDR_MAX, a, addr_policy) ||
	    !tb[KNETMON_A_ADDR_FAMILY] || !tb[KNETMON_A_ADDR_ADDRESS] ||
	    !tb[KNETMON_A_ADDR_PREFIXLEN])
		return;
	family = nla_get_u8(tb[KNETMON_A_ADDR_FAMILY]);
	plen = nla_get_u8(tb[KNETMON_A_ADDR_PREFIXLEN]);
	scope = tb[KNETMON_A_ADDR_SCOPE] ? nla_get_u8(tb[KNETMON_A_ADDR_SCOPE]) : 0;
	addr = tb[KNETMON_A_ADDR_ADDRESS];

	print_open_object(NULL);
	print_string("family", "        %s ", kn_family_name(family));
	print_string("address", "%s", kn_ip_str(family, nla_data(addr), nla_len(addr),
						buf, sizeof(buf)));
	print_uint("prefixlen", NULL, plen);
	if (family == AF_INET) {
		uint32_t m = plen ? htonl(~0u << (32 - plen)) : 0;

		print_text("  netmask %s", kn_ip_str(AF_INET, &m, 4, mask, sizeof(mask)));
	} else {
		print_text("  prefixlen %u", plen);
	}
	print_uint("scope", NULL, scope);
	print_text("  scope %s\n", kn_scope_name(scope));
	if (tb[KNETMON_A_ADDR_FLAGS])
		print_uint("addr_flags", NULL, nla_get_u32(tb[KNETMON_A_ADDR_FLAGS]));
	print_close_object();
}

static uint64_t stat(struct nlattr **st, int attr)
{
	return st[attr] ? nla_get_u64(st[attr]) : 0;
}

static void print_stats(struct nlattr *nest)
{
	struct nlattr *st[KNETMON_A_STATS_MAX + 1] = { 0 };

	if (nest && nla_parse_nested(st, KNETMON_A_STATS_MAX, nest, stats_policy))
		memset(st, 0, sizeof(st));
	print_open_object("stats");
	print_uint("rx_packets", "        RX packets %llu", stat(st, KNETMON_A_STATS_RX_PACKETS));
	print_uint("rx_bytes", "  bytes %llu\n", stat(st, KNETMON_A_STATS_RX_BYTES));
	print_uint("rx_errors", "        RX errors %llu", stat(st, KNETMON_A_STATS_RX_ERRORS));
	print_uint("rx_dropped", "  dropped %llu\n", stat(st, KNETMON_A_STATS_RX_DROPPED));
	print_uint("tx_packets", "        TX packets %llu", stat(st, KNETMON_A_STATS_TX_PACKETS));
	print_uint("tx_bytes", "  bytes %llu\n", stat(st, KNETMON_A_STATS_TX_BYTES));
	print_uint("tx_errors", "        TX errors %llu", stat(st, KNETMON_A_STATS_TX_ERRORS));
	print_uint("tx_dropped", "  dropped %llu\n", stat(st, KNETMON_A_STATS_TX_DROPPED));
	print_close_object();
}

static const char *link_type_name(unsigned int type)
{
	switch (type) {
	case ARPHRD_ETHER:	return "Ethernet";
	case ARPHRD_LOOPBACK:	return "Local Loopback";
	case ARPHRD_NONE:	return "UNSPEC";
	default:		return NULL;
	}
}

static void print_hw(struct nlattr **tb)
{
	char buf[KN_ADDRSTRLEN];
	unsigned int type = tb[KNETMON_A_LINK_TYPE] ? nla_get_u16(tb[KNETMON_A_LINK_TYPE]) : 0;
	const char *tname = link_type_name(type);
	struct nlattr *hw = tb[KNETMON_A_LINK_ADDRESS];

	print_text("        ");
	if (hw && type == ARPHRD_ETHER)
		print_text("ether ");
	else if (type == ARPHRD_LOOPBACK)
		print_text("loop ");
	if (hw)
		print_string("address", type == ARPHRD_LOOPBACK ? NULL : "%s  ",
			     kn_ll_str(nla_data(hw), nla_len(hw), buf, sizeof(buf)));
	print_uint("txqueuelen", "txqueuelen %llu",
		   tb[KNETMON_A_LINK_TXQLEN] ? nla_get_u32(tb[KNETMON_A_LINK_TXQLEN]) : 0);
	print_uint("link_type", NULL, type);
	if (tname)
		print_text("  (%s)\n", tname);
	else
		print_text("  (type %u)\n", type);
	if (tb[KNETMON_A_LINK_OPERSTATE])
		print_uint("operstate", NULL, nla_get_u8(tb[KNETMON_A_LINK_OPERSTATE]));
}

static int print_link(struct nlattr **tb, uint8_t cmd, void *arg)
{
	const struct ifconfig_opts *o = arg;
	uint32_t flags;
	struct nlattr *a;
	int rem;

	if (!tb[KNETMON_A_LINK_IFINDEX] || !tb[KNETMON_A_LINK_NAME] || !tb[KNETMON_A_LINK_FLAGS])
		return 0;
	flags = nla_get_u32(tb[KNETMON_A_LINK_FLAGS]);
	if (!o->all && !(flags & IFF_UP))
		return 0;

	print_open_object(NULL);
	print_string("ifname", "%s: ", nla_get_string(tb[KNETMON_A_LINK_NAME]));
	print_uint("ifindex", NULL, nla_get_u32(tb[KNETMON_A_LINK_IFINDEX]));
	if (o->all_netns && tb[KNETMON_A_LINK_NETNS])
		print_uint("netns", "netns %llu  ", nla_get_u32(tb[KNETMON_A_LINK_NETNS]));
	kn_print_iff_flags(flags, "flags=%llu");
	print_uint("mtu", "  mtu %llu\n",
		   tb[KNETMON_A_LINK_MTU] ? nla_get_u32(tb[KNETMON_A_LINK_MTU]) : 0);
	print_open_array("addresses");
	if (tb[KNETMON_A_LINK_ADDRS])
		nla_for_each_nested(a, tb[KNETMON_A_LINK_ADDRS], rem)
			if (nla_type(a) == KNETMON_A_ADDR)
				print_address(a);
	print_close_array();
	print_hw(tb);
	print_stats(tb[KNETMON_A_LINK_STATS]);
	print_close_object();
	print_text("\n");
	return 0;
}

static int ifconfig_option(int c, const char *arg, void *state)
{
	struct ifconfig_opts *o = state;

	if (c == 'a')
		o->all = 1;
	return 0;
}

static int ifconfig_run(struct kn_nl *nl, void *state)
{
	struct nl_msg *msg = kn_msg(nl, KNETMON_CMD_GET_LINKS, NLM_F_DUMP);
	struct ifconfig_opts *o = state;

	o->all_netns = nl->all_netns;
	kn_put_flags(nl, msg, 0);
	return kn_view_dump(nl, msg, KNETMON_A_LINK_MAX, link_policy, print_link, o);
}

int cmd_ifconfig(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ 0 }
	};
	static const struct kn_view view = {
		.optstring = "a", .longopts = opts, .usage = usage,
		.option = ifconfig_option, .run = ifconfig_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct ifconfig_opts),
	};
	struct ifconfig_opts o = { 0 };

	return kn_view_run(&view, argc, argv, &o);
}
