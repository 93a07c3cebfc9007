#!/bin/sh
# A kernel that lacks a probed symbol: the module still loads, `info` says
# which feature is off, the kernel log says why once, and what remains
# works. The module's fault_probe parameter places the named probes on a
# symbol no kernel has, so register_kprobe() fails for real.
. selftests/lib.sh

NS=
cleanup() {
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
	unload_module
	load_module
}

# features_on: the features `info -j` reports, one per line, sorted.
features_on() {
	"$KNETMON" info -j | python3 -c '
import json, sys
print("\n".join(sorted(json.load(sys.stdin)["features"])))'
}

# FEATURE off, STILL on, and the kernel log saying MESSAGE exactly once.
expect_off_said_once() {
	f=$(features_on)
	! echo "$f" | grep -qx "$1" || fail "$1 on without its probe"
	echo "$f" | grep -qx "$2" || fail "$2 off too: $f"
	[ "$(dmesg | grep -c "$3")" = 1 ] ||
		fail "the kernel log must say it once: $(dmesg | grep knetmon)"
}

reload_with_fault() {
	unload_module
	dmesg -C
	insmod "$KNETMON_KO" fault_probe="$1" || fail "insmod with fault_probe=$1 failed"
}

test_missing_inet6_bind_turns_off_only_ipv6_binds() {
	trap cleanup EXIT
	reload_with_fault inet6_bind
	f=$(features_on)
	echo "$f" | grep -qx bind_inet || fail "bind_inet off: $f"
	! echo "$f" | grep -qx bind_inet6 || fail "bind_inet6 still on: $f"
	[ "$(dmesg | grep -c 'cannot probe inet6_bind')" = 1 ] ||
		fail "the kernel log must name the missing probe once: $(dmesg | grep knetmon)"

	NS=$(unique_netns fault6)
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" python3 - <<'PY' &
import socket, time
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("127.0.0.1", 4711))
b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); b.bind(("::1", 4712))
time.sleep(30)
PY
	py=$!
	busywait 10000 sh -c "ip netns exec $NS ss -Huan | grep -q 4712"
	ports=$(ip netns exec "$NS" "$KNETMON" binds -j | python3 -c '
import json, sys
print(" ".join(str(b["port"]) for b in json.load(sys.stdin)))')
	kill "$py"; wait "$py" 2> /dev/null || true
	echo " $ports " | grep -q " 4711 " || fail "the IPv4 bind is missing: $ports"
	! echo " $ports " | grep -q " 4712 " || fail "an IPv6 bind was recorded without its probe: $ports"
}

test_missing_release_probe_loads_with_bind_tracking_off_and_tables_on() {
	trap cleanup EXIT
	reload_with_fault inet_release
	module_loaded || fail "the module did not load"
	f=$(features_on)
	! echo "$f" | grep -qx release_inet || fail "release_inet still on: $f"
	! echo "$f" | grep -qx bind_inet || fail "binds tracked with no release probe: $f"
	echo "$f" | grep -qx sockets || fail "the socket view went off too: $f"
	dmesg | grep -q 'bind tracking off' || fail "the kernel log does not say bind tracking is off"

	rc=0
	"$KNETMON" binds > /tmp/knetmon-fault.out 2> /tmp/knetmon-fault.err || rc=$?
	[ "$rc" = 2 ] || fail "binds exited $rc, want 2 (error)"
	grep -q 'bind tracking is off' /tmp/knetmon-fault.err ||
		fail "binds gave no reason: $(cat /tmp/knetmon-fault.err)"
	rc=0
	"$KNETMON" wait --port 4713 --timeout 2 > /dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "wait exited $rc, want 2: it cannot ever see a bind"

	# what does not need a probe still answers, and agrees with ss
	want=$(ss -Htln | wc -l)
	got=$("$KNETMON" netstat -tln | tail -n +2 | wc -l)
	[ "$got" = "$want" ] || fail "netstat -tln lists $got listeners, ss $want"
}

test_missing_unix_release_turns_off_unix_binds_only() {
	trap cleanup EXIT
	reload_with_fault unix_release
	f=$(features_on)
	for feat in unix unix_release unix_autobind unix_listen; do
		! echo "$f" | grep -qx "$feat" || fail "$feat on without unix_release: $f"
	done
	echo "$f" | grep -qx bind_inet || fail "inet binds went off too: $f"
	dmesg | grep -q 'unix_bind not probed: its release probe is missing' ||
		fail "the kernel log does not say why unix binds are off"
	python3 -c '
import socket, time
s = socket.socket(socket.AF_UNIX); s.bind("\0knetmon-fault-unix")
t = socket.socket(); t.bind(("127.0.0.1", 4714)); t.listen(1)
time.sleep(30)' &
	py=$!
	busywait 10000 sh -c "ss -Hxa | grep -q knetmon-fault-unix && ss -Htln | grep -q 4714"
	out=$("$KNETMON" binds -x -t -j)
	kill "$py"; wait "$py" 2> /dev/null || true
	echo "$out" | grep -q '"port":4714' || fail "the TCP bind is missing: $out"
	! echo "$out" | grep -q 'knetmon-fault-unix' || fail "a unix bind was stored with no way to remove it"
}

