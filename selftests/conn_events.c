// SPDX-License-Identifier: GPL-2.0
/*
 * Connection events: TCP state changes of the connections the test itself
 * makes over loopback come back on the "conns" group, each end's in the
 * order TCP goes through them, with the ends getsockname() and
 * getpeername() give, numbered without gaps; and nowhere else: not on the
 * "binds" group, not to an unprivileged user, not numbered when no one
 * listens. A connect is reported when its SYN goes and again with its
 * outcome, an accept with the acceptor, a close with its owner and the
 * counters TCP_INFO gives for the same socket. A UDP socket's first
 * datagram to each peer, or its connect(), once, with the sender. Every
 * test runs in a netns of its own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/tcp.h>		/* tcp_info with the byte counts glibc's lacks */
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "knetmon_test.h"
#include "netns_lib.h"
#include "kt_harness.h"

/* TCP_* of include/net/tcp_states.h */
enum { ESTAB = 1, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE,
       CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING };

struct cev {
	uint8_t cmd, kind, family, state, old_state, closed_by, flow_via;
	uint64_t seq, cookie, inode, bytes_acked, bytes_received, duration;
	uint32_t tgid, netns, segs_out, segs_in, total_retrans;
	int32_t result;
	bool has_tgid, has_duration;
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
	case KNETMON_A_BIND_RESULT: e->result = (int32_t)mnl_attr_get_u32(a); break;
	case KNETMON_A_BIND_COOKIE: e->cookie = mnl_attr_get_u64(a); break;
	case KNETMON_A_BIND_BYTES_ACKED: e->bytes_acked = mnl_attr_get_u64(a); break;
	case KNETMON_A_BIND_BYTES_RECEIVED: e->bytes_received = mnl_attr_get_u64(a); break;
	case KNETMON_A_BIND_SEGS_OUT: e->segs_out = mnl_attr_get_u32(a); break;
	case KNETMON_A_BIND_SEGS_IN: e->segs_in = mnl_attr_get_u32(a); break;
	case KNETMON_A_BIND_TOTAL_RETRANS: e->total_retrans = mnl_attr_get_u32(a); break;
	case KNETMON_A_BIND_CLOSED_BY: e->closed_by = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_FLOW_VIA: e->flow_via = mnl_attr_get_u8(a); break;
	case KNETMON_A_BIND_INODE: e->inode = mnl_attr_get_u64(a); break;
	case KNETMON_A_BIND_DURATION_NS:
		e->duration = mnl_attr_get_u64(a);
		e->has_duration = true;
		break;
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
	struct cev kinds[8];		/* connect, connect, accept, close, close... */
	int n_kinds;
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
		if (e.cmd != KNETMON_CMD_CONN_EVENT) {
			w->others++;
			continue;
		}
		if (w->last_seq && e.seq != w->last_seq + 1)
			w->gaps++;
		if (!w->first_seq)
			w->first_seq = e.seq;
		w->last_seq = e.seq;
		w->events++;
		if (e.kind != KNETMON_BIND_KIND_STATE) {
			if (w->n_kinds < 8)
				w->kinds[w->n_kinds++] = e;
			continue;
		}
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

/* Connection events numbered since load, of every kind. */
static uint64_t conn_events_counted(const struct kt_counters *c)
{
	return c->v[KNETMON_A_COUNTER_EVENTS_STATE] + c->v[KNETMON_A_COUNTER_EVENTS_CONNECT] +
	       c->v[KNETMON_A_COUNTER_EVENTS_ACCEPT] + c->v[KNETMON_A_COUNTER_EVENTS_CLOSE] +
	       c->v[KNETMON_A_COUNTER_EVENTS_UDP_FLOW];
}

/* No listener, nothing numbered; then every event numbered is received. */
TEST(connection_events_are_numbered_only_while_someone_listens)
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
	EXPECT_EQ(conn_events_counted(&before), conn_events_counted(&after));

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_group));
	ASSERT_EQ(0, kt_counters(&req, &before));
	ASSERT_EQ(0, conn_open(&c, AF_INET));
	ASSERT_EQ(0, conn_live_and_close(&ev, &c, &w));
	ASSERT_EQ(0, kt_counters(&req, &after));
	EXPECT_EQ(w.events, conn_events_counted(&after) - conn_events_counted(&before));
	EXPECT_EQ(5, w.n_kinds) TH_LOG("connect twice, accept, close twice, and nothing else");
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
	EXPECT_EQ(0, kt_unprivileged_join_status(offsetof(struct kt_sock, conns_group),
						 offsetof(struct kt_sock, conns_all_group)))
		TH_LOG("10 setup, 11 conns joined, 12 conns_all joined");
}

