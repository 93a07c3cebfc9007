# Sourced by scripts/demo-guest: services start, knetmon logs their binds
# (text and Penguin's CSV files), and `wait --port 80` says the web server is up.
demo_dir=/tmp/knetmon-demo
mkdir -p "$demo_dir"
"$KNETMON" monitor -t --penguin "$demo_dir" > "$demo_dir/monitor.txt" 2>&1 &
demo_mon=$!
# A web server on 80, a UDP service with an abstract unix control socket,
# and a unix socket service on a path that a client talks to (its socket
# gets an autobound name: SO_PASSCRED), started one second apart.
( sleep 1; exec python3 -m http.server 80 --bind 0.0.0.0 ) > /dev/null 2>&1 &
demo_web=$!
python3 -c '
import socket, time
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::", 5353))
x = socket.socket(socket.AF_UNIX); x.bind("\0knetmon-demo"); x.listen()
time.sleep(20)' &
demo_udp=$!
python3 -c '
import os, socket, time
path = "/tmp/knetmon-demo/app.sock"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen()
cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cli.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
cli.connect(path)
conn, _ = srv.accept(); cli.sendall(b"hello"); conn.recv(5)
time.sleep(20)' &
demo_unix=$!
step "$KNETMON" wait --port 80 --listen --timeout 30
step "$KNETMON" binds
step "$KNETMON" binds -u -j
step "$KNETMON" binds -x
step ss -xlp
kill "$demo_web" "$demo_udp" "$demo_unix" || true
wait "$demo_web" "$demo_udp" "$demo_unix" 2> /dev/null || true
# The monitor stops on SIGTERM after the releases it has already read.
sleep 0.5
kill "$demo_mon" || true
wait "$demo_mon" 2> /dev/null || true
step cat "$demo_dir/monitor.txt"
step cat "$demo_dir/netbinds.csv" "$demo_dir/netbinds_summary.csv"
