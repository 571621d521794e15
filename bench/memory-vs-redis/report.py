#!/usr/bin/env python3
"""bench/memory-vs-redis's results.csv -> memory-vs-redis.md (a table of used_memory and
RSS of both servers and their ratios) and memory-vs-redis.svg (the ratios as bars, the
1.0 line marked).  Usage: report.py out_dir "settings" "redis command" "minired command"."""
import csv
import sys

out_dir, settings, redis_cmd, minired_cmd = sys.argv[1:5]
rows = {}
for r in csv.DictReader(open(f"{out_dir}/results.csv")):
    rows.setdefault(r["shape"], {"description": r["description"]})[r["server"]] = (int(r["used_memory"]), int(r["rss"]))
shapes = [s for s in rows if "redis" in rows[s] and "minired" in rows[s]]

lines = [f"# Memory: minired beside redis-server ({settings})", "", "```", redis_cmd, minired_cmd, "```", "",
         "used_memory: its growth from the empty server, 2 s after the last write; RSS: the process's then.", "",
         "| data | redis used_memory | minired used_memory | ratio | redis RSS | minired RSS | RSS ratio |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for s in shapes:
    (ru, rr), (mu, mr) = rows[s]["redis"], rows[s]["minired"]
    ratio = mu / ru
    mark = "**" if ratio > 1 else ""
    lines.append(f"| {rows[s]['description']} | {ru:,} | {mu:,} | {mark}{ratio:.2f}x{mark} | {rr:,} | {mr:,} | {mr / rr:.2f}x |")
lines += ["", "![used_memory ratio by data shape](memory-vs-redis.svg)"]
open(f"{out_dir}/memory-vs-redis.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

row, left, right, top = 26, 330, 60, 50
W = 900
H = top + row * len(shapes) + 50
hi = max(2.0, max(rows[s]["minired"][0] / rows[s]["redis"][0] for s in shapes) * 1.1)
pw = W - left - right
def x(v): return left + pw * v / hi
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">minired used_memory / redis-server ({settings})</text>']
for k in range(int(hi / 0.25) + 1):
    v = k * 0.25
    svg.append(f'<line x1="{x(v):.1f}" y1="{top - 5}" x2="{x(v):.1f}" y2="{top + row * len(shapes)}" stroke="#eee"/>')
    if k % 2 == 0:
        svg.append(f'<text x="{x(v):.1f}" y="{top + row * len(shapes) + 16}" text-anchor="middle">{v:.1f}x</text>')
for i, s in enumerate(shapes):
    ratio = rows[s]["minired"][0] / rows[s]["redis"][0]
    y = top + i * row
    color = "#2ca02c" if ratio <= 1 else "#d62728"
    svg.append(f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">{rows[s]["description"]}</text>')
    svg.append(f'<rect x="{left}" y="{y + 4}" width="{x(ratio) - left:.1f}" height="{row - 8}" fill="{color}"/>')
    svg.append(f'<text x="{x(ratio) + 4:.1f}" y="{y + row / 2 + 4:.1f}">{ratio:.2f}x</text>')
svg.append(f'<line x1="{x(1):.1f}" y1="{top - 5}" x2="{x(1):.1f}" y2="{top + row * len(shapes)}" stroke="black" '
           'stroke-dasharray="4,3"/>')
svg.append("</svg>")
open(f"{out_dir}/memory-vs-redis.svg", "w").write("\n".join(svg) + "\n")
