/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * knetmon: the generic netlink contract between knetmon.ko, the knetmon CLI
 * and the selftests.
 *
 * Rules: every enum starts at 1 (0 is unspec) and only ever grows at its end;
 * nothing is renumbered. One attribute per field, fixed-width integers,
 * ports as big-endian u16, addresses as binary of exactly 4 or 16 bytes next
 * to a family attribute. 64-bit values are padded with the set's _PAD type.
 */
#ifndef _UAPI_LINUX_KNETMON_H
#define _UAPI_LINUX_KNETMON_H

#define KNETMON_GENL_NAME	"knetmon"
#define KNETMON_GENL_VERSION	1

/*
 * Multicast group carrying KNETMON_CMD_BIND_EVENT of the listener's own
 * netns; joining needs CAP_NET_ADMIN over that netns. PID, TGID and UID are
 * as the netns's owner sees them: its user namespace, and the outermost pid
 * namespace of the binder that this user namespace (or one below it) owns;
 * an id not visible there is left out.
 */
#define KNETMON_MCGRP_BINDS	"binds"
/*
 * The bind events of every netns, sent to listeners in the initial netns
 * only; joining needs CAP_NET_ADMIN there (over the initial user namespace).
 * Each event carries its NETNS inode and that netns's own SEQ: gaps are
 * counted per netns. Join one of the two groups, not both.
 */
#define KNETMON_MCGRP_BINDS_ALL	"binds_all"
/*
 * Connection events (KNETMON_CMD_CONN_EVENT), in groups of their own so
 * that a bind listener is not woken by every TCP handshake: "conns" for the
 * listener's own netns, "conns_all" for every netns (from the initial one),
 * with the same permissions and id rules as "binds" and "binds_all". Their
 * SEQ is a sequence of their own, per netns, with the same rule: a number
 * skipped at the sender is an event lost.
 */
#define KNETMON_MCGRP_CONNS	"conns"
#define KNETMON_MCGRP_CONNS_ALL	"conns_all"
/*
 * Network changes (KNETMON_CMD_CHANGE_EVENT): links, addresses,
 * neighbours and routes as the kernel announces them. "changes" for
 * the listener's own netns, "changes_all" for every netns (from the
 * initial one); the same permissions as the groups above, and a sequence
 * of their own per netns with the same rule on gaps.
 */
#define KNETMON_MCGRP_CHANGES	"changes"
#define KNETMON_MCGRP_CHANGES_ALL	"changes_all"

enum knetmon_cmd {
	KNETMON_CMD_UNSPEC,
	KNETMON_CMD_GET_INFO,		/* do: reply knetmon_info_attr */
	KNETMON_CMD_GET_BINDS,		/* dump: knetmon_bind_attr per live bind */
	KNETMON_CMD_BIND_EVENT,		/* multicast: knetmon_bind_attr */
	KNETMON_CMD_GET_SOCKETS,	/* dump: knetmon_sock_attr */
	KNETMON_CMD_GET_NEIGH,		/* dump: knetmon_neigh_attr */
	KNETMON_CMD_GET_ROUTES,		/* dump: knetmon_route_attr */
	KNETMON_CMD_GET_LINKS,		/* dump: knetmon_link_attr */
	KNETMON_CMD_CONN_EVENT,		/* multicast: knetmon_bind_attr, a connection
					 * kind (STATE, CONNECT, ACCEPT, CLOSE) */
	KNETMON_CMD_CHANGE_EVENT,	/* multicast: knetmon_change_attr */

	__KNETMON_CMD_MAX,
};
#define KNETMON_CMD_MAX (__KNETMON_CMD_MAX - 1)

/*
 * Request attributes. One set shared by every command; each command's policy
 * admits only the ones it uses and rejects the rest with an extack message.
 */
enum knetmon_req_attr {
	KNETMON_REQ_UNSPEC,
	KNETMON_REQ_FLAGS,		/* u32: KNETMON_REQF_* */
	KNETMON_REQ_FAMILY,		/* u8: AF_INET, AF_INET6, AF_UNIX */
	KNETMON_REQ_PROTOCOL,		/* u8: IPPROTO_* */
	KNETMON_REQ_PORT,		/* be16: local port */
	KNETMON_REQ_STATES,		/* u32: bitmask of 1 << TCP_* states */
	KNETMON_REQ_NETNS_ID,		/* s32: netns id as the caller sees it */
	KNETMON_REQ_TABLE,		/* u32: routing table id */
	KNETMON_REQ_NETNS_FD,		/* s32: an open netns file of the requester
					 * (/proc/PID/ns/net, /var/run/netns/NAME) */

