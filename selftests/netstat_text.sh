#!/bin/sh
# knetmon netstat prints its text lines through a path of their own (built
# in one buffer for speed, see cmd_netstat.c print_inet_text) and its JSON
# through the print_* calls: both must say the same thing. In a netns of
# its own, with sockets held still by one process, every text line must be
# the line netstat's formats make of the matching JSON record.
. selftests/lib.sh

NS=
PY_PID=

cleanup() {
	[ -z "$PY_PID" ] || kill "$PY_PID" 2> /dev/null || true
	[ -z "$NS" ] || ip netns del "$NS" 2> /dev/null || true
	rm -f /tmp/knetmon-netstat-text.*
}

# TCP listeners and established pairs on IPv4 and IPv6 (one on port 22, so
# that a service name shows without -n), and a bound UDP socket.
HOLD_PY='
import socket, time
keep = []
for fam, addr, port in ((socket.AF_INET, "127.0.0.1", 40120), (socket.AF_INET6, "::1", 40121),
                        (socket.AF_INET, "127.0.0.1", 22)):
    l = socket.socket(fam); l.bind((addr, port)); l.listen()
    c = socket.socket(fam); c.connect((addr, port))
    keep += [l, c, l.accept()[0]]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 40122)); keep.append(u)
open("/tmp/knetmon-netstat-text.ready", "w").close()
time.sleep(60)'

CHECK_PY='
import json, pwd, socket, sys
opts, text, js = sys.argv[1], open(sys.argv[2]).read().splitlines(), json.load(open(sys.argv[3]))
numeric = "n" in opts

def ep(addr, port, proto):
    if not port:
        return addr + ":*"
    if not numeric:
        try:
            return addr + ":" + socket.getservbyport(port, proto)
        except OSError:
            pass
    return addr + ":" + str(port)

want = []
for r in js:
    proto = "udp" if r["proto"].startswith("udp") else "tcp"
    line = "%-5s %6d %6d %-23s %-23s %-11s" % (
        r["proto"], r["recv_q"], r["send_q"], ep(r["local_address"], r["local_port"], proto),
        ep(r["remote_address"], r["remote_port"], proto), r["state"])
    if "e" in opts:
        line += " %-10s %-10d" % (pwd.getpwuid(r["uid"]).pw_name if not numeric else str(r["uid"]),
                                  r["inode"])
    if "p" in opts:
        o = r["owners"]
        line += " %-19s" % ("%d/%s" % (o[0]["pid"], o[0]["comm"]) if o else "-")
    want.append(line)
got = text[2:]
if len(want) < (1 if opts == "-uan" else 9):
    sys.exit("only %d records: the held sockets are not all there" % len(want))
for g, w in zip(got, want):
    if g != w:
        sys.exit("text:     %r\nfrom JSON: %r" % (g, w))
if len(got) != len(want):
    sys.exit("%d text lines, %d JSON records" % (len(got), len(want)))
print("# %s: %d lines agree" % (opts, len(got)))
'

test_text_lines_say_what_json_records_say() {
	NS=$(unique_netns text); trap cleanup EXIT
	load_module
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	rm -f /tmp/knetmon-netstat-text.ready
	ip netns exec "$NS" python3 -c "$HOLD_PY" &
	PY_PID=$!
	busywait 20000 test -e /tmp/knetmon-netstat-text.ready || fail "holder did not start"
	for opts in -tan -tanp -tanep -ta -tape -uan -tuanp; do
		ip netns exec "$NS" "$KNETMON" netstat $opts > /tmp/knetmon-netstat-text.txt ||
			fail "netstat $opts failed"
		ip netns exec "$NS" "$KNETMON" netstat $opts -j > /tmp/knetmon-netstat-text.json ||
			fail "netstat $opts -j failed"
		python3 -c "$CHECK_PY" "$opts" /tmp/knetmon-netstat-text.txt \
			/tmp/knetmon-netstat-text.json || fail "netstat $opts: text and JSON differ"
	done
}

run_tests test_text_lines_say_what_json_records_say
