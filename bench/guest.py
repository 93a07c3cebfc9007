#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""knetmon benchmarks, run as root inside the test VM (scripts/bench boots it).

Every comparison is measured in the same boot; each figure is the median of
several runs. Writes results.json to $KNETMON_VM_OUT (or --out).
--smoke: the smallest sizes only, as `make check` runs it to keep it working.
"""
import argparse, json, os, re, resource, signal, socket, statistics, struct, subprocess, sys, time

KNETMON = os.environ.get("KNETMON", "build/knetmon")
KO = os.environ["KNETMON_KO"]
BINDLOOP = os.environ.get("BINDLOOP", "build/bench/bindloop")
ACCEPTLOOP = os.environ.get("ACCEPTLOOP", "build/bench/acceptloop")
UDPLOOP = os.environ.get("UDPLOOP", "build/bench/udploop")
# kretprobes with empty handlers where knetmon's bind loop probes fire
PROBEFLOOR = os.environ.get("PROBEFLOOR_KO", "")


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw).stdout


def module_loaded():
    with open("/proc/modules") as f:
        return any(l.startswith("knetmon ") for l in f)


def load(on, params=""):
    if on and not module_loaded():
        sh(f"insmod {KO} {params}")
    if not on and module_loaded():
        sh("rmmod knetmon")


def timed(cmd, runs):
    """Median wall time of CMD with its output thrown away."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---- 1. listing sockets ---------------------------------------------------

# Each tool's line for an established or listening TCP socket, to check that
# no tool wins by printing less. TIME_WAIT sockets left by earlier work
# expire between two tools' runs, so they are not counted.
TOOLS = {
    "knetmon": (f"{KNETMON} netstat -tan", f"{KNETMON} netstat -tanp", r"^tcp.*\b(ESTABLISHED|LISTEN)\b"),
    "ss": ("ss -tan", "ss -tanp", r"^(ESTAB|LISTEN)\s"),
    "netstat": ("netstat -tan", "netstat -tanp", r"^tcp.*\b(ESTABLISHED|LISTEN)\b"),
    "proc": ("cat /proc/net/tcp /proc/net/tcp6", None, r"^\s*\d+: \S+ \S+ (01|0A) "),
}