	__KNETMON_REQ_MAX,
};
#define KNETMON_REQ_MAX (__KNETMON_REQ_MAX - 1)

enum knetmon_req_flags {
	KNETMON_REQF_OWNERS	= 1 << 0,	/* sockets: include owning processes */
	KNETMON_REQF_ALL_NETNS	= 1 << 1,	/* every netns (needs CAP_NET_ADMIN
						 * over the initial user namespace) */
	KNETMON_REQF_BRIEF	= 1 << 2,	/* sockets: what a listing prints:
						 * kind, ends, queues, inode, unix
						 * name and peer, owners if asked;
						 * no uid, netns, ifindex, memory,
						 * drops, timer or retransmits */
	KNETMON_REQF_TCP_INFO	= 1 << 3,	/* sockets: each TCP connection's
						 * lifetime counters (tcp_info's,
						 * read under the socket's lock) */
};
#define KNETMON_REQF_MASK (KNETMON_REQF_OWNERS | KNETMON_REQF_ALL_NETNS | KNETMON_REQF_BRIEF | \
			   KNETMON_REQF_TCP_INFO)

/* GET_INFO reply */
enum knetmon_info_attr {
	KNETMON_A_INFO_UNSPEC,
	KNETMON_A_INFO_PAD,
	KNETMON_A_INFO_VERSION,		/* string: module version */
	KNETMON_A_INFO_KERNEL,		/* string: release of the running kernel */
	KNETMON_A_INFO_FEATURES,	/* u64: bitmask of 1 << KNETMON_FEAT_* */
	KNETMON_A_INFO_COUNTERS,	/* nest: knetmon_counter_attr */
	KNETMON_A_INFO_BINDS_SEQ,	/* u64: sequence number of the last bind event */
	KNETMON_A_INFO_BINDS_MAX,	/* u32: capacity of the live-bind table */
	KNETMON_A_INFO_BINDS_MAX_PER_NETNS,	/* u32: live binds one netns may hold */
	KNETMON_A_INFO_NETNS_BINDS_LIVE,	/* u32: the caller's netns's entries */
	KNETMON_A_INFO_NETNS_BINDS_OVERFLOW,	/* u64: its binds not stored: no room */
	KNETMON_A_INFO_CONNS_SEQ,	/* u64: the caller's netns's last connection event */
	KNETMON_A_INFO_CHANGES_SEQ,	/* u64: the caller's netns's last change event */

	__KNETMON_A_INFO_MAX,
};
#define KNETMON_A_INFO_MAX (__KNETMON_A_INFO_MAX - 1)

/* What this module instance can do on this kernel (bits of INFO_FEATURES). */
enum knetmon_feature {
	KNETMON_FEAT_BIND_INET,		/* kretprobe on inet_bind */
	KNETMON_FEAT_BIND_INET6,	/* kretprobe on inet6_bind */
	KNETMON_FEAT_LISTEN,		/* kretprobe on inet_listen */
	KNETMON_FEAT_AUTOBIND,		/* implicit port acquisition */
	KNETMON_FEAT_RELEASE_INET,	/* kprobe on inet_release */
	KNETMON_FEAT_RELEASE_INET6,	/* kprobe on inet6_release */
	KNETMON_FEAT_UNIX,		/* kretprobe on unix_bind (needs UNIX_RELEASE) */
	KNETMON_FEAT_SOCKETS,		/* GET_SOCKETS */
	KNETMON_FEAT_OWNERS,		/* KNETMON_REQF_OWNERS */
	KNETMON_FEAT_NEIGH,		/* GET_NEIGH */
	KNETMON_FEAT_ROUTES,		/* GET_ROUTES */
	KNETMON_FEAT_LINKS,		/* GET_LINKS */
	KNETMON_FEAT_UNIX_RELEASE,	/* kprobe on unix_release */
	KNETMON_FEAT_UNIX_AUTOBIND,	/* kretprobe on unix_autobind */
	KNETMON_FEAT_UNIX_LISTEN,	/* kretprobe on unix_listen */
	KNETMON_FEAT_TCP_STATE,		/* tracepoint sock:inet_sock_set_state */
	KNETMON_FEAT_TCP_CONNECT,	/* kretprobes on tcp_v4_connect, tcp_v6_connect
					 * (the outcome needs TCP_STATE too) */
	KNETMON_FEAT_TCP_ACCEPT,	/* kretprobe on inet_csk_accept */
	KNETMON_FEAT_CHANGES,		/* netdevice, inetaddr and netevent
					 * notifiers: CHANGE_EVENT of links, IPv4
					 * addresses, neighbours */
	KNETMON_FEAT_CHANGES_RTNL,	/* a kernel rtnetlink socket in each netns:
					 * CHANGE_EVENT of routes, IPv6 addresses */
	KNETMON_FEAT_UDP_FLOWS,		/* kretprobes on udp_sendmsg, udpv6_sendmsg,
					 * ip4_datagram_connect, ip6_datagram_connect,
					 * udp_destroy_sock, udpv6_destroy_sock */
	KNETMON_FEAT_PROBES_ON_DEMAND,	/* the connect, accept and UDP probes are
					 * armed only while a connection group has a
					 * listener (the genl family's bind and unbind
					 * callbacks: 6.12 has them, 6.1 not);
					 * without it they are always armed */

