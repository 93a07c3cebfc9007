// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized hostile netlink input: several threads send a bounded number of
 * valid and mutated requests to every knetmon command (and a few that do not
 * exist) while other threads bind and close sockets. The module must answer
 * each with a reply or a clean error, change nothing, and still answer
 * correctly at the end; the VM rig fails the run on any kernel warning.
 *
 * KNETMON_FUZZ_N messages in all (default 20000), KNETMON_FUZZ_SEED to
 * replay a run (the seed is always printed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "knetmon_test.h"
#include "kt_harness.h"

#define FUZZ_THREADS 4

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static unsigned int pick(uint64_t *s, unsigned int n)
{
	return xorshift(s) % n;
}

/* Payload lengths the policies care about, and some they must reject. */
static const unsigned int lengths[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17, 64, 300 };

static void put_random_attr(struct nlmsghdr *nlh, uint64_t *s, int depth)
{
	unsigned char payload[300];
	uint16_t type = pick(s, KNETMON_REQ_MAX + 3);
	unsigned int len = lengths[pick(s, sizeof(lengths) / sizeof(lengths[0]))];
	unsigned int i;

	if (pick(s, 8) == 0)
		type = pick(s, 1 << 14);		/* far out of range */
	if (depth < 2 && pick(s, 10) == 0) {		/* a nest where none belongs */
		struct nlattr *nest = mnl_attr_nest_start(nlh, type);

		put_random_attr(nlh, s, depth + 1);
		mnl_attr_nest_end(nlh, nest);
		return;
	}
	for (i = 0; i < len; i++)
		payload[i] = xorshift(s);
	/* Mostly well-formed values, so requests also get past validation. */
	if (pick(s, 2) == 0) {
		switch (type) {
		case KNETMON_REQ_FLAGS:
		case KNETMON_REQ_STATES:
		case KNETMON_REQ_TABLE:
		case KNETMON_REQ_NETNS_ID:
			mnl_attr_put_u32(nlh, type, pick(s, 4) ? pick(s, 4) : xorshift(s));
			return;
		case KNETMON_REQ_FAMILY:
			mnl_attr_put_u8(nlh, type, (uint8_t[]){ AF_INET, AF_INET6, AF_UNIX, 0, 255 }[pick(s, 5)]);
			return;
		case KNETMON_REQ_PROTOCOL:
			mnl_attr_put_u8(nlh, type, (uint8_t[]){ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW, 0, 200 }[pick(s, 5)]);
			return;
		case KNETMON_REQ_PORT:
			mnl_attr_put_u16(nlh, type, htons(pick(s, 65536)));
			return;
		}
	}
	mnl_attr_put(nlh, type, len, payload);
}

struct fuzz_stats {
	atomic_long sent, replies, errors, extacks, local_failures;
};

struct fuzz_thread {
	uint64_t seed;
	long count;
	struct fuzz_stats *st;
	int failed;
};

static int count_reply(const struct nlmsghdr *nlh, void *arg)
{
	return MNL_CB_OK;
}

static void *fuzz_worker(void *arg)
{
	struct fuzz_thread *t = arg;
	char buf[8192];
	struct kt_sock s;
	long i;

	if (kt_open(&s)) {
		t->failed = errno;
		return NULL;
	}
	for (i = 0; i < t->count; i++) {
		uint8_t cmd = pick(&t->seed, KNETMON_CMD_MAX + 3);
		uint16_t flags = pick(&t->seed, 2) ? NLM_F_DUMP : 0;
		struct nlmsghdr *nlh = kt_req(&s, buf, cmd, flags);
		struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
		struct kt_reply r;
		int n = pick(&t->seed, 5), k;

		if (pick(&t->seed, 16) == 0)
			g->version = pick(&t->seed, 256);	/* stale or foreign version */
		if (pick(&t->seed, 32) == 0)
			g->reserved = xorshift(&t->seed);	/* must be rejected */
		for (k = 0; k < n; k++)
			put_random_attr(nlh, &t->seed, 0);

		atomic_fetch_add(&t->st->sent, 1);
		if (kt_request(&s, nlh, count_reply, NULL, &r)) {
			/* A full receive buffer is the kernel's right; anything else is ours. */
			if (errno != ENOBUFS)
				atomic_fetch_add(&t->st->local_failures, 1);
			kt_close(&s);
			if (kt_open(&s)) {
				t->failed = errno;
				return NULL;
			}
			continue;
		}
		if (r.error) {
			atomic_fetch_add(&t->st->errors, 1);
			if (r.extack[0])
				atomic_fetch_add(&t->st->extacks, 1);
		} else {
			atomic_fetch_add(&t->st->replies, 1);
		}
	}
	kt_close(&s);
	return NULL;
}

static atomic_int churn_stop;

/* Binds and closes in a loop, so probes fire while requests are parsed. */
static void *churn_worker(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	while (!atomic_load(&churn_stop)) {
		int fd = socket(AF_INET, pick((uint64_t *)arg, 2) ? SOCK_STREAM : SOCK_DGRAM, 0);

		if (fd < 0)
			continue;
		bind(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
	}
	return NULL;
}

struct info_snapshot {
	char version[64];
	uint64_t counters[KNETMON_A_COUNTER_MAX + 1];
};

static int snap_counter(const struct nlattr *a, void *data)
{
	struct info_snapshot *i = data;

	if (mnl_attr_get_type(a) <= KNETMON_A_COUNTER_MAX &&
	    mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
		i->counters[mnl_attr_get_type(a)] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static int snap_attr(const struct nlattr *a, void *data)
{
	struct info_snapshot *i = data;

	if (mnl_attr_get_type(a) == KNETMON_A_INFO_VERSION)
		snprintf(i->version, sizeof(i->version), "%s", mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == KNETMON_A_INFO_COUNTERS)
		mnl_attr_parse_nested(a, snap_counter, i);
	return MNL_CB_OK;
}

static int snap_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), snap_attr, data);
	return MNL_CB_OK;
}

static int info_snapshot(struct info_snapshot *i)
{
	char buf[8192];
	struct kt_sock s;
	struct kt_reply r;
	int ret;

	memset(i, 0, sizeof(*i));
	if (kt_open(&s))
		return -1;
	ret = kt_request(&s, kt_req(&s, buf, KNETMON_CMD_GET_INFO, 0), snap_msg, i, &r);
	kt_close(&s);
	return ret || r.error || !i->version[0] ? -1 : 0;
}

static long fuzz_count(void)
{
	const char *n = getenv("KNETMON_FUZZ_N");

	return n ? atol(n) : 20000;
}

static uint64_t fuzz_seed(void)
{
	const char *s = getenv("KNETMON_FUZZ_SEED");

	return s ? strtoull(s, NULL, 0) : ((uint64_t)time(NULL) << 20) ^ getpid();
}

static void run_fuzz(struct __test_metadata *_metadata, uint64_t seed, long total,
		     struct fuzz_stats *st)
{
	struct fuzz_thread t[FUZZ_THREADS];
	pthread_t tid[FUZZ_THREADS];
	int i;

	for (i = 0; i < FUZZ_THREADS; i++) {
		t[i] = (struct fuzz_thread){ .seed = seed + i * 0x9e3779b97f4a7c15ULL,
					     .count = total / FUZZ_THREADS, .st = st };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, fuzz_worker, &t[i]));
	}
	for (i = 0; i < FUZZ_THREADS; i++) {
		pthread_join(tid[i], NULL);
		EXPECT_EQ(0, t[i].failed) TH_LOG("thread %d lost the family: %s", i,
						 strerror(t[i].failed));
	}
}

