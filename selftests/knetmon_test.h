/* SPDX-License-Identifier: GPL-2.0 */
/*
 * knetmon's selftests talk to the module through libmnl, independently of
 * the CLI's libnl code, so a decoding bug cannot hide on both sides.
 * Header-only: each test is one C file built into its own binary.
 */
#ifndef KNETMON_TEST_H
#define KNETMON_TEST_H

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/sched.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include <linux/knetmon.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kt_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	uint16_t family;	/* generic netlink family id of knetmon */
	uint32_t binds_group;	/* multicast group id of "binds" */
	uint32_t binds_all_group;	/* and of "binds_all" */
	uint32_t conns_group, conns_all_group;	/* "conns", "conns_all" */
	uint32_t changes_group, changes_all_group;	/* "changes", "changes_all" */
	uint32_t seq;
	/* events: the datagram being read, a batch of several messages */
	char *rx;
	int rx_len, rx_off;
};

/* What the kernel answered besides data: errno and extended ack. */
struct kt_reply {
	int error;		/* 0 or a positive errno */
	char extack[256];	/* NLMSGERR_ATTR_MSG, "" if none */
	int bad_offset;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	int messages;		/* data messages seen */
};

static inline int kt_extack_attr(const struct nlattr *a, void *data)
{
	struct kt_reply *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(r->extack, sizeof(r->extack), "%s", mnl_attr_get_str(a));
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		r->bad_offset = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (error 0) or a failure with its extack TLVs. */
static inline int kt_on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct kt_reply *r = data;
	unsigned int off = sizeof(*err);

	if (err->error == 0)
		return MNL_CB_STOP;
	r->error = -err->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, off, kt_extack_attr, r);
	return MNL_CB_STOP;
}

/* NLMSG_DONE of a dump, which carries the dump's error if it failed. */
static inline int kt_on_done(const struct nlmsghdr *nlh, void *data)
{
	struct kt_reply *r = data;
	const int *code = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int) && *code < 0) {
		r->error = -*code;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			mnl_attr_parse(nlh, sizeof(int), kt_extack_attr, r);
	}
	return MNL_CB_STOP;
}

struct kt_ctrl {
	uint16_t family;
	uint32_t binds_group, binds_all_group, conns_group, conns_all_group;
	uint32_t changes_group, changes_all_group;
};

static inline int kt_ctrl_group(const struct nlattr *a, void *data)
{
	struct kt_ctrl *c = data;
	const struct nlattr *g, *f;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(g, a) {
		mnl_attr_for_each_nested(f, g) {
			if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(f);
			else if (mnl_attr_get_type(f) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(f);
		}
		if (name && !strcmp(name, KNETMON_MCGRP_BINDS))
			c->binds_group = id;
		if (name && !strcmp(name, KNETMON_MCGRP_BINDS_ALL))
			c->binds_all_group = id;
		if (name && !strcmp(name, KNETMON_MCGRP_CONNS))
			c->conns_group = id;
		if (name && !strcmp(name, KNETMON_MCGRP_CONNS_ALL))
			c->conns_all_group = id;
		if (name && !strcmp(name, KNETMON_MCGRP_CHANGES))
			c->changes_group = id;
		if (name && !strcmp(name, KNETMON_MCGRP_CHANGES_ALL))
			c->changes_all_group = id;
	}
	return MNL_CB_OK;
}

static inline int kt_ctrl_attr(const struct nlattr *a, void *data)
{
	struct kt_ctrl *c = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		c->family = mnl_attr_get_u16(a);
	else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
		kt_ctrl_group(a, c);
	return MNL_CB_OK;
}

static inline int kt_ctrl_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kt_ctrl_attr, data);
	return MNL_CB_OK;
}

/* Start a request to knetmon (or, with family GENL_ID_CTRL, to the controller). */
static inline struct nlmsghdr *kt_put(struct kt_sock *s, char *buf, uint16_t family,
				      uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++s->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = KNETMON_GENL_VERSION;
	return nlh;
}

static inline struct nlmsghdr *kt_req(struct kt_sock *s, char *buf, uint8_t cmd, uint16_t flags)
{
	return kt_put(s, buf, s->family, cmd, flags);
}

/* mnl_cb_run2 passes the same data pointer to data and control callbacks,
 * so tests that need both wrap them in this. */
