#!/usr/bin/env python3
"""`ruleforge optimize` on the built-in models: one JSON record per model and a summary line.

    bench/optimize_bench.py --db taso.db [--models bert,nasrnn] [--label taso] [--out F.jsonl]
                            [-- extra optimize options]

Each model runs once through `ruleforge optimize --json --clock cpu` with one BLAS/OpenMP thread
(a single-core latency figure; CPU time, because on a shared machine the wall clock mostly
measures waiting for a core). A record keeps what docs/optimize.md tabulates: measured times
before and after (medians and spread, of the returned graph and of the search's best
candidate), predicted times, the rewrites, the search's counts and the load average around the
run. The summary is the geometric mean of before/after over the models, of the returned graphs
and of the candidates. docs/optimize.md has the figures this produced.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

MODELS = ["bert", "inception_v3", "nasnet_a", "nasrnn", "resnet50", "resnext50", "squeezenet", "vgg19"]


def rewrites_summary(steps):
    """'taso_64 rev x3, taso_129 fwd x1': the rules applied, by name and direction."""
    names = Counter(" ".join(s["rule"].split()[1:]) for s in steps)
    return ", ".join(f"{k} x{v}" for k, v in sorted(names.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--label", default="", help="names the rule set in the records")
    ap.add_argument("--ruleforge", default="build/cli/ruleforge")
    ap.add_argument("--out", help="append the records to this JSONL file")
    ap.add_argument("extra", nargs="*", help="more optimize options (after --)")
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    records = []
    for m in a.models.split(","):
        cmd = [a.ruleforge, "optimize", "--db", a.db, "--model", m, "--json", "--clock", "cpu"] + a.extra
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.monotonic() - t0
        # Exit 1 with a document: the search's candidate failed the output check and the original
        # was returned (a rule applied where it does not hold); that is a result to record.
        if p.returncode not in (0, 1) or not p.stdout.strip():
            raise SystemExit(f"{' '.join(cmd)} exited with {p.returncode}: {p.stderr.strip()[-500:]}")
        d = json.loads(p.stdout)
        cand = d["time_candidate"]["median_ms"] if "time_candidate" in d else d["time_after_ms"]
        rec = {
            "name": "optimize", "model": m, "rules": a.label or a.db, "parameters": cmd[2:],
            "time_before_ms": d["time_before_ms"], "time_after_ms": d["time_after_ms"],
            "time_before": d["time_before"], "time_after": d["time_after"],
            "time_candidate_ms": cand, "candidate_faster_runs": d.get("candidate_faster_runs"),
            "speedup": d["time_before_ms"] / d["time_after_ms"],
            "candidate_speedup": d["time_before_ms"] / cand if cand else None,
            "cost_before_ms": d["cost_before_ms"], "cost_after_ms": d["cost_after_ms"],
            "cost_candidate_ms": d.get("cost_candidate_ms"), "kept_original": d["kept_original"],
            "verdict": d["verdict"], "rewrites": rewrites_summary(d.get("candidate_rewrites", [])),
            "search": {k: d.get(k) for k in ("expanded", "candidates", "stopped")},
            "valid": d["valid"], "max_rel_error": d["max_rel_error"],
            "load_average": d.get("load_average"),
            "run_s": round(wall, 1), "machine": benchlib.machine_info(),
        }
        records.append(rec)
        print(json.dumps(rec), flush=True)
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")

    def geomean(xs):
        xs = [x for x in xs if x]
        return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None

    summary = {"name": "optimize-summary", "rules": a.label or a.db, "models": len(records),
               "geomean_returned": geomean([r["speedup"] for r in records]),
               "geomean_candidate": geomean([r["candidate_speedup"] for r in records]),
               "slowest_returned": min(r["speedup"] for r in records) if records else None}
    print(json.dumps(summary))
    if a.out:
        with open(a.out, "a") as f:
            f.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
