// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps under abuse: readers that hang up mid-dump, a 4 KiB receive buffer,
 * 64 dumpers at once, network namespaces dying while dumps and event
 * listeners run, and an unprivileged user parking hundreds of unread dumps. Nothing may leak (the module's reference count returns to
 * zero), stall, or go stale (the live-bind table holds no entry of a dead
 * namespace).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "knetmon_test.h"
#include "kt_harness.h"

#define N_UDP 1500	/* enough records for a dump to span many skbs */

static const uint8_t dump_cmds[] = {
	KNETMON_CMD_GET_BINDS, KNETMON_CMD_GET_SOCKETS, KNETMON_CMD_GET_NEIGH,
	KNETMON_CMD_GET_ROUTES, KNETMON_CMD_GET_LINKS,
};
#define N_CMDS (sizeof(dump_cmds) / sizeof(dump_cmds[0]))

static int count_msg(const struct nlmsghdr *nlh, void *arg)
{
	(*(long *)arg)++;
	return MNL_CB_OK;
}

/* Records in one whole dump of CMD, or -errno. */
static long dump_count(struct kt_sock *s, uint8_t cmd)
{
	char buf[256];
	struct nlmsghdr *nlh = kt_req(s, buf, cmd, NLM_F_DUMP);
	struct kt_reply r;
	long n = 0;

	if (cmd == KNETMON_CMD_GET_SOCKETS)
		mnl_attr_put_u8(nlh, KNETMON_REQ_PROTOCOL, IPPROTO_UDP);
	if (kt_request(s, nlh, count_msg, &n, &r))
		return -errno;
	return r.error ? -r.error : n;
}

static int module_refcnt(void)
{
	char line[32] = "";
	FILE *f = fopen("/sys/module/knetmon/refcnt", "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return atoi(line);
}

/* Dumps hold a module reference until .done: wait for it to drop. */
static int refcnt_settles_to_zero(void)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (module_refcnt() == 0)
			return 1;
		usleep(10000);
	}
	return 0;
}

FIXTURE(abuse) {
	int fds[N_UDP];
	struct kt_sock s;
};

FIXTURE_SETUP(abuse)
{
	struct rlimit rl = { N_UDP + 512, N_UDP + 512 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int i;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	for (i = 0; i < N_UDP; i++) {
		self->fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		ASSERT_LE(0, self->fds[i]);
		ASSERT_EQ(0, bind(self->fds[i], (struct sockaddr *)&a, sizeof(a)));
	}
	ASSERT_EQ(0, kt_open(&self->s));
}

FIXTURE_TEARDOWN(abuse)
{
	int i;

	kt_close(&self->s);
	for (i = 0; i < N_UDP; i++)
		close(self->fds[i]);
}

TEST_F(abuse, reader_hanging_up_mid_dump_leaks_no_module_reference)
{
	char buf[256], rx[65536];
	unsigned int c;
	int i;

	for (c = 0; c < N_CMDS; c++) {
		for (i = 0; i < 40; i++) {
			struct kt_sock s;
			struct nlmsghdr *nlh;

			ASSERT_EQ(0, kt_open(&s));
			nlh = kt_req(&s, buf, dump_cmds[c], NLM_F_DUMP);
			ASSERT_LE(0, mnl_socket_sendto(s.nl, nlh, nlh->nlmsg_len));
			/* first skb only, then hang up with the dump half done */
			ASSERT_LT(0, mnl_socket_recvfrom(s.nl, rx, sizeof(rx)));
			kt_close(&s);
		}
	}
	EXPECT_TRUE(refcnt_settles_to_zero())
		TH_LOG("module refcnt stuck at %d: a dump's .done never ran", module_refcnt());
	EXPECT_LE(N_UDP, dump_count(&self->s, KNETMON_CMD_GET_SOCKETS));
}

TEST_F(abuse, tiny_receive_buffer_dump_equals_normal_dump)
{
	int small = 4096;
	unsigned int c;

	for (c = 0; c < N_CMDS; c++) {
		long normal = dump_count(&self->s, dump_cmds[c]);
		struct kt_sock tiny;
		long got;

		ASSERT_LE(0, normal) TH_LOG("cmd %u: %s", dump_cmds[c], strerror(-normal));
		ASSERT_EQ(0, kt_open(&tiny));
		ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(tiny.nl), SOL_SOCKET, SO_RCVBUF,
					&small, sizeof(small)));
		got = dump_count(&tiny, dump_cmds[c]);
		kt_close(&tiny);
		EXPECT_EQ(normal, got) TH_LOG("cmd %u with a 4 KiB rcvbuf", dump_cmds[c]);
	}
	EXPECT_LE(N_UDP, dump_count(&self->s, KNETMON_CMD_GET_SOCKETS));
}

