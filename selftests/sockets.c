// SPDX-License-Identifier: GPL-2.0
/*
 * GET_SOCKETS shows exactly the sockets the kernel shows in /proc/net,
 * with the queues the test filled, the owners ss finds, and the CLI's
 * netstat prints the same thing. Each test builds its own zoo: TCP
 * listeners, established pairs and a TIME_WAIT over v4 and v6, UDP and raw
 * sockets of both families, and unix sockets of every type and name kind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/sockios.h>
#include <linux/tcp.h>		/* tcp_info with the byte counts glibc's lacks */

#include "sockets_lib.h"
#include "kt_harness.h"

#define ZOO_MAX 64

struct zoo {
	int fd[ZOO_MAX];
	int n;
	int tcp_listen4, tcp_listen6, tcp_cli4, tcp_srv4, tcp_cli6, tcp_srv6;
	uint16_t listen4_port, tw_port;
	int udp4, udp4c, udp6, raw4, raw6;
	int ux_listen, ux_cli, ux_srv, ux_dgram, ux_pair[2], ux_dpair[2], ux_spair[2];
	char ux_path[108];
};

static int zoo_keep(struct zoo *z, int fd)
{
	/* not inherited by the shells and tools the tests popen() */
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fd >= 0 && z->n < ZOO_MAX)
		z->fd[z->n++] = fd;
	return fd;
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int tcp_listener(int family, int backlog)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, family == AF_INET ? (void *)&a4 : (void *)&a6,
			   family == AF_INET ? sizeof(a4) : sizeof(a6)) || listen(fd, backlog))
		return -1;
	return fd;
}

static int tcp_connect(int family, uint16_t port)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, family == AF_INET ? (void *)&a4 : (void *)&a6,
			      family == AF_INET ? sizeof(a4) : sizeof(a6)))
		return -1;
	return fd;
}

static int udp_bound(int family)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, family == AF_INET ? (void *)&a4 : (void *)&a6,
			   family == AF_INET ? sizeof(a4) : sizeof(a6)))
		return -1;
	return fd;
}

static bool proc_has_state(const char *file, uint16_t port, unsigned int state)
{
	char line[512];
	unsigned int lp, st;
	bool found = false;
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*[0-9A-F]:%X %*[0-9A-F]:%*X %X", &lp, &st) == 2 &&
		    lp == port && st == state)
			found = true;
	if (f)
		fclose(f);
	return found;
}

/* Retry COND for up to 5 s: the kernel moves sockets on its own time. */
#define BUSYWAIT(cond) ({						\
	int __i; bool __ok = false;					\
	for (__i = 0; __i < 500 && !(__ok = (cond)); __i++)		\
		usleep(10000);						\
	__ok; })

static int unix_sock(int type, const char *name, size_t namelen, bool listening)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	memcpy(a.sun_path, name, namelen);
	if (fd < 0 || bind(fd, (void *)&a, offsetof(struct sockaddr_un, sun_path) + namelen))
		return -1;
	if (listening && listen(fd, 4))
		return -1;
	return fd;
}

static int unix_connect(int type, const char *name, size_t namelen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	memcpy(a.sun_path, name, namelen);
	if (fd < 0 || connect(fd, (void *)&a, offsetof(struct sockaddr_un, sun_path) + namelen))
		return -1;
	return fd;
}

static int zoo_inet(struct zoo *z)
{
	int c, s;

	z->tcp_listen4 = zoo_keep(z, tcp_listener(AF_INET, 16));
	z->tcp_listen6 = zoo_keep(z, tcp_listener(AF_INET6, 16));
	if (z->tcp_listen4 < 0 || z->tcp_listen6 < 0)
		return -1;
	z->listen4_port = local_port(z->tcp_listen4);
	z->tcp_cli4 = zoo_keep(z, tcp_connect(AF_INET, z->listen4_port));
	z->tcp_srv4 = zoo_keep(z, accept(z->tcp_listen4, NULL, NULL));
	z->tcp_cli6 = zoo_keep(z, tcp_connect(AF_INET6, local_port(z->tcp_listen6)));
	z->tcp_srv6 = zoo_keep(z, accept(z->tcp_listen6, NULL, NULL));
	if (z->tcp_srv4 < 0 || z->tcp_srv6 < 0)
		return -1;

	/* the side that closes first lingers in TIME_WAIT */
	c = tcp_connect(AF_INET, z->listen4_port);
	s = accept(z->tcp_listen4, NULL, NULL);
	if (c < 0 || s < 0)
		return -1;
	z->tw_port = local_port(c);
	close(c);
	close(s);
	if (!BUSYWAIT(proc_has_state("/proc/net/tcp", z->tw_port, 6)))
		return -1;

	z->udp4 = zoo_keep(z, udp_bound(AF_INET));
	z->udp4c = zoo_keep(z, udp_bound(AF_INET));
	z->udp6 = zoo_keep(z, udp_bound(AF_INET6));
	if (z->udp4 < 0 || z->udp4c < 0 || z->udp6 < 0)
		return -1;
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(local_port(z->udp4)),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		if (connect(z->udp4c, (void *)&a, sizeof(a)))
			return -1;
	}
	z->raw4 = zoo_keep(z, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	z->raw6 = zoo_keep(z, socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	return z->raw4 < 0 || z->raw6 < 0 ? -1 : 0;
}

static int zoo_unix(struct zoo *z)
{
	char abs_name[64];
	int n;

	snprintf(z->ux_path, sizeof(z->ux_path), "/tmp/knetmon-sockets-%d.sock", getpid());
	unlink(z->ux_path);
	z->ux_listen = zoo_keep(z, unix_sock(SOCK_STREAM, z->ux_path, strlen(z->ux_path) + 1, true));
	z->ux_cli = zoo_keep(z, unix_connect(SOCK_STREAM, z->ux_path, strlen(z->ux_path) + 1));
	z->ux_srv = zoo_keep(z, accept(z->ux_listen, NULL, NULL));
	n = snprintf(abs_name, sizeof(abs_name), "%cknetmon-dgram-%d", '\0', getpid());
	z->ux_dgram = zoo_keep(z, unix_sock(SOCK_DGRAM, abs_name, n, false));
	n = snprintf(abs_name, sizeof(abs_name), "%cknetmon-seqpacket-%d", '\0', getpid());
	zoo_keep(z, unix_sock(SOCK_SEQPACKET, abs_name, n, true));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, z->ux_pair) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, z->ux_dpair) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, z->ux_spair))
		return -1;
	zoo_keep(z, z->ux_pair[0]);
	zoo_keep(z, z->ux_pair[1]);
	zoo_keep(z, z->ux_dpair[0]);
	zoo_keep(z, z->ux_dpair[1]);
	zoo_keep(z, z->ux_spair[0]);
	zoo_keep(z, z->ux_spair[1]);
	return z->ux_srv < 0 || z->ux_dgram < 0 ? -1 : 0;
}

