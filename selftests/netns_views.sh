#!/bin/sh
# The netns scope of every view (issue 6): asking for a netns by name shows
# exactly what iproute2 and ss show inside it and nothing of the caller's;
# an unprivileged caller asking for another netns or for every netns is
# refused with the kernel's reason and gets no records; every netns at once
# tags each record with its netns inode; a bind inside another netns reaches
# a privileged all-netns listener in the initial netns and no other one.
. selftests/lib.sh

W=/tmp/knetmon-netns-views
PIDS=

cleanup() {
	for p in $PIDS; do kill "$p" 2> /dev/null || true; done
	[ -z "${NS:-}" ] || ip netns del "$NS" 2> /dev/null || true
	ip link del kninit0 2> /dev/null || true
	rm -rf "$W"
}

# python3 listening sockets in the background: TCP listener and UDP bound
# socket per port pair; waits until it wrote READY.
SERVE_PY='
import socket, sys, time
ready, tcp, udp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = socket.socket(); t.bind(("0.0.0.0", tcp)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", udp))
open(ready, "w").close()
time.sleep(120)'

serve() {	# serve READY TCP UDP [ip netns exec NS]
	ready=$1 tcp=$2 udp=$3; shift 3
	"$@" python3 -c "$SERVE_PY" "$ready" "$tcp" "$udp" &
	PIDS="$PIDS $!"
	busywait 20000 test -e "$ready" || fail "server $tcp/$udp did not start"
}

# A netns with its own dummy link, addresses, routes, neighbour and sockets,
# and a dummy plus sockets in the caller's netns that must never show up.
setup() {
	NS=$(unique_netns "$1"); trap cleanup EXIT
	rm -rf "$W"; mkdir -p "$W"
	load_module
	modprobe dummy
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" link add kn0 type dummy
	ip -n "$NS" link set kn0 up
	ip -n "$NS" addr add 192.0.2.1/24 dev kn0
	ip -n "$NS" addr add 2001:db8::1/64 dev kn0 nodad
	ip -n "$NS" route add 198.51.100.0/24 via 192.0.2.254
	ip -n "$NS" route add 2001:db8:1::/64 via 2001:db8::fe
	ip -n "$NS" neigh add 192.0.2.77 lladdr 02:00:00:00:00:77 dev kn0 nud permanent
	ip link add kninit0 type dummy
	ip link set kninit0 up
	ip addr add 203.0.113.1/24 dev kninit0
	ip neigh add 203.0.113.77 lladdr 02:00:00:00:00:78 dev kninit0 nud permanent
	serve "$W/ready-ns" 40211 40212 ip netns exec "$NS"
	serve "$W/ready-init" 40213 40214
	NS_INO=$(stat -L -c %i "/var/run/netns/$NS")
	INIT_INO=$(stat -L -c %i /proc/self/ns/net)
	[ "$NS_INO" != "$INIT_INO" ] || fail "the test netns has the caller's inode"
}

# canon KIND SRC [FAMILY [TABLE]] < JSON: tables_canon.py lines, counters left out
canon() { python3 selftests/tables_canon.py "$@" | grep -v '^stats|' || true; }

same() {	# same WHAT FILE-A FILE-B
	cmp -s "$2" "$3" || { diff "$2" "$3" >&2 || true; fail "$1 differs from iproute2's view of the netns"; }
	[ -s "$2" ] || fail "$1: nothing to compare"
}

# uid 65534 with no capabilities at all
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"; }

# refused WHAT REASON CMD...: exit 2, REASON on stderr, no record on stdout
refused() {
	what=$1 reason=$2; shift 2
	rc=0; "$@" > "$W/out" 2> "$W/err" || rc=$?
	[ "$rc" = 2 ] || fail "$what: exit $rc, expected 2 (stdout: $(cat "$W/out"))"
	grep -q "$reason" "$W/err" || fail "$what: no \"$reason\" in: $(cat "$W/err")"
	python3 -c 'import json,sys; t=open(sys.argv[1]).read().strip(); assert not t or json.loads(t) == [], t' \
		"$W/out" || fail "$what: records despite the refusal"
}

test_ifconfig_by_name_shows_exactly_the_netns_links() {
	setup links
	"$KNETMON" ifconfig -a -j --netns "$NS" | canon links cli > "$W/cli"
	ip -n "$NS" -N -j -s addr show | canon links ip > "$W/ip"
	same "ifconfig --netns" "$W/cli" "$W/ip"
	grep -q '|kn0|' "$W/cli" || fail "the netns dummy is missing"
	! grep -q 'kninit0\|203.0.113.1' "$W/cli" || fail "the caller's link shows up"
}

test_route_by_name_shows_exactly_the_netns_routes() {
	setup routes
	for fam in 4 6; do
		f=inet; [ $fam = 4 ] || f=inet6
		"$KNETMON" route -$fam --table all -j -N "$NS" | canon routes cli $f > "$W/cli"
		ip -n "$NS" -$fam -d -N -j route show table all | canon routes ip $f > "$W/ip"
		same "route -$fam --netns" "$W/cli" "$W/ip"
	done
	"$KNETMON" route --table all -j -N "$NS" > "$W/out"
	grep -q '198.51.100.0' "$W/out" || fail "the netns route is missing"
	! grep -q '203.0.113' "$W/out" || fail "the caller's routes show up"
}

test_arp_by_name_shows_exactly_the_netns_neighbours() {
	setup neigh
	"$KNETMON" arp -j --netns "$NS" | canon neigh cli > "$W/cli"
	ip -n "$NS" -j neigh show nud all | canon neigh ip > "$W/ip"
	same "arp --netns" "$W/cli" "$W/ip"
	grep -q '192.0.2.77' "$W/cli" || fail "the netns neighbour is missing"
	! grep -q '203.0.113.77' "$W/cli" || fail "the caller's neighbour shows up"
}

# proto|address|port of every TCP/UDP IPv4 socket, from ss or the CLI's JSON
ss_lines() { ip netns exec "$NS" ss -Htuan4 | awk '{ print $1 "|" $5 }' | sort; }
cli_lines() {
	python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["proto"] in ("tcp", "udp"):
        # netstat: local_address and local_port; queues: "local" as addr:port
        local = s.get("local") or "%s:%d" % (s["local_address"], s["local_port"])
        print("%s|%s" % (s["proto"], local))' | sort
}

test_netstat_and_queues_by_name_show_exactly_the_netns_sockets() {
	setup sockets
	"$KNETMON" netstat -tuan4 -j -N "$NS" | cli_lines > "$W/cli"
	ss_lines > "$W/ss"
	same "netstat --netns" "$W/cli" "$W/ss"
	grep -q 'tcp|0.0.0.0:40211' "$W/cli" || fail "the netns listener is missing"
	! grep -q ':4021[34]' "$W/cli" || fail "the caller's sockets show up"
	"$KNETMON" queues -a -j -N "$NS" | cli_lines > "$W/cli"
	same "queues --netns" "$W/cli" "$W/ss"
	# a pid names the same netns
	"$KNETMON" netstat -tuan4 -j -N "$(ip netns pids "$NS" | head -n 1)" | cli_lines > "$W/cli"
	same "netstat --netns PID" "$W/cli" "$W/ss"
}

test_binds_by_name_shows_exactly_the_netns_binds() {
	setup binds
	"$KNETMON" binds -j -N "$NS" > "$W/out"
	python3 -c '
import json, sys
got = sorted((b["proto"], b["port"], b["netns"]) for b in json.load(open(sys.argv[1])))
want = sorted([("tcp", 40211, int(sys.argv[2])), ("udp", 40212, int(sys.argv[2]))])
assert got == want, (got, want)' "$W/out" "$NS_INO" || fail "binds --netns: $(cat "$W/out")"
}

test_unprivileged_caller_gets_eperm_for_another_netns() {
	setup eperm
	reason="another network namespace needs CAP_NET_ADMIN over it"
	refused "netstat" "$reason" nobody "$KNETMON" netstat -tuan -j -N "$NS"
	grep -q "Operation not permitted" "$W/err" || fail "netstat: not EPERM: $(cat "$W/err")"
	refused "queues" "$reason" nobody "$KNETMON" queues -a -j -N "$NS"
	refused "arp" "$reason" nobody "$KNETMON" arp -j -N "$NS"
	refused "route" "$reason" nobody "$KNETMON" route -j -N "$NS"
	refused "ifconfig" "$reason" nobody "$KNETMON" ifconfig -a -j -N "$NS"
	# the live-bind table needs CAP_NET_ADMIN even for the caller's own netns
	refused "binds" "Operation not permitted" nobody "$KNETMON" binds -j -N "$NS"
	# the same caller still reads its own netns
	nobody "$KNETMON" netstat -tuan -j > "$W/out" || fail "own netns refused to uid 65534"
	grep -q '"local_port":40213' "$W/out" || fail "own netns incomplete: $(cat "$W/out")"
}

test_unprivileged_caller_gets_eperm_for_every_netns() {
	setup eperm-all
	reason="every netns needs CAP_NET_ADMIN over the initial user namespace"
	refused "netstat" "$reason" nobody "$KNETMON" netstat -tuan -j --all-netns
	grep -q "Operation not permitted" "$W/err" || fail "netstat: not EPERM: $(cat "$W/err")"
	refused "queues" "$reason" nobody "$KNETMON" queues -a -j --all-netns
	refused "arp" "$reason" nobody "$KNETMON" arp -j --all-netns
	refused "route" "$reason" nobody "$KNETMON" route -j --all-netns
	refused "ifconfig" "$reason" nobody "$KNETMON" ifconfig -a -j --all-netns
	refused "binds" "Operation not permitted" nobody "$KNETMON" binds -j --all-netns
}

test_all_netns_tags_records_of_both_netns_with_their_inode() {
	setup all
	for view in "netstat -tuan" "queues -a" "binds"; do	# sockets
		# shellcheck disable=SC2086
		"$KNETMON" $view -j --all-netns > "$W/out" || fail "$view --all-netns failed"
		python3 -c '
import json, sys
recs = json.load(open(sys.argv[1]))
ns, init = int(sys.argv[2]), int(sys.argv[3])
def port(r):
    if "local" in r:
        return int(r["local"].rsplit(":", 1)[1]) if r["proto"] != "unix" else None
    return r.get("local_port", r.get("port"))
where = {port(r): r["netns"] for r in recs if port(r) in (40211, 40213)}
assert where == {40211: ns, 40213: init}, where
assert {r["netns"] for r in recs} >= {ns, init}' "$W/out" "$NS_INO" "$INIT_INO" ||
			fail "$view --all-netns: wrong or missing netns tags"
	done
	"$KNETMON" netstat -tuan --all-netns | grep -q "0.0.0.0:40211 .* $NS_INO\$" ||
		fail "no netns column in netstat text: $("$KNETMON" netstat -tuan --all-netns)"

	# the tables: each record with its netns, device names from that netns
	"$KNETMON" ifconfig -a -j --all-netns > "$W/links"
	"$KNETMON" arp -j --all-netns > "$W/neigh"
	"$KNETMON" route --table all -j --all-netns > "$W/routes"
	python3 -c '
import json, sys
ns, init = int(sys.argv[4]), int(sys.argv[5])
links = {(l["ifname"], l["netns"]) for l in json.load(open(sys.argv[1]))}
assert ("kn0", ns) in links and ("kninit0", init) in links, links
assert ("lo", ns) in links and ("lo", init) in links, links
assert not [l for l in links if l[0] == "kn0" and l[1] != ns], links
neigh = {n["address"]: (n["dev"], n["netns"]) for n in json.load(open(sys.argv[2]))}
assert neigh["192.0.2.77"] == ("kn0", ns), neigh
assert neigh["203.0.113.77"] == ("kninit0", init), neigh
routes = {(r["dst"], r["dst_len"], r["table"]): (r["netns"], [h.get("dev") for h in r["nexthops"]])
          for r in json.load(open(sys.argv[3]))}
assert routes[("198.51.100.0", 24, 254)] == (ns, ["kn0"]), routes
assert routes[("203.0.113.0", 24, 254)] == (init, ["kninit0"]), routes' \
		"$W/links" "$W/neigh" "$W/routes" "$NS_INO" "$INIT_INO" ||
		fail "ifconfig/arp/route --all-netns: wrong or missing netns tags or names"
	"$KNETMON" arp --all-netns | grep -q "^192.0.2.77 .* kn0 *$NS_INO\$" ||
		fail "no netns column in arp text: $("$KNETMON" arp --all-netns)"
}

# Start a monitor (ARGS) in the background into $W/NAME.json and wait until
# it sees a bind of the caller's netns, so it is subscribed.
start_monitor() {
	name=$1; shift
	"$@" > "$W/$name.json" 2> "$W/$name.err" &
	PIDS="$PIDS $!"
	eval "MON_$name=\$!"
}
wait_subscribed() {
	for i in $(seq 1 100); do
		python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 40219))'
		ok=1
		for name in "$@"; do grep -q '"port":40219' "$W/$name.json" || ok=0; done
		[ $ok = 0 ] || return 0
		sleep 0.2
	done
	fail "monitors never subscribed: $(cat "$W"/*.err)"
}

