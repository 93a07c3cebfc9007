#!/bin/sh
# Loading and unloading knetmon leaves nothing behind, and the CLI says
# plainly when the module is missing.
# userland: busybox
. selftests/lib.sh

test_info_without_module_fails_in_one_line() {
	unload_module
	rc=0
	"$KNETMON" info > /tmp/out 2> /tmp/err || rc=$?
	load_module
	[ "$rc" = 3 ] || fail "exit status $rc, expected 3"
	[ ! -s /tmp/out ] || fail "printed to stdout: $(cat /tmp/out)"
	[ "$(wc -l < /tmp/err)" = 1 ] || fail "stderr is not one line: $(cat /tmp/err)"
	grep -q 'insmod knetmon.ko' /tmp/err || fail "no fix in: $(cat /tmp/err)"
}

test_fifty_load_unload_cycles_leave_nothing() {
	unload_module
	before=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	i=0
	while [ $i -lt 50 ]; do
		insmod "$KNETMON_KO" || fail "insmod failed on cycle $i"
		"$KNETMON" info > /dev/null || fail "no answer on cycle $i"
		rmmod knetmon || fail "rmmod failed on cycle $i"
		i=$((i + 1))
	done
	! module_loaded || fail "knetmon still in /proc/modules"
	[ ! -e /sys/module/knetmon ] || fail "/sys/module/knetmon still exists"
	rc=0; "$KNETMON" info 2> /dev/null || rc=$?
	[ "$rc" = 3 ] || fail "family still answers after rmmod (exit $rc)"
	after=$(dmesg | grep -cE 'WARNING|BUG|Call Trace' || true)
	[ "$before" = "$after" ] || fail "kernel log gained warnings"
	load_module
}

test_unprivileged_user_can_read_info() {
	load_module
	as_nobody "$KNETMON" info > /tmp/out ||
		fail "info refused to uid 65534"
	grep -q "knetmon module" /tmp/out || fail "unexpected output: $(cat /tmp/out)"
}

run_tests test_info_without_module_fails_in_one_line \
	test_fifty_load_unload_cycles_leave_nothing \
	test_unprivileged_user_can_read_info
