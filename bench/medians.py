#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench` run as a Markdown table,
from criterion's `estimates.json` files.

    python3 bench/medians.py [CRITERION_DIR]

CRITERION_DIR defaults to target/criterion (on this machine the cargo wrapper
puts it in /work/target-<worktree>/criterion).
"""
import glob
import json
import os
import sys


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main(root):
    rows = []
    for path in glob.glob(os.path.join(root, "*", "*", "new", "estimates.json")):
        with open(path) as f:
            est = json.load(f)
        with open(os.path.join(os.path.dirname(path), "benchmark.json")) as f:
            bench = json.load(f)
        name = bench.get("function_id") or bench.get("value_str") or ""
        rows.append((bench["group_id"], name, est["median"]["point_estimate"]))
    if not rows:
        sys.exit(f"no criterion results under {root}")
    print("| group | benchmark | median |")
    print("|---|---|---:|")
    # In the order the benches run, cheapest path first.
    order = ["parse", "plan", "expand", "scan", "save", "open", "load"]

    def key(row):
        first = row[0].split()[0]
        return (order.index(first) if first in order else len(order), row[0], row[1])

    for group, name, ns in sorted(rows, key=key):
        print(f"| {group} | {name} | {fmt(ns)} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
