// SPDX-License-Identifier: GPL-2.0
/*
 * GET_SOCKETS: every TCP, UDP, raw and AF_UNIX socket of the caller's
 * network namespace, of the one it names, or of every netns
 * (KNETMON_REQF_ALL_NETNS; netns.c says who may), walked in the kernel's own
 * hash tables; each record names its netns by inode. Some tables are one
 * for every netns (raw, TCP listeners, on 6.1 also TCP and UDP unless a
 * netns asked for its own), others per netns (unix, 6.12's UDP): for every
 * netns, a table is walked once per distinct set of chains, taking every
 * socket in it, so the dump costs the sockets, not sockets times netns.
 *
 * Tables are walked in a fixed order (TCP listeners, TCP established and
 * time-wait, UDP, raw v4, raw v6, unix), bucket by bucket, much as inet_diag
 * does, but a bucket is collected whole, under one hold of its lock: a
 * reference on every wanted socket in it, into an array sized by a count
 * taken under the same lock (grown and collected again if the bucket grew
 * meanwhile). The records are filled outside the lock from that array and
 * the references dropped once sent. So a bucket is one snapshot: a socket
 * inserted at the chain head while the dump runs cannot shift a resume
 * index and make a stable socket be skipped or repeated.
 *
 * The cursor in cb->ctx is (netns, table, bucket) plus the bucket's array.
 * A bucket that does not fit in the rest of an skb is trimmed and sent from
 * the start of the next one; only a bucket larger than a whole skb is split,
 * and its remaining sockets stay referenced in the array until the next
 * dumpit call sends them. That pins at most one bucket's sockets per dump,
 * for as long as its reader waits; the array is charged to the caller.
 *
 * Records are filled by the table they were found in, never by
 * sk_protocol: socket(AF_INET, SOCK_RAW, IPPROTO_UDP) is a raw_sock with
 * sk_protocol 17, and reading it as a udp_sock reads past its end.
 */

#include <linux/netlink.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/af_unix.h>
#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>
#include <net/ipv6.h>
#include <net/raw.h>
#include <net/rawv6.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>

#include "knetmon.h"
#include "owners.h"

/* Room for a bucket's sockets at first; grown to the largest bucket seen. */
#define SK_HELD_INITIAL	64
/* Collections of one bucket that found it grown since its count. */
#define SK_COLLECT_TRIES	8

enum sk_table {
	SK_TABLE_TCP_LISTEN,
	SK_TABLE_TCP_EHASH,
	SK_TABLE_UDP,
	SK_TABLE_RAW4,
	SK_TABLE_RAW6,
	SK_TABLE_UNIX,
	SK_TABLE_END,
};

/* Request, filters and scratch space of one dump, from .start to .done. */
struct sk_dump {
	struct net *net;		/* the netns being walked: one of nets[] */
	bool any_net;			/* every netns wanted: net only names the chains */
	struct net **nets;		/* held until .done */
	int n_nets;
	struct user_namespace *user_ns;	/* of the caller's socket: uids as it sees them */
	struct knetmon_owners *owners;	/* NULL unless KNETMON_REQF_OWNERS */
	bool brief;			/* KNETMON_REQF_BRIEF: a listing's fields */
	bool tcp_info;			/* KNETMON_REQF_TCP_INFO: lifetime counters */
	u32 states;			/* 1 << TCP_*; 0: every state */
	u8 family;			/* 0: every family */
	u8 protocol;			/* 0: every table */
	__be16 port;			/* 0: every local port */
	/* the bucket being sent: referenced sockets, held[next..n) not yet sent */
	struct sock **held;
	u32 cap, n, next;
};

struct sk_dump_ctx {
	struct sk_dump *d;
	int refused;	/* -errno kept by .start (6.1), reported by dumpit */
	u32 net_idx;	/* index into d->nets */
	u32 table;
	u32 bucket;	/* its sockets are d->held when d->n > 0 */
};

static struct sk_dump_ctx *sk_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct sk_dump_ctx);
	return (struct sk_dump_ctx *)cb->ctx;
}

/*
 * collect() references the wanted sockets of BUCKET into d->held, at most
 * d->cap of them, and returns how many it referenced; *wanted counts every
 * wanted socket of the bucket, so *wanted > d->cap means "grow and retry".
 */
struct sk_table_ops {
	const void *(*chains)(const struct sk_dump *d);	/* d->net's bucket array */
	u32 (*size)(const struct sk_dump *d);
	u32 (*collect)(struct sk_dump *d, u32 bucket, u32 *wanted);
	int (*fill)(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk);
};

/* ---- filters ---- */

