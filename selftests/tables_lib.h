/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the table selftests (links.c, routes.c, neigh.c): a
 * fresh network namespace per test, shell commands run inside it, and sets
 * of canonical lines (see tables_canon.py) to compare a dump with iproute2
 * or with the CLI. Header-only, like knetmon_test.h.
 */
#ifndef KNETMON_TABLES_LIB_H
#define KNETMON_TABLES_LIB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* vasprintf, unshare */
#endif

#include <arpa/inet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tl_lines {
	char **v;
	size_t n, cap;
};

static inline void tl_add(struct tl_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void tl_add(struct tl_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = s;
}

static inline void tl_free(struct tl_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int tl_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void tl_sort(struct tl_lines *l)
{
	qsort(l->v, l->n, sizeof(*l->v), tl_cmp);
}

/* Every line a shell command prints; the exit status in *status. */
static inline void tl_from_cmd(struct tl_lines *l, const char *cmd, int *status)
{
	char line[4096];
	FILE *f = popen(cmd, "r");

	*status = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tl_add(l, "%s", line);
	}
	*status = pclose(f);
}

/*
 * Compare two sorted sets of lines; print to stderr up to 10 lines found in
 * only one of them, marked with the side's name. Returns the number of such
 * lines (0: equal, duplicates included).
 */
static inline int tl_diff(const struct tl_lines *a, const char *an,
			  const struct tl_lines *b, const char *bn)
{
	size_t i = 0, j = 0;
	int d = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);

		if (c == 0) {
			i++, j++;
			continue;
		}
		if (d++ < 10)
			fprintf(stderr, "#   only in %s: %s\n", c < 0 ? an : bn,
				c < 0 ? a->v[i] : b->v[j]);
		if (c < 0)
			i++;
		else
			j++;
	}
	return d;
}

static inline int tl_equal(const struct tl_lines *a, const struct tl_lines *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

/* Run a shell command (in the test's netns); its exit status. */
static inline int tl_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline int tl_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Move this test process into a new netns with lo up; 0 on success. */
static inline int tl_fresh_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	return tl_sh("modprobe dummy 2>/dev/null; modprobe veth 2>/dev/null; ip link set lo up");
}

static inline const char *tl_cli(void)
{
	return getenv("KNETMON") ? getenv("KNETMON") : "build/knetmon";
}

/* Canonical lines of an iproute2 or CLI JSON command (see tables_canon.py). */
static inline void tl_canon(struct tl_lines *l, const char *json_cmd, const char *args,
			    int *status)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s | python3 selftests/tables_canon.py %s", json_cmd, args);
	tl_from_cmd(l, cmd, status);
}

/* Counts datagrams of a dump: each starts at the start of the receive buffer. */
struct tl_datagrams {
	const void *prev;
	int n;
	int intr;	/* messages flagged NLM_F_DUMP_INTR */
};

static inline void tl_datagram_seen(struct tl_datagrams *d, const struct nlmsghdr *nlh)
{
	if (!d->prev || (const void *)nlh <= d->prev)
		d->n++;
	d->prev = nlh;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr++;
}


#ifdef MNL_SOCKET_AUTOPID
/* Attributes of one nest (or message) by type; later duplicates win. */
struct tl_tb {
	const struct nlattr *a[64];
};

static int tl_tb_cb(const struct nlattr *a, void *data)
{
	struct tl_tb *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type < 64)
		t->a[type] = a;
	return MNL_CB_OK;
}

static inline void tl_parse_msg(const struct nlmsghdr *nlh, struct tl_tb *t)
{
	memset(t, 0, sizeof(*t));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), tl_tb_cb, t);
}

static inline void tl_parse_nest(const struct nlattr *nest, struct tl_tb *t)
{
	memset(t, 0, sizeof(*t));
	if (nest)
		mnl_attr_parse_nested(nest, tl_tb_cb, t);
}

static inline uint64_t tl_u64(const struct tl_tb *t, int type)
{
	return t->a[type] ? mnl_attr_get_u64(t->a[type]) : 0;
}

static inline uint32_t tl_u32(const struct tl_tb *t, int type)
{
	return t->a[type] ? mnl_attr_get_u32(t->a[type]) : 0;
}

static inline uint8_t tl_u8(const struct tl_tb *t, int type)
{
	return t->a[type] ? mnl_attr_get_u8(t->a[type]) : 0;
}

/* An address attribute as text, "" when absent or of the wrong length. */
static inline const char *tl_ip(const struct tl_tb *t, int type, int family, char *buf,
				size_t n)
{
	const struct nlattr *a = t->a[type];
	int want = family == 2 ? 4 : 16;

	buf[0] = '\0';
	if (a && mnl_attr_get_payload_len(a) == (unsigned int)want)
		inet_ntop(family, mnl_attr_get_payload(a), buf, n);
	return buf;
}

static inline const char *tl_mac(const struct nlattr *a, char *buf, size_t n)
{
	const unsigned char *p;
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!a)
		return buf;
	p = mnl_attr_get_payload(a);
	for (i = 0; i < mnl_attr_get_payload_len(a) && used + 4 <= n; i++)
		used += snprintf(buf + used, n - used, i ? ":%02x" : "%02x", p[i]);
	return buf;
}
#endif

#endif
