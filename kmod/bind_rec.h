/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bottom of the bind path: one bind event, or the last state of one
 * live bind, and how it is built and put on the wire. Nothing here knows
 * about the table, sequence numbers or listeners.
 */
#ifndef _KNETMON_BIND_REC_H
#define _KNETMON_BIND_REC_H

#include <linux/sched.h>
#include <linux/un.h>
#include <net/sock.h>

/* Ids as one pid and one user namespace see them. */
struct knetmon_ids {
	u32 pid;		/* 0: the thread is not visible there */
	u32 tgid;		/* 0: nor the process */
	u32 uid;		/* (u32)-1: not mapped there */
};

/* The kinds carried by KNETMON_CMD_CONN_EVENT, on the connection groups. */
static inline bool knetmon_kind_is_conn(u8 kind)
{
	return kind == KNETMON_BIND_KIND_STATE || kind == KNETMON_BIND_KIND_CONNECT ||
	       kind == KNETMON_BIND_KIND_ACCEPT || kind == KNETMON_BIND_KIND_CLOSE ||
	       kind == KNETMON_BIND_KIND_UDP_FLOW;
}

/* KIND_CLOSE: a connection's life, as tcp_info counts it. */
struct knetmon_conn_life {
	u64 bytes_acked;
	u64 bytes_received;
	u64 duration;		/* ns; 0: its start was not seen */
	u32 segs_out;
	u32 segs_in;
	u32 total_retrans;
	u8 closed_by;		/* KNETMON_CLOSED_BY_* */
};

struct knetmon_bind_rec {
	u64 seq;
	u64 time_real;
	u64 time_boot;
	u64 cgroup;
	u64 cookie;		/* module-generated, never a pointer */
	u64 inode;
	u64 netns_cookie;
	u32 pid;		/* as the initial namespaces see them */
	u32 tgid;
	u32 uid;
	struct knetmon_ids view;	/* as a netns's listeners or a dump's caller do */
	bool view_fixed;	/* view set already (a connection's owner) */
	struct pid *pids[2];	/* thread, process: held while in the table */
	kuid_t kuid;
	u32 netns;		/* netns inode */
	u32 ifindex;
	u32 sockopts;
	u32 backlog;
	s32 result;
	u8 kind;
	u8 family;
	u8 type;
	u8 protocol;
	u8 state;		/* TCP_* as of the last event */
	bool preexisting;
	__be16 port;
	__be16 rport;		/* connection events: the peer's */
	u8 old_state;		/* KIND_STATE: TCP_* before */
	u8 flow_via;		/* KIND_UDP_FLOW: KNETMON_FLOW_VIA_* */
	struct knetmon_conn_life life;	/* KIND_CLOSE */
	u8 addr[16];
	u8 raddr[16];
	u8 path_len;		/* AF_UNIX: bytes of path (0: none) */
	char comm[TASK_COMM_LEN];
	char path[UNIX_PATH_MAX];	/* AF_UNIX sun_path; abstract: leading NUL */
};

/* A probed call's IPv4 or IPv6 sockaddr: its port and address (zero if neither). */
void knetmon_sockaddr_read(const struct sockaddr *uaddr, int len, __be16 *port, u8 addr[16]);
/* CLOCK_REALTIME and CLOCK_BOOTTIME now, in ns, read at one instant. */
void knetmon_time_now(u64 *real, u64 *boot);
/* The calling task: clocks, ids, comm, cgroup. Not from NMI context. */
void knetmon_rec_task(struct knetmon_bind_rec *rec);
/* Clocks only, and no ids: an event no task caused (a softirq's). */
void knetmon_rec_clock(struct knetmon_bind_rec *rec);
/* No ids at all: none known (the clocks stay as they are). */
void knetmon_rec_no_ids(struct knetmon_bind_rec *rec);
/* A connection's ends as they are now, for a connection event of KIND. */
void knetmon_rec_tcp_ends(struct knetmon_bind_rec *rec, const struct sock *sk, u8 kind);
/* A connection's ends and TCP states OLD -> NEW, for a STATE event. */
void knetmon_rec_tcp_state(struct knetmon_bind_rec *rec, const struct sock *sk, int old,
			   int new);
/* REC, a STATE event of SK to CLOSE, becomes its CLOSE: counters and who closed. */
void knetmon_rec_tcp_close(struct knetmon_bind_rec *rec, const struct sock *sk);
/* REC's ids as PIDNS (NULL: none visible) and USERNS see them, into rec->view. */
void knetmon_rec_view(struct knetmon_bind_rec *rec, struct pid_namespace *pidns,
		      struct user_namespace *userns);
/* As the listeners of NET see them: see bind_rec.c. */
void knetmon_rec_view_netns(struct knetmon_bind_rec *rec, const struct net *net);
/* Identity, options and current address of SK; inode from SOCK if given. */
void knetmon_rec_sock(struct knetmon_bind_rec *rec, const struct sock *sk,
		      const struct socket *sock);
/* A unix name of LEN bytes, as asked for (a failed bind's report). */
void knetmon_rec_unix_path(struct knetmon_bind_rec *rec, const char *path, int len);
/* VIEW: ids from rec->view, else as the initial namespaces see them. */
int knetmon_bind_fill(struct sk_buff *skb, const struct knetmon_bind_rec *rec, bool view,
		      u32 portid, u32 seq, int flags, u8 cmd, const u64 *dump_seq);

#endif
