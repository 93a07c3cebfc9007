// SPDX-License-Identifier: GPL-2.0
/*
 * GET_NEIGH and `knetmon arp`: in a fresh netns per test, permanent,
 * reachable and stale ARP and NDP entries added with iproute2 are dumped
 * exactly as `ip -j neigh show nud all` lists them; another netns's entries
 * stay out; the CLI's JSON equals the dump; 2,250 entries cross many skbs
 * with no duplicate and no miss.
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <linux/neighbour.h>

#include "knetmon_test.h"
#include "kt_harness.h"
#include "tables_lib.h"

struct neigh_dump {
	struct tl_lines lines;
	struct tl_datagrams dg;
	int entries;
	int bad_ages;
};

static int neigh_msg(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *d = data;
	char addr[64], ll[64], dev[IF_NAMESIZE];
	struct tl_tb t;
	int family;

	tl_datagram_seen(&d->dg, nlh);
	tl_parse_msg(nlh, &t);
	family = tl_u8(&t, KNETMON_A_NEIGH_FAMILY);
	if ((family != AF_INET && family != AF_INET6) || !t.a[KNETMON_A_NEIGH_IFINDEX])
		return MNL_CB_ERROR;
	if (!if_indextoname(tl_u32(&t, KNETMON_A_NEIGH_IFINDEX), dev))
		snprintf(dev, sizeof(dev), "?%u", tl_u32(&t, KNETMON_A_NEIGH_IFINDEX));
	/* ages are present and below a day */
	if (!t.a[KNETMON_A_NEIGH_USED_MS] || !t.a[KNETMON_A_NEIGH_CONFIRMED_MS] ||
	    !t.a[KNETMON_A_NEIGH_UPDATED_MS] || tl_u32(&t, KNETMON_A_NEIGH_UPDATED_MS) > 86400000)
		d->bad_ages++;
	d->entries++;
	tl_add(&d->lines, "neigh|%s|%s|%s|%s|%x|%d", family == AF_INET ? "inet" : "inet6",
	       tl_ip(&t, KNETMON_A_NEIGH_ADDR, family, addr, sizeof(addr)), dev,
	       tl_mac(t.a[KNETMON_A_NEIGH_LLADDR], ll, sizeof(ll)),
	       t.a[KNETMON_A_NEIGH_STATE] ? mnl_attr_get_u16(t.a[KNETMON_A_NEIGH_STATE]) : 0,
	       !!(tl_u8(&t, KNETMON_A_NEIGH_FLAGS) & NTF_ROUTER));
	return MNL_CB_OK;
}

FIXTURE(neigh) {
	struct kt_sock s;
	char buf[8192];
	char other[64];		/* a second netns with entries of its own */
};

static const char *const created[] = {
	"neigh|inet|192.0.2.10|v0|02:00:00:00:00:10|80|0",
	"neigh|inet|192.0.2.11|v0|02:00:00:00:00:11|2|0",
	"neigh|inet|192.0.2.12|v0|02:00:00:00:00:12|4|0",
	"neigh|inet6|2001:db8::10|v0|02:00:00:00:00:10|80|0",
	"neigh|inet6|2001:db8::11|v0|02:00:00:00:00:11|2|0",
	"neigh|inet6|2001:db8::12|v0|02:00:00:00:00:12|4|0",
	"neigh|inet6|2001:db8::13|v0|02:00:00:00:00:13|4|1",
};