/* ---- connect, accept, close ------------------------------------------ */

/* Every event but state changes, until none came for QUIET_MS or MAX are in. */
static int read_kinds(struct kt_sock *s, struct cev *out, int max, int quiet_ms)
{
	struct cev e;
	int n = 0;

	while (n < max && !next_cev(s, &e, quiet_ms))
		if (e.cmd == KNETMON_CMD_CONN_EVENT && e.kind != KNETMON_BIND_KIND_STATE)
			out[n++] = e;
	return n;
}

/* The first of EV[N] of KIND with local port PORT (0: any) and peer port RPORT. */
static const struct cev *find_kind(const struct cev *ev, int n, uint8_t kind, uint16_t port,
				   uint16_t rport)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].kind == kind && (!port || ev[i].port == port) && ev[i].rport == rport)
			return &ev[i];
	return NULL;
}

static const struct cev *find_connect(const struct cev *ev, int n, uint16_t rport,
				      int32_t result)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].kind == KNETMON_BIND_KIND_CONNECT && ev[i].rport == rport &&
		    ev[i].result == result)
			return &ev[i];
	return NULL;
}

/*
 * connect() is reported twice, both times with the caller and one cookie:
 * when its SYN has gone (-EINPROGRESS, the local port chosen by then) and
 * when the handshake ends (0). accept() with the acceptor and the ends.
 */
TEST_F(conns, connect_is_reported_at_its_syn_and_at_its_outcome_accept_with_the_acceptor)
{
	const struct cev *attempt, *outcome, *acc;
	struct cev ev[16];
	struct conn c;
	int n;

	ASSERT_EQ(0, conn_open(&c, variant->family));
	n = read_kinds(&self->ev, ev, 16, 1000);
	attempt = find_connect(ev, n, c.lport, -EINPROGRESS);
	outcome = find_connect(ev, n, c.lport, 0);
	acc = find_kind(ev, n, KNETMON_BIND_KIND_ACCEPT, c.lport, c.cport);
	ASSERT_TRUE(attempt && outcome && acc) TH_LOG("of %d events: attempt %d outcome %d "
						     "accept %d", n, !!attempt, !!outcome, !!acc);
	EXPECT_EQ(c.cport, attempt->port);
	EXPECT_EQ(c.alen, attempt->raddr_len);
	EXPECT_EQ(0, memcmp(attempt->raddr, c.lo, c.alen));
	EXPECT_TRUE(attempt->has_tgid && attempt->tgid == (uint32_t)getpid());
	EXPECT_NE(0ull, attempt->cookie);
	EXPECT_EQ(attempt->cookie, outcome->cookie);
	EXPECT_LT(attempt->seq, outcome->seq);
	EXPECT_EQ(c.cport, outcome->port);
	EXPECT_TRUE(outcome->has_tgid && outcome->tgid == (uint32_t)getpid());
	EXPECT_TRUE(acc->has_tgid && acc->tgid == (uint32_t)getpid());
	EXPECT_NE(0ull, acc->cookie);
	EXPECT_NE(attempt->cookie, acc->cookie);
	EXPECT_EQ(0, memcmp(acc->addr, c.lo, c.alen));
	EXPECT_EQ(0, memcmp(acc->raddr, c.lo, c.alen));
	close(c.cfd);
	close(c.afd);
	close(c.lfd);
}