	__KNETMON_FEAT_MAX,
};

/* Nested in INFO_COUNTERS; every value is a u64. */
enum knetmon_counter_attr {
	KNETMON_A_COUNTER_UNSPEC,
	KNETMON_A_COUNTER_PAD,
	KNETMON_A_COUNTER_EVENTS_BIND,		/* successful explicit binds */
	KNETMON_A_COUNTER_EVENTS_BIND_FAILED,	/* failed explicit binds */
	KNETMON_A_COUNTER_EVENTS_LISTEN,
	KNETMON_A_COUNTER_EVENTS_AUTOBIND,
	KNETMON_A_COUNTER_EVENTS_RELEASE,
	KNETMON_A_COUNTER_EVENTS_UNSENT,	/* subscribers existed, no memory */
	KNETMON_A_COUNTER_PROBES_MISSED,	/* kretprobe instances exhausted */
	KNETMON_A_COUNTER_TABLE_LIVE,		/* entries in the live-bind table */
	KNETMON_A_COUNTER_TABLE_OVERFLOW,	/* binds not stored: table full */
	KNETMON_A_COUNTER_EVENTS_DROPPED,	/* refused by a listener's full buffer (listeners
						 * that set NETLINK_BROADCAST_ERROR) */
	KNETMON_A_COUNTER_TABLE_SEEDED,		/* entries found at load (preexisting) */
	KNETMON_A_COUNTER_TABLE_STALE,		/* entries dropped: their socket was freed unseen */
	KNETMON_A_COUNTER_EVENTS_STATE,		/* TCP state changes numbered (someone listened) */
	KNETMON_A_COUNTER_EVENTS_CONNECT,	/* connect attempts and outcomes numbered */
	KNETMON_A_COUNTER_EVENTS_ACCEPT,
	KNETMON_A_COUNTER_EVENTS_CLOSE,
	KNETMON_A_COUNTER_CONNS_LIVE,		/* connections whose owner is kept */
	KNETMON_A_COUNTER_CONNS_OVERFLOW,	/* owners not kept: max_conns reached */
	KNETMON_A_COUNTER_CONN_PROBES_MISSED,	/* connect/accept calls not seen */
	KNETMON_A_COUNTER_EVENTS_CHANGE,	/* network changes numbered (someone listened) */
	KNETMON_A_COUNTER_CHANGES_UNHEARD,	/* netns without route and IPv6 address
						 * events: their socket could not be made */
	KNETMON_A_COUNTER_EVENTS_UDP_FLOW,	/* UDP flows numbered (someone listened) */
	KNETMON_A_COUNTER_UDP_FLOWS_LIVE,	/* socket and peer pairs already reported */
	KNETMON_A_COUNTER_UDP_FLOWS_OVERFLOW,	/* flows not kept (max_udp_flows): such a
						 * flow is reported again at its next send */

	__KNETMON_A_COUNTER_MAX,
};
#define KNETMON_A_COUNTER_MAX (__KNETMON_A_COUNTER_MAX - 1)