struct dumper {
	uint8_t cmd;
	long count;
};

static void *dump_thread(void *arg)
{
	struct dumper *d = arg;
	struct kt_sock s;

	if (kt_open(&s)) {
		d->count = -errno;
		return NULL;
	}
	d->count = dump_count(&s, d->cmd);
	kt_close(&s);
	return NULL;
}

TEST_F(abuse, sixty_four_concurrent_dumpers_all_see_the_same_tables)
{
	struct dumper d[64];
	pthread_t t[64];
	long expect[N_CMDS];
	unsigned int c;
	int i;

	for (c = 0; c < N_CMDS; c++) {
		expect[c] = dump_count(&self->s, dump_cmds[c]);
		ASSERT_LE(0, expect[c]);
	}
	for (i = 0; i < 64; i++) {
		d[i].cmd = dump_cmds[i % N_CMDS];
		ASSERT_EQ(0, pthread_create(&t[i], NULL, dump_thread, &d[i]));
	}
	for (i = 0; i < 64; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(expect[i % N_CMDS], d[i].count)
			TH_LOG("dumper %d (cmd %u)", i, d[i].cmd);
	}
	EXPECT_TRUE(refcnt_settles_to_zero());
}

/* A short-lived netns that binds a few sockets, then dies with them. */
static void netns_that_binds_and_dies(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int i;

	if (unshare(CLONE_NEWNET))
		_exit(1);
	if (system("ip link set lo up"))
		_exit(2);
	for (i = 0; i < 8; i++) {
		int fd = socket(AF_INET, i % 2 ? SOCK_STREAM : SOCK_DGRAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
			_exit(3);
		if (i % 2 && listen(fd, 1))
			_exit(4);
		/* left open: released when the process and its netns go */
	}
	_exit(0);
}

static volatile int churn_done;

/* KNETMON_NETNS_N namespaces die under the dumps (default 40; soak: more). */
static int netns_rounds(void)
{
	const char *n = getenv("KNETMON_NETNS_N");

	return n && atoi(n) > 0 ? atoi(n) : 40;
}

static void *dump_loop(void *arg)
{
	long *rounds = arg;
	struct kt_sock s;
	unsigned int c;

	if (kt_open(&s))
		return NULL;
	while (!churn_done) {
		for (c = 0; c < N_CMDS; c++)
			if (dump_count(&s, dump_cmds[c]) < 0)
				*rounds = -1000000;
		(*rounds)++;
	}
	kt_close(&s);
	return NULL;
}

struct bind_view {
	long entries, foreign;
	uint32_t own_netns;
};

static int bind_netns(const struct nlattr *a, void *data)
{
	struct bind_view *v = data;

	/* the dump's last message carries DUMP_SEQ alone: not an entry */
	if (mnl_attr_get_type(a) == KNETMON_A_BIND_KIND)
		v->entries++;
	if (mnl_attr_get_type(a) == KNETMON_A_BIND_NETNS &&
	    mnl_attr_get_u32(a) != v->own_netns)
		v->foreign++;
	return MNL_CB_OK;
}

static int bind_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), bind_netns, data);
	return MNL_CB_OK;
}

static uint64_t table_live(struct kt_sock *s);

