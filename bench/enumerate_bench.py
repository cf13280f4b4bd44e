#!/usr/bin/env python3
"""Benchmark of `ruleforge enumerate --preset taso` (issue 4 / issue 9).

Runs sizes 1..N at 1 and 2 threads (or --threads), several repetitions each, and prints one
JSON record per (size, threads): name, parameters, median/min/max wall seconds, repetitions,
peak RSS (max over repetitions, from the command's own getrusage), and the graph, class and
candidate counts (identical across repetitions and thread counts by construction; checked).

usage: bench/enumerate_bench.py [--binary build-enum/cli/ruleforge] [--sizes 1,2,3]
                                [--threads 1,2] [--reps 3]
"""
import argparse, json, os, platform, statistics, subprocess, sys


def run(binary, size, threads):
    out = subprocess.run([binary, "enumerate", "--preset", "taso", "--max-ops", str(size),
                          "--threads", str(threads), "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build-enum/cli/ruleforge")
    ap.add_argument("--sizes", default="1,2,3")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    machine = {"cpus": os.cpu_count(), "platform": platform.platform()}
    for size in map(int, a.sizes.split(",")):
        counts_seen = None
        for threads in map(int, a.threads.split(",")):
            runs = [run(a.binary, size, threads) for _ in range(a.reps)]
            walls = [r["seconds"] for r in runs]
            counts = [(l["graphs"], l["new_classes"], l["candidates"]) for l in runs[0]["levels"]]
            if counts_seen is not None and counts != counts_seen:
                print(f"counts differ between thread counts at size {size}", file=sys.stderr)
                return 1
            counts_seen = counts
            print(json.dumps({
                "name": "enumerate_taso", "parameters": {"max_ops": size, "threads": threads},
                "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
                "repetitions": a.reps, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "graphs": sum(l["graphs"] for l in runs[0]["levels"]),
                "pair_graphs": sum(l["pair_graphs"] for l in runs[0]["levels"]),
                "classes": runs[0]["classes"], "candidates": runs[0]["candidates"],
                "machine": machine}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
