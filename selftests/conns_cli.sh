#!/bin/sh
# monitor --kinds state against a connection the test itself makes: each
# end's TCP state changes in JSON and text, the established ends as ss
# lists them, and nothing of it where it was not asked for (the default
# kinds, Penguin's netbinds files). connect, accept and close against
# Debian's libbpf-tools tcpconnect, tcplife and tcpstates run beside it.
# Each test runs in a netns of its own.
. selftests/lib.sh

W=/tmp/knetmon-conns-cli
NS=
MON=
MON2=

cleanup_ns() {
	for m in $MON $MON2; do kill "$m" 2> /dev/null || true; wait "$m" 2> /dev/null || true; done
	MON= MON2=
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
}

# A loopback connection: the listener on 127.0.0.1:0, 5 bytes each way, the
# client closes first, the server once the client is in FIN-WAIT-2 (no
# simultaneous close), then the listener. While it is established, ss's
# view goes to $W/ss.txt. Prints "pid lport cport".
cat > "/tmp/knetmon_sync.py" <<'PY'
import os, socket, sys, time
def sync(path):
    # the monitor is subscribed once it has printed an event of ours: a
    # sync listener's LISTEN -> CLOSE, any of them (on a loaded guest the
    # monitor may write the last one only once this loop sleeps)
    ports = set()
    for _ in range(800):
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
        ports.add('"port":%d,' % s.getsockname()[1]); s.close()
        time.sleep(0.05)
        text = open(path).read() if os.path.exists(path) else ""
        if any(p in text for p in ports):
            return
    sys.exit("monitor never saw a sync listener")
PY
cat > "/tmp/knetmon-conn.py" <<'PY'
import os, socket, subprocess, sys, time
from knetmon_sync import sync
W = "/tmp/knetmon-conns-cli"
sync(sys.argv[1])
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.socket(); c.connect(l.getsockname())
a, _ = l.accept()
c.sendall(b"hello"); a.recv(5); a.sendall(b"world"); c.recv(5)
open(W + "/ss.txt", "w").write(subprocess.run(["ss", "-Htn", "state", "established"],
                                              capture_output=True, text=True).stdout)
lport, cport = l.getsockname()[1], c.getsockname()[1]
c.close()
assert a.recv(1) == b""
for _ in range(200):   # FIN-WAIT-2 shows in ss; then the server closes
    if "FIN-WAIT-2" in subprocess.run(["ss", "-Htan", "sport", "= :%d" % cport],
                                      capture_output=True, text=True).stdout:
        break
    time.sleep(0.01)
a.close(); l.close()
print(os.getpid(), lport, cport)
PY

