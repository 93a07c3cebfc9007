// SPDX-License-Identifier: GPL-2.0
/*
 * GET_ROUTES: every IPv4 and IPv6 route of every FIB table in the caller's
 * netns, in the one it names, or in every netns one after the other
 * (netns.c says who may).
 *
 * Why not a walk of our own: the IPv4 trie (struct trie, key_vector) is
 * private to fib_trie.c and no walker is exported. register_fib_notifier()
 * replays the FIB, but only the routes that matter to offloading hardware:
 * fib_leaf_notify() sends the first alias of each prefix length and
 * fib6_rt_dump() the first route of each node, on 6.1 and 6.12 alike, so a
 * second route to the same prefix (another metric or TOS, or fe80::/64 on a
 * second device) never shows up. The one complete, exported walker is
 * rtnetlink's own RTM_GETROUTE dump, with its locking and resumable cursor.
 *
 * So the dump opens a kernel NETLINK_ROUTE socket in each selected netns
 * in turn (a kernel socket holds no reference on it: the dump holds one),
 * asks it for one family's routes at a time and translates each
 * RTM_NEWROUTE message into a knetmon record as the reply skbs fill up. The
 * cursor is the position in the current rtnetlink datagram, which the next
 * round resumes from; rtnetlink's NLM_F_DUMP_INTR is passed on. Cached
 * (RTM_F_CLONED) entries are left out, as `ip route show` leaves them out.
 */

#include <linux/net.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/netlink.h>
#include <net/rtnh.h>
#include <net/sock.h>

#include "knetmon.h"

/*
 * netlink_dump() sizes a datagram by the largest read its reader has done
 * (at most 32 KiB) or NLMSG_GOODSIZE (at most 8 KiB, the first one): reading
 * 8 KiB at a time keeps every datagram within 8 KiB. A parked dump keeps
 * this buffer and one such datagram queued on its kernel socket.
 */
#define KNETMON_RT_BUF	8192

enum knetmon_rt_stage {
	KNETMON_RT_OPEN,	/* open the socket in the next netns */
	KNETMON_RT_SEND,	/* request this family's routes */
	KNETMON_RT_READ,	/* translate what rtnetlink sends */
	KNETMON_RT_END,		/* no family left */
};

struct knetmon_route_ctx {
	struct net **nets;	/* held until .done */
	struct socket *sock;	/* NETLINK_ROUTE, in nets[net_idx] */
	u8 *buf;		/* the rtnetlink datagram being translated */
	u32 table;		/* 0: every table */
	u16 len;		/* bytes in buf (at most KNETMON_RT_BUF) */
	u16 off;		/* next message in buf */
	int n_nets;
	int net_idx;		/* index into nets; -1 before the first */
	u8 families[2];		/* AF_INET, AF_INET6 or a filtered subset */
	u8 n_families;
	u8 family_idx;		/* index into families */
	u8 stage;		/* enum knetmon_rt_stage */
	bool intr;		/* rtnetlink saw the table change */
	s16 refused;		/* -errno kept by .start (6.1), reported by dumpit;
				 * s16: the context is full */
};

static const struct nla_policy knetmon_rta_policy[RTA_MAX + 1] = {
	[RTA_DST]	= { .type = NLA_BINARY, .len = 16 },
	[RTA_GATEWAY]	= { .type = NLA_BINARY, .len = 16 },
	[RTA_PREFSRC]	= { .type = NLA_BINARY, .len = 16 },
	[RTA_OIF]	= { .type = NLA_U32 },
	[RTA_PRIORITY]	= { .type = NLA_U32 },
	[RTA_TABLE]	= { .type = NLA_U32 },
	[RTA_MULTIPATH]	= { .type = NLA_BINARY },
	[RTA_VIA]	= { .type = NLA_BINARY, .len = sizeof(struct rtvia) + 16 },
	[RTA_NH_ID]	= { .type = NLA_U32 },
};

static struct knetmon_route_ctx *knetmon_route_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_route_ctx);
	return (struct knetmon_route_ctx *)cb->ctx;
}

/* The request: a family of IPv4 or IPv6, a netns selection. */
static int knetmon_routes_check(struct netlink_callback *cb)
{
	return knetmon_dump_inet_family(cb) ?: knetmon_dump_netns_check(cb);
}