/* A port bound and not listening answers with a reset: refused, one cookie, no close. */
TEST_F(conns, connect_to_a_port_nobody_listens_on_is_reported_refused)
{
	const struct cev *attempt, *outcome;
	struct sockaddr_storage ss;
	struct cev ev[16];
	int held, fd, n, i;
	uint16_t port;
	socklen_t len;

	len = loopback(variant->family, 0, &ss);
	held = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(held, (struct sockaddr *)&ss, len));	/* the port stays ours */
	port = sockaddr_port(held, false);
	len = loopback(variant->family, port, &ss);
	fd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(ECONNREFUSED, errno);
	n = read_kinds(&self->ev, ev, 16, 1000);
	attempt = find_connect(ev, n, port, -EINPROGRESS);
	outcome = find_connect(ev, n, port, -ECONNREFUSED);
	ASSERT_TRUE(attempt && outcome) TH_LOG("of %d events: attempt %d, refusal %d", n,
					       !!attempt, !!outcome);
	EXPECT_EQ(attempt->cookie, outcome->cookie);
	EXPECT_TRUE(outcome->has_tgid && outcome->tgid == (uint32_t)getpid());
	for (i = 0; i < n; i++)
		EXPECT_NE(KNETMON_BIND_KIND_CLOSE, ev[i].kind) TH_LOG("a refused connect closed");
	close(fd);
	close(held);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);	/* the clock of DURATION_NS */
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* TCP_INFO of FD once its state is CLOSE (the close event's moment): 0 or -1. */
static int closed_tcp_info(int fd, struct tcp_info *ti)
{
	int i;

	for (i = 0; i < 500; i++) {
		socklen_t len = sizeof(*ti);

		memset(ti, 0, sizeof(*ti));
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
			return -1;
		if (ti->tcpi_state == CLOSE)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int full_io(int fd, char *buf, size_t len, bool out)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = out ? write(fd, buf + done, len - done) : read(fd, buf + done, len - done);

		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

#define CLIENT_SENDS 1000
#define SERVER_SENDS 3000

/*
 * A child connects, sends CLIENT_SENDS, reads SERVER_SENDS and closes
 * first (shutdown); it writes its pid's view of TCP_INFO once closed to
 * PIPE_FD. Exit status: 0, or the step that failed.
 */
static int client_child(int family, uint16_t port, int pipe_fd)
{
	static char buf[SERVER_SENDS];
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	struct tcp_info ti;
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		return 1;
	memset(buf, 'c', sizeof(buf));
	if (full_io(fd, buf, CLIENT_SENDS, true) || full_io(fd, buf, SERVER_SENDS, false))
		return 2;
	if (shutdown(fd, SHUT_WR) || read(fd, buf, 1) != 0)
		return 3;
	if (closed_tcp_info(fd, &ti) || write(pipe_fd, &ti, sizeof(ti)) != sizeof(ti))
		return 4;
	close(fd);
	return 0;
}

static void expect_life(struct __test_metadata *_metadata, const char *end,
			const struct cev *e, const struct tcp_info *ti, uint64_t sent,
			uint64_t received)
{
	EXPECT_EQ(ti->tcpi_bytes_acked, e->bytes_acked) TH_LOG("%s bytes acked", end);
	EXPECT_EQ(ti->tcpi_bytes_received, e->bytes_received) TH_LOG("%s bytes received", end);
	EXPECT_EQ(ti->tcpi_segs_out, e->segs_out) TH_LOG("%s segments out", end);
	EXPECT_EQ(ti->tcpi_segs_in, e->segs_in) TH_LOG("%s segments in", end);
	EXPECT_EQ(ti->tcpi_total_retrans, e->total_retrans) TH_LOG("%s retransmits", end);
	/* what the test moved, plus SYN and FIN where TCP counts them */
	EXPECT_TRUE(e->bytes_acked >= sent && e->bytes_acked <= sent + 2)
		TH_LOG("%s: %llu acked for %llu sent", end, (unsigned long long)e->bytes_acked,
		       (unsigned long long)sent);
	EXPECT_TRUE(e->bytes_received >= received && e->bytes_received <= received + 1)
		TH_LOG("%s: %llu received for %llu", end, (unsigned long long)e->bytes_received,
		       (unsigned long long)received);
}

/*
 * Each end's close carries its owner, the task that connected or accepted
 * it, though both changes to CLOSE run in softirq (on loopback, on the
 * other process's task); the counters TCP_INFO gives for the same socket
 * once closed; who closed first; and a duration within the test's own.
 */
TEST_F(conns, close_carries_its_owner_the_counters_tcp_info_gives_and_who_closed_first)
{
	static char buf[SERVER_SENDS];
	struct tcp_info cti, sti;
	const struct cev *cl, *sv;
	struct cev ev[16];
	int pfd[2], status, lfd, afd, n;
	uint64_t t0 = now_ns(), elapsed;
	struct sockaddr_storage ss;
	uint16_t lport, cport;
	socklen_t len;
	pid_t child;

	len = loopback(variant->family, 0, &ss);
	lfd = socket(variant->family, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(0, listen(lfd, 4));
	lport = sockaddr_port(lfd, false);
	ASSERT_EQ(0, pipe(pfd));
	child = fork();
	ASSERT_GE(child, 0);
	if (!child)
		_exit(client_child(variant->family, lport, pfd[1]));
	afd = accept(lfd, NULL, NULL);
	ASSERT_GE(afd, 0);
	cport = sockaddr_port(afd, true);
	memset(buf, 's', sizeof(buf));
	ASSERT_EQ(0, full_io(afd, buf, CLIENT_SENDS, false));
	ASSERT_EQ(0, full_io(afd, buf, SERVER_SENDS, true));
	ASSERT_EQ(0, read(afd, buf, 1));	/* the client's FIN */
	ASSERT_EQ(0, shutdown(afd, SHUT_WR));
	ASSERT_EQ(0, closed_tcp_info(afd, &sti));
	ASSERT_EQ((ssize_t)sizeof(cti), read(pfd[0], &cti, sizeof(cti)));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("client failed at step %d", WEXITSTATUS(status));
	n = read_kinds(&self->ev, ev, 16, 1000);
	elapsed = now_ns() - t0;

	cl = find_kind(ev, n, KNETMON_BIND_KIND_CLOSE, cport, lport);
	sv = find_kind(ev, n, KNETMON_BIND_KIND_CLOSE, lport, cport);
	ASSERT_TRUE(cl && sv) TH_LOG("of %d events: client close %d, server close %d", n, !!cl,
				     !!sv);
	EXPECT_TRUE(cl->has_tgid && cl->tgid == (uint32_t)child)
		TH_LOG("client close owned by %u, not the connecting child %d", cl->tgid, child);
	EXPECT_TRUE(sv->has_tgid && sv->tgid == (uint32_t)getpid())
		TH_LOG("server close owned by %u, not the accepting test %d", sv->tgid, getpid());
	expect_life(_metadata, "client", cl, &cti, CLIENT_SENDS, SERVER_SENDS);
	expect_life(_metadata, "server", sv, &sti, SERVER_SENDS, CLIENT_SENDS);
	EXPECT_EQ(KNETMON_CLOSED_BY_LOCAL, cl->closed_by);
	EXPECT_EQ(KNETMON_CLOSED_BY_REMOTE, sv->closed_by);
	EXPECT_EQ(0, cl->result);
	EXPECT_EQ(0, sv->result);
	EXPECT_TRUE(cl->has_duration && cl->duration > 0 && cl->duration < elapsed);
	EXPECT_TRUE(sv->has_duration && sv->duration > 0 && sv->duration < elapsed);
	close(afd);
	close(lfd);
}

/* SO_LINGER 0: the closer aborts (local, no error), the peer is reset (remote, ECONNRESET). */
TEST_F(conns, a_reset_is_a_close_by_the_resetting_end_with_econnreset_at_the_peer)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	const struct cev *cl, *sv;
	struct cev ev[16];
	struct conn c;
	int n;

	ASSERT_EQ(0, conn_open(&c, variant->family));
	ASSERT_EQ(0, setsockopt(c.cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c.cfd);
	n = read_kinds(&self->ev, ev, 16, 1000);
	cl = find_kind(ev, n, KNETMON_BIND_KIND_CLOSE, c.cport, c.lport);
	sv = find_kind(ev, n, KNETMON_BIND_KIND_CLOSE, c.lport, c.cport);
	ASSERT_TRUE(cl && sv) TH_LOG("of %d events: client close %d, server close %d", n, !!cl,
				     !!sv);
	EXPECT_EQ(KNETMON_CLOSED_BY_LOCAL, cl->closed_by);
	EXPECT_EQ(0, cl->result);
	EXPECT_EQ(KNETMON_CLOSED_BY_REMOTE, sv->closed_by);
	EXPECT_EQ(-ECONNRESET, sv->result);
	close(c.afd);
	close(c.lfd);
}

/* ---- UDP flows --------------------------------------------------------- */

/* A UDP socket bound to loopback port 0: its fd; *PORT its port. */
static int udp_on_loopback(int family, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, 0, &ss);
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		return -1;
	*port = sockaddr_port(fd, false);
	return fd;
}

static int udp_send_to(int fd, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);

	return sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) == 1 ? 0 : -1;
}

/* The UDP flows among EV[N]; the one to RPORT into *F (NULL: none). */
static int udp_flows(const struct cev *ev, int n, uint16_t rport, const struct cev **f)
{
	int i, flows = 0;

	*f = NULL;
	for (i = 0; i < n; i++) {
		if (ev[i].kind != KNETMON_BIND_KIND_UDP_FLOW)
			continue;
		flows++;
		if (ev[i].rport == rport && !*f)
			*f = &ev[i];
	}
	return flows;
}

static bool udp_peer_is_loopback(const struct cev *f, int family)
{
	struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };

	if (family == AF_INET)
		return f->raddr_len == 4 && !memcmp(f->raddr, &lo4, 4);
	return f->raddr_len == 16 && !memcmp(f->raddr, &in6addr_loopback, 16);
}

