#!/bin/sh
# Unloading knetmon while four processes bind, listen and close in a loop,
# or connect, accept and close with a connection monitor listening, or
# change links, addresses, routes, neighbours and netns with a change
# monitor listening: every probe and notifier is drained before the tables
# go, the kernel logs no warning, the counters agree with the live table,
# and the connection table empties once the connections have ended.
. selftests/lib.sh

LOADERS=
start_load() {
	for i in 1 2 3 4; do
		python3 -c '
import socket
while True:
    for fam, typ, addr in ((socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1"),
                           (socket.AF_INET6, socket.SOCK_DGRAM, "::1")):
        s = socket.socket(fam, typ)
        s.bind((addr, 0))
        if typ == socket.SOCK_STREAM:
            s.listen()
        s.close()
' &
		LOADERS="$LOADERS $!"
	done
}
# Four processes connecting, accepting and closing over loopback.
start_conn_load() {
	for i in 1 2 3 4; do
		python3 -c '
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(64)
while True:
    c = socket.create_connection(l.getsockname()); a, _ = l.accept()
    c.sendall(b"x"); a.recv(1); c.close(); a.close()
' &
		LOADERS="$LOADERS $!"
	done
	# UDP flows: short-lived IPv6 sockets sending to v4-mapped peers
	python3 -c '
import socket
r = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
for x in r: x.bind(("127.0.0.1", 0))
while True:
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    for x in r: u.sendto(b"x", ("::ffff:127.0.0.1", x.getsockname()[1]))
    u.close()
' &
	LOADERS="$LOADERS $!"
}
MON=
stop_conn_load() {
	stop_load
	# a monitor of a family unloaded may have left by itself
	[ -z "$MON" ] || { kill "$MON" 2> /dev/null || true; wait "$MON" 2> /dev/null || true; }
	MON=
}
closes_seen() { [ "$(info_counter events_close)" -gt "$1" ]; }
udp_flows_seen() { [ "$(info_counter events_udp_flow)" -gt "$1" ]; }
conns_live_is() { [ "$(info_counter conns_live)" = "$1" ]; }
conns_overflowed() { [ "$(info_counter conns_overflow)" -gt 0 ]; }

stop_load() {
	[ -z "$LOADERS" ] || kill $LOADERS 2> /dev/null || true
	for p in $LOADERS; do wait "$p" 2> /dev/null || true; done
	LOADERS=
}

binds_seen() { [ "$(info_counter events_bind)" -gt "$1" ]; }

# Every socket in the table got there by a bind, an autobind or the seeding
# at load, and leaves
# by a release; nothing else adds or removes entries.
counters_agree() {
	"$KNETMON" info -j | python3 -c '
import json, sys
c = json.load(sys.stdin)["counters"]
live = (c["events_bind"] + c["events_autobind"] + c["table_seeded"] - c["events_release"]
        - c["table_overflow"])
sys.exit(0 if live == c["table_live"] else "table_live %d, counters say %d: %s" % (c["table_live"], live, c))'
}

test_unload_during_bind_storm_is_clean() {
	trap stop_load EXIT
	load_module
	warn0=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	start_load
	busywait 30000 binds_seen 200 || fail "the load produced no bind events"
	rmmod knetmon || fail "rmmod failed under load"
	insmod "$KNETMON_KO" || fail "reload failed"
	busywait 30000 binds_seen 100 || fail "no bind events after reload"
	rmmod knetmon || fail "second rmmod failed under load"
	stop_load
	insmod "$KNETMON_KO"
	warn1=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	[ "$warn0" = "$warn1" ] || fail "kernel log gained warnings"
}

test_counters_agree_with_table_after_load() {
	trap stop_load EXIT
	unload_module; load_module
	python3 -c 'import socket, time
held = [socket.socket() for _ in range(5)]
for s in held: s.bind(("127.0.0.1", 0))
open("/tmp/knetmon-unload-ready", "w").close(); time.sleep(60)' &
	HOLDER=$!
	start_load
	busywait 30000 binds_seen 300 || fail "the load produced no bind events"
	stop_load
	busywait 20000 test -e /tmp/knetmon-unload-ready || fail "holder not ready"
	counters_agree || fail "counters disagree with the table"
	[ "$(info_counter table_live)" -ge 5 ] || fail "held sockets missing from the table"
	[ "$(info_counter probes_missed)" = 0 ] || fail "probes missed: $(info_counter probes_missed)"
	kill $HOLDER; wait $HOLDER 2> /dev/null || true
	rm -f /tmp/knetmon-unload-ready
}

test_sockets_bound_before_insmod_listed_as_preexisting() {
	unload_module
	rm -f /tmp/knetmon-pre-ready
	python3 -c 'import socket, time
t = socket.socket(socket.AF_INET6); t.bind(("::", 0)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
c = socket.socket(); c.bind(("127.0.0.1", 0))      # bound only: not seeded
open("/tmp/knetmon-pre.tmp", "w").write("%d %d %d\n" % (t.getsockname()[1], u.getsockname()[1], c.getsockname()[1]))
import os; os.rename("/tmp/knetmon-pre.tmp", "/tmp/knetmon-pre-ready"); time.sleep(60)' &
	HOLDER=$!
	trap 'kill $HOLDER 2>/dev/null || true' EXIT
	busywait 20000 test -e /tmp/knetmon-pre-ready || fail "holder not ready"
	read -r tport uport cport < /tmp/knetmon-pre-ready
	load_module
	"$KNETMON" binds -j > /tmp/knetmon-pre.json
	python3 - "$tport" "$uport" /tmp/knetmon-pre.json <<'PY' || fail "preexisting sockets wrong: $(cat /tmp/knetmon-pre.json)"
import json, sys
tport, uport = int(sys.argv[1]), int(sys.argv[2])
b = {(e["proto"], e["port"]): e for e in json.load(open(sys.argv[3]))}
t, u = b.get(("tcp", tport)), b.get(("udp", uport))
assert t and t["preexisting"] and t["state"] == "LISTEN" and t["family"] == 6, t
assert u and u["preexisting"] and u["addr"] == "127.0.0.1", u
assert all(e["preexisting"] for e in b.values()), "a fresh module has only preexisting entries"
PY
	# ss agrees: the listener is listening in this netns
	ss -H -ltn | grep -q ":$tport " || fail "ss does not list the listener"
	kill $HOLDER; wait $HOLDER 2> /dev/null || true
	busywait 10000 sh -c "! \"$KNETMON\" binds -j | grep -q '\"port\":$tport,'" ||
		fail "preexisting listener not removed at close"
	rm -f /tmp/knetmon-pre-ready
}

test_unload_during_connection_storm_with_a_listener_is_clean() {
	trap stop_conn_load EXIT
	load_module
	warn0=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	"$KNETMON" monitor --kinds connect,accept,close,udp > /dev/null 2> /tmp/knetmon-unload-mon.err &
	MON=$!
	start_conn_load
	busywait 60000 closes_seen 200 || fail "the load produced no close events"
	busywait 60000 udp_flows_seen 200 || fail "the load produced no UDP flow events"
	kill -0 "$MON" || fail "the monitor died under load: $(cat /tmp/knetmon-unload-mon.err)"
	rmmod knetmon || fail "rmmod failed under load"
	# subscribed to a family now gone: it may have left by itself
	kill "$MON" 2> /dev/null || true; wait "$MON" 2> /dev/null || true
	insmod "$KNETMON_KO" || fail "reload failed"
	"$KNETMON" monitor --kinds connect,accept,close,udp > /dev/null 2>&1 &
	MON=$!
	busywait 60000 closes_seen 100 || fail "no close events after reload"
	busywait 60000 udp_flows_seen 100 || fail "no UDP flow events after reload"
	rmmod knetmon || fail "second rmmod failed under load"
	stop_conn_load
	insmod "$KNETMON_KO"
	warn1=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	[ "$warn0" = "$warn1" ] || fail "kernel log gained warnings"
}

# A shell changing links, addresses, routes and neighbours here and in
# netns that come and go (each brings and takes its rtnetlink socket).
start_change_load() {
	modprobe dummy 2> /dev/null || true
	sh -c 'i=0; while :; do
		i=$((i + 1)); ns=knetmon-chg$$-$i
		ip netns add $ns && ip -n $ns link add d0 type dummy && ip -n $ns link set d0 up &&
		ip -n $ns addr add 10.78.0.1/24 dev d0 && ip -n $ns route add 10.79.0.0/16 dev d0
		ip netns del $ns
		ip link add kchg0 type dummy && ip link set kchg0 up &&
		ip addr add 10.77.0.1/24 dev kchg0 && ip addr add 2001:db8:77::1/64 dev kchg0 nodad &&
		ip neigh add 10.77.0.2 lladdr 02:00:00:00:77:02 dev kchg0 &&
		ip route add 10.76.0.0/16 via 10.77.0.2
		ip link del kchg0
	done' > /dev/null 2>&1 &
	LOADERS="$LOADERS $!"
}
changes_seen() {
	[ "$(info_counter events_change)" -ge "$1" ]
}
stop_change_load() {
	stop_conn_load
	ip link del kchg0 2> /dev/null || true
	for ns in $(ip netns list | grep -o 'knetmon-chg[0-9-]*'); do ip netns del "$ns"; done
}

test_unload_during_change_storm_with_a_listener_is_clean() {
	trap stop_change_load EXIT
	load_module
	warn0=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	"$KNETMON" monitor --kinds link,addr,route,neigh > /dev/null 2>&1 &
	MON=$!
	start_change_load
	busywait 60000 changes_seen 200 || fail "the load produced no change events"
	rmmod knetmon || fail "rmmod failed under load"
	kill "$MON"; wait "$MON" 2> /dev/null || true	# subscribed to a family now gone
	insmod "$KNETMON_KO" || fail "reload failed"
	"$KNETMON" monitor --kinds link,addr,route,neigh > /dev/null 2>&1 &
	MON=$!
	busywait 60000 changes_seen 100 || fail "no change events after reload"
	rmmod knetmon || fail "second rmmod failed under load"
	stop_change_load
	insmod "$KNETMON_KO"
	warn1=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	[ "$warn0" = "$warn1" ] || fail "kernel log gained warnings"
}

# Every connection begun while someone listens leaves the table at its
# close, listened to or not: a monitor comes and goes in the middle.
test_connection_table_empties_when_the_connections_end() {
	trap stop_conn_load EXIT
	unload_module
	load_module
	"$KNETMON" monitor --kinds connect,accept,close,udp > /dev/null 2>&1 &
	MON=$!
	start_conn_load
	busywait 60000 closes_seen 200 || fail "the load produced no close events"
	kill "$MON"; wait "$MON" 2> /dev/null || true; MON=
	sleep 1		# connections begun under the monitor end without it
	stop_load
	busywait 10000 conns_live_is 0 ||
		fail "conns_live $(info_counter conns_live) after every connection ended"
	[ "$(info_counter udp_flows_live)" = 0 ] ||
		fail "udp_flows_live $(info_counter udp_flows_live) after every UDP socket closed"
	[ "$(info_counter conns_overflow)" = 0 ] || fail "the table overflowed"
}

# max_conns=8, 4 per netns: a netns whose own listener keeps 5
# connections open (10 ends) gets 4 entries; the host, listening too,
# still gets the owner of its connection's close.
MON2= GNS=
# subscribed FILE [NETNS]: a monitor writing FILE shows one of the
# listeners made in NETNS (default: here), one every 0.1 s for 60 s. Any of
# them: the event of the one just closed may not be written yet (on a
# loaded guest the monitor runs only once this loop sleeps).
subscribed() {
	${2:+ip netns exec "$2"} python3 -c 'import socket, sys, time
ports = set()
for _ in range(600):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    ports.add(s.getsockname()[1]); s.close()
    time.sleep(0.1)
    text = open(sys.argv[1]).read()
    if any(("\"port\":%d," % p) in text for p in ports):
        sys.exit(0)
sys.exit(1)' "$1"
}
greedy_cleanup() {
	stop_conn_load
	[ -z "$MON2" ] || { kill "$MON2" 2> /dev/null; wait "$MON2" 2> /dev/null || true; }
	[ -z "$GNS" ] || ip netns del "$GNS" 2> /dev/null || true
	MON2= GNS=
}

test_one_netns_cannot_take_every_connection_owner() {
	trap greedy_cleanup EXIT
	unload_module
	insmod "$KNETMON_KO" max_conns=8 max_conns_per_netns=4 || fail "insmod failed"
	ns=$(unique_netns greedy)
	GNS=$ns
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" "$KNETMON" monitor -j --kinds state,close > /tmp/knetmon-ns-close.json 2>&1 &
	MON=$!
	"$KNETMON" monitor -j --kinds state,close > /tmp/knetmon-host-close.json 2>&1 &
	MON2=$!
	# each subscribed once it has shown a listener of its own netns
	subscribed /tmp/knetmon-host-close.json || fail "the host monitor never subscribed: $(head -c 2000 /tmp/knetmon-host-close.json)"
	subscribed /tmp/knetmon-ns-close.json "$ns" || fail "the netns monitor never subscribed: $(head -c 2000 /tmp/knetmon-ns-close.json)"
	ip netns exec "$ns" python3 -c 'import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
held = []
for _ in range(5):
    c = socket.create_connection(l.getsockname()); held.append((c, l.accept()[0]))
time.sleep(300)' &	# held until greedy_cleanup kills it, however slow the kernel
	LOADERS=$!
	busywait 60000 conns_overflowed || fail "the netns never reached its share"
	[ "$(info_counter conns_live)" = 4 ] || fail "conns_live $(info_counter conns_live), not the netns's 4"
	python3 -c 'import os, socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
c.close(); a.recv(1); a.close(); print(os.getpid())' > /tmp/knetmon-host-pid || fail "host connection"
	busywait 60000 grep -q '"kind":"close".*"closed_by":"remote"' /tmp/knetmon-host-close.json ||
		fail "no host close: $(cat /tmp/knetmon-host-close.json)"
	kill "$MON2"; wait "$MON2" 2> /dev/null || true; MON2=
	python3 - /tmp/knetmon-host-close.json "$(cat /tmp/knetmon-host-pid)" <<'PY' ||
import json, sys
closes = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"close"' in l]
assert len(closes) == 2 and all(e["pid"] == int(sys.argv[2]) for e in closes), closes
PY
		fail "the host's closes lost their owner: $(cat /tmp/knetmon-host-close.json)"
	greedy_cleanup
	unload_module
}

run_tests test_unload_during_bind_storm_is_clean test_counters_agree_with_table_after_load \
	test_unload_during_connection_storm_with_a_listener_is_clean \
	test_unload_during_change_storm_with_a_listener_is_clean \
	test_connection_table_empties_when_the_connections_end \
	test_one_netns_cannot_take_every_connection_owner \
	test_sockets_bound_before_insmod_listed_as_preexisting
