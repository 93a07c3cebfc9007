#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read a device benchmark's console (bench/device.sh in scripts/vm-target)
and print its table in Markdown: each listing beside busybox's netstat, the
bind loop with the module against without, all from the one boot."""
import re, statistics, sys

log, target = sys.argv[1], sys.argv[2]
listing, loop = {}, {"off": [], "on": []}
for line in open(log, errors="replace"):
    m = re.match(r"listing (\d+) (\d+) ([\d.]+) (-?\d+) (.*)$", line.strip())
    if m:
        held, runs, ms, lines, cmd = m.groups()
        tool = re.sub(r"^\S*knetmon ", "knetmon ", cmd)
        listing.setdefault(int(held), {})[tool] = (float(ms), int(lines))
    m = re.match(r"bindloop (off|on) (\d+)", line.strip())
    if m:
        loop[m.group(1)].append(int(m.group(2)))

if not listing or not loop["off"]:
    sys.exit(f"device_report: no results in {log}")
print(f"#### {target}: listing, median ms (sockets printed)\n")
print("| sockets | knetmon netstat -tan | busybox netstat -tan | busybox / knetmon | "
      "knetmon netstat -tanp (owners; busybox has no -p) | cat /proc/net/tcp* |")
print("|---|---|---|---|---|---|")
for n, t in sorted(listing.items()):
    k, b = t["knetmon netstat -tan"], t["netstat -tan"]
    kp, p = t["knetmon netstat -tanp"], t["cat /proc/net/tcp /proc/net/tcp6"]
    print(f"| {n:,} | {k[0]:.1f} ({k[1]}) | {b[0]:.1f} ({b[1]}) | {b[0] / k[0]:.2f}x | "
          f"{kp[0]:.1f} ({kp[1]}) | {p[0]:.1f} |")
off, on = statistics.median(loop["off"]), statistics.median(loop["on"])
print(f"\n#### {target}: bind()+close() loop, binds/s (median of {len(loop['off'])})\n")
print("| without the module | with the module, nobody subscribed | ratio |")
print("|---|---|---|")
print(f"| {off:,.0f} | {on:,.0f} | {on / off:.1%} |")
