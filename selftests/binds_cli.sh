#!/bin/sh
# The binds, monitor and wait views against what the test itself binds:
# JSON lines of monitor, lost events and resync under a tiny buffer,
# Penguin's netbinds files and --exec, wait's three outcomes, and binds vs ss.
# Each test runs in a netns of its own (its event sequence starts at 1).
. selftests/lib.sh

W=/tmp/knetmon-binds-cli
NS=

cleanup_ns() {
	[ -z "$MON" ] || kill "$MON" 2> /dev/null || true
	[ -z "$MON" ] || wait "$MON" 2> /dev/null || true
	MON=
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
}

# Python prelude for scripted binds: sync() makes sure the monitor, whose
# JSON lines go to $W/mon.json, is subscribed before the script goes on, by
# sending from unbound UDP sockets (autobind events) until one shows up.
# Any of them: events reach the monitor in batches, up to a jiffy after
# they happen, so the one just sent is usually not there yet.
cat > /tmp/knetmon-binds-prelude.py <<'PY'
import json, os, socket, sys, time
W = "/tmp/knetmon-binds-cli"
ops = []          # one entry per event this script causes, in order
def sync():
    sent = []
    for _ in range(400):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", ("127.0.0.1", 9))
        sent.append('"port":%d,' % s.getsockname()[1])
        s.close()
        ops.extend([("sentinel", 1), ("sentinel", -1)])
        try:
            seen = open(W + "/mon.json").read()
            if any(p in seen for p in sent):
                return
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    def tail(name):
        try:
            return open(W + "/" + name).read()[-500:]
        except FileNotFoundError:
            return "(none)"
    sys.exit("monitor never saw a sentinel; mon.json: %s; mon.err: %s" %
             (tail("mon.json"), tail("mon.err")))
PY

start_monitor() {
	ip netns exec "$NS" "$KNETMON" monitor -j "$@" > "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
}
stop_monitor() {
	kill "$MON"; wait "$MON" || true; MON=
}

test_monitor_json_lines_match_what_was_bound() {
	setup_ns json; trap cleanup_ns EXIT
	start_monitor
	inns python3 - > "$W/py.out" <<'PY'
exec(open("/tmp/knetmon-binds-prelude.py").read())
sync()
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.bind(("::1", 0)); t.listen(3)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
print(os.getpid(), t.getsockname()[1], u.getsockname()[1])
t.close(); u.close()
PY
	read -r pid tport uport < "$W/py.out"
	busywait 10000 grep -q "\"kind\":\"release\".*\"port\":$uport," "$W/mon.json" ||
		fail "no release of udp port $uport in: $(cat "$W/mon.json")"
	stop_monitor
	python3 - "$W/mon.json" "$pid" "$tport" "$uport" <<'PY' || fail "JSON lines wrong"
import json, sys
path, pid, tport, uport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
evs = [json.loads(l) for l in open(path)]          # every line valid JSON
seqs = [e["seq"] for e in evs]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
mine = [(e["kind"], e["proto"], e["family"], e["addr"], e["port"])
        for e in evs if e.get("port") in (tport, uport) and e["pid"] == pid]
want = [("bind", "tcp", 6, "::1", tport), ("listen", "tcp", 6, "::1", tport),
        ("bind", "udp", 4, "127.0.0.1", uport),
        ("release", "tcp", 6, "::1", tport), ("release", "udp", 4, "127.0.0.1", uport)]
if mine != want:
    sys.exit("expected %s\n     saw %s" % (want, mine))
PY
}

test_tiny_rcvbuf_gaps_reported_and_resync_matches_table() {
	setup_ns lost; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	dropped0=$(info_counter events_dropped)
	start_monitor --rcvbuf 1
	# the monitor is stopped while the 805 events go out, so its tiny buffer
	# overflows however fast or slow the guest runs (under load the binder
	# could be slow enough for the monitor to keep up, and nothing be lost)
	MONPID=$MON ip netns exec "$NS" python3 - > "$W/py.out" <<'PY' &
exec(open("/tmp/knetmon-binds-prelude.py").read())
import os, signal
sync()
os.kill(int(os.environ["MONPID"]), signal.SIGSTOP)
held = []
for i in range(600):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0)); held.append(s); ops.append(("bind", 1))
    if i % 3 == 0:
        held.pop(0).close(); ops.append(("close", -1))