/* Kinds of bind events (KNETMON_A_BIND_KIND). */
enum knetmon_bind_kind {
	KNETMON_BIND_KIND_UNSPEC,
	KNETMON_BIND_KIND_BIND,		/* explicit bind(), success or failure */
	KNETMON_BIND_KIND_LISTEN,	/* listen() */
	KNETMON_BIND_KIND_AUTOBIND,	/* port taken implicitly */
	KNETMON_BIND_KIND_RELEASE,	/* last close of a bound socket */
	KNETMON_BIND_KIND_STATE,	/* CONN_EVENT: a TCP socket changed state
					 * (OLD_STATE -> STATE); ids only when a
					 * task made the change, not a softirq */
	KNETMON_BIND_KIND_CONNECT,	/* CONN_EVENT: a TCP connect, twice: the
					 * attempt (RESULT -EINPROGRESS: SYN sent,
					 * or the call's -errno), then its outcome
					 * (0: established, -ECONNREFUSED,
					 * -ETIMEDOUT, -EHOSTUNREACH...,
					 * -ECONNABORTED: closed before an answer),
					 * both with the caller's ids and COOKIE */
	KNETMON_BIND_KIND_ACCEPT,	/* CONN_EVENT: accept() returned this
					 * connection; ids of the acceptor */
	KNETMON_BIND_KIND_CLOSE,	/* CONN_EVENT: an established connection
					 * ended (RESULT 0 or -errno of a reset);
					 * ids of its owner: who connected or
					 * accepted it, left out if unknown */
	KNETMON_BIND_KIND_UDP_FLOW,	/* CONN_EVENT: a UDP socket's first datagram
					 * to a peer, or its connect() to one
					 * (FLOW_VIA says which): once per socket and
					 * peer while someone listens; ids of the
					 * caller. RESULT: 0, or connect()'s -errno */

	__KNETMON_BIND_KIND_MAX,
};

/* KNETMON_A_BIND_CLOSED_BY */
enum knetmon_closed_by {
	KNETMON_CLOSED_BY_LOCAL = 1,	/* this end sent FIN first, or aborted */
	KNETMON_CLOSED_BY_REMOTE,	/* the peer's FIN or reset came first */
};

/* KNETMON_A_BIND_FLOW_VIA: how a UDP flow began */
enum knetmon_flow_via {
	KNETMON_FLOW_VIA_SEND = 1,	/* a datagram sent to the peer */
	KNETMON_FLOW_VIA_CONNECT,	/* connect() to the peer */
};

/* Socket options in effect at bind time (KNETMON_A_BIND_SOCKOPTS). */
enum knetmon_sockopt {
	KNETMON_SOCKOPT_REUSEADDR	= 1 << 0,
	KNETMON_SOCKOPT_REUSEPORT	= 1 << 1,
	KNETMON_SOCKOPT_FREEBIND	= 1 << 2,
	KNETMON_SOCKOPT_TRANSPARENT	= 1 << 3,
	KNETMON_SOCKOPT_V6ONLY		= 1 << 4,
};

/*
 * A bind event, or one entry of the live-bind table (GET_BINDS: ids as the
 * caller's pid and user namespaces see them, left out where not visible).
 * A SEQ skipped at the sender means events were lost: a probe missed a call
 * (PROBES_MISSED) and the table may be stale until the module is reloaded.
 */
