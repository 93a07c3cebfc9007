/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the GET_SOCKETS selftests: a libmnl decoder for the dump, a
 * parser for the kernel's own view in /proc/net/{tcp,tcp6,udp,udp6,raw,
 * raw6,unix}, and both turned into the same text keys so that sets can be
 * compared. Header-only, like knetmon_test.h.
 */
#ifndef KNETMON_SOCKETS_LIB_H
#define KNETMON_SOCKETS_LIB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "knetmon_test.h"

#define SR_MAX_OWNERS 16

struct srec {
	uint8_t family, type, proto, state;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;		/* host order */
	uint32_t rq, wq, uid;
	uint64_t inode, peer;
	char path[110];			/* '@' for NUL, as /proc/net/unix */
	int nowners;
	uint32_t owners_total;
	uint32_t pids[SR_MAX_OWNERS], fds[SR_MAX_OWNERS];
	uint64_t attrs;			/* 1 << type of each attribute seen */
	uint64_t bytes_acked, bytes_received;	/* KNETMON_REQF_TCP_INFO */
	uint32_t segs_out, segs_in, total_retrans;
};

struct sdump {
	struct srec *v;
	int n, cap;
	int datagrams;		/* recv() calls that returned data: skbs */
	int intr;		/* messages flagged NLM_F_DUMP_INTR */
	int error;		/* positive errno from the kernel */
	char extack[256];
	int bad_offset;
};

/* Request filters for sr_dump(); zero means not sent. */
struct sreq {
	uint8_t family, protocol;
	uint16_t port;
	uint32_t states, flags;
};

static inline int sr_owner(const struct nlattr *a, struct srec *r)
{
	const struct nlattr *f;

	if (r->nowners >= SR_MAX_OWNERS) {
		r->nowners++;
		return 0;
	}
	mnl_attr_for_each_nested(f, a) {
		if (mnl_attr_get_type(f) == KNETMON_A_OWNER_PID)
			r->pids[r->nowners] = mnl_attr_get_u32(f);
		else if (mnl_attr_get_type(f) == KNETMON_A_OWNER_FD)
			r->fds[r->nowners] = mnl_attr_get_u32(f);
	}
	r->nowners++;
	return 0;
}

static inline int sr_attr(const struct nlattr *a, void *data)
{
	struct srec *r = data;
	const struct nlattr *o;
	const char *p;
	int i, len;

	if (mnl_attr_get_type(a) < 64)
		r->attrs |= 1ULL << mnl_attr_get_type(a);
	switch (mnl_attr_get_type(a)) {
	case KNETMON_A_SOCK_FAMILY:	r->family = mnl_attr_get_u8(a); break;
	case KNETMON_A_SOCK_TYPE:	r->type = mnl_attr_get_u8(a); break;
	case KNETMON_A_SOCK_PROTOCOL:	r->proto = mnl_attr_get_u8(a); break;
	case KNETMON_A_SOCK_STATE:	r->state = mnl_attr_get_u8(a); break;
	case KNETMON_A_SOCK_LOCAL_ADDR:
		memcpy(r->laddr, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a) > 16 ? 16 :
		       mnl_attr_get_payload_len(a));
		break;
	case KNETMON_A_SOCK_REMOTE_ADDR:
		memcpy(r->raddr, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a) > 16 ? 16 :
		       mnl_attr_get_payload_len(a));
		break;
	case KNETMON_A_SOCK_LOCAL_PORT:	r->lport = ntohs(mnl_attr_get_u16(a)); break;
	case KNETMON_A_SOCK_REMOTE_PORT: r->rport = ntohs(mnl_attr_get_u16(a)); break;
	case KNETMON_A_SOCK_RQUEUE:	r->rq = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_WQUEUE:	r->wq = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_UID:	r->uid = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_INODE:	r->inode = mnl_attr_get_u64(a); break;
	case KNETMON_A_SOCK_UNIX_PEER:	r->peer = mnl_attr_get_u64(a); break;
	case KNETMON_A_SOCK_OWNERS_TOTAL: r->owners_total = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_BYTES_ACKED: r->bytes_acked = mnl_attr_get_u64(a); break;
	case KNETMON_A_SOCK_BYTES_RECEIVED: r->bytes_received = mnl_attr_get_u64(a); break;
	case KNETMON_A_SOCK_SEGS_OUT:	r->segs_out = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_SEGS_IN:	r->segs_in = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_TOTAL_RETRANS: r->total_retrans = mnl_attr_get_u32(a); break;
	case KNETMON_A_SOCK_UNIX_PATH:
		p = mnl_attr_get_payload(a);
		len = mnl_attr_get_payload_len(a);
		for (i = 0; i < len && i < (int)sizeof(r->path) - 1; i++)
			r->path[i] = p[i] ? p[i] : '@';
		r->path[i] = '\0';
		break;
	case KNETMON_A_SOCK_OWNERS:
		mnl_attr_for_each_nested(o, a)
			if (mnl_attr_get_type(o) == KNETMON_A_OWNER)
				sr_owner(o, r);
		break;
	}
	return MNL_CB_OK;
}

