/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the table views (arp, route, ifconfig): address formatting and
 * interface names resolved from the module's own GET_LINKS dump, so a view
 * names devices of the netns it was answered for.
 */
#ifndef KNETMON_ADDR_H
#define KNETMON_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

#define KN_ADDRSTRLEN 64	/* an IPv6 address or a 20-byte link-layer address */

/* "" when LEN does not fit FAMILY (4 for AF_INET, 16 for AF_INET6). */
const char *kn_ip_str(int family, const void *addr, int len, char *buf, size_t n);
/* Colon-separated hex, as ip and ifconfig print link-layer addresses. */
const char *kn_ll_str(const void *addr, int len, char *buf, size_t n);
const char *kn_family_name(int family);

struct kn_link_name {
	uint32_t ifindex;
	uint32_t netns;		/* inode */
	uint16_t type;		/* ARPHRD_* */
	char name[16];
};

struct kn_link_names {
	struct kn_link_name *v;
	size_t n;
	uint32_t netns;		/* lookups: in this netns only (0: the one dumped) */
};

/* Fill NAMES from a GET_LINKS dump (every netns with nl->all_netns); 0 or a KN_EXIT_* code. */
int kn_link_names_load(struct kn_nl *nl, struct kn_link_names *names);
void kn_link_names_free(struct kn_link_names *names);
/* The device's name, or "if<N>" in BUF when the dump did not have it. */
const char *kn_link_name(const struct kn_link_names *names, uint32_t ifindex,
			 char *buf, size_t n);
const struct kn_link_name *kn_link_find(const struct kn_link_names *names, uint32_t ifindex);

/* Names for bits: "UP", "BROADCAST", ...; NULL when unnamed. */
const char *kn_iff_name(unsigned int bit);
const char *kn_nud_name(unsigned int bit);
/* IFA_F_* bit names; bit 0 is "secondary" for IPv4, "temporary" for IPv6. */
const char *kn_ifa_flag_name(unsigned int bit, int family);
/* "UP", "DOWN", "UNKNOWN", ... for IF_OPER_*; NULL when unnamed. */
const char *kn_operstate_name(unsigned int state);
/* "global", "link", "host", "site"; "other" for the rest. */
const char *kn_scope_name(unsigned int scope);

/*
 * IFF_* flags as ifconfig -j prints them: "flags_raw" (in text with
 * RAW_FMT, a printf format of the number; NULL: JSON only) and "flags",
 * the names, in text "<UP,BROADCAST,...>".
 */
void kn_print_iff_flags(uint32_t flags, const char *raw_fmt);

#endif