TEST_F_TIMEOUT(abuse, namespaces_dying_under_dumps_leave_no_stale_binds, 300)
{
	struct bind_view v = { 0 };
	struct kt_reply r;
	struct stat st;
	long rounds = 0;
	char buf[256];
	pthread_t t;
	int i, status, group = self->s.binds_group;

	ASSERT_EQ(0, stat("/proc/self/ns/net", &st));
	v.own_netns = st.st_ino;
	/* an event listener stays subscribed throughout */
	ASSERT_EQ(0, mnl_socket_setsockopt(self->s.nl, NETLINK_ADD_MEMBERSHIP, &group,
					   sizeof(group)));
	churn_done = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, dump_loop, &rounds));
	for (i = 0; i < netns_rounds(); i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			netns_that_binds_and_dies();
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("netns child failed at step %d", WEXITSTATUS(status));
	}
	churn_done = 1;
	pthread_join(t, NULL);
	TH_LOG("%d namespaces died under %ld dump rounds", i, rounds);
	EXPECT_LT(0, rounds) TH_LOG("dump loop failed or never ran");
	kt_close(&self->s);

	/* Namespaces die asynchronously (cleanup_net): wait for the table. */
	ASSERT_EQ(0, kt_open(&self->s));
	for (i = 0; i < 500; i++) {
		v.entries = v.foreign = 0;
		ASSERT_EQ(0, kt_request(&self->s, kt_req(&self->s, buf, KNETMON_CMD_GET_BINDS,
							  NLM_F_DUMP), bind_msg, &v, &r));
		ASSERT_EQ(0, r.error);
		if ((uint64_t)v.entries == table_live(&self->s))
			break;
		usleep(20000);
	}
	EXPECT_EQ(0, v.foreign) TH_LOG("GET_BINDS showed another netns's binds");
	EXPECT_EQ((uint64_t)v.entries, table_live(&self->s))
		TH_LOG("table holds entries of namespaces that are gone");
	EXPECT_LE(N_UDP, v.entries);
}

static int live_counter(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == KNETMON_A_COUNTER_TABLE_LIVE)
		*(uint64_t *)data = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int live_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == KNETMON_A_INFO_COUNTERS)
		mnl_attr_parse_nested(a, live_counter, data);
	return MNL_CB_OK;
}

static int live_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), live_attr, data);
	return MNL_CB_OK;
}

static uint64_t table_live(struct kt_sock *s)
{
	uint64_t live = UINT64_MAX;
	struct kt_reply r;
	char buf[256];

	if (kt_request(s, kt_req(s, buf, KNETMON_CMD_GET_INFO, 0), live_msg, &live, &r) ||
	    r.error)
		return UINT64_MAX;
	return live;
}

/* ---- unread dumps of an unprivileged user ---- */

#define PARKED		200	/* unread dumps per kind */
#define BIG_NEIGH	4000	/* entries of another netns: not the caller's */
#define BIG_BINDS	4000	/* binds of another netns: not the caller's */
#define OWN_BINDS	300	/* the caller's own, in every kind's setup */
/*
 * What one parked dump may cost, whatever the tables hold: about 33 KiB of
 * it is the first reply skb the kernel queues on the reader's socket
 * (before the fixes: 545 KiB for neighbours, sized by every netns's). A
 * GET_BINDS dump keeps a snapshot of what its caller may see: 1 KiB more
 * per bind of the caller's own is allowed for it (before the fix it was
 * sized by every netns's binds: 2,079 KiB a dump here, on 6.12).
 */
#define PARKED_MAX_KIB	64

/*
 * Kernel memory in use, KiB: MemTotal - MemFree. Slab and VmallocUsed
 * alone miss a kvmalloc() that kmalloc served with whole pages, as a
 * dump's snapshot of more than 8 KiB is. Nothing else runs while the dumps
 * are sent, and the budget is per dump of 200: noise of a few MiB stays
 * far under it.
 */
static long kernel_kib(void)
{
	char line[128];
	long v, total = 0, free = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %ld", &v) == 1)
			total = v;
		else if (sscanf(line, "MemFree: %ld", &v) == 1)
			free = v;
	}
	if (f)
		fclose(f);
	return total - free;
}

/* Neighbours on a dummy device: ip -batch from awk, busybox has both. */
static int add_neighbours(const char *ip, int n, int net)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "awk 'BEGIN { for (i = 0; i < %d; i++) printf \"neigh add 10.%d.%%d.%%d lladdr "
		 "02:00:00:%02x:%%02x:%%02x dev d0 nud permanent\\n\", i / 250, i %% 250 + 1, "
		 "i / 256, i %% 256 }' | %s -batch - >/dev/null", n, net, net, ip);
	return system(cmd);
}

/* uid 65534 as root of its own user+net namespace, with a dummy d0 up. */
static int nobody_in_own_netns(void)
{
	if (kt_nobody_in_own_netns())
		return -1;
	return system("ip link set lo up && ip link add d0 type dummy && ip link set d0 up");
}

/*
 * In the child: PARKED dumps of CMD sent on sockets of their own and never
 * read. Prints the KiB they cost; exits 0, or the step that failed.
 */
