// SPDX-License-Identifier: GPL-2.0
/*
 * The connection stream's probes (connect and accept in tcp_conns.c, UDP
 * sends and connects in udp_flows.c) cost a trap on every call they watch,
 * and serve nobody while no connection group has a listener. Where the
 * kernel tells a genl family of joins (compat.h), they are placed disarmed
 * and armed only while someone may listen; elsewhere they stay armed and
 * their handlers return at once when nobody does.
 *
 * A join arms them in the joining task, before the membership takes
 * effect: nothing the listener does after its join returns escapes them.
 * A leave cannot disarm at once (a leave names no socket, and anyone may
 * leave a group it never joined): it schedules a look at every netns's
 * listeners, and the probes are disarmed only when there are none. A join
 * whose membership is not visible yet (its callback ran, its socket is not
 * in the group) would look like none: a join in the last second keeps
 * them armed and the look comes back later.
 */

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "knetmon.h"
#include "bind_events.h"

static DEFINE_MUTEX(knetmon_arm_lock);
static bool knetmon_armed;
static bool knetmon_arm_running;	/* between started() and stop() */
static unsigned long knetmon_last_join;	/* jiffies */

static void knetmon_arm_check(struct work_struct *work);
static DECLARE_DELAYED_WORK(knetmon_arm_work, knetmon_arm_check);

static bool knetmon_is_conn_group(int group)
{
	return group == KNETMON_MCGRP_CONNS_ID || group == KNETMON_MCGRP_CONNS_ALL_ID;
}

static void knetmon_arm_set(bool on)
{
	lockdep_assert_held(&knetmon_arm_lock);
	if (on == knetmon_armed || !knetmon_arm_running)
		return;
	knetmon_tcp_conn_probes_arm(on);
	knetmon_udp_flow_probes_arm(on);
	knetmon_armed = on;
}

static bool knetmon_conns_listened_anywhere(void)
{
	bool listened = false;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		listened = knetmon_conn_events_listened(net);
		if (listened)
			break;
	}
	up_read(&net_rwsem);
	return listened;
}

static bool knetmon_joined_lately(void)
{
	return time_before(jiffies, knetmon_last_join + HZ);
}

static void knetmon_arm_check(struct work_struct *work)
{
	mutex_lock(&knetmon_arm_lock);
	if (knetmon_armed && !knetmon_conns_listened_anywhere()) {
		if (knetmon_joined_lately())
			schedule_delayed_work(&knetmon_arm_work, HZ);
		else
			knetmon_arm_set(false);
	}
	mutex_unlock(&knetmon_arm_lock);
}

void knetmon_conn_probes_join(int group)
{
	if (!knetmon_is_conn_group(group))
		return;
	mutex_lock(&knetmon_arm_lock);
	knetmon_last_join = jiffies;
	knetmon_arm_set(true);
	mutex_unlock(&knetmon_arm_lock);
}

void knetmon_conn_probes_leave(int group)
{
	if (knetmon_is_conn_group(group))
		schedule_delayed_work(&knetmon_arm_work, HZ);
}

/* A join before the probes were placed counts now; without word of joins, arm for good. */
void knetmon_conn_probes_started(void)
{
	mutex_lock(&knetmon_arm_lock);
	knetmon_arm_running = true;
	if (!KNETMON_CONN_PROBES_ON_DEMAND)
		knetmon_armed = true;	/* placed armed */
	else if (knetmon_joined_lately() || knetmon_conns_listened_anywhere())
		knetmon_arm_set(true);
	mutex_unlock(&knetmon_arm_lock);
	if (KNETMON_CONN_PROBES_ON_DEMAND)
		set_bit(KNETMON_FEAT_PROBES_ON_DEMAND, &knetmon_features);
}

void knetmon_conn_probes_stop(void)
{
	mutex_lock(&knetmon_arm_lock);
	knetmon_arm_running = false;
	mutex_unlock(&knetmon_arm_lock);
	cancel_delayed_work_sync(&knetmon_arm_work);
	clear_bit(KNETMON_FEAT_PROBES_ON_DEMAND, &knetmon_features);
}

u64 knetmon_conn_probes_missed(void)
{
	return knetmon_tcp_conn_probes_missed() + knetmon_udp_flow_probes_missed();
}

void knetmon_conn_probes_sync_counters(void)
{
	atomic64_set(&knetmon_counters[KNETMON_A_COUNTER_CONN_PROBES_MISSED],
		     knetmon_conn_probes_missed());
}
