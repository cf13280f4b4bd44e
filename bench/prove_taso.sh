#!/usr/bin/env bash
# Times proving TASO's 133 shipped rules (TENSAT text: 120 single-output + 13 two-output) with
# each SMT back-end and with both, and prints one JSON object per configuration:
#   {"name": ..., "parameters": {...}, "median": s, "min": s, "max": s, "repetitions": n,
#    "proved": k, "rules": 133, "machine": {...}}
# Usage: bench/prove_taso.sh [RULEFORGE_BINARY] [REPETITIONS] [RULES]   (from the project root)
# RULES < 133 times only the first RULES single-output rules and the first two-output one (the
# smoke test in the suite uses it).
set -euo pipefail

bin=${1:-build/cli/ruleforge}
reps=${2:-5}
limit=${3:-0}
ref=${RF_REFERENCE_DIR:-../shared/reference}
single=$ref/tensat/converted.txt
multi=$ref/tensat/converted_multi.txt
[[ -x $bin ]] || { echo "error: $bin is not an executable (build first, or pass the binary)" >&2; exit 2; }
[[ -r $single && -r $multi ]] || { echo "error: reference rules not found under $ref" >&2; exit 2; }
total=133
if ((limit > 0 && limit < 133)); then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    head -n "$limit" "$single" > "$tmp/single.txt"
    head -n 2 "$multi" > "$tmp/multi.txt"
    single=$tmp/single.txt
    multi=$tmp/multi.txt
    total=$((limit + 1))
fi
machine=$(python3 "$(dirname "$0")/machine.py")

proved_count() { grep -o '"proved": [0-9]*' | tail -1 | grep -o '[0-9]*$'; }

for backend in z3 cvc5 both; do
    times=()
    proved=0
    for ((i = 0; i < reps; i++)); do
        start=$(date +%s.%N)
        a=$("$bin" check --file "$single" --format tensat --backend "$backend" --json | proved_count)
        b=$("$bin" check --file "$multi" --format tensat --multi --backend "$backend" --json | proved_count)
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc -l)")
        proved=$((a + b))
    done
    printf '%s\n' "${times[@]}" | sort -g | awk -v name="prove_taso_133_$backend" -v reps="$reps" -v proved="$proved" \
        -v backend="$backend" -v rules="$total" -v machine="$machine" '
        { t[NR] = $1 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "{\"name\": \"%s\", \"parameters\": {\"backend\": \"%s\"}, \"unit\": \"s\", \"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"repetitions\": %d, \"proved\": %d, \"rules\": %d, \"machine\": %s}\n",
                   name, backend, med, t[1], t[NR], reps, proved, rules, machine
        }'
done