FIXTURE(sockets) {
	struct kt_sock s;
	struct zoo z;
	struct sdump d;
};

FIXTURE_SETUP(sockets)
{
	memset(&self->z, 0, sizeof(self->z));
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
	ASSERT_EQ(0, zoo_inet(&self->z)) TH_LOG("building the inet sockets failed: %s",
						 strerror(errno));
	ASSERT_EQ(0, zoo_unix(&self->z)) TH_LOG("building the unix sockets failed: %s",
						 strerror(errno));
}

FIXTURE_TEARDOWN(sockets)
{
	int i;

	for (i = 0; i < self->z.n; i++)
		close(self->z.fd[i]);
	unlink(self->z.ux_path);
	free(self->d.v);
	kt_close(&self->s);
}

/*
 * The dump against /proc read just before and just after it: whatever
 * /proc showed both times must be in the dump, and the dump may show
 * nothing /proc never showed.
 */
static int compare_with_proc(struct __test_metadata *_metadata, struct kt_sock *s,
			     bool want_unix, struct sdump *d, uint32_t flags)
{
	struct kset p1 = { 0 }, p2 = { 0 }, dk = { 0 };
	const struct sreq q = { .flags = flags };
	const char *dup = NULL;
	int i, missing = 0, invented = 0, dups;

	want_unix ? proc_unix_keys(&p1) : proc_inet_keys(&p1);
	if (sr_dump(s, &q, d) || d->error)
		return -1;
	want_unix ? proc_unix_keys(&p2) : proc_inet_keys(&p2);
	sdump_keys(d, &dk, want_unix);

	for (i = 0; i < p1.n; i++)
		if (kset_has(&p2, p1.v[i]) && !kset_has(&dk, p1.v[i]) && missing++ < 5)
			TH_LOG("in /proc, not in the dump: %s", p1.v[i]);
	for (i = 0; i < dk.n; i++)
		if (!kset_has(&p1, dk.v[i]) && !kset_has(&p2, dk.v[i]) && invented++ < 5)
			TH_LOG("in the dump, never in /proc: %s", dk.v[i]);
	dups = kset_dups(&dk, &dup);
	if (dups)
		TH_LOG("%d duplicates in the dump, first: %s", dups, dup);
	TH_LOG("%d %s sockets compared", dk.n, want_unix ? "unix" : "inet");
	kset_free(&p1);
	kset_free(&p2);
	kset_free(&dk);
	return missing + invented + dups;
}

TEST_F(sockets, inet_dump_equals_proc_net_tcp_udp_raw_v4_v6)
{
	const char *kinds[] = { "tcp", "tcp6", "udp", "udp6", "raw", "raw6" };
	int seen[6] = { 0 }, i, k, tw = 0;

	ASSERT_EQ(0, compare_with_proc(_metadata, &self->s, false, &self->d, 0));
	/* the zoo itself is in there: every kind, the listener, the TIME_WAIT */
	for (i = 0; i < self->d.n; i++) {
		const struct srec *r = &self->d.v[i];

		for (k = 0; k < 6; k++)
			seen[k] += r->family != AF_UNIX && !strcmp(sr_proto(r), kinds[k]);
		tw += r->state == 6 && r->lport == self->z.tw_port;
	}
	for (k = 0; k < 6; k++) {
		const char *kind = kinds[k];

		EXPECT_LT(0, seen[k]) TH_LOG("no %s socket in the dump", kind);
	}
	EXPECT_EQ(1, tw) TH_LOG("TIME_WAIT from port %u not dumped once", self->z.tw_port);
}

TEST_F(sockets, unix_dump_equals_proc_net_unix_with_peers)
{
	int i, a, b;

	ASSERT_EQ(0, compare_with_proc(_metadata, &self->s, true, &self->d, 0));
	/* each socketpair end names the other as its peer */
	for (i = 0; i < 2; i++) {
		int *pair = i ? self->z.ux_spair : self->z.ux_pair;

		a = sdump_find(&self->d, fd_inode(pair[0]));
		b = sdump_find(&self->d, fd_inode(pair[1]));
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		EXPECT_EQ(self->d.v[a].peer, self->d.v[b].inode);
		EXPECT_EQ(self->d.v[b].peer, self->d.v[a].inode);
	}
	a = sdump_find(&self->d, fd_inode(self->z.ux_listen));
	ASSERT_LE(0, a);
	EXPECT_STREQ(self->z.ux_path, self->d.v[a].path);
	EXPECT_EQ(10u, self->d.v[a].state);
}

