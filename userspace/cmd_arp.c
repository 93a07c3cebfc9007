// SPDX-License-Identifier: GPL-2.0
/* knetmon arp: the ARP and NDP caches, in the columns of `arp -n`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>

#include <linux/knetmon.h>

#include "addr.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"

struct arp_opts {
	struct kn_link_names names;
	int header_done;
	int family;		/* 0: both caches */
	bool all_netns;		/* a netns column; names per netns */
};

static struct nla_policy neigh_policy[KNETMON_A_NEIGH_MAX + 1] = {
	[KNETMON_A_NEIGH_FAMILY]	= { .type = NLA_U8 },
	[KNETMON_A_NEIGH_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_NEIGH_STATE]		= { .type = NLA_U16 },
	[KNETMON_A_NEIGH_FLAGS]		= { .type = NLA_U8 },
	[KNETMON_A_NEIGH_USED_MS]	= { .type = NLA_U32 },
	[KNETMON_A_NEIGH_CONFIRMED_MS]	= { .type = NLA_U32 },
	[KNETMON_A_NEIGH_UPDATED_MS]	= { .type = NLA_U32 },
	[KNETMON_A_NEIGH_NETNS]		= { .type = NLA_U32 },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon arp [ -n ] [ -4 | -6 ] [ -j ] [ -N NETNS | --all-netns ]\n"
		   "Show the neighbour caches of this network namespace: ARP (IPv4) and\n"
		   "NDP (IPv6) entries, in the columns of arp -n.\n"
		   "    -n      numeric output (always: names are never resolved)\n"
		   "    -4, -6  only ARP or only NDP entries\n"
		   "    -j      JSON output\n"
		   "    -N, --netns NAME|PID  another netns (/var/run/netns/NAME or\n"
		   "            /proc/PID/ns/net; needs CAP_NET_ADMIN over it)\n"
		   "    --all-netns  every netns, with a netns column (needs CAP_NET_ADMIN)\n");
}

static const char *hwtype(const struct kn_link_name *l)
{
	if (!l)
		return "?";
	switch (l->type) {
	case ARPHRD_ETHER:	return "ether";
	case ARPHRD_LOOPBACK:	return "loop";
	case ARPHRD_NONE:	return "none";
	default:		return "other";
	}
}

static void print_state(unsigned int state)
{
	unsigned int bit;

	print_open_array("state");
	for (bit = 0; bit < 16; bit++) {
		const char *name = kn_nud_name(bit);

		if ((state & (1u << bit)) && name)
			print_string(NULL, NULL, name);
	}
	print_close_array();
}

/* arp -n's Flags: C complete, M permanent, R router (NDP), P proxy. */
static void arp_flags(char *f, unsigned int state, unsigned int flags)
{
	int n = 0;

	if (state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP))
		f[n++] = 'C';
	if (state & NUD_PERMANENT)
		f[n++] = 'M';
	if (flags & NTF_ROUTER)
		f[n++] = 'R';
	if (flags & NTF_PROXY)
		f[n++] = 'P';
	f[n] = '\0';
}

