#!/bin/sh
# Helpers for knetmon's shell selftests, sourced by each selftests/*.sh.
# A test file defines test_* functions and ends with `run_tests test_a test_b`.
# Output is KTAP-style: "ok N name" / "not ok N name" and a closing
# "# Totals: pass:N fail:N ..." line that selftests/run adds up.
#
# Each test runs in a subshell under `set -e`: any failing command fails it.
# fail "why" fails it with a reason; skip "why" ends it as skipped (reported
# with the reason, never silent).

: "${KNETMON:=build/knetmon}"
: "${KNETMON_KO:?KNETMON_KO must name the knetmon.ko to test}"

_pass=0 _fail=0 _skip=0 _n=0
_SKIP=77

fail() { echo "# FAIL: $*" >&2; exit 1; }
skip() { echo "$*" > /tmp/knetmon-skip.$$; exit $_SKIP; }

module_loaded() { grep -q '^knetmon ' /proc/modules; }
load_module() { module_loaded || insmod "$KNETMON_KO"; }
unload_module() { ! module_loaded || rmmod knetmon; }

# busywait TIMEOUT_MS COMMAND...: retry COMMAND until it succeeds.
busywait() {
	_deadline=$(( $(date +%s%3N) + $1 )); shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$_deadline" ] || return 1
		sleep 0.05
	done
}

# info_counter NAME: a module counter (or a top-level field) from `info -j`;
# prints nothing (and the comparison using it fails) when there is no NAME.
info_counter() {
	"$KNETMON" info -j | python3 -c '
import json, sys
i = json.load(sys.stdin)
c = i["counters"]
print(c[sys.argv[1]] if sys.argv[1] in c else i[sys.argv[1]])' "$1"
}

# as_nobody CMD...: CMD as uid and gid 65534, without supplementary groups.
# A device's busybox setpriv cannot change ids; its su can (the target rig
# writes nobody's passwd entry).
as_nobody() {
	if setpriv --help 2>&1 | grep -q -- --reuid; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		su -s /bin/sh nobody -c 'exec "$0" "$@"' "$@"
	fi
}

# A netns name no other test uses.
unique_netns() { echo "knetmon-$$-$1"; }

# setup_ns NAME: a netns of the test's own in $NS with lo up, and the
# script's work directory $W emptied; inns CMD runs CMD in it. Foreground
# only: a background `inns CMD &` would make $! a subshell, and killing
# that leaves CMD running into the tests after this one (spell out
# `ip netns exec "$NS"` instead, which execs CMD).
setup_ns() {
	NS=$(unique_netns "$1")
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	rm -rf "$W"; mkdir -p "$W"
}
inns() { ip netns exec "$NS" "$@"; }

run_tests() {
	echo "TAP version 13"
	echo "1..$#"
	for t in "$@"; do
		_n=$((_n + 1))
		# Not in an `if`: that would switch set -e off inside the test.
		( set -e; "$t" )
		case $? in
		0)	echo "ok $_n $t"; _pass=$((_pass + 1)) ;;
		$_SKIP)	echo "ok $_n $t # SKIP $(cat /tmp/knetmon-skip.$$)"; _skip=$((_skip + 1)) ;;
		*)	echo "not ok $_n $t"; _fail=$((_fail + 1)) ;;
		esac
	done
	echo "# Totals: pass:$_pass fail:$_fail xfail:0 xpass:0 skip:$_skip error:0"
	[ "$_fail" = 0 ]
}
