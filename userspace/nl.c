// SPDX-License-Identifier: GPL-2.0
/* The CLI's netlink layer: see nl.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include <linux/knetmon.h>

#include "knetmon.h"
#include "nl.h"
#include "print.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kn_call {
	int maxattr;
	struct nla_policy *policy;
	kn_reply_fn fn;
	void *arg;
	int error;		/* negative errno from the kernel */
	int cb_status;		/* first non-zero return of fn */
	char extack[256];	/* kernel's message, if any */
	int bad_attr_offset;	/* -1 when the kernel named none */
	bool done;		/* ack, error or end of dump seen */
	bool interrupted;	/* a message carried NLM_F_DUMP_INTR */
};

int kn_open(struct kn_nl *nl)
{
	int one = 1;

	nl->netns_fd = -1;
	nl->all_netns = false;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	if (genl_connect(nl->sk)) {
		fprintf(stderr, "knetmon: cannot open a generic netlink socket\n");
		nl_socket_free(nl->sk);
		return KN_EXIT_ERROR;
	}
	/* Ask for the kernel's reason with every error, without the echo. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, KNETMON_GENL_NAME);
	if (nl->family < 0) {
		fprintf(stderr, "knetmon: module not loaded: run insmod knetmon.ko\n");
		nl_socket_free(nl->sk);
		return KN_EXIT_NOMODULE;
	}
	return 0;
}

void kn_close(struct kn_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *kn_msg(struct kn_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, KNETMON_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (msg && (flags & NLM_F_DUMP) && nl->netns_fd >= 0 &&
	    nla_put_s32(msg, KNETMON_REQ_NETNS_FD, nl->netns_fd)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Extended ack attributes that follow a capped error or a dump's DONE. */
static void kn_read_extack(struct kn_call *call, struct nlattr *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(call->extack, sizeof(call->extack), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		call->bad_attr_offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
}

/* An error or ack: the call is over. */
static void kn_on_error(struct kn_call *call, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	int len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*err);

	call->done = true;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		call->error = -EPROTO;
		return;
	}
	call->error = err->error;
	/* The socket asked for capped acks: TLVs follow the error header. */
	if (err->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		kn_read_extack(call, (struct nlattr *)(err + 1), len);
}

/* A dump that failed part-way reports its error inside NLMSG_DONE. */
static void kn_on_done(struct kn_call *call, const struct nlmsghdr *nlh)
{
	int len = nlh->nlmsg_len - NLMSG_HDRLEN;
	const int *code = NLMSG_DATA(nlh);

	call->done = true;
	if (len >= (int)sizeof(int) && *code < 0) {
		call->error = *code;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			kn_read_extack(call, (struct nlattr *)(code + 1), len - sizeof(int));
	}
}

static void kn_on_valid(struct kn_call *call, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[call->maxattr + 1];
	int err;

	/* the table changed under the dump: read it to the end, then say so */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		call->interrupted = true;
	err = genlmsg_parse(nlh, 0, tb, call->maxattr, call->policy);
	if (err) {
		fprintf(stderr, "knetmon: malformed reply from the kernel: %s\n", nl_geterror(err));
		call->cb_status = KN_EXIT_ERROR;
		return;
	}
	call->cb_status = call->fn(tb, gnlh->cmd, call->arg);
}

static int kn_report(const struct kn_call *call)
{
	const char *why = strerror(-call->error);

	if (call->extack[0] && call->bad_attr_offset >= 0)
		fprintf(stderr, "knetmon: kernel refused: %s (%s, attribute at offset %d)\n",
			call->extack, why, call->bad_attr_offset);
	else if (call->extack[0])
		fprintf(stderr, "knetmon: kernel refused: %s (%s)\n", call->extack, why);
	else if (call->error == -EPERM)
		fprintf(stderr, "knetmon: %s: this view needs CAP_NET_ADMIN\n", why);
	else
		fprintf(stderr, "knetmon: kernel refused: %s\n", why);
	return KN_EXIT_ERROR;
}

/*
 * The messages of one datagram, in order, until one ends the call. Each is
 * parsed where it lies: libnl's nl_recvmsgs() would copy every message into
 * a buffer of its own first, and a dump of sockets is 10,000s of them.
 */
static void kn_take(struct kn_call *call, struct nlmsghdr *nlh, int len, uint32_t seq)
{
	for (; NLMSG_OK(nlh, len) && !call->done && !call->cb_status;
	     nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_seq != seq)
			continue;	/* not an answer to this request */
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_ERROR:
			kn_on_error(call, nlh);
			break;
		case NLMSG_DONE:
			kn_on_done(call, nlh);
			break;
		case NLMSG_OVERRUN:
			call->error = -EOVERFLOW;
			call->done = true;
			break;
		default:
			kn_on_valid(call, nlh);
		}
	}
}

