#!/bin/sh
# The device benchmark, inside a target guest (scripts/bench --target NAME):
# listing time against busybox's netstat, the tool a device has, and the
# bind loop with and without the module, in one boot. Prints "listing ..."
# lines (bench/listing.c) and "bindloop off|on BINDS/S" lines.
set -eu
sizes=${BENCH_SIZES:-1000,10000}
runs=${BENCH_RUNS:-5}
seconds=${BENCH_SECONDS:-3}
insmod "$KNETMON_KO"
for n in $(echo "$sizes" | tr , ' '); do
	# Debian's busybox netstat has no -p: a device cannot name owners
	"$KNETMON_BENCH/listing" "$n" "$runs" "$KNETMON netstat -tan" "netstat -tan" \
		"$KNETMON netstat -tanp" "cat /proc/net/tcp /proc/net/tcp6"
done
# Without and with the module (nobody subscribed), taking turns, so that a
# slow moment of the emulator falls on both.
for _ in $(seq "$runs"); do
	rmmod knetmon
	echo "bindloop off $("$KNETMON_BENCH/bindloop" "$seconds" | cut -d' ' -f3)"
	insmod "$KNETMON_KO"
	echo "bindloop on $("$KNETMON_BENCH/bindloop" "$seconds" | cut -d' ' -f3)"
done