/* Control callbacks see the kt_reply first member, data callbacks the dump. */
struct sr_call {
	struct kt_reply reply;
	struct sdump *d;
};

static inline int sr_msg(const struct nlmsghdr *nlh, void *data)
{
	struct sdump *d = ((struct sr_call *)data)->d;
	struct srec *r;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			return MNL_CB_ERROR;
	}
	r = &d->v[d->n++];
	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr++;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), sr_attr, r);
	return MNL_CB_OK;
}

/* GET_SOCKETS with filters Q into *D (fresh). -1 on a local failure. */
static inline int sr_dump(struct kt_sock *s, const struct sreq *q, struct sdump *d)
{
	static char buf[1 << 17];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = kt_on_error,
		[NLMSG_DONE] = kt_on_done,
	};
	struct sr_call c = { .reply.bad_offset = -1 };
	struct nlmsghdr *nlh;
	int n, ret;

	memset(d, 0, sizeof(*d));
	c.d = d;
	nlh = kt_req(s, buf, KNETMON_CMD_GET_SOCKETS, NLM_F_DUMP);
	if (q && q->family)
		mnl_attr_put_u8(nlh, KNETMON_REQ_FAMILY, q->family);
	if (q && q->protocol)
		mnl_attr_put_u8(nlh, KNETMON_REQ_PROTOCOL, q->protocol);
	if (q && q->port)
		mnl_attr_put_u16(nlh, KNETMON_REQ_PORT, htons(q->port));
	if (q && q->states)
		mnl_attr_put_u32(nlh, KNETMON_REQ_STATES, q->states);
	if (q && q->flags)
		mnl_attr_put_u32(nlh, KNETMON_REQ_FLAGS, q->flags);
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		d->datagrams++;
		ret = mnl_cb_run2(buf, n, s->seq, s->portid, sr_msg, &c, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	d->error = c.reply.error;
	d->bad_offset = c.reply.bad_offset;
	memcpy(d->extack, c.reply.extack, sizeof(d->extack));
	return ret < 0 ? -1 : 0;
}

/* ---- keys: the same text for a dump record and a /proc/net line ---- */

/* An address the way /proc/net prints it: 32-bit words in host order. */
static inline void sr_hex_addr(const uint8_t *a, int family, char *out)
{
	uint32_t w[4];
	int i, words = family == AF_INET6 ? 4 : 1;

	memcpy(w, a, words * 4);
	out[0] = '\0';
	for (i = 0; i < words; i++)
		sprintf(out + 8 * i, "%08X", w[i]);
}

static inline const char *sr_proto(const struct srec *r)
{
	bool v6 = r->family == AF_INET6;

	if (r->family == AF_UNIX)
		return "unix";
	if (r->type == SOCK_STREAM)
		return v6 ? "tcp6" : "tcp";
	if (r->type == SOCK_DGRAM && r->proto == IPPROTO_UDP)
		return v6 ? "udp6" : "udp";
	return v6 ? "raw6" : "raw";
}