/* State as /proc/net/tcp shows it: the substate of a time-wait socket. */
static int sk_shown_state(const struct sock *sk)
{
	if (sk->sk_state == TCP_TIME_WAIT)
		return inet_twsk(sk)->tw_substate;
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		return TCP_SYN_RECV;
	return inet_sk_state_load(sk);
}

static bool sk_wanted(const struct sk_dump *d, const struct sock *sk)
{
	if (!d->any_net && !net_eq(sock_net(sk), d->net))
		return false;
	if (d->family && sk->sk_family != d->family)
		return false;
	if (d->states && !(d->states & BIT(sk_shown_state(sk))))
		return false;
	if (d->port && (sk->sk_family == AF_UNIX || htons(sk->sk_num) != d->port))
		return false;
	return true;
}

/* Reference SK into d->held if wanted and there is room; count it if wanted. */
static void sk_hold_add(struct sk_dump *d, struct sock *sk, u32 *n, u32 *wanted)
{
	if (!sk_wanted(d, sk))
		return;
	/* a zero count is a socket on its way out of the table: not listed */
	if (*n < d->cap) {
		if (!refcount_inc_not_zero(&sk->sk_refcnt))
			return;
		d->held[(*n)++] = sk;
	}
	(*wanted)++;
}

/* ---- TCP ---- */

static struct inet_hashinfo *sk_tcp_hashinfo(const struct sk_dump *d)
{
	return d->net->ipv4.tcp_death_row.hashinfo;
}

static const void *sk_tcp_listen_chains(const struct sk_dump *d)
{
	return sk_tcp_hashinfo(d)->lhash2;
}

static u32 sk_tcp_listen_size(const struct sk_dump *d)
{
	return sk_tcp_hashinfo(d)->lhash2_mask + 1;
}

static u32 sk_tcp_listen_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	struct inet_listen_hashbucket *ilb = &sk_tcp_hashinfo(d)->lhash2[bucket];
	struct hlist_nulls_node *node;
	struct sock *sk;
	u32 n = 0;

	if (hlist_nulls_empty(&ilb->nulls_head))
		return 0;
	spin_lock(&ilb->lock);
	sk_nulls_for_each(sk, node, &ilb->nulls_head)
		sk_hold_add(d, sk, &n, wanted);
	spin_unlock(&ilb->lock);
	return n;
}

static const void *sk_tcp_ehash_chains(const struct sk_dump *d)
{
	return sk_tcp_hashinfo(d)->ehash;
}

static u32 sk_tcp_ehash_size(const struct sk_dump *d)
{
	return sk_tcp_hashinfo(d)->ehash_mask + 1;
}

/* Established, time-wait and request sockets share the ehash chains. */
static u32 sk_tcp_ehash_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	struct inet_hashinfo *h = sk_tcp_hashinfo(d);
	struct inet_ehash_bucket *head = &h->ehash[bucket];
	spinlock_t *lock = inet_ehash_lockp(h, bucket);
	struct hlist_nulls_node *node;
	struct sock *sk;
	u32 n = 0;

	if (hlist_nulls_empty(&head->chain))
		return 0;
	spin_lock_bh(lock);
	sk_nulls_for_each(sk, node, &head->chain)
		sk_hold_add(d, sk, &n, wanted);
	spin_unlock_bh(lock);
	return n;
}

/* ---- UDP (v4 and v6 share the table) ---- */

static const void *sk_udp_chains(const struct sk_dump *d)
{
	return knetmon_udp_table(d->net)->hash;
}

static u32 sk_udp_size(const struct sk_dump *d)
{
	return knetmon_udp_table(d->net)->mask + 1;
}

static u32 sk_udp_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	struct udp_hslot *hslot = &knetmon_udp_table(d->net)->hash[bucket];
	struct sock *sk;
	u32 n = 0;

	if (hlist_empty(&hslot->head))
		return 0;
	spin_lock_bh(&hslot->lock);
	sk_for_each(sk, &hslot->head)
		sk_hold_add(d, sk, &n, wanted);
	spin_unlock_bh(&hslot->lock);
	return n;
}

/* ---- raw ---- */

static const void *sk_raw4_chains(const struct sk_dump *d)
{
	return &raw_v4_hashinfo;
}

static const void *sk_raw6_chains(const struct sk_dump *d)
{
	return &raw_v6_hashinfo;
}

static u32 sk_raw_size(const struct sk_dump *d)
{
	return RAW_HTABLE_SIZE;
}

static u32 sk_raw_collect(struct raw_hashinfo *h, struct sk_dump *d, u32 bucket, u32 *wanted)
{
	struct sock *sk;
	u32 n = 0;

	if (hlist_empty(&h->ht[bucket]))
		return 0;
	/* writers take it in process context only (raw_hash_sk) */
	spin_lock(&h->lock);
	sk_for_each(sk, &h->ht[bucket])
		sk_hold_add(d, sk, &n, wanted);
	spin_unlock(&h->lock);
	return n;
}

