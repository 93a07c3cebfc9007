// SPDX-License-Identifier: GPL-2.0
/*
 * Network change events: what the test itself does with `ip` to dummy and
 * veth links, their addresses and neighbours in a netns of its own comes
 * back on the "changes" group, in the order it was done, with the values
 * it set (names, ifindex as if_nametoindex() gave it, MTU, flags,
 * addresses, link-layer addresses, states), numbered without gaps; and
 * nowhere else: not from another netns, not to an unprivileged user, not
 * numbered when no one listens.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/wait.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>

#include "knetmon_test.h"
#include "netns_lib.h"
#include "tables_lib.h"
#include "kt_harness.h"

struct chev {
	uint8_t cmd, kind, what;
	uint64_t seq;
	uint32_t netns, ifindex;
	char ifname[IFNAMSIZ];
	/* LINK */
	uint32_t flags, mtu;
	uint8_t operstate;
	/* ADDR and NEIGH */
	uint8_t family, prefixlen, scope;
	uint32_t addr_flags;
	uint16_t state;
	uint8_t addr[16], lladdr[32];
	int addr_len, lladdr_len;
	/* ROUTE: its destination in family and addr, prefix length in prefixlen */
	uint32_t table, priority, nh_ifindex;
	uint8_t rtype, gw[16];
	int gw_len, nexthops;
};

static void copy_bin(const struct nlattr *a, uint8_t *to, int size, int *len)
{
	*len = mnl_attr_get_payload_len(a);
	if (*len > size)
		*len = size;
	memcpy(to, mnl_attr_get_payload(a), *len);
}

static int chev_link_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_LINK_FLAGS: e->flags = mnl_attr_get_u32(a); break;
	case KNETMON_A_LINK_MTU: e->mtu = mnl_attr_get_u32(a); break;
	case KNETMON_A_LINK_OPERSTATE: e->operstate = mnl_attr_get_u8(a); break;
	case KNETMON_A_LINK_ADDRESS:
		copy_bin(a, e->lladdr, sizeof(e->lladdr), &e->lladdr_len);
		break;
	}
	return MNL_CB_OK;
}

static int chev_addr_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_ADDR_FAMILY: e->family = mnl_attr_get_u8(a); break;
	case KNETMON_A_ADDR_PREFIXLEN: e->prefixlen = mnl_attr_get_u8(a); break;
	case KNETMON_A_ADDR_SCOPE: e->scope = mnl_attr_get_u8(a); break;
	case KNETMON_A_ADDR_FLAGS: e->addr_flags = mnl_attr_get_u32(a); break;
	case KNETMON_A_ADDR_ADDRESS: copy_bin(a, e->addr, sizeof(e->addr), &e->addr_len); break;
	}
	return MNL_CB_OK;
}

static int chev_neigh_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_NEIGH_FAMILY: e->family = mnl_attr_get_u8(a); break;
	case KNETMON_A_NEIGH_STATE: e->state = mnl_attr_get_u16(a); break;
	case KNETMON_A_NEIGH_ADDR: copy_bin(a, e->addr, sizeof(e->addr), &e->addr_len); break;
	case KNETMON_A_NEIGH_LLADDR:
		copy_bin(a, e->lladdr, sizeof(e->lladdr), &e->lladdr_len);
		break;
	}
	return MNL_CB_OK;
}

static int chev_nh_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_NH_GATEWAY: copy_bin(a, e->gw, sizeof(e->gw), &e->gw_len); break;
	case KNETMON_A_NH_IFINDEX: e->nh_ifindex = mnl_attr_get_u32(a); break;
	}
	return MNL_CB_OK;
}

static int chev_route_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;
	const struct nlattr *nh;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_ROUTE_FAMILY: e->family = mnl_attr_get_u8(a); break;
	case KNETMON_A_ROUTE_TABLE: e->table = mnl_attr_get_u32(a); break;
	case KNETMON_A_ROUTE_DST: copy_bin(a, e->addr, sizeof(e->addr), &e->addr_len); break;
	case KNETMON_A_ROUTE_DST_LEN: e->prefixlen = mnl_attr_get_u8(a); break;
	case KNETMON_A_ROUTE_PRIORITY: e->priority = mnl_attr_get_u32(a); break;
	case KNETMON_A_ROUTE_TYPE: e->rtype = mnl_attr_get_u8(a); break;
	case KNETMON_A_ROUTE_NEXTHOPS:
		mnl_attr_for_each_nested(nh, a) {
			if (!e->nexthops++)
				mnl_attr_parse_nested(nh, chev_nh_attr, e);
		}
		break;
	}
	return MNL_CB_OK;
}

