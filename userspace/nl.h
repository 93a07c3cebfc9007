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

struct kn_nl {
	struct nl_sock *sk;
	int family;
};

/* Parsed top-level attributes of one reply message. */
typedef int (*kn_reply_fn)(struct nlattr **tb, uint8_t cmd, void *arg);

/* Returns 0 or a KN_EXIT_* code after printing why. */
int kn_open(struct kn_nl *nl);
void kn_close(struct kn_nl *nl);

/* A request message for CMD; NLM_F_DUMP in flags for dumps. */
struct nl_msg *kn_msg(struct kn_nl *nl, uint8_t cmd, int flags);

/*
 * Send MSG (consumed) and call FN for each reply, parsed with POLICY up to
 * MAXATTR. Returns 0, or a KN_EXIT_* code after printing the kernel's error
 * and extack message.
 */
int kn_transact(struct kn_nl *nl, struct nl_msg *msg, int maxattr,
		struct nla_policy *policy, kn_reply_fn fn, void *arg);

#endif
