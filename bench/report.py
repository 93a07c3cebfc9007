#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the benchmark table from results.json and plot listing time vs N."""
import json, subprocess, sys, tempfile

res = json.load(open(sys.argv[1]))
png = sys.argv[2] if len(sys.argv) > 2 else None
print(f"kernel {res['kernel']}{' (smoke)' if res.get('smoke') else ''}")

print("\nListing TCP sockets (median wall time, ms; ratio = tool / knetmon)")
rows = {}
for r in res["listing"]:
    rows.setdefault((r["n"], r["m"], r["owners"]), {})[r["tool"]] = r
print(f"{'N':>7} {'M':>4} {'-p':>3}  {'knetmon':>9} {'ss':>9} {'netstat':>9} {'proc':>9}   ss/kn  netstat/kn  lines agree")
for (n, m, owners), tools in sorted(rows.items()):
    kn = tools.get("knetmon")
    def ms(t):
        return f"{tools[t]['seconds'] * 1000:9.1f}" if t in tools else f"{'-':>9}"
    def ratio(t):
        return f"{tools[t]['seconds'] / kn['seconds']:7.2f}" if kn and t in tools else "      -"
    agree = len({t["sockets_listed"] for t in tools.values()}) == 1
    print(f"{n:>7} {m:>4} {'yes' if owners else 'no':>3}  {ms('knetmon')} {ms('ss')} {ms('netstat')} {ms('proc')}"
          f" {ratio('ss')}  {ratio('netstat'):>10}  {'yes' if agree else 'NO: ' + str({k: v['sockets_listed'] for k, v in tools.items()})}")

b = res["bind_overhead"]
print("\nBind loop (socket+bind+close, binds/s)")
print(f"  no module {b['no_module']:.0f}; loaded, nobody subscribed {b['module_no_subscriber']:.0f}"
      f" ({b['module_no_subscriber_ratio'] * 100:.1f}%); monitor subscribed {b['module_subscribed']:.0f}"
      f" ({b['module_subscribed_ratio'] * 100:.1f}%)")

print("\nEvents to `knetmon monitor -j`")
for e in res["events"]:
    print(f"  {e['procs']} proc(s), rcvbuf {e['rcvbuf']}: {e['events_per_second']:.0f} events/s received,"
          f" {e['events_sent']} sent, {e['events_lost_reported']} reported lost,"
          f" loss equals gaps: {e['loss_equals_gaps']}")

m = res["memory"]
print("\nMemory")
print(f"  at load: module {m['at_load']['module_bytes']} B, slab {m['at_load']['slab_bytes']} B;"
      f" with {m['live_binds']} live binds (table_live {m['table_live']}): slab {m['with_live_binds']['slab_bytes']} B;"
      f" after close: slab {m['after_close']['slab_bytes']} B")

if png:
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
        print(f"\nplot: {png}")
