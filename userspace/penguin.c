// SPDX-License-Identifier: GPL-2.0
/* Penguin-compatible unique-bind log: see penguin.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "penguin.h"

struct netbinds {
	FILE *binds, *summary;	/* NULL without a directory */
	uint64_t start_ns;
	char **keys;		/* open-addressing set of unique binds */
	size_t cap, n;
	char **procs;		/* distinct procnames */
	size_t nprocs;
	bool www;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Insert KEY; false when it was already there. */
static bool set_add(struct netbinds *nb, const char *key)
{
	size_t i;

	if ((nb->n + 1) * 2 > nb->cap) {
		size_t old = nb->cap, j;
		char **keys = nb->keys;

		nb->cap = old ? old * 2 : 64;
		nb->keys = calloc(nb->cap, sizeof(*nb->keys));
		if (!nb->keys)
			abort();
		for (j = 0; j < old; j++) {
			if (!keys[j])
				continue;
			for (i = hash_str(keys[j]) % nb->cap; nb->keys[i]; i = (i + 1) % nb->cap)
				;
			nb->keys[i] = keys[j];
		}
		free(keys);
	}
	for (i = hash_str(key) % nb->cap; nb->keys[i]; i = (i + 1) % nb->cap)
		if (!strcmp(nb->keys[i], key))
			return false;
	nb->keys[i] = strdup(key);
	nb->n++;
	return true;
}

static void procs_add(struct netbinds *nb, const char *comm)
{
	size_t i;

	for (i = 0; i < nb->nprocs; i++)
		if (!strcmp(nb->procs[i], comm))
			return;
	nb->procs = realloc(nb->procs, (nb->nprocs + 1) * sizeof(*nb->procs));
	if (!nb->procs)
		abort();
	nb->procs[nb->nprocs++] = strdup(comm);
}

static FILE *open_csv(const char *dir, const char *name, const char *header)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return NULL;
	}
	fputs(header, f);
	fflush(f);
	return f;
}

struct netbinds *netbinds_new(const char *dir, uint64_t start_real_ns)
{
	struct netbinds *nb = calloc(1, sizeof(*nb));

	if (!nb)
		return NULL;
	nb->start_ns = start_real_ns;
	if (dir) {
		nb->binds = open_csv(dir, "netbinds.csv",
				     "procname,ipvn,domain,guest_ip,guest_port,time\n");
		nb->summary = open_csv(dir, "netbinds_summary.csv",
				       "n_procs,n_sockets,bound_www,time\n");
		if (!nb->binds || !nb->summary) {
			netbinds_free(nb);
			return NULL;
		}
	}
	return nb;
}

void netbinds_free(struct netbinds *nb)
{
	size_t i;

	if (!nb)
		return;
	if (nb->binds)
		fclose(nb->binds);
	if (nb->summary)
		fclose(nb->summary);
	for (i = 0; i < nb->cap; i++)
		free(nb->keys[i]);
	for (i = 0; i < nb->nprocs; i++)
		free(nb->procs[i]);
	free(nb->keys);
	free(nb->procs);
	free(nb);
}

void netbinds_ip(const struct kn_bind *b, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (b->family == AF_INET6) {
		inet_ntop(AF_INET6, b->addr, a, sizeof(a));
		snprintf(buf, len, "[%s]", a);
	} else {
		inet_ntop(AF_INET, b->addr, buf, len);
	}
}

const char *netbinds_domain(const struct kn_bind *b)
{
	if (b->type == SOCK_STREAM && b->protocol == IPPROTO_TCP)
		return "tcp";
	if (b->type == SOCK_DGRAM && b->protocol == IPPROTO_UDP)
		return "udp";
	return NULL;
}

bool netbinds_add(struct netbinds *nb, const struct kn_bind *b)
{
	const char *domain = netbinds_domain(b);
	int ipvn = b->family == AF_INET6 ? 6 : 4;
	char ip[INET6_ADDRSTRLEN + 2], key[256];
	double t;

	if (!domain || b->result)
		return false;
	netbinds_ip(b, ip, sizeof(ip));
	snprintf(key, sizeof(key), "%s,%d,%s,%s,%u", b->comm, ipvn, domain, ip, b->port);
	if (!set_add(nb, key))
		return false;
	procs_add(nb, b->comm);
	if (b->port == 80)
		nb->www = true;

	t = b->time_real > nb->start_ns ? (b->time_real - nb->start_ns) / 1e9 : 0.0;
	if (nb->binds) {
		fprintf(nb->binds, "%s,%.3f\n", key, t);
		fflush(nb->binds);
		fprintf(nb->summary, "%zu,%zu,%s,%.3f\n", nb->nprocs, nb->n,
			nb->www ? "True" : "False", t);
		fflush(nb->summary);
	}
	return true;
}