static int chev_attr(const struct nlattr *a, void *data)
{
	struct chev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_CHANGE_SEQ: e->seq = mnl_attr_get_u64(a); break;
	case KNETMON_A_CHANGE_KIND: e->kind = mnl_attr_get_u8(a); break;
	case KNETMON_A_CHANGE_LINK_WHAT: e->what = mnl_attr_get_u8(a); break;
	case KNETMON_A_CHANGE_NETNS: e->netns = mnl_attr_get_u32(a); break;
	case KNETMON_A_CHANGE_IFINDEX: e->ifindex = mnl_attr_get_u32(a); break;
	case KNETMON_A_CHANGE_IFNAME:
		snprintf(e->ifname, sizeof(e->ifname), "%s", mnl_attr_get_str(a));
		break;
	case KNETMON_A_CHANGE_LINK: mnl_attr_parse_nested(a, chev_link_attr, e); break;
	case KNETMON_A_CHANGE_ADDR: mnl_attr_parse_nested(a, chev_addr_attr, e); break;
	case KNETMON_A_CHANGE_NEIGH: mnl_attr_parse_nested(a, chev_neigh_attr, e); break;
	case KNETMON_A_CHANGE_ROUTE: mnl_attr_parse_nested(a, chev_route_attr, e); break;
	}
	return MNL_CB_OK;
}

/* The next event within TIMEOUT_MS: 0, or -1 (-2: ENOBUFS). */
static int next_chev(struct kt_sock *s, struct chev *e, int timeout_ms)
{
	const struct nlmsghdr *nlh;
	int err = kt_next_msg(s, timeout_ms, &nlh);

	if (err)
		return err;
	memset(e, 0, sizeof(*e));
	e->cmd = ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), chev_attr, e);
	return 0;
}

#define MAX_EV 256

/* Every event until none came for 1 s (the last command ran before): how many. */
static int read_all(struct kt_sock *s, struct chev *out)
{
	int n = 0;

	while (n < MAX_EV && !next_chev(s, &out[n], 1000))
		n++;
	return n;
}

/* The numbers run on by one from the first: how many were skipped. */
static uint64_t seq_gaps(const struct chev *ev, int n)
{
	uint64_t gaps = 0;
	int i;

	for (i = 1; i < n; i++)
		gaps += ev[i].seq - ev[i - 1].seq - 1;
	return gaps;
}

FIXTURE(changes) {
	struct kt_sock ev, req;
	struct chev got[MAX_EV], sel[MAX_EV];
};

FIXTURE_SETUP(changes)
{
	uint64_t features = 0;

	ASSERT_EQ(0, kt_private_netns()) TH_LOG("unshare/lo up: %s", strerror(errno));
	ASSERT_EQ(0, tl_sh("modprobe dummy 2>/dev/null; modprobe veth 2>/dev/null; true"));
	ASSERT_EQ(0, kt_open(&self->ev)) TH_LOG("family: %s", strerror(errno));
	ASSERT_EQ(0, kt_open(&self->req));
	ASSERT_EQ(0, kt_info_u64(&self->req, KNETMON_A_INFO_FEATURES, &features));
	ASSERT_TRUE(!!(features & (1ULL << KNETMON_FEAT_CHANGES)))
		TH_LOG("module reports no change events");
	ASSERT_EQ(0, kt_join(&self->ev, self->ev.changes_group)) TH_LOG("join: %s", strerror(errno));
}

FIXTURE_TEARDOWN(changes)
{
	kt_close(&self->ev);
	kt_close(&self->req);
}

