// SPDX-License-Identifier: GPL-2.0
/* knetmon info: the module's version, the kernel, features and counters. */
#include <getopt.h>
#include <stdio.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "names.h"
#include "nl.h"
#include "print.h"

static struct nla_policy info_policy[KNETMON_A_INFO_MAX + 1] = {
	[KNETMON_A_INFO_VERSION]	= { .type = NLA_STRING },
	[KNETMON_A_INFO_KERNEL]		= { .type = NLA_STRING },
	[KNETMON_A_INFO_FEATURES]	= { .type = NLA_U64 },
	[KNETMON_A_INFO_COUNTERS]	= { .type = NLA_NESTED },
	[KNETMON_A_INFO_BINDS_SEQ]	= { .type = NLA_U64 },
	[KNETMON_A_INFO_BINDS_MAX]	= { .type = NLA_U32 },
	[KNETMON_A_INFO_BINDS_MAX_PER_NETNS] = { .type = NLA_U32 },
	[KNETMON_A_INFO_NETNS_BINDS_LIVE] = { .type = NLA_U32 },
	[KNETMON_A_INFO_NETNS_BINDS_OVERFLOW] = { .type = NLA_U64 },
	[KNETMON_A_INFO_CONNS_SEQ]	= { .type = NLA_U64 },
	[KNETMON_A_INFO_CHANGES_SEQ]	= { .type = NLA_U64 },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon info [ -j ]\n"
		   "Show the module's version, the running kernel, the features\n"
		   "available on it and the module's counters.\n");
}

static void print_features(uint64_t features)
{
	unsigned int bit;
	int n = 0;

	print_text("features:");
	print_open_array("features");
	for (bit = 0; bit < 64; bit++) {
		const char *name = feature_name(bit);
		char unknown[32];

		if (!(features & (1ULL << bit)))
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "unknown_%u", bit);
			name = unknown;
		}
		print_string(NULL, " %s", name);
		n++;
	}
	print_close_array();
	print_text("%s\n", n ? "" : " none");
}

static void print_counters(struct nlattr *nest)
{
	struct nlattr *a;
	int rem;

	print_text("counters:\n");
	print_open_object("counters");
	nla_for_each_nested(a, nest, rem) {
		const char *name = counter_name(nla_type(a));

		if (!name || nla_len(a) != sizeof(uint64_t))
			continue;	/* newer module: not ours to name */
		print_text("    %-22s", name);
		print_uint(name, "%llu\n", nla_get_u64(a));
	}
	print_close_object();
}

static int print_info(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[KNETMON_A_INFO_VERSION] || !tb[KNETMON_A_INFO_KERNEL]) {
		fprintf(stderr, "knetmon: incomplete info reply\n");
		return KN_EXIT_ERROR;
	}
	print_open_object(NULL);
	print_string("version", "knetmon module %s", nla_get_string(tb[KNETMON_A_INFO_VERSION]));
	print_string("kernel", " on kernel %s\n", nla_get_string(tb[KNETMON_A_INFO_KERNEL]));
	print_features(tb[KNETMON_A_INFO_FEATURES] ? nla_get_u64(tb[KNETMON_A_INFO_FEATURES]) : 0);
	if (tb[KNETMON_A_INFO_BINDS_SEQ])
		print_uint("binds_seq", "last bind event: %llu\n",
			   nla_get_u64(tb[KNETMON_A_INFO_BINDS_SEQ]));
	if (tb[KNETMON_A_INFO_CONNS_SEQ])
		print_uint("conns_seq", "last connection event: %llu\n",
			   nla_get_u64(tb[KNETMON_A_INFO_CONNS_SEQ]));
	if (tb[KNETMON_A_INFO_CHANGES_SEQ])
		print_uint("changes_seq", "last network change event: %llu\n",
			   nla_get_u64(tb[KNETMON_A_INFO_CHANGES_SEQ]));
	if (tb[KNETMON_A_INFO_BINDS_MAX])
		print_uint("binds_max", "live-bind table capacity: %llu\n",
			   nla_get_u32(tb[KNETMON_A_INFO_BINDS_MAX]));
	if (tb[KNETMON_A_INFO_BINDS_MAX_PER_NETNS])
		print_uint("binds_max_per_netns", "live binds one netns may hold: %llu\n",
			   nla_get_u32(tb[KNETMON_A_INFO_BINDS_MAX_PER_NETNS]));
	if (tb[KNETMON_A_INFO_NETNS_BINDS_LIVE])
		print_uint("netns_binds_live", "live binds of this netns: %llu",
			   nla_get_u32(tb[KNETMON_A_INFO_NETNS_BINDS_LIVE]));
	if (tb[KNETMON_A_INFO_NETNS_BINDS_OVERFLOW])
		print_uint("netns_binds_overflow", ", not stored for want of room: %llu\n",
			   nla_get_u64(tb[KNETMON_A_INFO_NETNS_BINDS_OVERFLOW]));
	if (tb[KNETMON_A_INFO_COUNTERS])
		print_counters(tb[KNETMON_A_INFO_COUNTERS]);
	print_close_object();
	print_end();
	return 0;
}

static int info_run(struct kn_nl *nl, void *state)
{
	return kn_transact(nl, kn_msg(nl, KNETMON_CMD_GET_INFO, 0),
			   KNETMON_A_INFO_MAX, info_policy, print_info, NULL);
}

int cmd_info(int argc, char **argv)
{
	static const struct kn_view view = {
		.optstring = "", .usage = usage, .run = info_run,
	};

	return kn_view_run(&view, argc, argv, NULL);
}
