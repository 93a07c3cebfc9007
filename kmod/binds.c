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
#include "binds.h"

DEFINE_SPINLOCK(knetmon_binds_lock);

/* ---- wire format ---------------------------------------------------- */

/* Where the socket is bound: address and port, or a unix socket's name. */
static int knetmon_bind_put_local(struct sk_buff *skb, const struct knetmon_bind_rec *rec)
{
	if (rec->family == AF_UNIX)
		return rec->path_len ? nla_put(skb, KNETMON_A_BIND_UNIX_PATH, rec->path_len,
					       rec->path) : 0;
	return nla_put(skb, KNETMON_A_BIND_ADDR, rec->family == AF_INET6 ? 16 : 4, rec->addr) ||
	       nla_put_be16(skb, KNETMON_A_BIND_PORT, rec->port);
}

int knetmon_bind_fill(struct sk_buff *skb, const struct knetmon_bind_rec *rec,
		      u32 portid, u32 seq, int flags, u8 cmd, const u64 *dump_seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &knetmon_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u64_64bit(skb, KNETMON_A_BIND_SEQ, rec->seq, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_KIND, rec->kind) ||
	    nla_put_s32(skb, KNETMON_A_BIND_RESULT, rec->result) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_TIME_REAL, rec->time_real, KNETMON_A_BIND_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_TIME_BOOT, rec->time_boot, KNETMON_A_BIND_PAD) ||
	    nla_put_u32(skb, KNETMON_A_BIND_PID, rec->pid) ||
	    nla_put_u32(skb, KNETMON_A_BIND_TGID, rec->tgid) ||
	    nla_put_u32(skb, KNETMON_A_BIND_UID, rec->uid) ||
	    nla_put_string(skb, KNETMON_A_BIND_COMM, rec->comm) ||
	    nla_put_u32(skb, KNETMON_A_BIND_NETNS, rec->netns) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_CGROUP, rec->cgroup, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_FAMILY, rec->family) ||
	    nla_put_u8(skb, KNETMON_A_BIND_TYPE, rec->type) ||
	    nla_put_u8(skb, KNETMON_A_BIND_PROTOCOL, rec->protocol) ||
	    knetmon_bind_put_local(skb, rec) ||
	    nla_put_u32(skb, KNETMON_A_BIND_IFINDEX, rec->ifindex) ||
	    nla_put_u32(skb, KNETMON_A_BIND_SOCKOPTS, rec->sockopts) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_COOKIE, rec->cookie, KNETMON_A_BIND_PAD) ||
	    nla_put_u64_64bit(skb, KNETMON_A_BIND_INODE, rec->inode, KNETMON_A_BIND_PAD) ||
	    nla_put_u8(skb, KNETMON_A_BIND_STATE, rec->state))
		goto cancel;
	if (rec->kind == KNETMON_BIND_KIND_LISTEN &&
	    nla_put_u32(skb, KNETMON_A_BIND_BACKLOG, rec->backlog))
		goto cancel;
	if (rec->preexisting && nla_put_flag(skb, KNETMON_A_BIND_PREEXISTING))
		goto cancel;
	if (dump_seq && nla_put_u64_64bit(skb, KNETMON_A_BIND_DUMP_SEQ, *dump_seq,
					  KNETMON_A_BIND_PAD))
		goto cancel;

	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* ---- building a record ---------------------------------------------- */

static void knetmon_rec_task(struct knetmon_bind_rec *rec)
{
	rec->time_real = ktime_get_real_ns();
	rec->time_boot = ktime_get_boottime_ns();
	rec->pid = current->pid;
	rec->tgid = current->tgid;
	rec->uid = from_kuid_munged(&init_user_ns, current_uid());
	strscpy(rec->comm, current->comm, sizeof(rec->comm));
	rcu_read_lock();
	rec->cgroup = cgroup_id(task_dfl_cgroup(current));
	rcu_read_unlock();
}