/* The largest datagram a netlink dump sends is 32 KiB; room to spare. */
#define KN_RECV_BUF (64 * 1024)

/* Datagrams until the call is over: 0, or a negative errno of recv(). */
static int kn_receive(struct kn_nl *nl, struct kn_call *call, uint32_t seq)
{
	int fd = nl_socket_get_fd(nl->sk);
	char *buf = malloc(KN_RECV_BUF);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (!call->done && !call->cb_status) {
		ssize_t n = recv(fd, buf, KN_RECV_BUF, MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || n > KN_RECV_BUF) {
			err = n < 0 ? -errno : -EMSGSIZE;
			break;
		}
		kn_take(call, (struct nlmsghdr *)buf, n, seq);
	}
	free(buf);
	return err;
}

int kn_transact(struct kn_nl *nl, struct nl_msg *msg, int maxattr,
		struct nla_policy *policy, kn_reply_fn fn, void *arg)
{
	struct kn_call call = {
		.maxattr = maxattr, .policy = policy, .fn = fn, .arg = arg,
		.bad_attr_offset = -1,
	};
	uint32_t seq;
	int err;

	if (!msg) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	err = nl_send_auto(nl->sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;	/* as nl_send_auto() numbered it */
	nlmsg_free(msg);
	if (err < 0) {
		fprintf(stderr, "knetmon: send: %s\n", nl_geterror(err));
		return KN_EXIT_ERROR;
	}
	/* libnl asks for an ack, so a do request is answered by its reply
	 * and then the ack, in two datagrams: read until one ends the call. */
	err = kn_receive(nl, &call, seq);
	if (call.error)
		return kn_report(&call);
	if (call.cb_status)
		return call.cb_status;
	if (err < 0) {
		fprintf(stderr, "knetmon: receive: %s\n", strerror(-err));
		return KN_EXIT_ERROR;
	}
	return call.interrupted ? KN_EXIT_INTERRUPTED : 0;
}

int kn_netns_open(const char *name)
{
	char path[4096], *end;
	int fd;

	strtoul(name, &end, 10);
	if (*name && !*end)
		snprintf(path, sizeof(path), "/proc/%s/ns/net", name);
	else if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		path[0] = '\0';
	else
		snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	if (!path[0]) {
		fprintf(stderr, "knetmon: bad netns \"%s\": a name in /var/run/netns or a pid\n", name);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "knetmon: netns \"%s\": %s: %s\n", name, path, strerror(errno));
	return fd;
}

/* The common long options, after the view's own. */
enum { KN_OPT_ALL_NETNS = 0x100 };

static struct option *kn_view_longopts(const struct kn_view *v)
{
	static const struct option common[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "netns", required_argument, NULL, 'N' },
		{ "all-netns", no_argument, NULL, KN_OPT_ALL_NETNS },
	};
	size_t n = 0, i, k = 0;
	struct option *all;

	while (v->longopts && v->longopts[n].name)
		n++;
	all = calloc(n + 5, sizeof(*all));
	if (!all)
		return NULL;
	for (i = 0; i < n; i++)
		all[k++] = v->longopts[i];
	all[k++] = common[0];
	all[k++] = common[1];
	if (v->flags & KN_VIEW_NETNS)
		all[k++] = common[2];
	if (v->flags & KN_VIEW_ALL_NETNS)
		all[k++] = common[3];
	return all;
}

