// SPDX-License-Identifier: GPL-2.0
/*
 * Connection events: TCP state changes of the connections the test itself
 * makes over loopback come back on the "conns" group, each end's in the
 * order TCP goes through them, with the ends getsockname() and
 * getpeername() give, numbered without gaps; and nowhere else: not on the
 * "binds" group, not to an unprivileged user, not numbered when no one
 * listens. Every test runs in a netns of its own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "knetmon_test.h"
#include "netns_lib.h"
#include "kt_harness.h"

/* TCP_* of include/net/tcp_states.h */
enum { ESTAB = 1, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE,
       CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING };

struct cev {
	uint8_t cmd, kind, family, state, old_state;
	uint64_t seq;
	uint32_t tgid, netns;
	bool has_tgid;
	uint16_t port, rport;
	uint8_t addr[16], raddr[16];
	int addr_len, raddr_len;
	char comm[16];
};

static int cev_attr(const struct nlattr *a, void *data)
{
	struct cev *e = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_BIND_SEQ: e->seq = mnl_attr_get_u64(a); break;
	case KNETMON_A_BIND_KIND: e->kind = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_FAMILY: e->family = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_STATE: e->state = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_OLD_STATE: e->old_state = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_TGID: e->tgid = mnl_attr_get_u32(a); e->has_tgid = true; break;
	case KNETMON_A_BIND_NETNS: e->netns = mnl_attr_get_u32(a); break;
	case KNETMON_A_BIND_PORT: e->port = ntohs(mnl_attr_get_u16(a)); break;
	case KNETMON_A_BIND_REMOTE_PORT: e->rport = ntohs(mnl_attr_get_u16(a)); break;
	case KNETMON_A_BIND_COMM:
		snprintf(e->comm, sizeof(e->comm), "%s", mnl_attr_get_str(a));
		break;
	case KNETMON_A_BIND_ADDR:
		e->addr_len = mnl_attr_get_payload_len(a);
		if (e->addr_len <= 16)
			memcpy(e->addr, mnl_attr_get_payload(a), e->addr_len);
		break;
	case KNETMON_A_BIND_REMOTE_ADDR:
		e->raddr_len = mnl_attr_get_payload_len(a);
		if (e->raddr_len <= 16)
			memcpy(e->raddr, mnl_attr_get_payload(a), e->raddr_len);
		break;
	}
	return MNL_CB_OK;
}

/* The next event of any kind within TIMEOUT_MS: 0, or -1 (-2: ENOBUFS). */
static int next_cev(struct kt_sock *s, struct cev *e, int timeout_ms)
{
	const struct nlmsghdr *nlh;
	int err = kt_next_msg(s, timeout_ms, &nlh);

	if (err)
		return err;
	memset(e, 0, sizeof(*e));
	e->cmd = ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), cev_attr, e);
	return 0;
}

/* One loopback connection and its listener, as the test made them. */
struct conn {
	int family;
	int lfd, cfd, afd;	/* listener, client, accepted */
	uint16_t lport, cport;	/* the listener's and the client's ports */
	uint8_t lo[16];		/* the loopback address, 4 or 16 bytes */
	int alen;
};

static int sockaddr_port(int fd, bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static socklen_t loopback(int family, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (void *)ss;
	struct sockaddr_in6 *sin6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = in6addr_loopback;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

/* Listen on loopback port 0, connect to it and accept: 0 or -1. */
static int conn_open(struct conn *c, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, 0, &ss);

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->alen = family == AF_INET6 ? 16 : 4;
	memcpy(c->lo, family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
					   (void *)&((struct sockaddr_in *)&ss)->sin_addr, c->alen);
	c->lfd = socket(family, SOCK_STREAM, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&ss, len) || listen(c->lfd, 4))
		return -1;
	c->lport = sockaddr_port(c->lfd, false);
	len = loopback(family, c->lport, &ss);
	c->cfd = socket(family, SOCK_STREAM, 0);
	if (c->cfd < 0 || connect(c->cfd, (struct sockaddr *)&ss, len))
		return -1;
	c->cport = sockaddr_port(c->cfd, false);
	c->afd = accept(c->lfd, NULL, NULL);
	return c->afd < 0 || sockaddr_port(c->afd, true) != c->cport ? -1 : 0;
}

/* The state changes of one end, in the order they came. */
struct trail {
	uint8_t from[16], to[16];
	bool has_tgid[16];
	uint32_t tgid[16];
	bool ends_ok[16];	/* addresses and ports as the test's sockets have them */
	int n;
};

