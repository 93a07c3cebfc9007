// SPDX-License-Identifier: GPL-2.0
/*
 * knetmon monitor: stream bind events until interrupted, like `ip monitor`,
 * and connection events (TCP state changes) and network changes (links,
 * addresses, neighbours, routes) when asked for by kind. A gap in the sequence
 * numbers is reported as "lost N events"; a gap in the bind events makes
 * the monitor re-read the live-bind table (resync), so the unique-bind log
 * of --penguin and --exec still learns of the binds whose events were lost.
 * Binds, connections and changes are numbered apart.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bind_record.h"
#include "knetmon.h"
#include "nl.h"
#include "penguin.h"
#include "print.h"

/* The streams, numbered apart: binds and releases; connection events; network changes. */
enum { STREAM_BINDS, STREAM_CONNS, STREAM_CHANGES, STREAMS };

#define CONN_KINDS	(1u << KNETMON_BIND_KIND_STATE | 1u << KNETMON_BIND_KIND_CONNECT | \
			 1u << KNETMON_BIND_KIND_ACCEPT | 1u << KNETMON_BIND_KIND_CLOSE | \
			 1u << KNETMON_BIND_KIND_UDP_FLOW)
/* What a monitor shows unless --kinds says otherwise: the bind stream. */
#define DEFAULT_KINDS	(~0u & ~CONN_KINDS)

struct monitor {
	unsigned int kinds;	/* bitmask of 1 << KNETMON_BIND_KIND_* */
	unsigned int changes;	/* bitmask of 1 << KNETMON_CHANGE_KIND_*: none by default */
	int how;		/* KN_BIND_PRINT_* */
	const char *exec;
	long count;		/* stop after this many events; 0: never */
	long printed;
	uint64_t last_seq[STREAMS];	/* 0: nothing seen yet */
	bool all_netns;		/* the _all groups: a last seq per netns and stream */
	struct monitor_seq { uint32_t netns; int stream; uint64_t seq; } *seqs;
	size_t n_seqs;
	uint64_t lost;
	long resync_live;	/* entries seen by the current resync */
	struct netbinds *nb;
	struct kn_nl dump_nl;	/* a second socket: dumps must not mix with events */
	bool dump_open;
	uint64_t received;	/* events read, printed or not */
	bool unflushed;		/* printed events still in stdout's buffer */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: knetmon monitor [ -j ] [ -t ] [ --kinds KIND[,KIND...] ]\n"
		   "                       [ --penguin DIR ] [ --exec CMD ] [ --count N ]\n"
		   "                       [ --timeout SECONDS ] [ --rcvbuf BYTES ] [ --all-netns ]\n"
		   "KIND := { bind | listen | autobind | release |\n"
		   "          state | connect | accept | close | udp |\n"
		   "          link | addr | neigh | route }\n"
		   "Stream bind events until interrupted. -j prints one JSON object per\n"
		   "line, -t prefixes text lines with the time. Lost events are reported\n"
		   "(\"lost N events\"); lost bind events are followed by a resync from\n"
		   "the live table. The connection events (TCP: \"state\" changes,\n"
		   "\"connect\" attempts and outcomes, \"accept\", \"close\" with bytes;\n"
		   "\"udp\": a UDP socket's first datagram to each peer, or its connect)\n"
		   "are shown only when --kinds names them, and so are network changes:\n"
		   "\"link\" (new, deleted, up, down, renamed, MTU, state, hardware\n"
		   "address), \"addr\" (addresses added and removed), \"neigh\" (ARP/NDP\n"
		   "entries made, changed, deleted), \"route\" (routes added and removed).\n"
		   "--penguin DIR writes Penguin's netbinds.csv and netbinds_summary.csv;\n"
		   "--exec CMD runs CMD (sh -c) once per new unique bind with KNETMON_PROTO,\n"
		   "KNETMON_IPVN, KNETMON_IP, KNETMON_PORT, KNETMON_COMM and KNETMON_PID set.\n"
		   "--all-netns: the events of every netns (from the initial netns, with\n"
		   "CAP_NET_ADMIN there); lost events are counted per netns.\n"
		   "Needs CAP_NET_ADMIN.\n");
}