static u32 sk_raw4_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	return sk_raw_collect(&raw_v4_hashinfo, d, bucket, wanted);
}

static u32 sk_raw6_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	return sk_raw_collect(&raw_v6_hashinfo, d, bucket, wanted);
}

/* ---- unix (per-netns table, bound and unbound sockets alike) ---- */

static const void *sk_unix_chains(const struct sk_dump *d)
{
	return d->net->unx.table.buckets;
}

static u32 sk_unix_size(const struct sk_dump *d)
{
	return UNIX_HASH_SIZE;
}

static u32 sk_unix_collect(struct sk_dump *d, u32 bucket, u32 *wanted)
{
	struct hlist_head *head = &d->net->unx.table.buckets[bucket];
	spinlock_t *lock = &d->net->unx.table.locks[bucket];
	struct sock *sk;
	u32 n = 0;

	if (hlist_empty(head))
		return 0;
	spin_lock(lock);
	sk_for_each(sk, head)
		sk_hold_add(d, sk, &n, wanted);
	spin_unlock(lock);
	return n;
}

static bool sk_table_wanted(const struct sk_dump *d, enum sk_table t)
{
	u8 fam = t == SK_TABLE_RAW4 ? AF_INET : t == SK_TABLE_RAW6 ? AF_INET6 :
		 t == SK_TABLE_UNIX ? AF_UNIX : 0;
	u8 proto = t <= SK_TABLE_TCP_EHASH ? IPPROTO_TCP : t == SK_TABLE_UDP ? IPPROTO_UDP :
		   t == SK_TABLE_UNIX ? 0 : IPPROTO_RAW;

	if (d->family == AF_UNIX && t != SK_TABLE_UNIX)
		return false;
	if (d->family && fam && d->family != fam)
		return false;
	if (d->protocol && d->protocol != proto)
		return false;
	/* unix sockets have no port: a port filter leaves them out */
	return !(d->port && t == SK_TABLE_UNIX);
}

/* ---- fill: one function per record kind ---- */

static int sk_put_inet_ends(struct sk_buff *skb, const struct sk_dump *d,
			    const struct sock *sk)
{
	if (sk->sk_family == AF_INET) {
		if (nla_put_in_addr(skb, KNETMON_A_SOCK_LOCAL_ADDR, sk->sk_rcv_saddr) ||
		    nla_put_in_addr(skb, KNETMON_A_SOCK_REMOTE_ADDR, sk->sk_daddr))
			return -EMSGSIZE;
	} else {
		if (nla_put_in6_addr(skb, KNETMON_A_SOCK_LOCAL_ADDR, &sk->sk_v6_rcv_saddr) ||
		    nla_put_in6_addr(skb, KNETMON_A_SOCK_REMOTE_ADDR, &sk->sk_v6_daddr))
			return -EMSGSIZE;
	}
	/* sock_common fields: valid for full, time-wait and request sockets */
	if (nla_put_be16(skb, KNETMON_A_SOCK_LOCAL_PORT, htons(sk->sk_num)) ||
	    nla_put_be16(skb, KNETMON_A_SOCK_REMOTE_PORT, sk->sk_dport) ||
	    (!d->brief && nla_put_u32(skb, KNETMON_A_SOCK_IFINDEX, sk->sk_bound_dev_if)))
		return -EMSGSIZE;
	return 0;
}

static int sk_put_kind(struct sk_buff *skb, const struct sk_dump *d, const struct sock *sk,
		       u8 family, u8 type, u8 protocol, u8 state)
{
	if (nla_put_u8(skb, KNETMON_A_SOCK_FAMILY, family) ||
	    nla_put_u8(skb, KNETMON_A_SOCK_TYPE, type) ||
	    nla_put_u8(skb, KNETMON_A_SOCK_PROTOCOL, protocol) ||
	    nla_put_u8(skb, KNETMON_A_SOCK_STATE, state) ||
	    (!d->brief && nla_put_u32(skb, KNETMON_A_SOCK_NETNS, sock_net(sk)->ns.inum)))
		return -EMSGSIZE;
	return 0;
}

static int sk_put_timer(struct sk_buff *skb, u8 timer, unsigned long expires)
{
	long left = (long)(expires - jiffies);

	if (nla_put_u8(skb, KNETMON_A_SOCK_TIMER, timer) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_TIMER_MS,
			timer && left > 0 ? jiffies_to_msecs(left) : 0))
		return -EMSGSIZE;
	return 0;
}

/*
 * Holders listed per socket: a pre-forked server's listener can be held by
 * thousands of processes, and a record must fit in one skb.
 */
#define SK_OWNERS_LISTED	256

