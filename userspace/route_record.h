/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One route (a GET_ROUTES record, or the ROUTE nest of a change event,
 * which has the same attributes), printed once for text and JSON in the
 * manner of `ip route show`, by the route and monitor views.
 */
#ifndef KNETMON_ROUTE_RECORD_H
#define KNETMON_ROUTE_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>

#include <linux/knetmon.h>

#include "addr.h"

extern struct nla_policy kn_route_policy[KNETMON_A_ROUTE_MAX + 1];

/* One decoded next hop. */
struct kn_route_nh {
	int family;
	char gw[KN_ADDRSTRLEN];	/* "": none */
	uint32_t ifindex, weight, flags;
};

/* A KNETMON_A_NH nest of a route of FAMILY: 0, or -1 when malformed. */
int kn_route_parse_nh(struct nlattr *a, int family, struct kn_route_nh *h);
/* Whether TB holds what every route record has. */
bool kn_route_complete(struct nlattr **tb);
/* DST/DST_LEN as text into BUF (KN_ADDRSTRLEN). */
const char *kn_route_dst(struct nlattr **tb, char *buf, size_t n);

/*
 * The ip-route style fields of the route in TB ("unicast 10.0.0.0/8 table
 * main proto kernel scope link metric 0 src ... dev eth0"), no line end;
 * devices named from NAMES; "netns" too when NETNS is not 0.
 */
void kn_route_print_fields(struct nlattr **tb, const struct kn_link_names *names, uint32_t netns);

#endif
