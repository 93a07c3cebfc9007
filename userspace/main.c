// SPDX-License-Identifier: GPL-2.0
/* knetmon: the command-line front end. Dispatches to one file per view. */
#include <stdio.h>
#include <string.h>

#include <linux/knetmon.h>

#include "knetmon.h"

static const struct kn_command commands[] = {
	{ "info", cmd_info, "module version, kernel, features and counters" },
	/* binds, monitor, wait */
	{ "binds", cmd_binds, "sockets bound now (live-bind table)" },
	{ "monitor", cmd_monitor, "stream bind events; connection events, network changes by --kinds" },
	{ "wait", cmd_wait, "wait until a socket is bound, a connection made, an address or link ready" },

	/* netstat, queues */
	{ "netstat", cmd_netstat, "sockets with their owners, like netstat" },
	{ "queues", cmd_queues, "socket queues, memory and drops; pending accepts" },
	{ "connections", cmd_connections, "TCP connections with owners, bytes and segments" },

	/* arp, route, ifconfig */
	{ "arp", cmd_arp, "ARP and NDP neighbour caches, like arp -n" },
	{ "route", cmd_route, "IPv4 and IPv6 routes of every table, like route -n" },
	{ "ifconfig", cmd_ifconfig, "interfaces, addresses and counters, like ifconfig -a" },

};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: knetmon COMMAND [ OPTIONS ]\n"
		   "       knetmon COMMAND --help\n"
		   "       knetmon { help | --version }\n\nCommands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "    %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nEvery view takes -j for JSON.\n\n"
		   "Exit status:\n"
		   "    0  success\n"
		   "    1  nothing matched (wait timed out)\n"
		   "    2  bad usage, or the kernel refused the request (its reason is printed)\n"
		   "    3  the knetmon module is not loaded (run insmod knetmon.ko)\n");
}

/* An interrupted dump outside a view's retries (monitor, wait) is an error. */
static int kn_exit_code(int err)
{
	if (err != KN_EXIT_INTERRUPTED)
		return err;
	fprintf(stderr, "knetmon: the table changed under the dump; run it again\n");
	return KN_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return KN_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return KN_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("knetmon %s (generic netlink family %s, version %d)\n",
		       KNETMON_VERSION, KNETMON_GENL_NAME, KNETMON_GENL_VERSION);
		return KN_EXIT_OK;
	}
	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return kn_exit_code(commands[i].run(argc - 1, argv + 1));

	fprintf(stderr, "knetmon: unknown command \"%s\"; try \"knetmon help\"\n", argv[1]);
	return KN_EXIT_ERROR;
}