/* The holders of socket inode INO, if the caller asked for them. */
static int sk_put_owners(struct sk_buff *skb, const struct sk_dump *d, u64 ino)
{
	const struct knetmon_owner *o;
	struct nlattr *all, *one;
	unsigned int i, n;

	if (!d->owners || !ino)
		return 0;
	o = knetmon_owners_find(d->owners, ino, &n);
	if (nla_put_u32(skb, KNETMON_A_SOCK_OWNERS_TOTAL, n))
		return -EMSGSIZE;
	all = nla_nest_start(skb, KNETMON_A_SOCK_OWNERS);
	if (!all)
		return -EMSGSIZE;
	for (i = 0; i < min(n, SK_OWNERS_LISTED); i++) {
		one = nla_nest_start(skb, KNETMON_A_OWNER);
		if (!one ||
		    nla_put_u32(skb, KNETMON_A_OWNER_PID, o[i].pid) ||
		    nla_put_string(skb, KNETMON_A_OWNER_COMM, o[i].comm) ||
		    nla_put_u32(skb, KNETMON_A_OWNER_FD, o[i].fd))
			return -EMSGSIZE;	/* the caller cancels the record */
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, all);
	return 0;
}

/* Identity, memory and owners of a full socket of any family. */
static int sk_put_full(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	u64 ino = sock_i_ino(sk);

	if (d->brief) {
		if (nla_put_u64_64bit(skb, KNETMON_A_SOCK_INODE, ino, KNETMON_A_SOCK_PAD))
			return -EMSGSIZE;
		return sk_put_owners(skb, d, ino);
	}
	if (nla_put_u32(skb, KNETMON_A_SOCK_UID,
			from_kuid_munged(d->user_ns, sock_i_uid(sk))) ||
	    nla_put_u64_64bit(skb, KNETMON_A_SOCK_INODE, ino, KNETMON_A_SOCK_PAD) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_RMEM_ALLOC, sk_rmem_alloc_get(sk)) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_RCVBUF, READ_ONCE(sk->sk_rcvbuf)) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_WMEM_QUEUED, READ_ONCE(sk->sk_wmem_queued)) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_SNDBUF, READ_ONCE(sk->sk_sndbuf)) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_DROPS, atomic_read(&sk->sk_drops)))
		return -EMSGSIZE;
	return sk_put_owners(skb, d, ino);
}

static int sk_put_queues(struct sk_buff *skb, u32 rq, u32 wq)
{
	if (nla_put_u32(skb, KNETMON_A_SOCK_RQUEUE, rq) ||
	    nla_put_u32(skb, KNETMON_A_SOCK_WQUEUE, wq))
		return -EMSGSIZE;
	return 0;
}

/* Timer code as /proc/net/tcp's "tr" column. */
static int sk_put_tcp_timer(struct sk_buff *skb, const struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	u8 pending = READ_ONCE(icsk->icsk_pending);

	if (pending == ICSK_TIME_RETRANS || pending == ICSK_TIME_REO_TIMEOUT ||
	    pending == ICSK_TIME_LOSS_PROBE)
		return sk_put_timer(skb, 1, READ_ONCE(icsk->icsk_timeout));
	if (pending == ICSK_TIME_PROBE0)
		return sk_put_timer(skb, 4, READ_ONCE(icsk->icsk_timeout));
	if (timer_pending(&sk->sk_timer))
		return sk_put_timer(skb, 2, READ_ONCE(sk->sk_timer.expires));
	return sk_put_timer(skb, 0, 0);
}

/*
 * A connection's counters as tcp_info (and so ss -i and the close event)
 * has them. tcp_get_info() takes the socket's lock, as inet_diag does:
 * this runs in the dump's process context, with a reference and outside
 * the bucket's lock; the counters are 64-bit and a 32-bit CPU must not
 * read them torn.
 */
static int sk_put_tcp_life(struct sk_buff *skb, struct sock *sk)
{
	struct tcp_info ti;

	tcp_get_info(sk, &ti);
	return nla_put_u64_64bit(skb, KNETMON_A_SOCK_BYTES_ACKED, ti.tcpi_bytes_acked,
				 KNETMON_A_SOCK_PAD) ||
	       nla_put_u64_64bit(skb, KNETMON_A_SOCK_BYTES_RECEIVED, ti.tcpi_bytes_received,
				 KNETMON_A_SOCK_PAD) ||
	       nla_put_u32(skb, KNETMON_A_SOCK_SEGS_OUT, ti.tcpi_segs_out) ||
	       nla_put_u32(skb, KNETMON_A_SOCK_SEGS_IN, ti.tcpi_segs_in) ||
	       nla_put_u32(skb, KNETMON_A_SOCK_TOTAL_RETRANS, ti.tcpi_total_retrans);
}

