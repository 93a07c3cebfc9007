#!/bin/sh
# The benchmark driver (bench/guest.py) at its smallest size, so it keeps
# working: every tool lists the same sockets, the monitor's reported loss
# equals the sequence gaps, and the live-bind table counts what was bound.
. selftests/lib.sh

test_bench_smoke_tools_agree_and_loss_is_accounted() {
	load_module
	out=/tmp/bench-smoke
	mkdir -p $out
	python3 bench/guest.py --smoke --out $out > $out/log 2>&1 || { cat $out/log; fail "bench/guest.py failed"; }
	python3 - "$out/results.json" <<'PY' || fail "results disagree (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
groups = {}
for x in r["listing"]:
    groups.setdefault((x["n"], x["m"], x["owners"]), {})[x["tool"]] = x["sockets_listed"]
for k, tools in groups.items():
    if len(set(tools.values())) != 1:
        bad.append(f"listing {k}: {tools}")
    if min(tools.values()) < k[0]:
        bad.append(f"listing {k}: fewer sockets than created: {tools}")
for e in r["events"]:
    if not e["loss_equals_gaps"]:
        bad.append(f"events: {e}")
    if e["events_received"] == 0:
        bad.append(f"events: nothing received: {e}")
for k in ("accept_overhead", "udp_overhead"):
    if not r.get(k, {}).get("module_no_subscriber_ratio"):
        bad.append(f"{k}: no figures: {r.get(k)}")
if not r["accept_overhead"]["state_events"][0]["received_per_s"]:
    bad.append("accept overhead: the state monitor received nothing")
m = r["memory"]
if m["table_live"] < m["live_binds"]:
    bad.append(f"memory: table_live {m['table_live']} < {m['live_binds']} bound")
for b in bad:
    print("#", b)
sys.exit(1 if bad else 0)
PY
}

run_tests test_bench_smoke_tools_agree_and_loss_is_accounted
