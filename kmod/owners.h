/* SPDX-License-Identifier: GPL-2.0 */
/* The owner map of one GET_SOCKETS dump (owners.c), used by sockets.c. */
#ifndef _KNETMON_OWNERS_H
#define _KNETMON_OWNERS_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>

/* One (socket, process, descriptor) triple of the owner map. */
struct knetmon_owner {
	u64 ino;
	pid_t pid;		/* tgid in the caller's pid namespace */
	u32 fd;
	char comm[TASK_COMM_LEN];
};

struct knetmon_owners;

/* One pass over the processes; ERR_PTR on failure. Only processes whose
 * /proc/PID/fd the caller could read unless ALL_USERS. Sleeps. */
struct knetmon_owners *knetmon_owners_build(bool all_users);
void knetmon_owners_free(struct knetmon_owners *o);
/* The *COUNT entries for socket inode INO (NULL if none). */
const struct knetmon_owner *knetmon_owners_find(const struct knetmon_owners *o, u64 ino,
						  unsigned int *count);

#endif