#define A(x) (1ULL << KNETMON_A_SOCK_##x)
/* What a brief record leaves out, and what it must still carry. */
static const uint64_t brief_left_out = A(UID) | A(NETNS) | A(IFINDEX) | A(RMEM_ALLOC) |
	A(RCVBUF) | A(WMEM_QUEUED) | A(SNDBUF) | A(DROPS) | A(RETRANSMITS) | A(TIMER) |
	A(TIMER_MS);
static const uint64_t brief_kept = A(FAMILY) | A(TYPE) | A(PROTOCOL) | A(STATE) |
	A(RQUEUE) | A(WQUEUE) | A(INODE);
#undef A

/* Records of D that carry any of MASK (ALL: that lack any of it). */
static int records_with(const struct sdump *d, uint64_t mask, bool all)
{
	int i, n = 0;

	for (i = 0; i < d->n; i++)
		n += all ? (d->v[i].attrs & mask) != mask : !!(d->v[i].attrs & mask);
	return n;
}

TEST_F(sockets, brief_dump_lists_the_same_sockets_without_ids_memory_or_timers)
{
	int full_with_extras;

	/* the full dump carries them: else the check below proves nothing */
	ASSERT_EQ(0, compare_with_proc(_metadata, &self->s, false, &self->d, 0));
	full_with_extras = records_with(&self->d, brief_left_out, false);
	EXPECT_EQ(self->d.n, full_with_extras);
	free(self->d.v);
	ASSERT_EQ(0, compare_with_proc(_metadata, &self->s, false, &self->d, KNETMON_REQF_BRIEF));
	EXPECT_LT(0, self->d.n);
	EXPECT_EQ(0, records_with(&self->d, brief_left_out, false))
		TH_LOG("a brief inet record carries a left-out attribute");
	EXPECT_EQ(0, records_with(&self->d, brief_kept, true))
		TH_LOG("a brief inet record lacks kind, queues or inode");
	free(self->d.v);
	ASSERT_EQ(0, compare_with_proc(_metadata, &self->s, true, &self->d, KNETMON_REQF_BRIEF));
	EXPECT_EQ(0, records_with(&self->d, brief_left_out, false))
		TH_LOG("a brief unix record carries a left-out attribute");
}

static unsigned int proc_rx_queue(uint64_t ino, const char *file)
{
	char line[512];
	unsigned int tx, rx, found = ~0u;
	unsigned long long i;
	FILE *f = fopen(file, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*s %*s %*X %X:%X %*X:%*X %*X %*u %*d %llu", &tx, &rx, &i) == 3 &&
		    i == ino)
			found = rx;
	if (f)
		fclose(f);
	return found;
}

TEST_F(sockets, queues_equal_what_was_written_and_not_read)
{
	static char data[3000];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint64_t srv = fd_inode(self->z.tcp_srv4), udp = fd_inode(self->z.udp4);
	uint64_t upeer = fd_inode(self->z.ux_pair[1]);
	int c1, c2, i, inq = -1;
	unsigned int backlog_port;

	ASSERT_EQ(1000, write(self->z.tcp_cli4, data, 1000));
	to.sin_port = htons(local_port(self->z.udp4));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(100, sendto(self->z.udp4c, data, 100, 0, (void *)&to, sizeof(to)));
	ASSERT_EQ(500, write(self->z.ux_pair[0], data, 500));
	/* two connections nobody accepts, on a listener of backlog 7 */
	i = tcp_listener(AF_INET, 7);
	ASSERT_LE(0, i);
	zoo_keep(&self->z, i);
	backlog_port = local_port(i);
	c1 = zoo_keep(&self->z, tcp_connect(AF_INET, backlog_port));
	c2 = zoo_keep(&self->z, tcp_connect(AF_INET, backlog_port));
	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	ASSERT_TRUE(BUSYWAIT(proc_rx_queue(srv, "/proc/net/tcp") == 1000));

	ASSERT_EQ(0, sr_dump(&self->s, NULL, &self->d));
	ASSERT_EQ(0, self->d.error);
	i = sdump_find(&self->d, srv);
	ASSERT_LE(0, i);
	EXPECT_EQ(1000u, self->d.v[i].rq);
	i = sdump_find(&self->d, fd_inode(self->z.tcp_cli4));
	ASSERT_LE(0, i);
	EXPECT_EQ(0u, self->d.v[i].wq) TH_LOG("loopback data is acknowledged at once");
	i = sdump_find(&self->d, udp);
	ASSERT_LE(0, i);
	EXPECT_EQ(proc_rx_queue(udp, "/proc/net/udp"), self->d.v[i].rq);
	EXPECT_LT(300u, self->d.v[i].rq) TH_LOG("three 100-byte datagrams queued");
	i = sdump_find(&self->d, upeer);
	ASSERT_LE(0, i);
	ASSERT_EQ(0, ioctl(self->z.ux_pair[1], SIOCINQ, &inq));
	EXPECT_EQ(500u, self->d.v[i].rq);
	EXPECT_EQ(inq, (int)self->d.v[i].rq);
	for (i = 0; i < self->d.n; i++)
		if (self->d.v[i].state == 10 && self->d.v[i].lport == backlog_port &&
		    self->d.v[i].family == AF_INET)
			break;
	ASSERT_LT(i, self->d.n) TH_LOG("listener on %u not dumped", backlog_port);
	EXPECT_EQ(2u, self->d.v[i].rq) TH_LOG("accept queue");
	EXPECT_EQ(7u, self->d.v[i].wq) TH_LOG("accept queue limit");
}

