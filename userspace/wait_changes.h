/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knetmon wait --ip, --ip-on, --link: wait until the caller's netns has an
 * address, an interface with a global address, or an interface up and
 * running, from the "changes" events and the GET_LINKS listing.
 */
#ifndef KNETMON_WAIT_CHANGES_H
#define KNETMON_WAIT_CHANGES_H

#include <stdint.h>

struct kn_change_cond {
	enum {
		KN_WAIT_NONE,
		KN_WAIT_IP,		/* --ip: FAMILY's ADDR on any interface, usable */
		KN_WAIT_IP_ON,		/* --ip-on: a usable global address on DEV */
		KN_WAIT_LINK,		/* --link: DEV up, operstate up or unknown */
	} what;
	int family;
	uint8_t addr[16];
	const char *dev;
};

/* Wait for COND, TIMEOUT seconds at most (0: forever); a KN_EXIT_* code. */
int kn_wait_changes(const struct kn_change_cond *cond, double timeout);

#endif
