#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the benchmark tables from results.json and plot listing time vs N.

bench/report.py RESULTS.json [PLOT.png] [--markdown]
--markdown prints the tables as docs/BENCHMARKS.md carries them.
"""
import json, statistics, subprocess, sys, tempfile

args = [a for a in sys.argv[1:] if not a.startswith("--")]
md = "--markdown" in sys.argv
res = json.load(open(args[0]))
png = args[1] if len(args) > 1 else None


def table(head, rows):
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---:" if i else "---" for i in range(len(head))) + "|")
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        w = [max(len(str(x)) for x in [h] + [r[i] for r in rows]) for i, h in enumerate(head)]
        for r in [head] + rows:
            print("  ".join(str(x).rjust(w[i]) for i, x in enumerate(r)))


def title(t):
    print(f"\n{'#### ' if md else ''}{t}\n")


host = res.get("host", {})
print(f"{'**' if md else ''}kernel {res['kernel']}{' (smoke)' if res.get('smoke') else ''}"
      f"{'**' if md else ''}: {res.get('cpus', '?')} vCPUs, {res.get('mem_kib', 0) // 1024} MiB,"
      f" accelerator {host.get('accel', '?')}"
      f"{' with -icount (guest time counts instructions)' if host.get('icount') else ''},"
      f" median of {res.get('runs', '?')} runs;"
      f" host {host.get('cpus', '?')} CPUs, load average before {host.get('loadavg_before', '?')},"
      f" after {host.get('loadavg_after', '?')}, other QEMU processes at the end:"
      f" {host.get('qemu_processes_at_end', '?')}")

if res.get("listing"):
    title("Listing TCP sockets (median wall time, ms, output to /dev/null; ratio = tool / knetmon)")
    groups = {}
    for r in res["listing"]:
        groups.setdefault((r["n"], r["m"], r["owners"]), {})[r["tool"]] = r
    rows = []
    for (n, m, owners), tools in sorted(groups.items()):
        kn = tools.get("knetmon")

        def ms(t):
            if t not in tools:
                return "-"
            runs = tools[t]["runs"]
            return f"{tools[t]['seconds'] * 1000:.1f}" + (f" ({runs} run)" if runs == 1 else "")

        def ratio(t):
            return f"{tools[t]['seconds'] / kn['seconds']:.2f}" if kn and t in tools else "-"
        counts = {k: v["sockets_listed"] for k, v in tools.items()}
        agree = "yes" if len(set(counts.values())) == 1 else f"NO {counts}"
        rows.append([n, m, "-tanp" if owners else "-tan", ms("knetmon"), ms("ss"), ms("netstat"),
                     ms("proc"), ratio("ss"), ratio("netstat"), agree])
    table(["N", "M", "view", "knetmon", "ss", "netstat", "/proc cat", "ss/knetmon",
           "netstat/knetmon", "counts agree"], rows)
    if res.get("listing_groups"):
        took = ", ".join(f"N={g['n']} M={g['m']}: {g['seconds']:.0f} s" for g in res["listing_groups"])
        print(f"\nWall time per size (sockets made, every tool timed): {took}.")

if res.get("links"):
    title("Listing interfaces (median wall time, ms; dummies in a netns, ifindexes dense or 100 apart)")
    cell = {(r["n"], r["gap"], r["tool"]): r["seconds"] for r in res["links"]}
    rows = []
    for n in sorted({r["n"] for r in res["links"]}):
        for gap in (1, 100):
            kn, ip = cell.get((n, gap, "knetmon")), cell.get((n, gap, "ip"))
            if kn is None or ip is None:
                continue
            rows.append([n, gap, f"{kn * 1000:.1f}", f"{ip * 1000:.1f}", f"{ip / kn:.2f}",
                         f"{kn * 1e6 / n:.1f}"])
    table(["links", "ifindex gap", "knetmon ifconfig -a", "ip addr show", "ip/knetmon",
           "knetmon us/link"], rows)

if res.get("all_netns"):
    a = {r["tool"]: r for r in res["all_netns"]}
    r0 = res["all_netns"][0]
    title(f"Listing UDP sockets of every netns ({r0['netns']} netns of {r0['per_netns']}"
          f" sockets, {r0['init']} in the initial one; median wall time, ms)")
    kn, ss = a.get("knetmon"), a.get("ss")
    table(["knetmon netstat -uan --all-netns", "ip -all netns exec ss -uan", "ss/knetmon"],
          [[f"{kn['seconds'] * 1000:.1f}" if kn else "-", f"{ss['seconds'] * 1000:.1f}" if ss else "-",
            f"{ss['seconds'] / kn['seconds']:.2f}" if kn and ss else "-"]])

b = res.get("bind_overhead")
if b:
    title("Bind loop (socket + bind(port 0) + close, one process, median binds/s)")
    floor = (f"{b['probe_floor']:.0f} ({b['probe_floor_ratio'] * 100:.1f}%)"
             if "probe_floor" in b else "-")
    table(["no module", "empty kretprobes (floor)", "loaded, nobody subscribed",
           "monitor -j subscribed"],
          [[f"{b['no_module']:.0f}", floor,
            f"{b['module_no_subscriber']:.0f} ({b['module_no_subscriber_ratio'] * 100:.1f}%)",
            f"{b['module_subscribed']:.0f} ({b['module_subscribed_ratio'] * 100:.1f}%)"]])

c = res.get("accept_overhead")
if c:
    title(f"Accept loop ({c['workers']} servers accepting and closing, {c['workers']} clients"
          " connecting and closing, median connections/s)")
    state = "module_state_monitor" in c
    table(["no module", "loaded, nobody subscribed"] +
          (["`monitor --kinds state` subscribed", "state events received/s", "lost/s"]
           if state else []),
          [[f"{c['no_module']:.0f}",
            f"{c['module_no_subscriber']:.0f} ({c['module_no_subscriber_ratio'] * 100:.1f}%)"] +
           ([f"{c['module_state_monitor']:.0f} ({c['module_state_monitor_ratio'] * 100:.1f}%)",
             f"{statistics.median(e['received_per_s'] for e in c['state_events']):.0f}",
             f"{statistics.median(e['lost_per_s'] for e in c['state_events']):.0f}"]
            if state else [])])

u = res.get("udp_overhead")
if u:
    title(f"UDP send loop (one socket, 1-byte datagrams to {u['peers']} loopback peers in turn,"
          " median datagrams/s)")
    table(["no module", "loaded, nobody subscribed", "`monitor --kinds udp` subscribed"],
          [[f"{u['no_module']:.0f}",
            f"{u['module_no_subscriber']:.0f} ({u['module_no_subscriber_ratio'] * 100:.1f}%)",
            f"{u['module_udp_monitor']:.0f} ({u['module_udp_monitor_ratio'] * 100:.1f}%)"]])

if res.get("events"):
    title("Events to `knetmon monitor -j` (binders as fast as they can)")
    table(["binders", "rcvbuf", "events sent", "received", "received/s", "reported lost",
           "loss = gaps"],
          [[e["procs"], e["rcvbuf"], e["events_sent"], e["events_received"],
            f"{e['events_per_second']:.0f}", e["events_lost_reported"],
            "yes" if e["loss_equals_gaps"] else "NO"] for e in res["events"]])

d = res.get("binds_dump")
if d:
    title("An unprivileged user's GET_BINDS of its own netns beside the host's binds"
          " (median us per dump; the table's lock is held, interrupts off, for its snapshot)")
    base = d[0]["dump_us"]
    table(["host binds", "own binds", "us per dump", "ratio to no host binds"],
          [[r["host_binds"], r["own_binds"], f"{r['dump_us']:.0f}",
            f"{r['dump_us'] / base:.2f}"] for r in d])

m = res.get("memory")
if m:
    title("Module memory")
    table(["", "module text+data", "knetmon slabs"],
          [["at load", m["at_load"]["module_bytes"], m["at_load"]["slab_bytes"]],
           [f"{m['live_binds']} live binds (table_live {m['table_live']})",
            m["with_live_binds"]["module_bytes"], m["with_live_binds"]["slab_bytes"]],
           ["after they close", m["after_close"]["module_bytes"], m["after_close"]["slab_bytes"]]])

if png and any(r["m"] == 1 for r in res.get("listing", [])):
    with tempfile.TemporaryDirectory() as d:
        plots = []
        for tool in ("knetmon", "ss", "netstat", "proc"):
            for owners in (False, True):
                pts = sorted((r["n"], r["seconds"]) for r in res["listing"]
                             if r["tool"] == tool and r["owners"] == owners and r["m"] == 1)
                if not pts:
                    continue
                fn = f"{d}/{tool}{'-p' if owners else ''}.dat"
                open(fn, "w").write("".join(f"{n} {s * 1000}\n" for n, s in pts))
                plots.append(f"'{fn}' with linespoints title '{tool}{' -p' if owners else ''}'")
        script = (f"set terminal png size 900,600; set output '{png}'; set logscale xy;"
                  f"set xlabel 'TCP sockets (1 process)'; set ylabel 'ms (median)';"
                  f"set title 'Listing sockets on {res['kernel']}'; set key left top;"
                  f"plot {', '.join(plots)}")
        subprocess.run(["gnuplot", "-e", script], check=True)
        if not md:
            print(f"\nplot: {png}")
