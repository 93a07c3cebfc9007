// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon wait --ip, --ip-on, --link: see wait_changes.h. Like the bind
 * conditions, it joins the "changes" group first and lists the links
 * (GET_LINKS, with their addresses) second, so a condition already true
 * returns at once and nothing that changes in between escapes; a gap in
 * the events lists them again. An IPv6 address is usable only once
 * duplicate address detection has ended: while a matching address is
 * tentative the links are listed again every DAD_RECHECK_MS, so its end is
 * seen whether or not an event tells it (the module announces it as
 * rtnetlink does; a netns without those announcements has none).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "bind_record.h"
#include "change_record.h"
#include "knetmon.h"
#include "nl.h"
#include "print.h"
#include "wait_changes.h"

#define DAD_RECHECK_MS	100

struct change_waiter {
	const struct kn_change_cond *cond;
	bool found;
	bool relist_now;	/* events were lost, or DEV got its name: list at once */
	bool recheck_soon;	/* a match is tentative, or a listing was cut short */
	uint64_t last_seq;
};

enum verdict { NOT_YET, DAD_RUNNING, MET };

static bool link_running(const struct kn_change_link *l)
{
	/* drivers without carrier reporting (dummy) stay "unknown" when up */
	return l->has_flags && (l->flags & IFF_UP) &&
	       (!l->has_operstate || l->operstate == IF_OPER_UP ||
		l->operstate == IF_OPER_UNKNOWN);
}

static bool addr_matches(const struct kn_change_cond *w, const char *ifname,
			 const struct kn_change_addr *a)
{
	if (w->what == KN_WAIT_IP)
		return a->family == w->family &&
		       !memcmp(a->address, w->addr, w->family == AF_INET6 ? 16 : 4);
	return w->what == KN_WAIT_IP_ON && !strcmp(ifname, w->dev) &&
	       a->scope == RT_SCOPE_UNIVERSE;
}

static enum verdict addr_verdict(const struct kn_change_cond *w, const char *ifname,
				 const struct kn_change_addr *a)
{
	/* a failed detection never ends: the address must be added again */
	if (!addr_matches(w, ifname, a) || (a->flags & IFA_F_DADFAILED))
		return NOT_YET;
	return kn_change_addr_usable(a) ? MET : DAD_RUNNING;
}

static int waiter_found(struct change_waiter *w, const struct kn_change *c, int how)
{
	w->found = true;
	kn_change_print(c, how);
	print_end();
	return 1;	/* stops the listing or the stream */
}

/* A link's addresses in the listing, each printed alone if it matches. */
static int listing_addrs(struct change_waiter *w, struct kn_change *c, struct nlattr *addrs)
{
	struct nlattr *a;
	int rem;

	c->has_addr = true;
	nla_for_each_nested(a, addrs, rem) {
		if (nla_type(a) != KNETMON_A_ADDR || kn_change_addr_parse(a, &c->addr))
			continue;
		switch (addr_verdict(w->cond, c->ifname, &c->addr)) {
		case MET:		return waiter_found(w, c, 0);
		case DAD_RUNNING:	w->recheck_soon = true; break;
		case NOT_YET:		break;
		}
	}
	return 0;
}

static int listing_link(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct change_waiter *w = arg;
	struct kn_change c = { 0 };

	if (!tb[KNETMON_A_LINK_IFINDEX] || !tb[KNETMON_A_LINK_NAME])
		return 0;
	c.ifindex = nla_get_u32(tb[KNETMON_A_LINK_IFINDEX]);
	snprintf(c.ifname, sizeof(c.ifname), "%s", nla_get_string(tb[KNETMON_A_LINK_NAME]));
	if (w->cond->what != KN_WAIT_LINK)
		return tb[KNETMON_A_LINK_ADDRS] ? listing_addrs(w, &c, tb[KNETMON_A_LINK_ADDRS]) : 0;
	c.has_link = true;
	kn_change_link_parse(tb, &c.link);
	return !strcmp(c.ifname, w->cond->dev) && link_running(&c.link) ? waiter_found(w, &c, 0) : 0;
}

/* The links as they are now, through a socket of their own: 1 when one meets the condition. */
static int waiter_list(struct change_waiter *w)
{
	struct kn_nl nl;
	int err;

	w->relist_now = false;
	w->recheck_soon = false;
	err = kn_open(&nl);
	if (err)
		return err;
	err = kn_transact(&nl, kn_msg(&nl, KNETMON_CMD_GET_LINKS, NLM_F_DUMP), KNETMON_A_LINK_MAX,
			  kn_change_link_policy, listing_link, w);
	kn_close(&nl);
	if (w->found)
		return 1;
	if (err == KN_EXIT_INTERRUPTED) {
		/* the links changed under the listing: what it missed, the next one shows */
		w->recheck_soon = true;
		err = 0;
	}
	return err;
}

static int waiter_event(const struct kn_change *c, void *arg)
{
	struct change_waiter *w = arg;
	const struct kn_change_cond *cond = w->cond;
	bool on_dev = cond->dev && !strcmp(c->ifname, cond->dev);

	if (w->last_seq && c->seq > w->last_seq + 1)
		w->relist_now = true;
	w->last_seq = c->seq;
	switch (c->kind) {
	case KNETMON_CHANGE_KIND_ADDR_NEW:
		switch (addr_verdict(cond, c->ifname, &c->addr)) {
		case MET:		return waiter_found(w, c, KN_BIND_PRINT_EVENT);
		case DAD_RUNNING:	w->recheck_soon = true; break;
		case NOT_YET:		break;
		}
		return 0;
	case KNETMON_CHANGE_KIND_LINK_NEW:
	case KNETMON_CHANGE_KIND_LINK:
		if (cond->what == KN_WAIT_LINK)
			return on_dev && link_running(&c->link) ?
			       waiter_found(w, c, KN_BIND_PRINT_EVENT) : 0;
		/* a link renamed DEV keeps its addresses: no event names them */
		if (cond->what == KN_WAIT_IP_ON && on_dev)
			w->relist_now = true;
		return 0;
	default:
		return 0;
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

int kn_wait_changes(const struct kn_change_cond *cond, double timeout)
{
	struct change_waiter w = { .cond = cond };
	uint64_t deadline = timeout > 0 ? now_ms() + (uint64_t)(timeout * 1000) : 0;
	struct kn_bind_stream s;
	int err;

	/* Subscribe first, then list: nothing that changes in between escapes. */
	if (kn_changes_subscribe(&s, KNETMON_MCGRP_CHANGES, 0, waiter_event, &w))
		return KN_EXIT_ERROR;
	err = waiter_list(&w);
	while (!err) {
		uint64_t now = now_ms();
		int wait_ms = -1;

		if (deadline) {
			if (now >= deadline)
				break;
			wait_ms = deadline - now;
		}
		if (w.recheck_soon && (wait_ms < 0 || wait_ms > DAD_RECHECK_MS))
			wait_ms = DAD_RECHECK_MS;
		err = kn_binds_poll(&s, wait_ms);
		if (err == KN_STREAM_OVERRUN) {
			/* events were lost: the listing tells what they did */
			w.relist_now = true;
			err = 0;
		}
		if (!err && (w.relist_now || w.recheck_soon))
			err = waiter_list(&w);
	}
	kn_binds_unsubscribe(&s);
	if (w.found)
		return KN_EXIT_OK;
	if (err)
		return err;
	fprintf(stderr, "knetmon: wait: timed out\n");
	return KN_EXIT_NOMATCH;
}
