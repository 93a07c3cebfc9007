/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel version and architecture differences live.
 * Force-included into every object by Kbuild; the rest of knetmon is
 * written against the newest kernel's API and this header supplies it on
 * older ones and on every architecture.
 *
 * Kbuild sets KNETMON_HAVE_* by grepping the target kernel's headers, so a
 * distribution backport is picked up without a version check.
 */
#ifndef _KNETMON_COMPAT_H
#define _KNETMON_COMPAT_H

/* Before any include, so every pr_*() in knetmon is prefixed. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netlink.h>
#include <net/genetlink.h>

/* 6.7 added the typed dump context assertion (6.1 lacks it). */
#ifndef NL_ASSERT_DUMP_CTX_FITS
#define NL_ASSERT_DUMP_CTX_FITS(type_name)				\
	static_assert(sizeof(type_name) <=				\
		      sizeof_field(struct netlink_callback, ctx))
#endif

/*
 * 6.6 gave dumps a struct genl_info (genl_info_dump()); on 6.1 the parsed
 * request attributes hang off struct genl_dumpit_info directly.
 */
static inline struct nlattr **knetmon_dump_attrs(struct netlink_callback *cb)
{
#ifdef KNETMON_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * 6.12 hands a dump's .start the request's extack (netlink_dump_control
 * gained one); 6.1's .start has none, so a refusal decided there would
 * reach the caller without its reason. knetmon_dump_check_start() uses
 * this to refuse in .start where it can and from the first dumpit where
 * it cannot.
 */
#ifdef KNETMON_HAVE_START_EXTACK
#define KNETMON_START_HAS_EXTACK	1
#else
#define KNETMON_START_HAS_EXTACK	0
#endif

/* 6.1's genl_info_net() takes a non-const genl_info; 6.12's is const-clean. */
static inline struct net *knetmon_genl_info_net(const struct genl_info *info)
{
	return read_pnet(&info->_net);
}

/*
 * 6.2 gave each netns a pointer to its UDP table (the global udp_table
 * unless net.ipv4.udp_child_hash_entries asked for a private one); 6.1 has
 * only the global, exported table, shared by every netns.
 */
/* A macro, so that only its user needs <net/udp.h>. */
#ifdef KNETMON_HAVE_NETNS_UDP_TABLE
#define knetmon_udp_table(net)	((net)->ipv4.udp_table)
#else
#define knetmon_udp_table(net)	(&udp_table)
#endif

/*
 * Binding to a multicast group restricted to CAP_NET_ADMIN: both supported
 * kernels enforce GENL_MCAST_CAP_NET_ADMIN (Debian 6.1 carries the
 * backport). A kernel without it must not silently expose the group.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "kernel lacks GENL_MCAST_CAP_NET_ADMIN: the binds group would be open to everyone"
#endif

/*
 * Newer kernels call a genl family's bind and unbind for each join and
 * leave of its multicast groups, before the join takes effect; 6.1 tells
 * a family nothing. Where there is no word of a join, probes that serve
 * listeners stay armed.
 */
#ifdef KNETMON_HAVE_GENL_FAMILY_BIND
#define KNETMON_GENL_HAS_BIND 1
#define KNETMON_GENL_BIND_OPS(bind_fn, unbind_fn) .bind = (bind_fn), .unbind = (unbind_fn),
#else
#define KNETMON_GENL_HAS_BIND 0
#define KNETMON_GENL_BIND_OPS(bind_fn, unbind_fn)
#endif

/*
 * 6.6 folded inet_sock's option bitfields into inet_flags; before it,
 * freebind and transparent were bitfields of their own.
 */
#ifdef KNETMON_HAVE_INET_TEST_BIT
#define knetmon_inet_freebind(sk)	inet_test_bit(FREEBIND, sk)
#define knetmon_inet_transparent(sk)	inet_test_bit(TRANSPARENT, sk)
#else
#define knetmon_inet_freebind(sk)	(inet_sk(sk)->freebind)
#define knetmon_inet_transparent(sk)	(inet_sk(sk)->transparent)
#endif

/*
 * Probe handlers read the probed function's arguments where the calling
 * convention put them, as they are at its first instruction.
 * regs_get_kernel_argument() knows that on architectures that select
 * HAVE_FUNCTION_ARG_ACCESS_API (x86, arm64, riscv, powerpc); 32-bit ARM and
 * MIPS lack it, and s390's calls regs_get_register(), which is not exported
 * to modules. Every convention here passes at least four in registers;
 * knetmon reads at most three.
 */
#include <linux/ptrace.h>
static inline unsigned long knetmon_probe_arg(struct pt_regs *regs, unsigned int n)
{
	if (n >= 4)
		return 0;
#if defined(CONFIG_S390)
	return regs->gprs[2 + n];	/* r2-r6 */
#elif defined(CONFIG_MIPS)
	return regs->regs[4 + n];	/* a0-a3 (o32), a0-a7 (n64) */
#elif defined(CONFIG_ARM)
	return regs->uregs[n];		/* r0-r3 (AAPCS) */
#else
	return regs_get_kernel_argument(regs, n);
#endif
}

/*
 * A probe's single-step can be lost on MIPS. Its kprobe handlers run with
 * interrupts on, and a tick's softirq may run the RCU callback that frees a
 * dead task, whose kprobe_flush_task() -> kprobe_busy_end() sets
 * current_kprobe to NULL under the handler: the break that ends the
 * single-step then belongs to no probe and the kernel dies of "Break
 * instruction in kernel code" (seen in the rig within seconds of a socket
 * storm). So on MIPS knetmon's handlers do the probed function's first
 * instruction themselves and return 1, leaving no single-step to lose; it
 * is the stack adjustment every function knetmon probes starts with
 * ((d)addiu sp, sp, -N), and a probe on any other first instruction is not
 * placed (knetmon_probe_can_step()). Elsewhere nothing changes.
 */
#include <linux/kprobes.h>
#if defined(CONFIG_MIPS) && !defined(CONFIG_CPU_MICROMIPS)
#define KNETMON_PROBE_STEPS_ITSELF 1
static inline bool knetmon_probe_can_step(const struct kprobe *p)
{
	union mips_instruction insn = p->opcode;

	return insn.i_format.opcode == (IS_ENABLED(CONFIG_64BIT) ? daddiu_op : addiu_op) &&
	       insn.i_format.rs == 29 && insn.i_format.rt == 29;
}

static inline int knetmon_probe_step(struct kprobe *p, struct pt_regs *regs)
{
	union mips_instruction insn = p->opcode;

	regs->regs[29] += (long)insn.i_format.simmediate;
	regs->cp0_epc = (unsigned long)p->addr + 4;
	return 1;
}
#else
#define KNETMON_PROBE_STEPS_ITSELF 0
static inline bool knetmon_probe_can_step(const struct kprobe *p) { return true; }
/* A pre_handler's return: 0, kprobes single-steps the probed instruction. */
static inline int knetmon_probe_step(struct kprobe *p, struct pt_regs *regs) { return 0; }
#endif

#endif /* _KNETMON_COMPAT_H */
