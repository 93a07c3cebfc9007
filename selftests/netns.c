// SPDX-License-Identifier: GPL-2.0
/*
 * The netns selection of every table dump at the netlink level: another
 * netns named by its netns id (`ip netns set NAME ID`) or by an open netns
 * file gives that netns's records and none of the caller's; the two names
 * at once, an unknown id and an fd that is no netns are refused with an
 * extack message and no record; an unprivileged caller is refused another
 * netns and every netns with EPERM and the reason (on 6.1 too, whose dump
 * .start carries no extack); every netns at once tags each socket and link
 * with its netns inode.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "knetmon_test.h"
#include "kt_harness.h"
#include "tables_lib.h"

#define NS_ID		4242	/* the id the test's netns gets in the caller's */
#define NS_PORT		40311	/* a UDP port bound inside the other netns only */
#define OWN_PORT	40312	/* and one in the caller's netns only */

static const uint8_t table_cmds[] = {
	KNETMON_CMD_GET_SOCKETS, KNETMON_CMD_GET_NEIGH, KNETMON_CMD_GET_ROUTES,
	KNETMON_CMD_GET_LINKS,
};

struct seen {
	int records;
	int neigh4;			/* IPv4 neighbours (IPv6 may hold multicast NOARP ones) */
	int links_kn1, links_own;	/* the other netns's dummy, the caller's */
	int links_kn1_tagged, links_own_tagged;	/* those with their netns inode */
	int ns_port, ns_port_tagged;	/* NS_PORT sockets; those with the netns inode */
	int own_port, own_port_tagged;
	uint32_t ns_ino, own_ino;
};

static int seen_msg(const struct nlmsghdr *nlh, void *data)
{
	struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct seen *s = data;
	struct tl_tb t;
	uint16_t port;

	tl_parse_msg(nlh, &t);
	s->records++;
	if (g->cmd == KNETMON_CMD_GET_NEIGH)
		s->neigh4 += tl_u8(&t, KNETMON_A_NEIGH_FAMILY) == AF_INET;
	if (g->cmd == KNETMON_CMD_GET_LINKS && t.a[KNETMON_A_LINK_NAME]) {
		const char *name = mnl_attr_get_str(t.a[KNETMON_A_LINK_NAME]);
		uint32_t ino = tl_u32(&t, KNETMON_A_LINK_NETNS);

		s->links_kn1 += !strcmp(name, "kn1");
		s->links_own += !strcmp(name, "known1");
		s->links_kn1_tagged += !strcmp(name, "kn1") && ino == s->ns_ino;
		s->links_own_tagged += !strcmp(name, "known1") && ino == s->own_ino;
	}
	if (g->cmd == KNETMON_CMD_GET_SOCKETS && t.a[KNETMON_A_SOCK_LOCAL_PORT]) {
		port = ntohs(mnl_attr_get_u16(t.a[KNETMON_A_SOCK_LOCAL_PORT]));
		if (port == NS_PORT) {
			s->ns_port++;
			s->ns_port_tagged += tl_u32(&t, KNETMON_A_SOCK_NETNS) == s->ns_ino;
		}
		if (port == OWN_PORT) {
			s->own_port++;
			s->own_port_tagged += tl_u32(&t, KNETMON_A_SOCK_NETNS) == s->own_ino;
		}
	}
	return MNL_CB_OK;
}

FIXTURE(netns) {
	struct kt_sock s;
	char name[64];
	int fd;			/* /var/run/netns/NAME */
	int udp;		/* bound to OWN_PORT in the caller's netns */
	pid_t holder;		/* holds NS_PORT inside the other netns */
	struct seen seen;
};

/* A child that binds NS_PORT inside the netns of FD and waits to be killed. */
static pid_t hold_port_in(int fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(NS_PORT) };
	int p[2], s;
	pid_t pid;
	char c = 0;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (setns(fd, CLONE_NEWNET) == 0) {
			s = socket(AF_INET, SOCK_DGRAM, 0);
			if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0)
				c = 1;
		}
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || !c)
		pid = -1;
	close(p[0]);
	return pid;
}