time.sleep(0.1)     # the last batch flushed, into the full buffer
os.kill(int(os.environ["MONPID"]), signal.SIGCONT)
time.sleep(0.5)
last = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
last.bind(("127.0.0.1", 0)); held.append(last); ops.append(("bind", 1))
live, acc = [0], 0      # live[seq]: this script's sockets bound after event seq
for _, d in ops:
    acc += d; live.append(acc)
json.dump({"live": live, "port": last.getsockname()[1]}, open(W + "/truth.tmp", "w"))
os.rename(W + "/truth.tmp", W + "/truth.json")
time.sleep(600)
PY
	PY=$!
	busywait 60000 test -e "$W/truth.json" || fail "binder did not finish"
	port=$(python3 -c "import json; print(json.load(open('$W/truth.json'))['port'])")
	busywait 10000 grep -q "\"port\":$port," "$W/mon.json" || fail "last bind never reported"
	stop_monitor
	dropped=$(( $(info_counter events_dropped) - dropped0 ))
	python3 - "$W/mon.json" "$W/truth.json" "$dropped" <<'PY' || fail "loss accounting wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
live = json.load(open(sys.argv[2]))["live"]
dropped = int(sys.argv[3])
events = [l for l in lines if "seq" in l and "kind" in l]
lost = sum(l["lost"] for l in lines if "lost" in l)
resyncs = [l["resync"] for l in lines if "resync" in l]
top = max(e["seq"] for e in events)
print("# %d events received, %d lost, %d resyncs, events_dropped +%d" %
      (len(events), lost, len(resyncs), dropped))
assert lost > 0, "no loss with a tiny buffer: the test proves nothing"
assert len(events) + lost == top, (len(events), lost, top)
assert lost == dropped, "monitor lost %d, module counted %d" % (lost, dropped)
assert resyncs, "lost events but no resync"
for r in resyncs:
    assert r["live"] == live[r["seq"]], "resync at seq %d: %d live, script held %d" % (
        r["seq"], r["live"], live[r["seq"]])
PY
}

