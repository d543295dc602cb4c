#!/usr/bin/env python3
"""Renders the harness's peers-<scale>.json files into a Markdown table:
one row per metric, one column per (scale, peer), from the same run.

    python3 bench/table.py bench/results/peers-10k.json bench/results/peers-100k.json ...
"""
import json
import sys


def ms(x):
    return "–" if x is None else (f"{x * 1e3:.3f}" if x < 0.01 else f"{x * 1e3:.1f}")


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    cols = [(r["scale"], name, p) for r in runs for name, p in r["peers"].items()]
    head = "| metric | " + " | ".join(f"{s} {n}" for s, n, _ in cols) + " |"
    print(head)
    print("|---|" + "---:|" * len(cols))
    rows = [
        ("load (s)", lambda p: f"{p['load_s']:.2f}" if "load_s" in p else "–"),
        ("open in process (s)", lambda p: f"{p['open_s']:.3f}" if "open_s" in p else "–"),
        ("whole-process open (s)",
         lambda p: f"{p['open_proc_s']:.3f}" if "open_proc_s" in p else "–"),
    ]
    for q in ["Q1", "Q2", "Q3", "Q4", "Q5"]:
        rows.append((f"{q} median (ms)",
                     lambda p, q=q: ms(p["queries"].get(q, {}).get("median_s"))))
    rows += [
        ("peak RSS load (MB)", lambda p: f"{p.get('load_peak_rss_mb', 0):.0f}"),
        ("peak RSS query (MB)", lambda p: f"{p.get('query_peak_rss_mb', 0):.0f}"),
        ("store on disk (MB)", lambda p: f"{p.get('disk_bytes', 0) / 1e6:.1f}"),
    ]
    for name, f in rows:
        print(f"| {name} | " + " | ".join(f(p) for _, _, p in cols) + " |")
    print()
    for r in runs:
        print(f"- {r['scale']}: answers_agree = {r.get('answers_agree')}")


if __name__ == "__main__":
    main(sys.argv[1:])
