/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A network namespace of the test's own, for tests whose events and
 * sequence numbers must be theirs alone. Needs _GNU_SOURCE (unshare).
 */
#ifndef KNETMON_NETNS_LIB_H
#define KNETMON_NETNS_LIB_H

#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Move into a new netns with lo up: 0, or -1. */
static inline int kt_private_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	err = err ?: ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return err;
}

/* The inode of the caller's netns, as events and records carry it. */
static inline uint32_t kt_own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
}

#endif