struct kt_call {
	struct kt_reply reply;	/* first: control callbacks see it */
	mnl_cb_t fn;
	void *arg;
};

static inline int kt_call_data(const struct nlmsghdr *nlh, void *data)
{
	struct kt_call *c = data;

	c->reply.messages++;
	return c->fn ? c->fn(nlh, c->arg) : MNL_CB_OK;
}

/* Send NLH; call FN(nlh, ARG) for each data message; fill *R. */
static inline int kt_request(struct kt_sock *s, struct nlmsghdr *nlh, mnl_cb_t fn,
			     void *arg, struct kt_reply *r)
{
	/* per thread: tests run requests from several threads at once */
	static __thread char buf[1 << 16];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = kt_on_error,
		[NLMSG_DONE] = kt_on_done,
	};
	struct kt_call c = { .fn = fn, .arg = arg, .reply.bad_offset = -1 };
	int n, ret;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run2(buf, n, nlh->nlmsg_seq, s->portid, kt_call_data, &c,
				  ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	*r = c.reply;
	return ret < 0 ? -1 : 0;
}

/* Open a socket with extended acks and resolve knetmon's family and group. */
static inline int kt_open(struct kt_sock *s)
{
	char buf[8192];
	struct kt_ctrl ctrl = { 0 };
	struct nlmsghdr *nlh;
	struct kt_reply r;
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->seq = time(NULL);
	s->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!s->nl || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	s->portid = mnl_socket_get_portid(s->nl);
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = kt_put(s, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KNETMON_GENL_NAME);
	if (kt_request(s, nlh, kt_ctrl_msg, &ctrl, &r) < 0)
		return -1;
	if (r.error || !ctrl.family) {
		errno = r.error ? r.error : ENOENT;
		return -1;
	}
	s->family = ctrl.family;
	s->binds_group = ctrl.binds_group;
	s->binds_all_group = ctrl.binds_all_group;
	s->conns_group = ctrl.conns_group;
	s->conns_all_group = ctrl.conns_all_group;
	s->changes_group = ctrl.changes_group;
	s->changes_all_group = ctrl.changes_all_group;
	return 0;
}

/* Join multicast GROUP, asking the kernel to count our overruns. 0 or -1. */
static inline int kt_join(struct kt_sock *s, uint32_t group)
{
	int one = 1;

	if (!group) {
		errno = ENOENT;
		return -1;
	}
	if (mnl_socket_setsockopt(s->nl, NETLINK_BROADCAST_ERROR, &one, sizeof(one)))
		return -1;
	return mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
}

#define KT_RX_SIZE 32768	/* above any batch: a datagram never arrives truncated */

/*
 * The next event message within TIMEOUT_MS into *NLH: 0, or -1 on timeout
 * or error, -2 on ENOBUFS. The module sends events in batches, several
 * messages to a datagram: the rest of the datagram is kept in S and handed
 * out before the next is read.
 */
static inline int kt_next_msg(struct kt_sock *s, int timeout_ms, const struct nlmsghdr **nlh)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(s->nl), .events = POLLIN };
	int n;

	if (!s->rx && !(s->rx = malloc(KT_RX_SIZE)))
		return -1;
	if (s->rx_off >= s->rx_len) {
		s->rx_off = s->rx_len = 0;
		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		n = mnl_socket_recvfrom(s->nl, s->rx, KT_RX_SIZE);
		if (n < 0)
			return errno == ENOBUFS ? -2 : -1;
		s->rx_len = n;
	}
	*nlh = (const struct nlmsghdr *)(s->rx + s->rx_off);
	if (!mnl_nlmsg_ok(*nlh, s->rx_len - s->rx_off)) {
		s->rx_off = s->rx_len;	/* malformed: the test will see it missing */
		return -1;
	}
	s->rx_off += NLMSG_ALIGN((*nlh)->nlmsg_len);
	return 0;
}

static inline void kt_close(struct kt_sock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
	free(s->rx);
	s->rx = NULL;
	s->rx_len = s->rx_off = 0;
}

/* One u64 attribute of GET_INFO's answer: TYPE asked, its value (0 if absent). */
struct kt_info_u64 {
	uint16_t type;
	uint64_t val;
};

