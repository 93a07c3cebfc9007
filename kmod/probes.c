// SPDX-License-Identifier: GPL-2.0
/*
 * Placing kretprobes, the same way for every part that uses them (binds.c,
 * tcp_conns.c): a symbol named in fault_probe is made to be missing, a
 * refusal is said once in the log and turns the caller's feature off, and
 * where probes step themselves (compat.h) each kretprobe gets the plain
 * kprobe that does its first instruction.
 */

#include <linux/kprobes.h>

#include "knetmon.h"

/*
 * For tests of the missing-symbol path: a probe named in fault_probe is
 * placed on a symbol no kernel has, so register_kprobe() fails the way it
 * does on a kernel that lacks (or inlined) the function.
 */
static const char *knetmon_probe_symbol(const char *name)
{
	return knetmon_fault_injected(name) ? "knetmon_fault_injected_missing_symbol" : name;
}

static int knetmon_register_kprobe(struct kprobe *kp)
{
	const char *name = kp->symbol_name;
	int err;

	kp->symbol_name = knetmon_probe_symbol(name);
	err = register_kprobe(kp);
	kp->symbol_name = name;
	if (!err && !knetmon_probe_can_step(kp)) {
		unregister_kprobe(kp);
		err = -EOPNOTSUPP;	/* see compat.h */
	}
	if (err)
		pr_notice("cannot probe %s (%d): feature off\n", name, err);
	return err;
}

static int knetmon_register_kretprobe(struct kretprobe *rp)
{
	const char *name = rp->kp.symbol_name;
	int err;

	rp->kp.symbol_name = knetmon_probe_symbol(name);
	err = register_kretprobe(rp);
	rp->kp.symbol_name = name;
	if (err)
		pr_notice("cannot probe %s (%d): feature off\n", name, err);
	return err;
}

/*
 * Where probes step themselves (compat.h), a kretprobe's entry still
 * single-steps: its pre_handler is kprobes' own. A plain kprobe at the same
 * address, placed just before it, does the instruction instead: kprobes
 * runs the handlers of one address newest first, so when this one returns
 * the kretprobe's entry has run.
 */
static int knetmon_step_pre(struct kprobe *p, struct pt_regs *regs)
{
	return knetmon_probe_step(p, regs);
}

static int knetmon_step_register(struct knetmon_kretprobe *p)
{
	if (!KNETMON_PROBE_STEPS_ITSELF)
		return 0;
	p->step = (struct kprobe) {
		.symbol_name = p->rp.kp.symbol_name,
		.pre_handler = knetmon_step_pre,
		.flags = p->on_demand ? KPROBE_FLAG_DISABLED : 0,
	};
	if (knetmon_register_kprobe(&p->step))
		return -ENOENT;
	p->step_placed = true;
	return 0;
}

static void knetmon_kretprobe_unstep(struct knetmon_kretprobe *p)
{
	if (p->step_placed)
		unregister_kprobe(&p->step);
	p->step_placed = false;
}

/*
 * Instances per kretprobe. One is held for the length of one call, and
 * calls may sleep: a lingering close, a unix bind on a slow filesystem,
 * lock_sock() behind a busy socket. 16 per CPU leaves room for as many
 * tasks asleep in the probed functions as running ones, with a floor of 64
 * for small machines; an instance costs its call data (up to 128 bytes)
 * plus the kretprobe's own bookkeeping. Running out is no silent loss: the
 * miss is counted and leaves a gap in the sequence.
 */
static int knetmon_kretprobe_instances(void)
{
	return clamp_t(int, 16 * num_possible_cpus(), 64, 4096);
}

int knetmon_kretprobe_place(struct knetmon_kretprobe *p)
{
	p->rp.maxactive = knetmon_kretprobe_instances();
	/* register_kprobe() keeps this one flag */
	p->rp.kp.flags = p->on_demand ? KPROBE_FLAG_DISABLED : 0;
	if (knetmon_step_register(p))
		return -ENOENT;
	if (knetmon_register_kretprobe(&p->rp)) {
		knetmon_kretprobe_unstep(p);
		return -ENOENT;
	}
	WRITE_ONCE(p->placed, true);
	return 0;
}

void knetmon_kretprobes_remove(struct knetmon_kretprobe *ps, int n)
{
	struct kretprobe *rps[16];
	int i, m = 0;

	for (i = 0; i < n; i++) {
		if (!ps[i].placed)
			continue;
		WRITE_ONCE(ps[i].placed, false);
		rps[m++] = &ps[i].rp;
		/* one wait for the handlers in flight on every CPU, not one per probe */
		if (m == ARRAY_SIZE(rps)) {
			unregister_kretprobes(rps, m);
			m = 0;
		}
	}
	if (m)
		unregister_kretprobes(rps, m);
	for (i = 0; i < n; i++)
		knetmon_kretprobe_unstep(&ps[i]);
}

u64 knetmon_kretprobes_missed(const struct knetmon_kretprobe *ps, int n)
{
	u64 missed = 0;
	int i;

	for (i = 0; i < n; i++)
		if (READ_ONCE(ps[i].placed))
			missed += READ_ONCE(ps[i].rp.nmissed) + READ_ONCE(ps[i].rp.kp.nmissed);
	return missed;
}

/* The step probe is armed before and disarmed after its kretprobe. */
void knetmon_kretprobes_arm(struct knetmon_kretprobe *ps, int n, bool on)
{
	int i;

	might_sleep();	/* kprobe_mutex */
	for (i = 0; i < n; i++) {
		struct knetmon_kretprobe *p = &ps[i];

		if (!p->placed || !p->on_demand)
			continue;
		if (on) {
			if (p->step_placed)
				enable_kprobe(&p->step);
			enable_kretprobe(&p->rp);
		} else {
			disable_kretprobe(&p->rp);
			if (p->step_placed)
				disable_kprobe(&p->step);
		}
	}
}