static int sk_fill_tcp(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = inet_sk_state_load(sk);
	u32 rq, wq;

	if (state == TCP_LISTEN) {
		/* like ss: accept queue and its limit */
		rq = READ_ONCE(sk->sk_ack_backlog);
		wq = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rq = max_t(int, READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq), 0);
		wq = READ_ONCE(tp->write_seq) - tp->snd_una;
	}
	if (sk_put_kind(skb, d, sk, sk->sk_family, sk->sk_type, sk->sk_protocol, state) ||
	    sk_put_inet_ends(skb, d, sk) || sk_put_queues(skb, rq, wq) ||
	    (!d->brief &&
	     (nla_put_u32(skb, KNETMON_A_SOCK_RETRANSMITS, inet_csk(sk)->icsk_retransmits) ||
	      sk_put_tcp_timer(skb, sk))) ||
	    (d->tcp_info && state != TCP_LISTEN && sk_put_tcp_life(skb, sk)))
		return -EMSGSIZE;
	return sk_put_full(skb, d, sk);
}

static int sk_fill_timewait(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	struct inet_timewait_sock *tw = inet_twsk(sk);

	if (sk_put_kind(skb, d, sk, sk->sk_family, SOCK_STREAM, IPPROTO_TCP, tw->tw_substate) ||
	    sk_put_inet_ends(skb, d, sk) || sk_put_queues(skb, 0, 0) ||
	    nla_put_u64_64bit(skb, KNETMON_A_SOCK_INODE, 0, KNETMON_A_SOCK_PAD) ||
	    (!d->brief && sk_put_timer(skb, 3, READ_ONCE(tw->tw_timer.expires))))
		return -EMSGSIZE;
	return 0;
}

static int sk_fill_request(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	struct request_sock *req = inet_reqsk(sk);

	if (sk_put_kind(skb, d, sk, sk->sk_family, SOCK_STREAM, IPPROTO_TCP, TCP_SYN_RECV) ||
	    sk_put_inet_ends(skb, d, sk) || sk_put_queues(skb, 0, 0) ||
	    nla_put_u64_64bit(skb, KNETMON_A_SOCK_INODE, 0, KNETMON_A_SOCK_PAD) ||
	    (!d->brief &&
	     (nla_put_u32(skb, KNETMON_A_SOCK_RETRANSMITS, req->num_timeout) ||
	      sk_put_timer(skb, 1, READ_ONCE(req->rsk_timer.expires)))))
		return -EMSGSIZE;
	return 0;
}

/* Datagram sockets, receive queue as /proc/net/udp or /proc/net/raw shows it. */
static int sk_fill_dgram(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk, u32 rq)
{
	if (sk_put_kind(skb, d, sk, sk->sk_family, sk->sk_type, sk->sk_protocol,
			inet_sk_state_load(sk)) ||
	    sk_put_inet_ends(skb, d, sk) || sk_put_queues(skb, rq, sk_wmem_alloc_get(sk)))
		return -EMSGSIZE;
	return sk_put_full(skb, d, sk);
}

/* Only sockets found in the UDP table are udp_socks. */
static int sk_fill_udp(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	return sk_fill_dgram(skb, d, sk, udp_rqueue_get(sk));
}

/* A raw socket of any sk_protocol (IPPROTO_UDP and IPPROTO_TCP included). */
static int sk_fill_raw(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	return sk_fill_dgram(skb, d, sk, sk_rmem_alloc_get(sk));
}

/* Established, time-wait and request sockets share the ehash chains. */
static int sk_fill_ehash(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	if (sk->sk_state == TCP_TIME_WAIT)
		return sk_fill_timewait(skb, d, sk);
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		return sk_fill_request(skb, d, sk);
	return sk_fill_tcp(skb, d, sk);
}

static int sk_put_unix_path(struct sk_buff *skb, struct sock *sk)
{
	/* published with smp_store_release by bind; lives as long as sk */
	struct unix_address *addr = smp_load_acquire(&unix_sk(sk)->addr);
	int len;

	if (!addr)
		return 0;
	len = addr->len - offsetof(struct sockaddr_un, sun_path);
	/* a pathname carries its terminating NUL: not part of the name */
	if (len > 0 && addr->name->sun_path[0])
		len = strnlen(addr->name->sun_path, len);
	if (len <= 0)
		return 0;
	return nla_put(skb, KNETMON_A_SOCK_UNIX_PATH, len, addr->name->sun_path);
}

static int sk_put_unix_peer(struct sk_buff *skb, struct sock *sk)
{
	struct sock *peer = unix_peer_get(sk);
	u64 ino;

	if (!peer)
		return 0;
	ino = sock_i_ino(peer);
	sock_put(peer);
	return nla_put_u64_64bit(skb, KNETMON_A_SOCK_UNIX_PEER, ino, KNETMON_A_SOCK_PAD);
}