enum knetmon_bind_attr {
	KNETMON_A_BIND_UNSPEC,
	KNETMON_A_BIND_PAD,
	KNETMON_A_BIND_SEQ,		/* u64: event sequence number, per netns */
	KNETMON_A_BIND_KIND,		/* u8: KNETMON_BIND_KIND_* */
	KNETMON_A_BIND_RESULT,		/* s32: 0 or -errno */
	KNETMON_A_BIND_TIME_REAL,	/* u64: CLOCK_REALTIME ns */
	KNETMON_A_BIND_TIME_BOOT,	/* u64: CLOCK_BOOTTIME ns */
	KNETMON_A_BIND_PID,		/* u32: thread id */
	KNETMON_A_BIND_TGID,		/* u32: process id */
	KNETMON_A_BIND_UID,		/* u32: uid (binds_all: in the initial user ns) */
	KNETMON_A_BIND_COMM,		/* string */
	KNETMON_A_BIND_NETNS,		/* u32: netns inode */
	KNETMON_A_BIND_CGROUP,		/* u64: cgroup v2 id */
	KNETMON_A_BIND_FAMILY,		/* u8: AF_* */
	KNETMON_A_BIND_TYPE,		/* u8: SOCK_* */
	KNETMON_A_BIND_PROTOCOL,	/* u8: IPPROTO_* */
	KNETMON_A_BIND_ADDR,		/* binary 4 or 16: local address */
	KNETMON_A_BIND_PORT,		/* be16: local port actually bound */
	KNETMON_A_BIND_UNIX_PATH,	/* binary: sun_path; abstract names start with NUL */
	KNETMON_A_BIND_IFINDEX,		/* u32: bound device */
	KNETMON_A_BIND_SOCKOPTS,	/* u32: KNETMON_SOCKOPT_* */
	KNETMON_A_BIND_COOKIE,		/* u64: ties a release to its bind */
	KNETMON_A_BIND_INODE,		/* u64: socket inode */
	KNETMON_A_BIND_BACKLOG,		/* u32: listen() backlog */
	KNETMON_A_BIND_PREEXISTING,	/* flag: bound before the module loaded */
	KNETMON_A_BIND_STATE,		/* u8: TCP_* state at dump time; KIND_STATE: the new one */
	KNETMON_A_BIND_DUMP_SEQ,	/* u64: dump consistent with events <= this */
	KNETMON_A_BIND_NETNS_COOKIE,	/* u64: netns cookie (inodes are reused) */
	KNETMON_A_BIND_REMOTE_ADDR,	/* binary 4 or 16: CONN_EVENT: peer address */
	KNETMON_A_BIND_REMOTE_PORT,	/* be16: CONN_EVENT: peer port */
	KNETMON_A_BIND_OLD_STATE,	/* u8: KIND_STATE: TCP_* before the change */
	/* KIND_CLOSE: the connection's life, as tcp_info counts it */
	KNETMON_A_BIND_BYTES_ACKED,	/* u64: sent and acknowledged (SYN and FIN count 1) */
	KNETMON_A_BIND_BYTES_RECEIVED,	/* u64: received in order (the peer's FIN counts 1) */
	KNETMON_A_BIND_SEGS_OUT,	/* u32 */
	KNETMON_A_BIND_SEGS_IN,		/* u32 */
	KNETMON_A_BIND_TOTAL_RETRANS,	/* u32 */
	KNETMON_A_BIND_DURATION_NS,	/* u64: since connect() or the SYN; absent if unseen */
	KNETMON_A_BIND_CLOSED_BY,	/* u8: KNETMON_CLOSED_BY_*: whose FIN or reset came first */
	KNETMON_A_BIND_FLOW_VIA,	/* u8: KIND_UDP_FLOW: KNETMON_FLOW_VIA_* */

	__KNETMON_A_BIND_MAX,
};
#define KNETMON_A_BIND_MAX (__KNETMON_A_BIND_MAX - 1)

/* One socket of GET_SOCKETS. */
enum knetmon_sock_attr {
	KNETMON_A_SOCK_UNSPEC,
	KNETMON_A_SOCK_PAD,
	KNETMON_A_SOCK_FAMILY,		/* u8 */
	KNETMON_A_SOCK_TYPE,		/* u8: SOCK_* */
	KNETMON_A_SOCK_PROTOCOL,	/* u8: IPPROTO_* */
	KNETMON_A_SOCK_STATE,		/* u8: TCP_* (time-wait: its substate; unix: sk_state, TCP_LISTEN/ESTABLISHED/CLOSE) */
	KNETMON_A_SOCK_LOCAL_ADDR,	/* binary 4 or 16 */
	KNETMON_A_SOCK_LOCAL_PORT,	/* be16 */
	KNETMON_A_SOCK_REMOTE_ADDR,	/* binary 4 or 16 */
	KNETMON_A_SOCK_REMOTE_PORT,	/* be16 */
	KNETMON_A_SOCK_RQUEUE,		/* u32: unread bytes; listeners: accept queue */
	KNETMON_A_SOCK_WQUEUE,		/* u32: unsent bytes; listeners: backlog max */
	KNETMON_A_SOCK_UID,		/* u32 */
	KNETMON_A_SOCK_INODE,		/* u64 */
	KNETMON_A_SOCK_NETNS,		/* u32: netns inode */
	KNETMON_A_SOCK_IFINDEX,		/* u32: bound device */
	KNETMON_A_SOCK_RMEM_ALLOC,	/* u32 */
	KNETMON_A_SOCK_RCVBUF,		/* u32 */
	KNETMON_A_SOCK_WMEM_QUEUED,	/* u32 */
	KNETMON_A_SOCK_SNDBUF,		/* u32 */
	KNETMON_A_SOCK_DROPS,		/* u32 */
	KNETMON_A_SOCK_RETRANSMITS,	/* u32: TCP retransmits of the head segment */
	KNETMON_A_SOCK_TIMER,		/* u8: as /proc/net/tcp "tr" */
	KNETMON_A_SOCK_TIMER_MS,	/* u32: ms until the timer fires */
	KNETMON_A_SOCK_UNIX_PATH,	/* binary: sun_path; abstract names start with NUL */
	KNETMON_A_SOCK_UNIX_PEER,	/* u64: peer socket inode */
	KNETMON_A_SOCK_OWNERS,		/* nest: KNETMON_A_OWNER entries */
	KNETMON_A_SOCK_OWNERS_TOTAL,	/* u32: holders in all; OWNERS lists at most 256 */
	/* KNETMON_REQF_TCP_INFO, a TCP socket not listening: as the close event has them */
	KNETMON_A_SOCK_BYTES_ACKED,	/* u64 */
	KNETMON_A_SOCK_BYTES_RECEIVED,	/* u64 */
	KNETMON_A_SOCK_SEGS_OUT,	/* u32 */
	KNETMON_A_SOCK_SEGS_IN,		/* u32 */
	KNETMON_A_SOCK_TOTAL_RETRANS,	/* u32 */

