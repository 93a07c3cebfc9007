// SPDX-License-Identifier: GPL-2.0
/*
 * The knetmon family answers GET_INFO with the truth about the module and
 * the kernel, rejects malformed requests with an extack message, and keeps
 * the binds event group and the global counters to CAP_NET_ADMIN.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "knetmon_test.h"
#include "kt_harness.h"

struct info {
	char version[64];
	char kernel[128];
	uint64_t features;
	int has_binds_seq;
	int counters;
	int counters_bad;
};

static int info_counter(const struct nlattr *a, void *data)
{
	struct info *i = data;

	/* nla_put_u64_64bit() pads where the CPU needs u64s aligned (MIPS) */
	if (mnl_attr_get_type(a) == KNETMON_A_COUNTER_PAD)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		i->counters_bad++;
	else
		i->counters++;
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *a, void *data)
{
	struct info *i = data;

	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_INFO_VERSION:
		snprintf(i->version, sizeof(i->version), "%s", mnl_attr_get_str(a));
		break;
	case KNETMON_A_INFO_KERNEL:
		snprintf(i->kernel, sizeof(i->kernel), "%s", mnl_attr_get_str(a));
		break;
	case KNETMON_A_INFO_FEATURES:
		i->features = mnl_attr_get_u64(a);
		break;
	case KNETMON_A_INFO_COUNTERS:
		mnl_attr_parse_nested(a, info_counter, i);
		break;
	case KNETMON_A_INFO_BINDS_SEQ:
		i->has_binds_seq = 1;
		break;
	}
	return MNL_CB_OK;
}

static int info_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), info_attr, data);
	return MNL_CB_OK;
}

FIXTURE(genl) {
	struct kt_sock s;
	char buf[8192];
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, kt_open(&self->s)) TH_LOG("cannot resolve the knetmon family: %s",
					       strerror(errno));
}

FIXTURE_TEARDOWN(genl)
{
	kt_close(&self->s);
}

TEST_F(genl, info_reports_module_version_and_running_kernel)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct info i = { 0 };
	char cmd[512], modinfo[64];
	struct utsname u;
	struct kt_reply r;

	ASSERT_EQ(0, kt_request(&self->s, nlh, info_msg, &i, &r));
	ASSERT_EQ(0, r.error) TH_LOG("GET_INFO failed: %s %s", strerror(r.error), r.extack);
	ASSERT_EQ(1, r.messages);

	snprintf(cmd, sizeof(cmd), "modinfo -F version %s", getenv("KNETMON_KO"));
	kt_shell_line(cmd, modinfo, sizeof(modinfo));
	ASSERT_NE('\0', modinfo[0]) TH_LOG("modinfo gave nothing for %s", getenv("KNETMON_KO"));
	EXPECT_STREQ(modinfo, i.version);

	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, i.kernel);

	EXPECT_EQ(KNETMON_A_COUNTER_MAX - KNETMON_A_COUNTER_PAD, i.counters);
	EXPECT_EQ(0, i.counters_bad);
}

TEST_F(genl, unknown_attribute_rejected_with_extack)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct nlattr *bad = mnl_nlmsg_get_payload_tail(nlh);
	struct kt_reply r;

	mnl_attr_put_u32(nlh, 200, 1);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "Unknown attribute") != NULL) TH_LOG("extack: \"%s\"", r.extack);
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);
}

TEST_F(genl, wrong_length_attribute_rejected_with_extack)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct nlattr *bad = mnl_nlmsg_get_payload_tail(nlh);
	struct kt_reply r;

	mnl_attr_put_u8(nlh, KNETMON_REQ_FLAGS, 0);	/* policy: u32 */
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_EQ(0, r.messages);
	EXPECT_TRUE(strstr(r.extack, "length") != NULL) TH_LOG("extack: \"%s\"", r.extack);
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);
}

TEST_F(genl, attribute_of_another_command_rejected_with_extack)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct nlattr *bad = mnl_nlmsg_get_payload_tail(nlh);
	struct kt_reply r;

	mnl_attr_put_u32(nlh, KNETMON_REQ_TABLE, 254);	/* a GET_ROUTES filter */
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_NE('\0', r.extack[0]) TH_LOG("no extack message");
	EXPECT_EQ(kt_offset_of(nlh, bad), r.bad_offset);
}

TEST_F(genl, undefined_flag_bits_rejected_with_extack)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct kt_reply r;

	mnl_attr_put_u32(nlh, KNETMON_REQ_FLAGS, 1u << 31);
	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_NE('\0', r.extack[0]) TH_LOG("no extack message");
}

