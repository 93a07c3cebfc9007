// SPDX-License-Identifier: GPL-2.0
/*
 * GET_ROUTES and `knetmon route`: in a fresh netns per test, the dump's
 * IPv4 and IPv6 routes of every table equal `ip -d -N -j route show table
 * all` (incl. table 100, multipath, a blackhole, two routes to one prefix
 * that differ only in metric, IPv6 gateways of IPv4 routes (RTA_VIA), alone
 * and in a multipath route, and routes through nexthop objects and a
 * nexthop group); filters select a family and a table; the
 * CLI's JSON equals the dump; 2,000 routes cross many skbs with no
 * duplicate and no miss.
 */
#define _GNU_SOURCE
#include <net/if.h>

#include "knetmon_test.h"
#include "kt_harness.h"
#include "tables_lib.h"

struct routes_dump {
	struct tl_lines lines;
	struct tl_datagrams dg;
	int routes;
};

/*
 * Next hops as tables_canon.py writes them: GW@DEV[*WEIGHT];... A gateway
 * of the other family (RTA_VIA) is read by the family the record names.
 */
static void nh_text(const struct nlattr *nest, int family, char *out, size_t n)
{
	const struct nlattr *a;
	size_t used = 0;

	out[0] = '\0';
	if (!nest)
		return;
	mnl_attr_for_each_nested(a, nest) {
		char gw[64], dev[IF_NAMESIZE] = "", w[16] = "";
		struct tl_tb t;

		if (mnl_attr_get_type(a) != KNETMON_A_NH)
			continue;
		tl_parse_nest(a, &t);
		if (t.a[KNETMON_A_NH_IFINDEX] && !if_indextoname(tl_u32(&t, KNETMON_A_NH_IFINDEX), dev))
			snprintf(dev, sizeof(dev), "?%u", tl_u32(&t, KNETMON_A_NH_IFINDEX));
		if (t.a[KNETMON_A_NH_WEIGHT])
			snprintf(w, sizeof(w), "*%u", tl_u32(&t, KNETMON_A_NH_WEIGHT));
		used += snprintf(out + used, used < n ? n - used : 0, "%s%s@%s%s", used ? ";" : "",
				 tl_ip(&t, KNETMON_A_NH_GATEWAY,
				       t.a[KNETMON_A_NH_GATEWAY_FAMILY] ?
				       tl_u8(&t, KNETMON_A_NH_GATEWAY_FAMILY) : family,
				       gw, sizeof(gw)), dev, w);
	}
}

static int route_msg(const struct nlmsghdr *nlh, void *data)
{
	struct routes_dump *d = data;
	char dst[64], src[64], nhs[2048];
	struct tl_tb t;
	int family;

	tl_datagram_seen(&d->dg, nlh);
	tl_parse_msg(nlh, &t);
	family = tl_u8(&t, KNETMON_A_ROUTE_FAMILY);
	if ((family != AF_INET && family != AF_INET6) || !t.a[KNETMON_A_ROUTE_TABLE])
		return MNL_CB_ERROR;
	nh_text(t.a[KNETMON_A_ROUTE_NEXTHOPS], family, nhs, sizeof(nhs));
	d->routes++;
	tl_add(&d->lines, "route|%s|%u|%u|%s/%u|%u|%u|%u|%s|%s|%u",
	       family == AF_INET ? "inet" : "inet6", tl_u32(&t, KNETMON_A_ROUTE_TABLE),
	       tl_u8(&t, KNETMON_A_ROUTE_TYPE),
	       tl_ip(&t, KNETMON_A_ROUTE_DST, family, dst, sizeof(dst)),
	       tl_u8(&t, KNETMON_A_ROUTE_DST_LEN), tl_u32(&t, KNETMON_A_ROUTE_PRIORITY),
	       tl_u8(&t, KNETMON_A_ROUTE_PROTOCOL), tl_u8(&t, KNETMON_A_ROUTE_SCOPE),
	       tl_ip(&t, KNETMON_A_ROUTE_PREFSRC, family, src, sizeof(src)), nhs,
	       tl_u32(&t, KNETMON_A_ROUTE_NH_ID));
	return MNL_CB_OK;
}