	__KNETMON_A_SOCK_MAX,
};
#define KNETMON_A_SOCK_MAX (__KNETMON_A_SOCK_MAX - 1)

/* KNETMON_A_SOCK_OWNERS holds one KNETMON_A_OWNER nest per holder. */
enum knetmon_owner_attr {
	KNETMON_A_OWNER_UNSPEC,
	KNETMON_A_OWNER,		/* nest of the attributes below */
	KNETMON_A_OWNER_PID,		/* u32: tgid */
	KNETMON_A_OWNER_COMM,		/* string */
	KNETMON_A_OWNER_FD,		/* u32 */

	__KNETMON_A_OWNER_MAX,
};
#define KNETMON_A_OWNER_MAX (__KNETMON_A_OWNER_MAX - 1)

/* One ARP or NDP entry of GET_NEIGH. */
enum knetmon_neigh_attr {
	KNETMON_A_NEIGH_UNSPEC,
	KNETMON_A_NEIGH_FAMILY,		/* u8 */
	KNETMON_A_NEIGH_ADDR,		/* binary 4 or 16 */
	KNETMON_A_NEIGH_LLADDR,		/* binary: link-layer address */
	KNETMON_A_NEIGH_IFINDEX,	/* u32 */
	KNETMON_A_NEIGH_STATE,		/* u16: NUD_* */
	KNETMON_A_NEIGH_FLAGS,		/* u8: NTF_* */
	KNETMON_A_NEIGH_USED_MS,	/* u32: ms since last used */
	KNETMON_A_NEIGH_CONFIRMED_MS,	/* u32: ms since last confirmed */
	KNETMON_A_NEIGH_UPDATED_MS,	/* u32: ms since last updated */
	KNETMON_A_NEIGH_NETNS,		/* u32: netns inode */

	__KNETMON_A_NEIGH_MAX,
};
#define KNETMON_A_NEIGH_MAX (__KNETMON_A_NEIGH_MAX - 1)

/* One route of GET_ROUTES. */
enum knetmon_route_attr {
	KNETMON_A_ROUTE_UNSPEC,
	KNETMON_A_ROUTE_FAMILY,		/* u8 */
	KNETMON_A_ROUTE_TABLE,		/* u32 */
	KNETMON_A_ROUTE_DST,		/* binary 4 or 16 */
	KNETMON_A_ROUTE_DST_LEN,	/* u8: prefix length */
	KNETMON_A_ROUTE_PRIORITY,	/* u32: metric */
	KNETMON_A_ROUTE_PROTOCOL,	/* u8: RTPROT_* */
	KNETMON_A_ROUTE_SCOPE,		/* u8: RT_SCOPE_* */
	KNETMON_A_ROUTE_TYPE,		/* u8: RTN_* */
	KNETMON_A_ROUTE_PREFSRC,	/* binary 4 or 16 */
	KNETMON_A_ROUTE_TOS,		/* u8 */
	KNETMON_A_ROUTE_NEXTHOPS,	/* nest: KNETMON_A_NH entries */
	KNETMON_A_ROUTE_NETNS,		/* u32: netns inode */
	KNETMON_A_ROUTE_NH_ID,		/* u32: the nexthop object (ip route ... nhid N) */