TEST_F(genl, unknown_command_rejected)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_MAX + 1, 0);
	struct kt_reply r;

	ASSERT_EQ(0, kt_request(&self->s, nlh, NULL, NULL, &r));
	EXPECT_EQ(EOPNOTSUPP, r.error);
}

static int join_binds(struct kt_sock *s)
{
	int group = s->binds_group;

	return mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
}

TEST_F(genl, root_can_join_binds_group)
{
	ASSERT_NE(0u, self->s.binds_group) TH_LOG("family has no \"binds\" group");
	EXPECT_EQ(0, join_binds(&self->s)) TH_LOG("join failed: %s", strerror(errno));
}

TEST_F(genl, unprivileged_cannot_join_binds_group)
{
	int status;
	pid_t pid;

	ASSERT_NE(0u, self->s.binds_group);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kt_sock s;

		/* nobody, with every capability gone */
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (kt_open(&s))
			_exit(11);	/* resolving the family needs no privilege */
		if (join_binds(&s) == 0)
			_exit(12);
		_exit(errno == EPERM ? 0 : 13);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: 10 setuid, 11 resolve, 12 joined anyway, 13 wrong errno");
}

/* GET_INFO as the child sees it: 1 counters, 2 binds sequence, as bits; or 10+. */
static int child_info_bits(void)
{
	char buf[512];
	struct kt_sock s;
	struct kt_reply r;
	struct info i = { 0 };
	struct nlmsghdr *nlh;

	if (kt_open(&s))
		return 11;
	nlh = kt_req(&s, buf, KNETMON_CMD_GET_INFO, 0);
	if (kt_request(&s, nlh, info_msg, &i, &r) || r.error || !i.version[0])
		return 12;
	return (i.counters ? 1 : 0) | (i.has_binds_seq ? 2 : 0);
}

/*
 * Global counters count every netns's binds: root's 50 here are in them.
 * Neither a plain unprivileged user nor the root of its own user and
 * network namespace may read them; the latter gets its netns's binds
 * sequence, which its own event listeners need.
 */
TEST_F(genl, info_counters_only_for_cap_net_admin_of_the_initial_namespace)
{
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fds[50], k, status, own_ns;
	struct info i = { 0 };
	struct kt_reply r;
	pid_t pid;

	for (k = 0; k < 50; k++) {
		fds[k] = socket(AF_INET, SOCK_DGRAM, 0);
		ASSERT_EQ(0, bind(fds[k], (struct sockaddr *)&a, sizeof(a)));
	}
	ASSERT_EQ(0, kt_request(&self->s, nlh, info_msg, &i, &r));
	EXPECT_LT(0, i.counters) TH_LOG("root gets the counters");
	EXPECT_TRUE(i.has_binds_seq);
	for (own_ns = 0; own_ns < 2; own_ns++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (own_ns ? kt_nobody_in_own_netns() :
				     setgroups(0, NULL) || setgid(65534) || setuid(65534))
				_exit(own_ns ? 13 : 10);
			_exit(child_info_bits());
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(own_ns ? 2 : 0, WEXITSTATUS(status))
			TH_LOG("%s: bit 1 counters, bit 2 binds sequence; 10 setuid, 11 resolve, 12 GET_INFO, 13 namespaces",
			       own_ns ? "root of its own user+net namespace" : "uid 65534");
	}
	for (k = 0; k < 50; k++)
		close(fds[k]);
}

TEST_F(genl, cli_info_json_matches_netlink)
{
	KT_NEED("python3");
	struct nlmsghdr *nlh = kt_req(&self->s, self->buf, KNETMON_CMD_GET_INFO, 0);
	char cmd[1024], line[512], expect[512];
	struct info i = { 0 };
	struct kt_reply r;
	int bit, n = 0;

	ASSERT_EQ(0, kt_request(&self->s, nlh, info_msg, &i, &r));
	ASSERT_EQ(0, r.error);

	/* The CLI's JSON, read by Python's parser: version|kernel|#features|#counters */
	snprintf(cmd, sizeof(cmd),
		 "%s info -j | python3 -c 'import json,sys; d=json.load(sys.stdin); "
		 "print(\"%%s|%%s|%%d|%%d\" %% (d[\"version\"], d[\"kernel\"], "
		 "len(d[\"features\"]), len(d[\"counters\"])))'",
		 getenv("KNETMON") ? getenv("KNETMON") : "build/knetmon");
	kt_shell_line(cmd, line, sizeof(line));
	for (bit = 0; bit < 64; bit++)
		n += !!(i.features & (1ULL << bit));
	snprintf(expect, sizeof(expect), "%s|%s|%d|%d", i.version, i.kernel, n, i.counters);
	EXPECT_STREQ(expect, line);
}

TEST_HARNESS_MAIN
