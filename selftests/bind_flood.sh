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

# netns_info NS FIELD: a top-level field of `info -j` asked from inside NS.
netns_info() {
	ip netns exec "$1" "$KNETMON" info -j |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# flood NS N READY: N UDP binds in NS (25,000 ports on each loopback address
# from 127.0.0.1 up), kept open; READY is written once they all are.
flood() {
	ip netns exec "$1" python3 - "$2" "$3" <<'PY' &
import resource, socket, sys, time
n, ready = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 1000, n + 1000))
keep = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.%d" % (1 + i // 25000), 20000 + i % 25000))
    keep.append(s)
open(ready, "w").write("%d\n" % len(keep))
time.sleep(3600)
PY
}

# Two namespaces flood half each: the first fills its share of the table,
# the second what is left of the whole.
test_flood_of_100000_binds_fills_the_table_to_its_cap_and_counts_the_excess() {
	PY=; PY2=; NS2=; trap 'cleanup; [ -z "$PY2" ] || kill "$PY2" 2> /dev/null; [ -z "$NS2" ] || ip netns del "$NS2"' EXIT
	unload_module
	load_module
	cap=$(info_counter binds_max)
	share=$(info_counter binds_max_per_netns)
	live0=$(info_counter table_live)
	over0=$(info_counter table_overflow)
	[ "$share" -lt "$cap" ] || fail "one netns may take the whole table ($share of $cap)"
	[ -n "$(entry_objects)" ] || fail "no knetmon_bind_entry cache in /proc/slabinfo (merged?)"
	NS=$(unique_netns flood) NS2=$(unique_netns flood2)
	for ns in "$NS" "$NS2"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
	rm -f /tmp/knetmon-flood.ready /tmp/knetmon-flood2.ready
	flood "$NS" $((FLOOD / 2)) /tmp/knetmon-flood.ready
	PY=$!
	busywait 600000 test -e /tmp/knetmon-flood.ready || fail "the first flood never finished"
	flood "$NS2" $((FLOOD / 2)) /tmp/knetmon-flood2.ready
	PY2=$!
	busywait 600000 test -e /tmp/knetmon-flood2.ready || fail "the second flood never finished"
	for ns in "$NS" "$NS2"; do
		[ "$(ip netns exec "$ns" ss -Huan | wc -l)" = $((FLOOD / 2)) ] ||
			fail "ss does not see $((FLOOD / 2)) sockets in $ns"
	done

	live=$(info_counter table_live)
	over=$(( $(info_counter table_overflow) - over0 ))
	excess=$(( FLOOD - (cap - live0) ))
	live1=$(netns_info "$NS" netns_binds_live) live2=$(netns_info "$NS2" netns_binds_live)
	echo "# cap $cap, share $share, live before $live0, now $live ($live1 + $live2 flooded), overflow $over (excess $excess)"
	[ "$live" = "$cap" ] || fail "the table holds $live entries, its cap is $cap"
	[ "$over" = "$excess" ] || fail "overflow grew by $over, the excess is $excess"
	[ "$live1" = "$share" ] || fail "the first flood holds $live1 entries, its share is $share"
	[ "$live2" = $(( cap - live0 - share )) ] ||
		fail "the second flood holds $live2 entries, $(( cap - live0 - share )) were left"
	[ "$(netns_info "$NS" netns_binds_overflow)" = $(( FLOOD / 2 - live1 )) ] ||
		fail "the first netns counts $(netns_info "$NS" netns_binds_overflow) binds not stored"
	[ "$(netns_info "$NS2" netns_binds_overflow)" = $(( FLOOD / 2 - live2 )) ] ||
		fail "the second netns counts $(netns_info "$NS2" netns_binds_overflow) binds not stored"
	objs=$(entry_objects)
	# SLUB counts objects of per-CPU slabs as active: allow those slabs.
	[ "$objs" -le $(( cap + 2 * 64 * $(nproc) )) ] ||
		fail "the entry cache holds $objs objects for a table capped at $cap"
	# each flood's netns lists exactly its own entries
	for ns in "$NS" "$NS2"; do
		dumped=$(ip netns exec "$ns" "$KNETMON" binds -u -j |
			python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
		[ "$dumped" = "$(netns_info "$ns" netns_binds_live)" ] ||
			fail "binds listed $dumped entries in $ns, info says $(netns_info "$ns" netns_binds_live)"
	done

	kill "$PY" "$PY2"; wait "$PY" "$PY2" 2> /dev/null || true; PY= PY2=
	busywait 120000 table_back_to "$live0" ||
		fail "entries left after every flood socket closed: $(info_counter table_live), was $live0"
}

# An unprivileged user fills a netns of its own with binds: the table keeps
# room for everyone else's. Ground truth is what root itself bound.
test_a_user_filling_its_own_netns_leaves_room_for_the_hosts_binds() {
	# as_nobody is a function: $! is its subshell; the flood writes its own pid
	PY=; HOST=; USERPY=
	trap 'cleanup; kill $HOST $USERPY 2> /dev/null || true' EXIT
	as_nobody unshare -Urn true 2> /dev/null ||
		skip "this kernel lets no user make a user namespace"
	unload_module
	insmod "$KNETMON_KO" max_binds=300
	over0=$(info_counter table_overflow)
	rm -f /tmp/knetmon-user-flood.ready
	as_nobody unshare -Urn python3 -c '
import os, socket, time
keep = []
for i in range(400):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    keep.append(s)
open("/tmp/knetmon-user-flood.tmp", "w").write("%d\n" % os.getpid())
os.rename("/tmp/knetmon-user-flood.tmp", "/tmp/knetmon-user-flood.ready")
time.sleep(3600)' &
	PY=$!
	busywait 60000 test -e /tmp/knetmon-user-flood.ready || fail "the user's flood never finished"
	USERPY=$(cat /tmp/knetmon-user-flood.ready)
	rm -f /tmp/knetmon-host-ports
	python3 -c '
import os, socket, time
keep = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for i in range(20)]
for s in keep:
    s.bind(("127.0.0.1", 0))
open("/tmp/knetmon-host-ports.tmp", "w").write(" ".join(str(s.getsockname()[1]) for s in keep))
os.rename("/tmp/knetmon-host-ports.tmp", "/tmp/knetmon-host-ports")
time.sleep(3600)' &
	HOST=$!
	busywait 30000 test -e /tmp/knetmon-host-ports || fail "the host's binds never finished"
	ports=$(cat /tmp/knetmon-host-ports)
	listed=$("$KNETMON" binds -u -j | python3 -c '
import json, sys
want = set(map(int, sys.argv[1].split()))
print(len(want & {b["port"] for b in json.load(sys.stdin)}))' "$ports")
	echo "# the host bound 20 ports, binds lists $listed of them; overflow +$(( $(info_counter table_overflow) - over0 ))"
	kill "$HOST"; wait "$HOST" 2> /dev/null || true; HOST=
	[ "$listed" = 20 ] || fail "binds lists $listed of the 20 ports root bound"
	kill "$USERPY"; wait "$PY" 2> /dev/null || true; PY= USERPY=
	unload_module
	load_module
}

run_tests test_flood_of_100000_binds_fills_the_table_to_its_cap_and_counts_the_excess \
	test_a_user_filling_its_own_netns_leaves_room_for_the_hosts_binds
