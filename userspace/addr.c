// SPDX-License-Identifier: GPL-2.0
/* Address formatting and interface names for the table views: see addr.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/knetmon.h>

#include "addr.h"
#include "knetmon.h"
#include "print.h"

const char *kn_ip_str(int family, const void *addr, int len, char *buf, size_t n)
{
	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
		if (inet_ntop(family, addr, buf, n))
			return buf;
	}
	if (n)
		buf[0] = '\0';
	return buf;
}

const char *kn_ll_str(const void *addr, int len, char *buf, size_t n)
{
	const uint8_t *a = addr;
	size_t used = 0;
	int i;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < len && used + 4 <= n; i++)
		used += snprintf(buf + used, n - used, i ? ":%02x" : "%02x", a[i]);
	return buf;
}

const char *kn_family_name(int family)
{
	switch (family) {
	case AF_INET:	return "inet";
	case AF_INET6:	return "inet6";
	default:	return "unknown";
	}
}

static struct nla_policy link_name_policy[KNETMON_A_LINK_MAX + 1] = {
	[KNETMON_A_LINK_IFINDEX]	= { .type = NLA_U32 },
	[KNETMON_A_LINK_NAME]		= { .type = NLA_STRING },
	[KNETMON_A_LINK_TYPE]		= { .type = NLA_U16 },
	[KNETMON_A_LINK_NETNS]		= { .type = NLA_U32 },
};

static int add_link_name(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct kn_link_names *names = arg;
	struct kn_link_name *v, *l;

	if (!tb[KNETMON_A_LINK_IFINDEX] || !tb[KNETMON_A_LINK_NAME])
		return 0;
	v = realloc(names->v, (names->n + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	names->v = v;
	l = &v[names->n++];
	memset(l, 0, sizeof(*l));
	l->ifindex = nla_get_u32(tb[KNETMON_A_LINK_IFINDEX]);
	if (tb[KNETMON_A_LINK_TYPE])
		l->type = nla_get_u16(tb[KNETMON_A_LINK_TYPE]);
	if (tb[KNETMON_A_LINK_NETNS])
		l->netns = nla_get_u32(tb[KNETMON_A_LINK_NETNS]);
	snprintf(l->name, sizeof(l->name), "%s", nla_get_string(tb[KNETMON_A_LINK_NAME]));
	return 0;
}

int kn_link_names_load(struct kn_nl *nl, struct kn_link_names *names)
{
	struct nl_msg *msg = kn_msg(nl, KNETMON_CMD_GET_LINKS, NLM_F_DUMP);

	names->v = NULL;
	names->n = 0;
	names->netns = 0;
	kn_put_flags(nl, msg, 0);
	return kn_transact(nl, msg, KNETMON_A_LINK_MAX, link_name_policy, add_link_name, names);
}

void kn_link_names_free(struct kn_link_names *names)
{
	free(names->v);
	names->v = NULL;
	names->n = 0;
}

const struct kn_link_name *kn_link_find(const struct kn_link_names *names, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (names->v[i].ifindex == ifindex &&
		    (!names->netns || names->v[i].netns == names->netns))
			return &names->v[i];
	return NULL;
}

const char *kn_link_name(const struct kn_link_names *names, uint32_t ifindex,
			 char *buf, size_t n)
{
	const struct kn_link_name *l = kn_link_find(names, ifindex);

	if (l)
		return l->name;
	snprintf(buf, n, "if%u", ifindex);
	return buf;
}

/* Bit numbers of IFF_* (linux/if.h), named as ifconfig and ip name them. */
static const char *const iff_names[] = {
	"UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "NOTRAILERS",
	"RUNNING", "NOARP", "PROMISC", "ALLMULTI", "MASTER", "SLAVE",
	"MULTICAST", "PORTSEL", "AUTOMEDIA", "DYNAMIC", "LOWER_UP", "DORMANT",
	"ECHO",
};

const char *kn_iff_name(unsigned int bit)
{
	return bit < sizeof(iff_names) / sizeof(iff_names[0]) ? iff_names[bit] : NULL;
}

/* Bit numbers of NUD_* (linux/neighbour.h), named as ip neigh names them. */
static const char *const nud_names[] = {
	"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED",
	"NOARP", "PERMANENT",
};

const char *kn_nud_name(unsigned int bit)
{
	return bit < sizeof(nud_names) / sizeof(nud_names[0]) ? nud_names[bit] : NULL;
}

/* RT_SCOPE_* as ifconfig names them. */
const char *kn_scope_name(unsigned int scope)
{
	switch (scope) {
	case 0:		return "global";
	case 200:	return "site";
	case 253:	return "link";
	case 254:	return "host";
	default:	return "other";
	}
}

/* IF_OPER_* (linux/if.h, RFC 2863), named as ip link names them. */
static const char *const oper_names[] = {
	"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
};

const char *kn_operstate_name(unsigned int state)
{
	return state < sizeof(oper_names) / sizeof(oper_names[0]) ? oper_names[state] : NULL;
}

/* Bit numbers of IFA_F_* (linux/if_addr.h), named as ip address names them. */
static const char *const ifa_names[] = {
	"secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated",
	"tentative", "permanent", "mngtmpaddr", "noprefixroute", "autojoin",
	"stable-privacy",
};

const char *kn_ifa_flag_name(unsigned int bit, int family)
{
	/* one bit, two meanings: ip's name for each family's */
	if (bit == 0 && family == AF_INET6)
		return "temporary";
	return bit < sizeof(ifa_names) / sizeof(ifa_names[0]) ? ifa_names[bit] : NULL;
}

void kn_print_iff_flags(uint32_t flags, const char *raw_fmt)
{
	unsigned int bit;
	int n = 0;

	print_uint("flags_raw", raw_fmt, flags);
	print_text("<");
	print_open_array("flags");
	for (bit = 0; bit < 32; bit++) {
		const char *name = kn_iff_name(bit);

		if (!(flags & (1u << bit)) || !name)
			continue;
		print_text(n++ ? "," : "");
		print_string(NULL, "%s", name);
	}
	print_close_array();
	print_text(">");
}