static int print_neigh(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct arp_opts *o = arg;
	char addr[KN_ADDRSTRLEN], ll[KN_ADDRSTRLEN], nb[32], flags[8];
	unsigned int family, state, nflags;
	const struct kn_link_name *l;
	uint32_t ifindex;

	if (!tb[KNETMON_A_NEIGH_FAMILY] || !tb[KNETMON_A_NEIGH_ADDR] ||
	    !tb[KNETMON_A_NEIGH_IFINDEX] || !tb[KNETMON_A_NEIGH_STATE])
		return 0;
	family = nla_get_u8(tb[KNETMON_A_NEIGH_FAMILY]);
	state = nla_get_u16(tb[KNETMON_A_NEIGH_STATE]);
	nflags = tb[KNETMON_A_NEIGH_FLAGS] ? nla_get_u8(tb[KNETMON_A_NEIGH_FLAGS]) : 0;
	ifindex = nla_get_u32(tb[KNETMON_A_NEIGH_IFINDEX]);
	if (o->all_netns && tb[KNETMON_A_NEIGH_NETNS])
		o->names.netns = nla_get_u32(tb[KNETMON_A_NEIGH_NETNS]);
	l = kn_link_find(&o->names, ifindex);
	kn_ip_str(family, nla_data(tb[KNETMON_A_NEIGH_ADDR]), nla_len(tb[KNETMON_A_NEIGH_ADDR]),
		  addr, sizeof(addr));
	ll[0] = '\0';
	if (tb[KNETMON_A_NEIGH_LLADDR])
		kn_ll_str(nla_data(tb[KNETMON_A_NEIGH_LLADDR]), nla_len(tb[KNETMON_A_NEIGH_LLADDR]),
			  ll, sizeof(ll));
	arp_flags(flags, state, nflags);

	if (!o->header_done++)
		print_text("%-39s %-7s %-20s %-5s %-5s %s%s\n", "Address", "HWtype", "HWaddress",
			   "Flags", "Mask", "Iface", o->all_netns ? "            Netns" : "");	/* after %-16s Iface */
	print_open_object(NULL);
	print_string("family", NULL, kn_family_name(family));
	print_string("address", "%-39s ", addr);
	print_text("%-7s ", ll[0] ? hwtype(l) : "");
	if (ll[0])
		print_string("lladdr", "%-20s ", ll);
	else
		print_text("%-20s ", "(incomplete)");
	print_text("%-5s %-5s ", flags, "");
	print_uint("ifindex", NULL, ifindex);
	print_string("dev", o->all_netns ? "%-16s" : "%s",
		     kn_link_name(&o->names, ifindex, nb, sizeof(nb)));
	if (o->all_netns)
		print_uint("netns", " %llu", o->names.netns);
	print_text("\n");
	print_state(state);
	print_uint("state_raw", NULL, state);
	print_open_array("flags");
	if (nflags & NTF_ROUTER)
		print_string(NULL, NULL, "router");
	if (nflags & NTF_PROXY)
		print_string(NULL, NULL, "proxy");
	print_close_array();
	if (tb[KNETMON_A_NEIGH_USED_MS])
		print_uint("used_ms", NULL, nla_get_u32(tb[KNETMON_A_NEIGH_USED_MS]));
	if (tb[KNETMON_A_NEIGH_CONFIRMED_MS])
		print_uint("confirmed_ms", NULL, nla_get_u32(tb[KNETMON_A_NEIGH_CONFIRMED_MS]));
	if (tb[KNETMON_A_NEIGH_UPDATED_MS])
		print_uint("updated_ms", NULL, nla_get_u32(tb[KNETMON_A_NEIGH_UPDATED_MS]));
	print_close_object();
	return 0;
}

static int arp_option(int c, const char *arg, void *state)
{
	struct arp_opts *o = state;

	kn_family_option(c, &o->family);	/* -n: always numeric */
	return 0;
}

static int arp_run(struct kn_nl *nl, void *state)
{
	struct arp_opts *o = state;
	struct nl_msg *msg;
	int err;

	/* interface names of the same netns as the neighbours */
	o->all_netns = nl->all_netns;
	err = kn_link_names_load(nl, &o->names);
	if (!err) {
		msg = kn_msg(nl, KNETMON_CMD_GET_NEIGH, NLM_F_DUMP);
		if (msg && o->family)
			nla_put_u8(msg, KNETMON_REQ_FAMILY, o->family);
		kn_put_flags(nl, msg, 0);
		err = kn_view_dump(nl, msg, KNETMON_A_NEIGH_MAX, neigh_policy, print_neigh, o);
	}
	kn_link_names_free(&o->names);
	return err;
}

int cmd_arp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "numeric", no_argument, NULL, 'n' },
		{ 0 }
	};
	static const struct kn_view view = {
		.optstring = "n46", .longopts = opts, .usage = usage,
		.option = arp_option, .run = arp_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct arp_opts),
	};
	struct arp_opts o = { 0 };

	return kn_view_run(&view, argc, argv, &o);
}