/* Whether FD's record in D has the counters TCP_INFO gives for FD now. */
static bool life_equals_tcp_info(struct __test_metadata *_metadata, const struct sdump *d,
				 int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	const struct srec *r;
	int i = sdump_find(d, fd_inode(fd));

	if (i < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return false;
	r = &d->v[i];
	TH_LOG("fd %d: acked %llu/%llu received %llu/%llu segs %u/%u in %u/%u", fd,
	       (unsigned long long)r->bytes_acked, (unsigned long long)ti.tcpi_bytes_acked,
	       (unsigned long long)r->bytes_received, (unsigned long long)ti.tcpi_bytes_received,
	       r->segs_out, ti.tcpi_segs_out, r->segs_in, ti.tcpi_segs_in);
	return r->bytes_acked == ti.tcpi_bytes_acked &&
	       r->bytes_received == ti.tcpi_bytes_received && r->segs_out == ti.tcpi_segs_out &&
	       r->segs_in == ti.tcpi_segs_in && r->total_retrans == ti.tcpi_total_retrans;
}

/*
 * KNETMON_REQF_TCP_INFO: each connection carries the counters TCP_INFO
 * gives for it (read at rest, after the data is acknowledged); listeners
 * and requests without the flag carry none. Read under the socket's lock:
 * on a 32-bit target a torn 64-bit count would show here.
 */
TEST_F(sockets, tcp_info_flag_gives_each_connection_the_counters_tcp_info_reports)
{
	struct sreq q = { .protocol = IPPROTO_TCP, .flags = KNETMON_REQF_TCP_INFO };
	static char data[5000];
	uint64_t life = 1ULL << KNETMON_A_SOCK_BYTES_ACKED;
	int i, n;

	ASSERT_EQ((ssize_t)sizeof(data), write(self->z.tcp_cli4, data, sizeof(data)));
	for (n = 0; n < (int)sizeof(data); n += i) {
		i = read(self->z.tcp_srv4, data, sizeof(data) - n);
		ASSERT_LT(0, i);
	}
	ASSERT_EQ(1000, write(self->z.tcp_srv6, data, 1000));
	usleep(100000);		/* the last ACKs */
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
	EXPECT_TRUE(life_equals_tcp_info(_metadata, &self->d, self->z.tcp_cli4));
	EXPECT_TRUE(life_equals_tcp_info(_metadata, &self->d, self->z.tcp_srv4));
	EXPECT_TRUE(life_equals_tcp_info(_metadata, &self->d, self->z.tcp_srv6));
	EXPECT_TRUE(life_equals_tcp_info(_metadata, &self->d, self->z.tcp_cli6));
	i = sdump_find(&self->d, fd_inode(self->z.tcp_cli4));
	ASSERT_LE(0, i);
	EXPECT_EQ((uint64_t)sizeof(data) + 1, self->d.v[i].bytes_acked) TH_LOG("the data and the SYN");
	i = sdump_find(&self->d, fd_inode(self->z.tcp_listen4));
	ASSERT_LE(0, i);
	EXPECT_EQ(0ull, self->d.v[i].attrs & life) TH_LOG("a listener has no connection counters");
	free(self->d.v);	/* sr_dump() starts afresh */
	ASSERT_EQ(0, sr_dump(&self->s, NULL, &self->d));
	i = sdump_find(&self->d, fd_inode(self->z.tcp_cli4));
	ASSERT_LE(0, i);
	EXPECT_EQ(0ull, self->d.v[i].attrs & life) TH_LOG("counters sent without the flag");
}

/*
 * socket(AF_INET, SOCK_RAW, IPPROTO_UDP) lives in the raw table with
 * sk_protocol 17: a raw_sock, smaller than a udp_sock. Its receive queue
 * must be read as a raw socket's (what /proc/net/raw shows); read as UDP,
 * the dump reads past the socket's end (KASAN shows it on a debug kernel).
 */
TEST_F(sockets, raw_socket_of_protocol_udp_is_dumped_as_raw_with_proc_net_raw_queue)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int raw = zoo_keep(&self->z, socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
	int raw6 = zoo_keep(&self->z, socket(AF_INET6, SOCK_RAW, IPPROTO_UDP));
	static char data[200];
	unsigned int proc = ~0u;
	int i;

	ASSERT_LE(0, raw);
	ASSERT_LE(0, raw6);
	to.sin_port = htons(local_port(self->z.udp4));
	/* every UDP datagram received is also queued on the raw socket */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(200, sendto(self->z.udp4c, data, 200, 0, (void *)&to, sizeof(to)));
	ASSERT_TRUE(BUSYWAIT((proc = proc_rx_queue(fd_inode(raw), "/proc/net/raw")) != ~0u &&
			     proc > 0));

	ASSERT_EQ(0, sr_dump(&self->s, NULL, &self->d));
	ASSERT_EQ(0, self->d.error);
	i = sdump_find(&self->d, fd_inode(raw));
	ASSERT_LE(0, i);
	EXPECT_EQ(SOCK_RAW, self->d.v[i].type);
	EXPECT_EQ(IPPROTO_UDP, self->d.v[i].proto);
	EXPECT_EQ(proc_rx_queue(fd_inode(raw), "/proc/net/raw"), self->d.v[i].rq);
	i = sdump_find(&self->d, fd_inode(raw6));
	ASSERT_LE(0, i);
	EXPECT_EQ(SOCK_RAW, self->d.v[i].type);
	EXPECT_EQ(proc_rx_queue(fd_inode(raw6), "/proc/net/raw6"), self->d.v[i].rq);
}

/* Owner pids per inode from one run of `ss -tuwxanp` (inet: ino:N, unix: 6th column). */
struct ss_entry {
	unsigned long long ino;
	int n;
	uint32_t pids[SR_MAX_OWNERS];
};

static int ss_read(struct ss_entry **out)
{
	char line[4096], *p;
	struct ss_entry *v = NULL;
	int n = 0, cap = 0;
	FILE *f = popen("ss -tuwxanpeH 2>/dev/null", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char c1[32], c2[32], c3[32], c4[32], c5[256];
		unsigned long long i;

		if ((p = strstr(line, " ino:")))
			i = strtoull(p + 5, NULL, 10);
		else if (sscanf(line, "%31s %31s %31s %31s %255s %llu", c1, c2, c3, c4, c5, &i) != 6 ||
			 strncmp(c1, "u_", 2))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n].ino = i;
		v[n].n = 0;
		for (p = line; (p = strstr(p, "pid=")) && v[n].n < SR_MAX_OWNERS; p += 4)
			v[n].pids[v[n].n++] = strtoul(p + 4, NULL, 10);
		n++;
	}
	if (f)
		pclose(f);
	*out = v;
	return n;
}