int knetmon_nl_get_routes_start(struct netlink_callback *cb)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);
	struct nlattr **attrs = knetmon_dump_attrs(cb);
	struct nlattr *fam = attrs[KNETMON_REQ_FAMILY];
	int err, n, refused;

	memset(ctx, 0, sizeof(*ctx));
	err = knetmon_dump_check_start(cb, knetmon_routes_check, &refused);
	ctx->refused = refused;	/* an errno: fits */
	if (err || refused)
		return err;
	if (!fam || nla_get_u8(fam) == AF_INET)
		ctx->families[ctx->n_families++] = AF_INET;
	if (!fam || nla_get_u8(fam) == AF_INET6)
		ctx->families[ctx->n_families++] = AF_INET6;
	if (attrs[KNETMON_REQ_TABLE])
		ctx->table = nla_get_u32(attrs[KNETMON_REQ_TABLE]);

	ctx->net_idx = -1;
	ctx->stage = KNETMON_RT_OPEN;
	/* kept until .done, however long the reader waits: the caller's memory */
	ctx->buf = kmalloc(KNETMON_RT_BUF, GFP_KERNEL_ACCOUNT);
	if (!ctx->buf)
		return -ENOMEM;
	n = knetmon_dump_nets(cb, attrs, &ctx->nets);
	if (n < 0) {
		kfree(ctx->buf);
		ctx->buf = NULL;
		return n;
	}
	ctx->n_nets = n;
	return 0;
}

int knetmon_nl_get_routes_done(struct netlink_callback *cb)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);

	if (ctx->sock)
		sock_release(ctx->sock);
	kfree(ctx->buf);
	knetmon_put_nets(ctx->nets, ctx->n_nets);
	ctx->sock = NULL;
	ctx->buf = NULL;
	ctx->n_nets = 0;
	return 0;
}

/* The socket of the next netns, or the end of the dump. */
static int knetmon_rt_open(struct knetmon_route_ctx *ctx, struct netlink_ext_ack *extack)
{
	int err;

	if (ctx->sock)
		sock_release(ctx->sock);
	ctx->sock = NULL;
	if (++ctx->net_idx >= ctx->n_nets) {
		ctx->stage = KNETMON_RT_END;
		return 0;
	}
	err = sock_create_kern(ctx->nets[ctx->net_idx], AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &ctx->sock);
	if (err) {
		NL_SET_ERR_MSG(extack, "routes: cannot open a NETLINK_ROUTE socket");
		return err;
	}
	ctx->family_idx = 0;
	ctx->len = ctx->off = 0;
	ctx->stage = KNETMON_RT_SEND;
	return 0;
}

static int knetmon_rt_request(struct knetmon_route_ctx *ctx)
{
	struct {
		struct nlmsghdr nlh;
		struct rtmsg rtm;
	} req = {
		.nlh.nlmsg_len = sizeof(req),
		.nlh.nlmsg_type = RTM_GETROUTE,
		.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlh.nlmsg_seq = 1,
		.rtm.rtm_family = ctx->families[ctx->family_idx],
	};
	struct kvec vec = { .iov_base = &req, .iov_len = sizeof(req) };
	struct msghdr msg = { };
	int ret;

	ret = kernel_sendmsg(ctx->sock, &msg, &vec, 1, sizeof(req));
	return ret < 0 ? ret : 0;
}

/* The next datagram of the rtnetlink dump; it is queued by now, never waited for. */
static int knetmon_rt_receive(struct knetmon_route_ctx *ctx)
{
	struct kvec vec = { .iov_base = ctx->buf, .iov_len = KNETMON_RT_BUF };
	struct msghdr msg = { };
	int ret;

	ret = kernel_recvmsg(ctx->sock, &msg, &vec, 1, KNETMON_RT_BUF, MSG_DONTWAIT);
	if (ret < 0)
		return ret;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	ctx->len = ret;
	ctx->off = 0;
	return 0;
}

/* A next hop's gateway: of the route's family, or of either (RTA_VIA). */
struct knetmon_gw {
	const void *addr;	/* NULL: none */
	int len;		/* 4 or 16 */
	u8 family;
};

