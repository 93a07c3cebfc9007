# Sourced by scripts/demo-guest: interfaces, routes and neighbours of a
# scratch netns made of dummy devices (documentation addresses only).
modprobe dummy
ip netns add knetmon-demo
ip -n knetmon-demo link set lo up
ip -n knetmon-demo link add d0 type dummy
ip -n knetmon-demo link set d0 up
ip -n knetmon-demo addr add 192.0.2.1/24 dev d0
ip -n knetmon-demo addr add 2001:db8::1/64 dev d0 nodad
ip -n knetmon-demo route add 198.51.100.0/24 via 192.0.2.254
ip -n knetmon-demo route add default via 192.0.2.254 table 100
ip -n knetmon-demo neigh add 192.0.2.254 lladdr 02:00:00:00:00:fe dev d0 nud permanent
ip -n knetmon-demo neigh add 2001:db8::fe lladdr 02:00:00:00:00:fe dev d0 nud stale router
step ip netns exec knetmon-demo "$KNETMON" ifconfig
step ip netns exec knetmon-demo "$KNETMON" route -n
step ip netns exec knetmon-demo "$KNETMON" route --table all
step ip netns exec knetmon-demo "$KNETMON" arp -n
step ip netns exec knetmon-demo "$KNETMON" arp -j
ip netns del knetmon-demo
