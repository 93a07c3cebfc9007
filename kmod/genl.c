// SPDX-License-Identifier: GPL-2.0
/*
 * The knetmon generic netlink family: operations, their request policies
 * and the multicast groups. Each operation's policy admits exactly the
 * request attributes it uses; anything else is rejected by the core with an
 * extack message pointing at the attribute.
 */

#include <net/genetlink.h>
#include <net/tcp_states.h>

#include "knetmon.h"

static const struct nla_policy knetmon_info_policy[KNETMON_REQ_FLAGS + 1] = {
	[KNETMON_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_MASK),
};

/* binds.c policies */
/*
 * Every dump takes a netns selection (netns.c): NETNS_ID or NETNS_FD, or
 * the ALL_NETNS flag. Slots left out of a policy
 * (NLA_UNSPEC) are refused by the core's strict validation with extack.
 */
static const struct nla_policy knetmon_binds_policy[KNETMON_REQ_NETNS_FD + 1] = {
	[KNETMON_REQ_FLAGS]	= NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_ALL_NETNS),
	[KNETMON_REQ_FAMILY]	= { .type = NLA_U8 },
	[KNETMON_REQ_PROTOCOL]	= { .type = NLA_U8 },
	[KNETMON_REQ_PORT]	= { .type = NLA_BE16 },
	[KNETMON_REQ_NETNS_ID]	= { .type = NLA_S32 },
	[KNETMON_REQ_NETNS_FD]	= { .type = NLA_S32 },
};

/* sockets.c policies */
static const struct nla_policy knetmon_sockets_policy[KNETMON_REQ_NETNS_FD + 1] = {
	[KNETMON_REQ_FLAGS]	= NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_OWNERS | KNETMON_REQF_ALL_NETNS |
						   KNETMON_REQF_BRIEF | KNETMON_REQF_TCP_INFO),
	[KNETMON_REQ_NETNS_ID]	= { .type = NLA_S32 },
	[KNETMON_REQ_NETNS_FD]	= { .type = NLA_S32 },
	/*
	 * Ranges and masks only: the core reports a rejected attribute's policy
	 * in the ack, and for a validate function on an integer type that
	 * report WARNs (nla_get_range_unsigned reads the function pointer as
	 * min/max) on both kernels. Values inside these ranges that no table
	 * matches are refused by the dump itself.
	 */
	[KNETMON_REQ_FAMILY]	= NLA_POLICY_RANGE(NLA_U8, AF_UNIX, AF_INET6),
	[KNETMON_REQ_PROTOCOL]	= NLA_POLICY_RANGE(NLA_U8, IPPROTO_TCP, IPPROTO_RAW),
	[KNETMON_REQ_PORT]	= { .type = NLA_BE16 },
	[KNETMON_REQ_STATES]	= NLA_POLICY_MASK(NLA_U32, GENMASK(TCP_CLOSING, TCP_ESTABLISHED)),
};

/* neigh.c, route.c, links.c policies */
/*
 * FAMILY: the range rejects most bad values here; the AF_* values between
 * the two are refused by knetmon_dump_inet_family(), with extack on both
 * kernels too.
 */