static void run_exec(const char *cmd, const struct kn_bind *b)
{
	char ip[64], num[32];
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid != 0) {
		if (pid < 0)
			perror("knetmon: fork");
		return;		/* reaped in the main loop: never blocks the stream */
	}
	netbinds_ip(b, ip, sizeof(ip));
	setenv("KNETMON_PROTO", netbinds_domain(b), 1);
	setenv("KNETMON_IPVN", b->family == AF_INET6 ? "6" : "4", 1);
	setenv("KNETMON_IP", ip, 1);
	snprintf(num, sizeof(num), "%u", b->port);
	setenv("KNETMON_PORT", num, 1);
	setenv("KNETMON_COMM", b->comm, 1);
	snprintf(num, sizeof(num), "%u", b->tgid);
	setenv("KNETMON_PID", num, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* A bind that Penguin would log: explicit and successful, TCP or UDP. */
static void monitor_learn(struct monitor *m, const struct kn_bind *b)
{
	if (netbinds_add(m->nb, b) && m->exec)
		run_exec(m->exec, b);
}

static int resync_entry(const struct kn_bind *b, void *arg)
{
	struct monitor *m = arg;

	m->resync_live++;
	if (b->kind != KNETMON_BIND_KIND_AUTOBIND)
		monitor_learn(m, b);
	return 0;
}

/* Re-read the live table after lost events; its binds are learnt again. */
static int monitor_resync(struct monitor *m)
{
	uint64_t dump_seq;
	int err;

	if (!m->dump_open) {
		err = kn_open(&m->dump_nl);
		if (err)
			return err;
		m->dump_open = true;
	}
	m->dump_nl.all_netns = m->all_netns;
	m->resync_live = 0;
	err = kn_binds_dump(&m->dump_nl, NULL, resync_entry, m, &dump_seq);
	if (err)
		return err;
	print_open_object(NULL);
	print_text("resync: ");
	print_open_object("resync");
	print_uint("live", "%llu live binds", m->resync_live);
	print_uint("seq", " at seq %llu\n", dump_seq);
	print_close_object();
	print_close_object();
	print_end();
	return 0;
}

static void monitor_print_lost(struct monitor *m, uint64_t n, uint64_t seq)
{
	m->lost += n;
	print_open_object(NULL);
	print_uint("lost", "lost %llu events", n);
	print_uint("seq", " before seq %llu\n", seq);
	print_close_object();
	print_end();
}

static int monitor_lost(struct monitor *m, uint64_t n, uint64_t seq)
{
	monitor_print_lost(m, n, seq);
	return monitor_resync(m);
}

static int info_seqs(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint64_t *seq = arg;

	if (tb[KNETMON_A_INFO_BINDS_SEQ])
		seq[STREAM_BINDS] = nla_get_u64(tb[KNETMON_A_INFO_BINDS_SEQ]);
	if (tb[KNETMON_A_INFO_CONNS_SEQ])
		seq[STREAM_CONNS] = nla_get_u64(tb[KNETMON_A_INFO_CONNS_SEQ]);
	if (tb[KNETMON_A_INFO_CHANGES_SEQ])
		seq[STREAM_CHANGES] = nla_get_u64(tb[KNETMON_A_INFO_CHANGES_SEQ]);
	return 0;
}

/* Whether any stream received an event: there is a place to count from. */
static bool monitor_received_any(const struct monitor *m)
{
	int i;

	for (i = 0; i < STREAMS; i++)
		if (m->last_seq[i])
			return true;
	return false;
}

/* Whether the stream has events still to come before SEQ. */
static bool monitor_behind(const struct monitor *m, const uint64_t *seq)
{
	int i;

	for (i = 0; i < STREAMS; i++)
		if (m->last_seq[i] && m->last_seq[i] < seq[i])
			return true;
	return false;
}

/*
 * Events sent before the monitor stopped that never arrived are lost as
 * surely as those before a gap, but no later event shows their gap. Read
 * what is still queued, then report the distance to the module's current
 * sequence number, so reported losses always add up with what was received.
 */
static int monitor_final_gap(struct monitor *m, struct kn_bind_stream *s)
{
	static struct nla_policy policy[KNETMON_A_INFO_MAX + 1] = {
		[KNETMON_A_INFO_BINDS_SEQ] = { .type = NLA_U64 },
		[KNETMON_A_INFO_CONNS_SEQ] = { .type = NLA_U64 },
		[KNETMON_A_INFO_CHANGES_SEQ] = { .type = NLA_U64 },
	};
	uint64_t seq[STREAMS] = { 0 }, before;
	int err, i;

	if (m->all_netns || !monitor_received_any(m))
		return 0;	/* every netns: no one sequence; or nothing received */
	if (!m->dump_open) {
		err = kn_open(&m->dump_nl);
		if (err)
			return err;
		m->dump_open = true;
	}
	err = kn_transact(&m->dump_nl, kn_msg(&m->dump_nl, KNETMON_CMD_GET_INFO, 0),
			  KNETMON_A_INFO_MAX, policy, info_seqs, seq);
	if (err)
		return err;
	do {
		before = m->received;
		err = kn_binds_poll(s, 0);
		if (err == KN_STREAM_OVERRUN)
			err = 0;
		if (err)
			return err;
	} while (monitor_behind(m, seq) && m->received != before);
	/* a stream that received nothing has no place to count from */
	for (i = 0; i < STREAMS; i++)
		if (m->last_seq[i] && seq[i] > m->last_seq[i])
			monitor_print_lost(m, seq[i] - m->last_seq[i], seq[i] + 1);
	return 0;
}

/* Sequence numbers are per netns and stream: each keeps its own last. */
static uint64_t *monitor_last_seq(struct monitor *m, uint32_t netns, int stream)
{
	struct monitor_seq *v;
	size_t i;

	if (!m->all_netns)
		return &m->last_seq[stream];
	for (i = 0; i < m->n_seqs; i++)
		if (m->seqs[i].netns == netns && m->seqs[i].stream == stream)
			return &m->seqs[i].seq;
	v = realloc(m->seqs, (m->n_seqs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	m->seqs = v;
	v[m->n_seqs] = (struct monitor_seq){ .netns = netns, .stream = stream };
	return &v[m->n_seqs++].seq;
}

static int monitor_event(const struct kn_bind *b, void *arg)
{
	struct monitor *m = arg;
	int stream = b->conn ? STREAM_CONNS : STREAM_BINDS;
	uint64_t *last = monitor_last_seq(m, b->netns, stream);
	int err;

	if (!last)
		return KN_EXIT_ERROR;
	if (m->count && m->printed >= m->count)
		return 0;	/* the rest of the batch read with the last one */
	if (*last && b->seq > *last + 1) {
		/* only the bind stream has a table to resync from */
		if (stream == STREAM_CONNS)
			monitor_print_lost(m, b->seq - *last - 1, b->seq);
		else if ((err = monitor_lost(m, b->seq - *last - 1, b->seq)))
			return err;
	}
	m->received++;
	if (b->seq > *last)
		*last = b->seq;
	if (b->kind == KNETMON_BIND_KIND_BIND || b->kind == KNETMON_BIND_KIND_LISTEN)
		monitor_learn(m, b);
	if (!(m->kinds & (1u << b->kind)))
		return 0;
	kn_bind_print(b, m->how);
	print_end_buffered();
	m->unflushed = true;
	if (m->count && ++m->printed >= m->count)
		stop = 1;
	return 0;
}

/* A network change: numbered on a stream of its own, never learnt as a bind. */
static int monitor_change(const struct kn_change *c, void *arg)
{
	struct monitor *m = arg;
	uint64_t *last = monitor_last_seq(m, c->netns, STREAM_CHANGES);

	if (!last)
		return KN_EXIT_ERROR;
	if (m->count && m->printed >= m->count)
		return 0;
	if (*last && c->seq > *last + 1)
		monitor_print_lost(m, c->seq - *last - 1, c->seq);
	m->received++;
	if (c->seq > *last)
		*last = c->seq;
	if (c->kind >= 32 || !(m->changes & (1u << c->kind)))
		return 0;	/* not asked for, or a kind newer than this CLI */
	kn_change_print(c, m->how);
	print_end_buffered();
	m->unflushed = true;
	if (m->count && ++m->printed >= m->count)
		stop = 1;
	return 0;
}

/* --kinds: bind and connection kinds into M->kinds, change kinds into M->changes. */
static int parse_kinds(const char *arg, struct monitor *m)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int err = 0;

	m->kinds = 0;
	m->changes = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint8_t k = kn_bind_kind_from_name(tok);
		unsigned int changes = kn_change_kinds_from_name(tok);

		if (!k && !changes) {
			fprintf(stderr, "knetmon: unknown kind \"%s\"\n", tok);
			err = -1;
		}
		if (k)
			m->kinds |= 1u << k;
		m->changes |= changes;
	}
	free(copy);
	return err;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The groups the kinds need. The bind stream feeds --penguin and --exec
 * whatever is printed, and is joined as before for every mix of bind and
 * connection kinds; network changes alone need only their own group (so
 * its permission is what an unprivileged change monitor meets).
 */
static int monitor_subscribe(struct monitor *m, struct kn_bind_stream *s, int rcvbuf,
			     bool learn)
{
	const char *groups[STREAMS];
	int n = 0, i, err;

	if (m->kinds || learn || !m->changes)
		groups[n++] = m->all_netns ? KNETMON_MCGRP_BINDS_ALL : KNETMON_MCGRP_BINDS;
	if (m->kinds & CONN_KINDS)
		groups[n++] = m->all_netns ? KNETMON_MCGRP_CONNS_ALL : KNETMON_MCGRP_CONNS;
	if (m->changes)
		groups[n++] = m->all_netns ? KNETMON_MCGRP_CHANGES_ALL : KNETMON_MCGRP_CHANGES;
	err = kn_binds_subscribe_group(s, groups[0], rcvbuf, monitor_event, m);
	for (i = 1; !err && i < n; i++) {
		err = kn_binds_join(s, groups[i]);
		if (err)
			kn_binds_unsubscribe(s);
	}
	s->change_fn = monitor_change;
	return err;
}

/*
 * Printed events are flushed when no more are queued, not one write per
 * event: under a bind storm the write was a third of the monitor's system
 * calls per event (bench/guest.py's event throughput). Nothing waits in
 * the buffer while the monitor itself waits for events.
 */
static int monitor_loop(struct monitor *m, struct kn_bind_stream *s, double timeout)
{
	uint64_t deadline = timeout > 0 ? now_ns(CLOCK_MONOTONIC) + timeout * 1e9 : 0;
	uint64_t received;
	int err = 0, wait_ms;

	while (!stop) {
		wait_ms = m->unflushed ? 0 : 1000;
		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			if (wait_ms && (deadline - now) / 1000000 < 1000)
				wait_ms = (deadline - now) / 1000000 + 1;
		}
		received = m->received;
		err = kn_binds_poll(s, wait_ms);
		if (m->unflushed && m->received == received) {
			fflush(stdout);
			m->unflushed = false;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (err == KN_STREAM_OVERRUN) {
			/* Counted when the next event shows the gap. */
			err = 0;
			continue;
		}
		if (err)
			break;
	}
	fflush(stdout);
	return err;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timestamp", no_argument, NULL, 't' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "penguin", required_argument, NULL, 'P' },
		{ "exec", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct monitor m = { .how = KN_BIND_PRINT_EVENT, .kinds = DEFAULT_KINDS };
	const char *penguin = NULL;
	struct kn_bind_stream s;
	struct sigaction sa = { .sa_handler = on_signal };
	double timeout = 0;
	int c, err, rcvbuf = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "jtk:hc:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': print_set_json(true); break;
		case 't': m.how |= KN_BIND_PRINT_TIME; break;
		case 'k':
			if (parse_kinds(optarg, &m))
				return KN_EXIT_ERROR;
			break;
		case 'P': penguin = optarg; break;
		case 'e': m.exec = optarg; break;
		case 'c':
			m.count = strtol(optarg, &end, 10);
			if (*end || m.count <= 0) {
				fprintf(stderr, "knetmon: bad count \"%s\"\n", optarg);
				return KN_EXIT_ERROR;
			}
			break;
		case 'T':
			timeout = strtod(optarg, &end);
			if (*end || timeout <= 0) {
				fprintf(stderr, "knetmon: bad timeout \"%s\"\n", optarg);
				return KN_EXIT_ERROR;
			}
			break;
		case 'r':
			rcvbuf = strtol(optarg, &end, 10);
			if (*end || rcvbuf <= 0) {
				fprintf(stderr, "knetmon: bad rcvbuf \"%s\"\n", optarg);
				return KN_EXIT_ERROR;
			}
			break;
		case 'A': m.all_netns = true; break;
		case 'h': usage(stdout); return KN_EXIT_OK;
		default: usage(stderr); return KN_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return KN_EXIT_ERROR;
	}

	m.nb = netbinds_new(penguin, now_ns(CLOCK_REALTIME));
	if (!m.nb)
		return KN_EXIT_ERROR;
	err = monitor_subscribe(&m, &s, rcvbuf, penguin || m.exec);
	if (err) {
		netbinds_free(m.nb);
		return err;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = monitor_loop(&m, &s, timeout);
	/* --count asked for N events: what came after them was not lost */
	if (!err && !(m.count && m.printed >= m.count))
		err = monitor_final_gap(&m, &s);

	kn_binds_unsubscribe(&s);
	if (m.dump_open)
		kn_close(&m.dump_nl);
	netbinds_free(m.nb);
	free(m.seqs);
	return err;
}