static int ss_owners(const struct ss_entry *v, int n, uint64_t ino, uint32_t *pids)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].ino == ino) {
			memcpy(pids, v[i].pids, v[i].n * sizeof(*pids));
			return v[i].n;
		}
	return -1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Distinct pids of an array, sorted, as a string "1,2,3". */
static void pid_set(uint32_t *p, int n, char *out, size_t len)
{
	int i, o = 0;

	qsort(p, n, sizeof(*p), cmp_u32);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (i == 0 || p[i] != p[i - 1])
			o += snprintf(out + o, len - o, "%s%u", o ? "," : "", p[i]);
}

/*
 * One socket under descriptors far apart in a table grown past them: the
 * walk skips closed slots by the open-descriptor bitmap (owners.c), and
 * must land on each open one, across words and at a word's last bit.
 */
/* How often record R names descriptor FD of this process. */
static int own_fd_listed(const struct srec *r, int fd)
{
	int i, n = 0;

	for (i = 0; i < r->nowners && i < SR_MAX_OWNERS; i++)
		n += r->pids[i] == (uint32_t)getpid() && r->fds[i] == (uint32_t)fd;
	return n;
}

TEST_F(sockets, owner_descriptors_far_apart_in_a_large_table_are_each_listed)
{
	/* the listener's own descriptor comes first, from socket() */
	int fds[6] = { -1, 127, 128, 130, 4095, 9000 };
	struct rlimit rl = { 16384, 16384 };
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	const struct srec *r;
	int k, j;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	fds[0] = tcp_listener(AF_INET, 4);
	ASSERT_LE(0, fds[0]);
	/* grow the table to 16,384 slots, then close the descriptor that did */
	ASSERT_EQ(16000, dup2(fds[0], 16000));
	for (k = 1; k < 6; k++)
		ASSERT_EQ(fds[k], dup2(fds[0], fds[k]));
	close(16000);
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
	j = sdump_find(&self->d, fd_inode(fds[0]));
	ASSERT_LE(0, j);
	r = &self->d.v[j];
	EXPECT_EQ(6, r->nowners);
	EXPECT_EQ(0, own_fd_listed(r, 16000)) TH_LOG("a closed descriptor listed");
	for (k = 0; k < 6; k++) {
		int fd = fds[k], n = own_fd_listed(r, fd);

		EXPECT_EQ(1, n) TH_LOG("descriptor %d listed %d times", fd, n);
	}
	for (k = 5; k >= 0; k--)
		close(fds[k]);
}

TEST_F(sockets, owners_equal_ss_and_include_this_process)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	char mine[512], theirs[512];
	uint32_t pids[SR_MAX_OWNERS];
	int i, j, n, compared = 0, differ = 0, nss;
	struct ss_entry *ss;

	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
	for (i = 0; i < self->z.n; i++) {
		j = sdump_find(&self->d, fd_inode(self->z.fd[i]));
		ASSERT_LE(0, j) TH_LOG("zoo fd %d not dumped", self->z.fd[i]);
		snprintf(theirs, sizeof(theirs), "%d", getpid());
		memcpy(pids, self->d.v[j].pids, sizeof(pids));
		pid_set(pids, self->d.v[j].nowners, mine, sizeof(mine));
		EXPECT_STREQ(theirs, mine) TH_LOG("fd %d: owners %s", self->z.fd[i], mine);
	}
	/* every socket of the machine: the pid sets ss finds by scanning /proc */
	nss = ss_read(&ss);
	for (i = 0; i < self->d.n; i++) {
		const struct srec *r = &self->d.v[i];

		if (!r->inode)
			continue;
		n = ss_owners(ss, nss, r->inode, pids);
		if (n < 0)
			continue;	/* gone before ss looked */
		pid_set(pids, n, theirs, sizeof(theirs));
		memcpy(pids, r->pids, sizeof(pids));
		pid_set(pids, r->nowners, mine, sizeof(mine));
		compared++;
		if (strcmp(mine, theirs) && differ++ < 5)
			TH_LOG("inode %llu: knetmon \"%s\", ss \"%s\"", (unsigned long long)r->inode,
			       mine, theirs);
	}
	free(ss);
	EXPECT_EQ(0, differ);
	EXPECT_LE(15, compared);
}

