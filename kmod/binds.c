// SPDX-License-Identifier: GPL-2.0
/*
 * Bind tracking: kretprobes on inet_bind, inet6_bind, inet_listen and
 * inet_autobind, kprobes on inet_release and inet6_release, and the same
 * four for AF_UNIX (unix_bind, unix_autobind, unix_listen, unix_release:
 * static, but symbols of their own on both kernels). Each probe
 * builds a record on the stack, updates the live-bind table and hands the
 * record to bind_events.c, which numbers it and sends it to whoever listens.
 *
 * Sequence numbers are per netns, because events go to the listeners of the
 * socket's netns only: a listener must be able to tell a gap (lost events)
 * from events it was never meant to see. The "binds_all" group gets the
 * events of every netns, multicast in the initial netns only; its listeners
 * count gaps per (NETNS, SEQ).
 */

#include <linux/cgroup.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/timekeeping.h>
#include <net/af_unix.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "knetmon.h"
#include "bind_events.h"

/* ---- the event path ------------------------------------------------- */

enum knetmon_table_op {
	KNETMON_TABLE_NONE,	/* failed bind: the table does not change */
	KNETMON_TABLE_SET,	/* bind, autobind, listen: add or update */
	KNETMON_TABLE_DEL,	/* release: only sockets in the table count */
};

static const enum knetmon_counter_attr knetmon_kind_counter[] = {
	[KNETMON_BIND_KIND_BIND]	= KNETMON_A_COUNTER_EVENTS_BIND,
	[KNETMON_BIND_KIND_LISTEN]	= KNETMON_A_COUNTER_EVENTS_LISTEN,
	[KNETMON_BIND_KIND_AUTOBIND]	= KNETMON_A_COUNTER_EVENTS_AUTOBIND,
	[KNETMON_BIND_KIND_RELEASE]	= KNETMON_A_COUNTER_EVENTS_RELEASE,
};

static u64 knetmon_probes_missed(void);

/* A release reports what the table knew of the socket, and who closed it. */
static void knetmon_rec_released(struct knetmon_bind_rec *rec,
				 const struct knetmon_bind_entry *e)
{
	knetmon_bind_entry_rec(e, rec);
	rec->kind = KNETMON_BIND_KIND_RELEASE;
	knetmon_rec_task(rec);
}

/*
 * Apply a bind, autobind, listen or failed bind to the table. On return REC
 * carries the entry's cookie, and *STORE is the entry that is to hold REC
 * once it is numbered (NULL: none).
 */
static void knetmon_table_apply(struct knetmon_bind_rec *rec, const struct sock *sk,
				enum knetmon_table_op op, struct knetmon_bind_entry **store)
{
	struct knetmon_bind_entry *e = knetmon_bind_table_lookup(sk, rec->inode);

	*store = NULL;
	if (op == KNETMON_TABLE_SET && !e)
		e = knetmon_bind_table_insert(sk, rec);
	if (!e)
		return;
	rec->cookie = knetmon_bind_entry_cookie(e);
	if (op == KNETMON_TABLE_SET)
		*store = e;
}

/*
 * Take SK's entry (the one with COOKIE) out of the table; the netns state
 * to number the release in, or NULL: nothing to report. SK may be freed by
 * now and its netns on its way out: the entry says which netns it was, and
 * bind_events.c whether that netns still has listeners' state. Who closed
 * it and what it was go into REC only when someone is to be told (*TELL):
 * most closes of a bound socket are numbered and forgotten.
 */
static struct knetmon_binds_net *knetmon_table_take(struct knetmon_bind_rec *rec,
						    const struct sock *sk, u64 cookie,
						    bool *tell)
{
	struct knetmon_bind_entry *e = knetmon_bind_table_take(sk, cookie, rec->inode);
	struct knetmon_binds_net *bn;

	if (!e)
		return NULL;
	bn = knetmon_binds_net_find(knetmon_bind_entry_netns_cookie(e));
	*tell = bn && knetmon_bind_event_wanted(bn);
	if (*tell)
		knetmon_rec_released(rec, e);
	knetmon_bind_table_remove(e);
	return bn;
}

/*
 * Number REC, store it, queue it; send nothing under the lock. A release
 * (DEL) names the entry it peeked at by COOKIE; the others act on SK, which
 * the probed call holds.
 */
