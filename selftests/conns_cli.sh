#!/bin/sh
# monitor --kinds state against a connection the test itself makes: each
# end's TCP state changes in JSON and text, the established ends as ss
# lists them, and nothing of it where it was not asked for (the default
# kinds, Penguin's netbinds files). Each test runs in a netns of its own.
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
cat > "/tmp/knetmon-conn.py" <<'PY'
import os, socket, subprocess, sys, time
W = "/tmp/knetmon-conns-cli"
def sync(path):
    # the monitor is subscribed once it has printed an event of ours: the
    # first listener's CLOSE -> LISTEN (closed and made again until seen)
    for _ in range(400):
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
        port = s.getsockname()[1]; s.close()
        if os.path.exists(path) and ('"port":%d,' % port) in open(path).read():
            return
        time.sleep(0.05)
    sys.exit("monitor never saw a sync listener")
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
	ip netns exec "$NS" "$KNETMON" monitor -j --kinds state > "$W/mon.json" 2> "$W/mon.err" &
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
evs = [json.loads(l) for l in open(path)]
assert all(e["kind"] == "state" for e in evs), {e["kind"] for e in evs}
seqs = [e["seq"] for e in evs]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
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

test_unprivileged_monitor_of_state_is_refused() {
	setup_ns unpriv; trap cleanup_ns EXIT
	rc=0; as_nobody "$KNETMON" monitor --kinds state --timeout 1 > "$W/out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "an unprivileged monitor of connections ran"
	grep -q "CAP_NET_ADMIN" "$W/out" || fail "no reason given: $(cat "$W/out")"
}

run_tests test_monitor_state_json_follows_each_end_and_matches_ss \
	test_default_kinds_and_penguin_files_leave_connections_out \
	test_unprivileged_monitor_of_state_is_refused
