#!/usr/bin/env bash
# Times proving TASO's 133 shipped rules (TENSAT text: 120 single-output + 13 two-output) with
# each SMT back-end and with both, and prints one JSON object per configuration:
#   {"name": ..., "median": s, "min": s, "max": s, "repetitions": n, "proved": k, "rules": 133}
# Usage: bench/prove_taso.sh [RULEFORGE_BINARY] [REPETITIONS]   (run from the project root)
set -euo pipefail

bin=${1:-build/cli/ruleforge}
reps=${2:-5}
ref=${RF_REFERENCE_DIR:-../shared/reference}
single=$ref/tensat/converted.txt
multi=$ref/tensat/converted_multi.txt
[[ -x $bin ]] || { echo "error: $bin is not an executable (build first, or pass the binary)" >&2; exit 2; }
[[ -r $single && -r $multi ]] || { echo "error: reference rules not found under $ref" >&2; exit 2; }

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
    printf '%s\n' "${times[@]}" | sort -g | awk -v name="prove_taso_133_$backend" -v reps="$reps" -v proved="$proved" '
        { t[NR] = $1 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "{\"name\": \"%s\", \"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"repetitions\": %d, \"proved\": %d, \"rules\": 133}\n",
                   name, med, t[1], t[NR], reps, proved
        }'
done
