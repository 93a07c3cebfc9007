// SPDX-License-Identifier: GPL-2.0
/*
 * Seeding the live-bind table at load with the sockets bound before it.
 */

#include <linux/timekeeping.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "knetmon.h"
#include "bind_table.h"

/*
 * Seeding at load: listeners and bound UDP sockets that exist before the
 * probes saw them enter the table flagged preexisting, with no process
 * (the binder is unknown). Runs once, after the probes are placed, so a
 * socket bound meanwhile is already there and skipped. The socket walker
 * of sockets.c hands each one over referenced and outside its table's
 * lock, so the bind lock is never taken inside a bucket lock. A socket
 * whose release probe fires between the walk and the insert stays as a
 * stale entry (never dereferenced) until a socket at the same address
 * binds or closes: its inode tells the two apart (TABLE_STALE).
 */
static void knetmon_seed_sock(struct sock *sk, void *unused)
{
	struct knetmon_bind_rec rec = { .preexisting = true };
	struct knetmon_bind_entry *e;
	unsigned long flags;

	if (!sk_fullsock(sk) || sock_flag(sk, SOCK_DEAD) || !READ_ONCE(sk->sk_socket))
		return;
	knetmon_rec_sock(&rec, sk, NULL);
	/* under sk_callback_lock: the struct socket may be going away */
	rec.inode = sock_i_ino(sk);
	rec.kuid = sock_i_uid(sk);
	rec.uid = from_kuid_munged(&init_user_ns, rec.kuid);
	rec.kind = rec.state == TCP_LISTEN ? KNETMON_BIND_KIND_LISTEN : KNETMON_BIND_KIND_BIND;
	rec.time_real = ktime_get_real_ns();
	rec.time_boot = ktime_get_boottime_ns();

	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	if (!knetmon_bind_table_lookup(sk, rec.inode)) {
		e = knetmon_bind_table_insert(sk, &rec);
		if (e) {
			knetmon_bind_table_store(e, &rec);
			knetmon_count(KNETMON_A_COUNTER_TABLE_SEEDED);
		}
	}
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
}

void knetmon_bind_table_seed(void)
{
	int err = knetmon_sockets_for_each_bound(knetmon_seed_sock, NULL);

	if (err)
		pr_warn("the sockets bound before load are not all in the table: %d\n", err);
}