static inline int kt_info_u64_attr(const struct nlattr *a, void *data)
{
	struct kt_info_u64 *v = data;

	if (mnl_attr_get_type(a) == v->type && mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
		v->val = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static inline int kt_info_u64_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kt_info_u64_attr, data);
	return MNL_CB_OK;
}

/* GET_INFO's u64 attribute TYPE into *VAL; 0, or -1 if the request failed. */
static inline int kt_info_u64(struct kt_sock *s, uint16_t type, uint64_t *val)
{
	struct kt_info_u64 v = { .type = type };
	struct kt_reply r;
	char buf[256];

	if (kt_request(s, kt_req(s, buf, KNETMON_CMD_GET_INFO, 0), kt_info_u64_msg, &v, &r) ||
	    r.error)
		return -1;
	*val = v.val;
	return 0;
}

struct kt_counters {
	uint64_t v[KNETMON_A_COUNTER_MAX + 1];
};

static inline int kt_counter_attr(const struct nlattr *a, void *data)
{
	struct kt_counters *c = data;

	if (mnl_attr_get_type(a) <= KNETMON_A_COUNTER_MAX && mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
		c->v[mnl_attr_get_type(a)] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

static inline int kt_info_counters_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == KNETMON_A_INFO_COUNTERS)
		mnl_attr_parse_nested(a, kt_counter_attr, data);
	return MNL_CB_OK;
}

static inline int kt_info_counters_msg(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), kt_info_counters_attr, data);
	return MNL_CB_OK;
}

/* Every GET_INFO counter (CAP_NET_ADMIN over the initial user namespace). */
static inline int kt_counters(struct kt_sock *s, struct kt_counters *c)
{
	char buf[256];
	struct kt_reply r;

	memset(c, 0, sizeof(*c));
	if (kt_request(s, kt_req(s, buf, KNETMON_CMD_GET_INFO, 0), kt_info_counters_msg, c, &r))
		return -1;
	return r.error ? -1 : 0;
}

/* Offset of attribute A inside request NLH, as NLMSGERR_ATTR_OFFS counts. */
static inline int kt_offset_of(const struct nlmsghdr *nlh, const struct nlattr *a)
{
	return (const char *)a - (const char *)nlh;
}

/* First line of a shell command's output, without the newline; "" on failure. */
static inline void kt_shell_line(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, len, f))
		out[strcspn(out, "\n")] = '\0';
	pclose(f);
}

static inline int kt_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/*
 * In a child: become uid 65534, then root of a user and network namespace
 * of its own (a container's root, with no privilege over the host).
 */
static inline int kt_nobody_in_own_netns(void)
{
	/* a set-id change leaves the process undumpable, its /proc/self root's */
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
	    syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET))	/* whatever _GNU_SOURCE says */
		return -1;
	if (kt_write_file("/proc/self/setgroups", "deny") ||
	    kt_write_file("/proc/self/uid_map", "0 65534 1") ||
	    kt_write_file("/proc/self/gid_map", "0 65534 1"))
		return -1;
	return 0;
}

/*
 * In a child that drops to uid and gid 65534: joining the group of S at
 * offset GROUP, then the one at GROUP_ALL (offsetof(struct kt_sock, ...)),
 * fails with EPERM. The child's exit status: 0, 10 (setup failed), 11
 * (GROUP joined), 12 (GROUP_ALL joined); -1 if it could not run.
 */
static inline int kt_unprivileged_join_status(size_t group, size_t group_all)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct kt_sock ev;

		if (kt_open(&ev) || setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (!kt_join(&ev, *(uint32_t *)((char *)&ev + group)) || errno != EPERM)
			_exit(11);
		if (!kt_join(&ev, *(uint32_t *)((char *)&ev + group_all)) || errno != EPERM)
			_exit(12);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Whether PROG is a command on PATH. */
static inline int kt_have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s > /dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/*
 * In a test whose ground truth needs PROG: skip, saying why, where it is
 * missing. A device's userland (the target rig's) has no python3: such
 * checks run on the amd64 kernels.
 */
#define KT_NEED(prog) do {						\
	if (!kt_have(prog))						\
		SKIP(return, "%s is not on this system (a device's "	\
		     "userland); this check runs on amd64", prog);	\
} while (0)

#endif
