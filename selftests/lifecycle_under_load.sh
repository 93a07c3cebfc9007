#!/bin/sh
# insmod/rmmod cycles while processes bind, listen and close in a loop, a
# monitor is subscribed and dumps run: no warning (the VM rig fails the run
# on any), no stuck module, nothing of knetmon left in the slab caches.
# KNETMON_CYCLES sets the count (make check: 200; scripts/soak: 1,000).
. selftests/lib.sh

: "${KNETMON_CYCLES:=200}"

# The bind storm (selftests/churn.py): four niced processes that bind,
# listen and close in a loop and write their pids to /tmp/knetmon-churn.pids.
start_churn() {
	python3 selftests/churn.py /tmp/knetmon-churn.pids &
	churn=$!
}

# Binds the module has seen since it was loaded (bind + autobind events).
churn_binds() {
	"$KNETMON" info -j | python3 -c '
import json, sys
c = json.load(sys.stdin)["counters"]
print(c["events_bind"] + c["events_autobind"])'
}

# The three forked binders first: they must not outlive the test and storm
# the tests that come after it.
stop_churn() {
	[ -n "$churn" ] || return 0
	kill $(cat /tmp/knetmon-churn.pids 2> /dev/null) "$churn" 2> /dev/null || true
	wait 2>/dev/null || true
	churn=
}

# True once none of the binders' pids is alive.
churn_gone() {
	for p in $(cat /tmp/knetmon-churn.pids); do
		! kill -0 "$p" 2> /dev/null || return 1
	done
}

test_load_unload_cycles_under_binds_monitor_and_dumps() {
	unload_module
	start=$(date +%s)
	rm -f /tmp/knetmon-churn.pids
	start_churn
	trap stop_churn EXIT
	busywait 20000 test -s /tmp/knetmon-churn.pids || fail "the binders never started"
	i=0 last_binds=0
	while [ $i -lt "$KNETMON_CYCLES" ]; do
		insmod "$KNETMON_KO" || { stop_churn; fail "insmod failed on cycle $i"; }
		# the cache is the module's own (never merged): its absence later means something
		[ $i -gt 0 ] || grep -q '^knetmon_bind_entry ' /proc/slabinfo ||
			{ stop_churn; fail "no knetmon_bind_entry cache in /proc/slabinfo while loaded"; }
		"$KNETMON" monitor -j > /dev/null 2>&1 &
		mon=$!
		"$KNETMON" netstat -tuan > /dev/null 2>&1 || true
		"$KNETMON" binds > /dev/null 2>&1 || true
		# the storm must really run while the module comes and goes
		[ $i -lt $((KNETMON_CYCLES - 1)) ] || last_binds=$(churn_binds)
		# a dump in flight holds the module: rmmod may have to wait for it
		busywait 10000 rmmod knetmon 2>/dev/null || { stop_churn; fail "rmmod never succeeded on cycle $i"; }
		# the monitor may already have gone with the family
		kill "$mon" 2>/dev/null || true
		wait "$mon" 2>/dev/null || true
		i=$((i + 1))
	done
	stop_churn
	# killed binders exit when next scheduled (niced: give them a moment)
	busywait 20000 churn_gone ||
		fail "a binder outlived the test: $(cat /tmp/knetmon-churn.pids)"
	echo "# $i cycles in $(( $(date +%s) - start )) s; $last_binds binds seen during the last"
	[ "$last_binds" -gt 0 ] || fail "no bind happened during the last cycle: the storm did not run"
	! module_loaded || fail "knetmon still loaded"
	! grep -q knetmon /proc/slabinfo || fail "a knetmon slab cache outlived the module"
	load_module
	"$KNETMON" info > /dev/null || fail "module does not answer after the cycles"
}

run_tests test_load_unload_cycles_under_binds_monitor_and_dumps