/* A dummy link's life as `ip link` leads it, state changes (carrier) aside. */
TEST_F(changes, link_life_comes_in_the_order_ip_link_made_it_with_its_values)
{
	static const struct { uint8_t kind, what; } want[] = {
		{ KNETMON_CHANGE_KIND_LINK_NEW, 0 },
		{ KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_MTU },
		{ KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_UP },
		{ KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_DOWN },
		{ KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_NAME },
		{ KNETMON_CHANGE_KIND_LINK, KNETMON_LINK_CHANGE_ADDRESS },
		{ KNETMON_CHANGE_KIND_LINK_DEL, 0 },
	};
	struct chev *l = self->sel;
	unsigned int ifindex;
	uint64_t seq = 0;
	int i, n, m = 0;

	ASSERT_EQ(0, tl_sh("ip link add kc0 type dummy"));
	ifindex = if_nametoindex("kc0");
	ASSERT_NE(0u, ifindex);
	ASSERT_EQ(0, tl_sh("set -e; ip link set kc0 mtu 1400; ip link set kc0 up;"
			   "ip link set kc0 down; ip link set kc0 name kc1;"
			   "ip link set kc1 address 02:00:00:00:0c:01; ip link del kc1"));
	n = read_all(&self->ev, self->got);
	ASSERT_EQ(0, kt_info_u64(&self->req, KNETMON_A_INFO_CHANGES_SEQ, &seq));
	ASSERT_GT(n, 0);
	EXPECT_EQ(1ull, self->got[0].seq) TH_LOG("a netns of its own: the first change is 1");
	EXPECT_EQ(0ull, seq_gaps(self->got, n));
	EXPECT_EQ(self->got[n - 1].seq, seq) TH_LOG("INFO_CHANGES_SEQ is the last event's");

	/* the link's own events, carrier changes (STATE) left out */
	for (i = 0; i < n; i++) {
		struct chev *e = &self->got[i];

		if (e->kind > KNETMON_CHANGE_KIND_LINK || e->what == KNETMON_LINK_CHANGE_STATE)
			continue;
		EXPECT_EQ(ifindex, e->ifindex);
		EXPECT_EQ(self->got[0].netns, e->netns);
		l[m++] = *e;
	}
	ASSERT_EQ((int)ARRAY_SIZE(want), m) TH_LOG("%d link events, not 7", m);
	for (i = 0; i < m; i++) {
		EXPECT_EQ(want[i].kind, l[i].kind) TH_LOG("event %d", i);
		EXPECT_EQ(want[i].what, l[i].what) TH_LOG("event %d", i);
	}
	EXPECT_STREQ("kc0", l[0].ifname);
	EXPECT_EQ(1500u, l[0].mtu);
	EXPECT_EQ(1400u, l[1].mtu);
	EXPECT_TRUE(!!(l[2].flags & IFF_UP));
	EXPECT_FALSE(!!(l[3].flags & IFF_UP));
	EXPECT_STREQ("kc1", l[4].ifname) TH_LOG("a rename carries the new name");
	ASSERT_EQ(6, l[5].lladdr_len);
	EXPECT_EQ(0, memcmp(l[5].lladdr, "\x02\x00\x00\x00\x0c\x01", 6));
	EXPECT_STREQ("kc1", l[6].ifname);
}

static bool same_addr(const struct chev *e, int family, const char *text)
{
	uint8_t a[16];

	return e->family == family && inet_pton(family, text, a) == 1 &&
	       e->addr_len == (family == AF_INET ? 4 : 16) && !memcmp(e->addr, a, e->addr_len);
}

/* The events of kinds FIRST..LAST about ADDR (an address or a route's destination). */
static int events_of(const struct chev *ev, int n, uint8_t first, uint8_t last, int family,
		     const char *addr, struct chev *out)
{
	int i, m = 0;

	for (i = 0; i < n; i++)
		if (ev[i].kind >= first && ev[i].kind <= last && same_addr(&ev[i], family, addr))
			out[m++] = ev[i];
	return m;
}

/*
 * Addresses added and removed, with prefix, scope and flags. An IPv6 one
 * comes as rtnetlink tells it: tentative when added (unless nodad), again
 * once usable: on a dummy (no duplicate detection) at once, but from the
 * kernel's own work, so not necessarily before the next address.
 */
