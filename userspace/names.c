// SPDX-License-Identifier: GPL-2.0
/* Names for the uapi enums; see names.h. They are part of the JSON output:
 * never rename one, only add. */
#include <stddef.h>

#include <linux/knetmon.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const features[] = {
	[KNETMON_FEAT_BIND_INET]	= "bind_inet",
	[KNETMON_FEAT_BIND_INET6]	= "bind_inet6",
	[KNETMON_FEAT_LISTEN]		= "listen",
	[KNETMON_FEAT_AUTOBIND]		= "autobind",
	[KNETMON_FEAT_RELEASE_INET]	= "release_inet",
	[KNETMON_FEAT_RELEASE_INET6]	= "release_inet6",
	[KNETMON_FEAT_UNIX]		= "unix",
	[KNETMON_FEAT_SOCKETS]		= "sockets",
	[KNETMON_FEAT_OWNERS]		= "owners",
	[KNETMON_FEAT_NEIGH]		= "neigh",
	[KNETMON_FEAT_ROUTES]		= "routes",
	[KNETMON_FEAT_LINKS]		= "links",
	[KNETMON_FEAT_UNIX_RELEASE]	= "unix_release",
	[KNETMON_FEAT_UNIX_AUTOBIND]	= "unix_autobind",
	[KNETMON_FEAT_UNIX_LISTEN]	= "unix_listen",
	[KNETMON_FEAT_TCP_STATE]	= "tcp_state",
	[KNETMON_FEAT_TCP_CONNECT]	= "tcp_connect",
	[KNETMON_FEAT_TCP_ACCEPT]	= "tcp_accept",
	[KNETMON_FEAT_CHANGES]		= "changes",
	[KNETMON_FEAT_CHANGES_RTNL]	= "changes_rtnl",
	[KNETMON_FEAT_UDP_FLOWS]	= "udp_flows",
	[KNETMON_FEAT_PROBES_ON_DEMAND]	= "probes_on_demand",
};

static const char *const counters[] = {
	[KNETMON_A_COUNTER_EVENTS_BIND]		= "events_bind",
	[KNETMON_A_COUNTER_EVENTS_BIND_FAILED]	= "events_bind_failed",
	[KNETMON_A_COUNTER_EVENTS_LISTEN]	= "events_listen",
	[KNETMON_A_COUNTER_EVENTS_AUTOBIND]	= "events_autobind",
	[KNETMON_A_COUNTER_EVENTS_RELEASE]	= "events_release",
	[KNETMON_A_COUNTER_EVENTS_UNSENT]	= "events_unsent",
	[KNETMON_A_COUNTER_PROBES_MISSED]	= "probes_missed",
	[KNETMON_A_COUNTER_TABLE_LIVE]		= "table_live",
	[KNETMON_A_COUNTER_TABLE_OVERFLOW]	= "table_overflow",
	[KNETMON_A_COUNTER_EVENTS_DROPPED]	= "events_dropped",
	[KNETMON_A_COUNTER_TABLE_SEEDED]	= "table_seeded",
	[KNETMON_A_COUNTER_TABLE_STALE]		= "table_stale",
	[KNETMON_A_COUNTER_EVENTS_STATE]	= "events_state",
	[KNETMON_A_COUNTER_EVENTS_CONNECT]	= "events_connect",
	[KNETMON_A_COUNTER_EVENTS_ACCEPT]	= "events_accept",
	[KNETMON_A_COUNTER_EVENTS_CLOSE]	= "events_close",
	[KNETMON_A_COUNTER_CONNS_LIVE]		= "conns_live",
	[KNETMON_A_COUNTER_CONNS_OVERFLOW]	= "conns_overflow",
	[KNETMON_A_COUNTER_CONN_PROBES_MISSED]	= "conn_probes_missed",
	[KNETMON_A_COUNTER_EVENTS_CHANGE]	= "events_change",
	[KNETMON_A_COUNTER_CHANGES_UNHEARD]	= "changes_unheard",
	[KNETMON_A_COUNTER_EVENTS_UDP_FLOW]	= "events_udp_flow",
	[KNETMON_A_COUNTER_UDP_FLOWS_LIVE]	= "udp_flows_live",
	[KNETMON_A_COUNTER_UDP_FLOWS_OVERFLOW]	= "udp_flows_overflow",
};

const char *feature_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(features) ? features[bit] : NULL;
}

const char *counter_name(unsigned int attr)
{
	return attr < ARRAY_SIZE(counters) ? counters[attr] : NULL;
}