static int sk_fill_unix(struct sk_buff *skb, const struct sk_dump *d, struct sock *sk)
{
	int state = READ_ONCE(sk->sk_state);
	u32 rq, wq;

	if (state == TCP_LISTEN) {
		rq = skb_queue_len_lockless(&sk->sk_receive_queue);
		wq = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		rq = unix_inq_len(sk);
		wq = unix_outq_len(sk);
	}
	if (sk_put_kind(skb, d, sk, AF_UNIX, sk->sk_type, 0, state) ||
	    sk_put_queues(skb, rq, wq) || sk_put_unix_path(skb, sk) ||
	    sk_put_unix_peer(skb, sk))
		return -EMSGSIZE;
	return sk_put_full(skb, d, sk);
}

static const struct sk_table_ops sk_tables[SK_TABLE_END] = {
	[SK_TABLE_TCP_LISTEN]	= { sk_tcp_listen_chains, sk_tcp_listen_size,
				    sk_tcp_listen_collect, sk_fill_tcp },
	[SK_TABLE_TCP_EHASH]	= { sk_tcp_ehash_chains, sk_tcp_ehash_size,
				    sk_tcp_ehash_collect, sk_fill_ehash },
	[SK_TABLE_UDP]		= { sk_udp_chains, sk_udp_size, sk_udp_collect, sk_fill_udp },
	[SK_TABLE_RAW4]		= { sk_raw4_chains, sk_raw_size, sk_raw4_collect, sk_fill_raw },
	[SK_TABLE_RAW6]		= { sk_raw6_chains, sk_raw_size, sk_raw6_collect, sk_fill_raw },
	[SK_TABLE_UNIX]		= { sk_unix_chains, sk_unix_size, sk_unix_collect, sk_fill_unix },
};

static int sk_fill(struct sk_buff *skb, struct netlink_callback *cb,
		   const struct sk_table_ops *ops, struct sock *sk)
{
	struct sk_dump *d = sk_ctx(cb)->d;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_SOCKETS);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (ops->fill(skb, d, sk)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- the walk ---- */

/* Drop the references on the bucket's sockets not yet released. */
static void sk_release_held(struct sk_dump *d)
{
	while (d->n > d->next)
		sock_gen_put(d->held[--d->n]);
	d->n = 0;
	d->next = 0;
}

static int sk_grow_held(struct sk_dump *d, u32 wanted)
{
	u32 cap = wanted + wanted / 4 + 8;
	struct sock **held;

	/* charged to the caller: its dump, its memory */
	held = kvmalloc_array(cap, sizeof(*held), GFP_KERNEL_ACCOUNT);
	if (!held)
		return -ENOMEM;
	kvfree(d->held);
	d->held = held;
	d->cap = cap;
	return 0;
}

/*
 * Reference every wanted socket of BUCKET into d->held. Returns 1 when the
 * bucket kept outgrowing the array between count and collection and only
 * what fitted was collected, 0 when it was collected whole, or -ENOMEM.
 */
static int sk_collect_whole(struct sk_dump *d, const struct sk_table_ops *ops, u32 bucket)
{
	u32 wanted, tries;
	int err;

	for (tries = 0; ; tries++) {
		wanted = 0;
		d->n = ops->collect(d, bucket, &wanted);
		d->next = 0;
		if (wanted <= d->cap)
			return 0;
		if (tries == SK_COLLECT_TRIES)
			return 1;
		sk_release_held(d);
		err = sk_grow_held(d, wanted);
		if (err)
			return err;
	}
}

/* The cursor's bucket into d->held; a partial collection flags the dump. */
static int sk_collect_bucket(struct netlink_callback *cb, const struct sk_table_ops *ops)
{
	struct sk_dump_ctx *ctx = sk_ctx(cb);
	int ret = sk_collect_whole(ctx->d, ops, ctx->bucket);

	if (ret > 0)
		cb->seq++;
	return min(ret, 0);
}

/* Drop the references on held[from..to). */
static void sk_put_held(struct sk_dump *d, u32 from, u32 to)
{
	while (from < to)
		sock_gen_put(d->held[from++]);
}

/*
 * Send the cursor's bucket from d->next on; -EMSGSIZE when skb is full.
 * References are dropped only on records that will not be sent again.
 */
static int sk_dump_bucket(struct sk_buff *skb, struct netlink_callback *cb,
			  const struct sk_table_ops *ops)
{
	struct sk_dump *d = sk_ctx(cb)->d;
	int start_len = skb->len, err = 0;
	bool resumed = d->next > 0;
	u32 i;

	if (!d->n) {
		err = sk_collect_bucket(cb, ops);
		if (err)
			return err;
	}
	for (i = d->next; i < d->n && !err; i++)
		err = sk_fill(skb, cb, ops, d->held[i]);
	if (!err) {
		sk_release_held(d);
		return 0;
	}
	i--;	/* held[i] was not sent */
	if (!resumed && start_len > 0) {
		/* the whole bucket goes into the next skb */
		nlmsg_trim(skb, skb->data + start_len);
		return err;
	}
	/* larger than an skb: the rest stays referenced for the next call */
	sk_put_held(d, d->next, i);
	d->next = i;
	return err;
}

static int sk_dump_table(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sk_dump_ctx *ctx = sk_ctx(cb);
	const struct sk_table_ops *ops = &sk_tables[ctx->table];
	u32 size = ops->size(ctx->d);
	int err;

	for (; ctx->bucket < size; ctx->bucket++) {
		err = sk_dump_bucket(skb, cb, ops);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		if (!(ctx->bucket & 255))
			cond_resched();
	}
	return 0;
}


/* ---- request ---- */

/* Filter values the policy's ranges let through but that match no table. */
static int sk_check_filters(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct nlattr *a;

	a = tb[KNETMON_REQ_FAMILY];
	if (a && nla_get_u8(a) != AF_INET && nla_get_u8(a) != AF_INET6 &&
	    nla_get_u8(a) != AF_UNIX) {
		NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET, AF_INET6 or AF_UNIX");
		return -EINVAL;
	}
	a = tb[KNETMON_REQ_PROTOCOL];
	if (a && nla_get_u8(a) != IPPROTO_TCP && nla_get_u8(a) != IPPROTO_UDP &&
	    nla_get_u8(a) != IPPROTO_RAW) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "protocol must be IPPROTO_TCP, IPPROTO_UDP or IPPROTO_RAW (every raw socket)");
		return -EINVAL;
	}
	a = tb[KNETMON_REQ_STATES];
	if (a && !nla_get_u32(a)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "states: a non-empty mask of 1 << TCP_ESTABLISHED .. TCP_CLOSING");
		return -EINVAL;
	}
	a = tb[KNETMON_REQ_PORT];
	if (a && !nla_get_be16(a)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "port 0 matches nothing");
		return -EINVAL;
	}
	return 0;
}