test_every_probe_missing_still_loads_and_unloads_cleanly() {
	trap cleanup EXIT
	reload_with_fault inet_bind,inet6_bind,inet_listen,inet_autobind,inet_release,inet6_release,unix_bind,unix_autobind,unix_listen,unix_release,inet_sock_set_state,tcp_v4_connect,tcp_v6_connect,inet_csk_accept,udp_sendmsg,udpv6_sendmsg,ip4_datagram_connect,ip6_datagram_connect,udp_destroy_sock,udpv6_destroy_sock
	f=$(features_on)
	for feat in bind_inet bind_inet6 listen autobind release_inet release_inet6 unix unix_release unix_autobind unix_listen tcp_state tcp_connect tcp_accept udp_flows; do
		! echo "$f" | grep -qx "$feat" || fail "$feat on with its probe missing"
	done
	"$KNETMON" netstat -tan > /dev/null || fail "netstat failed"
	rmmod knetmon || fail "rmmod failed"
}

# A kernel without the tracepoint: state events off, said once, the rest on.
test_missing_state_tracepoint_turns_off_connection_events_only() {
	trap cleanup EXIT
	reload_with_fault inet_sock_set_state
	f=$(features_on)
	! echo "$f" | grep -qx tcp_state || fail "tcp_state on without its tracepoint"
	# the probes' connections would never leave the table without it
	! echo "$f" | grep -qx tcp_connect || fail "tcp_connect on without the tracepoint"
	! echo "$f" | grep -qx tcp_accept || fail "tcp_accept on without the tracepoint"
	echo "$f" | grep -qx bind_inet || fail "bind_inet off: $f"
	[ "$(dmesg | grep -c 'no tracepoint inet_sock_set_state')" = 1 ] ||
		fail "the kernel log must say it once: $(dmesg | grep knetmon)"
	# a monitor of state events gets none while listeners come and go
	"$KNETMON" monitor -j --kinds state,connect,accept,close --timeout 3 \
		> /tmp/knetmon-fault-mon.json 2>&1 &
	mon=$!
	python3 -c '
import socket, time
for _ in range(40):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    c = socket.create_connection(s.getsockname()); a, _ = s.accept()
    c.close(); a.close(); s.close(); time.sleep(0.05)'
	wait "$mon" || fail "the monitor failed: $(cat /tmp/knetmon-fault-mon.json)"
	[ ! -s /tmp/knetmon-fault-mon.json ] ||
		fail "state events without the tracepoint: $(head -3 /tmp/knetmon-fault-mon.json)"
	rmmod knetmon || fail "rmmod failed"
}

# Without accept's probe: connects and closes still come, the accepted end's
# close without an owner (none was recorded), and no accept.
test_missing_accept_probe_turns_off_accept_events_only() {
	trap cleanup EXIT
	reload_with_fault inet_csk_accept
	expect_off_said_once tcp_accept tcp_connect 'cannot probe inet_csk_accept'
	"$KNETMON" monitor -j --kinds connect,accept,close > /tmp/knetmon-fault-mon.json 2>&1 &
	mon=$!
	python3 -c '
import socket, time
for _ in range(40):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    c = socket.create_connection(s.getsockname()); a, _ = s.accept()
    c.close(); a.recv(1); a.close(); s.close(); time.sleep(0.05)'
	busywait 10000 grep -q '"kind":"close".*"closed_by":"remote"' /tmp/knetmon-fault-mon.json ||
		fail "no close of an accepted end: $(tail -3 /tmp/knetmon-fault-mon.json)"
	kill "$mon"; wait "$mon" || true
	python3 - /tmp/knetmon-fault-mon.json <<'PY' || fail "events wrong without the accept probe"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert not [e for e in evs if e["kind"] == "accept"], "accept events"
assert [e for e in evs if e["kind"] == "connect"], "no connect events"
servers = [e for e in evs if e["kind"] == "close" and e["closed_by"] == "remote"]
assert servers and all(e["pid"] is None for e in servers), servers
PY
	rmmod knetmon || fail "rmmod failed"
}