static u32 knetmon_sockopts(const struct sock *sk)
{
	u32 opts = 0;

	/* bitfields on 6.12: plain reads of options set before bind() */
	if (sk->sk_reuse)
		opts |= KNETMON_SOCKOPT_REUSEADDR;
	if (sk->sk_reuseport)
		opts |= KNETMON_SOCKOPT_REUSEPORT;
	if (knetmon_inet_freebind(sk))
		opts |= KNETMON_SOCKOPT_FREEBIND;
	if (knetmon_inet_transparent(sk))
		opts |= KNETMON_SOCKOPT_TRANSPARENT;
	if (sk->sk_family == AF_INET6 && sk->sk_ipv6only)
		opts |= KNETMON_SOCKOPT_V6ONLY;
	return opts;
}

/* A unix name of LEN bytes; a pathname ends at its first NUL. */
static void knetmon_rec_unix_path(struct knetmon_bind_rec *rec, const char *path, int len)
{
	len = clamp_t(int, len, 0, sizeof(rec->path));
	if (len && path[0])
		len = strnlen(path, len);
	memcpy(rec->path, path, len);
	rec->path_len = len;
}

/*
 * The name a unix socket holds now. bind and autobind publish
 * unix_sk(sk)->addr once, with a release store, and it never changes while
 * the socket lives: an acquire load (as unix_getname() does) sees it whole.
 * Its len counts sun_family, and for a pathname the terminating NUL.
 */
static void knetmon_rec_unix_name(struct knetmon_bind_rec *rec, const struct sock *sk)
{
	const struct unix_address *addr = smp_load_acquire(&unix_sk(sk)->addr);

	rec->path_len = 0;
	if (addr)
		knetmon_rec_unix_path(rec, addr->name->sun_path,
				      addr->len - (int)offsetof(struct sockaddr_un, sun_path));
}

/* What the socket is: identity, options and the address it holds now. */
void knetmon_rec_sock(struct knetmon_bind_rec *rec, const struct sock *sk,
		      const struct socket *sock)
{
	rec->netns = sock_net(sk)->ns.inum;
	rec->family = sk->sk_family;
	rec->type = sk->sk_type;
	rec->protocol = sk->sk_protocol;
	rec->state = READ_ONCE(sk->sk_state);
	rec->ifindex = READ_ONCE(sk->sk_bound_dev_if);
	rec->inode = sock ? SOCK_INODE((struct socket *)sock)->i_ino : 0;
	/* a unix_sock has no inet_sock fields: neither port nor inet options */
	if (sk->sk_family == AF_UNIX) {
		knetmon_rec_unix_name(rec, sk);
		return;
	}
	rec->sockopts = knetmon_sockopts(sk);
	rec->port = htons(READ_ONCE(inet_sk(sk)->inet_num));
	if (sk->sk_family == AF_INET6)
		memcpy(rec->addr, &sk->sk_v6_rcv_saddr, 16);
	else
		memcpy(rec->addr, &sk->sk_rcv_saddr, 4);
}

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

/*
 * Apply OP to the table; false when there is nothing to report (release of
 * a socket we never saw bound). On return REC carries the cookie and, for a
 * release, what the table knew about the socket.
 */
static bool knetmon_table_apply(struct knetmon_bind_rec *rec, const struct sock *sk,
				enum knetmon_table_op op)
{
	struct knetmon_bind_rec *e = knetmon_bind_table_lookup(sk);
	struct knetmon_bind_rec now;

	switch (op) {
	case KNETMON_TABLE_NONE:
		if (e)
			rec->cookie = e->cookie;
		return true;
	case KNETMON_TABLE_SET:
		if (!e)
			e = knetmon_bind_table_insert(sk);
		if (e) {
			rec->cookie = e->cookie;
			*e = *rec;
		}
		return true;
	case KNETMON_TABLE_DEL:
		if (!e)
			return false;
		now = *rec;
		*rec = *e;
		rec->kind = KNETMON_BIND_KIND_RELEASE;
		rec->result = 0;
		rec->time_real = now.time_real;
		rec->time_boot = now.time_boot;
		rec->pid = now.pid;
		rec->tgid = now.tgid;
		rec->uid = now.uid;
		rec->cgroup = now.cgroup;
		memcpy(rec->comm, now.comm, sizeof(rec->comm));
		knetmon_bind_table_remove(e);
		return true;
	}
	return false;
}

