#!/bin/sh
# knetmon netstat and queues from the shell: JSON is valid when nothing
# matches, a dump covers the caller's network namespace only, and an
# unprivileged user gets the socket list with only its own processes named.
. selftests/lib.sh

PY_PID=

# Each test runs in a subshell: its own trap cleans up after it.
cleanup() {
	[ -z "$PY_PID" ] || kill "$PY_PID" 2> /dev/null || true
	[ -z "${NS:-}" ] || ip netns del "$NS" 2> /dev/null || true
	rm -f /tmp/knetmon-sockets-cli.*
}

# python3 SCRIPT-TEXT in the background; waits until it wrote its ready file.
serve() {
	rm -f /tmp/knetmon-sockets-cli.ready
	"$@" &
	PY_PID=$!
	busywait 20000 test -e /tmp/knetmon-sockets-cli.ready || fail "server did not start"
}

LISTEN_PY='
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
open("/tmp/knetmon-sockets-cli.ready", "w").close()
time.sleep(60)'

test_json_is_valid_when_nothing_matches() {
	NS=$(unique_netns empty); trap cleanup EXIT
	load_module
	ip netns add "$NS"
	ip netns exec "$NS" "$KNETMON" netstat -a -j > /tmp/knetmon-sockets-cli.json ||
		fail "netstat -a -j failed in an empty netns"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == [], d' \
		/tmp/knetmon-sockets-cli.json || fail "not an empty JSON array: $(cat /tmp/knetmon-sockets-cli.json)"
	ip netns exec "$NS" "$KNETMON" queues -j > /tmp/knetmon-sockets-cli.json || fail "queues -j failed"
	python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == []' \
		/tmp/knetmon-sockets-cli.json || fail "queues: $(cat /tmp/knetmon-sockets-cli.json)"
}

test_dump_covers_the_callers_netns_only() {
	NS=$(unique_netns scope); trap cleanup EXIT
	load_module
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	serve ip netns exec "$NS" python3 -c "$LISTEN_PY" 40111
	"$KNETMON" netstat -tln | grep -q ':40111 ' && fail "init netns shows the other netns' listener"
	ip netns exec "$NS" "$KNETMON" netstat -tln > /tmp/knetmon-sockets-cli.out
	grep -q '^tcp .* 127.0.0.1:40111 .* LISTEN' /tmp/knetmon-sockets-cli.out ||
		fail "netns listener missing: $(cat /tmp/knetmon-sockets-cli.out)"
	# ground truth from the kernel's own view in that netns
	[ "$(ip netns exec "$NS" ss -Htln | wc -l)" = "$(($(wc -l < /tmp/knetmon-sockets-cli.out) - 2))" ] ||
		fail "line count differs from ss in the netns"
}

test_unprivileged_user_sees_sockets_but_only_own_owners() {
	trap cleanup EXIT
	load_module
	serve python3 -c "$LISTEN_PY" 40112
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "
		python3 -c '$(echo "$LISTEN_PY" | sed "s/knetmon-sockets-cli.ready/knetmon-sockets-cli.ready2/")' 40113 &
		while [ ! -e /tmp/knetmon-sockets-cli.ready2 ]; do sleep 0.05; done
		\"$KNETMON\" netstat -tlnp > /tmp/knetmon-sockets-cli.out; rc=\$?
		kill \$!; exit \$rc" || fail "netstat -tlnp refused to uid 65534"
	grep -q '127.0.0.1:40112 .*LISTEN *-' /tmp/knetmon-sockets-cli.out ||
		fail "root's listener missing or named: $(cat /tmp/knetmon-sockets-cli.out)"
	grep -q '127.0.0.1:40113 .*LISTEN *[0-9]*/python3' /tmp/knetmon-sockets-cli.out ||
		fail "own listener not named: $(cat /tmp/knetmon-sockets-cli.out)"
	"$KNETMON" netstat -tlnp | grep -q "127.0.0.1:40112 .*LISTEN *$PY_PID/python3" ||
		fail "root does not see the owner"
}

UDP_PY='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
open("/tmp/knetmon-sockets-cli.ready", "w").close()
time.sleep(60)'

# 6.2+ can give a new netns its own UDP hash table; the dump must walk it.
test_udp_in_netns_with_its_own_table() {
	sysctl=/proc/sys/net/ipv4/udp_child_hash_entries
	[ -e $sysctl ] || skip "kernel has no per-netns UDP table ($sysctl)"
	NS=$(unique_netns udp); trap cleanup EXIT
	load_module
	old=$(cat $sysctl)
	echo 256 > $sysctl
	ip netns add "$NS"
	echo "$old" > $sysctl
	ip netns exec "$NS" ip link set lo up
	serve ip netns exec "$NS" python3 -c "$UDP_PY" 40114
	ip netns exec "$NS" "$KNETMON" netstat -uln > /tmp/knetmon-sockets-cli.out
	grep -q '^udp .* 127.0.0.1:40114 ' /tmp/knetmon-sockets-cli.out ||
		fail "UDP socket of the netns missing: $(cat /tmp/knetmon-sockets-cli.out)"
	"$KNETMON" netstat -uln | grep -q ':40114 ' && fail "init netns shows the other netns' UDP socket"
	true
}

run_tests test_json_is_valid_when_nothing_matches \
	test_udp_in_netns_with_its_own_table \
	test_dump_covers_the_callers_netns_only \
	test_unprivileged_user_sees_sockets_but_only_own_owners
