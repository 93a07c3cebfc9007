// SPDX-License-Identifier: GPL-2.0
/*
 * GET_SOCKETS at scale: 20,000 sockets (TCP pairs v4 and v6, UDP v4 and v6,
 * unix pairs) come back once each across many skbs, also while another
 * process opens and closes sockets as fast as it can; crowded hash buckets
 * (reuseport listeners on one port, abstract unix names that hash alike)
 * listed exactly once each while sockets come and go in the same buckets;
 * and the time of `knetmon netstat -tanp` against `ss -tanp` at that size.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "sockets_lib.h"
#include "kt_harness.h"

#define TCP4_PAIRS	8000
#define TCP6_PAIRS	1000
#define UDP4		1000
#define UDP6		500
#define UNIX_PAIRS	500
#define TOTAL		(2 * TCP4_PAIRS + 2 * TCP6_PAIRS + UDP4 + UDP6 + 2 * UNIX_PAIRS + 2)

struct pool {
	int fd[TOTAL];
	uint64_t ino[TOTAL];
	int n;
	uint16_t port4;
};

static void keep(struct pool *p, int fd)
{
	if (fd < 0 || p->n == TOTAL)
		return;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	p->fd[p->n++] = fd;
}

static int listener(int family, uint16_t *port)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(family, SOCK_STREAM, 0);

	if (family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	if (fd < 0 || bind(fd, (void *)&ss, len) || listen(fd, 4096) ||
	    getsockname(fd, (void *)&ss, &len))
		return -1;
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				       ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int connect_to(int family, uint16_t port)
{
	struct sockaddr_storage ss = { .ss_family = family };
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(family, SOCK_STREAM, 0);

	if (family == AF_INET) {
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	} else {
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	}
	if (fd >= 0 && connect(fd, (void *)&ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int udp_any(int family)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd >= 0 && bind(fd, (void *)&ss, family == AF_INET ? sizeof(struct sockaddr_in) :
						 sizeof(struct sockaddr_in6))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_pairs(struct pool *p, int family, int lfd, uint16_t port, int n)
{
	int i, c;

	for (i = 0; i < n; i++) {
		c = connect_to(family, port);
		if (c < 0)
			return -1;
		keep(p, c);
		keep(p, accept(lfd, NULL, NULL));
	}
	return 0;
}

static int pool_fill(struct pool *p)
{
	struct rlimit rl = { TOTAL + 4096, TOTAL + 4096 };
	int l4, l6, i, sv[2];
	uint16_t port6;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	l4 = listener(AF_INET, &p->port4);
	l6 = listener(AF_INET6, &port6);
	keep(p, l4);
	keep(p, l6);
	if (l4 < 0 || l6 < 0 || tcp_pairs(p, AF_INET, l4, p->port4, TCP4_PAIRS) ||
	    tcp_pairs(p, AF_INET6, l6, port6, TCP6_PAIRS))
		return -1;
	for (i = 0; i < UDP4; i++)
		keep(p, udp_any(AF_INET));
	for (i = 0; i < UDP6; i++)
		keep(p, udp_any(AF_INET6));
	for (i = 0; i < UNIX_PAIRS; i++) {
		if (socketpair(AF_UNIX, i & 1 ? SOCK_DGRAM : SOCK_STREAM, 0, sv))
			return -1;
		keep(p, sv[0]);
		keep(p, sv[1]);
	}
	for (i = 0; i < p->n; i++)
		p->ino[i] = fd_inode(p->fd[i]);
	return p->n == TOTAL ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every pool socket present exactly once, and no record at all twice.
 * Returns the number of problems, logging the first few.
 */
