// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon route: the FIB of this network namespace. By default the main
 * table in the columns of `route -n`; with --table ID|all, one line per
 * route in the manner of `ip route show table all`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include <linux/knetmon.h>

#include "addr.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"
#include "route_record.h"

struct route_opts {
	int family;		/* 0: both */
	uint32_t table;		/* 0: all */
	int classic;		/* route -n columns */
	struct kn_link_names names;
	int header_done[2];
	bool all_netns;		/* ip-style lines with a netns field */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon route [ -4 | -6 ] [ -n ] [ --table { ID | all } ] [ -j ]\n"
		   "                   [ -N NETNS | --all-netns ]\n"
		   "Show the routes of this network namespace: by default the main table\n"
		   "in the columns of route -n; with --table, that table (or every table)\n"
		   "one route per line like ip route show table all.\n"
		   "    -4, -6    only IPv4 or IPv6 routes\n"
		   "    -n        numeric output (always: names are never resolved)\n"
		   "    --table   a table id (1-4294967295, or main, local, default) or all\n"
		   "    -j        JSON output\n"
		   "    -N, --netns NAME|PID  another netns (/var/run/netns/NAME or\n"
		   "              /proc/PID/ns/net; needs CAP_NET_ADMIN over it)\n"
		   "    --all-netns   every netns, ip-style lines with the netns\n"
		   "              (needs CAP_NET_ADMIN)\n");
}

