#!/usr/bin/env python3
"""Renders the harness's peers-<scale>.json files as Markdown: one table with a
row per metric and a column per (scale, peer), all peers of a scale from the
same run, the best of each scale in bold and issue #6's targets beside the 1m
columns; then how each cost grows with the graph, as the factor per step of
scale (10k -> 100k -> 1m) for each peer.

    python3 bench/table.py bench/results/peers-*.json             # print it
    python3 bench/table.py --write README.md --write BENCH.md bench/results/peers-*.json

--write replaces what lies between the lines `<!-- bench-table -->` and
`<!-- /bench-table -->` of each file. tests/bench_table.rs fails when README.md
or BENCH.md holds anything else than what this prints for the committed JSON.
"""
import argparse
import json
import sys

OPEN, CLOSE = "<!-- bench-table -->\n", "<!-- /bench-table -->"

# issue #6's targets at 1m, by metric key
TARGETS = {
    "load_s": "≤ 3",
    "open_proc_s": "≤ 0.25",
    "Q1": "≤ 0.05",
    "Q2": "≤ 0.5",
    "Q3": "≤ 3",
    "Q4": "≤ 50",
    "Q5": "≤ 10",
    "query_peak_rss_mb": "< 307",
    "disk_bytes": "< 144.7 (igraph)",
}
TARGET_SCALE = "1m"
OURS = "factgraph"


def meets(value, fmt, target):
    """Whether `value`, as printed, is within a target such as "≤ 0.5" or "< 307"."""
    if value is None:
        return False
    op, bound = target.split()[:2]
    v, b = float(fmt(value)), float(bound)
    return v <= b if op == "≤" else v < b


def ms(x):
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def query_ms(q):
    def get(p):
        s = p.get("queries", {}).get(q, {}).get("median_s")
        return None if s is None else s * 1e3
    return get


def field(key, scale=1.0):
    def get(p):
        v = p.get(key)
        return None if v is None else v * scale
    return get


# (key, label, value in the unit of the label or None, how it is printed);
# smaller is better for every one of them.
METRICS = [
    ("load_s", "load (s)", field("load_s"), lambda v: f"{v:.2f}"),
    ("open_s", "open in process (s)", field("open_s"), lambda v: f"{v:.3f}"),
    ("open_proc_s", "whole-process open (s)", field("open_proc_s"), lambda v: f"{v:.3f}"),
] + [
    (q, f"{q} median (ms)", query_ms(q), ms) for q in ["Q1", "Q2", "Q3", "Q4", "Q5"]
] + [
    ("load_peak_rss_mb", "peak RSS load (MB)", field("load_peak_rss_mb"), lambda v: f"{v:.0f}"),
    ("query_peak_rss_mb", "peak RSS query (MB)", field("query_peak_rss_mb"),
     lambda v: f"{v:.0f}"),
    ("disk_bytes", "store on disk (MB)", field("disk_bytes", 1e-6), lambda v: f"{v:.1f}"),
]


def short(label):
    """A metric's label without its unit: "Q1 median (ms)" -> "Q1"."""
    return label.split(" (")[0].removesuffix(" median")


def ratio(a, b):
    if a is None or b is None or a <= 0:
        return "–"
    r = b / a
    return f"×{r:.0f}" if r >= 9.95 else f"×{r:.1f}"


def render(runs):
    runs = sorted(runs, key=lambda r: r["nodes"])
    cols = [(r["scale"], name, p) for r in runs for name, p in r["peers"].items()]
    targets = any(r["scale"] == TARGET_SCALE for r in runs)
    out = []
    head = "| metric | " + " | ".join(f"{s} {n}" for s, n, _ in cols) + " |"
    rule = "|---|" + "---:|" * len(cols)
    if targets:
        head += f" issue #6 target ({TARGET_SCALE}) |"
        rule += "---:|"
    out += [head, rule]
    for key, label, get, fmt in METRICS:
        cells = []
        for r in runs:
            vals = [get(p) for p in r["peers"].values()]
            known = [v for v in vals if v is not None]
            best = min(known) if len(known) > 1 else None
            for v in vals:
                if v is None:
                    cells.append("–")
                elif v == best:
                    cells.append(f"**{fmt(v)}**")
                else:
                    cells.append(fmt(v))
        line = f"| {label} | " + " | ".join(cells) + " |"
        if targets:
            t = TARGETS.get(key)
            line += f" {t} |" if t else " |"
        out.append(line)

    out.append("")
    if len(runs) > 1:
        steps = list(zip(runs, runs[1:]))
        # ours first
        peers = sorted(dict.fromkeys(n for r in runs for n in r["peers"]),
                       key=lambda n: n != OURS)
        out.append("How each cost grows with the graph: the factor from one scale to the "
                   "next (×10 nodes each), ×10 being linear growth and ×1 none.")
        out.append("")
        out.append("| cost | " + " | ".join(f"{n} {a['scale']}→{b['scale']}"
                                            for n in peers for a, b in steps) + " |")
        out.append("|---|" + "---:|" * (len(peers) * len(steps)))
        out.append("| relationships in the graph | " + " | ".join(
            ratio(a["edges"], b["edges"]) for _ in peers for a, b in steps) + " |")
        for key, label, get, _ in METRICS:
            cells = []
            for n in peers:
                for a, b in steps:
                    pa, pb = a["peers"].get(n), b["peers"].get(n)
                    cells.append(ratio(pa and get(pa), pb and get(pb)))
            out.append(f"| {short(label)} | " + " | ".join(cells) + " |")
        out.append("")
    met_line = None
    for r in runs:
        agree = r.get("answers_agree") or {}
        same = [q for q, ok in agree.items() if ok]
        differ = [q for q, ok in agree.items() if not ok]
        text = f"- {r['scale']} ({r['nodes']:,} nodes, {r['edges']:,} relationships): "
        text += f"answers identical across peers for {', '.join(same) or 'no query'}"
        if differ:
            text += f", different for {', '.join(differ)}"
        ours = r["peers"].get(OURS)
        if ours is not None and len(r["peers"]) > 1:
            best = [short(label) for _, label, get, _ in METRICS
                    if get(ours) is not None
                    and get(ours) <= min(v for v in (get(p) for p in r["peers"].values())
                                         if v is not None)]
            text += (f"; {OURS} best on {len(best)} of {len(METRICS)} metrics"
                     f" ({', '.join(best) or 'none'})")
        out.append(text)
        if ours is not None and r["scale"] == TARGET_SCALE:
            met = [short(label) for key, label, get, fmt in METRICS
                   if key in TARGETS and meets(get(ours), fmt, TARGETS[key])]
            met_line = (f"- issue #6 targets met at {TARGET_SCALE}: {len(met)} of {len(TARGETS)}"
                        f" ({', '.join(met) or 'none'})")
    if met_line:
        out.append(met_line)
    return "\n".join(out) + "\n"


def write(path, block):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    a, b = text.find(OPEN), text.find(CLOSE)
    if a < 0 or b < a:
        sys.exit(f"{path}: no {OPEN.strip()} ... {CLOSE} block")
    start = a + len(OPEN)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:start] + block + text[b:])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="append", default=[], metavar="FILE",
                    help="replace the bench-table block of FILE (repeatable)")
    ap.add_argument("json", nargs="+", help="the harness's peers-<scale>.json files")
    args = ap.parse_args(argv)
    runs = []
    for p in args.json:
        with open(p, encoding="utf-8") as f:
            runs.append(json.load(f))
    block = render(runs)
    if not args.write:
        sys.stdout.write(block)
    for path in args.write:
        write(path, block)


if __name__ == "__main__":
    main(sys.argv[1:])