static int check_dump(struct __test_metadata *_metadata, const struct pool *p,
		      const struct sdump *d)
{
	uint64_t *inos = malloc(d->n * sizeof(*inos));
	struct kset keys = { 0 };
	const char *dup = NULL;
	int i, n = 0, missing = 0, twice = 0, dups;
	char k[256];

	for (i = 0; i < d->n; i++) {
		sr_key(&d->v[i], k, sizeof(k));
		kset_add(&keys, k);
		if (d->v[i].inode)
			inos[n++] = d->v[i].inode;
	}
	kset_sort(&keys);
	dups = kset_dups(&keys, &dup);
	if (dups)
		TH_LOG("%d records twice, first: %s", dups, dup);
	qsort(inos, n, sizeof(*inos), cmp_u64);
	for (i = 0; i < p->n; i++) {
		uint64_t *hit = bsearch(&p->ino[i], inos, n, sizeof(*inos), cmp_u64);

		if (!hit) {
			if (missing++ < 5)
				TH_LOG("socket inode %llu (fd %d) missing",
				       (unsigned long long)p->ino[i], p->fd[i]);
		} else if ((hit > inos && hit[-1] == *hit) || (hit + 1 < inos + n && hit[1] == *hit)) {
			if (twice++ < 5)
				TH_LOG("socket inode %llu dumped twice", (unsigned long long)*hit);
		}
	}
	TH_LOG("%d records in %d skbs: %d of %d pool sockets missing, %d twice, %d duplicates, %d flagged interrupted",
	       d->n, d->datagrams, missing, p->n, twice, dups, d->intr);
	kset_free(&keys);
	free(inos);
	return missing + twice + dups;
}

FIXTURE(scale) {
	struct kt_sock s;
	struct pool *p;
	struct sdump d;
};

FIXTURE_SETUP(scale)
{
	self->p = calloc(1, sizeof(*self->p));
	ASSERT_TRUE(self->p != NULL);
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
	ASSERT_EQ(0, pool_fill(self->p)) TH_LOG("only %d of %d sockets: %s", self->p->n, TOTAL,
						 strerror(errno));
}

FIXTURE_TEARDOWN(scale)
{
	int i;

	for (i = 0; i < self->p->n; i++)
		close(self->p->fd[i]);
	free(self->p);
	free(self->d.v);
	kt_close(&self->s);
}

static double run_secs(const char *cmd)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (system(cmd))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

TEST_F_TIMEOUT(scale, twenty_thousand_sockets_dumped_once_each_across_many_skbs, 300)
{
	struct sreq q = { .flags = KNETMON_REQF_OWNERS };
	const char *cli = getenv("KNETMON") ?: "build/knetmon";
	char cmd[512], mine[64], theirs[64];
	double t_mine, t_ss, t_plain, t_ss_plain;

	ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
	ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
	EXPECT_EQ(0, check_dump(_metadata, self->p, &self->d));
	EXPECT_LT(50, self->d.datagrams) TH_LOG("the cursor was not exercised");

	/* the closing figure: same machine, same sockets, same run */
	snprintf(cmd, sizeof(cmd), "%s netstat -tanp > /tmp/knetmon-netstat.out", cli);
	t_mine = run_secs(cmd);
	t_ss = run_secs("ss -tanp > /tmp/ss.out 2>/dev/null");
	snprintf(cmd, sizeof(cmd), "%s netstat -tan > /dev/null", cli);
	t_plain = run_secs(cmd);
	t_ss_plain = run_secs("ss -tan > /dev/null");
	/* TIME_WAITs left by earlier tests may expire between the two runs */
	kt_shell_line("grep -vc TIME_WAIT /tmp/knetmon-netstat.out", mine, sizeof(mine));
	kt_shell_line("grep -vc TIME-WAIT /tmp/ss.out", theirs, sizeof(theirs));
	TH_LOG("TIMING at %d sockets: knetmon netstat -tanp %.3f s (%s lines but TIME_WAIT), ss -tanp %.3f s (%s lines); without -p: knetmon %.3f s, ss %.3f s",
	       TOTAL, t_mine, mine, t_ss, theirs, t_plain, t_ss_plain);
	EXPECT_LT(0, t_mine);
	EXPECT_EQ(atoi(theirs) + 1, atoi(mine)) TH_LOG("one line per TCP socket but TIME_WAIT; netstat has two header lines, ss one");
}

/* Open and close sockets of every dumped kind until killed. */
static void churn(int ready)
{
	uint16_t port;
	int l = listener(AF_INET, &port), i = 0, c, a, sv[2], u;

	for (;;) {
		c = connect_to(AF_INET, port);
		a = accept(l, NULL, NULL);
		u = udp_any(i & 1 ? AF_INET6 : AF_INET);
		if (!socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
			close(sv[0]);
			close(sv[1]);
		}
		close(u);
		close(c);
		close(a);
		if (++i == 50)
			write(ready, "r", 1);
	}
}