/* What a sender child tells the test about the socket it sent from. */
struct udp_sender {
	uint16_t port;
	uint64_t inode;
};

/*
 * A child sends three datagrams to A and one to B from one unbound socket
 * (the port is chosen at its first send), then tells its port and inode.
 */
static int udp_sender_child(int family, uint16_t a, uint16_t b, int pipe_fd)
{
	struct udp_sender who;
	struct stat st;
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0 || udp_send_to(fd, family, a) || udp_send_to(fd, family, a) ||
	    udp_send_to(fd, family, b) || udp_send_to(fd, family, a) || fstat(fd, &st))
		return 1;
	who.port = sockaddr_port(fd, false);
	who.inode = st.st_ino;
	return write(pipe_fd, &who, sizeof(who)) == sizeof(who) ? 0 : 2;
}

/*
 * Each peer a socket sends to is reported once, at the first datagram,
 * with the sending process (a child, not the test), the port the send
 * chose, the socket's inode, and "via send".
 */
TEST_F(conns, udp_first_datagram_to_each_peer_is_reported_once_with_the_sender)
{
	const struct cev *fa, *fb;
	struct udp_sender who;
	int ra, rb, pfd[2], status, n;
	uint16_t pa, pb;
	struct cev ev[16];
	pid_t child;

	ra = udp_on_loopback(variant->family, &pa);
	rb = udp_on_loopback(variant->family, &pb);
	ASSERT_TRUE(ra >= 0 && rb >= 0);
	ASSERT_EQ(0, pipe(pfd));
	child = fork();
	if (!child)
		_exit(udp_sender_child(variant->family, pa, pb, pfd[1]));
	ASSERT_EQ((ssize_t)sizeof(who), read(pfd[0], &who, sizeof(who)));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);
	n = read_kinds(&self->ev, ev, 16, 1000);
	EXPECT_EQ(2, udp_flows(ev, n, pa, &fa)) TH_LOG("four datagrams to two peers");
	udp_flows(ev, n, pb, &fb);
	ASSERT_TRUE(fa && fb) TH_LOG("to A %d, to B %d, of %d events", !!fa, !!fb, n);
	EXPECT_LT(fa->seq, fb->seq);
	EXPECT_EQ(KNETMON_FLOW_VIA_SEND, fa->flow_via);
	EXPECT_EQ(0, fa->result);
	EXPECT_TRUE(fa->has_tgid && fa->tgid == (uint32_t)child)
		TH_LOG("sender %d, reported %u", child, fa->tgid);
	EXPECT_TRUE(fb->has_tgid && fb->tgid == (uint32_t)child);
	EXPECT_EQ(who.port, fa->port);
	EXPECT_EQ(who.port, fb->port);
	EXPECT_EQ(who.inode, fa->inode);
	EXPECT_EQ(variant->family, fa->family);
	EXPECT_TRUE(udp_peer_is_loopback(fa, variant->family));
	close(ra);
	close(rb);
}