test_penguin_files_and_exec_follow_unique_binds() {
	setup_ns penguin; trap cleanup_ns EXIT
	start_monitor --penguin "$W" \
		--exec 'echo "$KNETMON_PROTO $KNETMON_IPVN $KNETMON_IP $KNETMON_PORT $KNETMON_COMM $KNETMON_PID" >> /tmp/knetmon-binds-cli/exec.out'
	inns python3 - > "$W/py.out" <<'PY'
exec(open("/tmp/knetmon-binds-prelude.py").read())
sync()
rows = []
def bind(fam, typ, addr, port, keep=False):
    s = socket.socket(fam, typ)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((addr, port))
    except OSError:
        s.close(); return None
    p = s.getsockname()[1]
    ipvn = 6 if fam == socket.AF_INET6 else 4
    ip = "[%s]" % socket.inet_ntop(fam, socket.inet_pton(fam, addr)) if ipvn == 6 else addr
    key = ("python3", ipvn, "tcp" if typ == socket.SOCK_STREAM else "udp", ip, p)
    if key not in rows:
        rows.append(key)
    if not keep:
        s.close()
    return s
bind(socket.AF_INET, socket.SOCK_STREAM, "0.0.0.0", 8080)
bind(socket.AF_INET, socket.SOCK_STREAM, "0.0.0.0", 8080)      # duplicate
bind(socket.AF_INET6, socket.SOCK_DGRAM, "::", 5353)
held = bind(socket.AF_INET6, socket.SOCK_STREAM, "::", 80, keep=True)
bind(socket.AF_INET6, socket.SOCK_STREAM, "::", 80)           # EADDRINUSE: no row
bind(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1", 53)
bind(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1", 53)       # duplicate
bind(socket.AF_INET6, socket.SOCK_DGRAM, "::1", 0)
with open(W + "/expect.csv", "w") as f:
    f.write("procname,ipvn,domain,guest_ip,guest_port\n")
    for r in rows:
        f.write("%s,%d,%s,%s,%d\n" % r)
with open(W + "/expect_summary.csv", "w") as f:
    f.write("n_procs,n_sockets,bound_www\n")
    for i in range(len(rows)):
        f.write("1,%d,%s\n" % (i + 1, any(r[4] == 80 for r in rows[:i + 1])))
with open(W + "/expect_exec.out", "w") as f:
    for r in rows:
        f.write("%s %d %s %d python3 %d\n" % (r[2], r[1], r[3], r[4], os.getpid()))
print(len(rows))
PY
	n=$(cat "$W/py.out")
	busywait 10000 sh -c "[ \$(wc -l < $W/netbinds.csv) -gt $n ]" ||
		fail "netbinds.csv has $(wc -l < "$W/netbinds.csv") lines, expected $n rows"
	busywait 10000 sh -c "[ \$(wc -l < $W/exec.out 2>/dev/null || echo 0) -ge $n ]" ||
		fail "--exec ran $(wc -l < "$W/exec.out" 2>/dev/null) times, expected $n"
	stop_monitor
	grep -Eqv '^(procname,.*|.*,[0-9]+\.[0-9]{3})$' "$W/netbinds.csv" &&
		fail "time column not seconds with 3 decimals: $(cat "$W/netbinds.csv")"
	sed 's/,[^,]*$//' "$W/netbinds.csv" | diff "$W/expect.csv" - ||
		fail "netbinds.csv differs (expected first)"
	sed 's/,[^,]*$//' "$W/netbinds_summary.csv" | diff "$W/expect_summary.csv" - ||
		fail "netbinds_summary.csv differs (expected first)"
	sort "$W/exec.out" | diff "$(sort "$W/expect_exec.out" > "$W/e.sorted"; echo "$W/e.sorted")" - ||
		fail "--exec environment differs (expected first)"
}

elapsed_ms() { echo $(( $(date +%s%3N) - $1 )); }

test_wait_sees_a_bind_after_one_second() {
	setup_ns waitlate; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" sh -c 'sleep 1; exec python3 -c "
import socket, time
s = socket.socket(); s.bind((\"0.0.0.0\", 8080)); s.listen(); time.sleep(30)"' &
	PY=$!
	t0=$(date +%s%3N); rc=0
	inns "$KNETMON" wait --port 8080 --timeout 20 > "$W/out" || rc=$?
	took=$(elapsed_ms "$t0")
	[ "$rc" = 0 ] || fail "exit $rc, expected 0"
	grep -q ':8080 ' "$W/out" || fail "match not printed: $(cat "$W/out")"
	[ "$took" -ge 900 ] || fail "matched after ${took}ms, before anything was bound"
	[ "$took" -lt 10000 ] || fail "took ${took}ms"
}

test_wait_times_out_with_1_when_nothing_binds() {
	setup_ns waitnone; trap cleanup_ns EXIT
	t0=$(date +%s%3N); rc=0
	inns "$KNETMON" wait --port 8099 --timeout 1 > "$W/out" 2>&1 || rc=$?
	took=$(elapsed_ms "$t0")
	[ "$rc" = 1 ] || fail "exit $rc, expected 1: $(cat "$W/out")"
	[ "$took" -ge 1000 ] || fail "gave up after ${took}ms, before the timeout"
}

test_wait_matches_socket_bound_before_it_started() {
	setup_ns waitearly; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 8081))
open("/tmp/knetmon-binds-cli/ready", "w").close(); time.sleep(30)' &
	PY=$!
	busywait 20000 test -e "$W/ready" || fail "binder not ready"
	rc=0
	inns "$KNETMON" wait --port 8081 --proto udp --addr 127.0.0.1 --timeout 3 > "$W/out" || rc=$?
	[ "$rc" = 0 ] || fail "exit $rc, expected 0"
	grep -q '127.0.0.1:8081 ' "$W/out" || fail "match not printed: $(cat "$W/out")"
	rc=0
	inns "$KNETMON" wait --port 8081 --proto tcp --timeout 1 > /dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "a udp socket matched --proto tcp (exit $rc)"
}

test_binds_view_lists_the_same_listeners_as_ss() {
	setup_ns view; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" python3 -c '
import socket, time
a = socket.socket(); a.bind(("127.0.0.1", 0)); a.listen()
b = socket.socket(socket.AF_INET6); b.bind(("::", 0)); b.listen()
c = socket.socket(); c.bind(("127.0.0.1", 0))        # bound, not listening
open("/tmp/knetmon-binds-cli/ready", "w").close(); time.sleep(30)' &
	PY=$!
	busywait 20000 test -e "$W/ready" || fail "binder not ready"
	inns ss -H -ltn | awk '{ n = split($4, a, ":"); print a[n] }' | sort > "$W/ss"
	inns "$KNETMON" binds -t -l -j | python3 -c '
import json, sys
for b in json.load(sys.stdin): print(b["port"])' | sort > "$W/kn"
	[ -s "$W/ss" ] || fail "ss lists nothing"
	diff "$W/ss" "$W/kn" || fail "binds -t -l differs from ss -ltn (ss first)"
	[ "$(inns "$KNETMON" binds -t -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 3 ] ||
		fail "binds -t should also list the bound, non-listening socket"
	[ "$(inns "$KNETMON" binds -u -j)" = "[]" ] || fail "binds -u not an empty JSON array"
}

# ---- AF_UNIX ----------------------------------------------------------

# binds -x: every named unix socket of the binder, as ss -xlp lists it
# (netid, state, name, inode, pid), and each inode in /proc/net/unix with
# that name. Unnamed sockets are in ss (as "*") but are no binds.
test_binds_x_agrees_with_ss_xlp_and_proc_net_unix() {
	setup_ns unix; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" python3 -c '
import os, socket, time
W = "/tmp/knetmon-binds-cli"
held = []
def sock(typ, name=None, listen=False):
    s = socket.socket(socket.AF_UNIX, typ)
    if name is not None: s.bind(name)
    if listen: s.listen(4)
    held.append(s)
sock(socket.SOCK_STREAM, W + "/srv.sock", True)
sock(socket.SOCK_SEQPACKET, "\0knetmon-cli-abs", True)
sock(socket.SOCK_DGRAM, W + "/dgram.sock")
sock(socket.SOCK_DGRAM, "")                       # autobind: "@" and 5 hex digits
sock(socket.SOCK_STREAM, W + "/bound-only.sock")  # bound, not listening
sock(socket.SOCK_DGRAM)                           # unnamed: no bind
open(W + "/ready", "w").write(str(os.getpid())); time.sleep(60)' &
	PY=$!
	busywait 20000 test -s "$W/ready" || fail "binder not ready"
	pid=$(cat "$W/ready")
	inns ss -H -xlp | awk -v pid="pid=$pid," 'index($0, pid) && $5 != "*" { print $1, $2, $5, $6 }' |
		sort > "$W/ss"
	inns "$KNETMON" binds -x -j > "$W/kn.json"
	python3 - "$W/kn.json" "$pid" <<'PY' | sort > "$W/kn"
import json, sys
for b in json.load(open(sys.argv[1])):
    if b["pid"] == int(sys.argv[2]):
        print(b["proto"], b["state"], b["path"], b["inode"])
PY
	[ "$(wc -l < "$W/ss")" = 5 ] || fail "ss -xlp lists $(wc -l < "$W/ss") named sockets, expected 5: $(cat "$W/ss")"
	diff "$W/ss" "$W/kn" || fail "binds -x differs from ss -xlp (ss first)"
	while read -r _ _ path inode; do
		inns awk -v i="$inode" -v p="$path" '$7 == i && $8 == p { f = 1 } END { exit !f }' \
			/proc/net/unix || fail "/proc/net/unix has no $inode $path"
	done < "$W/kn"
	inns "$KNETMON" binds -x -l | grep -q "^u_seq .*@knetmon-cli-abs .*LISTEN" ||
		fail "binds -x -l text lacks the abstract listener: $(inns "$KNETMON" binds -x -l)"
	[ "$(inns "$KNETMON" binds -x -l -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] ||
		fail "binds -x -l should list the two listeners only"
	[ "$(inns "$KNETMON" binds -t -u -j)" = "[]" ] || fail "unix sockets listed by binds -t -u"
	[ "$(inns "$KNETMON" binds -x -t -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 5 ] ||
		fail "binds -x -t should list the five unix sockets (no TCP bound)"
}

# monitor: unix binds, listens and releases with their names, in JSON; none
# of them reaches Penguin's netbinds.csv (TCP and UDP only).
test_monitor_prints_unix_events_not_penguin_rows() {
	setup_ns unixmon; trap cleanup_ns EXIT
	start_monitor --penguin "$W"
	inns python3 - > "$W/py.out" <<'PY'
exec(open("/tmp/knetmon-binds-prelude.py").read())
sync()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(W + "/mon.sock"); s.listen(2)
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
d.bind("\0knetmon-mon-abs")
print(os.getpid())
s.close(); d.close()
PY
	pid=$(cat "$W/py.out")
	busywait 10000 grep -q '"kind":"release".*"path":"@knetmon-mon-abs"' "$W/mon.json" ||
		fail "no release of @knetmon-mon-abs in: $(cat "$W/mon.json")"
	stop_monitor
	python3 - "$W/mon.json" "$pid" <<'PY' || fail "unix events wrong"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
mine = [(e["kind"], e["proto"], e["path"]) for e in evs
        if e["pid"] == int(sys.argv[2]) and "path" in e]
W = "/tmp/knetmon-binds-cli"
want = [("bind", "u_str", W + "/mon.sock"), ("listen", "u_str", W + "/mon.sock"),
        ("bind", "u_dgr", "@knetmon-mon-abs"),
        ("release", "u_str", W + "/mon.sock"), ("release", "u_dgr", "@knetmon-mon-abs")]
if mine != want:
    sys.exit("expected %s\n     saw %s" % (want, mine))
assert not any("port" in e for e in evs if "path" in e), "a unix event has a port"
PY
	[ "$(cat "$W/netbinds.csv")" = "procname,ipvn,domain,guest_ip,guest_port,time" ] ||
		fail "netbinds.csv has rows: $(cat "$W/netbinds.csv")"
}

# ---- flags of monitor, wait and binds ----------------------------------

# A binder that binds, listens on and closes a TCP socket every 20 ms, so
# monitors started at any time see a steady stream without a sync.
start_tcp_churn() {
	ip netns exec "$NS" python3 -c '
import socket, time
for _ in range(3000):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); s.close()
    time.sleep(0.02)' &
	PY=$!
}

test_monitor_kinds_and_count_select_and_stop() {
	setup_ns kinds; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	start_tcp_churn
	rc=0; timeout 60 ip netns exec "$NS" "$KNETMON" monitor -j --kinds listen --count 4 \
		> "$W/k1" || rc=$?
	[ "$rc" = 0 ] || fail "--count 4 did not end the monitor by itself (exit $rc)"
	rc=0; timeout 60 ip netns exec "$NS" "$KNETMON" monitor -j --kinds bind,release --count 6 \
		> "$W/k2" || rc=$?
	[ "$rc" = 0 ] || fail "second monitor exit $rc"
	python3 - "$W/k1" "$W/k2" <<'PY' || fail "kinds or count wrong"
import json, sys
k1 = [json.loads(l) for l in open(sys.argv[1])]
k2 = [json.loads(l) for l in open(sys.argv[2])]
assert len(k1) == 4, "--count 4 printed %d events" % len(k1)
assert {e["kind"] for e in k1} == {"listen"}, [e["kind"] for e in k1]
assert len(k2) == 6, "--count 6 printed %d events" % len(k2)
assert {e["kind"] for e in k2} == {"bind", "release"}, [e["kind"] for e in k2]
assert all(a["seq"] < b["seq"] for a, b in zip(k2, k2[1:]))
PY
	rc=0; inns "$KNETMON" monitor --kinds bind,nosuchkind > /dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "an unknown kind: exit $rc, expected 2"
}

# Ground truth: ss's view of the monitor's netlink socket (skmem rb), in a
# netns where the monitor's is the only generic netlink socket of a process.
monitor_rcvbuf() {
	ip netns exec "$NS" ss -f netlink -m | python3 -c '
import re, sys
# ss may list a socket once per table it is in: the same socket, the same rb
rb = {m.group(1) for l in sys.stdin if "genl:" in l and "genl:kernel" not in l
      for m in [re.search(r"rb(\d+)", l)] if m}
if len(rb) != 1:
    sys.exit(1)
print(rb.pop())'
}

# The monitor has printed one of the prelude's sentinels: it is subscribed.
monitor_synced() {
	inns python3 -c 'exec(open("/tmp/knetmon-binds-prelude.py").read()); sync()'
}

test_monitor_socket_gets_the_system_rcvbuf_or_the_one_asked() {
	setup_ns rcvbuf; trap cleanup_ns EXIT
	# what any new socket in the netns gets (net.core.rmem_default, which
	# 6.1 does not show inside other namespaces); not libnl's 64 KiB
	want=$(inns python3 -c 'import socket
print(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16).getsockopt(
    socket.SOL_SOCKET, socket.SO_RCVBUF))')
	[ "$want" -gt 65536 ] || fail "the default rcvbuf is $want: the test cannot tell it from libnl's"
	# an event printed: the socket is subscribed, so its buffer is set
	start_monitor
	monitor_synced || fail "monitor not subscribed"
	got=$(monitor_rcvbuf) || fail "no monitor socket in ss"
	[ "$got" = "$want" ] || fail "monitor's rcvbuf $got, a new socket's $want"
	stop_monitor
	start_monitor --rcvbuf 50000
	monitor_synced || fail "monitor not subscribed"
	got=$(monitor_rcvbuf) || fail "no monitor socket in ss"
	# SO_RCVBUF is doubled by the kernel (under net.core.rmem_max)
	[ "$got" = 100000 ] || fail "--rcvbuf 50000 gave rcvbuf $got, expected 100000"
}

test_monitor_t_prefixes_each_line_with_the_time() {
	setup_ns stamp; trap 'kill $PY 2>/dev/null; cleanup_ns' EXIT
	start_tcp_churn
	timeout 60 ip netns exec "$NS" "$KNETMON" monitor -t --count 3 > "$W/t1" ||
		fail "monitor -t --count 3 failed"
	timeout 60 ip netns exec "$NS" "$KNETMON" monitor --count 3 > "$W/t0" ||
		fail "monitor --count 3 failed"
	python3 - "$W/t1" "$W/t0" <<'PY' || fail "time prefix wrong: $(cat "$W/t1" "$W/t0")"
import re, sys, time
stamp = re.compile(r"^(\d\d):(\d\d):(\d\d)\.\d{6} ")
t1, t0 = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines()
assert len(t1) == 3 and len(t0) == 3, (t1, t0)
now = time.localtime()
for line in t1:
    m = stamp.match(line)
    assert m, "no time prefix: " + line
    h, mi, s = map(int, m.groups())
    diff = abs((h * 3600 + mi * 60 + s) - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec))
    assert min(diff, 86400 - diff) < 120, "time %s is not now" % m.group(0)
for line in t0:
    assert not stamp.match(line), "time prefix without -t: " + line
PY
}

test_wait_comm_listen_and_json_filters() {
	setup_ns waitflags; trap 'kill $PY $PY2 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" python3 -c '
import os, socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 8082))
t = socket.socket(); t.bind(("127.0.0.1", 8083))          # bound, never listening
open("/tmp/knetmon-binds-cli/ready", "w").write(str(os.getpid())); time.sleep(60)' &
	PY=$!
	busywait 20000 test -s "$W/ready" || fail "binder not ready"
	pid=$(cat "$W/ready")
	rc=0; inns "$KNETMON" wait --port 8082 --comm not-python --timeout 1 > /dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "--comm not-python matched python3's socket (exit $rc)"
	rc=0; inns "$KNETMON" wait --port 8082 --comm python3 --timeout 5 -j > "$W/out" || rc=$?
	[ "$rc" = 0 ] || fail "--comm python3: exit $rc"
	python3 - "$W/out" "$pid" <<'PY' || fail "wait -j output wrong: $(cat "$W/out")"
import json, sys
b = json.loads(open(sys.argv[1]).read())
assert (b["port"], b["proto"], b["comm"], b["pid"]) == (8082, "udp", "python3", int(sys.argv[2])), b
PY
	rc=0; inns "$KNETMON" wait --port 8083 --listen --timeout 1 > /dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "--listen matched a socket that only bound (exit $rc)"
	rc=0; inns "$KNETMON" wait --port 8083 --timeout 5 > /dev/null || rc=$?
	[ "$rc" = 0 ] || fail "without --listen the bound socket should match (exit $rc)"

	t0=$(date +%s%3N)
	ip netns exec "$NS" python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 8084)); time.sleep(1.5); s.listen(); time.sleep(30)' &
	PY2=$!
	rc=0; inns "$KNETMON" wait --port 8084 --listen --timeout 20 -j > "$W/out" || rc=$?
	took=$(elapsed_ms "$t0")
	[ "$rc" = 0 ] || fail "--listen on a late listener: exit $rc"
	[ "$took" -ge 1400 ] || fail "--listen matched after ${took}ms, before listen()"
	python3 -c 'import json,sys; b = json.load(open(sys.argv[1])); assert b["state"] == "LISTEN" or b["kind"] == "listen", b' \
		"$W/out" || fail "wait --listen -j printed: $(cat "$W/out")"
}