static const struct nla_policy knetmon_neigh_policy[KNETMON_REQ_NETNS_FD + 1] = {
	[KNETMON_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_ALL_NETNS),
	[KNETMON_REQ_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[KNETMON_REQ_NETNS_ID] = { .type = NLA_S32 },
	[KNETMON_REQ_NETNS_FD] = { .type = NLA_S32 },
};

static const struct nla_policy knetmon_routes_policy[KNETMON_REQ_NETNS_FD + 1] = {
	[KNETMON_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_ALL_NETNS),
	[KNETMON_REQ_FAMILY] = NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[KNETMON_REQ_TABLE] = NLA_POLICY_MIN(NLA_U32, 1),
	[KNETMON_REQ_NETNS_ID] = { .type = NLA_S32 },
	[KNETMON_REQ_NETNS_FD] = { .type = NLA_S32 },
};

/*
 * FAMILY of a neighbour or route dump: AF_INET or AF_INET6. The policy's
 * range lets the values between the two through; those are refused here,
 * in .start (kept as a refusal) and again in the first dumpit, whose extack
 * 6.1 carries back.
 */
int knetmon_dump_inet_family(struct netlink_callback *cb)
{
	struct nlattr *fam = knetmon_dump_attrs(cb)[KNETMON_REQ_FAMILY];

	if (fam && nla_get_u8(fam) != AF_INET && nla_get_u8(fam) != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(cb->extack, fam, "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	return 0;
}

/* GET_LINKS takes no filter but the netns: anything else is refused. */
static const struct nla_policy knetmon_links_policy[KNETMON_REQ_NETNS_FD + 1] = {
	[KNETMON_REQ_FLAGS] = NLA_POLICY_MASK(NLA_U32, KNETMON_REQF_ALL_NETNS),
	[KNETMON_REQ_NETNS_ID] = { .type = NLA_S32 },
	[KNETMON_REQ_NETNS_FD] = { .type = NLA_S32 },
};

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
	{
		.cmd	= KNETMON_CMD_GET_SOCKETS,
		.start	= knetmon_nl_get_sockets_start,
		.dumpit	= knetmon_nl_get_sockets_dumpit,
		.done	= knetmon_nl_get_sockets_done,
		.policy	= knetmon_sockets_policy,
		.maxattr = ARRAY_SIZE(knetmon_sockets_policy) - 1,
	},

	/* neigh.c, route.c, links.c: GET_NEIGH, GET_ROUTES, GET_LINKS */
	{
		.cmd	= KNETMON_CMD_GET_NEIGH,
		.start	= knetmon_nl_get_neigh_start,
		.dumpit	= knetmon_nl_get_neigh_dumpit,
		.done	= knetmon_nl_get_neigh_done,
		.policy	= knetmon_neigh_policy,
		.maxattr = ARRAY_SIZE(knetmon_neigh_policy) - 1,
	},
	{
		.cmd	= KNETMON_CMD_GET_ROUTES,
		.start	= knetmon_nl_get_routes_start,
		.dumpit	= knetmon_nl_get_routes_dumpit,
		.done	= knetmon_nl_get_routes_done,
		.policy	= knetmon_routes_policy,
		.maxattr = ARRAY_SIZE(knetmon_routes_policy) - 1,
	},
	{
		.cmd	= KNETMON_CMD_GET_LINKS,
		.start	= knetmon_nl_get_links_start,
		.dumpit	= knetmon_nl_get_links_dumpit,
		.done	= knetmon_nl_get_links_done,
		.policy	= knetmon_links_policy,
		.maxattr = ARRAY_SIZE(knetmon_links_policy) - 1,
	},

};

static const struct genl_multicast_group knetmon_mcgrps[] = {
	[KNETMON_MCGRP_BINDS_ID] = {
		.name	= KNETMON_MCGRP_BINDS,
		/* events name other users' processes and addresses */
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	[KNETMON_MCGRP_BINDS_ALL_ID] = {
		.name	= KNETMON_MCGRP_BINDS_ALL,
		/*
		 * CAP_NET_ADMIN over the joining socket's netns; events are sent
		 * into the initial netns only, so only a listener privileged over
		 * the initial user namespace (and so over every netns) gets any.
		 */
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	/* the same two for connection events: who talks to whom */
	[KNETMON_MCGRP_CONNS_ID] = {
		.name	= KNETMON_MCGRP_CONNS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	[KNETMON_MCGRP_CONNS_ALL_ID] = {
		.name	= KNETMON_MCGRP_CONNS_ALL,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	/* and for network changes, which say when a device got its address */
	[KNETMON_MCGRP_CHANGES_ID] = {
		.name	= KNETMON_MCGRP_CHANGES,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
	[KNETMON_MCGRP_CHANGES_ALL_ID] = {
		.name	= KNETMON_MCGRP_CHANGES_ALL,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* Joins and leaves of the connection groups arm their probes (conn_probes.c). */
static int __maybe_unused knetmon_genl_bind(int group)
{
	knetmon_conn_probes_join(group);
	return 0;
}

static void __maybe_unused knetmon_genl_unbind(int group)
{
	knetmon_conn_probes_leave(group);
}

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
	KNETMON_GENL_BIND_OPS(knetmon_genl_bind, knetmon_genl_unbind)
};

int __init knetmon_genl_init(void)
{
	return genl_register_family(&knetmon_family);
}

void knetmon_genl_exit(void)
{
	genl_unregister_family(&knetmon_family);
}
