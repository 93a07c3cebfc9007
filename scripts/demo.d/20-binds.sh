# Sourced by scripts/demo-guest: services start, knetmon logs their binds
# (text and Penguin's CSV files), and `wait --port 80` says the web server is up.
demo_dir=/tmp/knetmon-demo
mkdir -p "$demo_dir"
"$KNETMON" monitor -t --penguin "$demo_dir" > "$demo_dir/monitor.txt" 2>&1 &
demo_mon=$!
# A web server on 80, a UDP service and a unix socket (unix binds are not
# tracked yet: it shows that they are missing), started one second apart.
( sleep 1; exec python3 -m http.server 80 --bind 0.0.0.0 ) > /dev/null 2>&1 &
demo_web=$!
python3 -c '
import socket, time
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::", 5353))
x = socket.socket(socket.AF_UNIX); x.bind("\0knetmon-demo")
time.sleep(20)' &
demo_udp=$!
step "$KNETMON" wait --port 80 --listen --timeout 30
step "$KNETMON" binds
step "$KNETMON" binds -u -j
kill "$demo_web" "$demo_udp" || true
wait "$demo_web" "$demo_udp" 2> /dev/null || true
# The monitor stops on SIGTERM after the releases it has already read.
sleep 0.5
kill "$demo_mon" || true
wait "$demo_mon" 2> /dev/null || true
step cat "$demo_dir/monitor.txt"
step cat "$demo_dir/netbinds.csv" "$demo_dir/netbinds_summary.csv"
