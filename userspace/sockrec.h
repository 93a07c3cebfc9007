/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GET_SOCKETS for the CLI views (netstat, queues): request the dump and
 * decode each record into a struct kn_sock, with the names netstat uses.
 */
#ifndef KNETMON_SOCKREC_H
#define KNETMON_SOCKREC_H

#include <stdbool.h>
#include <stdint.h>

#define KN_SOCK_MAX_OWNERS 64

struct kn_owner {
	uint32_t pid;
	uint32_t fd;
	char comm[17];
};

struct kn_sock {
	uint8_t family, type, protocol, state;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;		/* host order */
	uint32_t rq, wq, uid, netns, ifindex;
	uint32_t rmem, rcvbuf, wmem, sndbuf, drops, retrans, timer_ms;
	uint8_t timer;
	uint64_t inode, peer;
	/* req->tcp_info, TCP not listening: the connection's counters */
	bool has_life;
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_out, segs_in, total_retrans;
	char path[108 + 1];  		/* unix: abstract names start with '@' */
	unsigned int n_owners;		/* listed; may exceed KN_SOCK_MAX_OWNERS */
	unsigned int owners_total;	/* holders in all (the kernel lists 256) */
	struct kn_owner owners[KN_SOCK_MAX_OWNERS];
};

/* Request filters; zero fields are not sent. */
struct kn_sock_req {
	uint8_t family, protocol;
	uint16_t port;			/* host order */
	uint32_t states;
	bool owners;
	bool brief;	/* KNETMON_REQF_BRIEF: no uid, netns, ifindex, memory,
			 * drops, timer or retransmits (left 0) */
	bool tcp_info;	/* KNETMON_REQF_TCP_INFO: connections' counters */
};

typedef int (*kn_sock_fn)(const struct kn_sock *s, void *arg);

struct kn_nl;

/*
 * Dump the sockets through NL (of its netns selection, or of every netns
 * with nl->all_netns); FN for each. Returns 0 or a KN_EXIT_* code.
 */
int kn_sockets(struct kn_nl *nl, const struct kn_sock_req *req, kn_sock_fn fn, void *arg);

const char *kn_sock_proto(const struct kn_sock *s);	/* tcp, udp6, raw, unix ... */
const char *kn_sock_type(uint8_t type);			/* stream, dgram ... */
const char *kn_tcp_state(uint8_t state);		/* ESTABLISHED ... */
bool kn_sock_is_inet(const struct kn_sock *s);
/* Address as text: 127.0.0.1, ::1 */
void kn_sock_addr(const struct kn_sock *s, bool local, char *buf, size_t len);

#endif
