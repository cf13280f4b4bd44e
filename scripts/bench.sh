#!/usr/bin/env bash
# The benchmark suite (issue 9): enumeration at sizes 1-3 (4 with --size4) at 1 and 2 threads,
# the size-3 classes checked against the reference path (`enumerate --verify`),
# proving TASO's 133 rules with each back-end and the size-2 candidates with both, at 1 and 2
# threads (bench/prove_bench.py), and axiom validation (`ruleforge axioms --validate --json`). Every record is one JSON line (bench/benchlib.py) in
# $OUT/bench.jsonl, and docs/PERFORMANCE.md's measured table is regenerated from them.
#
#   scripts/bench.sh [--binary PATH] [--out DIR] [--reps N] [--size4] [--smoke] [--no-doc]
#
# --smoke runs each benchmark once at its smallest setting (size 1, 5 rules, a 2-dimension
# axiom check) and leaves the page alone: the test suite runs it to keep the drivers working.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/cli/ruleforge
out=build-bench
reps=3
sizes=1,2,3
smoke=0
doc=1
while (($#)); do
    case $1 in
        --binary) bin=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --size4) sizes=1,2,3,4; shift ;;
        --smoke) smoke=1; doc=0; shift ;;
        --no-doc) doc=0; shift ;;
        -h|--help) sed -n 2,11p "$0"; exit 0 ;;
        *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ -x $bin ]] || { echo "error: $bin is not an executable (build first: scripts/build.sh, or pass --binary)" >&2; exit 2; }
mkdir -p "$out"
records=$out/bench.jsonl
: > "$records"

if ((smoke)); then
    python3 bench/enumerate_bench.py --binary "$bin" --sizes 1 --threads 1,2 --reps 1 --out "$records"
    python3 bench/prove_bench.py --binary "$bin" --backends z3 --threads 1 --reps 1 --rules 5 --candidates 1 --out "$records"
    python3 bench/bench_cmd.py --name enumerate_reference_check --reps 1 --param max_ops=1 --param preset=taso --out "$records" \
        --copy reference_check.graphs --copy reference_check.classes --copy reference_check.problems \
        -- "$bin" enumerate --max-ops 1 --preset taso --verify --json --quiet
    python3 bench/bench_cmd.py --name axioms_validate --reps 1 --param max_dim=2 --allow-fail --out "$records" \
        --copy summary.axioms --copy summary.proved --copy summary.tested --copy summary.refuted \
        --copy summary.instances -- "$bin" axioms --validate --json --quiet --max-dim 2 --no-redundancy
else
    python3 bench/enumerate_bench.py --binary "$bin" --sizes "$sizes" --threads 1,2 --reps "$reps" --out "$records"
    # The size-3 classes against the reference path (every graph evaluated whole at every point):
    # the "output equal to a slower reference path" of issue 9; the record's wall is both parts.
    python3 bench/bench_cmd.py --name enumerate_reference_check --reps 1 --param max_ops=3 --param preset=taso --out "$records" \
        --copy reference_check.graphs --copy reference_check.classes --copy reference_check.problems \
        -- "$bin" enumerate --max-ops 3 --preset taso --verify --json --quiet
    python3 bench/prove_bench.py --binary "$bin" --backends z3,cvc5,both --threads 1,2 --reps "$reps" --out "$records"
    python3 bench/bench_cmd.py --name axioms_validate --reps 1 --param max_dim=4 --allow-fail --out "$records" \
        --copy summary.axioms --copy summary.proved --copy summary.tested --copy summary.refuted \
        --copy summary.instances -- "$bin" axioms --validate --json --quiet
fi
if ((doc)); then
    python3 bench/perf_report.py "$records" --doc docs/PERFORMANCE.md
    echo "docs/PERFORMANCE.md regenerated from $records" >&2
fi
