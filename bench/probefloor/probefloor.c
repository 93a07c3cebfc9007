// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under knetmon's bind overhead: kretprobes on the two functions
 * a bind()+close() loop passes through knetmon's probes (inet_bind, and
 * inet_release, whose entry handler finds the socket and asks for the
 * return), with handlers that do nothing. What the loop loses with this
 * module loaded is the kprobe mechanism's price; what it loses beyond that
 * with knetmon is knetmon's. A benchmark tool, never shipped.
 */
#include <linux/kprobes.h>
#include <linux/module.h>

static int probefloor_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;	/* as knetmon's handlers on a hit: the return is wanted */
}

static int probefloor_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static struct kretprobe probefloor_probes[] = {
	{ .kp.symbol_name = "inet_bind", .entry_handler = probefloor_entry,
	  .handler = probefloor_return, .maxactive = 64 },
	{ .kp.symbol_name = "inet_release", .entry_handler = probefloor_entry,
	  .handler = probefloor_return, .maxactive = 64 },
};

static struct kretprobe *probefloor_list[] = { &probefloor_probes[0], &probefloor_probes[1] };

static int __init probefloor_init(void)
{
	return register_kretprobes(probefloor_list, ARRAY_SIZE(probefloor_list));
}

static void __exit probefloor_exit(void)
{
	unregister_kretprobes(probefloor_list, ARRAY_SIZE(probefloor_list));
}

module_init(probefloor_init);
module_exit(probefloor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kretprobes with empty handlers: the floor of knetmon's bind overhead");