test_other_netns_event_reaches_only_the_privileged_all_netns_listener() {
	setup events
	start_monitor all "$KNETMON" monitor -j --all-netns
	start_monitor own "$KNETMON" monitor -j
	wait_subscribed all own
	ip netns exec "$NS" python3 -c '
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40217))'
	busywait 20000 grep -q '"port":40217' "$W/all.json" ||
		fail "the all-netns listener did not get the other netns' bind: $(cat "$W/all.err")"
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [e for e in evs if e.get("port") == 40217]
assert mine and all(e["netns"] == int(sys.argv[2]) for e in mine), mine
assert not [e for e in evs if "lost" in e], "a gap across two netns sequences"' \
		"$W/all.json" "$NS_INO" || fail "event without the netns inode: $(cat "$W/all.json")"
	# the default group in the initial netns had the same chance and got none
	sleep 1
	! grep -q '"port":40217' "$W/own.json" || fail "the default-group listener got the other netns' bind"
	# an unprivileged listener cannot join the all-netns group at all
	rc=0; nobody "$KNETMON" monitor -j --all-netns --timeout 2 > "$W/nobody.json" 2> "$W/nobody.err" || rc=$?
	[ "$rc" = 2 ] || fail "uid 65534 joined the all-netns group (exit $rc)"
	grep -q "binds_all" "$W/nobody.err" || fail "no reason given: $(cat "$W/nobody.err")"
	[ ! -s "$W/nobody.json" ] || fail "uid 65534 got events: $(cat "$W/nobody.json")"
}

run_tests test_ifconfig_by_name_shows_exactly_the_netns_links \
	test_route_by_name_shows_exactly_the_netns_routes \
	test_arp_by_name_shows_exactly_the_netns_neighbours \
	test_netstat_and_queues_by_name_show_exactly_the_netns_sockets \
	test_binds_by_name_shows_exactly_the_netns_binds \
	test_unprivileged_caller_gets_eperm_for_another_netns \
	test_unprivileged_caller_gets_eperm_for_every_netns \
	test_all_netns_tags_records_of_both_netns_with_their_inode \
	test_other_netns_event_reaches_only_the_privileged_all_netns_listener