static void classic_header(struct route_opts *o, int family)
{
	int i = family == AF_INET6;

	if (o->header_done[i] || print_is_json())
		return;
	o->header_done[i] = 1;
	if (family == AF_INET)
		printf("Kernel IP routing table\n"
		       "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
	else
		printf("Kernel IPv6 routing table\n"
		       "Destination                    Next Hop                   Flag Met Ref Use If\n");
}

/* route -n flags: U up, G gateway, H host route, ! reject. */
static void classic_flags(char *f, const struct kn_route_nh *h, unsigned int type,
			  unsigned int dst_len, int family)
{
	int n = 0;

	if (type == RTN_UNREACHABLE || type == RTN_PROHIBIT || type == RTN_BLACKHOLE)
		f[n++] = '!';
	else if (!(h->flags & RTNH_F_DEAD))
		f[n++] = 'U';
	if (h->gw[0])
		f[n++] = 'G';
	if (dst_len == (family == AF_INET ? 32u : 128u))
		f[n++] = 'H';
	f[n] = '\0';
}

/* route -n columns: one line per next hop, text only. */
static void print_route_classic(struct route_opts *o, struct nlattr **tb, int family,
				const char *dst, unsigned int dst_len)
{
	unsigned int type = nla_get_u8(tb[KNETMON_A_ROUTE_TYPE]);
	uint32_t metric = nla_get_u32(tb[KNETMON_A_ROUTE_PRIORITY]);
	struct kn_route_nh none = { .family = family };
	struct nlattr *a;
	int rem, n = 0;

	classic_header(o, family);
	if (tb[KNETMON_A_ROUTE_NEXTHOPS]) {
		nla_for_each_nested(a, tb[KNETMON_A_ROUTE_NEXTHOPS], rem) {
			char flags[8], nb[32], gw[KN_ADDRSTRLEN], mask[KN_ADDRSTRLEN], d[80];
			uint32_t m = dst_len ? htonl(~0u << (32 - dst_len)) : 0;
			const char *dev;
			struct kn_route_nh h;

			if (nla_type(a) != KNETMON_A_NH || kn_route_parse_nh(a, family, &h))
				continue;
			n++;
			classic_flags(flags, &h, type, dst_len, family);
			dev = h.ifindex ? kn_link_name(&o->names, h.ifindex, nb, sizeof(nb)) : "*";
			if (family == AF_INET) {
				printf("%-15s %-15s %-15s %-5s %-6u %-2u %8u %s\n", dst,
				       h.gw[0] ? h.gw : "0.0.0.0",
				       kn_ip_str(AF_INET, &m, 4, mask, sizeof(mask)),
				       flags, metric, 0, 0, dev);
			} else {
				snprintf(d, sizeof(d), "%s/%u", dst, dst_len);
				snprintf(gw, sizeof(gw), "%s", h.gw[0] ? h.gw : "::");
				printf("%-30s %-26s %-4s %-3u %-3u %3u %s\n", d, gw, flags,
				       metric, 0, 0, dev);
			}
		}
	}
	if (!n && family == AF_INET) {
		char flags[8];

		classic_flags(flags, &none, type, dst_len, family);
		printf("%-15s %-15s %-15s %-5s %-6u %-2u %8u %s\n", dst, "0.0.0.0",
		       "0.0.0.0", flags, metric, 0, 0, "*");
	}
}

static int print_route(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct route_opts *o = arg;
	char dst[KN_ADDRSTRLEN];
	unsigned int dst_len;
	int family;

	if (!kn_route_complete(tb))
		return 0;
	family = nla_get_u8(tb[KNETMON_A_ROUTE_FAMILY]);
	dst_len = nla_get_u8(tb[KNETMON_A_ROUTE_DST_LEN]);
	kn_route_dst(tb, dst, sizeof(dst));

	if (o->all_netns && tb[KNETMON_A_ROUTE_NETNS])
		o->names.netns = nla_get_u32(tb[KNETMON_A_ROUTE_NETNS]);
	print_open_object(NULL);
	if (o->classic && !o->all_netns && !print_is_json()) {
		print_route_classic(o, tb, family, dst, dst_len);
	} else {
		kn_route_print_fields(tb, &o->names, o->all_netns ? o->names.netns : 0);
		print_text("\n");
	}
	print_close_object();
	return 0;
}

static int parse_table(const char *s, uint32_t *table, int *classic)
{
	char *end;
	unsigned long v;

	*classic = 0;
	if (!strcmp(s, "all")) {
		*table = 0;
		return 0;
	}
	if (!strcmp(s, "main")) {
		*table = RT_TABLE_MAIN;
		return 0;
	}
	if (!strcmp(s, "local")) {
		*table = RT_TABLE_LOCAL;
		return 0;
	}
	if (!strcmp(s, "default")) {
		*table = RT_TABLE_DEFAULT;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v == 0 || v > 0xffffffffUL)
		return -1;
	*table = v;
	return 0;
}

static int route_option(int c, const char *arg, void *state)
{
	struct route_opts *o = state;

	if (kn_family_option(c, &o->family))
		return 0;
	switch (c) {
	case 't':
		if (parse_table(arg, &o->table, &o->classic)) {
			fprintf(stderr, "knetmon route: bad table \"%s\"\n", arg);
			return KN_EXIT_ERROR;
		}
		break;
	}
	return 0;
}

static int route_run(struct kn_nl *nl, void *state)
{
	struct route_opts *o = state;
	struct nl_msg *msg;
	int err;

	o->all_netns = nl->all_netns;
	err = kn_link_names_load(nl, &o->names);
	if (err) {
		kn_link_names_free(&o->names);
		return err;
	}
	msg = kn_msg(nl, KNETMON_CMD_GET_ROUTES, NLM_F_DUMP);
	if (msg && o->family)
		nla_put_u8(msg, KNETMON_REQ_FAMILY, o->family);
	if (msg && o->table)
		nla_put_u32(msg, KNETMON_REQ_TABLE, o->table);
	kn_put_flags(nl, msg, 0);
	err = kn_view_dump(nl, msg, KNETMON_A_ROUTE_MAX, kn_route_policy, print_route, o);
	kn_link_names_free(&o->names);
	return err;
}

int cmd_route(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, 't' },
		{ "numeric", no_argument, NULL, 'n' },
		{ 0 }
	};
	static const struct kn_view view = {
		.optstring = "46n", .longopts = opts, .usage = usage,
		.option = route_option, .run = route_run,
		.flags = KN_VIEW_NETNS | KN_VIEW_ALL_NETNS,
		.state_size = sizeof(struct route_opts),
	};
	struct route_opts o = { .table = RT_TABLE_MAIN, .classic = 1 };

	return kn_view_run(&view, argc, argv, &o);
}
