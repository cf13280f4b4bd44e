#!/usr/bin/env python3
"""Benchmark of `ruleforge enumerate --preset taso` (issues 4 and 9).

For each size and thread count, runs the enumeration `--reps` times and prints one JSON record
(bench/benchlib.py: name, parameters, median/min/max wall seconds, repetitions, CPU seconds,
peak RSS, machine info) with the graph, class and candidate counts. The counts are identical
across repetitions and thread counts by construction; the driver checks it and fails otherwise.
For each size measured at 1 and 2 threads it also prints an "enumerate_taso_speedup" record
(median wall at 1 thread / at 2 threads; meaningful only on an otherwise idle machine).

usage: bench/enumerate_bench.py [--binary build/cli/ruleforge] [--sizes 1,2,3]
                                [--threads 1,2] [--reps 3] [--out FILE.jsonl]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/ruleforge")
    ap.add_argument("--sizes", default="1,2,3")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--preset", default="taso")
    ap.add_argument("--out", help="also append the records to this JSON-lines file")
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK):
        print(f"error: {a.binary} is not an executable (build first, or pass --binary)", file=sys.stderr)
        return 2
    for size in map(int, a.sizes.split(",")):
        counts_seen, medians = None, {}
        for threads in map(int, a.threads.split(",")):
            cmd = [a.binary, "enumerate", "--preset", a.preset, "--max-ops", str(size),
                   "--threads", str(threads), "--json", "--quiet"]
            walls, cpus, rss, out, _ = benchlib.measure(cmd, a.reps)
            res = json.loads(out)
            counts = [(l["graphs"], l["new_classes"], l["candidates"]) for l in res["levels"]]
            if counts_seen is not None and counts != counts_seen:
                print(f"error: counts differ between thread counts at size {size}", file=sys.stderr)
                return 1
            counts_seen = counts
            medians[threads] = sorted(walls)[len(walls) // 2]
            benchlib.emit(benchlib.record(
                f"enumerate_{a.preset}", {"max_ops": size, "threads": threads, "preset": a.preset},
                walls, cpus, rss,
                graphs=sum(l["graphs"] for l in res["levels"]),
                pair_graphs=sum(l["pair_graphs"] for l in res["levels"]),
                classes=res["classes"], candidates=res["candidates"],
                levels=[{"size": l["size"], "graphs": l["graphs"], "new_classes": l["new_classes"],
                         "seconds": l["seconds"]} for l in res["levels"]]), a.out)
        if 1 in medians and 2 in medians and medians[2] > 0:
            benchlib.emit({"name": f"enumerate_{a.preset}_speedup",
                           "parameters": {"max_ops": size, "threads": "1->2"},
                           "speedup": round(medians[1] / medians[2], 3),
                           "machine": benchlib.machine_info()}, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