/*
 * Which end of C an event is about: 0 listener, 1 client, 2 accepted; -1
 * none. The accepted socket's first change happens while it still has its
 * listener's ends (the kernel sets them after): it is told by the change.
 */
static int conn_end(const struct conn *c, const struct cev *e)
{
	if (e->port == c->lport && !e->rport)
		return e->old_state == LISTEN && e->state == SYN_RECV ? 2 : 0;
	if (e->rport == c->lport)		/* CLOSE -> SYN_SENT: port not chosen yet */
		return e->port == c->cport || !e->port ? 1 : -1;
	if (e->port == c->lport && e->rport == c->cport)
		return 2;
	return -1;
}

static void trail_add(struct trail *t, const struct conn *c, const struct cev *e)
{
	if (t->n == 16)
		return;
	t->from[t->n] = e->old_state;
	t->to[t->n] = e->state;
	t->has_tgid[t->n] = e->has_tgid;
	t->tgid[t->n] = e->tgid;
	t->ends_ok[t->n] = e->family == c->family && e->addr_len == c->alen &&
			   e->raddr_len == c->alen && !memcmp(e->addr, c->lo, c->alen) &&
			   (!e->rport || !memcmp(e->raddr, c->lo, c->alen));
	t->n++;
}

struct watch {
	struct trail end[3];
	uint64_t first_seq, last_seq, events, gaps, others;
};

/*
 * Read events until the end WHICH has reached STATE (or 5 s pass): 0, or
 * -1 when it never did.
 */
static int watch_until(struct kt_sock *s, const struct conn *c, struct watch *w, int which,
		       uint8_t state)
{
	struct cev e;
	int end;

	while (!w->end[which].n || w->end[which].to[w->end[which].n - 1] != state) {
		if (next_cev(s, &e, 5000))
			return -1;
		if (e.cmd != KNETMON_CMD_CONN_EVENT || e.kind != KNETMON_BIND_KIND_STATE) {
			w->others++;
			continue;
		}
		if (w->last_seq && e.seq != w->last_seq + 1)
			w->gaps++;
		if (!w->first_seq)
			w->first_seq = e.seq;
		w->last_seq = e.seq;
		w->events++;
		end = conn_end(c, &e);
		if (end >= 0)
			trail_add(&w->end[end], c, &e);
	}
	return 0;
}

/*
 * The whole life of C: the client closes first, the server after it has
 * read the end of the stream and the client is in FIN_WAIT2 (so no close
 * is simultaneous), then the listener.
 */
static int conn_live_and_close(struct kt_sock *s, struct conn *c, struct watch *w)
{
	char byte;

	if (watch_until(s, c, w, 2, ESTAB) || watch_until(s, c, w, 1, ESTAB))
		return -1;
	close(c->cfd);
	if (read(c->afd, &byte, 1) != 0 || watch_until(s, c, w, 1, FIN_WAIT2))
		return -1;
	close(c->afd);
	if (watch_until(s, c, w, 2, CLOSE) || watch_until(s, c, w, 1, CLOSE))
		return -1;
	close(c->lfd);
	return watch_until(s, c, w, 0, CLOSE);
}

static bool trail_is(const struct trail *t, const uint8_t *path, int n)
{
	int i;

	if (t->n != n - 1)
		return false;
	for (i = 0; i < t->n; i++)
		if (t->from[i] != path[i] || t->to[i] != path[i + 1])
			return false;
	return true;
}

static void trail_log(struct __test_metadata *_metadata, const char *name, const struct trail *t)
{
	char line[256];
	int i, len = 0;

	for (i = 0; i < t->n; i++)
		len += snprintf(line + len, sizeof(line) - len, " %u->%u", t->from[i], t->to[i]);
	TH_LOG("%s:%s", name, t->n ? line : " nothing");
}

FIXTURE(conns) {
	struct kt_sock ev;	/* joined to "conns" */
	struct kt_sock req;
};

FIXTURE_VARIANT(conns) {
	int family;
};

FIXTURE_VARIANT_ADD(conns, ipv4) { .family = AF_INET };
FIXTURE_VARIANT_ADD(conns, ipv6) { .family = AF_INET6 };

