#!/usr/bin/env python3
"""bench/threads-scaling's results.csv -> a Markdown table of medians and an SVG plot
(ops/s against minired's --threads, one line per test and pipeline depth, redis-server
as horizontal references).  Usage: report.py results.csv out_dir "machine description"."""
import csv
import statistics
import sys
from collections import defaultdict

path, out_dir, machine = sys.argv[1:4]
ops = defaultdict(list)
for row in csv.DictReader(open(path)):
    ops[(row["config"], row["test"], int(row["pipeline"]))].append(float(row["ops"]))
med = {k: statistics.median(v) for k, v in ops.items()}
reps = max(len(v) for v in ops.values())
threads = sorted({int(c[len("minired-t"):]) for c, _, _ in med if c.startswith("minired-t")})
series = sorted({(t, p) for _, t, p in med})

lines = [f"# minired throughput by --threads, next to redis-server ({machine}; median of {reps})", "",
         "| server | " + " | ".join(f"{t} P{p}" for t, p in series) + " |",
         "|---|" + "---:|" * len(series)]
for config in [f"minired-t{t}" for t in threads] + ["redis", "redis-io4"]:
    label = {"redis": "redis-server", "redis-io4": "redis-server io-threads 4"}.get(
        config, f"minired --threads {config[len('minired-t'):]}")
    lines.append(f"| {label} | " + " | ".join(f"{med.get((config, t, p), 0):,.0f}" for t, p in series) + " |")
lines.append("")
for t, p in series:
    one, best = med.get((f"minired-t{threads[0]}", t, p)), max(threads, key=lambda n: med.get((f"minired-t{n}", t, p), 0))
    top, red = med.get((f"minired-t{best}", t, p), 0), med.get(("redis", t, p), 0)
    if one and red:
        lines.append(f"- {t} pipeline {p}: --threads {best} gives {top / one:.2f}x --threads {threads[0]}, "
                     f"and {top / red:.2f}x redis-server ({med.get(('redis-io4', t, p), 0) / red:.2f}x with io-threads 4).")
lines += ["", "![throughput by threads](threads-scaling.svg)"]
open(f"{out_dir}/threads-scaling.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

W, H, left, right, top, bottom = 900, 520, 80, 260, 50, 60
hi = max(med.values()) * 1.1
colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">minired ops/s by --threads ({machine})</text>']
pw, ph = W - left - right, H - top - bottom
def x(i): return left + pw * (i / max(len(threads) - 1, 1))
def y(v): return top + ph * (1 - v / hi)
for k in range(6):
    v = hi * k / 5
    svg.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + pw}" y2="{y(v):.1f}" stroke="#eee"/>')
    svg.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v / 1e6:.1f}M</text>')
for i, t in enumerate(threads):
    svg.append(f'<text x="{x(i):.1f}" y="{top + ph + 18}" text-anchor="middle">{t}</text>')
svg.append(f'<text x="{left + pw / 2}" y="{H - 15}" text-anchor="middle">--threads</text>')
for n, (t, p) in enumerate(series):
    c = colors[n % len(colors)]
    pts = " ".join(f"{x(i):.1f},{y(med.get((f'minired-t{th}', t, p), 0)):.1f}" for i, th in enumerate(threads))
    svg.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2.5"/>')
    for dash, config, name in (("6,4", "redis", "redis"), ("2,3", "redis-io4", "redis io4")):
        v = med.get((config, t, p))
        if v:
            svg.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + pw}" y2="{y(v):.1f}" stroke="{c}" '
                       f'stroke-dasharray="{dash}" opacity="0.7"/>')
    ly = top + 20 + n * 54
    svg.append(f'<line x1="{left + pw + 20}" y1="{ly}" x2="{left + pw + 50}" y2="{ly}" stroke="{c}" stroke-width="2.5"/>')
    svg.append(f'<text x="{left + pw + 56}" y="{ly + 4}">minired {t} P{p}</text>')
    svg.append(f'<line x1="{left + pw + 20}" y1="{ly + 16}" x2="{left + pw + 50}" y2="{ly + 16}" stroke="{c}" stroke-dasharray="6,4"/>')
    svg.append(f'<text x="{left + pw + 56}" y="{ly + 20}">redis-server (dotted: io-threads 4)</text>')
svg.append("</svg>")
open(f"{out_dir}/threads-scaling.svg", "w").write("\n".join(svg) + "\n")