TEST_F_TIMEOUT(scale, sockets_living_through_the_dump_are_present_under_churn, 300)
{
	int ready[2], round, bad = 0;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(ready[0]);
		churn(ready[1]);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("churn process did not start");
	for (round = 0; round < 3; round++) {
		free(self->d.v);
		ASSERT_EQ(0, sr_dump(&self->s, NULL, &self->d));
		ASSERT_EQ(0, self->d.error);
		bad += check_dump(_metadata, self->p, &self->d);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	EXPECT_EQ(0, bad);
}

/* ---- crowded buckets ---- */

#define CROWD_REUSEPORT	64	/* one lhash2 bucket: twice the old batch */
#define CROWD_UNIX	3000	/* abstract names: their checksum hash crowds buckets */

struct crowd {
	int fd[CROWD_REUSEPORT + CROWD_UNIX];
	uint64_t ino[CROWD_REUSEPORT + CROWD_UNIX];
	int n;
	uint16_t port;
	pid_t churn;
};

static int reuseport_listener(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(fd, (void *)&a, sizeof(a)) || listen(fd, 1) ||
	    getsockname(fd, (void *)&a, &len)) {
		close(fd);
		return -1;
	}
	if (bound)
		*bound = ntohs(a.sin_port);
	return fd;
}

static int abstract_listener(int i)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int len = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "knetmon-crowd-%04d", i);

	if (fd < 0)
		return -1;
	if (bind(fd, (void *)&a, offsetof(struct sockaddr_un, sun_path) + 1 + len) ||
	    listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sockets coming and going in the crowded buckets, 50 at a time, until
 * killed: reuseport listeners on the same port, and abstract names of the
 * same shape as the crowd's, which hash into the same unix buckets.
 */
static void crowd_churn(uint16_t port, int ready)
{
	int fd[50], i, round = 0;

	for (;;) {
		for (i = 0; i < 50; i++)
			fd[i] = i & 1 ? abstract_listener(5000 + i) : reuseport_listener(port, NULL);
		for (i = 0; i < 50; i++)
			if (fd[i] >= 0)
				close(fd[i]);
		if (++round == 2)
			write(ready, "r", 1);
	}
}

FIXTURE(crowd) {
	struct kt_sock s;
	struct crowd c;
	struct sdump d;
};

FIXTURE_SETUP(crowd)
{
	struct rlimit rl = { 8192, 8192 };
	int i, fd, ready[2];
	char b;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve knetmon: %s", strerror(errno));
	self->c.churn = -1;
	for (i = 0; i < CROWD_REUSEPORT + CROWD_UNIX; i++) {
		fd = i < CROWD_REUSEPORT ? reuseport_listener(self->c.port, &self->c.port) :
					   abstract_listener(i);
		ASSERT_LE(0, fd) TH_LOG("socket %d: %s", i, strerror(errno));
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		self->c.fd[self->c.n] = fd;
		self->c.ino[self->c.n++] = fd_inode(fd);
	}
	ASSERT_EQ(0, pipe(ready));
	self->c.churn = fork();
	ASSERT_LE(0, self->c.churn);
	if (self->c.churn == 0) {
		close(ready[0]);
		crowd_churn(self->c.port, ready[1]);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &b, 1)) TH_LOG("churn process did not start");
	close(ready[0]);
}

FIXTURE_TEARDOWN(crowd)
{
	int i;

	if (self->c.churn > 0) {
		kill(self->c.churn, SIGKILL);
		waitpid(self->c.churn, NULL, 0);
	}
	for (i = 0; i < self->c.n; i++)
		close(self->c.fd[i]);
	free(self->d.v);
	kt_close(&self->s);
}

/* How often each of the crowd's sockets occurs among INOS; problems logged. */
static int crowd_check(struct __test_metadata *_metadata, const struct crowd *c,
		       uint64_t *inos, int n, const char *what)
{
	int i, j, missing = 0, twice = 0;

	qsort(inos, n, sizeof(*inos), cmp_u64);
	for (i = 0; i < c->n; i++) {
		uint64_t *hit = bsearch(&c->ino[i], inos, n, sizeof(*inos), cmp_u64);
		int count = 0;

		if (hit) {
			for (j = hit - inos; j > 0 && inos[j - 1] == c->ino[i]; j--)
				;
			for (; j < n && inos[j] == c->ino[i]; j++)
				count++;
		}
		if (count == 0 && missing++ < 3)
			TH_LOG("%s: socket %d (inode %llu) missing", what, i,
			       (unsigned long long)c->ino[i]);
		if (count > 1 && twice++ < 3)
			TH_LOG("%s: socket %d (inode %llu) listed %d times", what, i,
			       (unsigned long long)c->ino[i], count);
	}
	if (missing || twice)
		TH_LOG("%s: %d of %d stable sockets missing, %d listed more than once",
		       what, missing, c->n, twice);
	return missing + twice;
}