FIXTURE(routes) {
	struct kt_sock s;
	char buf[8192];
};

FIXTURE_SETUP(routes)
{
	ASSERT_EQ(0, tl_fresh_netns()) TH_LOG("cannot make a netns: %s", strerror(errno));
	ASSERT_EQ(0, tl_sh(
		"set -e; for d in d0 d1; do ip link add $d type dummy; ip link set $d up; done;"
		"ip addr add 192.0.2.1/24 dev d0; ip addr add 2001:db8::1/64 dev d0 nodad;"
		"ip addr add 198.51.100.1/25 dev d1; ip addr add 2001:db8:1::1/64 dev d1 nodad;"
		/* main: a gateway route, and a second route to the same prefix */
		"ip route add 198.51.100.128/25 via 192.0.2.254 metric 50;"
		"ip route add 198.51.100.128/25 via 192.0.2.253 metric 60;"
		"ip route add 192.0.2.128/26 nexthop via 192.0.2.2 weight 2 nexthop via 198.51.100.2;"
		/* table 100 */
		"ip route add default via 192.0.2.254 table 100;"
		"ip route add 198.51.100.0/25 dev d1 src 198.51.100.1 table 100;"
		"ip route add blackhole 192.0.2.64/26 table 100;"
		/* IPv6, incl. multipath and table 100 */
		"ip -6 route add 2001:db8:5::/64 via 2001:db8::2 metric 10;"
		"ip -6 route add 2001:db8:6::/64 nexthop via 2001:db8::2 dev d0 nexthop via 2001:db8:1::2 dev d1;"
		"ip -6 route add 2001:db8:7::/64 dev d0 table 100;"
		/* IPv6 gateways of IPv4 routes (RTA_VIA), alone and in multipath */
		"ip route add 203.0.113.0/26 via inet6 2001:db8::7 dev d0;"
		"ip route add 203.0.113.64/26 nexthop via inet6 2001:db8::8 dev d0"
		" nexthop via 192.0.2.9 dev d0 weight 3;"
		/* nexthop objects: one alone, a group of two */
		"ip nexthop add id 1 via 192.0.2.2 dev d0; ip nexthop add id 2 via 198.51.100.2 dev d1;"
		"ip nexthop add id 3 via 2001:db8::2 dev d0; ip nexthop add id 10 group 1/2,4;"
		"ip route add 203.0.113.128/26 nhid 1; ip route add 203.0.113.192/26 nhid 10;"
		"ip -6 route add 2001:db8:8::/64 nhid 3"));
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
}

FIXTURE_TEARDOWN(routes)
{
	kt_close(&self->s);
}

static int dump_routes(struct kt_sock *s, char *buf, int family, uint32_t table,
		       struct routes_dump *d)
{
	struct nlmsghdr *nlh = kt_req(s, buf, KNETMON_CMD_GET_ROUTES, NLM_F_DUMP);
	struct kt_reply r;

	if (family)
		mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, family);
	if (table)
		mnl_attr_put_u32(nlh, KNETMON_REQ_TABLE, table);
	memset(d, 0, sizeof(*d));
	if (kt_request(s, nlh, route_msg, d, &r) || r.error)
		return -1;
	tl_sort(&d->lines);
	return 0;
}

static int compare_with_ip(struct kt_sock *s, char *buf, int family, uint32_t table,
			   const char *ip_cmd, const char *canon_args)
{
	struct tl_lines truth = { 0 };
	struct routes_dump d;
	int st, diff;

	if (dump_routes(s, buf, family, table, &d))
		return -1;
	tl_canon(&truth, ip_cmd, canon_args, &st);
	diff = st ? -1 : tl_diff(&d.lines, "knetmon dump", &truth, ip_cmd);
	tl_free(&d.lines);
	tl_free(&truth);
	return diff;
}

