#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Canonical lines for the table selftests (links.c, routes.c, neigh.c).

Reads JSON on stdin from iproute2 (ip -N -j ...) or from the knetmon CLI
(-j) and prints one sorted line per record in the format the C tests build
from their own libmnl decoding of the dump, so each side is compared with an
independent one:

  link|NAME|IFINDEX|FLAGS(hex, RUNNING masked: ip never shows it)|MTU|MAC|TXQLEN
  addr|NAME|FAMILY|ADDRESS/PREFIXLEN|SCOPE
  stats|NAME|RXP|RXB|RXE|RXD|TXP|TXB|TXE|TXD
  route|FAMILY|TABLE|TYPE|DST/LEN|METRIC|PROTOCOL|SCOPE|PREFSRC|GW@DEV[*WEIGHT];...
  neigh|FAMILY|ADDRESS|DEV|LLADDR|STATE(hex)|ROUTER

usage: tables_canon.py {links|routes|neigh} {ip|cli} [FAMILY [TABLE]]
(TABLE: the one table an ip command was asked for)
"""
import ipaddress
import json
import sys

IFF = ["UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "NOTRAILERS",
       "RUNNING", "NOARP", "PROMISC", "ALLMULTI", "MASTER", "SLAVE",
       "MULTICAST", "PORTSEL", "AUTOMEDIA", "DYNAMIC", "LOWER_UP", "DORMANT",
       "ECHO"]
NUD = ["INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED",
       "NOARP", "PERMANENT"]
RUNNING = 1 << IFF.index("RUNNING")


def bits(names, table):
    v = 0
    for n in names:
        if n in table:
            v |= 1 << table.index(n)
    return v


def links(data, src):
    out = []
    for l in data:
        name = l["ifname"]
        if src == "ip":
            flags = bits(l.get("flags", []), IFF)
            st = l.get("stats64", {})
            rx, tx = st.get("rx", {}), st.get("tx", {})
            stats = [rx.get("packets"), rx.get("bytes"), rx.get("errors"), rx.get("dropped"),
                     tx.get("packets"), tx.get("bytes"), tx.get("errors"), tx.get("dropped")]
            addrs = [(a["family"], a["local"], a["prefixlen"], int(a["scope"]))
                     for a in l.get("addr_info", [])]
            txq = l.get("txqlen", 0)
        else:
            flags = l["flags_raw"]
            s = l["stats"]
            stats = [s["rx_packets"], s["rx_bytes"], s["rx_errors"], s["rx_dropped"],
                     s["tx_packets"], s["tx_bytes"], s["tx_errors"], s["tx_dropped"]]
            addrs = [(a["family"], a["address"], a["prefixlen"], a["scope"])
                     for a in l.get("addresses", [])]
            txq = l["txqueuelen"]
        out.append("link|%s|%d|%x|%d|%s|%d" % (name, l["ifindex"], flags & ~RUNNING,
                                                l["mtu"], l.get("address", ""), txq))
        out.append("stats|%s|%s" % (name, "|".join(str(x) for x in stats)))
        for fam, addr, plen, scope in addrs:
            out.append("addr|%s|%s|%s/%d|%d" % (name, fam, addr, plen, scope))
    return out


def dst_of(r, family):
    d = r["dst"]
    if d == "default":
        return "0.0.0.0/0" if family == "inet" else "::/0"
    if "/" not in d:
        d += "/32" if family == "inet" else "/128"
    net, plen = d.split("/")
    return "%s/%s" % (ipaddress.ip_address(net), plen)


def gateway(h):
    """ip writes a gateway of the route's family as "gateway" and one of the
    other family (RTA_VIA) as "via": {"family", "host"}."""
    if "via" in h:
        return h["via"]["host"]
    return h.get("gateway", "")


def routes(data, src, family, default_table):
    out = []
    for r in data:
        if src == "ip":
            fam = family
            dst = dst_of(r, fam)
            if "nexthops" in r:
                nhs = ["%s@%s*%d" % (gateway(h), h.get("dev", ""), h.get("weight", 1))
                       for h in r["nexthops"]]
            elif "gateway" in r or "via" in r or "dev" in r:
                nhs = ["%s@%s" % (gateway(r), r.get("dev", ""))]
            else:
                nhs = []
            # ip omits "table" when one table was asked for: it is that one
            typ, table = int(r["type"]), int(r.get("table", default_table))
            proto, scope = int(r["protocol"]), int(r["scope"])
        else:
            fam = r["family"]
            if family and fam != family:
                continue
            dst = "%s/%d" % (r["dst"], r["dst_len"])
            nhs = ["%s@%s%s" % (h.get("gateway", ""), h.get("dev", ""),
                                "*%d" % h["weight"] if "weight" in h else "")
                   for h in r["nexthops"]]
            typ, table, proto, scope = r["type"], r["table"], r["protocol"], r["scope"]
        out.append("route|%s|%d|%d|%s|%d|%d|%d|%s|%s|%d" % (
            fam, table, typ, dst, r.get("metric", 0), proto, scope,
            r.get("prefsrc", ""), ";".join(nhs), r.get("nhid", 0)))
    return out


def neigh(data, src):
    out = []
    for n in data:
        if src == "ip":
            addr = n["dst"]
            fam = "inet6" if ":" in addr else "inet"
            state = bits(n.get("state", []), NUD)
            router = 1 if "router" in n else 0
        else:
            addr, fam = n["address"], n["family"]
            state = n["state_raw"]
            router = 1 if "router" in n.get("flags", []) else 0
        out.append("neigh|%s|%s|%s|%s|%x|%d" % (fam, addr, n["dev"], n.get("lladdr", ""),
                                                state, router))
    return out


def main():
    kind, src = sys.argv[1], sys.argv[2]
    family = sys.argv[3] if len(sys.argv) > 3 else ""
    default_table = sys.argv[4] if len(sys.argv) > 4 else "-1"
    text = sys.stdin.read()
    data = json.loads(text) if text.strip() else []
    lines = {"links": lambda: links(data, src),
             "routes": lambda: routes(data, src, family, default_table),
             "neigh": lambda: neigh(data, src)}[kind]()
    for line in sorted(lines):
        print(line)


main()
