// SPDX-License-Identifier: GPL-2.0
/*
 * GET_BINDS: the live-bind table as a netlink dump, consistent with one
 * sequence number.
 */

#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "knetmon.h"
#include "bind_events.h"

/*
 * Ids are as the caller's pid and user namespaces see them, taken here in
 * .start, which runs in the caller's context. The matching entries are copied in .start, in one pass
 * under the table lock, so the whole dump is consistent with exactly one
 * sequence number (DUMP_SEQ): a client that subscribed first drops the
 * events with seq <= DUMP_SEQ and misses nothing. A cursor over the live
 * table could only offer NLM_F_DUMP_INTR and a retry under a bind storm;
 * the copy costs sizeof(rec) per entry, bounded by max_binds.
 * The last message of the dump carries DUMP_SEQ alone, so an empty table
 * still tells the client where it stands.
 */
struct knetmon_binds_dump_ctx {
	struct knetmon_bind_rec *recs;
	u32 n;
	u32 pos;
	u64 dump_seq;
	int refused;	/* -errno kept by .start (6.1), reported by dumpit */
};

static struct knetmon_binds_dump_ctx *knetmon_binds_dump_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_binds_dump_ctx);
	return (struct knetmon_binds_dump_ctx *)cb->ctx;
}

struct knetmon_binds_filter {
	int family;
	int protocol;
	int port;
	u32 netns;		/* 0: every netns */
	struct net *seq_net;	/* whose sequence the dump reports (held) */
};

static int knetmon_binds_parse(struct netlink_callback *cb, struct knetmon_binds_filter *f)
{
	struct nlattr **tb = knetmon_dump_attrs(cb);
	struct net *net;
	u32 flags = tb[KNETMON_REQ_FLAGS] ? nla_get_u32(tb[KNETMON_REQ_FLAGS]) : 0;

	f->family = tb[KNETMON_REQ_FAMILY] ? nla_get_u8(tb[KNETMON_REQ_FAMILY]) : -1;
	f->protocol = tb[KNETMON_REQ_PROTOCOL] ? nla_get_u8(tb[KNETMON_REQ_PROTOCOL]) : -1;
	f->port = tb[KNETMON_REQ_PORT] ? ntohs(nla_get_be16(tb[KNETMON_REQ_PORT])) : -1;
	if (f->family >= 0 && f->family != AF_INET && f->family != AF_INET6 &&
	    f->family != AF_UNIX) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FAMILY],
				    "only AF_INET, AF_INET6 and AF_UNIX binds are tracked");
		return -EINVAL;
	}
	if ((flags & KNETMON_REQF_ALL_NETNS) &&
	    (tb[KNETMON_REQ_NETNS_ID] || tb[KNETMON_REQ_NETNS_FD])) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FLAGS],
				    "a netns id or fd and the all-netns flag exclude each other");
		return -EINVAL;
	}
	if (flags & KNETMON_REQF_ALL_NETNS) {
		if (!netlink_capable(cb->skb, CAP_NET_ADMIN)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, tb[KNETMON_REQ_FLAGS],
					    "every netns needs CAP_NET_ADMIN");
			return -EPERM;
		}
		f->netns = 0;
		f->seq_net = get_net(sock_net(cb->skb->sk));
		return 0;
	}
	net = knetmon_request_net(cb->skb, tb, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	f->netns = net->ns.inum;
	f->seq_net = net;
	return 0;
}

/* Why GET_BINDS is refused, or 0: every check of .start that needs no memory. */
static int knetmon_binds_check(struct netlink_callback *cb, struct knetmon_binds_filter *f)
{
	if (!knetmon_binds_tracking()) {
		NL_SET_ERR_MSG(cb->extack, "bind tracking is off: its probes could not be placed");
		return -EOPNOTSUPP;
	}
	return knetmon_binds_parse(cb, f);
}

/* The request as knetmon_dump_check_start() wants it checked. */
static int knetmon_binds_check_request(struct netlink_callback *cb)
{
	struct knetmon_binds_filter f;
	int err = knetmon_binds_check(cb, &f);

	if (!err)
		put_net(f.seq_net);
	return err;
}

int knetmon_nl_get_binds_start(struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);
	struct knetmon_binds_filter f;
	int tries, ret;
	unsigned long flags;
	u32 n;

	memset(ctx, 0, sizeof(*ctx));
	ret = knetmon_dump_check_start(cb, knetmon_binds_check_request, &ctx->refused);
	if (ret || ctx->refused)
		return ret;
	ret = knetmon_binds_check(cb, &f);
	if (ret)
		return ret;	/* the netns went away since the check */
	ret = -EAGAIN;
	for (tries = 0; tries < 4 && ret == -EAGAIN; tries++) {
		n = knetmon_bind_table_live() + 64 * (tries + 1);
		ctx->recs = kvmalloc_array(n, sizeof(*ctx->recs), GFP_KERNEL_ACCOUNT);
		if (!ctx->recs) {
			ret = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&knetmon_bind_table_lock, flags);
		ret = knetmon_bind_table_snapshot(ctx->recs, n, f.family, f.protocol,
						  f.port, f.netns, task_active_pid_ns(current),
						  current_user_ns());
		ctx->dump_seq = knetmon_bind_events_cut_locked(f.seq_net);
		spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
		knetmon_bind_events_send();
		if (ret >= 0) {
			ctx->n = ret;
			ctx->pos = 0;
			ret = 0;
		} else {
			kvfree(ctx->recs);
			ctx->recs = NULL;
			ret = -EAGAIN;	/* the table grew meanwhile */
		}
	}
	put_net(f.seq_net);
	if (ret == -EAGAIN)
		NL_SET_ERR_MSG(cb->extack, "the bind table kept growing: retry");
	return ret;
}

static int knetmon_binds_put_trailer(struct sk_buff *skb, struct netlink_callback *cb,
				     u64 dump_seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_BINDS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KNETMON_A_BIND_DUMP_SEQ, dump_seq, KNETMON_A_BIND_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int knetmon_nl_get_binds_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);

	if (ctx->refused)
		return knetmon_dump_refused(cb, knetmon_binds_check_request, ctx->refused);
	for (; ctx->pos < ctx->n; ctx->pos++) {
		if (knetmon_bind_fill(skb, &ctx->recs[ctx->pos], true, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI, KNETMON_CMD_GET_BINDS,
				      &ctx->dump_seq))
			return skb->len;
	}
	/* pos == n: the trailer; n + 1: done. */
	if (ctx->pos == ctx->n) {
		if (knetmon_binds_put_trailer(skb, cb, ctx->dump_seq))
			return skb->len;
		ctx->pos++;
	}
	return skb->len;
}

int knetmon_nl_get_binds_done(struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);

	kvfree(ctx->recs);
	return 0;
}
