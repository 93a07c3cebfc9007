#!/bin/sh
# insmod/rmmod cycles while processes bind, listen and close in a loop, a
# monitor is subscribed and dumps run: no warning (the VM rig fails the run
# on any), no stuck module, nothing of knetmon left in the slab caches.
. selftests/lib.sh

: "${KNETMON_CYCLES:=200}"

# Four processes: UDP binds, TCP binds + listen, v6 binds, connect autobinds.
start_churn() {
	python3 - <<'PY' &
import os, socket, time
end = time.time() + 3600
def loop(kind):
    while time.time() < end:
        try:
            if kind == 0:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
            elif kind == 1:
                s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
            elif kind == 2:
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("127.0.0.1", 9))
            s.close()
        except OSError:
            pass
for k in range(3):
    if os.fork() == 0:
        loop(k); os._exit(0)
loop(3)
PY
	churn=$!
}

stop_churn() {
	pkill -f "end = time.time" 2>/dev/null || true
	kill "$churn" 2>/dev/null || true
	wait 2>/dev/null || true
}

test_load_unload_cycles_under_binds_monitor_and_dumps() {
	# Known failure, not yet fixed: within 200 cycles both kernels oops in
	# __sock_release (a call to address 0 at inet_release's entry, with
	# interrupts off, text patching in flight) while rmmod removes the
	# release kprobe under a bind/close storm. Reported on issue 6; run it
	# with KNETMON_STRESS=1. Skipped with this reason, never silently.
	[ "${KNETMON_STRESS:-0}" = 1 ] ||
		skip "known oops in rmmod under a bind storm (issue 6); KNETMON_STRESS=1 runs it"
	unload_module
	start_churn
	i=0
	while [ $i -lt "$KNETMON_CYCLES" ]; do
		insmod "$KNETMON_KO" || { stop_churn; fail "insmod failed on cycle $i"; }
		"$KNETMON" monitor -j > /dev/null 2>&1 &
		mon=$!
		"$KNETMON" netstat -tuan > /dev/null 2>&1 || true
		"$KNETMON" binds > /dev/null 2>&1 || true
		# a dump in flight holds the module: rmmod may have to wait for it
		busywait 10000 rmmod knetmon 2>/dev/null || { stop_churn; fail "rmmod never succeeded on cycle $i"; }
		# the monitor may already have gone with the family
		kill "$mon" 2>/dev/null || true
		wait "$mon" 2>/dev/null || true
		i=$((i + 1))
	done
	stop_churn
	! module_loaded || fail "knetmon still loaded"
	! grep -q knetmon /proc/slabinfo || fail "a knetmon slab cache outlived the module"
	load_module
	"$KNETMON" info > /dev/null || fail "module does not answer after the cycles"
}

run_tests test_load_unload_cycles_under_binds_monitor_and_dumps