TEST_F(changes, addresses_come_and_go_with_prefix_scope_and_flags)
{
	static const struct {
		int family;
		const char *addr;
		uint8_t prefixlen, scope;
		uint32_t flag;
		int events;
	} want[] = {
		{ AF_INET, "192.0.2.1", 24, 0 /* universe */, 0, 2 },
		{ AF_INET6, "2001:db8:c::1", 64, 0, IFA_F_TENTATIVE, 3 },
		{ AF_INET6, "2001:db8:c::2", 64, 0, IFA_F_NODAD, 2 },
		{ AF_INET, "192.0.2.9", 32, 253 /* link */, 0, 2 },
	};
	struct chev *a = self->sel;
	unsigned int i;
	int n, m;

	ASSERT_EQ(0, tl_sh("set -e; ip link add kc0 type dummy; ip link set kc0 up;"
			   "ip addr add 192.0.2.1/24 dev kc0;"
			   "ip addr add 2001:db8:c::1/64 dev kc0;"
			   "ip addr add 2001:db8:c::2/64 dev kc0 nodad;"
			   "ip addr add 192.0.2.9/32 dev kc0 scope link; sleep 0.5;"
			   "ip addr del 192.0.2.1/24 dev kc0; ip addr del 2001:db8:c::1/64 dev kc0;"
			   "ip addr del 2001:db8:c::2/64 dev kc0; ip addr del 192.0.2.9/32 dev kc0"));
	n = read_all(&self->ev, self->got);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		m = events_of(self->got, n, KNETMON_CHANGE_KIND_ADDR_NEW,
			      KNETMON_CHANGE_KIND_ADDR_DEL, want[i].family, want[i].addr, a);
		ASSERT_EQ(want[i].events, m) TH_LOG("%s: %d events", want[i].addr, m);
		EXPECT_EQ(KNETMON_CHANGE_KIND_ADDR_NEW, a[0].kind) TH_LOG("%s", want[i].addr);
		EXPECT_EQ(KNETMON_CHANGE_KIND_ADDR_NEW, a[m - 2].kind) TH_LOG("%s", want[i].addr);
		EXPECT_EQ(KNETMON_CHANGE_KIND_ADDR_DEL, a[m - 1].kind) TH_LOG("%s", want[i].addr);
		EXPECT_EQ(want[i].prefixlen, a[0].prefixlen) TH_LOG("%s", want[i].addr);
		EXPECT_EQ(want[i].scope, a[0].scope) TH_LOG("%s", want[i].addr);
		EXPECT_STREQ("kc0", a[0].ifname);
		if (want[i].flag)
			EXPECT_TRUE(!!(a[0].addr_flags & want[i].flag)) TH_LOG("%s", want[i].addr);
		/* the last announcement before the removal: usable */
		EXPECT_FALSE(!!(a[m - 2].addr_flags & IFA_F_TENTATIVE)) TH_LOG("%s", want[i].addr);
	}
	tl_sh("ip link del kc0");
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * On a veth whose peer is up, duplicate address detection takes a second
 * (one solicitation, one retransmit time): the address comes tentative
 * when added, and again when it is usable, no longer tentative in
 * `ip -6 addr`, not before.
 */
TEST_F(changes, ipv6_address_comes_tentative_then_usable_after_duplicate_detection)
{
	double added, tentative = 0, usable = 0;
	struct chev e;

	ASSERT_EQ(0, tl_sh("set -e; ip link add kv0 type veth peer name kv1;"
			   "ip link set kv1 up; ip link set kv0 up; sleep 3"));	/* link-locals done */
	while (!next_chev(&self->ev, &e, 200))
		;
	ASSERT_EQ(0, tl_sh("ip addr add 2001:db8:d::1/64 dev kv0"));
	added = now_s();
	while (!usable && !next_chev(&self->ev, &e, 5000)) {
		if (e.kind != KNETMON_CHANGE_KIND_ADDR_NEW || !same_addr(&e, AF_INET6, "2001:db8:d::1"))
			continue;
		if (e.addr_flags & IFA_F_TENTATIVE)
			tentative = now_s();
		else
			usable = now_s();
	}
	ASSERT_NE(0, tentative) TH_LOG("no announcement when added");
	ASSERT_NE(0, usable) TH_LOG("never announced usable");
	EXPECT_NE(0, tl_sh("ip -6 addr show dev kv0 | grep -q 'tentative'"))
		TH_LOG("still tentative when announced usable");
	EXPECT_LT(tentative - added, 0.5);
	EXPECT_GE(usable - added, 0.5) TH_LOG("usable %.2f s after it was added: before DAD",
					      usable - added);
	tl_sh("ip link del kv0");
}

/*
 * A neighbour set, changed and deleted by hand: PERMANENT with its
 * link-layer address, then STALE with the new one, and last its removal;
 * for IPv4 and IPv6 alike.
 */