static void knetmon_bind_event(struct knetmon_bind_rec *rec, const struct sock *sk,
			       enum knetmon_table_op op, u64 cookie)
{
	u64 lost = knetmon_probes_missed();
	struct knetmon_bind_entry *store = NULL;
	struct knetmon_binds_net *bn;
	unsigned long flags;
	bool tell = true;

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	if (op == KNETMON_TABLE_DEL) {
		bn = knetmon_table_take(rec, sk, cookie, &tell);
	} else {
		/* No pernet data: the netns is being built or torn down. */
		bn = knetmon_binds_net(sock_net(sk));
		if (bn)
			knetmon_table_apply(rec, sk, op, &store);
	}
	if (!bn) {
		spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
		rcu_read_unlock();
		return;
	}
	knetmon_bind_event_number(bn, rec, lost);
	if (store)	/* numbered: GET_BINDS shows the event's seq */
		knetmon_bind_table_store(store, rec);
	if (tell)
		knetmon_bind_event_queue(bn, rec);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	rcu_read_unlock();
	knetmon_bind_events_kick();

	if (rec->kind == KNETMON_BIND_KIND_BIND && rec->result)
		knetmon_count(KNETMON_A_COUNTER_EVENTS_BIND_FAILED);
	else
		knetmon_count(knetmon_kind_counter[rec->kind]);
}

/* ---- probes --------------------------------------------------------- */

/* Instance data of the bind kretprobes: what the caller asked for. */
struct knetmon_bind_call {
	struct socket *sock;
	__be16 port;
	u8 addr[16];
};

static int knetmon_bind_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_bind_call *call = (void *)ri->data;
	const struct sockaddr *uaddr = (void *)knetmon_probe_arg(regs, 1);
	int len = knetmon_probe_arg(regs, 2);

	call->sock = (struct socket *)knetmon_probe_arg(regs, 0);
	/* The kernel's copy of the user's sockaddr: reported for failures. */
	knetmon_sockaddr_read(uaddr, len, &call->port, call->addr);
	return 0;
}

static int knetmon_bind_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_bind_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = {
		.kind = KNETMON_BIND_KIND_BIND,
		.result = (int)regs_return_value(regs),
	};
	struct sock *sk = call->sock ? READ_ONCE(call->sock->sk) : NULL;

	if (!sk)
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, call->sock);
	if (rec.result) {
		/* Nothing was bound: report what was asked for. */
		rec.port = call->port;
		memcpy(rec.addr, call->addr, sizeof(rec.addr));
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_NONE, 0);
	} else {
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	}
	return 0;
}

/* inet_listen(): LISTEN, preceded by AUTOBIND when listen() took the port. */
struct knetmon_listen_call {
	struct socket *sock;
	int backlog;
	bool had_port;
};

static int knetmon_listen_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_listen_call *call = (void *)ri->data;
	struct sock *sk;

	call->sock = (struct socket *)knetmon_probe_arg(regs, 0);
	call->backlog = knetmon_probe_arg(regs, 1);
	sk = READ_ONCE(call->sock->sk);
	call->had_port = sk && READ_ONCE(inet_sk(sk)->inet_num);
	return 0;
}

static int knetmon_listen_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_listen_call *call = (void *)ri->data;
	struct sock *sk = READ_ONCE(call->sock->sk);
	struct knetmon_bind_rec rec = { };

	if (!sk || regs_return_value(regs))
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, call->sock);
	if (!call->had_port) {
		rec.kind = KNETMON_BIND_KIND_AUTOBIND;
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	}
	rec.kind = KNETMON_BIND_KIND_LISTEN;
	rec.backlog = call->backlog;
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	return 0;
}

/*
 * UDP (and raw/ping) sockets get a port implicitly in connect() and
 * sendmsg() through the static inet_autobind(), which both kernels keep as
 * a symbol of its own (checked in kallsyms; inet_dgram_connect and
 * inet_send_prepare call it, for IPv6 sockets too). Probing it rather than
 * udp_lib_get_port/inet_csk_get_port keeps explicit binds, which also go
 * through get_port, from being reported twice. Its argument is the sock.
 */
struct knetmon_autobind_call {
	struct sock *sk;
	bool had_port;
};

