// SPDX-License-Identifier: GPL-2.0
/*
 * Owner map for GET_SOCKETS with KNETMON_REQF_OWNERS: which processes hold
 * each socket, found by one pass over the processes' file tables per dump
 * (what `ss -p` does by reading every /proc/PID/fd, done here without it).
 *
 * Processes are visited by tgid in the caller's pid namespace (find_ge_pid,
 * the way /proc lists them), each with a task reference so the walk may
 * sleep between processes. Threads share their group's file table, so one
 * table per thread group is read: the leader's, or, when the leader has
 * exited before its threads, the first thread that still has one.
 *
 * The file table is read with iterate_fd() under task_lock(), the order the
 * tty SAK code uses: task_lock keeps exit_files() from freeing the table,
 * iterate_fd holds its file_lock so no entry is closed under us. Both are
 * spinlocks, so the callback only appends to a preallocated array; when the
 * array is full it stops at that descriptor, the array grows outside the
 * locks, and the walk resumes at the same descriptor.
 *
 * The result is sorted by socket inode for binary search while filling.
 */

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/pid_namespace.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/sock.h>

#include "knetmon.h"
#include "owners.h"

#define OWNERS_INITIAL	1024

struct knetmon_owners {
	struct knetmon_owner *v;
	u32 n, cap;
	/* scan state of the current process */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned int resume_fd;
};

static int owners_grow(struct knetmon_owners *o)
{
	u32 cap = o->cap ? o->cap * 2 : OWNERS_INITIAL;
	struct knetmon_owner *v;

	v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	if (o->n)
		memcpy(v, o->v, o->n * sizeof(*v));
	kvfree(o->v);
	o->v = v;
	o->cap = cap;
	return 0;
}

/* iterate_fd() callback, under task_lock and file_lock: no sleeping. */
static int owners_add(const void *arg, struct file *file, unsigned int fd)
{
	struct knetmon_owners *o = (struct knetmon_owners *)arg;
	struct knetmon_owner *e;
	struct socket *sock;

	sock = sock_from_file(file);
	if (!sock)
		return 0;
	if (o->n == o->cap) {
		o->resume_fd = fd;
		return 1;	/* grow outside the locks, resume here */
	}
	e = &o->v[o->n++];
	e->ino = SOCK_INODE(sock)->i_ino;
	e->pid = o->pid;
	e->fd = fd;
	memcpy(e->comm, o->comm, sizeof(e->comm));
	return 0;
}

/* The task whose file table stands for the thread group LEADER, referenced. */
static struct task_struct *owners_files_task(struct task_struct *leader)
{
	struct task_struct *t, *found = NULL;

	rcu_read_lock();
	for_each_thread(leader, t) {
		/* a hint only: checked again under task_lock */
		if (READ_ONCE(t->files)) {
			found = t;
			get_task_struct(found);
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static int owners_scan_files(struct knetmon_owners *o, struct task_struct *t)
{
	unsigned int fd = 0;
	int err, full;

	for (;;) {
		task_lock(t);
		full = t->files ? iterate_fd(t->files, fd, owners_add, o) : 0;
		task_unlock(t);
		if (!full)
			return 0;
		fd = o->resume_fd;
		err = owners_grow(o);
		if (err)
			return err;
	}
}

static int owners_scan_process(struct knetmon_owners *o, struct task_struct *leader,
			       pid_t pid)
{
	struct task_struct *t;
	int err;

	o->pid = pid;
	/* ss and /proc show the leader's name for the process */
	get_task_comm(o->comm, leader);
	t = owners_files_task(leader);
	if (!t)
		return 0;	/* every thread has exited */
	err = owners_scan_files(o, t);
	put_task_struct(t);
	return err;
}

/*
 * Whether the caller may read TASK's file table: the question /proc/PID/fd
 * asks, ptrace_may_access(task, PTRACE_MODE_READ_FSCREDS), which modules
 * cannot call. Its rules, in its order: one's own process; matching
 * uid/euid/suid and gid/egid/sgid against the caller's fsuid/fsgid, or
 * CAP_SYS_PTRACE over the task's user namespace; a dumpable mm, or the same
 * capability over the mm's; and the capability LSM's rule that the task's
 * permitted capabilities be a subset of the caller's effective ones in the
 * same user namespace. Other LSMs (Yama restricts attaching, not reading)
 * are not consulted. Called under rcu_read_lock.
 */
static bool owners_may_read(struct task_struct *task)
{
	const struct cred *me = current_cred(), *them = __task_cred(task);
	struct mm_struct *mm;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	if (!(uid_eq(me->fsuid, them->euid) && uid_eq(me->fsuid, them->suid) &&
	      uid_eq(me->fsuid, them->uid) && gid_eq(me->fsgid, them->egid) &&
	      gid_eq(me->fsgid, them->sgid) && gid_eq(me->fsgid, them->gid)) &&
	    !ns_capable_noaudit(them->user_ns, CAP_SYS_PTRACE))
		return false;
	task_lock(task);
	mm = task->mm;
	ok = !mm || get_dumpable(mm) == SUID_DUMP_USER ||
	     ns_capable_noaudit(mm->user_ns, CAP_SYS_PTRACE);
	task_unlock(task);
	if (!ok)
		return false;
	if (me->user_ns == them->user_ns &&
	    cap_issubset(them->cap_permitted, me->cap_effective))
		return true;
	return ns_capable_noaudit(them->user_ns, CAP_SYS_PTRACE);
}

/* Whether the caller may see the owners of sockets held by TASK. */
static bool owners_visible(struct task_struct *task, bool all_users)
{
	return all_users || owners_may_read(task);
}

static int owners_cmp(const void *a, const void *b)
{
	const struct knetmon_owner *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static int owners_walk(struct knetmon_owners *o, bool all_users)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *task;
	struct pid *pid;
	pid_t nr = 1, tgid;
	int err;

	for (;;) {
		rcu_read_lock();
		pid = find_ge_pid(nr, ns);
		if (!pid) {
			rcu_read_unlock();
			return 0;
		}
		tgid = pid_nr_ns(pid, ns);
		nr = tgid + 1;
		task = pid_task(pid, PIDTYPE_TGID);
		if (task && owners_visible(task, all_users))
			get_task_struct(task);
		else
			task = NULL;
		rcu_read_unlock();
		if (!task)
			continue;

		err = owners_scan_process(o, task, tgid);
		put_task_struct(task);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

struct knetmon_owners *knetmon_owners_build(bool all_users)
{
	struct knetmon_owners *o;
	int err;

	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return ERR_PTR(-ENOMEM);
	err = owners_grow(o);
	if (!err)
		err = owners_walk(o, all_users);
	if (err) {
		knetmon_owners_free(o);
		return ERR_PTR(err);
	}
	sort(o->v, o->n, sizeof(*o->v), owners_cmp, NULL);
	return o;
}

void knetmon_owners_free(struct knetmon_owners *o)
{
	if (IS_ERR_OR_NULL(o))
		return;
	kvfree(o->v);
	kfree(o);
}

const struct knetmon_owner *knetmon_owners_find(const struct knetmon_owners *o, u64 ino,
						  unsigned int *count)
{
	u32 lo = 0, hi = o->n, end;

	/* first entry with v[].ino >= ino */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (o->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < o->n && o->v[end].ino == ino; end++)
		;
	*count = end - lo;
	return *count ? &o->v[lo] : NULL;
}
