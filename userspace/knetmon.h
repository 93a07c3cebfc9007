/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the CLI's views: exit codes and the command table. */
#ifndef KNETMON_CLI_H
#define KNETMON_CLI_H

/* Exit codes, documented in `knetmon help`. */
enum {
	KN_EXIT_OK		= 0,
	KN_EXIT_NOMATCH		= 1,	/* wait: timed out; nothing matched */
	KN_EXIT_ERROR		= 2,	/* bad usage, or the kernel refused */
	KN_EXIT_NOMODULE	= 3,	/* knetmon.ko is not loaded */
	/* internal: a dump came back flagged NLM_F_DUMP_INTR (never an exit code) */
	KN_EXIT_INTERRUPTED	= 100,
};

struct kn_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_info(int argc, char **argv);
/* binds, monitor, wait */
int cmd_binds(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_wait(int argc, char **argv);

/* netstat, queues */
int cmd_netstat(int argc, char **argv);
int cmd_queues(int argc, char **argv);
int cmd_connections(int argc, char **argv);

/* arp, route, ifconfig */
int cmd_arp(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_ifconfig(int argc, char **argv);


#endif