TEST_F(routes, ipv4_dump_equals_ip_route_show_table_all)
{
	KT_NEED("python3");
	EXPECT_EQ(0, compare_with_ip(&self->s, self->buf, AF_INET, 0,
				     "ip -4 -d -N -j route show table all", "routes ip inet"));
}

TEST_F(routes, ipv6_dump_equals_ip_route_show_table_all)
{
	KT_NEED("python3");
	EXPECT_EQ(0, compare_with_ip(&self->s, self->buf, AF_INET6, 0,
				     "ip -6 -d -N -j route show table all", "routes ip inet6"));
}

TEST_F(routes, unfiltered_dump_has_both_families_and_what_the_test_added)
{
	static const char *const expect[] = {
		"route|inet|254|1|198.51.100.128/25|50|3|0||192.0.2.254@d0|0",
		"route|inet|254|1|198.51.100.128/25|60|3|0||192.0.2.253@d0|0",
		"route|inet|254|1|192.0.2.128/26|0|3|0||192.0.2.2@d0*2;198.51.100.2@d1*1|0",
		"route|inet|100|1|0.0.0.0/0|0|3|0||192.0.2.254@d0|0",
		"route|inet|100|6|192.0.2.64/26|0|3|0|||0",
		"route|inet6|254|1|2001:db8:5::/64|10|3|0||2001:db8::2@d0|0",
		"route|inet6|254|1|2001:db8:6::/64|1024|3|0||2001:db8::2@d0*1;2001:db8:1::2@d1*1|0",
		"route|inet6|100|1|2001:db8:7::/64|1024|3|0||@d0|0",
		"route|inet|254|1|203.0.113.0/26|0|3|0||2001:db8::7@d0|0",
		"route|inet|254|1|203.0.113.64/26|0|3|0||2001:db8::8@d0*1;192.0.2.9@d0*3|0",
		"route|inet|254|1|203.0.113.128/26|0|3|0||192.0.2.2@d0|1",
		"route|inet|254|1|203.0.113.192/26|0|3|0||192.0.2.2@d0*1;198.51.100.2@d1*4|10",
		"route|inet6|254|1|2001:db8:8::/64|1024|3|0||2001:db8::2@d0|3",
	};
	struct routes_dump d;
	size_t i, j;

	ASSERT_EQ(0, dump_routes(&self->s, self->buf, 0, 0, &d));
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		for (j = 0; j < d.lines.n && strcmp(d.lines.v[j], expect[i]); j++)
			;
		EXPECT_NE(d.lines.n, j) TH_LOG("missing %s", expect[i]);
	}
	tl_free(&d.lines);
}

TEST_F(routes, family_and_table_filters_select_ipv6_table_100)
{
	KT_NEED("python3");
	struct routes_dump d;

	EXPECT_EQ(0, compare_with_ip(&self->s, self->buf, AF_INET6, 100,
				     "ip -6 -d -N -j route show table 100", "routes ip inet6 100"));
	ASSERT_EQ(0, dump_routes(&self->s, self->buf, AF_INET, 100, &d));
	EXPECT_EQ(3, d.routes) TH_LOG("table 100 holds 3 IPv4 routes");
	tl_free(&d.lines);
}

TEST_F(routes, cli_route_json_equals_dump)
{
	KT_NEED("python3");
	struct tl_lines cli = { 0 };
	struct routes_dump d;
	char cmd[256];
	int st;

	snprintf(cmd, sizeof(cmd), "%s route --table all -j", tl_cli());
	ASSERT_EQ(0, dump_routes(&self->s, self->buf, 0, 0, &d));
	tl_canon(&cli, cmd, "routes cli", &st);
	ASSERT_EQ(0, st);
	EXPECT_EQ(0, tl_diff(&d.lines, "knetmon dump", &cli, "route -j"));
	tl_free(&d.lines);
	tl_free(&cli);
}