/* /proc/net/unix "St": SS_* from the socket state and whether it has a file. */
static inline int sr_unix_ss(const struct srec *r)
{
	if (r->inode)
		return r->state == 1 ? 3 : 1;	/* SS_CONNECTED : SS_UNCONNECTED */
	return r->state == 1 ? 2 : 4;		/* SS_CONNECTING : SS_DISCONNECTING */
}

static inline void sr_key(const struct srec *r, char *k, size_t len)
{
	char la[40], ra[40];

	if (r->family == AF_UNIX) {
		snprintf(k, len, "unix|%04X|%02X|%08X|%llu|%s", r->type, sr_unix_ss(r),
			 r->state == 10 ? 0x10000 : 0, (unsigned long long)r->inode, r->path);
		return;
	}
	sr_hex_addr(r->laddr, r->family, la);
	sr_hex_addr(r->raddr, r->family, ra);
	snprintf(k, len, "%s|%s:%04X|%s:%04X|%02X|%llu", sr_proto(r), la, r->lport, ra, r->rport,
		 r->state, (unsigned long long)r->inode);
}

/* ---- sets of keys ---- */

struct kset {
	char **v;
	int n, cap;
};

static inline void kset_add(struct kset *s, const char *k)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = strdup(k);
}

static inline int kset_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void kset_sort(struct kset *s)
{
	qsort(s->v, s->n, sizeof(*s->v), kset_cmp);
}

static inline bool kset_has(const struct kset *s, const char *k)
{
	return s->n && bsearch(&k, s->v, s->n, sizeof(*s->v), kset_cmp);
}

/* Entries present more than once (S sorted); the first one in *dup. */
static inline int kset_dups(const struct kset *s, const char **dup)
{
	int i, n = 0;

	for (i = 1; i < s->n; i++)
		if (!strcmp(s->v[i], s->v[i - 1]) && n++ == 0)
			*dup = s->v[i];
	return n;
}

static inline void kset_free(struct kset *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static inline void sdump_keys(const struct sdump *d, struct kset *s, bool want_unix)
{
	char k[256];
	int i;

	for (i = 0; i < d->n; i++) {
		if ((d->v[i].family == AF_UNIX) != want_unix)
			continue;
		sr_key(&d->v[i], k, sizeof(k));
		kset_add(s, k);
	}
	kset_sort(s);
}

/* /proc/net/{tcp,tcp6,udp,udp6,raw,raw6} into keys. */
static inline void proc_inet_keys(struct kset *s)
{
	static const char *const files[] = { "tcp", "tcp6", "udp", "udp6", "raw", "raw6" };
	char path[64], line[512], la[40], ra[40], k[256];
	unsigned int lp, rp, st, i;
	unsigned long long ino;
	FILE *f;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/net/%s", files[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, " %*d: %39[0-9A-F]:%X %39[0-9A-F]:%X %X %*X:%*X %*X:%*X %*X %*u %*d %llu",
				   la, &lp, ra, &rp, &st, &ino) != 6)
				continue;
			snprintf(k, sizeof(k), "%s|%s:%04X|%s:%04X|%02X|%llu", files[i], la, lp, ra,
				 rp, st, ino);
			kset_add(s, k);
		}
		fclose(f);
	}
	kset_sort(s);
}

static inline void proc_unix_keys(struct kset *s)
{
	char line[512], k[512];
	unsigned int flags, type, st;
	unsigned long long ino;
	FILE *f = fopen("/proc/net/unix", "r");
	int pos;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		pos = 0;
		if (sscanf(line, "%*s %*X %*X %X %X %X %llu%n", &flags, &type, &st, &ino, &pos) != 4)
			continue;
		line[strcspn(line, "\n")] = '\0';
		while (line[pos] == ' ')
			pos++;
		snprintf(k, sizeof(k), "unix|%04X|%02X|%08X|%llu|%s", type, st, flags, ino, line + pos);
		kset_add(s, k);
	}
	fclose(f);
	kset_sort(s);
}

/* Index of the record with socket inode INO, or -1. */
static inline int sdump_find(const struct sdump *d, uint64_t ino)
{
	int i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].inode == ino)
			return i;
	return -1;
}

static inline uint64_t fd_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

#endif