test_binds_pid_and_comm_select_the_owner() {
	setup_ns owner; trap 'kill $PY $PY2 2>/dev/null; cleanup_ns' EXIT
	ip netns exec "$NS" python3 -c '
import os, socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
open("/tmp/knetmon-binds-cli/a", "w").write("%d %d %d\n" % (os.getpid(), u.getsockname()[1], t.getsockname()[1]))
time.sleep(60)' &
	PY=$!
	ip netns exec "$NS" python3 -c '
import os, socket, time
open("/proc/self/comm", "w").write("kn-other")
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::1", 0))
open("/tmp/knetmon-binds-cli/b", "w").write("%d %d\n" % (os.getpid(), u.getsockname()[1]))
time.sleep(60)' &
	PY2=$!
	busywait 20000 test -s "$W/a" || fail "binder a not ready"
	busywait 20000 test -s "$W/b" || fail "binder b not ready"
	read -r apid aport1 aport2 < "$W/a"
	read -r bpid bport < "$W/b"
	ports() { python3 -c 'import json,sys; print(" ".join(str(p) for p in sorted((b["port"], b["pid"], b["comm"]) for b in json.load(sys.stdin))))'; }
	got=$(inns "$KNETMON" binds --pid "$apid" -j | ports)
	want=$(python3 -c "print(' '.join(str(p) for p in sorted([($aport1, $apid, 'python3'), ($aport2, $apid, 'python3')])))")
	[ "$got" = "$want" ] || fail "binds --pid $apid: $got, expected $want"
	got=$(inns "$KNETMON" binds --comm kn-other -j | ports)
	want=$(python3 -c "print(' '.join(str(p) for p in [($bport, $bpid, 'kn-other')]))")
	[ "$got" = "$want" ] || fail "binds --comm kn-other: $got, expected $want"
	[ "$(inns "$KNETMON" binds --pid "$bpid" --comm python3 -j)" = "[]" ] ||
		fail "--pid and --comm must both hold"
}

run_tests test_monitor_json_lines_match_what_was_bound \
	test_tiny_rcvbuf_gaps_reported_and_resync_matches_table \
	test_penguin_files_and_exec_follow_unique_binds \
	test_wait_sees_a_bind_after_one_second \
	test_wait_times_out_with_1_when_nothing_binds \
	test_wait_matches_socket_bound_before_it_started \
	test_binds_view_lists_the_same_listeners_as_ss \
	test_binds_x_agrees_with_ss_xlp_and_proc_net_unix \
	test_monitor_prints_unix_events_not_penguin_rows \
	test_monitor_kinds_and_count_select_and_stop \
	test_monitor_t_prefixes_each_line_with_the_time \
	test_monitor_socket_gets_the_system_rcvbuf_or_the_one_asked \
	test_wait_comm_listen_and_json_filters \
	test_binds_pid_and_comm_select_the_owner