test_monitor_state_json_follows_each_end_and_matches_ss() {
	setup_ns state; trap cleanup_ns EXIT
	# every connection kind: the sequence is checked whole, the changes apart
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds state,connect,accept,close \
		> "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
	ip netns exec "$NS" "$KNETMON" monitor --kinds state > "$W/mon.txt" 2>&1 &
	MON2=$!
	inns python3 /tmp/knetmon-conn.py "$W/mon.json" > "$W/py.out" || fail "script failed"
	read -r pid lport cport < "$W/py.out"
	busywait 10000 grep -q "\"port\":$lport,.*\"old_state\":\"LAST-ACK\",\"state\":\"CLOSE\"" \
		"$W/mon.json" || fail "no LAST-ACK -> CLOSE of port $lport in: $(tail -5 "$W/mon.json")"
	busywait 10000 grep -q "127.0.0.1:$lport .*LAST-ACK -> CLOSE" "$W/mon.txt" ||
		fail "text monitor: no LAST-ACK -> CLOSE line for $lport in: $(tail -5 "$W/mon.txt")"
	python3 - "$W/mon.json" "$pid" "$lport" "$cport" "$W/ss.txt" <<'PY' || fail "state events wrong"
import json, sys
path, pid, lport, cport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
every = [json.loads(l) for l in open(path)]
assert {e["kind"] for e in every} <= {"state", "connect", "accept", "close"}, every
seqs = [e["seq"] for e in every]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
evs = [e for e in every if e["kind"] == "state"]
def trail(pred):
    return [(e["old_state"], e["state"]) for e in evs if pred(e)]
client = trail(lambda e: e["remote_port"] == lport and e["port"] in (cport, 0))
server = trail(lambda e: (e["port"], e["remote_port"]) == (lport, cport)
               or (e["port"] == lport and e["old_state"] == "LISTEN" and e["state"] == "SYN-RECV"))
listener = trail(lambda e: e["port"] == lport and e["remote_port"] == 0
                 and (e["old_state"], e["state"]) != ("LISTEN", "SYN-RECV"))
want = {
    "client": [("CLOSE", "SYN-SENT"), ("SYN-SENT", "ESTAB"), ("ESTAB", "FIN-WAIT-1"),
               ("FIN-WAIT-1", "FIN-WAIT-2"), ("FIN-WAIT-2", "CLOSE")],
    "server": [("LISTEN", "SYN-RECV"), ("SYN-RECV", "ESTAB"), ("ESTAB", "CLOSE-WAIT"),
               ("CLOSE-WAIT", "LAST-ACK"), ("LAST-ACK", "CLOSE")],
    "listener": [("CLOSE", "LISTEN"), ("LISTEN", "CLOSE")],
}
for name, got in (("client", client), ("server", server), ("listener", listener)):
    assert got == want[name], "%s: %s" % (name, got)
connect = [e for e in evs if e["remote_port"] == lport and e["state"] == "SYN-SENT"][0]
assert connect["pid"] == pid and connect["comm"] == "python3", connect
assert all(e["addr"] == "127.0.0.1" and e["family"] == 4 for e in evs
           if lport in (e["port"], e["remote_port"]))
# ss, while established, against the ends of the changes to ESTAB
ss = set()
for line in open(sys.argv[5]):
    f = line.split()
    ss.add((int(f[2].rsplit(":", 1)[1]), int(f[3].rsplit(":", 1)[1])))
estab = {(e["port"], e["remote_port"]) for e in evs if e["state"] == "ESTAB"
         if lport in (e["port"], e["remote_port"])}
assert ss == estab == {(cport, lport), (lport, cport)}, (ss, estab)
PY
}

# Connections of known size, IPv4 and IPv6 (1000 bytes out, 3000 back, the
# client closes first), and a connect to a port bound without a listener.
# Prints JSON: the pid, each connection's ports, the refused port.
cat > "/tmp/knetmon-life.py" <<'PY'
import json, os, socket, sys
from knetmon_sync import sync
sync(sys.argv[1])
out = {"pid": os.getpid(), "conns": []}
for fam, lo in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    l = socket.socket(fam); l.bind((lo, 0)); l.listen(1)
    c = socket.socket(fam); c.connect(l.getsockname()[:2]); a, _ = l.accept()
    lport, cport = l.getsockname()[1], c.getsockname()[1]
    c.sendall(b"c" * 1000)
    n = 0
    while n < 1000: n += len(a.recv(1000 - n))
    a.sendall(b"s" * 3000)
    n = 0
    while n < 3000: n += len(c.recv(3000 - n))
    c.close(); assert a.recv(1) == b""; a.close(); l.close()
    out["conns"].append({"family": 4 if fam == socket.AF_INET else 6, "addr": lo,
                         "lport": lport, "cport": cport})
held = socket.socket(); held.bind(("127.0.0.1", 0))
out["refused"] = held.getsockname()[1]
r = socket.socket()
assert r.connect_ex(("127.0.0.1", out["refused"])) == 111   # ECONNREFUSED
r.close(); held.close()
print(json.dumps(out))
PY

# The peers attach with BPF: bpffs and tracefs, mounted once per boot.
mount_bpf_fs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || return 1
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
}

PEERS=
stop_peers() {
	# SIGINT: the tools print what they hold and exit
	for p in $PEERS; do kill -INT "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
	PEERS=
	cleanup_ns
}

