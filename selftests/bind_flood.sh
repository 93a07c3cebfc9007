#!/bin/sh
# Memory stays bounded under a flood: 100,000 UDP binds that are never
# closed fill the live-bind table to its cap, the overflow counter grows by
# exactly the excess, the entry cache holds no more than the cap, the full
# table still dumps whole, and everything goes back when the sockets close.
. selftests/lib.sh

FLOOD=100000
NS=
cleanup() {
	[ -z "$PY" ] || kill "$PY" 2> /dev/null || true
	[ -z "$PY" ] || wait "$PY" 2> /dev/null || true
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
}

# Active objects of the live-bind entry cache, as /proc/slabinfo counts them.
entry_objects() {
	awk '$1 == "knetmon_bind_entry" { print $2 }' /proc/slabinfo
}

table_back_to() { [ "$(info_counter table_live)" -le "$1" ]; }

test_flood_of_100000_binds_fills_the_table_to_its_cap_and_counts_the_excess() {
	PY=; trap cleanup EXIT
	unload_module
	load_module
	cap=$(info_counter binds_max)
	live0=$(info_counter table_live)
	over0=$(info_counter table_overflow)
	[ -n "$(entry_objects)" ] || fail "no knetmon_bind_entry cache in /proc/slabinfo (merged?)"
	NS=$(unique_netns flood)
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	rm -f /tmp/knetmon-flood.ready
	# 4 loopback addresses x 25,000 ports, bound explicitly, kept open.
	ip netns exec "$NS" python3 - "$FLOOD" <<'PY' &
import resource, socket, sys, time
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 1000, n + 1000))
keep = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.%d" % (1 + i // 25000), 20000 + i % 25000))
    keep.append(s)
open("/tmp/knetmon-flood.ready", "w").write("%d\n" % len(keep))
time.sleep(3600)
PY
	PY=$!
	busywait 600000 test -e /tmp/knetmon-flood.ready || fail "the flood never finished binding"
	[ "$(ip netns exec "$NS" ss -Huan | wc -l)" = "$FLOOD" ] || fail "ss does not see $FLOOD sockets"

	live=$(info_counter table_live)
	over=$(( $(info_counter table_overflow) - over0 ))
	excess=$(( FLOOD - (cap - live0) ))
	echo "# cap $cap, live before $live0, live now $live, overflow $over (excess $excess)"
	[ "$live" = "$cap" ] || fail "the table holds $live entries, its cap is $cap"
	[ "$over" = "$excess" ] || fail "overflow grew by $over, the excess is $excess"
	objs=$(entry_objects)
	# SLUB counts objects of per-CPU slabs as active: allow those slabs.
	[ "$objs" -le $(( cap + 2 * 64 * $(nproc) )) ] ||
		fail "the entry cache holds $objs objects for a table capped at $cap"
	# the flood's netns holds every entry but those there before
	dumped=$(ip netns exec "$NS" "$KNETMON" binds -u -j |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
	[ "$dumped" = $(( cap - live0 )) ] ||
		fail "binds listed $dumped of the flood's $(( cap - live0 )) entries"

	kill "$PY"; wait "$PY" 2> /dev/null || true; PY=
	busywait 120000 table_back_to "$live0" ||
		fail "entries left after every flood socket closed: $(info_counter table_live), was $live0"
}

run_tests test_flood_of_100000_binds_fills_the_table_to_its_cap_and_counts_the_excess