static void park_dumps(uint8_t cmd, const char *name, long max_kib)
{
	static struct kt_sock s[PARKED];
	long before, after;
	char buf[256];
	int i;

	for (i = 0; i < PARKED; i++)
		if (kt_open(&s[i]))
			_exit(20);
	sleep(1);	/* let freed memory settle before measuring */
	before = kernel_kib();
	for (i = 0; i < PARKED; i++) {
		struct nlmsghdr *nlh = kt_req(&s[i], buf, cmd, NLM_F_DUMP);

		if (mnl_socket_sendto(s[i].nl, nlh, nlh->nlmsg_len) < 0)
			_exit(21);
	}
	after = kernel_kib();
	printf("# %s: %d unread dumps cost %ld KiB, %ld KiB each\n", name, PARKED,
	       after - before, (after - before) / PARKED);
	fflush(stdout);
	for (i = 0; i < PARKED; i++)
		kt_close(&s[i]);
	_exit((after - before) / PARKED < max_kib ? 0 : 30);
}

TEST_F_TIMEOUT(abuse, unread_dumps_of_an_unprivileged_user_cost_what_it_sees_not_the_tables, 300)
{
	static const struct { uint8_t cmd; const char *name; } kinds[] = {
		{ KNETMON_CMD_GET_NEIGH, "neighbours" }, { KNETMON_CMD_GET_SOCKETS, "sockets" },
		{ KNETMON_CMD_GET_LINKS, "links" }, { KNETMON_CMD_GET_ROUTES, "routes" },
		{ KNETMON_CMD_GET_BINDS, "binds" },
	};
	/* the fixture's N_UDP, the host's binds, the parked dumps */
	struct rlimit rl = { N_UDP + BIG_BINDS + PARKED * 2 + 1024,
			     N_UDP + BIG_BINDS + PARKED * 2 + 1024 };
	static int big[BIG_BINDS];
	unsigned int k;
	int status, i;
	pid_t pid;

	/* another netns's entries, which the dumps below cannot see */
	ASSERT_EQ(0, system("modprobe dummy 2>/dev/null; ip netns del kbig 2>/dev/null; "
			    "ip netns add kbig && ip -n kbig link add d0 type dummy && "
			    "ip -n kbig link set d0 up"));
	ASSERT_EQ(0, add_neighbours("ip -n kbig", BIG_NEIGH, 9));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	/* the host's binds: in the table, not in the caller's netns */
	for (i = 0; i < BIG_BINDS; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET };

		big[i] = socket(AF_INET, SOCK_DGRAM, 0);
		ASSERT_LE(0, big[i]) TH_LOG("socket %d of %d: %s", i, BIG_BINDS, strerror(errno));
		ASSERT_EQ(0, bind(big[i], (struct sockaddr *)&a, sizeof(a)));
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		long budget = PARKED_MAX_KIB +
			      (kinds[k].cmd == KNETMON_CMD_GET_BINDS ? OWN_BINDS : 0);

		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int j;

			/* enough of its own records that no dump ends in one skb */
			if (nobody_in_own_netns() || add_neighbours("ip", 300, 8) ||
			    system("awk 'BEGIN { for (i = 0; i < 200; i++) {"
				   " printf \"link add x%d type dummy\\n\", i;"
				   " printf \"route add 10.7.%d.%d dev d0\\n\", i / 100, i % 100 + 1 } }'"
				   " | ip -batch - >/dev/null"))
				_exit(10);
			for (j = 0; j < OWN_BINDS; j++) {
				struct sockaddr_in a = { .sin_family = AF_INET };
				int fd = socket(AF_INET, SOCK_DGRAM, 0);

				if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
					_exit(12);
			}
			park_dumps(kinds[k].cmd, kinds[k].name, budget);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status))
			TH_LOG("%s: 10 namespace setup, 12 sockets, 20 open, 21 send, 30 a parked dump cost more than %ld KiB",
			       kinds[k].name, budget);
	}
	system("ip netns del kbig");
	for (i = 0; i < BIG_BINDS; i++)
		close(big[i]);
	EXPECT_TRUE(refcnt_settles_to_zero())
		TH_LOG("module refcnt stuck at %d: a parked dump's .done never ran", module_refcnt());
}

TEST_HARNESS_MAIN
