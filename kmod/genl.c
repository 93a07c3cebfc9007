// SPDX-License-Identifier: GPL-2.0
/*
 * The knetmon generic netlink family: operations, their request policies
 * and the multicast groups. Each operation's policy admits exactly the
 * request attributes it uses; anything else is rejected by the core with an
 * extack message pointing at the attribute.
 */

#include <net/genetlink.h>

#include "knetmon.h"

static const struct nla_policy knetmon_info_policy[KNETMON_REQ_FLAGS + 1] = {
	[KNETMON_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_MASK),
};

/* binds.c policies */
static const struct nla_policy knetmon_binds_policy[KNETMON_REQ_NETNS_ID + 1] = {
	[KNETMON_REQ_FLAGS]	= NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_ALL_NETNS),
	[KNETMON_REQ_FAMILY]	= { .type = NLA_U8 },
	[KNETMON_REQ_PROTOCOL]	= { .type = NLA_U8 },
	[KNETMON_REQ_PORT]	= { .type = NLA_BE16 },
	[KNETMON_REQ_NETNS_ID]	= { .type = NLA_S32 },
};

/* sockets.c policies */

/* neigh.c, route.c, links.c policies */

static const struct genl_ops knetmon_ops[] = {
	{
		.cmd	= KNETMON_CMD_GET_INFO,
		.doit	= knetmon_nl_get_info_doit,
		.policy	= knetmon_info_policy,
		.maxattr = ARRAY_SIZE(knetmon_info_policy) - 1,
	},
	/* binds.c: GET_BINDS */
	{
		.cmd	= KNETMON_CMD_GET_BINDS,
		.start	= knetmon_nl_get_binds_start,
		.dumpit	= knetmon_nl_get_binds_dumpit,
		.done	= knetmon_nl_get_binds_done,
		.policy	= knetmon_binds_policy,
		.maxattr = ARRAY_SIZE(knetmon_binds_policy) - 1,
		/* the table names other users' processes */
		.flags	= GENL_UNS_ADMIN_PERM,
	},

	/* sockets.c: GET_SOCKETS */

	/* neigh.c, route.c, links.c: GET_NEIGH, GET_ROUTES, GET_LINKS */

};

static const struct genl_multicast_group knetmon_mcgrps[] = {
	[KNETMON_MCGRP_BINDS_ID] = {
		.name	= KNETMON_MCGRP_BINDS,
		/* events name other users' processes and addresses */
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family knetmon_family __ro_after_init = {
	.name		= KNETMON_GENL_NAME,
	.version	= KNETMON_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= knetmon_ops,
	.n_ops		= ARRAY_SIZE(knetmon_ops),
	.mcgrps		= knetmon_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(knetmon_mcgrps),
};

int __init knetmon_genl_init(void)
{
	return genl_register_family(&knetmon_family);
}

void knetmon_genl_exit(void)
{
	genl_unregister_family(&knetmon_family);
}
