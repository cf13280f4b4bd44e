#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# The main job: a small discovery (graphs of up to 2 operators over TASO's operator set) into
# rules.db, then the kept rules. Bigger runs: --max-ops 3, --backend both, --threads N.
./build/cli/ruleforge discover --db rules.db --max-ops 2
./build/cli/ruleforge list --db rules.db --status proved | tail -n 5