static int knetmon_autobind_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_autobind_call *call = (void *)ri->data;

	call->sk = (struct sock *)knetmon_probe_arg(regs, 0);
	call->had_port = READ_ONCE(inet_sk(call->sk)->inet_num);
	return 0;
}

static int knetmon_autobind_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_autobind_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = { .kind = KNETMON_BIND_KIND_AUTOBIND };
	struct sock *sk = call->sk;

	if (regs_return_value(regs) || call->had_port || !READ_ONCE(inet_sk(sk)->inet_num))
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, READ_ONCE(sk->sk_socket));
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	return 0;
}

/*
 * inet_release(), inet6_release(), unix_release(): the last close of a
 * socket. Every close passes here, accepted connections and clients
 * included, so the entry handler only asks the table, without its lock,
 * whether the socket is in it; everything else waits for a hit, in the
 * return handler. The entry handler may run from the int3 trap, which
 * lockdep rightly counts as NMI (while probes are placed or removed, or
 * where they cannot be optimised): there it may neither read the clocks,
 * take a lock nor free memory.
 *
 * inet6_release() ends in inet_release(): both handlers see the same
 * entry; the inner one reports it, the outer one then finds it gone (the
 * cookie peeked tells a new socket at the same address from the old).
 */
struct knetmon_release_call {
	const struct sock *sk;		/* a key by then: never dereferenced */
	u64 cookie;
	u64 inode;
};

static int knetmon_release_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_release_call *call = (void *)ri->data;
	struct socket *sock = (struct socket *)knetmon_probe_arg(regs, 0);
	struct sock *sk = READ_ONCE(sock->sk);

	call->cookie = sk ? knetmon_bind_table_peek(sk) : 0;
	if (!call->cookie)
		return 1;	/* not ours: no return handler */
	call->sk = sk;
	call->inode = SOCK_INODE(sock)->i_ino;
	return 0;
}

static int knetmon_release_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_release_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = {
		.kind = KNETMON_BIND_KIND_RELEASE,
		.inode = call->inode,
	};

	/* the closer is recorded under the lock, and only for listeners */
	knetmon_bind_event(&rec, call->sk, KNETMON_TABLE_DEL, call->cookie);
	return 0;
}

/* ---- AF_UNIX probes ------------------------------------------------- */

/*
 * A unix entry must be removable: with no unix_release probe, unix binds
 * are neither stored nor reported (KNETMON_FEAT_UNIX alone is not enough).
 */
static bool knetmon_unix_tracked(void)
{
	return test_bit(KNETMON_FEAT_UNIX_RELEASE, &knetmon_features);
}

/* unix_bind(sock, uaddr, addr_len): uaddr is the kernel's copy. */
struct knetmon_unix_bind_call {
	struct socket *sock;
	bool autobind;		/* only sun_family given: unix_autobind() runs */
	u8 len;
	char path[UNIX_PATH_MAX];
};

static int knetmon_unix_bind_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_bind_call *call = (void *)ri->data;
	const struct sockaddr_un *sun = (void *)knetmon_probe_arg(regs, 1);
	int len = (int)knetmon_probe_arg(regs, 2) -
		  (int)offsetof(struct sockaddr_un, sun_path);

	call->sock = (struct socket *)knetmon_probe_arg(regs, 0);
	call->autobind = sun && len == 0 && sun->sun_family == AF_UNIX;
	/* the syscall copied at most a sockaddr_storage: len is within it */
	call->len = sun ? clamp_t(int, len, 0, UNIX_PATH_MAX) : 0;
	memcpy(call->path, sun ? sun->sun_path : "", call->len);
	return 0;
}

static int knetmon_unix_bind_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_bind_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = {
		.kind = KNETMON_BIND_KIND_BIND,
		.result = (int)regs_return_value(regs),
	};
	struct sock *sk = READ_ONCE(call->sock->sk);

	if (!sk || !knetmon_unix_tracked())
		return 0;
	/* The name was chosen by unix_autobind(), whose own probe reports it. */
	if (call->autobind && !rec.result &&
	    test_bit(KNETMON_FEAT_UNIX_AUTOBIND, &knetmon_features))
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, call->sock);
	if (rec.result) {
		/* Nothing was bound: report the name asked for. */
		knetmon_rec_unix_path(&rec, call->path, call->len);
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_NONE, 0);
	} else {
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	}
	return 0;
}