FIXTURE_SETUP(neigh)
{
	snprintf(self->other, sizeof(self->other), "knetmon-neigh-%d", getpid());
	ASSERT_EQ(0, tl_fresh_netns()) TH_LOG("cannot make a netns: %s", strerror(errno));
	ASSERT_EQ(0, tl_sh(
		"set -e; ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up;"
		"ip addr add 192.0.2.1/24 dev v0; ip addr add 2001:db8::1/64 dev v0 nodad;"
		"ip neigh add 192.0.2.10 lladdr 02:00:00:00:00:10 dev v0 nud permanent;"
		"ip neigh add 192.0.2.11 lladdr 02:00:00:00:00:11 dev v0 nud reachable;"
		"ip neigh add 192.0.2.12 lladdr 02:00:00:00:00:12 dev v0 nud stale;"
		"ip neigh add 2001:db8::10 lladdr 02:00:00:00:00:10 dev v0 nud permanent;"
		"ip neigh add 2001:db8::11 lladdr 02:00:00:00:00:11 dev v0 nud reachable;"
		"ip neigh add 2001:db8::12 lladdr 02:00:00:00:00:12 dev v0 nud stale;"
		"ip neigh add 2001:db8::13 lladdr 02:00:00:00:00:13 dev v0 nud stale router;"
		/* the same addresses elsewhere must not show up here */
		"ip netns add %s; ip -n %s link add o0 type dummy; ip -n %s link set o0 up;"
		"ip -n %s neigh add 192.0.2.10 lladdr 02:00:00:00:00:99 dev o0 nud permanent;"
		"ip -n %s neigh add 192.0.2.99 lladdr 02:00:00:00:00:99 dev o0 nud permanent",
		self->other, self->other, self->other, self->other, self->other));
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
}

FIXTURE_TEARDOWN(neigh)
{
	kt_close(&self->s);
	tl_sh("ip netns del %s 2>/dev/null", self->other);
}

static int dump_neigh(struct kt_sock *s, char *buf, int family, struct neigh_dump *d)
{
	struct nlmsghdr *nlh = kt_req(s, buf, KNETMON_CMD_GET_NEIGH, NLM_F_DUMP);
	struct kt_reply r;

	if (family)
		mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, family);
	memset(d, 0, sizeof(*d));
	if (kt_request(s, nlh, neigh_msg, d, &r) || r.error)
		return -1;
	tl_sort(&d->lines);
	return 0;
}

/*
 * The kernel adds, ages and drops entries on its own (ND on the veth):
 * take the truth before and after the dump until both agree.
 */
static int compare_stable(struct kt_sock *s, char *buf, int family, const char *cmd,
			  const char *canon, const char *name)
{
	int tries, st, diff = -1;

	for (tries = 0; tries < 20 && diff < 0; tries++) {
		struct tl_lines before = { 0 }, after = { 0 };
		struct neigh_dump d;

		tl_canon(&before, cmd, canon, &st);
		if (st || dump_neigh(s, buf, family, &d))
			return -1;
		tl_canon(&after, cmd, canon, &st);
		if (tl_equal(&before, &after))
			diff = tl_diff(&d.lines, "knetmon dump", &before, name);
		tl_free(&before);
		tl_free(&after);
		tl_free(&d.lines);
	}
	return diff;
}

TEST_F(neigh, dump_equals_ip_neigh_show)
{
	KT_NEED("python3");
	EXPECT_EQ(0, compare_stable(&self->s, self->buf, 0, "ip -j neigh show nud all",
				    "neigh ip", "ip neigh show"));
}

TEST_F(neigh, dump_has_the_created_entries_and_none_of_another_netns)
{
	struct neigh_dump d;
	size_t i, j;

	ASSERT_EQ(0, dump_neigh(&self->s, self->buf, 0, &d));
	for (i = 0; i < sizeof(created) / sizeof(created[0]); i++) {
		for (j = 0; j < d.lines.n && strcmp(d.lines.v[j], created[i]); j++)
			;
		/* a reachable entry may have gone stale since; the others may not */
		if (j == d.lines.n && strstr(created[i], ":11|"))
			continue;
		EXPECT_NE(d.lines.n, j) TH_LOG("missing %s", created[i]);
	}
	for (j = 0; j < d.lines.n; j++) {
		EXPECT_TRUE(strstr(d.lines.v[j], "02:00:00:00:00:99") == NULL)
			TH_LOG("another netns's entry: %s", d.lines.v[j]);
		EXPECT_TRUE(strstr(d.lines.v[j], "|o0|") == NULL);
	}
	EXPECT_EQ(0, d.bad_ages);
	tl_free(&d.lines);
}