/*
 * connect() is the flow's start ("via connect", with the port and source
 * it chose); sends on the connected socket are the same flow and bring
 * nothing more; a sendto() naming another peer is a new flow.
 */
TEST_F(conns, udp_connect_is_reported_and_its_sends_to_that_peer_are_not_again)
{
	struct sockaddr_storage ss;
	const struct cev *fc, *fo;
	struct cev ev[16];
	int ra, rb, fd, n;
	uint16_t pa, pb;
	socklen_t len;

	ra = udp_on_loopback(variant->family, &pa);
	rb = udp_on_loopback(variant->family, &pb);
	ASSERT_TRUE(ra >= 0 && rb >= 0);
	fd = socket(variant->family, SOCK_DGRAM, 0);
	len = loopback(variant->family, pa, &ss);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&ss, len));
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	ASSERT_EQ(1, send(fd, "x", 1, 0));
	ASSERT_EQ(0, udp_send_to(fd, variant->family, pb));
	n = read_kinds(&self->ev, ev, 16, 1000);
	EXPECT_EQ(2, udp_flows(ev, n, pa, &fc));
	udp_flows(ev, n, pb, &fo);
	ASSERT_TRUE(fc && fo) TH_LOG("connect %d, other peer %d, of %d", !!fc, !!fo, n);
	EXPECT_EQ(KNETMON_FLOW_VIA_CONNECT, fc->flow_via);
	EXPECT_EQ(0, fc->result);
	EXPECT_EQ(sockaddr_port(fd, false), fc->port);
	EXPECT_TRUE(fc->has_tgid && fc->tgid == (uint32_t)getpid());
	EXPECT_EQ(KNETMON_FLOW_VIA_SEND, fo->flow_via);
	EXPECT_LT(fc->seq, fo->seq);
	close(fd);
	close(ra);
	close(rb);
}