test_connect_accept_close_match_tcpconnect_tcplife_and_tcpstates() {
	for t in tcpconnect tcplife tcpstates; do
		[ -x "/usr/sbin/$t" ] || fail "no /usr/sbin/$t: scripts/deps installs libbpf-tools"
	done
	# the debug kernel (scripts/debug-kernel) is built without BPF
	[ -d /sys/fs/bpf ] || skip "this kernel has no BPF: the peers cannot run"
	mount_bpf_fs || fail "cannot mount bpffs or tracefs"
	setup_ns peers; trap stop_peers EXIT
	stdbuf -oL /usr/sbin/tcpconnect > "$W/tcpconnect.txt" 2>&1 & PEERS="$PEERS $!"
	stdbuf -oL /usr/sbin/tcplife -w > "$W/tcplife.txt" 2>&1 & PEERS="$PEERS $!"
	stdbuf -oL /usr/sbin/tcpstates > "$W/tcpstates.txt" 2>&1 & PEERS="$PEERS $!"
	# each prints its header once attached (line-buffered: stdout is a file)
	busywait 60000 grep -q "DPORT" "$W/tcpconnect.txt" || fail "tcpconnect: $(cat "$W/tcpconnect.txt")"
	busywait 60000 grep -q "RPORT" "$W/tcplife.txt" || fail "tcplife: $(cat "$W/tcplife.txt")"
	busywait 60000 grep -q "NEWSTATE" "$W/tcpstates.txt" || fail "tcpstates: $(cat "$W/tcpstates.txt")"
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds state,connect,accept,close \
		> "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
	ip netns exec "$NS" "$KNETMON" monitor --kinds connect,close > "$W/mon.txt" 2>&1 &
	MON2=$!
	inns python3 /tmp/knetmon-life.py "$W/mon.json" > "$W/py.out" ||
		fail "script failed"
	refused=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refused"])' "$W/py.out")
	busywait 10000 grep -q "\"kind\":\"connect\",\"result\":-111,.*\"remote_port\":$refused," \
		"$W/mon.json" || fail "no refusal of $refused in: $(tail -3 "$W/mon.json")"
	busywait 10000 grep -q "Connection refused" "$W/mon.txt" || fail "text: $(cat "$W/mon.txt")"
	sleep 1		# the peers' ring buffers
	for p in $PEERS; do kill -INT "$p"; wait "$p" || true; done
	PEERS=
	python3 - "$W" <<'PY' || fail "knetmon and the peers disagree"
import json, sys
W = sys.argv[1]
run = json.load(open(W + "/py.out"))
pid = run["pid"]
evs = [json.loads(l) for l in open(W + "/mon.json")]
kind = lambda k: [e for e in evs if e["kind"] == k and e["pid"] == pid]
def table(name, cols):
    rows = [l.split() for l in open(W + "/" + name)]
    head = next(r for r in rows if cols[0] in r and cols[-1] in r)
    return [dict(zip(head, r)) for r in rows[rows.index(head) + 1:] if len(r) == len(head)]

# tcpconnect: one row per attempt, the same as knetmon's attempts
attempts = {(e["family"], e["remote_addr"], e["remote_port"]) for e in kind("connect")
            if e["result"] == -115}
peer = {(int(r["IP"]), r["DADDR"], int(r["DPORT"])) for r in table("tcpconnect.txt", ["PID", "DPORT"])
        if int(r["PID"]) == pid}
want = {(c["family"], c["addr"], c["lport"]) for c in run["conns"]} | {(4, "127.0.0.1", run["refused"])}
assert attempts == peer == want, ("attempts", attempts, "tcpconnect", peer, "script", want)
# each attempt's outcome, on the same cookie
for c in run["conns"]:
    a = [e for e in kind("connect") if e["port"] == c["cport"] and e["remote_port"] == c["lport"]]
    assert [e["result"] for e in a] == [-115, 0] and a[0]["cookie"] == a[1]["cookie"], a
    acc = [e for e in kind("accept") if (e["port"], e["remote_port"]) == (c["lport"], c["cport"])]
    assert len(acc) == 1, acc
# tcplife: one row per connection end, with its bytes
life = {(int(r["LPORT"]), int(r["RPORT"])): (r["TX_KB"], r["RX_KB"])
        for r in table("tcplife.txt", ["PID", "MS"]) if int(r["PID"]) == pid}
ours = {(e["port"], e["remote_port"]): ("%.2f" % (e["bytes_acked"] / 1024),
                                        "%.2f" % (e["bytes_received"] / 1024))
        for e in kind("close")}
ends = {(c["cport"], c["lport"]) for c in run["conns"]} | {(c["lport"], c["cport"]) for c in run["conns"]}
# tcplife counts the refused attempt as a session of no bytes; knetmon as
# a connect whose outcome is the refusal, with no close
refusal = [e for e in kind("connect") if e["result"] == -111]
assert len(refusal) == 1 and refusal[0]["remote_port"] == run["refused"], refusal
assert life.pop((refusal[0]["port"], run["refused"])) == ("0.00", "0.00"), life
assert set(life) == set(ours) == ends, (life, ours, ends)
assert life == ours, (life, ours)
for e in kind("close"):
    client = any(e["port"] == c["cport"] for c in run["conns"])
    assert e["closed_by"] == ("local" if client else "remote"), e
    assert 1000 <= (e["bytes_acked"] if client else e["bytes_received"]) <= 1002, e
    assert 3000 <= (e["bytes_received"] if client else e["bytes_acked"]) <= 3002, e
# tcpstates: the same changes of the script's connections (its names, ss's)
name = {"ESTABLISHED": "ESTAB", "SYN_SENT": "SYN-SENT", "SYN_RECV": "SYN-RECV",
        "FIN_WAIT1": "FIN-WAIT-1", "FIN_WAIT2": "FIN-WAIT-2", "CLOSE_WAIT": "CLOSE-WAIT",
        "LAST_ACK": "LAST-ACK", "LISTEN": "LISTEN", "CLOSE": "CLOSE", "CLOSING": "CLOSING"}
ports = {c["lport"] for c in run["conns"]} | {c["cport"] for c in run["conns"]} | {run["refused"]}
mine = sorted((e["port"], e["remote_port"], e["old_state"], e["state"]) for e in evs
              if e["kind"] == "state" and (e["port"] in ports or e["remote_port"] in ports))
theirs = sorted((int(r["LPORT"]), int(r["RPORT"]), name[r["OLDSTATE"]], name[r["NEWSTATE"]])
                for r in table("tcpstates.txt", ["SKADDR", "MS"])
                if int(r["LPORT"]) in ports or int(r["RPORT"]) in ports)
assert mine == theirs, ("knetmon", mine, "tcpstates", theirs)
PY
}