FIXTURE_SETUP(conns)
{
	uint64_t features = 0;

	ASSERT_EQ(0, kt_private_netns()) TH_LOG("unshare/lo up: %s", strerror(errno));
	ASSERT_EQ(0, kt_open(&self->ev)) TH_LOG("family: %s", strerror(errno));
	ASSERT_EQ(0, kt_open(&self->req));
	ASSERT_EQ(0, kt_info_u64(&self->req, KNETMON_A_INFO_FEATURES, &features));
	/* both Debian kernels and every target have the tracepoint */
	ASSERT_TRUE(!!(features & (1ULL << KNETMON_FEAT_TCP_STATE)))
		TH_LOG("module reports no TCP state events");
	ASSERT_EQ(0, kt_join(&self->ev, self->ev.conns_group)) TH_LOG("join: %s", strerror(errno));
}

FIXTURE_TEARDOWN(conns)
{
	kt_close(&self->ev);
	kt_close(&self->req);
}

TEST_F(conns, each_end_reports_its_tcp_transitions_in_order_with_its_own_ends)
{
	static const uint8_t listener[] = { CLOSE, LISTEN, CLOSE };
	static const uint8_t client[] = { CLOSE, SYN_SENT, ESTAB, FIN_WAIT1, FIN_WAIT2, CLOSE };
	static const uint8_t server[] = { LISTEN, SYN_RECV, ESTAB, CLOSE_WAIT, LAST_ACK, CLOSE };
	struct watch w = { 0 };
	struct conn c;
	int i;

	ASSERT_EQ(0, conn_open(&c, variant->family)) TH_LOG("connection: %s", strerror(errno));
	ASSERT_EQ(0, conn_live_and_close(&self->ev, &c, &w)) {
		trail_log(_metadata, "listener", &w.end[0]);
		trail_log(_metadata, "client", &w.end[1]);
		trail_log(_metadata, "server", &w.end[2]);
	}
	EXPECT_TRUE(trail_is(&w.end[0], listener, sizeof(listener)))
		trail_log(_metadata, "listener", &w.end[0]);
	EXPECT_TRUE(trail_is(&w.end[1], client, sizeof(client)))
		trail_log(_metadata, "client", &w.end[1]);
	EXPECT_TRUE(trail_is(&w.end[2], server, sizeof(server)))
		trail_log(_metadata, "server", &w.end[2]);
	for (i = 0; i < 3; i++) {
		int j;

		for (j = 0; j < w.end[i].n; j++)
			EXPECT_TRUE(w.end[i].ends_ok[j]) TH_LOG("end %d change %d: wrong addresses", i, j);
	}
	EXPECT_EQ(0ull, w.gaps);
	EXPECT_EQ(0ull, w.others) TH_LOG("a bind event on the conns group");
}

/*
 * connect() and close() change the client's state in the test's own task:
 * those carry its pid; the peer's segments change the server's in softirq,
 * which no task caused: no ids there, rather than whichever task ran it.
 */
TEST_F(conns, changes_a_task_made_carry_its_pid_softirq_changes_carry_none)
{
	struct watch w = { 0 };
	struct trail *cl = &w.end[1], *sv = &w.end[2];
	struct conn c;

	ASSERT_EQ(0, conn_open(&c, variant->family));
	ASSERT_EQ(0, conn_live_and_close(&self->ev, &c, &w));
	ASSERT_GE(cl->n, 3);
	/* CLOSE -> SYN_SENT in connect(), ESTAB -> FIN_WAIT1 in close() */
	EXPECT_TRUE(cl->has_tgid[0] && cl->tgid[0] == (uint32_t)getpid());
	EXPECT_TRUE(cl->has_tgid[2] && cl->tgid[2] == (uint32_t)getpid());
	/* LISTEN -> SYN_RECV: the child is made from the client's SYN-ACK's ACK */
	ASSERT_GE(sv->n, 1);
	EXPECT_FALSE(sv->has_tgid[0]) TH_LOG("softirq change carries pid %u", sv->tgid[0]);
}

/* Numbered without gaps, and GET_INFO's CONNS_SEQ is where the stream stands. */
TEST_F(conns, sequence_is_contiguous_and_info_conns_seq_is_the_last_event)
{
	struct watch w = { 0 };
	uint64_t seq = 0;
	struct conn c;

	ASSERT_EQ(0, conn_open(&c, variant->family));
	ASSERT_EQ(0, conn_live_and_close(&self->ev, &c, &w));
	ASSERT_EQ(0, kt_info_u64(&self->req, KNETMON_A_INFO_CONNS_SEQ, &seq));
	EXPECT_EQ(1ull, w.first_seq);	/* a netns of its own: the first event is 1 */
	EXPECT_EQ(0ull, w.gaps);
	EXPECT_EQ(w.last_seq, seq);
	EXPECT_EQ(w.events, w.last_seq - w.first_seq + 1);
}