TEST_F(sockets, socket_shared_across_fork_lists_both_processes)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	int go[2], i, k, found = 0;
	uint64_t ino = fd_inode(self->z.udp4);
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* hold the socket under another descriptor number too */
		dup2(self->z.udp4, 200);
		close(go[0]);
		write(go[1], "r", 1);
		pause();
		_exit(0);
	}
	close(go[1]);
	ASSERT_EQ(1, read(go[0], &c, 1));
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	i = sdump_find(&self->d, ino);
	ASSERT_LE(0, i);
	/* parent: its fd; child: inherited fd and fd 200 */
	EXPECT_EQ(3, self->d.v[i].nowners);
	for (k = 0; k < self->d.v[i].nowners && k < SR_MAX_OWNERS; k++) {
		if (self->d.v[i].pids[k] == (uint32_t)getpid() &&
		    self->d.v[i].fds[k] == (uint32_t)self->z.udp4)
			found |= 1;
		if (self->d.v[i].pids[k] == (uint32_t)child && self->d.v[i].fds[k] == 200)
			found |= 2;
	}
	EXPECT_EQ(3, found) TH_LOG("parent (bit 1) and child fd 200 (bit 2)");
}

TEST_F(sockets, socket_held_by_300_processes_lists_256_and_counts_all)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	pid_t kids[300];
	int go[2], i, n;
	char c;

	ASSERT_EQ(0, pipe(go));
	for (n = 0; n < 300; n++) {
		kids[n] = fork();
		ASSERT_LE(0, kids[n]);
		if (kids[n] == 0) {
			write(go[1], "r", 1);
			pause();
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, read(go[0], &c, 1));
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	for (i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
	i = sdump_find(&self->d, fd_inode(self->z.tcp_listen4));
	ASSERT_LE(0, i);
	EXPECT_EQ(301u, self->d.v[i].owners_total) TH_LOG("this process and 300 children");
	EXPECT_EQ(256, self->d.v[i].nowners);
}

static void *park(void *arg)
{
	pause();
	return arg;
}

TEST_F(sockets, threads_sharing_a_file_table_are_counted_once)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	pthread_t t[3];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, park, NULL));
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	i = sdump_find(&self->d, fd_inode(self->z.tcp_listen4));
	ASSERT_LE(0, i);
	EXPECT_EQ(1, self->d.v[i].nowners) TH_LOG("4 threads, one file table, one process");
	EXPECT_EQ((uint32_t)getpid(), self->d.v[i].pids[0]);
}

/* The thread group's leader exits first; a thread keeps the file table. */
static void *hold_and_report(void *arg)
{
	int *go = arg;

	write(go[1], "r", 1);
	pause();
	return NULL;
}

TEST_F(sockets, owner_found_after_the_thread_group_leader_exited)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	uint64_t ino = fd_inode(self->z.udp6);
	int go[2], i;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pthread_t t;

		pthread_create(&t, NULL, hold_and_report, go);
		pthread_exit(NULL);	/* the leader becomes a zombie, the process lives */
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	/* wait until the leader is a zombie: its state in /proc is Z */
	ASSERT_TRUE(BUSYWAIT(({
		char st[64], path[64];

		snprintf(path, sizeof(path), "cat /proc/%d/stat | cut -d\" \" -f3", child);
		kt_shell_line(path, st, sizeof(st));
		st[0] == 'Z'; })));
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	i = sdump_find(&self->d, ino);
	ASSERT_LE(0, i);
	EXPECT_EQ(2, self->d.v[i].nowners) TH_LOG("this process and the child whose leader exited");
	EXPECT_TRUE(self->d.v[i].pids[0] == (uint32_t)child || self->d.v[i].pids[1] == (uint32_t)child);
}