TEST_F(routes, empty_table_gives_valid_empty_json)
{
	KT_NEED("python3");
	char cmd[512], out[64];

	snprintf(cmd, sizeof(cmd), "%s route --table 4242 -j | python3 -c "
		 "'import json,sys; print(\"routes=%%d\" %% len(json.load(sys.stdin)))'", tl_cli());
	kt_shell_line(cmd, out, sizeof(out));
	EXPECT_STREQ("routes=0", out);
}

TEST_F(routes, route_text_reads_like_route_n)
{
	char cmd[256], dst[64], gw[64], mask[64], flags[8], dev[32];
	struct tl_lines out = { 0 };
	int st, found = 0, header = 0;
	unsigned int metric;
	size_t i;

	snprintf(cmd, sizeof(cmd), "%s route -4 -n", tl_cli());
	tl_from_cmd(&out, cmd, &st);
	ASSERT_EQ(0, st);
	for (i = 0; i < out.n; i++) {
		header += !strncmp(out.v[i], "Destination     Gateway         Genmask         Flags", 53);
		if (sscanf(out.v[i], "%63s %63s %63s %7s %u %*u %*u %31s", dst, gw, mask, flags,
			   &metric, dev) == 6 &&
		    !strcmp(dst, "198.51.100.128") && !strcmp(gw, "192.0.2.254") &&
		    !strcmp(mask, "255.255.255.128") && !strcmp(flags, "UG") && metric == 50 &&
		    !strcmp(dev, "d0"))
			found++;
		/* an IPv4 route may have an IPv6 gateway; an IPv6 destination is wrong */
		EXPECT_TRUE(strncmp(out.v[i], "2001:", 5)) TH_LOG("-4 printed %s", out.v[i]);
	}
	EXPECT_EQ(1, header);
	EXPECT_EQ(1, found);
	tl_free(&out);
}

TEST_F(routes, two_thousand_routes_cross_skbs_with_no_duplicate_and_no_miss)
{
	KT_NEED("python3");
	struct routes_dump d;
	size_t i;

	ASSERT_EQ(0, tl_sh("for i in $(seq 1 2000); do printf 'route add 2001:db8:8:%%x::/64 dev d0\\n' $i;"
			   " done | ip -6 -batch -"));
	ASSERT_EQ(0, dump_routes(&self->s, self->buf, AF_INET6, 254, &d));
	EXPECT_LT(2000, d.routes);
	EXPECT_LT(4, d.dg.n) TH_LOG("only %d datagrams", d.dg.n);
	for (i = 1; i < d.lines.n; i++)
		EXPECT_STRNE(d.lines.v[i - 1], d.lines.v[i]);
	tl_free(&d.lines);
	EXPECT_EQ(0, compare_with_ip(&self->s, self->buf, AF_INET6, 254,
				     "ip -6 -d -N -j route show table main", "routes ip inet6 254"));
}

TEST_F(routes, bad_family_and_table_zero_rejected)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_ROUTES, NLM_F_DUMP);
	struct nlattr *bad = mnl_nlmsg_get_payload_tail(nlh);
	struct kt_reply r;

	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, AF_UNIX);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(ERANGE, r.error);	/* outside AF_INET..AF_INET6 */
	EXPECT_EQ(0, r.messages);
	EXPECT_NE('\0', r.extack[0]) TH_LOG("no extack message");
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);

	/* between AF_INET and AF_INET6: refused with the reason on 6.1 too */
	nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_ROUTES, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, AF_INET + 1);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "family must be") != NULL) TH_LOG("extack \"%s\"", r.extack);

	nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_ROUTES, NLM_F_DUMP);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, KNETMON_REQ_TABLE, 0);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(ERANGE, r.error);	/* below the policy's minimum */
	EXPECT_NE('\0', r.extack[0]);
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);
}

TEST_HARNESS_MAIN