	__KNETMON_A_ROUTE_MAX,
};
#define KNETMON_A_ROUTE_MAX (__KNETMON_A_ROUTE_MAX - 1)

/* KNETMON_A_ROUTE_NEXTHOPS holds one KNETMON_A_NH nest per next hop. */
enum knetmon_nh_attr {
	KNETMON_A_NH_UNSPEC,
	KNETMON_A_NH,			/* nest of the attributes below */
	KNETMON_A_NH_GATEWAY,		/* binary 4 or 16 */
	KNETMON_A_NH_IFINDEX,		/* u32 */
	KNETMON_A_NH_WEIGHT,		/* u32 */
	KNETMON_A_NH_FLAGS,		/* u32: RTNH_F_* */
	KNETMON_A_NH_GATEWAY_FAMILY,	/* u8: AF_INET or AF_INET6, with a gateway; may differ
					 * from the route's (RTA_VIA: 10.0.0.0/8 via inet6 fe80::1) */

	__KNETMON_A_NH_MAX,
};
#define KNETMON_A_NH_MAX (__KNETMON_A_NH_MAX - 1)

/* One interface of GET_LINKS. */
enum knetmon_link_attr {
	KNETMON_A_LINK_UNSPEC,
	KNETMON_A_LINK_PAD,
	KNETMON_A_LINK_IFINDEX,		/* u32 */
	KNETMON_A_LINK_NAME,		/* string */
	KNETMON_A_LINK_FLAGS,		/* u32: IFF_* as dev_get_flags() */
	KNETMON_A_LINK_MTU,		/* u32 */
	KNETMON_A_LINK_ADDRESS,		/* binary: hardware address */
	KNETMON_A_LINK_BROADCAST,	/* binary: hardware broadcast address */
	KNETMON_A_LINK_TXQLEN,		/* u32 */
	KNETMON_A_LINK_TYPE,		/* u16: ARPHRD_* */
	KNETMON_A_LINK_OPERSTATE,	/* u8: IF_OPER_* */
	KNETMON_A_LINK_STATS,		/* nest: knetmon_stats_attr */
	KNETMON_A_LINK_ADDRS,		/* nest: KNETMON_A_ADDR entries */
	KNETMON_A_LINK_NETNS,		/* u32: netns inode */

	__KNETMON_A_LINK_MAX,
};
#define KNETMON_A_LINK_MAX (__KNETMON_A_LINK_MAX - 1)

/* Nested in LINK_STATS; every value is a u64. */
enum knetmon_stats_attr {
	KNETMON_A_STATS_UNSPEC,
	KNETMON_A_STATS_PAD,
	KNETMON_A_STATS_RX_PACKETS,
	KNETMON_A_STATS_TX_PACKETS,
	KNETMON_A_STATS_RX_BYTES,
	KNETMON_A_STATS_TX_BYTES,
	KNETMON_A_STATS_RX_ERRORS,
	KNETMON_A_STATS_TX_ERRORS,
	KNETMON_A_STATS_RX_DROPPED,
	KNETMON_A_STATS_TX_DROPPED,

	__KNETMON_A_STATS_MAX,
};
#define KNETMON_A_STATS_MAX (__KNETMON_A_STATS_MAX - 1)

/* KNETMON_A_LINK_ADDRS holds one KNETMON_A_ADDR nest per address. */
enum knetmon_addr_attr {
	KNETMON_A_ADDR_UNSPEC,
	KNETMON_A_ADDR,			/* nest of the attributes below */
	KNETMON_A_ADDR_FAMILY,		/* u8 */
	KNETMON_A_ADDR_ADDRESS,		/* binary 4 or 16 */
	KNETMON_A_ADDR_PREFIXLEN,	/* u8 */
	KNETMON_A_ADDR_SCOPE,		/* u8: RT_SCOPE_* */
	KNETMON_A_ADDR_FLAGS,		/* u32: IFA_F_* */

	__KNETMON_A_ADDR_MAX,
};
#define KNETMON_A_ADDR_MAX (__KNETMON_A_ADDR_MAX - 1)

