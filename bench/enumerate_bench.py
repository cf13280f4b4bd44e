#!/usr/bin/env python3
"""Benchmark of `ruleforge enumerate --preset taso` (issues 4 and 9).

For each size and thread count, runs the enumeration `--reps` times and prints one JSON record
(bench/benchlib.py: name, parameters, median/min/max wall seconds, repetitions, CPU seconds,
peak RSS, machine info) with the graph, class and candidate counts. The counts are identical
across repetitions and thread counts by construction; the driver checks it and fails otherwise.
The thread counts are interleaved (one run of each per round), and for each size measured at 1
and 2 threads an "enumerate_taso_speedup" record gives the ratio of the median walls, the median
of the per-round ratios and the CPU ratio (benchlib.speedup_record), and, measured in the same
rounds unless --no-ceiling, the throughput of two 1-thread runs started together: what the
machine gave two independent processes at the time, the ceiling for the 2-thread speedup.

usage: bench/enumerate_bench.py [--binary build/cli/ruleforge] [--sizes 1,2,3]
                                [--threads 1,2] [--reps 3] [--no-ceiling] [--out FILE.jsonl]
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
    ap.add_argument("--no-ceiling", action="store_true",
                    help="skip the two concurrent 1-thread runs per round (the two-process throughput)")
    ap.add_argument("--out", help="also append the records to this JSON-lines file")
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK):
        print(f"error: {a.binary} is not an executable (build first, or pass --binary)", file=sys.stderr)
        return 2
    threads_list = list(map(int, a.threads.split(",")))
    for size in map(int, a.sizes.split(",")):
        cmds = {t: [a.binary, "enumerate", "--preset", a.preset, "--max-ops", str(size),
                    "--threads", str(t), "--json", "--quiet"] for t in threads_list}
        both = 1 in threads_list and 2 in threads_list
        if both and not a.no_ceiling:
            cmds["pair"] = [cmds[1], cmds[1]]
        measured = benchlib.measure_interleaved(cmds, a.reps)
        counts_seen = None
        for threads in threads_list:
            walls, cpus, rss, out, _ = measured[threads]
            res = json.loads(out)
            counts = [(l["graphs"], l["new_classes"], l["candidates"]) for l in res["levels"]]
            if counts_seen is not None and counts != counts_seen:
                print(f"error: counts differ between thread counts at size {size}", file=sys.stderr)
                return 1
            counts_seen = counts
            benchlib.emit(benchlib.record(
                f"enumerate_{a.preset}", {"max_ops": size, "threads": threads, "preset": a.preset},
                walls, cpus, rss,
                graphs=sum(l["graphs"] for l in res["levels"]),
                pair_graphs=sum(l["pair_graphs"] for l in res["levels"]),
                classes=res["classes"], candidates=res["candidates"],
                levels=[{"size": l["size"], "graphs": l["graphs"], "new_classes": l["new_classes"],
                         "seconds": l["seconds"]} for l in res["levels"]]), a.out)
        if both:
            benchlib.emit(benchlib.speedup_record(
                f"enumerate_{a.preset}_speedup", {"max_ops": size, "threads": "1->2"},
                measured[1][0], measured[2][0], measured[1][1], measured[2][1],
                measured["pair"][0] if "pair" in measured else None), a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
