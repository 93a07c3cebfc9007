// SPDX-License-Identifier: GPL-2.0
/*
 * GET_INFO: what this module is, what it can do here, and its counters.
 *
 * Anyone may ask. The counters are global: they tell of every netns's and
 * every user's binds, so only a caller with CAP_NET_ADMIN over the initial
 * user namespace gets them. The bind and connection sequences of the
 * caller's netns and its share of the live-bind table are for that netns's
 * event listeners, who need CAP_NET_ADMIN over its user namespace: others
 * do not get them, nor make the module flush its batches.
 */

#include <linux/moduleparam.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "knetmon.h"

unsigned long knetmon_features;
atomic64_t knetmon_counters[__KNETMON_A_COUNTER_MAX];

static char *fault_probe;
module_param(fault_probe, charp, 0444);
MODULE_PARM_DESC(fault_probe, "testing: comma-separated probe symbols and tracepoints to treat as missing (and netdevice_notifier, rtnl_socket: to fail)");

bool knetmon_fault_injected(const char *name)
{
	const char *p = fault_probe;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static int knetmon_fill_counters(struct sk_buff *skb)
{
	struct nlattr *nest;
	int c;

	knetmon_binds_sync_counters();
	knetmon_conn_probes_sync_counters();
	nest = nla_nest_start(skb, KNETMON_A_INFO_COUNTERS);
	if (!nest)
		return -EMSGSIZE;

	for (c = KNETMON_A_COUNTER_PAD + 1; c <= KNETMON_A_COUNTER_MAX; c++) {
		if (nla_put_u64_64bit(skb, c, atomic64_read(&knetmon_counters[c]),
				      KNETMON_A_COUNTER_PAD))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* The caller's netns: its sequence and its share of the table. */
static int knetmon_fill_netns(struct sk_buff *skb, const struct genl_info *info)
{
	struct net *net = knetmon_genl_info_net(info);
	u64 overflow;
	u32 live;

	knetmon_bind_table_netns_usage(net, &live, &overflow);
	return nla_put_u64_64bit(skb, KNETMON_A_INFO_BINDS_SEQ, knetmon_binds_netns_seq(net),
				 KNETMON_A_INFO_PAD) ||
	       nla_put_u64_64bit(skb, KNETMON_A_INFO_CONNS_SEQ, knetmon_conns_netns_seq(net),
				 KNETMON_A_INFO_PAD) ||
	       nla_put_u64_64bit(skb, KNETMON_A_INFO_CHANGES_SEQ, knetmon_changes_netns_seq(net),
				 KNETMON_A_INFO_PAD) ||
	       nla_put_u32(skb, KNETMON_A_INFO_NETNS_BINDS_LIVE, live) ||
	       nla_put_u64_64bit(skb, KNETMON_A_INFO_NETNS_BINDS_OVERFLOW, overflow,
				 KNETMON_A_INFO_PAD);
}

static int knetmon_fill_info(struct sk_buff *skb, const struct genl_info *info,
			     bool counters, bool netns)
{
	void *hdr;

	hdr = genlmsg_put(skb, info->snd_portid, info->snd_seq, &knetmon_family,
			  0, KNETMON_CMD_GET_INFO);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_string(skb, KNETMON_A_INFO_VERSION, KNETMON_VERSION) ||
	    nla_put_string(skb, KNETMON_A_INFO_KERNEL, init_utsname()->release) ||
	    nla_put_u64_64bit(skb, KNETMON_A_INFO_FEATURES, READ_ONCE(knetmon_features),
			      KNETMON_A_INFO_PAD) ||
	    (netns && knetmon_fill_netns(skb, info)) ||
	    nla_put_u32(skb, KNETMON_A_INFO_BINDS_MAX, knetmon_binds_capacity()) ||
	    nla_put_u32(skb, KNETMON_A_INFO_BINDS_MAX_PER_NETNS, knetmon_binds_netns_capacity()) ||
	    (counters && knetmon_fill_counters(skb)))
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int knetmon_nl_get_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	err = knetmon_fill_info(msg, info, netlink_capable(skb, CAP_NET_ADMIN),
				netlink_net_capable(skb, CAP_NET_ADMIN));
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}