static void knetmon_bind_event(struct knetmon_bind_rec *rec, const struct sock *sk,
			       enum knetmon_table_op op)
{
	struct net *net = sock_net(sk);
	struct knetmon_binds_net *bn;
	unsigned long flags;

	rcu_read_lock();
	spin_lock_irqsave(&knetmon_binds_lock, flags);
	bn = knetmon_binds_net(net);
	/* No pernet data: the netns is being built or torn down around us. */
	if (!bn || !knetmon_table_apply(rec, sk, op)) {
		spin_unlock_irqrestore(&knetmon_binds_lock, flags);
		rcu_read_unlock();
		return;
	}
	knetmon_bind_event_queue(bn, net, rec);
	spin_unlock_irqrestore(&knetmon_binds_lock, flags);
	rcu_read_unlock();

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
	call->port = 0;
	memset(call->addr, 0, sizeof(call->addr));
	/* The kernel's copy of the user's sockaddr: reported for failures. */
	if (uaddr && uaddr->sa_family == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)uaddr;

		call->port = sin->sin_port;
		memcpy(call->addr, &sin->sin_addr, 4);
	} else if (uaddr && uaddr->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *sin6 = (const void *)uaddr;

		call->port = sin6->sin6_port;
		memcpy(call->addr, &sin6->sin6_addr, 16);
	}
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
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_NONE);
	} else {
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
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
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
	}
	rec.kind = KNETMON_BIND_KIND_LISTEN;
	rec.backlog = call->backlog;
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
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
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
	return 0;
}

/* inet_release()/inet6_release(): the last close of a socket we track. */
static int knetmon_release_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)knetmon_probe_arg(regs, 0);
	struct knetmon_bind_rec rec = { .kind = KNETMON_BIND_KIND_RELEASE };
	struct sock *sk = READ_ONCE(sock->sk);

	/* inet6_release() calls inet_release(): the second finds no entry. */
	if (sk) {
		knetmon_rec_task(&rec);
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_DEL);
	}
	return knetmon_probe_step(p, regs);
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
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_NONE);
	} else {
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
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
		knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
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
	knetmon_bind_event(&rec, sk, KNETMON_TABLE_SET);
	return 0;
}

/*
 * unix_release(): every unix socket's close passes here, socketpairs and
 * clients included. Only a named socket can be in the table, so the rest
 * skip the table lock.
 */
static int knetmon_unix_release_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)knetmon_probe_arg(regs, 0);
	struct sock *sk = READ_ONCE(sock->sk);

	if (!sk || !smp_load_acquire(&unix_sk(sk)->addr))
		return knetmon_probe_step(p, regs);
	return knetmon_release_pre(p, regs);
}

/* ---- registration --------------------------------------------------- */

/*
 * For tests of the missing-symbol path: the probes named here are placed on
 * a symbol no kernel has, so register_kprobe() fails the way it does on a
 * kernel that lacks (or inlined) the function.
 */
static char *fault_probe;
module_param(fault_probe, charp, 0444);
MODULE_PARM_DESC(fault_probe, "testing: comma-separated probe symbols to treat as missing");

static const char *knetmon_probe_symbol(const char *name)
{
	const char *p = fault_probe;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return "knetmon_fault_injected_missing_symbol";
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return name;
}

static int knetmon_register_kprobe(struct kprobe *kp)
{
	const char *name = kp->symbol_name;
	int err;

	kp->symbol_name = knetmon_probe_symbol(name);
	err = register_kprobe(kp);
	kp->symbol_name = name;
	if (!err && !knetmon_probe_can_step(kp)) {
		unregister_kprobe(kp);
		err = -EOPNOTSUPP;	/* see compat.h */
	}
	if (err)
		pr_notice("cannot probe %s (%d): feature off\n", name, err);
	return err;
}

static int knetmon_register_kretprobe(struct kretprobe *rp)
{
	const char *name = rp->kp.symbol_name;
	int err;

	rp->kp.symbol_name = knetmon_probe_symbol(name);
	err = register_kretprobe(rp);
	rp->kp.symbol_name = name;
	if (err)
		pr_notice("cannot probe %s (%d): feature off\n", name, err);
	return err;
}

