# Sourced by scripts/demo-guest: sockets and their owners, from the module.
python3 -c '
import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 8080)); l.listen(8)
c = socket.create_connection(("127.0.0.1", 8080)); a, _ = l.accept()
c.send(b"x" * 3000)                                  # unread: shows in queues
p = socket.create_connection(("127.0.0.1", 8080))    # never accepted
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::1", 5353))
x = socket.socket(socket.AF_UNIX); x.bind("\0demo"); x.listen()
open("/tmp/demo-sockets-ready", "w").close()
time.sleep(30)' &
demo_py=$!
while [ ! -e /tmp/demo-sockets-ready ]; do sleep 0.1; done
step "$KNETMON" netstat -tanp
step "$KNETMON" netstat -ulnp -6
step "$KNETMON" netstat -xlp
step "$KNETMON" queues
step "$KNETMON" netstat -t -l -j
kill $demo_py