/* Kinds of network changes (KNETMON_A_CHANGE_KIND). */
enum knetmon_change_kind {
	KNETMON_CHANGE_KIND_UNSPEC,
	KNETMON_CHANGE_KIND_LINK_NEW,	/* registered, or moved into this netns */
	KNETMON_CHANGE_KIND_LINK_DEL,	/* unregistered, or moved out */
	KNETMON_CHANGE_KIND_LINK,	/* changed: CHANGE_LINK_WHAT says how; the
					 * LINK nest holds its state after it */
	KNETMON_CHANGE_KIND_ADDR_NEW,	/* an address added. IPv6 as rtnetlink
					 * announces it: when added, with
					 * IFA_F_TENTATIVE while duplicate address
					 * detection runs, again once it is usable
					 * (the flag gone), and on later changes
					 * (lifetimes) */
	KNETMON_CHANGE_KIND_ADDR_DEL,	/* an address removed */
	KNETMON_CHANGE_KIND_NEIGH,	/* a neighbour entry made or updated */
	KNETMON_CHANGE_KIND_NEIGH_DEL,	/* a neighbour entry removed */
	KNETMON_CHANGE_KIND_ROUTE_NEW,	/* a route added or replaced (as RTM_NEWROUTE) */
	KNETMON_CHANGE_KIND_ROUTE_DEL,	/* a route removed (as RTM_DELROUTE) */

	__KNETMON_CHANGE_KIND_MAX,
};

/* KNETMON_A_CHANGE_LINK_WHAT: the notifier's reason for KIND_LINK. */
enum knetmon_link_change {
	KNETMON_LINK_CHANGE_UNSPEC,
	KNETMON_LINK_CHANGE_UP,		/* brought up */
	KNETMON_LINK_CHANGE_DOWN,	/* brought down */
	KNETMON_LINK_CHANGE_STATE,	/* flags or carrier (operstate) */
	KNETMON_LINK_CHANGE_NAME,	/* renamed: the nest has the new name */
	KNETMON_LINK_CHANGE_MTU,
	KNETMON_LINK_CHANGE_ADDRESS,	/* hardware address */

	__KNETMON_LINK_CHANGE_MAX,
};

/*
 * A network change. IFINDEX and IFNAME name the link of every kind; the
 * nest that matches the kind holds the object with the attributes of its
 * dump: LINK (knetmon_link_attr: FLAGS, MTU, ADDRESS, TYPE, OPERSTATE),
 * ADDR (knetmon_addr_attr: FAMILY, ADDRESS, PREFIXLEN, SCOPE, FLAGS),
 * NEIGH (knetmon_neigh_attr: FAMILY, ADDR, LLADDR, STATE, FLAGS), ROUTE
 * (knetmon_route_attr, every one a GET_ROUTES record has; IFINDEX is then
 * the first next hop's device, if it has one).
 */
enum knetmon_change_attr {
	KNETMON_A_CHANGE_UNSPEC,
	KNETMON_A_CHANGE_PAD,
	KNETMON_A_CHANGE_SEQ,		/* u64: per netns, as bind events' */
	KNETMON_A_CHANGE_KIND,		/* u8: KNETMON_CHANGE_KIND_* */
	KNETMON_A_CHANGE_TIME_REAL,	/* u64: CLOCK_REALTIME ns */
	KNETMON_A_CHANGE_TIME_BOOT,	/* u64: CLOCK_BOOTTIME ns */
	KNETMON_A_CHANGE_NETNS,		/* u32: netns inode */
	KNETMON_A_CHANGE_NETNS_COOKIE,	/* u64 */
	KNETMON_A_CHANGE_IFINDEX,	/* u32 */
	KNETMON_A_CHANGE_IFNAME,	/* string */
	KNETMON_A_CHANGE_LINK_WHAT,	/* u8: KNETMON_LINK_CHANGE_*, KIND_LINK only */
	KNETMON_A_CHANGE_LINK,		/* nest: knetmon_link_attr */
	KNETMON_A_CHANGE_ADDR,		/* nest: knetmon_addr_attr */
	KNETMON_A_CHANGE_NEIGH,		/* nest: knetmon_neigh_attr */
	KNETMON_A_CHANGE_ROUTE,		/* nest: knetmon_route_attr, as GET_ROUTES */

	__KNETMON_A_CHANGE_MAX,
};
#define KNETMON_A_CHANGE_MAX (__KNETMON_A_CHANGE_MAX - 1)

#endif /* _UAPI_LINUX_KNETMON_H */
