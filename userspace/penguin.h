/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unique binds in the manner of Penguin's NetBinds plugin: a bind counts
 * once per (procname, ipvn, domain, ip, port). Optionally written to
 * netbinds.csv and netbinds_summary.csv in a directory, which Penguin's
 * analysis scripts read unchanged.
 */
#ifndef KNETMON_PENGUIN_H
#define KNETMON_PENGUIN_H

#include <stdbool.h>
#include <stdint.h>

#include "bind_record.h"

struct netbinds;

/* DIR may be NULL: uniqueness only, no files. NULL on error (printed). */
struct netbinds *netbinds_new(const char *dir, uint64_t start_real_ns);
void netbinds_free(struct netbinds *nb);

/* Penguin's address text: dotted IPv4, bracketed IPv6 ("[::]"). */
void netbinds_ip(const struct kn_bind *b, char *buf, size_t len);
/* "tcp", "udp", or NULL for sockets Penguin does not log. */
const char *netbinds_domain(const struct kn_bind *b);

/*
 * Record the successful bind B; true when it is new (rows written).
 * Rows are flushed as they are written.
 */
bool netbinds_add(struct netbinds *nb, const struct kn_bind *b);

#endif
