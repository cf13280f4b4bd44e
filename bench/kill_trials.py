#!/usr/bin/env python3
"""Kill trials for `ruleforge discover` (issue 24): stop a run with SIGINT, SIGTERM or SIGKILL at a
random moment, resume it with a random --batch, and check that the result is exactly what an
uninterrupted run stores.

    python3 bench/kill_trials.py                      # 20 trials, size 2, TASO's preset
    python3 bench/kill_trials.py --trials 5 --seed 7 --ops matmul,ewadd,relu

Each trial: a fresh database; `discover --batch B1` started; after a random fraction of an
uninterrupted run's time, the random signal; then the exit checked (130 for SIGINT, 143 for
SIGTERM, killed for SIGKILL, or 0 when the run had already finished); then `discover --resume
--batch B2` (B2 random, or the default), which must exit 0. "The same result" is the rule set
(canonical text, status and decision of every rule, from `list --json`) and the candidate
totals of the summary (proved, refuted, unknown: an interrupted solver's "unknown" stored as a
verdict would change them). Prints one line a trial and a JSON summary; exit 1 if any differs.

    python3 bench/kill_trials.py --command enumerate --max-ops 3 --threads 2

does the same to `enumerate --db` (issue 26: the classes stored while the candidates are
extracted), and "the same result" is then every row of the graphs, classes, class_members and
candidates tables, ids included (read with the sqlite3 tool).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}


def discover_cmd(args, db, batch, resume):
    cmd = [args.bin, args.command, "--db", db, "--max-ops", str(args.max_ops), "--threads", str(args.threads),
           "-q", "--json"]
    if args.command == "enumerate":
        cmd += ["--preset", "taso"]
    if args.ops:
        cmd += ["--ops", args.ops]
    if args.backend:
        cmd += ["--backend", args.backend]
    if batch:
        cmd += ["--batch", str(batch)]
    if resume:
        cmd.append("--resume")
    return cmd


ENUMERATE_TABLES = ("SELECT 'g', id, canonical_text, hash, num_ops, num_outputs, run_id FROM graphs ORDER BY id;"
                    "SELECT 'c', id, fingerprint, representative, run_id FROM classes ORDER BY id;"
                    "SELECT 'm', class_id, graph_id FROM class_members ORDER BY class_id, graph_id;"
                    "SELECT 'p', id, rule_text, hash, lhs_graph, rhs_graph, class_id, run_id, status FROM candidates "
                    "ORDER BY id;")


def result_of(args, db, summary):
    if args.command == "enumerate":
        rows = subprocess.run(["sqlite3", db, ENUMERATE_TABLES], check=True, capture_output=True, text=True).stdout
        totals = {k: summary[k] for k in ("graphs", "classes", "stored_classes", "stored_members", "candidates")}
        return rows, totals
    listing = json.loads(subprocess.run([args.bin, "list", "--db", db, "--json"], check=True, capture_output=True,
                                        text=True).stdout)
    rules = sorted((r["text"], r["status"], r["decision"]) for r in listing["rules"])
    totals = {k: summary[k] for k in ("candidates", "proved", "refuted", "unknown", "errors", "rules", "kept")}
    return rules, totals


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="build/cli/ruleforge")
    p.add_argument("--command", default="discover", choices=["discover", "enumerate"])
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--seed", type=int, default=24)
    p.add_argument("--max-ops", type=int, default=2)
    p.add_argument("--ops", default="", help="template subset (default: the preset's)")
    p.add_argument("--backend", default="")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--dir", default="", help="scratch directory (default: a temporary one)")
    args = p.parse_args()
    rng = random.Random(args.seed)
    work = args.dir or tempfile.mkdtemp(prefix="kill-trials-")
    os.makedirs(work, exist_ok=True)

    def fresh(name):
        path = os.path.join(work, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path

    ref_db = fresh("reference.db")
    t0 = time.monotonic()
    ref = subprocess.run(discover_cmd(args, ref_db, 0, False), capture_output=True, text=True)
    ref_seconds = time.monotonic() - t0
    if ref.returncode != 0:
        sys.exit("reference run failed: " + ref.stderr)
    reference = result_of(args, ref_db, json.loads(ref.stdout))
    print(f"reference: {ref_seconds:.1f} s, {len(reference[0])} rules or rows, totals {reference[1]}", flush=True)

    trials = []
    for t in range(args.trials):
        name = rng.choice(list(SIGNALS))
        fraction = rng.uniform(0.02, 0.95)
        if args.command == "enumerate":  # tens of thousands of classes at size 3
            batch = rng.choice([64, 256, 1000, 2048])
            resume_batch = rng.choice([0, 97, 300, 4096])  # 0: the default
        else:
            batch = rng.choice([1, 3, 8, 16, 32, 64, 128])
            resume_batch = rng.choice([0, 1, 5, 8, 32, 100, 128, 256])  # 0: the default
        db = fresh(f"trial{t}.db")
        err_path = os.path.join(work, f"trial{t}.err")
        with open(err_path, "w") as err:
            proc = subprocess.Popen(discover_cmd(args, db, batch, False), stdout=subprocess.DEVNULL, stderr=err)
            time.sleep(fraction * ref_seconds)
            sent = time.monotonic()
            proc.send_signal(SIGNALS[name])
            code = proc.wait()
            stop_seconds = time.monotonic() - sent
        expected = {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -signal.SIGKILL}[name]
        stopped = code == expected
        problems = []
        if code not in (expected, 0):
            problems.append(f"exit {code}, expected {expected} (or 0 if it had finished)")
        message = open(err_path).read()
        if stopped and name != "SIGKILL" and "--resume" not in message:
            problems.append("no resume hint in the message: " + message.strip()[-200:])
        r = subprocess.run(discover_cmd(args, db, resume_batch, True), capture_output=True, text=True)
        fresh_start = r.returncode == 2 and f"has no unfinished {args.command} run" in r.stderr
        if fresh_start:
            # Killed before its run record was committed (process start-up): nothing to resume.
            r = subprocess.run(discover_cmd(args, db, resume_batch, False), capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"resume exit {r.returncode}: {r.stderr.strip()[-300:]}")
            result = None
        else:
            result = result_of(args, db, json.loads(r.stdout))
            if result[0] != reference[0]:
                problems.append(f"rule set or rows differ ({len(result[0])} vs {len(reference[0])})")
            if result[1] != reference[1]:
                problems.append(f"totals differ: {result[1]} vs {reference[1]}")
        trial = {"trial": t, "signal": name, "at_seconds": round(fraction * ref_seconds, 2), "batch": batch,
                 "resume_batch": resume_batch or "default", "exit": code, "interrupted": code != 0,
                 "no_run_recorded_yet": fresh_start,
                 "stop_seconds": round(stop_seconds, 2), "same_result": not problems, "problems": problems}
        trials.append(trial)
        print(f"trial {t:2}: {name:7} at {trial['at_seconds']:6.2f} s, batch {batch:3} -> resume batch "
              f"{trial['resume_batch']!s:7}: exit {code:4} after {stop_seconds:5.2f} s; "
              + ("same result" if not problems else "DIFFERS: " + "; ".join(problems)), flush=True)

    summary = {"trials": len(trials), "interrupted": sum(t["interrupted"] for t in trials),
               "same_result": sum(t["same_result"] for t in trials),
               "max_stop_seconds": max((t["stop_seconds"] for t in trials if t["signal"] != "SIGKILL"), default=0),
               "reference_seconds": round(ref_seconds, 2), "command": args.command, "seed": args.seed, "max_ops": args.max_ops,
               "ops": args.ops or "preset", "threads": args.threads, "work": work}
    print(json.dumps(summary, indent=2))
    sys.exit(0 if summary["same_result"] == summary["trials"] else 1)


if __name__ == "__main__":
    main()