/*
 * A connect that fails is reported with its error and the peer asked for
 * (no route: the netns has only lo, so nothing is sent anywhere).
 */
TEST_F(conns, udp_connect_without_a_route_is_reported_with_enetunreach)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct sockaddr *sa = variant->family == AF_INET ? (void *)&sin : (void *)&sin6;
	socklen_t len = variant->family == AF_INET ? sizeof(sin) : sizeof(sin6);
	const struct cev *f;
	struct cev ev[16];
	int fd, n;

	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	fd = socket(variant->family, SOCK_DGRAM, 0);
	ASSERT_EQ(-1, connect(fd, sa, len));
	ASSERT_EQ(ENETUNREACH, errno);
	n = read_kinds(&self->ev, ev, 16, 1000);
	EXPECT_EQ(1, udp_flows(ev, n, 53, &f));
	ASSERT_TRUE(f != NULL);
	EXPECT_EQ(-ENETUNREACH, f->result);
	EXPECT_EQ(KNETMON_FLOW_VIA_CONNECT, f->flow_via);
	EXPECT_EQ(0, memcmp(f->raddr, variant->family == AF_INET ? (void *)&sin.sin_addr :
							      (void *)&sin6.sin6_addr,
			    f->raddr_len));
	close(fd);
}

/*
 * The flows a socket sent are forgotten at its close: the count of flows
 * kept goes back, and a new socket on the same port sending to the same
 * peer is reported again.
 */