/*
 * unix_autobind(sk): an abstract name ("\0" and five hex digits) chosen by
 * the kernel, for bind() with only sun_family, and for connect() or
 * sendmsg() of an unbound socket that passes credentials. Reported only
 * when this call gave the socket its name.
 */
struct knetmon_unix_autobind_call {
	struct sock *sk;
	bool had_name;
};

static int knetmon_unix_autobind_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_autobind_call *call = (void *)ri->data;

	call->sk = (struct sock *)knetmon_probe_arg(regs, 0);
	call->had_name = READ_ONCE(unix_sk(call->sk)->addr);
	return 0;
}

static int knetmon_unix_autobind_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_autobind_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = { .kind = KNETMON_BIND_KIND_AUTOBIND };
	struct sock *sk = call->sk;

	if (regs_return_value(regs) || call->had_name || !knetmon_unix_tracked())
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, READ_ONCE(sk->sk_socket));
	if (rec.path_len)
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	return 0;
}

/* unix_listen(sock, backlog): only a bound socket can listen. */
struct knetmon_unix_listen_call {
	struct socket *sock;
	int backlog;
};

static int knetmon_unix_listen_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_listen_call *call = (void *)ri->data;

	call->sock = (struct socket *)knetmon_probe_arg(regs, 0);
	call->backlog = knetmon_probe_arg(regs, 1);
	return 0;
}

static int knetmon_unix_listen_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct knetmon_unix_listen_call *call = (void *)ri->data;
	struct knetmon_bind_rec rec = { .kind = KNETMON_BIND_KIND_LISTEN };
	struct sock *sk = READ_ONCE(call->sock->sk);

	if (!sk || regs_return_value(regs) || !knetmon_unix_tracked())
		return 0;
	knetmon_rec_task(&rec);
	knetmon_rec_sock(&rec, sk, call->sock);
	rec.backlog = call->backlog;
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET, 0);
	return 0;
}

/* ---- registration --------------------------------------------------- */

/* Releases first: a bind must never be stored that cannot be removed. */
static struct knetmon_kretprobe knetmon_kretprobes[] = {
	KNETMON_KRETPROBE("inet_release", knetmon_release_entry, knetmon_release_return,
			  knetmon_release_call),
	KNETMON_KRETPROBE("inet6_release", knetmon_release_entry, knetmon_release_return,
			  knetmon_release_call),
	KNETMON_KRETPROBE("unix_release", knetmon_release_entry, knetmon_release_return,
			  knetmon_release_call),
	KNETMON_KRETPROBE("inet_bind", knetmon_bind_entry, knetmon_bind_return,
			  knetmon_bind_call),
	KNETMON_KRETPROBE("inet6_bind", knetmon_bind_entry, knetmon_bind_return,
			  knetmon_bind_call),
	KNETMON_KRETPROBE("inet_listen", knetmon_listen_entry, knetmon_listen_return,
			  knetmon_listen_call),
	KNETMON_KRETPROBE("inet_autobind", knetmon_autobind_entry, knetmon_autobind_return,
			  knetmon_autobind_call),
	KNETMON_KRETPROBE("unix_bind", knetmon_unix_bind_entry, knetmon_unix_bind_return,
			  knetmon_unix_bind_call),
	KNETMON_KRETPROBE("unix_autobind", knetmon_unix_autobind_entry,
			  knetmon_unix_autobind_return, knetmon_unix_autobind_call),
	KNETMON_KRETPROBE("unix_listen", knetmon_unix_listen_entry, knetmon_unix_listen_return,
			  knetmon_unix_listen_call),
};
#define KNETMON_RELEASE_PROBES 3

static const int knetmon_kretprobe_feature[] = {
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET6, KNETMON_FEAT_UNIX_RELEASE,
	KNETMON_FEAT_BIND_INET, KNETMON_FEAT_BIND_INET6,
	KNETMON_FEAT_LISTEN, KNETMON_FEAT_AUTOBIND,
	KNETMON_FEAT_UNIX, KNETMON_FEAT_UNIX_AUTOBIND, KNETMON_FEAT_UNIX_LISTEN,
};

