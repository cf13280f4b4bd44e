#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job, then print the
# kept rules and the command that opens the browser report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# The main job: a small discovery (graphs of up to 2 operators over TASO's operator set) into
# rules.db. Bigger runs: --max-ops 3, --backend both, --threads N; Ctrl-C stops it cleanly and
# --resume continues where it stopped.
./build/cli/ruleforge discover --db rules.db --max-ops 2
./build/cli/ruleforge report --db rules.db --out report
echo
echo "The kept rules (the minimal set; 'ruleforge show ID --db rules.db' explains one):"
./build/cli/ruleforge list --db rules.db --status kept
echo
echo "Open the report (every rule, its pictures, proofs and axioms):  chromium report/index.html"