TEST_F(neigh, family_filter_keeps_arp_only_and_refuses_non_inet_with_reason)
{
	KT_NEED("python3");
	struct nlmsghdr *nlh;
	struct nlattr *bad;
	struct kt_reply r;

	EXPECT_EQ(0, compare_stable(&self->s, self->buf, AF_INET, "ip -4 -j neigh show nud all",
				    "neigh ip", "ip -4 neigh show"));

	nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_NEIGH, NLM_F_DUMP);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, AF_UNIX);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(ERANGE, r.error);	/* outside AF_INET..AF_INET6 */
	EXPECT_NE('\0', r.extack[0]) TH_LOG("no extack message");
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);

	/* between AF_INET and AF_INET6: refused with the reason on 6.1 too */
	nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_NEIGH, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, AF_INET + 1);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "family must be") != NULL) TH_LOG("extack \"%s\"", r.extack);
}

TEST_F(neigh, cli_arp_json_equals_dump)
{
	KT_NEED("python3");
	int tries, st, diff = -1;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s arp -j", tl_cli());
	for (tries = 0; tries < 20 && diff < 0; tries++) {
		struct neigh_dump d1, d2;
		struct tl_lines cli = { 0 };

		ASSERT_EQ(0, dump_neigh(&self->s, self->buf, 0, &d1));
		tl_canon(&cli, cmd, "neigh cli", &st);
		ASSERT_EQ(0, st) TH_LOG("%s failed", cmd);
		ASSERT_EQ(0, dump_neigh(&self->s, self->buf, 0, &d2));
		if (tl_equal(&d1.lines, &d2.lines))
			diff = tl_diff(&d1.lines, "knetmon dump", &cli, "arp -j");
		tl_free(&d1.lines);
		tl_free(&d2.lines);
		tl_free(&cli);
	}
	EXPECT_EQ(0, diff);
}

TEST_F(neigh, arp_text_reads_like_arp_n)
{
	char cmd[256], addr[64], hw[16], ll[32], flags[8], dev[32];
	struct tl_lines out = { 0 };
	int st, header = 0, perm = 0, router = 0;
	size_t i;

	snprintf(cmd, sizeof(cmd), "%s arp -n", tl_cli());
	tl_from_cmd(&out, cmd, &st);
	ASSERT_EQ(0, st);
	for (i = 0; i < out.n; i++) {
		header += !strncmp(out.v[i], "Address", 7) && strstr(out.v[i], "HWtype") &&
			  strstr(out.v[i], "HWaddress") && strstr(out.v[i], "Flags Mask") &&
			  strstr(out.v[i], "Iface");
		if (sscanf(out.v[i], "%63s %15s %31s %7s %31s", addr, hw, ll, flags, dev) != 5)
			continue;
		perm += !strcmp(addr, "192.0.2.10") && !strcmp(hw, "ether") &&
			!strcmp(ll, "02:00:00:00:00:10") && !strcmp(flags, "CM") && !strcmp(dev, "v0");
		router += !strcmp(addr, "2001:db8::13") && !strcmp(flags, "CR");
	}
	EXPECT_EQ(1, header);
	EXPECT_EQ(1, perm);
	EXPECT_EQ(1, router);
	tl_free(&out);
}

TEST_F(neigh, many_entries_cross_skbs_with_no_duplicate_and_no_miss)
{
	KT_NEED("python3");
	struct neigh_dump d;
	size_t i;

	ASSERT_EQ(0, tl_sh("{ for i in $(seq 1 2000); do printf 'neigh add 2001:db8:2::%%x lladdr "
			   "02:00:00:00:%%02x:%%02x dev v0 nud permanent\\n' $i $((i / 256)) $((i %% 256));"
			   " done; for i in $(seq 1 250); do echo \"neigh add 198.51.100.$i lladdr "
			   "02:00:00:00:01:01 dev v0 nud permanent\"; done; } | ip -batch -"));
	ASSERT_EQ(0, dump_neigh(&self->s, self->buf, 0, &d));
	EXPECT_LT(2250 + 7 - 1, d.entries);
	EXPECT_LT(4, d.dg.n) TH_LOG("only %d datagrams", d.dg.n);
	for (i = 1; i < d.lines.n; i++)
		EXPECT_STRNE(d.lines.v[i - 1], d.lines.v[i]);
	tl_free(&d.lines);
	EXPECT_EQ(0, compare_stable(&self->s, self->buf, 0, "ip -j neigh show nud all",
				    "neigh ip", "ip neigh show"));
}

TEST_HARNESS_MAIN