TEST_F(conns, udp_flows_are_forgotten_at_close_and_a_new_socket_is_reported_again)
{
	struct kt_counters before, sent, closed;
	const struct cev *f1, *f2;
	struct cev ev[16];
	int ra, fd, n;
	uint16_t pa, port;

	ra = udp_on_loopback(variant->family, &pa);
	ASSERT_TRUE(ra >= 0);
	ASSERT_EQ(0, kt_counters(&self->req, &before));
	fd = udp_on_loopback(variant->family, &port);
	ASSERT_EQ(0, udp_send_to(fd, variant->family, pa));
	n = read_kinds(&self->ev, ev, 16, 500);
	ASSERT_EQ(1, udp_flows(ev, n, pa, &f1));
	ASSERT_EQ(0, kt_counters(&self->req, &sent));
	close(fd);
	ASSERT_EQ(0, kt_counters(&self->req, &closed));
	EXPECT_EQ(before.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE] + 1,
		  sent.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE]);
	EXPECT_EQ(before.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE],
		  closed.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE]) TH_LOG("the closed socket's flow kept");

	{
		struct sockaddr_storage ss;
		socklen_t len = loopback(variant->family, port, &ss);

		fd = socket(variant->family, SOCK_DGRAM, 0);
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, len));
	}
	ASSERT_EQ(0, udp_send_to(fd, variant->family, pa));
	n = read_kinds(&self->ev, ev, 16, 500);
	EXPECT_EQ(1, udp_flows(ev, n, pa, &f2)) TH_LOG("the new socket's first send not reported");
	close(fd);
	close(ra);
}

/*
 * Nothing is kept or numbered while nobody listens; a flow begun then is
 * reported at its first datagram once someone does.
 */
TEST(udp_flows_are_kept_only_while_someone_listens)
{
	struct kt_counters before, after;
	const struct cev *f;
	struct kt_sock req, ev;
	struct cev evs[16];
	uint16_t pa, port;
	uint64_t seq = 1;
	int ra, fd, n;

	ASSERT_EQ(0, kt_private_netns());
	ASSERT_EQ(0, kt_open(&req));
	ASSERT_EQ(0, kt_counters(&req, &before));
	ra = udp_on_loopback(AF_INET, &pa);
	fd = udp_on_loopback(AF_INET, &port);
	ASSERT_TRUE(ra >= 0 && fd >= 0);
	ASSERT_EQ(0, udp_send_to(fd, AF_INET, pa));
	ASSERT_EQ(0, kt_info_u64(&req, KNETMON_A_INFO_CONNS_SEQ, &seq));
	ASSERT_EQ(0, kt_counters(&req, &after));
	EXPECT_EQ(0ull, seq) TH_LOG("numbered with no listener");
	EXPECT_EQ(before.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE],
		  after.v[KNETMON_A_COUNTER_UDP_FLOWS_LIVE]) TH_LOG("kept with no listener");

	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_group));
	ASSERT_EQ(0, udp_send_to(fd, AF_INET, pa));
	ASSERT_EQ(0, udp_send_to(fd, AF_INET, pa));
	n = read_kinds(&ev, evs, 16, 1000);
	EXPECT_EQ(1, udp_flows(evs, n, pa, &f));
	ASSERT_TRUE(f != NULL);
	EXPECT_EQ(port, f->port);
	EXPECT_EQ(1ull, f->seq);
	close(fd);
	close(ra);
	kt_close(&ev);
	kt_close(&req);
}