static int crowd_check_dump(struct __test_metadata *_metadata, const struct crowd *c,
			    const struct sdump *d, const char *what)
{
	uint64_t *inos = malloc((d->n + 1) * sizeof(*inos));
	int i, bad;

	for (i = 0; i < d->n; i++)
		inos[i] = d->v[i].inode;
	bad = crowd_check(_metadata, c, inos, d->n, what);
	free(inos);
	return bad;
}

TEST_F_TIMEOUT(crowd, reuseport_listeners_listed_once_each_while_others_come_and_go, 300)
{
	struct sreq q = { .protocol = IPPROTO_TCP, .port = self->c.port };
	struct crowd tcp = self->c;
	int round, bad = 0, intr = 0;

	/* only the listeners are asked for, not the unix crowd */
	tcp.n = CROWD_REUSEPORT;
	for (round = 0; round < 20; round++) {
		free(self->d.v);
		memset(&self->d, 0, sizeof(self->d));
		ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
		ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
		bad += crowd_check_dump(_metadata, &tcp, &self->d, "reuseport dump");
		intr += self->d.intr;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, intr) TH_LOG("a bucket snapshot needs no interrupted flag");
}

TEST_F_TIMEOUT(crowd, abstract_unix_listeners_listed_once_each_while_others_come_and_go, 300)
{
	struct sreq q = { .family = AF_UNIX };
	struct crowd ux = self->c;
	int round, bad = 0, intr = 0;

	/* the unix crowd only */
	memmove(ux.ino, ux.ino + CROWD_REUSEPORT, CROWD_UNIX * sizeof(ux.ino[0]));
	ux.n = CROWD_UNIX;
	for (round = 0; round < 3; round++) {
		free(self->d.v);
		memset(&self->d, 0, sizeof(self->d));
		ASSERT_EQ(0, sr_dump(&self->s, &q, &self->d));
		ASSERT_EQ(0, self->d.error) TH_LOG("%s", self->d.extack);
		bad += crowd_check_dump(_metadata, &ux, &self->d, "unix dump");
		intr += self->d.intr;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, intr) TH_LOG("a bucket snapshot needs no interrupted flag");
}

/* Every "inode" value of the CLI's JSON output. */
static int json_inodes(const char *file, uint64_t **out)
{
	FILE *f = fopen(file, "r");
	static const char key[] = "\"inode\":";
	int n = 0, cap = 8192, c;
	size_t m = 0;
	uint64_t *v = malloc(cap * sizeof(*v));

	/* a tiny matcher: the output is one long line */
	while (f && (c = fgetc(f)) != EOF) {
		m = c == key[m] ? m + 1 : c == key[0];
		if (m < sizeof(key) - 1)
			continue;
		m = 0;
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof(*v));
		if (fscanf(f, "%" SCNu64, &v[n]) == 1)
			n++;
	}
	if (f)
		fclose(f);
	*out = v;
	return n;
}

TEST_F_TIMEOUT(crowd, netstat_lists_each_crowded_socket_once_and_exits_0, 300)
{
	const char *cli = getenv("KNETMON") ?: "build/knetmon";
	char cmd[512];
	uint64_t *inos;
	int round, n, rc, bad = 0;

	snprintf(cmd, sizeof(cmd), "%s netstat -xta -j > /tmp/knetmon-crowd.json", cli);
	for (round = 0; round < 3; round++) {
		rc = system(cmd);
		EXPECT_EQ(0, rc) TH_LOG("round %d: netstat exited %d", round, WEXITSTATUS(rc));
		n = json_inodes("/tmp/knetmon-crowd.json", &inos);
		bad += crowd_check(_metadata, &self->c, inos, n, "netstat -xta -j");
		free(inos);
	}
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
