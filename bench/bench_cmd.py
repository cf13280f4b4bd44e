#!/usr/bin/env python3
"""Times any command as one benchmark record (bench/benchlib.py).

usage: bench/bench_cmd.py --name NAME [--reps N] [--param KEY=VALUE ...] [--copy PATH ...]
                          [--allow-fail] [--out FILE.jsonl] -- COMMAND ARGS...

--copy PATH copies a field of the command's JSON output (the last run's stdout, dotted path such
as summary.instances) into the record, under its last path component.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--copy", action="append", default=[])
    ap.add_argument("--allow-fail", action="store_true", help="record a non-zero exit instead of failing")
    ap.add_argument("--out")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("no command given (put it after --)")
    params = dict(p.split("=", 1) for p in a.param)
    walls, cpus, rss, out, code = benchlib.measure(cmd, a.reps, check=not a.allow_fail)
    extra = {"exit_code": code}
    if a.copy:
        doc = json.loads(out)
        for path in a.copy:
            v = doc
            for k in path.split("."):
                v = v[k]
            extra[path.split(".")[-1]] = v
    benchlib.emit(benchlib.record(a.name, params, walls, cpus, rss, **extra), a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
