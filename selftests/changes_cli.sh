#!/bin/sh
# Network changes: monitor --kinds link,addr,neigh,route beside `ip monitor`
# on one script of link, address, neighbour and route changes (each stream
# projected onto what changed, and both onto the script's own list); wait
# --ip, --ip-on, --link before and after their condition holds, an IPv6
# address only once duplicate address detection is over; the changes group
# refused to an unprivileged user. Each test runs in a netns of its own.
. selftests/lib.sh

W=/tmp/knetmon-changes-cli
NS=
PIDS=

cleanup_ns() {
	for p in $PIDS; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
	PIDS=
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
}

# The guest loads no module by itself.
load_link_drivers() {
	modprobe dummy || fail "no dummy module"
	modprobe veth || fail "no veth module"
}

now_ms() { date +%s%3N; }

# sync_monitors FILE...: the monitors writing FILEs are subscribed once each
# shows one of the sync addresses added to lo here, any of them (on a loaded
# guest a monitor may write the last one only once this loop sleeps).
sync_monitors() {
	i=0
	while [ $i -lt 300 ]; do
		i=$((i + 1))
		inns ip addr add "10.255.$((i / 200)).$((i % 200 + 1))/32" dev lo
		sleep 0.1
		seen=0
		for f in "$@"; do
			! grep -q '10\.255\.' "$f" || seen=$((seen + 1))
		done
		[ $seen != $# ] || return 0
	done
	fail "the monitors never saw a sync address: $(tail -n 3 "$@")"
}

# The script of changes: each step as iproute2 makes it. The kernel refuses
# to rename a dummy link that is up (EBUSY), so it goes down first; going
# down removes its IPv6 address (keep_addr_on_down is off).
change_script() {
	inns ip link add d0 type dummy
	inns ip link set d0 up
	inns ip link set d0 mtu 1400
	inns ip link set d0 address 02:00:00:00:01:01
	inns ip addr add 10.9.0.1/24 dev d0
	inns ip addr add 2001:db8:9::1/64 dev d0 nodad
	inns ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0
	inns ip neigh change 10.9.0.2 lladdr 02:00:00:00:00:03 dev d0
	inns ip neigh del 10.9.0.2 dev d0
	inns ip route add 10.9.9.0/24 via 10.9.0.254 dev d0
	inns ip route del 10.9.9.0/24
	inns ip addr del 10.9.0.1/24 dev d0
	inns ip link set d0 down
	inns ip link set d0 name d1
	inns ip link del d1
}

test_monitor_changes_match_ip_monitor() {
	load_link_drivers
	setup_ns mon; trap cleanup_ns EXIT
	# iproute2 6.1's monitor has no JSON (-j is ignored): its text is parsed
	ip netns exec "$NS" stdbuf -oL ip -ts monitor link address neigh route > "$W/ip.txt" 2>&1 &
	PIDS="$PIDS $!"
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds link,addr,neigh,route > "$W/mon.json" \
		2> "$W/mon.err" &
	PIDS="$PIDS $!"
	ip netns exec "$NS" "$KNETMON" monitor -t --kinds link,addr,neigh,route > "$W/mon.txt" 2>&1 &
	PIDS="$PIDS $!"
	sync_monitors "$W/ip.txt" "$W/mon.json" "$W/mon.txt"
	change_script
	busywait 20000 grep -q '^\[.*\] Deleted [0-9]*: d1' "$W/ip.txt" ||
		fail "ip monitor saw no deletion of d1: $(tail -n 5 "$W/ip.txt")"
	busywait 20000 grep -q '"ifname":"d1".*"kind":"link_del"' "$W/mon.json" ||
		fail "knetmon saw no deletion of d1: $(tail -n 3 "$W/mon.json") $(cat "$W/mon.err")"
	busywait 20000 grep -q "link d1: del " "$W/mon.txt" ||
		fail "the text monitor saw no deletion of d1: $(tail -n 3 "$W/mon.txt")"
	cleanup_ns
	[ ! -s "$W/mon.err" ] || fail "monitor -j said: $(cat "$W/mon.err")"
	! grep -q "lost" "$W/mon.json" "$W/mon.txt" || fail "events were lost"
	python3 - "$W/ip.txt" "$W/mon.json" <<'PY' || fail "knetmon, ip monitor and the script disagree"
import json, re, sys
NEIGH, LL = "10.9.0.2", "fe80::(link-local)/64"
ROUTE = ("route", "unicast", "10.9.9.0/24", "main")
# What the script did, in its order, routes aside. The kernel deletes a
# neighbour by marking it FAILED first; going down removes the IPv6
# addresses (the link-local one came with up).
SCRIPT = [("link", "new", "d0", 1500, False), ("link", "up"), ("addr", LL, "new"),
          ("link", "mtu", 1400), ("link", "address", "02:00:00:00:01:01"),
          ("addr", "10.9.0.1/24", "new"), ("addr", "2001:db8:9::1/64", "new"),
          ("neigh", NEIGH, "new", "02:00:00:00:00:02", "PERMANENT"),
          ("neigh", NEIGH, "change", "02:00:00:00:00:03", "PERMANENT"),
          ("neigh", NEIGH, "change", None, "FAILED"), ("neigh", NEIGH, "del", "FAILED"),
          ("addr", "10.9.0.1/24", "del"), ("link", "down"), ("addr", "2001:db8:9::1/64", "del"),
          ("addr", LL, "del"), ("link", "name", "d1"), ("link", "del")]
SCRIPT_ROUTES = [ROUTE + ("new",), ROUTE + ("del",)]

def link_ops(prev, snap):
    """A link's ops from two of its states (name, up, mtu, address): what changed."""
    if prev is None:
        return [("link", "new", snap[0], snap[2], snap[1])]
    ops = [("link", "name", snap[0])] if prev[0] != snap[0] else []
    ops += [("link", "up" if snap[1] else "down")] if prev[1] != snap[1] else []
    ops += [("link", "mtu", snap[2])] if prev[2] != snap[2] else []
    return ops + ([("link", "address", snap[3])] if prev[3] != snap[3] else [])

def neigh_op(seen, deleted, lladdr, state):
    if deleted:
        seen.discard(NEIGH)
        return ("neigh", NEIGH, "del", state)
    op = "change" if NEIGH in seen else "new"
    seen.add(NEIGH)
    return ("neigh", NEIGH, op, lladdr, state)

def addr_name(a):
    return LL if a.startswith("fe80:") else a

LINK = re.compile(r"(Deleted )?(\d+): ([^:@\s]+)(?:@\S+)?: <([^>]*)> mtu (\d+).* link/\S+ (\S+)")
ADDR = re.compile(r"(Deleted )?(\d+): \S+\s+inet6? (\S+) ")
NEIGHBOUR = re.compile(r"(Deleted )?(\S+) dev \S+(?: lladdr (\S+))?((?: [A-Z]+)+)")
IPROUTE = re.compile(r"(Deleted )?(?:(local|broadcast|multicast|anycast) )?(\S+) (?:via \S+ )?"
                     r"dev (\S+)(?: table (\S+))?(?: (?:proto|scope|metric|src|pref) .*)?$")

def ip_records(path):
    """ip monitor's records: a line that starts with its time, and the lines
    after it that start with a blank, joined."""
    records = []
    for line in open(path):
        if line.startswith("["):
            records.append(line.split("] ", 1)[1].rstrip())
        elif records and line[:1].isspace():
            records[-1] += " " + line.strip()
    return records

def ip_stream(path):
    out, state, seen, d0 = [], None, set(), None
    for line in ip_records(path):
        m, a, n, r = LINK.match(line), ADDR.match(line), NEIGHBOUR.match(line), IPROUTE.match(line)
        if m:
            d0 = int(m[2]) if d0 is None and m[3] == "d0" else d0
            if int(m[2]) != d0:
                continue
            snap = (m[3], "UP" in m[4].split(","), int(m[5]), m[6])
            out += [("link", "del")] if m[1] else link_ops(state, snap)
            state = None if m[1] else snap
        elif a and int(a[2]) == d0:
            out.append(("addr", addr_name(a[3]), "del" if a[1] else "new"))
        elif n and n[2] == NEIGH:
            out.append(neigh_op(seen, n[1], n[3], n[4].strip()))
        elif r and r[4] in ("d0", "d1"):
            dst = r[3] if "/" in r[3] else r[3] + ("/128" if ":" in r[3] else "/32")
            out.append(("route", r[2] or "unicast", dst, r[5] or "main", "del" if r[1] else "new"))
    return out

FIELD = {"mtu": "mtu", "name": "ifname", "address": "address"}	# a "what" and its field
TYPES, TABLES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast"}, \
                {254: "main", 255: "local"}

def knetmon_link(e):
    k = e["kind"]
    if k == "link_new":
        return [("link", "new", e["ifname"], e["mtu"], "UP" in e["flags"])]
    if k == "link_del":
        return [("link", "del")]
    if e["what"] in ("up", "down"):
        return [("link", e["what"])]
    return [("link", e["what"], e[FIELD[e["what"]]])] if e["what"] in FIELD else []

def knetmon_stream(path):
    out, seen, d0 = [], set(), None
    events = [json.loads(l) for l in open(path)]
    seqs = [e["seq"] for e in events]	# every kind asked for: none skipped
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    for e in events:
        k = e["kind"]
        d0 = e["ifindex"] if d0 is None and e["ifname"] == "d0" else d0
        if e["ifindex"] != d0:
            continue
        if k.startswith("link"):
            out += knetmon_link(e)
        elif k.startswith("addr"):
            a = addr_name("%s/%d" % (e["address"], e["prefixlen"]))
            out.append(("addr", a, "new" if k == "addr_new" else "del"))
        elif k.startswith("route"):
            out.append(("route", TYPES.get(e["type"], e["type"]), "%s/%d" % (e["dst"], e["dst_len"]),
                        TABLES.get(e["table"], str(e["table"])), k[len("route_"):]))
        elif e["address"] == NEIGH:
            out.append(neigh_op(seen, k == "neigh_del", e["lladdr"], " ".join(e["state"])))
    return out

def obj(op):
    return op[:1] if op[0] == "link" else op[:4] if op[0] == "route" else op[:2]

def collapse(ops):
    """Each object's consecutive repeats as one (ip repeats RTM_NEWLINK)."""
    last, out = {}, []
    for op in ops:
        if last.get(obj(op)) != op:
            out.append(op)
        last[obj(op)] = op
    return out

def by_object(ops):
    return {o: [op for op in ops if obj(op) == o] for o in sorted({obj(op) for op in ops})}

def differ(a, b):
    a, b = by_object(a), by_object(b)
    return {o: (a.get(o), b.get(o)) for o in set(a) | set(b) if a.get(o) != b.get(o)}

def no_routes(ops):
    return [op for op in ops if op[0] != "route"]

ip, kn = collapse(ip_stream(sys.argv[1])), collapse(knetmon_stream(sys.argv[2]))
try:
    assert not differ(kn, ip), "objects whose changes differ (knetmon, ip): %s" % differ(kn, ip)
    assert by_object(kn).get(ROUTE) == SCRIPT_ROUTES, "the script's route"
    assert no_routes(kn) == SCRIPT, "not the script's order"
    # every change in ip's order, routes a change brought after it: knetmon
    # hears links and IPv4 addresses first on their chains (kmod/net_changes.c)
    assert kn == ip, "another order than ip monitor's"
except AssertionError:
    for name, ops in (("ip monitor", ip), ("knetmon", kn)):
        print("# %s:" % name, ops)
    raise
PY
	# the text lines say the same, one per event, each after its time
	for line in \
		'link d0: new <BROADCAST,NOARP> mtu 1500 address [0-9a-f:]* state [A-Z]* netns' \
		'link d0: up <UP,BROADCAST,RUNNING,NOARP,LOWER_UP> mtu 1500 ' \
		'link d0: mtu <.*> mtu 1400 ' \
		'link d0: address <.*> mtu 1400 address 02:00:00:00:01:01 ' \
		'addr d0: new inet 10\.9\.0\.1/24 scope global permanent netns' \
		'addr d0: new inet6 2001:db8:9::1/64 scope global nodad permanent netns' \
		'neigh d0: 10\.9\.0\.2 lladdr 02:00:00:00:00:02 PERMANENT netns' \
		'neigh d0: 10\.9\.0\.2 lladdr 02:00:00:00:00:03 PERMANENT netns' \
		'neigh d0: 10\.9\.0\.2 .*deleted netns' \
		'route d0: new unicast 10\.9\.9\.0/24 table main proto boot scope global metric 0 via 10\.9\.0\.254 dev d0 netns' \
		'route d0: del unicast 10\.9\.9\.0/24 ' \
		'addr d0: del inet 10\.9\.0\.1/24 ' \
		'link d0: down <BROADCAST,NOARP> mtu 1400' \
		'link d1: name <BROADCAST,NOARP> mtu 1400' \
		'link d1: del '; do
		grep -q "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]\{6\} $line" "$W/mon.txt" ||
			fail "no text line \"$line\" in: $(cat "$W/mon.txt")"
	done
}

# wait_for WHAT MIN_MS CMD...: run wait in the netns; it must exit 0 no
# sooner than MIN_MS; its record goes to $W/wait.json, its time to $took.
wait_for() {
	what=$1 min=$2; shift 2
	start=$(now_ms)
	rc=0; inns "$KNETMON" wait "$@" --timeout 20 -j > "$W/wait.json" 2> "$W/wait.err" || rc=$?
	took=$(( $(now_ms) - start ))
	[ "$rc" = 0 ] || fail "$what: exit $rc: $(cat "$W/wait.err")"
	[ "$took" -ge "$min" ] || fail "$what: returned after $took ms, before its condition held"
}

# record_is KEY=VALUE...: the record wait printed has these fields.
record_is() {
	python3 - "$W/wait.json" "$@" <<'PY' || fail "wrong record: $(cat "$W/wait.json")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    got = e.get(k)
    assert (v in got) if isinstance(got, list) else str(got) == v, (k, got, v)
PY
}

# The address is there and not tentative, as ip sees it now.
usable_now() {	# usable_now DEV ADDRESS
	inns ip addr show dev "$1" > "$W/ip-addr.txt"
	grep -q " $2/" "$W/ip-addr.txt" || fail "$2 is not on $1: $(cat "$W/ip-addr.txt")"
	! grep " $2/" "$W/ip-addr.txt" | grep -q tentative ||
		fail "wait returned while $2 was still tentative: $(cat "$W/ip-addr.txt")"
}

test_wait_ip_returns_when_the_address_is_added() {
	load_link_drivers
	setup_ns waitip; trap cleanup_ns EXIT
	inns ip link add d0 type dummy
	inns ip link set d0 up
	# IPv4, added after 2 s
	(sleep 2; inns ip addr add 10.9.1.1/24 dev d0) &
	PIDS="$PIDS $!"
	wait_for "IPv4" 1500 --ip 10.9.1.1
	record_is kind=addr_new ifname=d0 family=inet address=10.9.1.1 prefixlen=24
	# IPv6 with duplicate address detection (a veth pair: the dummy does
	# none), added after 1 s: usable only when DAD is over, 1 s at least
	inns ip link add v0 type veth peer name v1
	inns ip link set v1 up
	inns ip link set v0 up
	(sleep 1; inns ip addr add 2001:db8:a::1/64 dev v0; now_ms > "$W/added") &
	PIDS="$PIDS $!"
	wait_for "IPv6 after DAD" 1000 --ip 2001:db8:a::1
	usable_now v0 2001:db8:a::1
	dad=$(( $(now_ms) - $(cat "$W/added") ))
	[ "$dad" -ge 900 ] || fail "IPv6: returned $dad ms after the address came, before DAD could end"
	echo "# IPv6: wait returned $dad ms after the address was added"
	python3 - "$W/wait.json" <<'PY' || fail "IPv6: wrong record: $(cat "$W/wait.json")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["address"] == "2001:db8:a::1" and "tentative" not in e["flags"], e
PY
	# an address already there but still tentative: the listing finds it,
	# and wait returns only after DAD (which takes 1 s at least)
	inns ip addr add 2001:db8:a::2/64 dev v0
	wait_for "IPv6 tentative at start" 500 --ip 2001:db8:a::2
	usable_now v0 2001:db8:a::2
	# an address that never comes: exit 1 after the timeout
	start=$(now_ms)
	rc=0; inns "$KNETMON" wait --ip 10.9.1.99 --timeout 2 > "$W/wait.out" 2>&1 || rc=$?
	took=$(( $(now_ms) - start ))
	[ "$rc" = 1 ] || fail "a missing address: exit $rc, not 1: $(cat "$W/wait.out")"
	grep -q "timed out" "$W/wait.out" || fail "no reason: $(cat "$W/wait.out")"
	[ "$took" -ge 1900 ] || fail "timed out after $took ms, not 2 s"
}

test_wait_ip_on_and_link() {
	load_link_drivers
	setup_ns waitlink; trap cleanup_ns EXIT
	inns ip link add d0 type dummy
	# down: --link is not met
	rc=0; inns "$KNETMON" wait --link d0 --timeout 1 > "$W/wait.out" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "--link on a link that is down: exit $rc: $(cat "$W/wait.out")"
	(sleep 1.5; inns ip link set d0 up) &
	PIDS="$PIDS $!"
	wait_for "--link before" 1200 --link d0
	record_is kind=link ifname=d0 flags=UP flags=RUNNING
	wait_for "--link after" 0 --link d0
	[ "$took" -lt 5000 ] || fail "--link took $took ms for a link up already"
	record_is ifname=d0 flags=UP
	# a link-scope address (and d0's fe80::) is not global: --ip-on waits on
	inns ip addr add 10.9.3.1/24 dev d0 scope link
	(sleep 1.5; inns ip addr add 10.9.2.1/24 dev d0) &
	PIDS="$PIDS $!"
	wait_for "--ip-on before" 1200 --ip-on d0
	record_is kind=addr_new ifname=d0 address=10.9.2.1 scope_name=global
	wait_for "--ip-on after" 0 --ip-on d0
	[ "$took" -lt 5000 ] || fail "--ip-on took $took ms for an address there already"
	record_is ifname=d0 address=10.9.2.1 scope_name=global
	rc=0; inns "$KNETMON" wait --ip-on d0 --link d0 > "$W/wait.out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "--ip-on with --link: exit $rc"
}

test_unprivileged_change_monitor_is_refused() {
	setup_ns unpriv; trap cleanup_ns EXIT
	rc=0; as_nobody "$KNETMON" monitor --kinds link --timeout 1 > "$W/out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "an unprivileged monitor of network changes ran"
	grep -q "changes group.*CAP_NET_ADMIN" "$W/out" || fail "no reason given: $(cat "$W/out")"
	rc=0; as_nobody "$KNETMON" wait --link lo --timeout 1 > "$W/out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "an unprivileged wait --link: exit $rc: $(cat "$W/out")"
	grep -q "changes group.*CAP_NET_ADMIN" "$W/out" || fail "wait: no reason given: $(cat "$W/out")"
}

run_tests test_monitor_changes_match_ip_monitor \
	test_wait_ip_returns_when_the_address_is_added \
	test_wait_ip_on_and_link \
	test_unprivileged_change_monitor_is_refused