static int knetmon_fill_nh(struct sk_buff *skb, const struct knetmon_gw *gw, u32 ifindex,
			   u32 flags, u32 weight)
{
	struct nlattr *nest = nla_nest_start(skb, KNETMON_A_NH);

	if (!nest)
		return -EMSGSIZE;
	if ((gw->addr && (nla_put(skb, KNETMON_A_NH_GATEWAY, gw->len, gw->addr) ||
			  nla_put_u8(skb, KNETMON_A_NH_GATEWAY_FAMILY, gw->family))) ||
	    (ifindex && nla_put_u32(skb, KNETMON_A_NH_IFINDEX, ifindex)) ||
	    (weight && nla_put_u32(skb, KNETMON_A_NH_WEIGHT, weight)) ||
	    nla_put_u32(skb, KNETMON_A_NH_FLAGS, flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* An address attribute is only taken when its length fits the family. */
static const struct nlattr *knetmon_rt_addr(const struct nlattr *a, int alen)
{
	return a && nla_len(a) == alen ? a : NULL;
}

/*
 * The gateway of RTA_GATEWAY (the route's own family) or, failing that, of
 * RTA_VIA, which carries its family: an IPv4 route through an IPv6
 * gateway has only RTA_VIA.
 */
static struct knetmon_gw knetmon_rt_gateway(const struct nlattr *gw, const struct nlattr *via,
					    u8 family)
{
	int alen = family == AF_INET ? 4 : 16;
	struct knetmon_gw g = { };

	if (knetmon_rt_addr(gw, alen)) {
		g = (struct knetmon_gw){ nla_data(gw), alen, family };
	} else if (via && nla_len(via) >= (int)sizeof(struct rtvia)) {
		const struct rtvia *v = nla_data(via);
		int len = nla_len(via) - (int)offsetof(struct rtvia, rtvia_addr);

		if ((v->rtvia_family == AF_INET && len == 4) ||
		    (v->rtvia_family == AF_INET6 && len == 16))
			g = (struct knetmon_gw){ v->rtvia_addr, len, v->rtvia_family };
	}
	return g;
}

static int knetmon_fill_multipath(struct sk_buff *skb, const struct nlattr *mp, u8 family)
{
	const struct rtnexthop *rtnh = nla_data(mp);
	int rem = nla_len(mp);

	for (; rtnh_ok(rtnh, rem); rtnh = rtnh_next(rtnh, &rem)) {
		int attrlen = rtnh->rtnh_len - sizeof(*rtnh);
		struct knetmon_gw gw = knetmon_rt_gateway(
			nla_find(rtnh_attrs(rtnh), attrlen, RTA_GATEWAY),
			nla_find(rtnh_attrs(rtnh), attrlen, RTA_VIA), family);

		if (knetmon_fill_nh(skb, &gw, rtnh->rtnh_ifindex, rtnh->rtnh_flags,
				    rtnh->rtnh_hops + 1))
			return -EMSGSIZE;
	}
	return 0;
}

/*
 * The next hops as rtnetlink lists them. A route through a nexthop object
 * (RTA_NH_ID) is listed with its resolved next hops too, as long as
 * net.ipv4.nexthop_compat_mode is on (the default); with it off only the id
 * is known here.
 */
static int knetmon_fill_nexthops(struct sk_buff *skb, const struct rtmsg *rtm,
				 struct nlattr **tb)
{
	struct nlattr *nest;
	int err = 0;

	if (tb[RTA_NH_ID] && nla_put_u32(skb, KNETMON_A_ROUTE_NH_ID, nla_get_u32(tb[RTA_NH_ID])))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, KNETMON_A_ROUTE_NEXTHOPS);
	if (!nest)
		return -EMSGSIZE;
	if (tb[RTA_MULTIPATH]) {
		err = knetmon_fill_multipath(skb, tb[RTA_MULTIPATH], rtm->rtm_family);
	} else if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_VIA]) {
		struct knetmon_gw gw = knetmon_rt_gateway(tb[RTA_GATEWAY], tb[RTA_VIA],
							  rtm->rtm_family);

		/* one next hop: its RTNH_F_* flags travel in rtm_flags */
		err = knetmon_fill_nh(skb, &gw, tb[RTA_OIF] ? nla_get_u32(tb[RTA_OIF]) : 0,
				      rtm->rtm_flags & 0xff, 0);
	}
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int knetmon_route_put(struct sk_buff *skb, const struct rtmsg *rtm, u32 table,
		      struct nlattr **tb, u32 netns_inum)
{
	int alen = rtm->rtm_family == AF_INET ? 4 : 16;
	static const u8 any[16];
	const struct nlattr *dst = knetmon_rt_addr(tb[RTA_DST], alen);
	const struct nlattr *src = knetmon_rt_addr(tb[RTA_PREFSRC], alen);

	if (nla_put_u8(skb, KNETMON_A_ROUTE_FAMILY, rtm->rtm_family) ||
	    nla_put_u32(skb, KNETMON_A_ROUTE_TABLE, table) ||
	    nla_put(skb, KNETMON_A_ROUTE_DST, alen, dst ? nla_data(dst) : any) ||
	    nla_put_u8(skb, KNETMON_A_ROUTE_DST_LEN, rtm->rtm_dst_len) ||
	    nla_put_u32(skb, KNETMON_A_ROUTE_PRIORITY,
			tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0) ||
	    nla_put_u8(skb, KNETMON_A_ROUTE_PROTOCOL, rtm->rtm_protocol) ||
	    nla_put_u8(skb, KNETMON_A_ROUTE_SCOPE, rtm->rtm_scope) ||
	    nla_put_u8(skb, KNETMON_A_ROUTE_TYPE, rtm->rtm_type) ||
	    nla_put_u8(skb, KNETMON_A_ROUTE_TOS, rtm->rtm_tos) ||
	    (src && nla_put(skb, KNETMON_A_ROUTE_PREFSRC, alen, nla_data(src))) ||
	    nla_put_u32(skb, KNETMON_A_ROUTE_NETNS, netns_inum))
		return -EMSGSIZE;
	return knetmon_fill_nexthops(skb, rtm, tb);
}

static int knetmon_fill_route(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct rtmsg *rtm, u32 table, struct nlattr **tb)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_ROUTES);
	if (!hdr)
		return -EMSGSIZE;
	if (ctx->intr)
		genlmsg_nlhdr(hdr)->nlmsg_flags |= NLM_F_DUMP_INTR;
	if (knetmon_route_put(skb, rtm, table, tb, ctx->nets[ctx->net_idx]->ns.inum)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

const struct rtmsg *knetmon_route_parse(const struct nlmsghdr *nlh, struct nlattr **tb,
					u32 *table)
{
	const struct rtmsg *rtm;

	if (nlmsg_len(nlh) < (int)sizeof(*rtm))
		return NULL;
	rtm = nlmsg_data(nlh);
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return NULL;
	if (nlmsg_parse_deprecated(nlh, sizeof(*rtm), tb, RTA_MAX, knetmon_rta_policy, NULL))
		return NULL;	/* not a route we can describe faithfully */
	*table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	return rtm;
}

/* Translate one RTM_NEWROUTE; 0 also when it is filtered out. */
static int knetmon_rt_translate(struct sk_buff *skb, struct netlink_callback *cb,
				const struct nlmsghdr *nlh)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	u32 table;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	rtm = knetmon_route_parse(nlh, tb, &table);
	if (!rtm || (ctx->table && table != ctx->table))
		return 0;
	return knetmon_fill_route(skb, cb, rtm, table, tb);
}