TEST_F(sockets, unprivileged_caller_sees_owners_of_its_own_processes_only)
{
	int status, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sreq q = { .flags = KNETMON_REQF_OWNERS };
		uint64_t root_ino = fd_inode(self->z.tcp_listen4);
		struct kt_sock s;
		struct sdump d;
		int own, j;

		/* the zoo stays with the parent (root) only */
		for (j = 0; j < self->z.n; j++)
			close(self->z.fd[j]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		own = udp_bound(AF_INET);	/* unbound UDP is in no table */
		if (own < 0 || kt_open(&s) || sr_dump(&s, &q, &d) || d.error)
			_exit(11);
		j = sdump_find(&d, root_ino);
		if (j < 0)
			_exit(14);
		if (d.v[j].nowners != 0)
			_exit(12);	/* root's socket: listed, owner hidden */
		j = sdump_find(&d, fd_inode(own));
		if (j < 0 || d.v[j].nowners != 1 || d.v[j].pids[0] != (uint32_t)getpid())
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	i = WEXITSTATUS(status);
	EXPECT_EQ(0, i) TH_LOG("child: 10 setuid, 11 dump, 12 saw root's owner, 13 own owner missing, 14 root's socket missing");
}

/* A uid-65534 process holding a TCP listener; DUMPABLE as prctl sets it. */
static pid_t nobody_listener(bool dumpable, uint64_t *ino, int *release)
{
	int up[2], down[2];
	pid_t pid;

	if (pipe(up) || pipe(down))
		return -1;
	pid = fork();
	if (pid == 0) {
		uint64_t mine = 0;
		char c;
		int l;

		close(up[0]);
		close(down[1]);
		if (!setgroups(0, NULL) && !setgid(65534) && !setuid(65534) &&
		    !prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0)) {
			l = tcp_listener(AF_INET, 1);
			if (l >= 0)
				mine = fd_inode(l);
		}
		if (write(up[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(1);
		read(down[0], &c, 1);	/* until the parent closes it */
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], ino, sizeof(*ino)) != sizeof(*ino) || !*ino) {
		close(up[0]);
		close(down[1]);
		return -1;
	}
	close(up[0]);
	*release = down[1];
	return pid;
}

/*
 * Owners are named where /proc/PID/fd is readable to the caller: another
 * uid-65534 process is named when dumpable and hidden when it is not,
 * which is what `ss -p` run by the same user can see.
 */
TEST_F(sockets, unprivileged_caller_sees_owners_only_where_proc_pid_fd_is_readable)
{
	uint64_t hidden_ino, shown_ino;
	int rel_hidden, rel_shown, status, i;
	pid_t hidden, shown, pid;

	hidden = nobody_listener(false, &hidden_ino, &rel_hidden);
	ASSERT_LT(0, hidden);
	shown = nobody_listener(true, &shown_ino, &rel_shown);
	ASSERT_LT(0, shown);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sreq q = { .flags = KNETMON_REQF_OWNERS };
		char path[64];
		struct kt_sock s;
		struct sdump d;
		DIR *dir;
		int j;

		for (j = 0; j < self->z.n; j++)
			close(self->z.fd[j]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		/* the ground truth: what /proc lets this user read */
		snprintf(path, sizeof(path), "/proc/%d/fd", hidden);
		dir = opendir(path);
		if (dir || errno != EACCES)
			_exit(15);
		snprintf(path, sizeof(path), "/proc/%d/fd", shown);
		dir = opendir(path);
		if (!dir)
			_exit(16);
		closedir(dir);
		if (kt_open(&s) || sr_dump(&s, &q, &d) || d.error)
			_exit(11);
		j = sdump_find(&d, hidden_ino);
		if (j < 0)
			_exit(14);
		if (d.v[j].nowners != 0)
			_exit(12);
		j = sdump_find(&d, shown_ino);
		if (j < 0 || d.v[j].nowners != 1 || d.v[j].pids[0] != (uint32_t)shown)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(rel_hidden);
	close(rel_shown);
	waitpid(hidden, NULL, 0);
	waitpid(shown, NULL, 0);
	ASSERT_TRUE(WIFEXITED(status));
	i = WEXITSTATUS(status);
	EXPECT_EQ(0, i) TH_LOG("child: 10 setuid, 11 dump, 12 named the non-dumpable owner, 13 dumpable owner not named, 14 listener missing, 15 /proc/PID/fd of the non-dumpable one readable, 16 of the dumpable one not");
}

TEST_F(sockets, filters_select_family_protocol_state_and_port)
{
	struct sreq q = { .family = AF_INET6, .protocol = IPPROTO_TCP };
	int i, bad = 0, found = 0;

	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	for (i = 0; i < self->d.n; i++)
		bad += self->d.v[i].family != AF_INET6 || self->d.v[i].type != SOCK_STREAM;
	EXPECT_EQ(0, bad);
	EXPECT_LE(3, self->d.n) TH_LOG("v6 listener and pair");
	free(self->d.v);

	q = (struct sreq){ .states = 1u << 10, .port = self->z.listen4_port };
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	for (i = 0; i < self->d.n; i++) {
		bad += self->d.v[i].state != 10 || self->d.v[i].lport != self->z.listen4_port;
		found += self->d.v[i].inode == fd_inode(self->z.tcp_listen4);
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(1, found);
	free(self->d.v);

	q = (struct sreq){ .family = AF_UNIX };
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	for (i = 0; i < self->d.n; i++)
		bad += self->d.v[i].family != AF_UNIX;
	EXPECT_EQ(0, bad);
	EXPECT_LE(10, self->d.n);
	free(self->d.v);

	q = (struct sreq){ .protocol = IPPROTO_RAW };
	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	for (i = 0; i < self->d.n; i++)
		bad += self->d.v[i].type != SOCK_RAW;
	EXPECT_EQ(0, bad);
	EXPECT_LE(2, self->d.n);
}

TEST_F(sockets, bad_filters_rejected_with_extack)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct nlattr *bad;
	struct kt_reply r;

	nlh = kt_req(&self->s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, 99);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	/* outside the policy's range: refused by the core, naming the attribute */
	EXPECT_EQ(ERANGE, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "range") != NULL) TH_LOG("extack: \"%s\"", r.extack);
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);

	nlh = kt_req(&self->s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, KNETMON_REQ_PROTOCOL, IPPROTO_IGMP);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(ERANGE, r.error);
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);

	/* inside the policy's range but no table: refused by the dump, with a reason */
	nlh = kt_req(&self->s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, KNETMON_REQ_PROTOCOL, IPPROTO_SCTP);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "protocol") != NULL) TH_LOG("extack: \"%s\"", r.extack);

	nlh = kt_req(&self->s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, AF_AX25);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_TRUE(strstr(r.extack, "family") != NULL) TH_LOG("extack: \"%s\"", r.extack);

	/* every netns and one netns at once: a contradiction, refused */
	nlh = kt_req(&self->s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, KNETMON_REQ_FLAGS, KNETMON_REQF_ALL_NETNS);
	mnl_attr_put_u32(nlh, KNETMON_REQ_NETNS_ID, 0);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "exclude") != NULL) TH_LOG("extack: \"%s\"", r.extack);
}