TEST_F(changes, neighbours_made_changed_and_removed_in_order)
{
	static const struct { int family; const char *addr; } nb[] = {
		{ AF_INET, "192.0.2.2" }, { AF_INET6, "2001:db8:c::9" },
	};
	int f, i, m;

	ASSERT_EQ(0, tl_sh("set -e; ip link add kv0 type veth peer name kv1;"
			   "ip link set kv0 up; ip link set kv1 up"));
	for (f = 0; f < 2; f++)
		ASSERT_EQ(0, tl_sh("set -e; ip neigh add %s lladdr 02:00:00:00:0c:02 dev kv0;"
				   "ip neigh replace %s lladdr 02:00:00:00:0c:03 dev kv0 nud stale;"
				   "ip neigh del %s dev kv0", nb[f].addr, nb[f].addr, nb[f].addr));
	tl_sh("ip link del kv0");
	i = read_all(&self->ev, self->got);
	for (f = 0; f < 2; f++) {
		struct chev *e = self->sel;

		m = events_of(self->got, i, KNETMON_CHANGE_KIND_NEIGH, KNETMON_CHANGE_KIND_NEIGH_DEL,
			      nb[f].family, nb[f].addr, e);
		ASSERT_GE(m, 3) TH_LOG("%s: %d events", nb[f].addr, m);
		EXPECT_EQ(KNETMON_CHANGE_KIND_NEIGH, e[0].kind);
		EXPECT_EQ(NUD_PERMANENT, e[0].state);
		ASSERT_EQ(6, e[0].lladdr_len);
		EXPECT_EQ(0x02, e[0].lladdr[5]);
		EXPECT_STREQ("kv0", e[0].ifname);
		EXPECT_EQ(KNETMON_CHANGE_KIND_NEIGH, e[1].kind);
		EXPECT_EQ(NUD_STALE, e[1].state);
		ASSERT_EQ(6, e[1].lladdr_len);
		EXPECT_EQ(0x03, e[1].lladdr[5]);
		EXPECT_EQ(KNETMON_CHANGE_KIND_NEIGH_DEL, e[m - 1].kind) TH_LOG("%s", nb[f].addr);
	}
}

/*
 * Routes as `ip route` adds and deletes them, in that order, with their
 * table, metric and next hop: two to one prefix (the FIB notifier chain
 * would tell only the first), an IPv6 one through a gateway.
 */
TEST_F(changes, routes_come_and_go_in_order_with_table_metric_and_next_hop)
{
	static const struct {
		uint8_t kind;
		int family;
		const char *dst;
		uint32_t priority;
	} want[] = {
		{ KNETMON_CHANGE_KIND_ROUTE_NEW, AF_INET, "198.51.100.0", 7 },
		{ KNETMON_CHANGE_KIND_ROUTE_NEW, AF_INET, "198.51.100.0", 8 },
		{ KNETMON_CHANGE_KIND_ROUTE_NEW, AF_INET6, "2001:db8:e::", 1024 },
		{ KNETMON_CHANGE_KIND_ROUTE_DEL, AF_INET, "198.51.100.0", 7 },
		{ KNETMON_CHANGE_KIND_ROUTE_DEL, AF_INET, "198.51.100.0", 8 },
		{ KNETMON_CHANGE_KIND_ROUTE_DEL, AF_INET6, "2001:db8:e::", 1024 },
	};
	struct chev *r = self->sel;
	unsigned int ifindex;
	int i, n, m = 0;

	ASSERT_EQ(0, tl_sh("set -e; ip link add kc0 type dummy; ip link set kc0 up;"
			   "ip addr add 2001:db8:c::1/64 dev kc0 nodad; sleep 0.5"));
	ifindex = if_nametoindex("kc0");
	while (!next_chev(&self->ev, &r[0], 200))
		;	/* the link's and the address's own */
	ASSERT_EQ(0, tl_sh("set -e; ip route add 198.51.100.0/24 dev kc0 metric 7 table 100;"
			   "ip route add 198.51.100.0/24 dev kc0 metric 8 table 100;"
			   "ip -6 route add 2001:db8:e::/48 via 2001:db8:c::2 dev kc0;"
			   "ip route del 198.51.100.0/24 dev kc0 metric 7 table 100;"
			   "ip route del 198.51.100.0/24 dev kc0 metric 8 table 100;"
			   "ip -6 route del 2001:db8:e::/48 via 2001:db8:c::2 dev kc0"));
	n = read_all(&self->ev, self->got);
	for (i = 0; i < n; i++)
		if (self->got[i].kind >= KNETMON_CHANGE_KIND_ROUTE_NEW)
			r[m++] = self->got[i];
	ASSERT_EQ((int)ARRAY_SIZE(want), m) TH_LOG("%d route events, not 6", m);
	for (i = 0; i < m; i++) {
		EXPECT_EQ(want[i].kind, r[i].kind) TH_LOG("route event %d", i);
		EXPECT_TRUE(same_addr(&r[i], want[i].family, want[i].dst)) TH_LOG("route event %d", i);
		EXPECT_EQ(want[i].priority, r[i].priority) TH_LOG("route event %d", i);
		EXPECT_EQ(ifindex, r[i].nh_ifindex) TH_LOG("route event %d", i);
		EXPECT_EQ(ifindex, r[i].ifindex) TH_LOG("route event %d: its device", i);
		EXPECT_EQ(1, r[i].nexthops);
	}
	EXPECT_EQ(100u, r[0].table);
	EXPECT_EQ(24, r[0].prefixlen);
	EXPECT_EQ(1 /* RTN_UNICAST */, r[0].rtype);
	EXPECT_EQ(254u, r[2].table);			/* main */
	EXPECT_EQ(48, r[2].prefixlen);
	ASSERT_EQ(16, r[2].gw_len);
	EXPECT_EQ(2, r[2].gw[15]) TH_LOG("via 2001:db8:c::2");
	tl_sh("ip link del kc0");
}

