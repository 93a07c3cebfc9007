#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Regenerate the result tables of docs/BENCHMARKS.md from bench/results-*.json.

The doc holds one block per kernel between `<!-- bench:KVER -->` and
`<!-- /bench:KVER -->`; each block is replaced by `bench/report.py
--markdown` of bench/results-KVER.json. Blocks whose results file is missing
are left as they are. Usage: python3 bench/mkdoc.py [docs/BENCHMARKS.md]
"""
import os, re, subprocess, sys

doc = sys.argv[1] if len(sys.argv) > 1 else "docs/BENCHMARKS.md"
here = os.path.dirname(os.path.abspath(__file__))
text = open(doc).read()


def block(m):
    kver = m.group(1)
    res = os.path.join(here, f"results-{kver}.json")
    if not os.path.exists(res):
        return m.group(0)
    table = subprocess.run([sys.executable, os.path.join(here, "report.py"), res, "--markdown"],
                           check=True, stdout=subprocess.PIPE, text=True).stdout
    return f"<!-- bench:{kver} -->\n{table.strip()}\n<!-- /bench:{kver} -->"


text = re.sub(r"<!-- bench:(\S+) -->.*?<!-- /bench:\1 -->", block, text, flags=re.S)
open(doc, "w").write(text)
