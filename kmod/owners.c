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
 * The file table is read under task_lock() and then its file_lock, the
 * order iterate_fd() and the tty SAK code use: task_lock keeps exit_files()
 * from freeing the table, file_lock keeps entries from being closed under
 * us. Both are spinlocks, so each socket found is only appended to a
 * preallocated array; when the array is full the walk stops at that
 * descriptor, the array grows outside the locks, and the walk resumes at
 * the same descriptor. Unlike iterate_fd(), the walk visits open
 * descriptors only (owners_scan_fdtable()).
 *
 * The result is grouped by socket inode in one linear pass, a counting
 * sort on a hash of the inode, so that filling finds a socket's holders in
 * constant time: sorting the whole map by inode cost more than the lookups
 * it served (docs/BENCHMARKS.md).
 */

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/log2.h>
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
	struct knetmon_owner *v;	/* as walked; then grouped by inode */
	u32 n, cap;
	/* bucket B's entries: v[B ? end[B - 1] : 0] up to v[end[B]] */
	u32 *end;
	unsigned int bits;
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

/* Under task_lock and file_lock: no sleeping. 1: full, resume at FD. */
static int owners_add(struct knetmon_owners *o, struct file *file, unsigned int fd)
{
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

/*
 * The open descriptors of FILES from FD on, each socket added to O; 1 when
 * O is full. iterate_fd() visits every slot of the table, and a process
 * forked from one that held thousands of descriptors keeps a table that
 * size for its few: the bench's 100 holders of 10,000 sockets spent a sixth
 * of a listing there. The open_fds bitmap marks every slot that can hold a
 * file: a bit is set, under file_lock, before a file is installed in its
 * slot, and cleared, under file_lock, after the file is taken out.
 */
static int owners_scan_fdtable(struct knetmon_owners *o, struct files_struct *files,
			       unsigned int fd)
{
	struct fdtable *fdt;
	int full = 0;

	spin_lock(&files->file_lock);
	fdt = files_fdtable(files);
	for (fd = find_next_bit(fdt->open_fds, fdt->max_fds, fd); fd < fdt->max_fds;
	     fd = find_next_bit(fdt->open_fds, fdt->max_fds, fd + 1)) {
		struct file *file = rcu_dereference_check_fdtable(files, fdt->fd[fd]);

		if (file && (full = owners_add(o, file, fd)))
			break;
	}
	spin_unlock(&files->file_lock);
	return full;
}

static int owners_scan_files(struct knetmon_owners *o, struct task_struct *t)
{
	unsigned int fd = 0;
	int err, full;

	for (;;) {
		task_lock(t);
		full = t->files ? owners_scan_fdtable(o, t->files, fd) : 0;
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

static u32 owners_bucket(const struct knetmon_owners *o, u64 ino)
{
	return hash_64(ino, o->bits);
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

/*
 * A bucket's entries in inode order, a socket's holders in tgid and
 * descriptor order. Buckets hold one or two inodes on average: insertion
 * sort, stable, keeps the walk's order among a socket's holders. A bucket
 * of more than 32 (a socket with many holders) is sorted by inode, tgid
 * and descriptor, which gives the same order in O(n log n).
 */
static void owners_sort_bucket(struct knetmon_owner *v, u32 n)
{
	u32 i, j;

	if (n > 32) {
		sort(v, n, sizeof(*v), owners_cmp, NULL);
		return;
	}
	for (i = 1; i < n; i++) {
		struct knetmon_owner x = v[i];

		for (j = i; j > 0 && v[j - 1].ino > x.ino; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Group the walked entries by bucket of inode: a counting sort, stable. */
static int owners_group(struct knetmon_owners *o)
{
	struct knetmon_owner *out;
	u32 i, b, nb;

	o->bits = ilog2(roundup_pow_of_two(max(o->n, 2U)));
	nb = 1U << o->bits;
	o->end = kvcalloc(nb, sizeof(*o->end), GFP_KERNEL_ACCOUNT);
	out = kvmalloc_array(max(o->n, 1U), sizeof(*out), GFP_KERNEL_ACCOUNT);
	if (!o->end || !out) {
		kvfree(out);
		return -ENOMEM;
	}
	for (i = 0; i < o->n; i++)
		o->end[owners_bucket(o, o->v[i].ino)]++;
	for (b = 1; b < nb; b++)	/* end[b]: the first entry after bucket b */
		o->end[b] += o->end[b - 1];
	for (i = o->n; i-- > 0;)	/* backwards: each bucket keeps walk order */
		out[--o->end[owners_bucket(o, o->v[i].ino)]] = o->v[i];
	/* end[b] is now where bucket b begins: shift to where it ends */
	memmove(o->end, o->end + 1, (nb - 1) * sizeof(*o->end));
	o->end[nb - 1] = o->n;
	kvfree(o->v);
	o->v = out;
	for (b = 0; b < nb; b++) {
		u32 lo = b ? o->end[b - 1] : 0;

		owners_sort_bucket(o->v + lo, o->end[b] - lo);
	}
	return 0;
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
	if (!err)
		err = owners_group(o);
	if (err) {
		knetmon_owners_free(o);
		return ERR_PTR(err);
	}
	return o;
}

void knetmon_owners_free(struct knetmon_owners *o)
{
	if (IS_ERR_OR_NULL(o))
		return;
	kvfree(o->v);
	kvfree(o->end);
	kfree(o);
}

const struct knetmon_owner *knetmon_owners_find(const struct knetmon_owners *o, u64 ino,
						  unsigned int *count)
{
	u32 b = owners_bucket(o, ino), lo = b ? o->end[b - 1] : 0, hi = o->end[b], end;

	while (lo < hi && o->v[lo].ino < ino)
		lo++;
	for (end = lo; end < hi && o->v[end].ino == ino; end++)
		;
	*count = end - lo;
	return *count ? &o->v[lo] : NULL;
}