/* The release probe each bind probe needs: what it stores must be removable. */
static const int knetmon_kretprobe_needs[] = {
	-1, -1, -1,
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET,
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET,
	KNETMON_FEAT_UNIX_RELEASE, KNETMON_FEAT_UNIX_RELEASE, KNETMON_FEAT_UNIX_RELEASE,
};
static_assert(ARRAY_SIZE(knetmon_kretprobe_needs) == ARRAY_SIZE(knetmon_kretprobes));
static_assert(ARRAY_SIZE(knetmon_kretprobe_feature) == ARRAY_SIZE(knetmon_kretprobes));

/*
 * Calls that were not seen: a kretprobe out of instances, or a probe hit
 * while another kprobe's handler ran on the CPU. Any of them may have been
 * an event, so each one leaves a gap in the sequence (bind_events.c).
 */
static u64 knetmon_probes_missed(void)
{
	return knetmon_kretprobes_missed(knetmon_kretprobes, ARRAY_SIZE(knetmon_kretprobes));
}

void knetmon_binds_sync_counters(void)
{
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_PROBES_MISSED],
		     knetmon_probes_missed());
}

/* Unregister the probes in [FIRST, END) that are placed, all in one go. */
static void knetmon_unregister_range(int first, int end)
{
	int i;

	for (i = first; i < end; i++)
		clear_bit(knetmon_kretprobe_feature[i], &knetmon_features);
	knetmon_kretprobes_remove(&knetmon_kretprobes[first], end - first);
}

/*
 * Binds first, releases last: entries stop coming before they stop going.
 * A return handler still pending when its kretprobe goes is not run; none
 * holds anything but its instance, which kprobes recycles.
 */
static void knetmon_binds_unregister(void)
{
	knetmon_unregister_range(KNETMON_RELEASE_PROBES, ARRAY_SIZE(knetmon_kretprobes));
	knetmon_unregister_range(0, KNETMON_RELEASE_PROBES);
}

static int knetmon_place(int i)
{
	if (knetmon_kretprobe_place(&knetmon_kretprobes[i]))
		return -ENOENT;
	set_bit(knetmon_kretprobe_feature[i], &knetmon_features);
	return 0;
}

/*
 * Place every probe that this kernel allows; a missing one turns its
 * feature off and is said once in the log. Bind tracking as a whole needs
 * the IPv4 release probe (inet6_release ends in inet_release) and at least
 * one bind probe; without them it is off and the table views still work.
 */
static int knetmon_binds_register(void)
{
	int i, placed = 0;

	for (i = 0; i < KNETMON_RELEASE_PROBES; i++)
		knetmon_place(i);
	if (!test_bit(KNETMON_FEAT_RELEASE_INET, &knetmon_features)) {
		pr_notice("no release probe: bind tracking off\n");
		knetmon_binds_unregister();
		return -ENOENT;
	}
	for (; i < ARRAY_SIZE(knetmon_kretprobes); i++) {
		if (!test_bit(knetmon_kretprobe_needs[i], &knetmon_features)) {
			pr_notice("%s not probed: its release probe is missing\n",
				  knetmon_kretprobes[i].rp.kp.symbol_name);
			continue;
		}
		if (!knetmon_place(i))
			placed++;
	}
	if (!placed) {
		knetmon_binds_unregister();
		return -ENOENT;
	}
	return 0;
}

/* Table and per-netns state: before the family, so GET_BINDS finds them. */
int __init knetmon_binds_init(void)
{
	int err;

	err = knetmon_bind_table_init();
	if (err)
		return err;
	err = knetmon_bind_events_init();
	if (err)
		knetmon_bind_table_exit();
	return err;
}

void knetmon_binds_exit(void)
{
	knetmon_bind_events_exit();
	knetmon_bind_table_exit();
}

/*
 * Probes: after the family is registered, since they multicast on it. A
 * kernel that lets none be placed still gets the table views, so this
 * never fails the load.
 */
void __init knetmon_binds_start(void)
{
	if (knetmon_binds_register())
		return;
	/* After the probes: a socket bound meanwhile is found, not lost. */
	knetmon_bind_table_seed();
	knetmon_binds_set_tracking(true);
}

void knetmon_binds_stop(void)
{
	knetmon_binds_set_tracking(false);
	knetmon_binds_unregister();
	knetmon_bind_events_stop();
}