FIXTURE_SETUP(netns)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(OWN_PORT) };
	char path[128];
	struct stat st;

	snprintf(self->name, sizeof(self->name), "knetmon-netns-c-%d", getpid());
	ASSERT_EQ(0, tl_fresh_netns()) TH_LOG("cannot make a netns: %s", strerror(errno));
	ASSERT_EQ(0, tl_sh("set -e; ip link add known1 type dummy; ip link set known1 up;"
			   "ip addr add 203.0.113.1/24 dev known1;"
			   "ip netns add %s; ip netns set %s %d; ip -n %s link set lo up;"
			   "ip -n %s link add kn1 type dummy; ip -n %s link set kn1 up;"
			   "ip -n %s addr add 192.0.2.1/24 dev kn1;"
			   "ip -n %s neigh add 192.0.2.7 lladdr 02:00:00:00:00:07 dev kn1 nud permanent",
			   self->name, self->name, NS_ID, self->name, self->name, self->name,
			   self->name, self->name));
	snprintf(path, sizeof(path), "/var/run/netns/%s", self->name);
	self->fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, fstat(self->fd, &st));
	self->seen.ns_ino = st.st_ino;
	ASSERT_EQ(0, stat("/proc/self/ns/net", &st));
	self->seen.own_ino = st.st_ino;
	self->udp = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_EQ(0, bind(self->udp, (struct sockaddr *)&a, sizeof(a)));
	self->holder = hold_port_in(self->fd);
	ASSERT_LT(0, self->holder) TH_LOG("cannot bind inside the other netns");
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
}

FIXTURE_TEARDOWN(netns)
{
	kt_close(&self->s);
	if (self->holder > 0) {
		kill(self->holder, SIGKILL);
		waitpid(self->holder, NULL, 0);
	}
	close(self->udp);
	close(self->fd);
	tl_sh("ip netns del %s 2>/dev/null", self->name);
}

/* Dump CMD with the selection attributes given; fills self->seen and *R. */
static void dump(struct kt_sock *s, struct seen *seen, uint8_t cmd, int id, int fd,
		 uint32_t flags, struct kt_reply *r)
{
	char buf[512];
	struct nlmsghdr *nlh = kt_req(s, buf, cmd, NLM_F_DUMP);

	if (id >= 0)
		mnl_attr_put_u32(nlh, KNETMON_REQ_NETNS_ID, id);
	if (fd >= 0)
		mnl_attr_put_u32(nlh, KNETMON_REQ_NETNS_FD, fd);
	if (flags)
		mnl_attr_put_u32(nlh, KNETMON_REQ_FLAGS, flags);
	memset(r, 0, sizeof(*r));
	seen->records = seen->neigh4 = seen->links_kn1 = seen->links_own = 0;
	seen->links_kn1_tagged = seen->links_own_tagged = 0;
	seen->ns_port = seen->ns_port_tagged = seen->own_port = seen->own_port_tagged = 0;
	if (kt_request(s, nlh, seen_msg, seen, r))
		r->error = -1;
}

TEST_F(netns, links_by_netns_id_or_fd_are_the_other_netns_only)
{
	struct kt_reply r;

	dump(&self->s, &self->seen, KNETMON_CMD_GET_LINKS, NS_ID, -1, 0, &r);
	ASSERT_EQ(0, r.error) TH_LOG("by id: %s", r.extack);
	EXPECT_EQ(1, self->seen.links_kn1);
	EXPECT_EQ(0, self->seen.links_own);
	EXPECT_EQ(2, self->seen.records) TH_LOG("lo and kn1, nothing else");

	dump(&self->s, &self->seen, KNETMON_CMD_GET_LINKS, -1, self->fd, 0, &r);
	ASSERT_EQ(0, r.error) TH_LOG("by fd: %s", r.extack);
	EXPECT_EQ(1, self->seen.links_kn1);
	EXPECT_EQ(0, self->seen.links_own);
	EXPECT_EQ(2, self->seen.records);

	dump(&self->s, &self->seen, KNETMON_CMD_GET_LINKS, -1, -1, 0, &r);
	ASSERT_EQ(0, r.error);
	EXPECT_EQ(0, self->seen.links_kn1) TH_LOG("the caller's dump shows the other netns");
	EXPECT_EQ(1, self->seen.links_own);
}

TEST_F(netns, sockets_by_netns_id_are_the_other_netns_only)
{
	struct kt_reply r;

	dump(&self->s, &self->seen, KNETMON_CMD_GET_SOCKETS, NS_ID, -1, 0, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.extack);
	EXPECT_EQ(1, self->seen.ns_port_tagged);
	EXPECT_EQ(0, self->seen.own_port);
}

TEST_F(netns, neigh_and_routes_take_the_netns_id)
{
	struct kt_reply r, own;

	/* the other netns: one neighbour; 192.0.2.0/24 is routed there only */
	dump(&self->s, &self->seen, KNETMON_CMD_GET_NEIGH, NS_ID, -1, 0, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.extack);
	EXPECT_EQ(1, self->seen.neigh4);
	dump(&self->s, &self->seen, KNETMON_CMD_GET_NEIGH, -1, -1, 0, &own);
	EXPECT_EQ(0, self->seen.neigh4) TH_LOG("the caller's netns has no IPv4 neighbour");

	dump(&self->s, &self->seen, KNETMON_CMD_GET_ROUTES, -1, self->fd, 0, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.extack);
	EXPECT_LT(0, self->seen.records);
}