/* The request: filters, a netns selection. */
static int sk_check_request(struct netlink_callback *cb)
{
	return sk_check_filters(knetmon_dump_attrs(cb), cb->extack) ?:
	       knetmon_dump_netns_check(cb);
}

/* The policy has checked every attribute: just read them. */
static void sk_parse_request(struct sk_dump *d, struct nlattr **tb)
{
	if (tb[KNETMON_REQ_FAMILY])
		d->family = nla_get_u8(tb[KNETMON_REQ_FAMILY]);
	if (tb[KNETMON_REQ_PROTOCOL])
		d->protocol = nla_get_u8(tb[KNETMON_REQ_PROTOCOL]);
	if (tb[KNETMON_REQ_STATES])
		d->states = nla_get_u32(tb[KNETMON_REQ_STATES]);
	if (tb[KNETMON_REQ_PORT])
		d->port = nla_get_be16(tb[KNETMON_REQ_PORT]);
}

/*
 * Whether table T of nets[i] shares its chains with an earlier selected
 * netns: walked already, every socket in it taken (d->any_net).
 */
static bool sk_chains_walked(const struct sk_dump *d, enum sk_table t, u32 i)
{
	const void *chains = sk_tables[t].chains(&(struct sk_dump){ .net = d->nets[i] });
	u32 j;

	for (j = 0; j < i; j++)
		if (sk_tables[t].chains(&(struct sk_dump){ .net = d->nets[j] }) == chains)
			return true;
	return false;
}

int knetmon_nl_get_sockets_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct sk_dump_ctx *ctx = sk_ctx(cb);
	struct sk_dump *d = ctx->d;
	int err;

	if (ctx->refused)
		return knetmon_dump_refused(cb, sk_check_request, ctx->refused);
	for (; ctx->table < SK_TABLE_END; ctx->table++, ctx->net_idx = 0) {
		if (!sk_table_wanted(d, ctx->table))
			continue;
		for (; ctx->net_idx < d->n_nets; ctx->net_idx++, ctx->bucket = 0) {
			if (d->any_net && !d->n && !ctx->bucket &&
			    sk_chains_walked(d, ctx->table, ctx->net_idx))
				continue;
			d->net = d->nets[ctx->net_idx];
			err = sk_dump_table(skb, cb);
			if (err == -EMSGSIZE && skb->len)
				return skb->len;
			if (err)
				return err;	/* a record larger than an empty skb, or a signal */
		}
	}
	return skb->len;
}