/*
 * Handle the message at the cursor. Returns 1 when it was consumed, 0 when
 * skb is full (the cursor stays), or a negative error from rtnetlink.
 */
static int knetmon_rt_step(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);
	const struct nlmsghdr *nlh = (void *)(ctx->buf + ctx->off);
	int rem = ctx->len - ctx->off;

	if (!nlmsg_ok(nlh, rem)) {
		ctx->off = ctx->len;	/* a torn tail: read the next datagram */
		return 1;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->intr = true;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = nlmsg_data(nlh);

		return e->error ? e->error : -EIO;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		const int *code = nlmsg_data(nlh);

		if (nlmsg_len(nlh) >= (int)sizeof(int) && *code < 0)
			return *code;
		ctx->len = ctx->off = 0;
		ctx->stage = ++ctx->family_idx < ctx->n_families ? KNETMON_RT_SEND : KNETMON_RT_OPEN;
		return 1;
	}
	if (knetmon_rt_translate(skb, cb, nlh))
		return 0;
	ctx->off += NLMSG_ALIGN(nlh->nlmsg_len);
	return 1;
}

int knetmon_nl_get_routes_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_route_ctx *ctx = knetmon_route_ctx(cb);
	int ret = 1;

	if (ctx->refused)
		return knetmon_dump_refused(cb, knetmon_routes_check, ctx->refused);
	while (ret > 0 && ctx->stage != KNETMON_RT_END) {
		if (ctx->stage == KNETMON_RT_OPEN) {
			ret = knetmon_rt_open(ctx, cb->extack) ?: 1;
		} else if (ctx->stage == KNETMON_RT_SEND) {
			ret = knetmon_rt_request(ctx);
			ctx->stage = KNETMON_RT_READ;
			ret = ret ?: 1;
		} else if (ctx->off >= ctx->len) {
			ret = knetmon_rt_receive(ctx) ?: 1;
		} else {
			ret = knetmon_rt_step(skb, cb);
		}
	}
	if (ret < 0) {
		NL_SET_ERR_MSG(cb->extack, "routes: the rtnetlink dump failed");
		return ret;
	}
	if (ret == 0 && !skb->len)
		return -EMSGSIZE;	/* one route larger than a whole skb */
	return skb->len;
}

void knetmon_routes_init(void)
{
	set_bit(KNETMON_FEAT_ROUTES, &knetmon_features);
}

void knetmon_routes_exit(void)
{
	clear_bit(KNETMON_FEAT_ROUTES, &knetmon_features);
}
