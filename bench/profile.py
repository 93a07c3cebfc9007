#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a listing's time goes, measured by elimination in one VM boot.

Run as root in the test VM (scripts/bench --profile boots it). Holds N TCP
sockets across M processes (bench/guest.py's helpers), then times each
variant of a listing with its output thrown away:
  - the tools themselves (ss, knetmon, and an earlier knetmon build given
    as KNETMON_BEFORE, for before/after numbers of a CLI fix);
  - the kernel dump alone: a raw generic netlink loop that counts the
    GET_SOCKETS records without parsing them (no libnl, no printing), with
    and without owners, and the bytes and skbs it took;
  - `perf record` of knetmon and ss when perf runs in the guest.
Prints one line per variant and writes profile.json to --out.
"""
import argparse, json, os, socket, struct, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402  (make_sockets, spread, timed, load)

NETLINK_GENERIC, NLM_F_REQUEST, NLM_F_DUMP, NLMSG_ERROR, NLMSG_DONE = 16, 1, 0x300, 2, 3
GET_SOCKETS, REQ_FLAGS, REQ_PROTOCOL, REQF_OWNERS, REQF_BRIEF = 4, 1, 3, 1, 4
nla = guest.nla


def raw_dump(owners, bufsize=65536, brief=False):
    """Records, bytes and datagrams of one TCP GET_SOCKETS dump, unparsed
    (BRIEF: the listing's fields alone, as netstat's text asks)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    fam = guest.genl_family(s, b"knetmon")
    attrs = nla(REQ_PROTOCOL, b"\x06")
    flags = (REQF_OWNERS if owners else 0) | (REQF_BRIEF if brief else 0)
    if flags:
        attrs += nla(REQ_FLAGS, struct.pack("I", flags))
    guest.genl_request(s, fam, GET_SOCKETS, attrs, NLM_F_REQUEST | NLM_F_DUMP, 2)
    recs = nbytes = skbs = 0
    while True:
        data = s.recv(bufsize)
        skbs += 1
        nbytes += len(data)
        off = 0
        while off < len(data):
            n, t = struct.unpack_from("IH", data, off)
            if t in (NLMSG_DONE, NLMSG_ERROR):
                s.close()
                return recs, nbytes, skbs
            recs += 1
            off += (n + 3) & ~3


def timed_py(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def perf_report(cmd, out, name):
    data = f"/tmp/{name}.perf"
    r = subprocess.run(f"perf record -q -F 2000 -g -o {data} -- {cmd} > /dev/null",
                       shell=True, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        return f"perf record failed: {r.stderr.strip()[:200]}"
    rep = subprocess.run(f"perf report -i {data} --stdio --no-children --sort sym "
                         f"-g none --percent-limit 1.5 2>/dev/null | grep -v '^#' | grep -v '^$'",
                         shell=True, stdout=subprocess.PIPE, text=True).stdout
    with open(os.path.join(out, f"perf-{name}.txt"), "w") as f:
        f.write(rep)
    return "\n".join(rep.splitlines()[:25])


def same_output(kn, before):
    """Whether the CLI before and after a change print the same lines."""
    extra = []
    for fam, addr, port in ((socket.AF_INET6, "::1", 0), (socket.AF_INET, "127.0.0.1", 80),
                            (socket.AF_INET6, "::", 22)):
        l = socket.socket(fam)
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind((addr, port))
        l.listen()
        c = socket.socket(fam)
        c.connect(l.getsockname()[:2])
        extra += [l, c, l.accept()[0]]
    ok = {}
    for opts in ("-tan", "-tanp", "-tane", "-tanep", "-ta", "-tape", "-tlnp", "-uan", "-tanp -j"):
        outs = [guest.sh(f"{b} netstat {opts}") for b in (kn, before)]
        ok[opts] = outs[0] == outs[1]
        if not ok[opts]:
            import difflib
            print("".join(list(difflib.unified_diff(outs[1].splitlines(True), outs[0].splitlines(True)))[:20]))
    for x in extra:
        x.close()
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--m", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.environ.get("KNETMON_VM_OUT", "/tmp"))
    a = ap.parse_args()
    import resource
    resource.setrlimit(resource.RLIMIT_NOFILE, (400000, 400000))
    guest.sh("sysctl -qw net.ipv4.ip_local_port_range='1024 65535' net.core.somaxconn=65535")
    guest.load(True)
    socks = guest.make_sockets(a.n)
    kept, children = guest.spread(socks, a.m)
    kn, before = guest.KNETMON, os.environ.get("KNETMON_BEFORE")
    variants = [("ss -tan", "ss -tan"), ("ss -tanp", "ss -tanp"),
                ("knetmon -tan", f"{kn} netstat -tan"), ("knetmon -tanp", f"{kn} netstat -tanp"),
                ("knetmon -tanp -j", f"{kn} netstat -tanp -j"),
                ("knetmon -tan | cat", f"{kn} netstat -tan | cat"),
                ("ss -tan | cat", "ss -tan | cat")]
    if before:
        variants += [("before: knetmon -tan", f"{before} netstat -tan"),
                     ("before: knetmon -tanp", f"{before} netstat -tanp"),
                     ("before: knetmon -tan | cat", f"{before} netstat -tan | cat")]
    res = {"kernel": os.uname().release, "n": a.n, "m": a.m, "runs": a.runs, "times": {},
           "min": {}}
    if before:
        res["same_output"] = same_output(kn, before)
        print(f"  before and after print the same: {res['same_output']}", flush=True)
    # round robin, so a burst of load from other VMs on the host hits every
    # variant alike; the minimum is the least disturbed run
    samples = {name: [] for name, _ in variants}
    for _ in range(a.runs):
        for name, cmd in variants:
            samples[name].append(guest.timed(cmd, 1))
    for name, _ in variants:
        t = sorted(samples[name])
        res["times"][name] = t[len(t) // 2]
        res["min"][name] = t[0]
        print(f"  {name:32s} {t[len(t) // 2] * 1000:9.1f} ms median {t[0] * 1000:9.1f} ms min",
              flush=True)
    for owners, brief in ((False, False), (True, False), (False, True), (True, True)):
        recs, nbytes, skbs = raw_dump(owners, brief=brief)
        t = timed_py(lambda: raw_dump(owners, brief=brief), a.runs)
        name = f"raw dump{' owners' if owners else ''}{' brief' if brief else ''}"
        res["times"][name] = t
        res[name] = {"records": recs, "bytes": nbytes, "datagrams": skbs}
        print(f"  {name:32s} {t * 1000:9.1f} ms  {recs} records, {nbytes} bytes, "
              f"{skbs} datagrams ({nbytes // max(skbs, 1)} B each)", flush=True)
    if before and os.environ.get("PROFILE_EVENTS", "1") == "1":
        for label, binary in (("before", before), ("after", kn)):
            guest.KNETMON = binary
            ev = guest.bench_events(3, [1, 4], [0])
            res[f"events {label}"] = ev
        guest.KNETMON = kn
    if os.environ.get("PROFILE_PERF", "1") == "1":
        for name, cmd in (("knetmon-tanp", f"{kn} netstat -tanp"), ("knetmon-tan", f"{kn} netstat -tan"),
                          ("ss-tan", "ss -tan")):
            print(f"perf {name}:\n{perf_report(cmd, a.out, name)}", flush=True)
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    with open(os.path.join(a.out, "profile.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