static struct kretprobe knetmon_kretprobes[] = {
	{
		.kp.symbol_name	= "inet_bind",
		.entry_handler	= knetmon_bind_entry,
		.handler	= knetmon_bind_return,
		.data_size	= sizeof(struct knetmon_bind_call),
	},
	{
		.kp.symbol_name	= "inet6_bind",
		.entry_handler	= knetmon_bind_entry,
		.handler	= knetmon_bind_return,
		.data_size	= sizeof(struct knetmon_bind_call),
	},
	{
		.kp.symbol_name	= "inet_listen",
		.entry_handler	= knetmon_listen_entry,
		.handler	= knetmon_listen_return,
		.data_size	= sizeof(struct knetmon_listen_call),
	},
	{
		.kp.symbol_name	= "inet_autobind",
		.entry_handler	= knetmon_autobind_entry,
		.handler	= knetmon_autobind_return,
		.data_size	= sizeof(struct knetmon_autobind_call),
	},
	{
		.kp.symbol_name	= "unix_bind",
		.entry_handler	= knetmon_unix_bind_entry,
		.handler	= knetmon_unix_bind_return,
		.data_size	= sizeof(struct knetmon_unix_bind_call),
	},
	{
		.kp.symbol_name	= "unix_autobind",
		.entry_handler	= knetmon_unix_autobind_entry,
		.handler	= knetmon_unix_autobind_return,
		.data_size	= sizeof(struct knetmon_unix_autobind_call),
	},
	{
		.kp.symbol_name	= "unix_listen",
		.entry_handler	= knetmon_unix_listen_entry,
		.handler	= knetmon_unix_listen_return,
		.data_size	= sizeof(struct knetmon_unix_listen_call),
	},
};

/*
 * Where probes step themselves (compat.h), a kretprobe's entry still
 * single-steps: its pre_handler is kprobes' own. A plain kprobe at the same
 * address, placed just before it, does the instruction instead: kprobes
 * runs the handlers of one address newest first, so when this one returns
 * the kretprobe's entry has run.
 */
static int knetmon_step_pre(struct kprobe *p, struct pt_regs *regs)
{
	return knetmon_probe_step(p, regs);
}

static struct kprobe knetmon_step_kprobes[ARRAY_SIZE(knetmon_kretprobes)];
static bool knetmon_step_placed[ARRAY_SIZE(knetmon_kretprobes)];

static int knetmon_step_register(int i)
{
	struct kprobe *kp = &knetmon_step_kprobes[i];

	if (!KNETMON_PROBE_STEPS_ITSELF)
		return 0;
	*kp = (struct kprobe) {
		.symbol_name = knetmon_kretprobes[i].kp.symbol_name,
		.pre_handler = knetmon_step_pre,
	};
	if (knetmon_register_kprobe(kp))
		return -ENOENT;
	knetmon_step_placed[i] = true;
	return 0;
}

static void knetmon_step_unregister(int i)
{
	if (knetmon_step_placed[i])
		unregister_kprobe(&knetmon_step_kprobes[i]);
	knetmon_step_placed[i] = false;
}

static const int knetmon_kretprobe_feature[] = {
	KNETMON_FEAT_BIND_INET, KNETMON_FEAT_BIND_INET6,
	KNETMON_FEAT_LISTEN, KNETMON_FEAT_AUTOBIND,
	KNETMON_FEAT_UNIX, KNETMON_FEAT_UNIX_AUTOBIND, KNETMON_FEAT_UNIX_LISTEN,
};

/* The release probe each bind probe needs: what it stores must be removable. */
static const int knetmon_kretprobe_needs[] = {
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET,
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET,
	KNETMON_FEAT_UNIX_RELEASE, KNETMON_FEAT_UNIX_RELEASE, KNETMON_FEAT_UNIX_RELEASE,
};
static_assert(ARRAY_SIZE(knetmon_kretprobe_needs) == ARRAY_SIZE(knetmon_kretprobes));
static_assert(ARRAY_SIZE(knetmon_kretprobe_feature) == ARRAY_SIZE(knetmon_kretprobes));

