#!/usr/bin/env python3
"""Print the ratios docs/benchmarks.md records, from the last `cargo bench --bench parse` run.

Throughput ratio = pulldown-cmark time / newsmark time on the same bytes (>= 1.0: newsmark is
at least as fast). Growth = time at 1 MB / time at 100 KB, scaled to a 10x input.
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def median_ns(*parts):
    path = root.joinpath(*parts, "new", "estimates.json")
    try:
        return json.loads(path.read_text())["median"]["point_estimate"]
    except FileNotFoundError:
        sys.exit(f"{path}: not found; run `cargo bench --bench parse` first")


def size_bytes(*parts):
    bench = json.loads(root.joinpath(*parts, "new", "benchmark.json").read_text())
    return bench["throughput"]["Bytes"]


def fmt(ns):
    return f"{ns / 1e6:.3f} ms" if ns >= 1e5 else f"{ns / 1e3:.1f} µs"


def mib_s(nbytes, ns):
    return nbytes / (1 << 20) / (ns / 1e9)


rows = []
for label in ["100KB", "1MB"]:
    n = size_bytes("document", "pulldown-cmark", label)
    ref = median_ns("document", "pulldown-cmark", label)
    for what in ["newsmark-parse", "newsmark-check"]:
        t = median_ns("document", what, label)
        rows.append((f"document {label}", what, n, t, ref))
n = size_bytes("articles", "pulldown-cmark")
ref = median_ns("articles", "pulldown-cmark")
for what in ["newsmark-parse", "newsmark-check"]:
    rows.append(("40 articles", what, n, median_ns("articles", what), ref))

print(f"| input | measure | bytes | newsmark | MiB/s | pulldown-cmark | MiB/s | ratio |")
print(f"| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for inp, what, n, t, r in rows:
    print(
        f"| {inp} | {what} | {n} | {fmt(t)} | {mib_s(n, t):.1f} | {fmt(r)} | "
        f"{mib_s(n, r):.1f} | {r / t:.2f} |"
    )

print()
print("| measure | 100 KB | 1 MB | growth for 10x input (target <= 11x) |")
print("| --- | ---: | ---: | ---: |")
for what in ["newsmark-parse", "newsmark-check", "pulldown-cmark"]:
    small = median_ns("document", what, "100KB")
    big = median_ns("document", what, "1MB")
    nsmall = size_bytes("document", what, "100KB")
    nbig = size_bytes("document", what, "1MB")
    growth = (big / small) * (10 * nsmall / nbig)
    print(f"| {what} | {fmt(small)} | {fmt(big)} | {growth:.2f}x |")
