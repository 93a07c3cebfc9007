/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's netlink layer on libnl-3: connect, resolve the family, send one
 * request and hand every reply message, parsed against the caller's policy,
 * to a callback. Kernel rejections come back with their extack message.
 */
#ifndef KNETMON_NL_H
#define KNETMON_NL_H

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct kn_nl {
	struct nl_sock *sk;
	int family;
	int netns_fd;		/* -1: the caller's netns; else sent with every dump */
	bool all_netns;		/* views that can: ask for every netns */
};

/* Parsed top-level attributes of one reply message. */
typedef int (*kn_reply_fn)(struct nlattr **tb, uint8_t cmd, void *arg);

/* Returns 0 or a KN_EXIT_* code after printing why. */
int kn_open(struct kn_nl *nl);
void kn_close(struct kn_nl *nl);

/*
 * A request message for CMD; NLM_F_DUMP in flags for dumps. A dump carries
 * KNETMON_REQ_NETNS_FD when nl->netns_fd is set (every dump takes it).
 */
struct nl_msg *kn_msg(struct kn_nl *nl, uint8_t cmd, int flags);

/*
 * Send MSG (consumed) and call FN for each reply, parsed with POLICY up to
 * MAXATTR. Returns 0, or a KN_EXIT_* code after printing the kernel's error
 * and extack message.
 */
int kn_transact(struct kn_nl *nl, struct nl_msg *msg, int maxattr,
		struct nla_policy *policy, kn_reply_fn fn, void *arg);

/*
 * An open network namespace file for NAME: a name under /var/run/netns (as
 * `ip netns add` makes) or a process id (/proc/PID/ns/net). -1 after
 * printing why.
 */
int kn_netns_open(const char *name);

/* What a view adds to the common options of kn_view_run(). */
enum {
	KN_VIEW_NETNS		= 1 << 0,	/* -N/--netns NAME|PID */
	KN_VIEW_ALL_NETNS	= 1 << 1,	/* --all-netns */
};

/*
 * One view: its own options (without -j and -h, which the runner adds
 * with -N/--netns and --all-netns as FLAGS say), how to take one of them
 * and what to run between kn_open() and kn_close().
 */
struct kn_view {
	const char *optstring;
	const struct option *longopts;	/* may be NULL; ends with a zero entry */
	void (*usage)(FILE *f);
	/* An option of the view's own: 0, or a KN_EXIT_* code after printing why. */
	int (*option)(int c, const char *arg, void *state);
	int (*run)(struct kn_nl *nl, void *state);
	unsigned int flags;		/* KN_VIEW_* */
	size_t state_size;		/* restored before a dump is run again */
};

/*
 * Parse ARGV for VIEW (usage errors and -h as every view answers them),
 * open the family with the netns selection, run the view, close. A run
 * whose dump the kernel flagged interrupted is repeated (its output held
 * back), a few times at most. Returns the view's KN_EXIT_* code.
 */
int kn_view_run(const struct kn_view *view, int argc, char **argv, void *state);

/*
 * KNETMON_REQ_FLAGS of a dump: FLAGS, plus KNETMON_REQF_ALL_NETNS when
 * nl->all_netns; nothing when that is 0. False when MSG is full.
 */
bool kn_put_flags(struct kn_nl *nl, struct nl_msg *msg, uint32_t flags);

/* -4 or -6 as C: sets *FAMILY to AF_INET or AF_INET6. Other options: false. */
bool kn_family_option(int c, int *family);

/* A view's dump (MSG, consumed) as one JSON array; kn_transact()'s result. */
int kn_view_dump(struct kn_nl *nl, struct nl_msg *msg, int maxattr,
		 struct nla_policy *policy, kn_reply_fn fn, void *arg);

#endif
