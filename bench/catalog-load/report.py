#!/usr/bin/env python3
"""Turns bench/catalog-load/run's results (JSON lines) into a Markdown table and an SVG
plot: throughput and latency percentiles per run, cache off vs on, log scales."""
import json
import math
import sys

results_path, out_dir, seconds, users, cores, warmup = sys.argv[1:7]
runs, checks = [], []
for line in open(results_path):
    r = json.loads(line)
    (checks if "check" in r else runs).append(r)


def rps(r):
    s = r["summary"]
    return s["requests"] / s["seconds"] if s["seconds"] else 0


def find(label):
    return next((r for r in runs if r["label"] == label), None)


lines = [f"# Catalog load test: cache off vs on ({users} users, {seconds} s per run after {warmup} s of warm-up, "
         f"{cores} cores)", "",
         "| run | requests/s | errors | mean ms | p50 ms | p90 ms | p99 ms | max ms |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for r in runs:
    s = r["summary"]
    errors = s["errors"] + s["non2xx"]
    lines.append(f"| {r['label']} | {rps(r):,.0f} | {errors} | {s['mean_ms']:.2f} | {s['p50_ms']:.2f} | "
                 f"{s['p90_ms']:.2f} | {s['p99_ms']:.2f} | {s['max_ms']:.1f} |")
lines.append("")
for c in checks:
    k = c["check"]
    lines.append(f"- {c['label']}: {k['views_acknowledged']} views acknowledged, {k['views_in_db']} in the database "
                 f"({k['lost']} lost); {k['stale_reads']} of {k['compared']} pages/products read through the cache "
                 f"differ from the database.")
off, on = find("A closed, cache off"), find("A closed, cache minired")
red, ceiling = find("A closed, cache redis"), find("A closed, nginx static page (ceiling)")
near = find("A closed, cache minired+near")
if off and on:
    lines.append(f"- Scenario A: cache on (minired) serves **{rps(on) / max(rps(off), 1e-9):.1f}x** the requests/s of "
                 f"cache off (target >= 10x); p99 {on['summary']['p99_ms']:.2f} ms closed-loop.")
paced = find("A paced 1 s, cache minired")
if paced:
    lines.append(f"- Scenario A paced (1 s think time): p99 {paced['summary']['p99_ms']:.2f} ms with minired "
                 f"(target < 10 ms).")
if on and red:
    lines.append(f"- minired vs redis-server as the cache: {rps(on) / max(rps(red), 1e-9):.2f}x the requests/s.")
if on and ceiling:
    lines.append(f"- Cached throughput is **{rps(on) / max(rps(ceiling), 1e-9):.2f}x** nginx serving the same page "
                 f"as a static file (target >= 0.5x).")
if near and ceiling:
    lines.append(f"- With the near cache: **{rps(near) / max(rps(ceiling), 1e-9):.2f}x** nginx's requests/s (target >= 0.9x), "
                 f"**{rps(near) / max(rps(on), 1e-9):.2f}x** the remote cache alone (target >= 2x) if both ran; p99 "
                 f"{near['summary']['p99_ms']:.2f} ms vs nginx's {ceiling['summary']['p99_ms']:.2f} ms (target: below nginx + 2 ms).")
b = [r for r in runs if r["label"].startswith("B ")]
if b:
    lines.append("- Scenario B (500,000 products), errors: " +
                 "; ".join(f"{r['label'][2:]}: {r['summary']['errors'] + r['summary']['non2xx']}" for r in b) +
                 " (target 0).")
single = find("S closed, cache minired")
for label, name in (("S closed, cache proxy", "3 masters behind twemproxy"),
                    ("S closed, cache proxy-replicas", "twemproxy + lookups on 3 replicas")):
    r = find(label)
    if single and r:
        paced_r, paced_1 = find(label.replace("closed", "paced 1 s")), find("S paced 1 s, cache minired")
        lines.append(f"- Scenario S, {name}: {rps(r):,.0f} requests/s = **{rps(r) / max(rps(single), 1e-9):.2f}x** "
                     f"one minired ({rps(single):,.0f}); p99 closed {r['summary']['p99_ms']:.2f} ms vs "
                     f"{single['summary']['p99_ms']:.2f} ms" +
                     (f", paced {paced_r['summary']['p99_ms']:.2f} ms vs {paced_1['summary']['p99_ms']:.2f} ms"
                      if paced_r and paced_1 else "") + ".")
lines.append("")
lines.append("![throughput and latency](catalog-load.svg)")
report = "\n".join(lines) + "\n"
open(f"{out_dir}/catalog-load.md", "w").write(report)
print(report)

# The plot: two panels of horizontal bars on log scales.
W, row, left, top = 1000, 26, 330, 50
n = len(runs)
panel_h = n * row + 60
H = top + 2 * panel_h + 40
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="16">Catalog load test: cache off vs on '
       f'({users} users, {seconds} s per run)</text>']
colors = {"off": "#d62728", "proxy-replicas": "#ff7f0e", "proxy": "#9467bd", "minired+near": "#17becf",
          "minired": "#2ca02c", "redis": "#1f77b4", "nginx": "#7f7f7f"}


def color(label):
    return next((c for k, c in colors.items() if k in label), "#999")


def log_axis(y0, lo, hi, unit, title):
    width = W - left - 40
    svg.append(f'<text x="{left}" y="{y0 - 10}" font-size="14">{title}</text>')
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        x = left + width * (math.log10(10 ** e) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        svg.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + n * row}" stroke="#ddd"/>')
        svg.append(f'<text x="{x:.1f}" y="{y0 + n * row + 14}" text-anchor="middle">{10 ** e:g}{unit}</text>')
        e += 1
    return lambda v: left + width * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))


vals = [max(rps(r), 1) for r in runs]
lo, hi = 10 ** math.floor(math.log10(min(vals))), 10 ** math.ceil(math.log10(max(vals)))
y0 = top + 20
x = log_axis(y0, lo, hi, "", "Requests per second (log scale; longer is better)")
for i, r in enumerate(runs):
    y = y0 + i * row
    svg.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{r["label"]}</text>')
    svg.append(f'<rect x="{left}" y="{y + 4}" width="{x(rps(r)) - left:.1f}" height="{row - 8}" fill="{color(r["label"])}"/>')
    svg.append(f'<text x="{x(rps(r)) + 4:.1f}" y="{y + 16}">{rps(r):,.0f}</text>')

y0 = top + panel_h + 40
lat = [max(r["summary"][k], 0.01) for r in runs for k in ("p50_ms", "p99_ms")]
lo, hi = 10 ** math.floor(math.log10(min(lat))), 10 ** math.ceil(math.log10(max(lat)))
x = log_axis(y0, lo, hi, " ms", "Latency p50 (dark) and p99 (light), ms (log scale; shorter is better)")
for i, r in enumerate(runs):
    y = y0 + i * row
    s = r["summary"]
    svg.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{r["label"]}</text>')
    svg.append(f'<rect x="{left}" y="{y + 4}" width="{x(s["p99_ms"]) - left:.1f}" height="{row - 8}" '
               f'fill="{color(r["label"])}" opacity="0.35"/>')
    svg.append(f'<rect x="{left}" y="{y + 4}" width="{x(s["p50_ms"]) - left:.1f}" height="{row - 8}" fill="{color(r["label"])}"/>')
    svg.append(f'<text x="{x(s["p99_ms"]) + 4:.1f}" y="{y + 16}">{s["p50_ms"]:.2f} / {s["p99_ms"]:.2f}</text>')
svg.append("</svg>")
open(f"{out_dir}/catalog-load.svg", "w").write("\n".join(svg) + "\n")
