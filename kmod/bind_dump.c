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
 * The matching entries are copied in .start, in one pass under the table
 * lock, so the whole dump is consistent with exactly one sequence number
 * per netns (DUMP_SEQ): a client that subscribed first drops the events
 * with seq <= DUMP_SEQ and misses nothing. A cursor over the live table
 * could only offer NLM_F_DUMP_INTR and a retry under a bind storm; the copy
 * costs sizeof(rec) per entry the caller may see (its netns's share, or for
 * every netns the table, bounded by max_binds), charged to the caller, who
 * may leave the dump unread for as long as it likes. The copy of one
 * netns's share walks that share alone (bind_table.c), so a caller holds
 * the lock, interrupts off, for as long as its own binds take to copy, not
 * the host's. Ids are as the caller's pid and user namespaces see them.
 *
 * After the records, an all-netns dump has one message per netns with its
 * NETNS, NETNS_COOKIE and DUMP_SEQ, for a "binds_all" listener, who counts
 * sequences per netns. The last message carries the caller's own netns's
 * DUMP_SEQ alone, so an empty table still tells the client where it stands.
 */
struct knetmon_binds_dump_ctx {
	struct knetmon_bind_rec *recs;
	struct knetmon_netns_seq *seqs;	/* every netns's, for an all-netns dump */
	u32 n;
	u32 nseqs;
	u32 pos;	/* over recs, then seqs, then the trailer */
	int refused;	/* -errno kept by .start (6.1), reported by dumpit */
	u64 dump_seq;
};

static struct knetmon_binds_dump_ctx *knetmon_binds_dump_ctx(struct netlink_callback *cb)
{
	NL_ASSERT_DUMP_CTX_FITS(struct knetmon_binds_dump_ctx);
	return (struct knetmon_binds_dump_ctx *)cb->ctx;
}

struct knetmon_binds_request {
	struct knetmon_bind_filter match;	/* match.net: NULL for every netns */
	struct net *seq_net;	/* whose sequence the dump reports (held) */
};

static int knetmon_binds_parse(struct netlink_callback *cb, struct knetmon_binds_request *f)
{
	struct nlattr **tb = knetmon_dump_attrs(cb);
	u32 flags = tb[KNETMON_REQ_FLAGS] ? nla_get_u32(tb[KNETMON_REQ_FLAGS]) : 0;
	struct knetmon_bind_filter *m = &f->match;
	struct net *net;

	m->family = tb[KNETMON_REQ_FAMILY] ? nla_get_u8(tb[KNETMON_REQ_FAMILY]) : -1;
	m->protocol = tb[KNETMON_REQ_PROTOCOL] ? nla_get_u8(tb[KNETMON_REQ_PROTOCOL]) : -1;
	m->port = tb[KNETMON_REQ_PORT] ? ntohs(nla_get_be16(tb[KNETMON_REQ_PORT])) : -1;
	/* ids as the caller sees them: .start runs in its context */
	m->pidns = task_active_pid_ns(current);
	m->userns = current_user_ns();
	if (m->family >= 0 && m->family != AF_INET && m->family != AF_INET6 &&
	    m->family != AF_UNIX) {
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
		m->net = NULL;
		f->seq_net = get_net(sock_net(cb->skb->sk));
		return 0;
	}
	net = knetmon_request_net(cb->skb, tb, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	m->net = net;
	f->seq_net = net;
	return 0;
}

/* Why GET_BINDS is refused, or 0: every check of .start that needs no memory. */
static int knetmon_binds_check(struct netlink_callback *cb, struct knetmon_binds_request *f)
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
	struct knetmon_binds_request f;
	int err = knetmon_binds_check(cb, &f);

	if (!err)
		put_net(f.seq_net);
	return err;
}

static void knetmon_binds_free(struct knetmon_binds_dump_ctx *ctx)
{
	kvfree(ctx->recs);
	kvfree(ctx->seqs);
	ctx->recs = NULL;
	ctx->seqs = NULL;
}

/*
 * One try at the snapshot: room for the table (and for an all-netns dump,
 * the netns) as they are now plus SLACK; -EAGAIN if they grew past that.
 */
