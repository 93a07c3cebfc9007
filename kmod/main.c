// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon: live view of the network stack from inside the kernel.
 *
 * This file only orders start-up and tear-down: each part comes up after
 * what it depends on and goes down in exact reverse, on unload and on every
 * error path alike.
 */
#include <linux/module.h>

#include "knetmon.h"
#include "conn_table.h"

/* Table walks are dumps only: nothing to register, they announce features. */
static void knetmon_tables_init(void)
{
	knetmon_sockets_init();
	knetmon_links_init();
	knetmon_routes_init();
	knetmon_neigh_init();
}

static void knetmon_tables_exit(void)
{
	knetmon_neigh_exit();
	knetmon_routes_exit();
	knetmon_links_exit();
	knetmon_sockets_exit();
}

static int __init knetmon_init(void)
{
	int err;

	/* the live-bind table exists before anything can fill or dump it */
	err = knetmon_binds_init();
	if (err)
		return err;
	err = knetmon_conn_table_init();
	if (err)
		goto err_binds;

	knetmon_tables_init();

	err = knetmon_genl_init();
	if (err)
		goto err_tables;

	/* bind probes multicast on the family: placed once it exists */
	knetmon_binds_start();
	knetmon_tcp_conns_start();
	knetmon_udp_flows_start();
	knetmon_conn_probes_started();
	knetmon_net_changes_start();
	knetmon_rtnl_changes_start();

	pr_debug("loaded, version " KNETMON_VERSION "\n");
	return 0;

err_tables:
	knetmon_tables_exit();
	knetmon_conn_table_exit();
err_binds:
	knetmon_binds_exit();
	return err;
}

static void __exit knetmon_exit(void)
{
	/* no probe or notifier fires and none is in flight once these return */
	knetmon_rtnl_changes_stop();
	knetmon_net_changes_stop();
	knetmon_conn_probes_stop();
	knetmon_udp_flows_stop();
	knetmon_tcp_conns_stop();
	knetmon_binds_stop();
	knetmon_genl_exit();
	knetmon_tables_exit();
	knetmon_conn_table_exit();
	knetmon_binds_exit();
}

module_init(knetmon_init);
module_exit(knetmon_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(KNETMON_VERSION);
MODULE_DESCRIPTION("Live view of binds, sockets, neighbours, routes and interfaces over generic netlink");
MODULE_ALIAS_GENL_FAMILY(KNETMON_GENL_NAME);