def make_sockets(n):
    """About N TCP sockets: 8 listeners and established loopback pairs."""
    listeners, fds = [], []
    for _ in range(8):
        l = socket.socket()
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(("127.0.0.1", 0))
        l.listen(4096)
        listeners.append(l)
    pairs = max(0, (n - len(listeners)) // 2)
    batch = 256
    for start in range(0, pairs, batch):
        clients = []
        for i in range(start, min(pairs, start + batch)):
            c = socket.socket()
            c.connect(listeners[i % 8].getsockname())
            clients.append((c, listeners[i % 8]))
        for c, l in clients:
            s, _ = l.accept()
            fds += [c, s]
    return listeners + fds


def spread(socks, m):
    """Hold SOCKS across M processes: children keep a slice each, then pause."""
    per = (len(socks) + m - 1) // m
    children = []
    for j in range(1, m):
        pid = os.fork()
        if pid == 0:
            keep = {s.fileno() for s in socks[j * per:(j + 1) * per]}
            for s in socks:
                if s.fileno() not in keep:
                    os.close(s.fileno())
            signal.pause()
            os._exit(0)
        children.append(pid)
    for s in socks[per:]:
        s.close()
    return socks[:per], children


def bench_listing(sizes, procs, runs, out, groups):
    for n in sizes:
        for m in procs:
            t0 = time.perf_counter()
            socks = make_sockets(n)
            kept, children = spread(socks, m)
            for tool, (plain, owners, pattern) in TOOLS.items():
                for with_owners, cmd in ((False, plain), (True, owners)):
                    if cmd is None:
                        continue
                    lines = sum(1 for l in sh(cmd).splitlines() if re.match(pattern, l))
                    once = timed(cmd, 1)
                    # netstat -p at 100k sockets takes minutes: fewer runs, said in the result
                    r = runs if once < 20 else 1
                    t = timed(cmd, r) if r > 1 else once
                    out.append({"n": n, "m": m, "tool": tool, "owners": with_owners,
                                "seconds": t, "runs": r, "sockets_listed": lines})
                    print(f"  listing n={n} m={m} {tool}{' -p' if with_owners else ''}: "
                          f"{t * 1000:.1f} ms, {lines} sockets", flush=True)
            for pid in children:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            for s in kept:
                s.close()
            time.sleep(0.2)
            # how long each size takes, to estimate a full run from a partial one
            groups.append({"n": n, "m": m, "seconds": time.perf_counter() - t0})
            print(f"  n={n} m={m} took {groups[-1]['seconds']:.0f} s", flush=True)


# ---- 1b. listing interfaces ----------------------------------------------

LINK_SIZES = (2500, 5000)


def bench_links(runs, out):
    """`knetmon ifconfig -a` against `ip addr show` over N dummy interfaces in
    a netns of their own, with dense ifindexes and with gaps of 100 between
    them: the listing must grow linearly in N either way."""
    for n in LINK_SIZES:
        for gap in (1, 100):
            sh("ip netns add kbench")
            try:
                cmds = "".join(f"link add kb{i} index {1000 + i * gap} type dummy\n"
                               for i in range(n))
                subprocess.run("ip -n kbench -batch -", shell=True, check=True, input=cmds,
                               text=True, stdout=subprocess.DEVNULL)
                for tool, cmd in (("knetmon", f"{KNETMON} ifconfig -a -N kbench"),
                                  ("ip", "ip -n kbench addr show")):
                    t = timed(cmd, runs)
                    out.append({"n": n, "gap": gap, "tool": tool, "seconds": t})
                    print(f"  links n={n} gap={gap} {tool}: {t * 1000:.1f} ms", flush=True)
            finally:
                sh("ip netns del kbench")


# ---- 1c. listing sockets of every netns ---------------------------------

NETNS_COUNT, NETNS_SOCKETS, INIT_SOCKETS = 100, 20, 3000


def setns(fd):
    """setns(2) by ctypes: Python 3.11 has no os.setns."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, 0x40000000) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def bench_all_netns(runs, out):
    """`knetmon netstat -uan --all-netns` over NETNS_COUNT namespaces of
    NETNS_SOCKETS bound UDP sockets each, beside INIT_SOCKETS in the initial
    one, against `ip -all netns exec ss -uan` (one ss per netns)."""
    held, init = [], os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        for i in range(NETNS_COUNT):
            sh(f"ip netns add kb{i}")
            fd = os.open(f"/run/netns/kb{i}", os.O_RDONLY)
            setns(fd)
            os.close(fd)
            for _ in range(NETNS_SOCKETS):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.bind(("127.0.0.1", 0))
                held.append(s)
        setns(init)
        for _ in range(INIT_SOCKETS):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            held.append(s)
        for tool, cmd in (("knetmon", f"{KNETMON} netstat -uan --all-netns"),
                          ("ss", "ip -all netns exec ss -uan")):
            t = timed(cmd, runs)
            out.append({"netns": NETNS_COUNT, "per_netns": NETNS_SOCKETS,
                        "init": INIT_SOCKETS, "tool": tool, "seconds": t})
            print(f"  all-netns {tool}: {t * 1000:.1f} ms", flush=True)
    finally:
        setns(init)
        for s in held:
            s.close()
        for i in range(NETNS_COUNT):
            subprocess.run(f"ip netns del kb{i}", shell=True, stderr=subprocess.DEVNULL)


# ---- 2. bind overhead -----------------------------------------------------

def bindloop(seconds, procs=1):
    out = sh(f"{BINDLOOP} {seconds} {procs}")
    return float(out.split()[2])


def bench_bind_overhead(seconds, runs):
    # the three setups take turns in each run, so load that comes and goes
    # on the host (other VMs) weighs on all three alike
    samples = {"no_module": [], "module_no_subscriber": [], "module_subscribed": []}
    if PROBEFLOOR:
        samples["probe_floor"] = []
    for _ in range(runs):
        load(False)
        samples["no_module"].append(bindloop(seconds))
        if PROBEFLOOR:
            sh(f"insmod {PROBEFLOOR}")
            samples["probe_floor"].append(bindloop(seconds))
            sh("rmmod probefloor")
        load(True)
        samples["module_no_subscriber"].append(bindloop(seconds))
        mon = subprocess.Popen([KNETMON, "monitor", "-j"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        samples["module_subscribed"].append(bindloop(seconds))
        mon.terminate()
        mon.wait()
    res = {k: statistics.median(v) for k, v in samples.items()}
    res["samples"] = samples
    for k in ("module_no_subscriber", "module_subscribed", "probe_floor"):
        if k in res:
            res[k + "_ratio"] = res[k] / res["no_module"]
    print(f"  bind overhead: {res}", flush=True)
    return res


def loop_rate(cmd):
    return float(sh(cmd).split()[2])


def overhead_samples(cmd, monitor_kinds, runs, out_path="/dev/null"):
    # the three setups take turns in each run: no module, loaded with
    # nobody subscribed, and a `monitor -j --kinds MONITOR_KINDS` writing
    # OUT_PATH; returns the samples and, per subscribed run, its output
    samples = {"no_module": [], "module_no_subscriber": [], "module_subscribed": []}
    outputs = []
    for _ in range(runs):
        load(False)
        samples["no_module"].append(loop_rate(cmd))
        load(True)
        samples["module_no_subscriber"].append(loop_rate(cmd))
        with open(out_path, "w") as out:
            mon = subprocess.Popen([KNETMON, "monitor", "-j", "--kinds", monitor_kinds],
                                   stdout=out, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            samples["module_subscribed"].append(loop_rate(cmd))
            time.sleep(0.5)
            mon.terminate()
            mon.wait()
        if out_path != "/dev/null":
            outputs.append([json.loads(l) for l in open(out_path)])
    return samples, outputs


def overhead_result(samples, subscribed_name):
    samples[subscribed_name] = samples.pop("module_subscribed")
    res = {k: statistics.median(v) for k, v in samples.items()}
    res["samples"] = samples
    for k in ("module_no_subscriber", subscribed_name):
        res[k + "_ratio"] = res[k] / res["no_module"]
    return res


def bench_accept_overhead(seconds, runs, workers=4):
    # a server accepting and closing, clients connecting and closing: every
    # close passes the release probe and none is in the bind table; with a
    # TCP state monitor subscribed, every handshake and close is an event
    samples, outputs = overhead_samples(f"{ACCEPTLOOP} {seconds} {workers}", "state", runs,
                                        "/tmp/kn-state.json")
    res = overhead_result(samples, "module_state_monitor")
    res["workers"] = workers
    res["state_events"] = [{"received_per_s": sum("kind" in l for l in lines) / seconds,
                            "lost_per_s": sum(l.get("lost", 0) for l in lines) / seconds}
                           for lines in outputs]
    print(f"  accept overhead: {res}", flush=True)
    return res


def bench_udp_overhead(seconds, runs, peers=8):
    # one socket sending to 8 loopback peers in turn: every send passes the
    # UDP flow probe; subscribed, the first datagram to each peer is an event
    # and every other send a look-up in the flow table under its lock
    samples, _ = overhead_samples(f"{UDPLOOP} {seconds} {peers}", "udp", runs)
    res = overhead_result(samples, "module_udp_monitor")
    res["peers"] = peers
    print(f"  udp overhead: {res}", flush=True)
    return res


# ---- 3. event throughput and loss -----------------------------------------

def info_counter(name):
    return json.loads(sh(f"{KNETMON} info -j"))["counters"][name]


def bench_events(seconds, procs_list, rcvbufs):
    results = []
    load(True)
    for rcvbuf in rcvbufs:
        default = sh("sysctl -n net.core.rmem_default").strip()
        if rcvbuf:
            sh(f"sysctl -qw net.core.rmem_default={rcvbuf} net.core.rmem_max={rcvbuf}")
        for k in procs_list:
            log = "/tmp/monitor.jsonl"
            with open(log, "w") as f:
                mon = subprocess.Popen([KNETMON, "monitor", "-j"], stdout=f,
                                       stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            before = info_counter("events_bind") + info_counter("events_release")
            t0 = time.perf_counter()
            binds = int(sh(f"{BINDLOOP} {seconds} {k}").split()[0])
            elapsed = time.perf_counter() - t0
            time.sleep(1.0)     # let the monitor drain its socket
            after = info_counter("events_bind") + info_counter("events_release")
            mon.send_signal(signal.SIGINT)
            mon.wait()
            received = lost = resyncs = 0
            with open(log) as f:
                for line in f:
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if "lost" in ev:
                        lost += ev["lost"]
                    elif "resync" in ev:
                        resyncs += 1    # a table dump after each gap
                    elif ev.get("kind") in ("bind", "release"):
                        received += 1
            sent = after - before
            results.append({"procs": k, "rcvbuf": rcvbuf or int(default), "binds": binds,
                            "events_sent": sent, "events_received": received,
                            "events_lost_reported": lost, "resyncs": resyncs,
                            "events_per_second": received / elapsed,
                            "loss_equals_gaps": sent - received == lost})
            print(f"  events k={k} rcvbuf={rcvbuf or default}: {results[-1]}", flush=True)
        sh(f"sysctl -qw net.core.rmem_default={default}")
    return results


# ---- 3b. an unprivileged GET_BINDS beside the host's binds ---------------

NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID = 16, 16, 3, 1
GET_BINDS, NLM_F_REQUEST_DUMP, NLMSG_DONE, NLMSG_ERROR = 2, 0x301, 3, 2


def nla(t, payload):
    """One netlink attribute, padded."""
    n = 4 + len(payload)
    return struct.pack("HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def genl_request(s, ftype, cmd, attrs, flags, seq):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), ftype, flags, seq, 0) + body)


def genl_family(s, name):
    """The id of generic netlink family NAME (bytes), asked of the controller."""
    genl_request(s, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, nla(2, name + b"\0"), 1, 1)
    data, off = s.recv(65536), 20
    while off < len(data):
        n, t = struct.unpack_from("HH", data, off)
        if t == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("H", data, off + 4)[0]
        off += (n + 3) & ~3
    raise RuntimeError("no knetmon family")


def bindsdump_child(runs, own):
    """In an unprivileged user+net namespace: OWN binds, then RUNS GET_BINDS
    dumps of this netns; prints the median microseconds per dump."""
    socks = []
    for _ in range(own):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("0.0.0.0", 0))
        socks.append(u)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    fam = genl_family(s, b"knetmon")
    times, recs = [], 0
    for i in range(runs):
        t0 = time.perf_counter()
        genl_request(s, fam, GET_BINDS, b"", NLM_F_REQUEST_DUMP, 2 + i)
        done, recs = False, 0
        while not done:
            data, off = s.recv(1 << 16), 0
            while off < len(data):
                n, t = struct.unpack_from("IH", data, off)
                if t == NLMSG_ERROR:
                    raise RuntimeError("GET_BINDS refused")
                done |= t == NLMSG_DONE
                recs += t != NLMSG_DONE
                off += (n + 3) & ~3
        times.append(time.perf_counter() - t0)
    # own binds and the trailer: the host's binds are not this netns's
    assert recs == own + 1, recs
    print(statistics.median(times) * 1e6)


def bench_binds_dump(runs, host_sizes, own=10):
    """How long an unprivileged user's GET_BINDS of its own netns takes while
    the host holds HOST binds: the snapshot runs under the table's lock with
    interrupts off, so every bind and close on the system waits that long."""
    load(False)
    load(True, f"max_binds_per_netns={max(host_sizes) + own}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(host_sizes) + 1024,) * 2)
    me = os.path.abspath(__file__)
    res, socks = [], []
    for host in sorted(host_sizes):
        while len(socks) < host:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((f"127.0.0.{1 + len(socks) // 32768}", 0))
            socks.append(u)
        us = float(sh(f"setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn "
                      f"python3 {me} --bindsdump-child {runs * 40},{own}"))
        res.append({"host_binds": host, "own_binds": own, "dump_us": us,
                    "table_live": info_counter("table_live")})
        print(f"  GET_BINDS of {own} beside {host} host binds: {us:.0f} us", flush=True)
    for u in socks:
        u.close()
    load(False)
    load(True)
    return res


# ---- 4. memory -------------------------------------------------------------

def module_memory():
    size = 0
    with open("/proc/modules") as f:
        for l in f:
            if l.startswith("knetmon "):
                size = int(l.split()[1])
    slab = 0
    with open("/proc/slabinfo") as f:
        for l in f:
            if "knetmon" in l:
                p = l.split()
                slab += int(p[1]) * int(p[3])   # active objects * object size
    return {"module_bytes": size, "slab_bytes": slab}


def bench_memory(binds):
    load(False)
    # one netns binds them all: let it have the whole table
    load(True, f"max_binds_per_netns={binds}")
    res = {"at_load": module_memory()}
    resource.setrlimit(resource.RLIMIT_NOFILE, (binds + 1024, binds + 1024))
    socks = []
    for i in range(binds):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # one address has only the 64,512 ports of ip_local_port_range
        s.bind((f"127.0.0.{1 + i // 32768}", 0))
        socks.append(s)
    res["live_binds"] = binds
    res["with_live_binds"] = module_memory()
    res["table_live"] = info_counter("table_live")
    for s in socks:
        s.close()
    time.sleep(0.5)
    res["after_close"] = module_memory()
    print(f"  memory: {res}", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", default=os.environ.get("KNETMON_VM_OUT", "/tmp"))
    # the full run is the default; scripts/bench passes BENCH_* here
    ap.add_argument("--sizes", help="socket counts, comma-separated (1000,10000,100000)")
    ap.add_argument("--procs", help="processes holding them, comma-separated (1,100)")
    ap.add_argument("--runs", type=int, help="runs per figure, the median reported (5)")
    ap.add_argument("--seconds", type=float, help="bind loop and event storm length (3)")
    ap.add_argument("--parts",
                    default="listing,links,netns,binds,accept,udp,events,bindsdump,memory",
                    help="which benchmarks, comma-separated")
    ap.add_argument("--bindsdump-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.bindsdump_child:
        bindsdump_child(*(int(x) for x in a.bindsdump_child.split(",")))
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (400000, 400000))
    sh("sysctl -qw net.ipv4.ip_local_port_range='1024 65535' net.core.somaxconn=65535 "
       "net.ipv4.tcp_tw_reuse=1")
    if a.smoke:
        sizes, procs, runs, secs, binds = [200], [1, 4], 3, 0.5, 2000
    else:
        sizes, procs, runs, secs, binds = [1000, 10000, 100000], [1, 100], 5, 3, 65536
    if a.sizes:
        sizes = [int(x) for x in a.sizes.replace(" ", ",").split(",") if x]
    if a.procs:
        procs = [int(x) for x in a.procs.replace(" ", ",").split(",") if x]
    runs = a.runs or runs
    secs = a.seconds or secs
    parts = a.parts.split(",")
    load(True)
    res = {"kernel": os.uname().release, "smoke": a.smoke, "sizes": sizes, "procs": procs,
           "runs": runs, "seconds": secs, "cpus": os.cpu_count(),
           "mem_kib": int(open("/proc/meminfo").readline().split()[1]), "listing": [],
           "listing_groups": []}
    t0 = time.time()
    if "listing" in parts:
        print("listing sockets", flush=True)
        bench_listing(sizes, procs, runs, res["listing"], res["listing_groups"])
    res["listing_seconds"] = time.time() - t0
    if "links" in parts:
        print("listing interfaces", flush=True)
        res["links"] = []
        bench_links(runs, res["links"])
    if "netns" in parts:
        print("listing every netns", flush=True)
        res["all_netns"] = []
        bench_all_netns(runs, res["all_netns"])
    if "binds" in parts:
        print("bind overhead", flush=True)
        res["bind_overhead"] = bench_bind_overhead(secs, runs)
    if "accept" in parts:
        print("accept overhead", flush=True)
        res["accept_overhead"] = bench_accept_overhead(secs, runs)
    if "udp" in parts:
        print("udp send overhead", flush=True)
        res["udp_overhead"] = bench_udp_overhead(secs, runs)
    if "events" in parts:
        print("event throughput", flush=True)
        res["events"] = bench_events(secs, [1, 4], [0, 4 << 20])
    if "bindsdump" in parts:
        print("an unprivileged GET_BINDS beside the host's binds", flush=True)
        res["binds_dump"] = bench_binds_dump(runs, [0, binds // 4, binds - 1024])
    if "memory" in parts:
        print("memory", flush=True)
        res["memory"] = bench_memory(binds)
    res["total_seconds"] = time.time() - t0
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(f"wrote {a.out}/results.json")


if __name__ == "__main__":
    main()
