#!/usr/bin/env python3
"""Renders the harness's peers-<scale>.json files as Markdown: a table of every
peer of the 1m run (a row per metric, the best in bold, how far ours is ahead of
the best other peer, issue #6's targets); a table of every scale for the peers
measured at all of them; how each cost grows with the graph, as the factor per
step of scale (10k -> 100k -> 1m -> 10m); a line per scale.

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
    if x < 0.01:
        return f"{x:.4f}"
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


def cell(v, fmt, best):
    if v is None:
        return "–"
    return f"**{fmt(v)}**" if v == best else fmt(v)


def best_of(vals):
    known = [v for v in vals if v is not None]
    return min(known) if len(known) > 1 else None


def lead(ours, others):
    """How many times better ours is than the best of the others ("×2.0"), or
    behind ("÷1.3"); "–" without both."""
    known = [v for v in others if v is not None]
    if ours is None or not known:
        return "–"
    best = min(known)
    if ours <= 0 or best <= 0:
        return "–"
    r = best / ours
    if r >= 1:
        return f"×{r:.0f}" if r >= 9.95 else f"×{r:.1f}"
    r = ours / best
    return f"÷{r:.0f}" if r >= 9.95 else f"÷{r:.1f}"


def render(runs):
    runs = sorted(runs, key=lambda r: r["nodes"])
    out = []
    # Every peer of the target scale, in one run: ours first.
    main = next((r for r in runs if r["scale"] == TARGET_SCALE), None)
    if main is not None:
        names = sorted(main["peers"], key=lambda n: n != OURS)
        others = [n for n in names if n != OURS]
        head = f"| metric ({TARGET_SCALE}, one run) | " + " | ".join(names) + " |"
        rule = "|---|" + "---:|" * len(names)
        if OURS in main["peers"] and others:
            head += f" {OURS} against the best other |"
            rule += "---:|"
        head += f" issue #6 target ({TARGET_SCALE}) |"
        rule += "---:|"
        out += [head, rule]
        for key, label, get, fmt in METRICS:
            vals = [get(main["peers"][n]) for n in names]
            best = best_of(vals)
            line = f"| {label} | " + " | ".join(cell(v, fmt, best) for v in vals) + " |"
            if OURS in main["peers"] and others:
                line += " " + lead(get(main["peers"][OURS]),
                                   [get(main["peers"][n]) for n in others]) + " |"
            t = TARGETS.get(key)
            line += f" {t} |" if t else " |"
            out.append(line)
        out.append("")
    # Every scale, for the peers measured at all of them.
    common = [n for n in runs[0]["peers"] if all(n in r["peers"] for r in runs)] if runs else []
    common.sort(key=lambda n: n != OURS)
    if len(runs) > 1 and common:
        out.append("Every scale, for the peers measured at all of them (each scale one run):")
        out.append("")
        out.append("| metric | " + " | ".join(f"{r['scale']} {n}" for r in runs for n in common)
                   + " |")
        out.append("|---|" + "---:|" * (len(runs) * len(common)))
        for key, label, get, fmt in METRICS:
            cells = []
            for r in runs:
                vals = [get(r["peers"][n]) for n in common]
                best = best_of(vals)
                cells += [cell(v, fmt, best) for v in vals]
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        out.append("")
        steps = list(zip(runs, runs[1:]))
        out.append("How each cost grows with the graph: the factor from one scale to the "
                   "next (×10 nodes each), ×10 being linear growth and ×1 none.")
        out.append("")
        out.append("| cost | " + " | ".join(f"{n} {a['scale']}→{b['scale']}"
                                            for n in common for a, b in steps) + " |")
        out.append("|---|" + "---:|" * (len(common) * len(steps)))
        out.append("| relationships in the graph | " + " | ".join(
            ratio(a["edges"], b["edges"]) for _ in common for a, b in steps) + " |")
        for key, label, get, _ in METRICS:
            cells = []
            for n in common:
                for a, b in steps:
                    cells.append(ratio(get(a["peers"][n]), get(b["peers"][n])))
            out.append(f"| {short(label)} | " + " | ".join(cells) + " |")
        out.append("")
    met_line = None
    for r in runs:
        agree = r.get("answers_agree") or {}
        same = [q for q, ok in agree.items() if ok]
        differ = [q for q, ok in agree.items() if not ok]
        peers = ", ".join(sorted(r["peers"], key=lambda n: n != OURS))
        text = f"- {r['scale']} ({r['nodes']:,} nodes, {r['edges']:,} relationships; {peers}): "
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
            ahead = [short(label) for key, label, get, fmt in METRICS
                     if key in TARGETS and meets(get(ours), fmt, TARGETS[key])
                     and all(get(p) is None or get(ours) < get(p)
                             for n, p in r["peers"].items() if n != OURS)]
            met_line += (f"; met and ahead of every other peer of the run: {len(ahead)} of "
                         f"{len(TARGETS)} ({', '.join(ahead) or 'none'})")
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