static void sk_dump_free(struct sk_dump *d)
{
	if (!d)
		return;
	sk_release_held(d);
	kvfree(d->held);
	knetmon_owners_free(d->owners);
	knetmon_put_nets(d->nets, d->n_nets);
	kfree(d);
}

int knetmon_nl_get_sockets_start(struct netlink_callback *cb)
{
	struct nlattr **tb = knetmon_dump_attrs(cb);
	struct sk_dump_ctx *ctx = sk_ctx(cb);
	struct sk_dump *d;
	u32 flags = 0;
	int err;

	memset(ctx, 0, sizeof(*ctx));
	err = knetmon_dump_check_start(cb, sk_check_request, &ctx->refused);
	if (err || ctx->refused)
		return err;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	err = sk_grow_held(d, SK_HELD_INITIAL);
	if (!err) {
		d->n_nets = knetmon_dump_nets(cb, tb, &d->nets);
		err = min(d->n_nets, 0);
		d->n_nets = max(d->n_nets, 0);
	}
	if (err) {
		sk_dump_free(d);
		return err;
	}
	d->user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	sk_parse_request(d, tb);
	/* several nets: the request was for every netns */
	d->any_net = d->n_nets > 1;

	if (tb[KNETMON_REQ_FLAGS])
		flags = nla_get_u32(tb[KNETMON_REQ_FLAGS]);
	d->brief = flags & KNETMON_REQF_BRIEF;
	d->tcp_info = flags & KNETMON_REQF_TCP_INFO;
	if (flags & KNETMON_REQF_OWNERS) {
		/*
		 * .start runs in the requester's context: current is the caller.
		 * Naming every process needs CAP_NET_ADMIN in the initial user
		 * namespace (an unshare -Urn root must not learn who else holds
		 * sockets); otherwise a process is named where /proc/PID/fd
		 * would be readable to the caller.
		 */
		d->owners = knetmon_owners_build(netlink_capable(cb->skb, CAP_NET_ADMIN));
		if (IS_ERR(d->owners)) {
			err = PTR_ERR(d->owners);
			d->owners = NULL;
			sk_dump_free(d);
			return err;
		}
	}
	ctx->d = d;
	/* a bucket outgrowing its collection bumps it: the rest is flagged */
	cb->seq = 1;
	return 0;
}

int knetmon_nl_get_sockets_done(struct netlink_callback *cb)
{
	sk_dump_free(sk_ctx(cb)->d);
	return 0;
}

/* ---- for the module's own use: seeding the bind table at load ---- */

/* Every wanted socket of table T in d->net (every netns if d->any_net) to FN. */
static int sk_walk_table(struct sk_dump *d, enum sk_table t, knetmon_sock_fn fn, void *arg)
{
	const struct sk_table_ops *ops = &sk_tables[t];
	u32 bucket, size = ops->size(d), i;
	int err;

	for (bucket = 0; bucket < size; bucket++) {
		/* a bucket that kept growing: what fitted is seeded */
		err = sk_collect_whole(d, ops, bucket);
		if (err < 0)
			return err;
		/* no table lock held: FN may take its own */
		for (i = 0; i < d->n; i++)
			fn(d->held[i], arg);
		sk_release_held(d);
		if (!(bucket & 255))
			cond_resched();
	}
	return 0;
}

/*
 * Each TCP listener and UDP socket of every live netns to FN, with a
 * reference held and no table lock, each table walked once per distinct
 * set of chains (6.1 shares TCP's and UDP's among all netns).
 */
int knetmon_sockets_for_each_bound(knetmon_sock_fn fn, void *arg)
{
	static const enum sk_table tables[] = { SK_TABLE_TCP_LISTEN, SK_TABLE_UDP };
	struct sk_dump *d;
	int err, i, t;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = sk_grow_held(d, SK_HELD_INITIAL);
	if (!err) {
		d->n_nets = knetmon_all_nets(&d->nets);
		err = min(d->n_nets, 0);
		d->n_nets = max(d->n_nets, 0);
	}
	d->any_net = true;
	for (t = 0; !err && t < ARRAY_SIZE(tables); t++) {
		for (i = 0; !err && i < d->n_nets; i++) {
			if (sk_chains_walked(d, tables[t], i))
				continue;
			d->net = d->nets[i];
			err = sk_walk_table(d, tables[t], fn, arg);
		}
	}
	sk_dump_free(d);
	return err;
}

void knetmon_sockets_init(void)
{
	set_bit(KNETMON_FEAT_SOCKETS, &knetmon_features);
	set_bit(KNETMON_FEAT_OWNERS, &knetmon_features);
}

void knetmon_sockets_exit(void)
{
	clear_bit(KNETMON_FEAT_OWNERS, &knetmon_features);
	clear_bit(KNETMON_FEAT_SOCKETS, &knetmon_features);
}