/* Parse the command line into NL's netns selection and the view's STATE. */
static int kn_view_parse(const struct kn_view *v, int argc, char **argv, struct kn_nl *sel,
			 void *state)
{
	struct option *longopts = kn_view_longopts(v);
	char optstring[64];
	int c, err = 0;

	if (!longopts) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	snprintf(optstring, sizeof(optstring), "%sjh%s", v->optstring,
		 v->flags & KN_VIEW_NETNS ? "N:" : "");
	while (!err && (c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			print_set_json(true);
			break;
		case 'h':
			v->usage(stdout);
			err = -1;	/* done: exit 0 */
			break;
		case 'N':
			if (sel->netns_fd >= 0)
				close(sel->netns_fd);
			sel->netns_fd = kn_netns_open(optarg);
			if (sel->netns_fd < 0)
				err = KN_EXIT_ERROR;
			break;
		case KN_OPT_ALL_NETNS:
			sel->all_netns = true;
			break;
		case '?':
			v->usage(stderr);
			err = KN_EXIT_ERROR;
			break;
		default:
			err = v->option(c, optarg, state);
			break;
		}
	}
	free(longopts);
	if (!err && optind != argc) {
		v->usage(stderr);
		err = KN_EXIT_ERROR;
	}
	if (!err && sel->all_netns && sel->netns_fd >= 0) {
		fprintf(stderr, "knetmon: --netns and --all-netns exclude each other\n");
		err = KN_EXIT_ERROR;
	}
	return err;
}

/*
 * A dump the kernel flagged NLM_F_DUMP_INTR may have skipped or repeated
 * records: the view runs again from a copy of its state, its output held in
 * memory until a run completes unflagged, at most this many runs in all.
 */
#define KN_VIEW_RUNS	5

static int kn_view_run_once(const struct kn_view *v, struct kn_nl *nl, void *state,
			    char **out, size_t *len)
{
	FILE *real = stdout, *mem = open_memstream(out, len);
	int err;

	if (!mem) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	stdout = mem;	/* glibc's stdout is an assignable variable */
	err = v->run(nl, state);
	fflush(mem);
	stdout = real;
	fclose(mem);
	return err;
}

static int kn_view_run_consistent(const struct kn_view *v, struct kn_nl *nl, void *state)
{
	void *initial = v->state_size ? malloc(v->state_size) : NULL;
	char *out = NULL;
	size_t len = 0;
	int err, run;

	if (v->state_size && !initial) {
		fprintf(stderr, "knetmon: out of memory\n");
		return KN_EXIT_ERROR;
	}
	if (initial)
		memcpy(initial, state, v->state_size);
	for (run = 1; ; run++) {
		free(out);
		out = NULL;
		err = kn_view_run_once(v, nl, state, &out, &len);
		if (err != KN_EXIT_INTERRUPTED || run == KN_VIEW_RUNS)
			break;
		if (initial)
			memcpy(state, initial, v->state_size);
	}
	if (err == KN_EXIT_INTERRUPTED) {
		fprintf(stderr, "knetmon: the table changed under each of %d dumps; "
			"no consistent listing to show\n", KN_VIEW_RUNS);
		err = KN_EXIT_ERROR;
	} else if (out) {
		fwrite(out, 1, len, stdout);
		fflush(stdout);
	}
	free(out);
	free(initial);
	return err;
}

int kn_view_run(const struct kn_view *v, int argc, char **argv, void *state)
{
	struct kn_nl sel = { .netns_fd = -1 }, nl;
	int err;

	err = kn_view_parse(v, argc, argv, &sel, state);
	if (!err)
		err = kn_open(&nl);
	if (!err) {
		nl.netns_fd = sel.netns_fd;
		nl.all_netns = sel.all_netns;
		err = kn_view_run_consistent(v, &nl, state);
		kn_close(&nl);
	}
	if (sel.netns_fd >= 0)
		close(sel.netns_fd);
	return err < 0 ? KN_EXIT_OK : err;
}

int kn_view_dump(struct kn_nl *nl, struct nl_msg *msg, int maxattr,
		 struct nla_policy *policy, kn_reply_fn fn, void *arg)
{
	int err;

	print_open_array(NULL);
	err = kn_transact(nl, msg, maxattr, policy, fn, arg);
	print_close_array();
	print_end();
	return err;
}

bool kn_family_option(int c, int *family)
{
	if (c != '4' && c != '6')
		return false;
	*family = c == '4' ? AF_INET : AF_INET6;
	return true;
}

bool kn_put_flags(struct kn_nl *nl, struct nl_msg *msg, uint32_t flags)
{
	if (nl->all_netns)
		flags |= KNETMON_REQF_ALL_NETNS;
	return !flags || !msg || !nla_put_u32(msg, KNETMON_REQ_FLAGS, flags);
}