static struct kprobe knetmon_kprobes[] = {
	{ .symbol_name = "inet_release", .pre_handler = knetmon_release_pre },
	{ .symbol_name = "inet6_release", .pre_handler = knetmon_release_pre },
	{ .symbol_name = "unix_release", .pre_handler = knetmon_unix_release_pre },
};

static const int knetmon_kprobe_feature[] = {
	KNETMON_FEAT_RELEASE_INET, KNETMON_FEAT_RELEASE_INET6, KNETMON_FEAT_UNIX_RELEASE,
};

/* Sum of kretprobe instances that were not available when needed. */
void knetmon_binds_sync_counters(void)
{
	u64 missed = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(knetmon_kretprobes); i++)
		if (test_bit(knetmon_kretprobe_feature[i], &knetmon_features))
			missed += READ_ONCE(knetmon_kretprobes[i].nmissed) +
				  READ_ONCE(knetmon_kretprobes[i].kp.nmissed);
	for (i = 0; i < ARRAY_SIZE(knetmon_kprobes); i++)
		if (test_bit(knetmon_kprobe_feature[i], &knetmon_features))
			missed += READ_ONCE(knetmon_kprobes[i].nmissed);
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_PROBES_MISSED], missed);
}

static void knetmon_binds_unregister(void)
{
	struct kretprobe *rps[ARRAY_SIZE(knetmon_kretprobes)];
	struct kprobe *kps[ARRAY_SIZE(knetmon_kprobes)];
	int i, n;

	/*
	 * Binds first, releases last: entries stop coming before they stop
	 * going. Each batch waits once for the handlers in flight on every
	 * CPU (one RCU grace period for the lot, not one per probe).
	 */
	for (i = 0, n = 0; i < ARRAY_SIZE(knetmon_kretprobes); i++)
		if (test_and_clear_bit(knetmon_kretprobe_feature[i], &knetmon_features))
			rps[n++] = &knetmon_kretprobes[i];
	if (n)
		unregister_kretprobes(rps, n);
	for (i = 0; i < ARRAY_SIZE(knetmon_step_kprobes); i++)
		knetmon_step_unregister(i);
	for (i = 0, n = 0; i < ARRAY_SIZE(knetmon_kprobes); i++)
		if (test_and_clear_bit(knetmon_kprobe_feature[i], &knetmon_features))
			kps[n++] = &knetmon_kprobes[i];
	if (n)
		unregister_kprobes(kps, n);
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

	/* Releases first: a bind must never be stored that cannot be removed. */
	for (i = 0; i < ARRAY_SIZE(knetmon_kprobes); i++) {
		if (knetmon_register_kprobe(&knetmon_kprobes[i]))
			continue;
		set_bit(knetmon_kprobe_feature[i], &knetmon_features);
	}
	if (!test_bit(KNETMON_FEAT_RELEASE_INET, &knetmon_features)) {
		pr_notice("no release probe: bind tracking off\n");
		knetmon_binds_unregister();
		return -ENOENT;
	}

	for (i = 0; i < ARRAY_SIZE(knetmon_kretprobes); i++) {
		if (!test_bit(knetmon_kretprobe_needs[i], &knetmon_features)) {
			pr_notice("%s not probed: its release probe is missing\n",
				  knetmon_kretprobes[i].kp.symbol_name);
			continue;
		}
		/* Every bind of every CPU may be in flight at once. */
		knetmon_kretprobes[i].maxactive = max_t(int, 64, 8 * num_possible_cpus());
		if (knetmon_step_register(i))
			continue;
		if (knetmon_register_kretprobe(&knetmon_kretprobes[i])) {
			knetmon_step_unregister(i);
			continue;
		}
		set_bit(knetmon_kretprobe_feature[i], &knetmon_features);
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

static bool knetmon_binds_on;

bool knetmon_binds_tracking(void)
{
	return READ_ONCE(knetmon_binds_on);
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
	WRITE_ONCE(knetmon_binds_on, true);
}

void knetmon_binds_stop(void)
{
	WRITE_ONCE(knetmon_binds_on, false);
	knetmon_binds_unregister();
	knetmon_bind_events_stop();
}
