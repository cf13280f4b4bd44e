#!/usr/bin/env python3
"""Benchmark of proving TASO's 133 shipped rules (issues 5 and 9).

The rules are TENSAT's text of them (120 single-output in converted.txt, 13 two-output in
converted_multi.txt). For each back-end (z3, cvc5, both) and thread count, runs `ruleforge check
--json` on both files `--reps` times and prints one JSON record (bench/benchlib.py: median/min/max
wall seconds of the pair of runs, CPU seconds, peak RSS, machine) with the number proved and the
per-rule proof time percentiles (p50, p90, max, from the rules' own "seconds" in the median
repetition). The thread counts are interleaved (one run of each per round), and for back-ends
measured at 1 and 2 threads a "prove_taso_speedup" record gives the ratio of the medians, the
median of the per-round ratios and the CPU ratio (benchlib.speedup_record).

usage: bench/prove_bench.py [--binary build/cli/ruleforge] [--backends z3,cvc5,both]
                            [--threads 1,2] [--reps 3] [--rules N] [--out FILE.jsonl]
--rules N keeps only the first N single-output rules and the first two-output one (smoke runs).

With --candidates N (default 2; 0 skips it) it also proves what discovery proves: the candidates
of `ruleforge enumerate --max-ops N --preset taso`, with both back-ends at each thread count
("prove_candidates" records and a "prove_candidates_speedup", with the two-process throughput
measured in the same rounds). That workload is the one whose
thread scaling matters: the 133 TASO rules now take well under a second each run, so their
speedup is bounded by the fixed start-up (process start, one solver context per thread).
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def percentile(xs, q):
    xs = sorted(xs)
    if not xs:
        return 0.0
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/ruleforge")
    ap.add_argument("--backends", default="z3,cvc5,both")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rules", type=int, default=0)
    ap.add_argument("--candidates", type=int, default=2)
    ap.add_argument("--reference", default=os.environ.get("RF_REFERENCE_DIR", "../shared/reference"))
    ap.add_argument("--out", help="also append the records to this JSON-lines file")
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK):
        print(f"error: {a.binary} is not an executable (build first, or pass --binary)", file=sys.stderr)
        return 2
    single = os.path.join(a.reference, "tensat", "converted.txt")
    multi = os.path.join(a.reference, "tensat", "converted_multi.txt")
    for f in (single, multi):
        if not os.access(f, os.R_OK):
            print(f"error: reference rules not found: {f}", file=sys.stderr)
            return 2
    tmp = tempfile.TemporaryDirectory()
    if a.rules > 0:
        with open(single) as f:
            lines = f.readlines()[: a.rules]
        single = os.path.join(tmp.name, "single.txt")
        with open(single, "w") as f:
            f.writelines(lines)
        with open(multi) as f:
            lines = f.readlines()[:2]
        multi = os.path.join(tmp.name, "multi.txt")
        with open(multi, "w") as f:
            f.writelines(lines)

    threads_list = list(map(int, a.threads.split(",")))
    for backend in a.backends.split(","):
        # Thread counts in turn within each round (benchlib.measure_interleaved's reason).
        per = {t: {"walls": [], "cpus": [], "rss": 0.0, "runs": []} for t in threads_list}
        for _ in range(a.reps):
            for threads in threads_list:
                m = per[threads]
                total_wall, total_cpu, rules, proved = 0.0, 0.0, [], 0
                for path, extra in ((single, []), (multi, ["--multi"])):
                    cmd = [a.binary, "check", "--file", path, "--format", "tensat", *extra, "--backend", backend,
                           "--threads", str(threads), "--json"]
                    # check exits 1 when a rule is not proved; the count says how many were.
                    wall, cpu, peak, out, code = benchlib.run_once(cmd, check=False)
                    if code not in (0, 1):
                        print(f"error: {' '.join(cmd)} exited with {code}", file=sys.stderr)
                        return 1
                    res = json.loads(out)
                    total_wall += wall
                    total_cpu += cpu
                    m["rss"] = max(m["rss"], peak)
                    rules += [r["seconds"] for r in res["rules"]]
                    proved += sum(1 for r in res["rules"] if r["verdict"] == "proved")
                m["walls"].append(total_wall)
                m["cpus"].append(total_cpu)
                m["runs"].append((total_wall, rules, proved))
        for threads in threads_list:
            m = per[threads]
            runs = sorted(m["runs"], key=lambda r: r[0])
            _, per_rule, proved = runs[len(runs) // 2]
            benchlib.emit(benchlib.record(
                "prove_taso", {"backend": backend, "threads": threads, "rules": len(per_rule)},
                m["walls"], m["cpus"], m["rss"], proved=proved, rules=len(per_rule),
                per_rule={"p50": round(percentile(per_rule, 0.5), 4), "p90": round(percentile(per_rule, 0.9), 4),
                          "max": round(max(per_rule) if per_rule else 0.0, 4)}), a.out)
        if 1 in per and 2 in per:
            benchlib.emit(benchlib.speedup_record(
                "prove_taso_speedup", {"backend": backend, "threads": "1->2"},
                per[1]["walls"], per[2]["walls"], per[1]["cpus"], per[2]["cpus"]), a.out)
    if a.candidates > 0:
        return prove_candidates(a, tmp.name)
    return 0


def prove_candidates(a, tmpdir):
    cands = os.path.join(tmpdir, "candidates.rf")
    benchlib.run_once([a.binary, "enumerate", "--max-ops", str(a.candidates), "--preset", "taso", "--quiet",
                       "--out", cands])
    if not os.path.exists(cands):
        print(f"error: enumerate --max-ops {a.candidates} wrote no candidates", file=sys.stderr)
        return 1
    threads_list = list(map(int, a.threads.split(",")))
    cmds = {t: [a.binary, "check", "--file", cands, "--backend", "both", "--threads", str(t), "--json"]
            for t in threads_list}
    both = 1 in cmds and 2 in cmds
    if both:
        cmds["pair"] = [cmds[1], cmds[1]]  # the two-process ceiling (benchlib.speedup_record)
    # check exits 1 when a rule is not proved; the summary says how many were.
    measured = benchlib.measure_interleaved(cmds, a.reps, check=False)
    for threads in threads_list:
        walls, cpus, rss, out, code = measured[threads]
        if code not in (0, 1):
            print(f"error: {' '.join(cmds[threads])} exited with {code}", file=sys.stderr)
            return 1
        counts = json.loads(out)["summary"]
        benchlib.emit(benchlib.record(
            "prove_candidates", {"max_ops": a.candidates, "backend": "both", "threads": threads},
            walls, cpus, rss, proved=counts["proved"], unknown=counts["unknown"], refuted=counts["refuted"],
            rules=sum(counts[k] for k in ("proved", "unknown", "refuted", "error"))), a.out)
    if both:
        benchlib.emit(benchlib.speedup_record(
            "prove_candidates_speedup", {"max_ops": a.candidates, "backend": "both", "threads": "1->2"},
            measured[1][0], measured[2][0], measured[1][1], measured[2][1], measured["pair"][0]), a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