TEST_F(netns, id_and_fd_together_refused_with_extack)
{
	struct kt_reply r;
	size_t i;

	for (i = 0; i < sizeof(table_cmds); i++) {
		dump(&self->s, &self->seen, table_cmds[i], NS_ID, self->fd, 0, &r);
		EXPECT_EQ(EINVAL, r.error) TH_LOG("cmd %u", table_cmds[i]);
		EXPECT_EQ(0, self->seen.records);
		EXPECT_TRUE(strstr(r.extack, "exclude") != NULL) TH_LOG("cmd %u: \"%s\"", table_cmds[i], r.extack);
	}
}

TEST_F(netns, unknown_id_and_non_netns_fd_refused_with_extack)
{
	int devnull = open("/dev/null", O_RDONLY);
	struct kt_reply r;
	size_t i;

	ASSERT_LE(0, devnull);
	for (i = 0; i < sizeof(table_cmds); i++) {
		dump(&self->s, &self->seen, table_cmds[i], NS_ID + 1, -1, 0, &r);
		EXPECT_EQ(ENOENT, r.error) TH_LOG("cmd %u", table_cmds[i]);
		EXPECT_EQ(0, self->seen.records);
		EXPECT_TRUE(strstr(r.extack, "no network namespace has this id") != NULL)
			TH_LOG("cmd %u: \"%s\"", table_cmds[i], r.extack);
		dump(&self->s, &self->seen, table_cmds[i], -1, devnull, 0, &r);
		EXPECT_EQ(EINVAL, r.error) TH_LOG("cmd %u", table_cmds[i]);
		EXPECT_EQ(0, self->seen.records);
		EXPECT_TRUE(strstr(r.extack, "netns fd") != NULL) TH_LOG("cmd %u: \"%s\"", table_cmds[i], r.extack);
	}
	close(devnull);
}

/* As uid 65534 without capabilities (a fresh socket: netlink checks its opener). */
TEST_F(netns, unprivileged_caller_refused_other_netns_and_every_netns)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_sock s;
		struct kt_reply r;
		int bad = 0;
		size_t i;

		if (setgid(65534) || setuid(65534) || kt_open(&s))
			_exit(99);
		for (i = 0; i < sizeof(table_cmds); i++) {
			dump(&s, &self->seen, table_cmds[i], -1, self->fd, 0, &r);
			bad += r.error != EPERM || self->seen.records ||
			       !strstr(r.extack, "another network namespace needs CAP_NET_ADMIN");
			if (bad)
				fprintf(stderr, "# cmd %u by fd: %d \"%s\" %d records\n", table_cmds[i],
					r.error, r.extack, self->seen.records);
			dump(&s, &self->seen, table_cmds[i], NS_ID, -1, 0, &r);
			bad += r.error != EPERM || self->seen.records;
		}
		for (i = 0; i < sizeof(table_cmds); i++) {
			dump(&s, &self->seen, table_cmds[i], -1, -1, KNETMON_REQF_ALL_NETNS, &r);
			bad += r.error != EPERM || self->seen.records || !strstr(r.extack, "every netns");
		}
		/* its own netns, by its own fd, needs nothing */
		dump(&s, &self->seen, KNETMON_CMD_GET_LINKS, -1, open("/proc/self/ns/net", O_RDONLY),
		     0, &r);
		bad += r.error != 0 || !self->seen.links_own;
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("99: setup failed; 1: a refusal was wrong");
}

TEST_F(netns, every_netns_tags_sockets_and_links_of_both_with_their_inode)
{
	struct kt_reply r;

	dump(&self->s, &self->seen, KNETMON_CMD_GET_LINKS, -1, -1, KNETMON_REQF_ALL_NETNS, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.extack);
	EXPECT_EQ(1, self->seen.links_kn1_tagged);
	EXPECT_EQ(1, self->seen.links_own_tagged);
	EXPECT_EQ(1, self->seen.links_kn1);

	dump(&self->s, &self->seen, KNETMON_CMD_GET_SOCKETS, -1, -1, KNETMON_REQF_ALL_NETNS, &r);
	ASSERT_EQ(0, r.error) TH_LOG("%s", r.extack);
	EXPECT_EQ(1, self->seen.ns_port);
	EXPECT_EQ(1, self->seen.ns_port_tagged);
	EXPECT_EQ(1, self->seen.own_port);
	EXPECT_EQ(1, self->seen.own_port_tagged);

	/* every netns and one netns at once: a contradiction */
	dump(&self->s, &self->seen, KNETMON_CMD_GET_SOCKETS, -1, self->fd, KNETMON_REQF_ALL_NETNS, &r);
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, self->seen.records);
}

TEST_HARNESS_MAIN