static const char *netstat_state(const struct srec *r, char *num)
{
	static const char *const tcp[] = { "", "ESTABLISHED", "SYN_SENT", "SYN_RECV",
		"FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING" };

	if (r->family == AF_UNIX)
		return r->state == 10 ? "LISTENING" : r->state == 1 && r->type != SOCK_DGRAM ?
		       "CONNECTED" : "";
	if (r->type == SOCK_STREAM)
		return r->state < 12 ? tcp[r->state] : "UNKNOWN";
	if (r->proto == IPPROTO_UDP)
		return r->state == 1 ? "ESTABLISHED" : "";
	sprintf(num, "%u", r->state);
	return num;
}

/* The fields the JSON documents, as one line per socket. */
static void json_keys_of_dump(const struct sdump *d, struct kset *s)
{
	char k[512], la[64], ra[64], num[8];
	int i;

	for (i = 0; i < d->n; i++) {
		const struct srec *r = &d->v[i];

		if (r->family == AF_UNIX) {
			snprintf(k, sizeof(k), "unix|%s|%llu|%u|%u|%s|%s",
				 r->type == SOCK_STREAM ? "stream" : r->type == SOCK_DGRAM ? "dgram" :
				 "seqpacket", (unsigned long long)r->inode, r->rq, r->wq,
				 netstat_state(r, num), r->path);
		} else {
			inet_ntop(r->family, r->laddr, la, sizeof(la));
			inet_ntop(r->family, r->raddr, ra, sizeof(ra));
			snprintf(k, sizeof(k), "%s|%s|%u|%s|%u|%s|%llu|%u|%u", sr_proto(r), la,
				 r->lport, ra, r->rport, netstat_state(r, num),
				 (unsigned long long)r->inode, r->rq, r->wq);
		}
		kset_add(s, k);
	}
	kset_sort(s);
}

TEST_F(sockets, netstat_json_equals_decoded_dump)
{
	KT_NEED("python3");
	char cmd[2048], line[1024];
	struct kset d1 = { 0 }, d2 = { 0 }, cli = { 0 };
	struct sdump other;
	int i, missing = 0, invented = 0;
	FILE *f;

	ASSERT_EQ(0, sr_dump(&self->s, NULL, &self->d));
	snprintf(cmd, sizeof(cmd),
		 "%s netstat -a -j | python3 -c '\n"
		 "import json, sys\n"
		 "for s in json.load(sys.stdin):\n"
		 "    if s[\"proto\"] == \"unix\":\n"
		 "        print(\"unix|%%s|%%d|%%d|%%d|%%s|%%s\" %% (s[\"type\"], s[\"inode\"], s[\"recv_q\"], s[\"send_q\"], s[\"state\"], s[\"path\"]))\n"
		 "    else:\n"
		 "        print(\"%%s|%%s|%%d|%%s|%%d|%%s|%%d|%%d|%%d\" %% (s[\"proto\"], s[\"local_address\"], s[\"local_port\"], s[\"remote_address\"], s[\"remote_port\"], s[\"state\"], s[\"inode\"], s[\"recv_q\"], s[\"send_q\"]))'",
		 getenv("KNETMON") ? getenv("KNETMON") : "build/knetmon");
	f = popen(cmd, "r");
	ASSERT_TRUE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		kset_add(&cli, line);
	}
	ASSERT_EQ(0, pclose(f)) TH_LOG("CLI or JSON parse failed");
	kset_sort(&cli);
	ASSERT_EQ(0, sr_dump(&self->s, NULL, &other));
	json_keys_of_dump(&self->d, &d1);
	json_keys_of_dump(&other, &d2);
	free(other.v);

	for (i = 0; i < d1.n; i++)
		if (kset_has(&d2, d1.v[i]) && !kset_has(&cli, d1.v[i]) && missing++ < 5)
			TH_LOG("dumped, not in netstat -j: %s", d1.v[i]);
	for (i = 0; i < cli.n; i++)
		if (!kset_has(&d1, cli.v[i]) && !kset_has(&d2, cli.v[i]) && invented++ < 5)
			TH_LOG("in netstat -j, never dumped: %s", cli.v[i]);
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, invented);
	EXPECT_LT(20, cli.n);
	kset_free(&d1);
	kset_free(&d2);
	kset_free(&cli);
}

/* Proto, Local Address, Foreign Address, State of each TCP line, sorted. */
static void tcp_columns(const char *cmd, struct kset *s)
{
	char line[1024], proto[16], local[128], remote[128], state[32];
	FILE *f = popen(cmd, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s %*s %*s %127s %127s %31s", proto, local, remote, state) != 4 ||
		    strncmp(proto, "tcp", 3))
			continue;
		snprintf(line, sizeof(line), "%s %s %s %s", proto, local, remote, state);
		kset_add(s, line);
	}
	if (f)
		pclose(f);
	kset_sort(s);
}

TEST_F(sockets, netstat_text_columns_match_net_tools)
{
	struct kset theirs = { 0 }, mine = { 0 };
	char cmd[512];
	int i, differ = 0;

	/* busybox's netstat (a device's) prints other columns */
	if (system("netstat --version 2>&1 | grep -q net-tools"))
		SKIP(return, "net-tools netstat is not installed");
	tcp_columns("netstat -tanW 2>/dev/null", &theirs);
	snprintf(cmd, sizeof(cmd), "%s netstat -tan", getenv("KNETMON") ?: "build/knetmon");
	tcp_columns(cmd, &mine);
	EXPECT_EQ(theirs.n, mine.n);
	for (i = 0; i < theirs.n; i++)
		if (!kset_has(&mine, theirs.v[i]) && differ++ < 5)
			TH_LOG("netstat has \"%s\", knetmon not", theirs.v[i]);
	EXPECT_EQ(0, differ);
	EXPECT_LE(5, mine.n);
	kset_free(&theirs);
	kset_free(&mine);
}

TEST_HARNESS_MAIN
