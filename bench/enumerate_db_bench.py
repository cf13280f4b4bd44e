#!/usr/bin/env python3
"""Benchmark of `ruleforge enumerate --db` (issue 26): the enumeration and the store together.

For each size, runs `enumerate --preset taso --max-ops N --db FRESH.db --json --quiet` --reps
times (a new database each time) and prints one JSON record: wall median/min/max, CPU seconds
(user + system of the child, from wait4: independent of the machine's load), peak RSS of the
child, the load average before and after the runs, the database's size, and the median of each
phase's wall and CPU seconds from the command's own "profile" (generate, fingerprint and classes
per level, candidates, "store classes" -- beside the candidates, in binaries since issue 26's
third pass -- and store). With --baseline OTHER_BINARY the two binaries run in turn within each
round (an A/B on the same minutes of the machine) and each gets its own record.

Size 4 needs a memory cap on a shared machine: --mem-cap BYTES sets RLIMIT_AS on the child (as
`prlimit --as`); a run that hits it fails and the record says so instead of a time.

usage: bench/enumerate_db_bench.py [--binary build/cli/ruleforge] [--sizes 3] [--reps 5]
                                   [--threads 2] [--baseline BIN] [--mem-cap BYTES]
                                   [--out FILE.jsonl] [--keep-dir DIR]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def run_capped(cmd, mem_cap):
    """Runs cmd once; returns (wall s, cpu s, peak RSS MB, stdout, stderr, exit code)."""
    def limit():
        if mem_cap:
            resource.setrlimit(resource.RLIMIT_AS, (mem_cap, mem_cap))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, preexec_fn=limit)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, out.read(), err.read(), \
            os.waitstatus_to_exitcode(status)


def phase_medians(profiles):
    """{"size N phase": {"seconds", "cpu_seconds", "peak_rss_mb"}} medians over the runs."""
    by = {}
    for prof in profiles:
        for p in prof:
            key = p["phase"] if p["size"] == 0 else f"size {p['size']} {p['phase']}"
            by.setdefault(key, []).append(p)
    return {k: {"seconds": round(statistics.median(x["seconds"] for x in v), 3),
                "cpu_seconds": round(statistics.median(x.get("cpu_seconds", 0) for x in v), 3),
                "peak_rss_mb": round(max(x["peak_rss_bytes"] for x in v) / 2**20, 1)}
            for k, v in by.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/ruleforge")
    ap.add_argument("--baseline", help="another binary measured in the same rounds")
    ap.add_argument("--sizes", default="3")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", default="taso")
    ap.add_argument("--mem-cap", type=int, default=0, help="RLIMIT_AS of each run, in bytes (0: none)")
    ap.add_argument("--out", help="also append the records to this JSON-lines file")
    ap.add_argument("--keep-dir", help="leave the databases in this folder (default: a temporary one)")
    a = ap.parse_args()
    binaries = {"new": a.binary}
    if a.baseline:
        binaries["baseline"] = a.baseline
    for b in binaries.values():
        if not os.access(b, os.X_OK):
            print(f"error: {b} is not an executable (build first, or pass --binary)", file=sys.stderr)
            return 2
    work = a.keep_dir or tempfile.mkdtemp(prefix="rf-enumdb-bench-")
    os.makedirs(work, exist_ok=True)
    status = 0
    for size in map(int, a.sizes.split(",")):
        load_before = [round(x, 2) for x in os.getloadavg()]
        runs = {k: {"walls": [], "cpus": [], "enum_s": [], "store_s": [], "rss": 0.0, "profiles": [], "summary": None, "db_bytes": 0,
                    "failed": None} for k in binaries}
        for rep in range(a.reps):
            for label, binary in binaries.items():
                r = runs[label]
                if r["failed"]:
                    continue
                db = os.path.join(work, f"{label}-size{size}-{rep}.db")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                cmd = [binary, "enumerate", "--preset", a.preset, "--max-ops", str(size), "--threads",
                       str(a.threads), "--db", db, "--json", "--quiet"]
                wall, cpu, rss, out, err, code = run_capped(cmd, a.mem_cap)
                if code != 0:
                    r["failed"] = f"exit {code} after {wall:.1f} s: {err.strip()[-300:]}"
                    status = 1
                    continue
                summary = json.loads(out)
                r["walls"].append(wall)
                r["cpus"].append(cpu)
                r["rss"] = max(r["rss"], rss)
                r["profiles"].append(summary.get("profile", []))
                r["enum_s"].append(summary["seconds"]["enumerate"])
                r["store_s"].append(summary["seconds"]["store"])
                r["db_bytes"] = os.path.getsize(db)
                if r["summary"] and (summary["candidates"], summary["stored_members"]) != \
                        (r["summary"]["candidates"], r["summary"]["stored_members"]):
                    print(f"error: {label} stored different counts between repetitions", file=sys.stderr)
                    return 1
                r["summary"] = summary
                if not a.keep_dir:
                    for suffix in ("", "-wal", "-shm"):
                        if os.path.exists(db + suffix):
                            os.remove(db + suffix)
        load_after = [round(x, 2) for x in os.getloadavg()]
        for label, binary in binaries.items():
            r = runs[label]
            params = {"max_ops": size, "threads": a.threads, "preset": a.preset, "binary": binary}
            if a.mem_cap:
                params["mem_cap_bytes"] = a.mem_cap
            if not r["walls"]:
                benchlib.emit({"name": "enumerate_db", "parameters": params, "failed": r["failed"],
                               "machine": benchlib.machine_info()}, a.out)
                continue
            s = r["summary"]
            rec = benchlib.record(
                "enumerate_db", params, r["walls"], r["cpus"], r["rss"],
                loadavg_before=load_before, loadavg_after=load_after,
                graphs=s["graphs"], classes=s["classes"], stored_classes=s["stored_classes"],
                stored_members=s["stored_members"], candidates=s["candidates"],
                stored_candidates=s["stored_candidates"], batches=s["batches_done"],
                db_bytes=r["db_bytes"],
                enumerate_seconds_median=round(statistics.median(r["enum_s"]), 3),
                store_seconds_median=round(statistics.median(r["store_s"]), 3),
                phases=phase_medians(r["profiles"]))
            if r["failed"]:
                rec["failed"] = r["failed"]
            benchlib.emit(rec, a.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