/* The group of this netns hears nothing of another's changes. */
TEST_F(changes, another_netns_changes_stay_out_of_this_netns_group)
{
	char ns[32];
	int i, n;

	snprintf(ns, sizeof(ns), "kc%d", getpid());
	ASSERT_EQ(0, tl_sh("set -e; ip netns add %s; ip -n %s link add ko0 type dummy;"
			   "ip -n %s link set ko0 up; ip -n %s addr add 192.0.2.5/24 dev ko0;"
			   "ip netns del %s; ip link add kc0 type dummy", ns, ns, ns, ns, ns));
	n = read_all(&self->ev, self->got);
	ASSERT_GT(n, 0) TH_LOG("this netns's own dummy came");
	for (i = 0; i < n; i++)
		EXPECT_STREQ("kc0", self->got[i].ifname) TH_LOG("event %d", i);
	tl_sh("ip link del kc0");
}

/* No listener, nothing numbered; a listener then gets every change numbered. */
TEST(changes_are_numbered_only_while_someone_listens)
{
	struct kt_counters before, after;
	struct kt_sock req, ev;
	struct chev e;
	uint64_t seq = 1;
	int n = 0;

	ASSERT_EQ(0, kt_private_netns());
	ASSERT_EQ(0, kt_open(&req));
	ASSERT_EQ(0, tl_sh("modprobe dummy 2>/dev/null; ip link add kc0 type dummy"));
	ASSERT_EQ(0, kt_info_u64(&req, KNETMON_A_INFO_CHANGES_SEQ, &seq));
	EXPECT_EQ(0ull, seq) TH_LOG("numbered with no listener");

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.changes_group));
	ASSERT_EQ(0, kt_counters(&req, &before));
	ASSERT_EQ(0, tl_sh("ip link set kc0 mtu 1280; ip link del kc0"));
	while (!next_chev(&ev, &e, 1000))
		n++;
	ASSERT_EQ(0, kt_counters(&req, &after));
	ASSERT_EQ(0, kt_info_u64(&req, KNETMON_A_INFO_CHANGES_SEQ, &seq));
	EXPECT_EQ((uint64_t)n, seq);
	/* other netns may have listeners; in this rig, no test runs beside */
	EXPECT_EQ((uint64_t)n, after.v[KNETMON_A_COUNTER_EVENTS_CHANGE] -
			       before.v[KNETMON_A_COUNTER_EVENTS_CHANGE]);
	kt_close(&ev);
	kt_close(&req);
}

/* changes_all, joined in the initial netns, gets a child netns's changes with its inode. */
TEST(changes_all_listener_sees_another_netns_with_its_inode)
{
	struct kt_sock ev;
	struct chev e;
	uint32_t netns;
	int seen = 0;

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.changes_all_group));
	ASSERT_EQ(0, kt_private_netns());
	netns = kt_own_netns();
	ASSERT_EQ(0, tl_sh("modprobe dummy 2>/dev/null; ip link add kca0 type dummy;"
			   "ip link del kca0"));
	while (!next_chev(&ev, &e, 1000))
		if (!strcmp(e.ifname, "kca0")) {
			EXPECT_EQ(netns, e.netns);
			seen++;
		}
	EXPECT_EQ(2, seen) TH_LOG("new and del");
	kt_close(&ev);
}

/* Changes say when a device got which address: CAP_NET_ADMIN, as binds. */
TEST(unprivileged_user_cannot_join_the_changes_groups)
{
	EXPECT_EQ(0, kt_unprivileged_join_status(offsetof(struct kt_sock, changes_group),
						 offsetof(struct kt_sock, changes_all_group)))
		TH_LOG("10 setup, 11 changes joined, 12 changes_all joined");
}

TEST_HARNESS_MAIN