# Without a UDP close probe no flow could be forgotten: no UDP flows at
# all (said once), none kept; TCP connection events still come.
test_missing_udp_close_probe_turns_off_udp_flows_only() {
	trap cleanup EXIT
	reload_with_fault udpv6_destroy_sock
	expect_off_said_once udp_flows tcp_connect 'cannot probe udpv6_destroy_sock'
	"$KNETMON" monitor -j --kinds connect,udp > /tmp/knetmon-fault-mon.json 2>&1 &
	mon=$!
	python3 -c '
import socket, time
for _ in range(40):
    r = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); r.bind(("::1", 0))
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.sendto(b"x", r.getsockname())
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    c = socket.create_connection(s.getsockname())
    for x in (u, r, c, s): x.close()
    time.sleep(0.05)'
	busywait 10000 grep -q '"kind":"connect"' /tmp/knetmon-fault-mon.json ||
		fail "no connect events: $(tail -3 /tmp/knetmon-fault-mon.json)"
	kill "$mon"; wait "$mon" || true
	! grep -q '"kind":"udp"' /tmp/knetmon-fault-mon.json ||
		fail "UDP flows without a close probe: $(grep '"kind":"udp"' /tmp/knetmon-fault-mon.json | head -2)"
	[ "$("$KNETMON" info -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"]["udp_flows_live"])')" = 0 ] ||
		fail "flows kept without a close probe"
	rmmod knetmon || fail "rmmod failed"
}

# A netns whose rtnetlink socket cannot be made (fault_probe=rtnl_socket):
# it and the netns made after it are created all the same, counted as
# unheard; links still come, routes and IPv6 addresses do not.
test_unmade_rtnl_socket_leaves_netns_working_without_route_events() {
	trap cleanup EXIT
	reload_with_fault rtnl_socket
	modprobe dummy 2> /dev/null || true
	f=$(features_on)
	echo "$f" | grep -qx changes || fail "link events off: $f"
	before=$(info_counter changes_unheard)
	[ "$before" -ge 1 ] || fail "the initial netns's socket not counted: $before"
	NS=$(unique_netns faultrt)
	ip netns add "$NS" || fail "a netns could not be made"
	[ "$(info_counter changes_unheard)" = $((before + 1)) ] ||
		fail "the new netns not counted: $(info_counter changes_unheard)"
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds link,route > /tmp/knetmon-fault-chg.json 2>&1 &
	mon=$!
	busywait 10000 sh -c "ip -n $NS link add kf0 type dummy 2> /dev/null; ip -n $NS link del kf0;
		grep -q '\"kind\":\"link_new\"' /tmp/knetmon-fault-chg.json" ||
		fail "no link events: $(cat /tmp/knetmon-fault-chg.json)"
	ip -n "$NS" link add kf1 type dummy
	ip -n "$NS" link set kf1 up
	ip -n "$NS" route add 10.66.0.0/16 dev kf1
	ip -n "$NS" link del kf1
	busywait 10000 grep -q '"ifname":"kf1".*"kind":"link_del"\|"kind":"link_del".*"ifname":"kf1"' \
		/tmp/knetmon-fault-chg.json || fail "kf1 never went: $(cat /tmp/knetmon-fault-chg.json)"
	kill "$mon"; wait "$mon" 2> /dev/null || true
	! grep -q '"kind":"route_' /tmp/knetmon-fault-chg.json ||
		fail "route events without a socket: $(grep route_ /tmp/knetmon-fault-chg.json)"
	ip netns del "$NS"; NS=
	rmmod knetmon || fail "rmmod failed"
}

# The netdevice notifier refused (fault_probe=netdevice_notifier): no
# link, IPv4 address or neighbour events, said once in the log; the rest
# (binds, routes from rtnetlink) works and the module unloads.
test_refused_netdevice_notifier_turns_off_notifier_changes_only() {
	trap cleanup EXIT
	reload_with_fault netdevice_notifier
	f=$(features_on)
	! echo "$f" | grep -qx changes || fail "changes still on: $f"
	echo "$f" | grep -qx changes_rtnl || fail "route events off too: $f"
	echo "$f" | grep -qx bind_inet || fail "binds off too: $f"
	[ "$(dmesg | grep -c 'no network change events')" = 1 ] ||
		fail "the kernel log must say it once: $(dmesg | grep knetmon)"
	rmmod knetmon || fail "rmmod failed"
}

run_tests test_missing_inet6_bind_turns_off_only_ipv6_binds \
	test_unmade_rtnl_socket_leaves_netns_working_without_route_events \
	test_refused_netdevice_notifier_turns_off_notifier_changes_only \
	test_missing_state_tracepoint_turns_off_connection_events_only \
	test_missing_accept_probe_turns_off_accept_events_only \
	test_missing_udp_close_probe_turns_off_udp_flows_only \
	test_missing_release_probe_loads_with_bind_tracking_off_and_tables_on \
	test_missing_unix_release_turns_off_unix_binds_only \
	test_every_probe_missing_still_loads_and_unloads_cleanly