static int knetmon_binds_snapshot(struct knetmon_binds_dump_ctx *ctx,
				  const struct knetmon_binds_request *f, u32 slack)
{
	/* what the caller may see: its netns's share, or the whole table */
	u32 n = (f->match.net ? knetmon_bind_table_netns_live(f->match.net) :
				knetmon_bind_table_live()) + slack;
	u32 nets = f->match.net ? 0 : knetmon_binds_nets_count() + slack;
	unsigned long flags;
	int got, seqs = 0;
	u32 ready;

	ctx->recs = kvmalloc_array(n, sizeof(*ctx->recs), GFP_KERNEL_ACCOUNT);
	if (nets)
		ctx->seqs = kvmalloc_array(nets, sizeof(*ctx->seqs), GFP_KERNEL_ACCOUNT);
	if (!ctx->recs || (nets && !ctx->seqs)) {
		knetmon_binds_free(ctx);
		return -ENOMEM;
	}
	spin_lock_irqsave(&knetmon_bind_table_lock, flags);
	got = knetmon_bind_table_snapshot(ctx->recs, n, &f->match);
	if (nets)
		seqs = knetmon_bind_events_seqs_locked(ctx->seqs, nets);
	ctx->dump_seq = knetmon_bind_events_cut_locked(f->seq_net, &ready);
	spin_unlock_irqrestore(&knetmon_bind_table_lock, flags);
	knetmon_bind_events_send(ready);
	if (got < 0 || seqs < 0) {
		knetmon_binds_free(ctx);
		return -EAGAIN;
	}
	ctx->n = got;
	ctx->nseqs = seqs;
	return 0;
}

int knetmon_nl_get_binds_start(struct netlink_callback *cb)
{
	struct knetmon_binds_dump_ctx *ctx = knetmon_binds_dump_ctx(cb);
	struct knetmon_binds_request f;
	int tries, ret;

	memset(ctx, 0, sizeof(*ctx));
	ret = knetmon_dump_check_start(cb, knetmon_binds_check_request, &ctx->refused);
	if (ret || ctx->refused)
		return ret;
	ret = knetmon_binds_check(cb, &f);
	if (ret)
		return ret;	/* the netns went away since the check */
	ret = -EAGAIN;
	for (tries = 0; tries < 4 && ret == -EAGAIN; tries++)
		ret = knetmon_binds_snapshot(ctx, &f, 64 * (tries + 1));
	put_net(f.seq_net);
	if (ret == -EAGAIN)
		NL_SET_ERR_MSG(cb->extack, "the bind table kept growing: retry");
	return ret;
}

/*
 * A message with no record: where one netns's sequence stood (NS), or, last
 * of all, the caller's own (NS NULL).
 */
static int knetmon_binds_put_trailer(struct sk_buff *skb, struct netlink_callback *cb,
				     u64 dump_seq, const struct knetmon_netns_seq *ns)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &knetmon_family, NLM_F_MULTI, KNETMON_CMD_GET_BINDS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, KNETMON_A_BIND_DUMP_SEQ, ns ? ns->seq : dump_seq,
			      KNETMON_A_BIND_PAD) ||
	    (ns && (nla_put_u32(skb, KNETMON_A_BIND_NETNS, ns->inum) ||
		    nla_put_u64_64bit(skb, KNETMON_A_BIND_NETNS_COOKIE, ns->cookie,
				      KNETMON_A_BIND_PAD)))) {
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
	for (; ctx->pos < ctx->n + ctx->nseqs; ctx->pos++) {
		if (knetmon_binds_put_trailer(skb, cb, 0, &ctx->seqs[ctx->pos - ctx->n]))
			return skb->len;
	}
	/* then the caller's own trailer; one past it: done */
	if (ctx->pos == ctx->n + ctx->nseqs) {
		if (knetmon_binds_put_trailer(skb, cb, ctx->dump_seq, NULL))
			return skb->len;
		ctx->pos++;
	}
	return skb->len;
}

int knetmon_nl_get_binds_done(struct netlink_callback *cb)
{
	knetmon_binds_free(knetmon_binds_dump_ctx(cb));
	return 0;
}