/* A bind listener is not woken by connections: only its own events come. */
TEST(binds_group_gets_binds_and_no_connection_events)
{
	struct kt_sock ev;
	struct conn c;
	struct cev e;
	int binds = 0, conns = 0;

	ASSERT_EQ(0, kt_private_netns());
	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.binds_group));
	ASSERT_EQ(0, conn_open(&c, AF_INET));
	close(c.cfd);
	close(c.afd);
	close(c.lfd);
	while (!next_cev(&ev, &e, 1000)) {
		binds += e.cmd == KNETMON_CMD_BIND_EVENT;
		conns += e.cmd == KNETMON_CMD_CONN_EVENT;
	}
	/* bind, listen, the client's autobind, releases: at least bind and listen */
	EXPECT_GE(binds, 2);
	EXPECT_EQ(0, conns);
	kt_close(&ev);
}

/* No listener, nothing numbered; then every change numbered is received. */
TEST(state_changes_are_numbered_only_while_someone_listens)
{
	struct kt_counters before, after;
	struct kt_sock req, ev;
	struct watch w = { 0 };
	uint64_t seq = 1;
	struct conn c;

	ASSERT_EQ(0, kt_private_netns());
	ASSERT_EQ(0, kt_open(&req));
	ASSERT_EQ(0, kt_counters(&req, &before));
	ASSERT_EQ(0, conn_open(&c, AF_INET));
	close(c.cfd);
	close(c.afd);
	close(c.lfd);
	usleep(200000);		/* the softirq half of the close */
	ASSERT_EQ(0, kt_info_u64(&req, KNETMON_A_INFO_CONNS_SEQ, &seq));
	ASSERT_EQ(0, kt_counters(&req, &after));
	EXPECT_EQ(0ull, seq) TH_LOG("numbered with no listener");
	/* other netns may have listeners; in this rig, no test runs beside */
	EXPECT_EQ(before.v[KNETMON_A_COUNTER_EVENTS_STATE], after.v[KNETMON_A_COUNTER_EVENTS_STATE]);

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_group));
	ASSERT_EQ(0, kt_counters(&req, &before));
	ASSERT_EQ(0, conn_open(&c, AF_INET));
	ASSERT_EQ(0, conn_live_and_close(&ev, &c, &w));
	ASSERT_EQ(0, kt_counters(&req, &after));
	EXPECT_EQ(w.events, after.v[KNETMON_A_COUNTER_EVENTS_STATE] -
			    before.v[KNETMON_A_COUNTER_EVENTS_STATE]);
	kt_close(&ev);
	kt_close(&req);
}

/* conns_all, joined in the initial netns, gets a child netns's events with its inode. */
TEST(conns_all_listener_sees_another_netns_with_its_inode)
{
	struct kt_sock ev;
	struct conn c;
	struct cev e;
	uint32_t netns;
	int seen = 0;

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_all_group));
	ASSERT_EQ(0, kt_private_netns());
	netns = kt_own_netns();
	ASSERT_EQ(0, conn_open(&c, AF_INET6));
	while (!next_cev(&ev, &e, 1000) && seen < 4) {
		if (e.cmd != KNETMON_CMD_CONN_EVENT || e.rport != c.lport)
			continue;
		EXPECT_EQ(netns, e.netns);
		seen++;
	}
	/* the client: CLOSE -> SYN_SENT -> ESTAB at least */
	EXPECT_GE(seen, 2);
	close(c.cfd);
	close(c.afd);
	close(c.lfd);
	kt_close(&ev);
}

/* Connection events name other users' peers: CAP_NET_ADMIN, as for binds. */
TEST(unprivileged_user_cannot_join_the_conns_groups)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct kt_sock ev;

		if (kt_open(&ev) || setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (!kt_join(&ev, ev.conns_group) || errno != EPERM)
			_exit(11);
		if (!kt_join(&ev, ev.conns_all_group) || errno != EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("10 setup, 11 conns joined, 12 conns_all joined");
}

TEST_HARNESS_MAIN