/* ---- probes armed on demand ------------------------------------------- */

/*
 * Whether the kprobe on SYM is armed, as the kernel lists it in debugfs
 * (independent of the module's word): 1, 0, or -1 (not listed, no debugfs).
 */
static int kprobe_armed(const char *sym)
{
	char line[512];
	int armed = -1;
	FILE *f = fopen("/sys/kernel/debug/kprobes/list", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, sym);

		if (!at || (at[strlen(sym)] != '+' && at[strlen(sym)] != ' '))
			continue;
		armed = !strstr(line, "[DISABLED]");
		break;
	}
	fclose(f);
	return armed;
}

/* Up to 5 s for SYM's probe to be ARMED (a disarm waits a second or two). */
static int kprobe_becomes(const char *sym, int armed)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (kprobe_armed(sym) == armed)
			return armed;
		usleep(100000);
	}
	return kprobe_armed(sym);
}

/*
 * Where the kernel tells the module of joins (PROBES_ON_DEMAND: 6.12), the
 * connect, accept and UDP send probes are armed from a join of a
 * connection group on and disarmed once nobody listens; a join arms them
 * before it returns. Elsewhere they are always armed.
 */
static void expect_armed(struct __test_metadata *_metadata, const char *sym, int want,
			 bool wait, const char *when)
{
	int armed = wait ? kprobe_becomes(sym, want) : kprobe_armed(sym);

	EXPECT_EQ(want, armed) TH_LOG("%s %s", sym, when);
}

TEST(connection_probes_are_armed_only_while_a_connection_group_has_a_listener)
{
	struct kt_sock req, ev, binds;
	uint64_t features = 0;
	bool on_demand;

	/* debugfs in a mount namespace of this test's own: the rig leaves it out */
	if (kprobe_armed("tcp_v4_connect") < 0 &&
	    (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	     mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL)))
		SKIP(return, "no debugfs (%s)", strerror(errno));
	if (kprobe_armed("tcp_v4_connect") < 0)
		SKIP(return, "no /sys/kernel/debug/kprobes/list to read");
	ASSERT_EQ(0, kt_open(&req));
	ASSERT_EQ(0, kt_info_u64(&req, KNETMON_A_INFO_FEATURES, &features));
	on_demand = features & (1ULL << KNETMON_FEAT_PROBES_ON_DEMAND);
	expect_armed(_metadata, "tcp_v4_connect", !on_demand, true, "with nobody listening");
	expect_armed(_metadata, "inet_csk_accept", !on_demand, true, "with nobody listening");
	expect_armed(_metadata, "udp_sendmsg", !on_demand, true, "with nobody listening");

	/* a bind listener is no connection listener */
	ASSERT_EQ(0, kt_open(&binds));
	ASSERT_EQ(0, kt_join(&binds, binds.binds_group));
	usleep(200000);
	expect_armed(_metadata, "tcp_v4_connect", !on_demand, false, "with a bind listener");

	/* at once: the join armed them before it returned */
	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_group));
	expect_armed(_metadata, "tcp_v4_connect", 1, false, "after a join");
	expect_armed(_metadata, "inet_csk_accept", 1, false, "after a join");
	expect_armed(_metadata, "udp_sendmsg", 1, false, "after a join");
	kt_close(&ev);
	expect_armed(_metadata, "tcp_v4_connect", !on_demand, true, "once the listener left");

	/* conns_all counts too */
	ASSERT_EQ(0, kt_open(&ev));
	ASSERT_EQ(0, kt_join(&ev, ev.conns_all_group));
	expect_armed(_metadata, "udp_sendmsg", 1, false, "after a conns_all join");
	kt_close(&ev);
	kt_close(&binds);
	kt_close(&req);
}

TEST_HARNESS_MAIN