/* Under TCG 20,000 round trips take longer than the harness's 30 s default. */
FIXTURE(fuzz) {};
FIXTURE_SETUP(fuzz) {}
FIXTURE_TEARDOWN(fuzz) {}

TEST_F_TIMEOUT(fuzz, fuzzed_requests_change_nothing_and_get_clean_errors, 600)
{
	uint64_t seed = fuzz_seed();
	struct info_snapshot before, after;
	struct fuzz_stats st = { 0 };
	long total = fuzz_count();

	TH_LOG("seed 0x%llx, %ld messages, %d threads (KNETMON_FUZZ_SEED to replay)",
	       (unsigned long long)seed, total, FUZZ_THREADS);
	ASSERT_EQ(0, info_snapshot(&before));
	run_fuzz(_metadata, seed, total, &st);
	ASSERT_EQ(0, info_snapshot(&after)) TH_LOG("module stopped answering GET_INFO");

	TH_LOG("sent %ld: %ld answered, %ld refused (%ld with an extack message)",
	       atomic_load(&st.sent), atomic_load(&st.replies), atomic_load(&st.errors),
	       atomic_load(&st.extacks));
	EXPECT_EQ(0, atomic_load(&st.local_failures));
	EXPECT_EQ(total / FUZZ_THREADS * FUZZ_THREADS, atomic_load(&st.sent));
	/* Garbage must have been refused, and mostly with a reason. */
	EXPECT_LT(0, atomic_load(&st.errors));
	EXPECT_LT(0, atomic_load(&st.extacks));
	/* Nothing binds here, so no request may have moved a counter. */
	EXPECT_EQ(0, memcmp(before.counters, after.counters, sizeof(before.counters)))
		TH_LOG("counters changed under fuzzing alone");
}

TEST_F_TIMEOUT(fuzz, fuzzing_while_sockets_bind_and_close_keeps_module_answering, 600)
{
	uint64_t seed = fuzz_seed() ^ 0x5555;
	struct fuzz_stats st = { 0 };
	struct info_snapshot after;
	pthread_t churn[2];
	uint64_t churn_seed[2] = { seed | 1, (seed >> 1) | 1 };
	int i;

	TH_LOG("seed 0x%llx", (unsigned long long)seed);
	atomic_store(&churn_stop, 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&churn[i], NULL, churn_worker, &churn_seed[i]));
	run_fuzz(_metadata, seed, fuzz_count() / 2, &st);
	atomic_store(&churn_stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(churn[i], NULL);

	EXPECT_EQ(0, atomic_load(&st.local_failures));
	ASSERT_EQ(0, info_snapshot(&after)) TH_LOG("module stopped answering GET_INFO");
}

TEST_HARNESS_MAIN