# A free loopback port of FAMILY's (bound and closed at once).
free_port() {
	inns python3 -c 'import socket, sys
f = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(f); s.bind(("::1" if sys.argv[1] == "6" else "127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}

# After DELAY s: a connection to PORT on ADDR that is refused (nobody
# listens yet), one to another port, then a listener on PORT and a
# connection to it held for HOLD s.
connect_later() {
	inns python3 -c 'import socket, sys, time
addr, port, delay, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
f = socket.AF_INET6 if ":" in addr else socket.AF_INET
time.sleep(delay)
r = socket.socket(f); assert r.connect_ex((addr, port)) == 111; r.close()
o = socket.socket(f); o.bind((addr, 0)); o.listen(1)
oc = socket.create_connection(o.getsockname()[:2]); oa = o.accept()
l = socket.socket(f); l.bind((addr, port)); l.listen(1)
c = socket.create_connection((addr, port)); a = l.accept()   # held, or they close
time.sleep(hold)' "$@"
}

test_wait_connect_returns_when_a_connection_there_is_established() {
	setup_ns waitconn; trap cleanup_ns EXIT
	for fam in 4 6; do
		if [ $fam = 4 ]; then addr=127.0.0.1; arg=127.0.0.1; else addr=::1; arg="[::1]"; fi
		port=$(free_port $fam)
		start=$(date +%s%3N)
		connect_later "$addr" "$port" 1.5 1 &
		rc=0; inns "$KNETMON" wait --connect "$arg:$port" --timeout 20 -j > "$W/wait.json" \
			2> "$W/wait.err" || rc=$?
		took=$(( $(date +%s%3N) - start ))
		wait
		[ "$rc" = 0 ] || fail "IPv$fam: exit $rc: $(cat "$W/wait.err")"
		[ "$took" -ge 1500 ] || fail "IPv$fam: returned after $took ms, before anything connected"
		python3 - "$W/wait.json" "$port" <<'PY' || fail "IPv$fam: wrong record: $(cat "$W/wait.json")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["kind"] == "connect" and e["result"] == 0 and e["remote_port"] == int(sys.argv[2]), e
assert e["comm"] == "python3", e
PY
	done
}

test_wait_connect_already_established_returns_at_once() {
	setup_ns waitnow; trap cleanup_ns EXIT
	port=$(free_port 4)
	connect_later 127.0.0.1 "$port" 0 5 &
	held=$!
	busywait 10000 sh -c "ip netns exec $NS ss -Htn state established | grep -q ':$port '" ||
		fail "the connection never came"
	start=$(date +%s%3N)
	rc=0; inns "$KNETMON" wait --connect "127.0.0.1:$port" --timeout 20 -j > "$W/wait.json" \
		2> "$W/wait.err" || rc=$?
	took=$(( $(date +%s%3N) - start ))
	wait "$held" || true	# it lets go after 5 s
	[ "$rc" = 0 ] || fail "exit $rc: $(cat "$W/wait.err")"
	[ "$took" -lt 10000 ] || fail "took $took ms for a connection already there"
	python3 - "$W/wait.json" "$port" <<'PY' || fail "wrong record: $(cat "$W/wait.json")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["state"] == "ESTAB" and e["remote_port"] == int(sys.argv[2]), e
PY
}

test_wait_connect_times_out_on_refusals_with_exit_1() {
	setup_ns waitnone; trap cleanup_ns EXIT
	port=$(free_port 4)
	inns python3 -c 'import socket, sys, time
for _ in range(5):
    r = socket.socket(); assert r.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 111; r.close()
    time.sleep(0.2)' "$port" &
	rc=0; inns "$KNETMON" wait --connect "127.0.0.1:$port" --timeout 2 > "$W/wait.out" 2>&1 || rc=$?
	wait
	[ "$rc" = 1 ] || fail "exit $rc, not 1: $(cat "$W/wait.out")"
	grep -q "timed out" "$W/wait.out" || fail "no reason: $(cat "$W/wait.out")"
	rc=0; "$KNETMON" wait --connect 127.0.0.1 > "$W/wait.out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "a peer without a port: exit $rc"
	rc=0; "$KNETMON" wait --connect 127.0.0.1:80 --port 80 > "$W/wait.out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "--connect with --port: exit $rc"
}

# Unanswered SYNs time out (a dummy device swallows them; one retry, so
# ~3 s), an unreachable route fails in the call: the attempt and its
# outcome on one cookie for the first, one event with the call's error and
# the destination asked for, for the second. Both return what connect()
# returned to the script.
test_connect_outcomes_timeout_and_unreachable_are_what_connect_returned() {
	modprobe dummy
	setup_ns outcomes; trap cleanup_ns EXIT
	inns ip link add d0 type dummy || fail "no dummy link"
	inns ip addr add 192.0.2.1/24 dev d0
	inns ip link set d0 up
	inns ip route add unreachable 198.51.100.0/24
	inns sysctl -qw net.ipv4.tcp_syn_retries=1
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds state,connect > "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
	inns env PYTHONPATH=/tmp python3 - "$W/mon.json" > "$W/py.out" <<'PY' || fail "script failed"
import os, socket, sys
from knetmon_sync import sync
sync(sys.argv[1])
t = socket.socket(); rt = t.connect_ex(("192.0.2.2", 80))
u = socket.socket(); ru = u.connect_ex(("198.51.100.1", 80))
print(os.getpid(), rt, ru)
PY
	read -r pid rt ru < "$W/py.out"
	[ "$rt" = 110 ] && [ "$ru" = 113 ] || fail "connect returned $rt and $ru, not ETIMEDOUT and EHOSTUNREACH"
	busywait 10000 grep -q '"result":-113' "$W/mon.json" || fail "no unreachable: $(tail -3 "$W/mon.json")"
	python3 - "$W/mon.json" "$pid" <<'PY' || fail "outcomes wrong"
import json, sys
pid = int(sys.argv[2])
evs = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"connect"' in l]
tmo = [e for e in evs if e["remote_addr"] == "192.0.2.2"]
assert [e["result"] for e in tmo] == [-115, -110], tmo
assert tmo[0]["cookie"] == tmo[1]["cookie"] != 0 and all(e["pid"] == pid for e in tmo), tmo
unr = [e for e in evs if e["remote_addr"] == "198.51.100.1"]
assert len(unr) == 1 and unr[0]["result"] == -113 and unr[0]["remote_port"] == 80, unr
assert unr[0]["pid"] == pid, unr
PY
}

# A connection of known size held open: the counters each end's record
# carries equal those ss -ti prints for it, read at rest; owners too.
test_connections_view_equals_ss_ti_and_names_the_owner() {
	setup_ns connview; trap cleanup_ns EXIT
	inns python3 -c 'import os, socket, sys, time
l = socket.socket(socket.AF_INET6); l.bind(("::1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()[:2]); a, _ = l.accept()
c.sendall(b"c" * 1000); n = 0
while n < 1000: n += len(a.recv(1000 - n))
a.sendall(b"s" * 3000); n = 0
while n < 3000: n += len(c.recv(3000 - n))
print(os.getpid(), l.getsockname()[1], c.getsockname()[1], flush=True)
time.sleep(6)' > "$W/conn.out" &
	held=$!
	busywait 10000 test -s "$W/conn.out" || fail "the connection never came"
	sleep 0.5	# the last ACKs
	read -r pid lport cport < "$W/conn.out"
	inns ss -Htin > "$W/ss.txt"
	inns "$KNETMON" connections -j > "$W/conns.json" || fail "connections failed"
	inns "$KNETMON" connections > "$W/conns.txt" || fail "connections (text) failed"
	wait "$held" || true
	grep -q "\[::1\]:$lport .*$pid/python3" "$W/conns.txt" || fail "text: $(cat "$W/conns.txt")"
	python3 - "$W" "$pid" "$lport" "$cport" <<'PY' || fail "connections and ss -ti disagree"
import json, re, sys
W, pid, lport, cport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ss, lines = {}, open(W + "/ss.txt").read().split("\n")
for head, info in zip(lines[::2], lines[1::2]):
    f = head.split()
    ends = (int(f[3].rsplit(":", 1)[1]), int(f[4].rsplit(":", 1)[1]))
    nums = dict(re.findall(r"(?<!\w)(bytes_acked|bytes_received|segs_out|segs_in):(\d+)", info))
    ss[ends] = {k: int(v) for k, v in nums.items()}
ours = {}
for e in json.load(open(W + "/conns.json")):
    ends = (int(e["local"].rsplit(":", 1)[1]), int(e["remote"].rsplit(":", 1)[1]))
    ours[ends] = e
for ends in ((cport, lport), (lport, cport)):
    assert ends in ours and ends in ss, (ends, ours.keys(), ss.keys())
    e = ours[ends]
    for k in ("bytes_acked", "bytes_received", "segs_out", "segs_in"):
        assert e[k] == ss[ends].get(k, 0), (ends, k, e[k], ss[ends])
    assert e["pid"] == pid and e["comm"] == "python3" and e["state"] == "ESTABLISHED", e
client = ours[(cport, lport)]
assert client["bytes_acked"] == 1001 and client["bytes_received"] == 3000, client
PY
}

test_default_kinds_and_penguin_files_leave_connections_out() {
	setup_ns quiet; trap cleanup_ns EXIT
	# the default kinds: only the bind stream (sync on the listener's bind)
	ip netns exec "$NS" "$KNETMON" monitor -j > "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds state,listen --penguin "$W" \
		> "$W/mon2.json" 2> "$W/mon2.err" &
	MON2=$!
	inns python3 /tmp/knetmon-conn.py "$W/mon.json" > "$W/py.out" || fail "script failed"
	read -r pid lport cport < "$W/py.out"
	busywait 10000 grep -q "\"port\":$lport,.*\"state\":\"CLOSE\"" "$W/mon2.json" ||
		fail "the state monitor saw no close of $lport"
	busywait 10000 grep -q "\"kind\":\"release\".*\"port\":$lport," "$W/mon.json" ||
		fail "the default monitor saw no release of $lport"
	kill "$MON2"; wait "$MON2" || true; MON2=
	! grep -q '"kind":"state"' "$W/mon.json" || fail "default kinds printed state events"
	grep -q '"kind":"state"' "$W/mon2.json" || fail "--kinds state printed none"
	# Penguin's file: the binds of the script (every sync listener and the
	# listener; the client's port is not bound explicitly), never a state
	python3 - "$W/netbinds.csv" "$lport" "$cport" <<'PY' || fail "netbinds.csv wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ports = {int(r["guest_port"]) for r in rows}
assert int(sys.argv[2]) in ports, rows
assert int(sys.argv[3]) not in ports, rows
assert all(r["domain"] == "tcp" and r["procname"] == "python3" for r in rows), rows
PY
}

# A sender from an unbound socket: twice to each of three peers, then a
# connect() to a fourth and a send there; ss's view of the sender before
# and after the connect goes to $W/ss-udp.txt. Synced first on every monitor file given.
cat > "/tmp/knetmon-udp.py" <<'PY'
import os, socket, subprocess, sys, time
def synced(paths):
    seen = set()
    for _ in range(400):
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 0))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"s", r.getsockname()); seen.add('"remote_port":%d,' % r.getsockname()[1])
        seen.add("-> 127.0.0.1:%d " % r.getsockname()[1])
        s.close(); r.close()
        time.sleep(0.05)
        if all(any(p in open(f).read() for p in seen) for f in paths if os.path.exists(f)) \
                and all(os.path.exists(f) for f in paths):
            return
    sys.exit("a monitor never saw a sync datagram")
synced(sys.argv[1:])
peers = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
for p in peers: p.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ss():
    return subprocess.run(["ss", "-Huan", "sport", "= :%d" % s.getsockname()[1]],
                          capture_output=True, text=True).stdout
for p in peers[:3] * 2: s.sendto(b"x", p.getsockname())
unconnected = ss()
s.connect(peers[3].getsockname()); s.send(b"y")
open("/tmp/knetmon-conns-cli/ss-udp.txt", "w").write(unconnected + ss())
print(os.getpid(), s.getsockname()[1], " ".join(str(p.getsockname()[1]) for p in peers))
PY

test_monitor_udp_shows_each_flow_once_with_the_sender_as_ss_lists_it() {
	setup_ns udp; trap cleanup_ns EXIT
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds udp > "$W/mon.json" 2> "$W/mon.err" &
	MON=$!
	ip netns exec "$NS" "$KNETMON" monitor --kinds udp > "$W/mon.txt" 2> "$W/mon2.err" &
	MON2=$!
	inns python3 /tmp/knetmon-udp.py "$W/mon.json" "$W/mon.txt" > "$W/py.out" ||
		fail "script failed: $(cat "$W/mon.err" "$W/mon2.err")"
	read -r pid sport p1 p2 p3 p4 < "$W/py.out"
	busywait 10000 grep -q "\"remote_port\":$p4," "$W/mon.json" ||
		fail "no flow to the connected peer: $(cat "$W/mon.json")"
	busywait 10000 grep -q -- "-> 127.0.0.1:$p4 " "$W/mon.txt" ||
		fail "text: no flow to the connected peer: $(cat "$W/mon.txt")"
	python3 - "$W/mon.json" "$pid" "$sport" "$p1 $p2 $p3 $p4" "$W/ss-udp.txt" <<'PY' ||
import json, sys
pid, sport, peers = int(sys.argv[2]), int(sys.argv[3]), [int(p) for p in sys.argv[4].split()]
mine = [e for e in map(json.loads, open(sys.argv[1])) if e.get("port") == sport]
assert [e["remote_port"] for e in mine] == peers, mine      # once each, in order
assert all(e["kind"] == "udp" and e["proto"] == "udp" for e in mine), mine
assert [e["via"] for e in mine] == ["send"] * 3 + ["connect"], mine
assert all(e["pid"] == pid and e["comm"] == "python3" for e in mine), mine
# ss: the sender's local end before connect(), and its ends after
before, after = [l.split()[3:5] for l in open(sys.argv[5]).read().splitlines()]
assert before[0] == "%s:%d" % (mine[0]["addr"], sport), (before, mine[0])
assert after == ["%s:%d" % (mine[3]["addr"], sport), "127.0.0.1:%d" % peers[3]], (after, mine[3])
PY
		fail "udp flows wrong: $(cat "$W/mon.json")"
	for p in $p1 $p2 $p3 $p4; do
		n=$(grep -c "^udp .*:$sport .*-> 127.0.0.1:$p .*pid $pid/python3" "$W/mon.txt" || true)
		[ "$n" = 1 ] || fail "text: $n lines for the flow to $p: $(cat "$W/mon.txt")"
	done
}

test_unprivileged_monitor_of_state_is_refused() {
	setup_ns unpriv; trap cleanup_ns EXIT
	rc=0; as_nobody "$KNETMON" monitor --kinds state --timeout 1 > "$W/out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "an unprivileged monitor of connections ran"
	grep -q "CAP_NET_ADMIN" "$W/out" || fail "no reason given: $(cat "$W/out")"
}

run_tests test_monitor_state_json_follows_each_end_and_matches_ss \
	test_connect_accept_close_match_tcpconnect_tcplife_and_tcpstates \
	test_wait_connect_returns_when_a_connection_there_is_established \
	test_wait_connect_already_established_returns_at_once \
	test_wait_connect_times_out_on_refusals_with_exit_1 \
	test_connections_view_equals_ss_ti_and_names_the_owner \
	test_connect_outcomes_timeout_and_unreachable_are_what_connect_returned \
	test_default_kinds_and_penguin_files_leave_connections_out \
	test_monitor_udp_shows_each_flow_once_with_the_sender_as_ss_lists_it \
	test_unprivileged_monitor_of_state_is_refused
