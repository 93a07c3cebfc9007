#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A bind storm for tests that load, unload or probe under load.

python3 selftests/churn.py PIDFILE [SECONDS]

Four processes bind and close in a loop until SECONDS (default 3600) pass:
UDP binds, TCP binds + listen, IPv6 UDP binds, and connect() autobinds. They
are niced, so they run whenever the test waits (probes being placed or
removed, grace periods) without starving the test itself. PIDFILE gets all
four pids once they run, so the caller can stop exactly them. A forked
binder whose parent is gone stops too.
"""
import os, socket, sys, time


def bind_once(kind):
    if kind == 0:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    elif kind == 1:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
    elif kind == 2:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("127.0.0.1", 9))
    s.close()


def loop(kind, parent, end):
    while time.time() < end and (kind == 3 or os.getppid() == parent):
        try:
            bind_once(kind)
        except OSError:
            pass


def main():
    pidfile = sys.argv[1]
    end = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 3600)
    os.nice(19)
    parent = os.getpid()
    pids = [parent]
    for kind in range(3):
        pid = os.fork()
        if pid == 0:
            loop(kind, parent, end)
            os._exit(0)
        pids.append(pid)
    with open(pidfile + ".tmp", "w") as f:
        f.write(" ".join(map(str, pids)) + "\n")
    os.rename(pidfile + ".tmp", pidfile)
    loop(3, parent, end)


if __name__ == "__main__":
    main()
